"""Set-up of the scoring worker processes the window starts. No Qt here: this runs in them."""

from __future__ import annotations

import contextlib
import os

from reviewer.core.batch import init_worker


def init_background_worker() -> None:
    """`init_worker`, then the idle scheduling class (Linux): a worker gives its core up the
    moment a normal thread of the machine wakes, the window's GUI thread first of all.

    Nice 5 alone is not enough for that: a woken GUI thread still queued behind a scoring worker
    for the rest of its time slice, 20-30 ms at a time on a 2-core machine, long enough for the
    grid to stutter. An idle worker still gets every core nobody else wants, so a scan takes no
    longer; the window's own work only ever comes first.
    """
    init_worker()
    with contextlib.suppress(AttributeError, OSError):  # SCHED_IDLE: Linux only
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
