"""The window's background threads give the CPU way to its GUI thread.

On a machine with few cores, the threads of the window's own process (thumbnail decoders, the
folder's metadata and sidecar reads, the catalog's writer, the scoring run's feeder) compete
with its GUI thread for a core like any other: a GUI thread woken by an event then queued for
a core behind them for whole time slices, tens of milliseconds in which the window handled
nothing (bench/gui.py --only stall --profile: the longest stalls were mostly "waiting for a
core"). Each background thread lowers its own priority once (on Linux `nice` is per thread),
so that the GUI thread wins a core the moment it needs one; the background threads still get
every core it leaves. Not the idle class that the scoring processes use: these threads take
the GIL, and one starved while holding it would hold up the GUI thread instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

BACKGROUND_NICENESS = 5  # as the scoring worker processes' (reviewer.core.batch)

_state = threading.local()


def yield_to_gui() -> None:
    """Lower the calling thread's CPU priority to BACKGROUND_NICENESS (once per thread; never
    on the main thread, the GUI's). A no-op off Linux."""
    if getattr(_state, "lowered", False) or threading.current_thread() is threading.main_thread():
        return
    _state.lowered = True
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    with contextlib.suppress(OSError, AttributeError):
        now = os.getpriority(os.PRIO_PROCESS, tid)
        if now < BACKGROUND_NICENESS:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICENESS)


def thread_niceness() -> int:
    """The calling thread's niceness (Linux; 0 elsewhere)."""
    if not sys.platform.startswith("linux"):
        return 0
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
