"""Worker processes that import this very copy of Reviewer, wherever the app was started from.

On Linux workers are forked from a forkserver, which Python starts as `python -c ...`: that puts
the current directory first on its `sys.path`, and Python 3.11's forkserver imports its preload
modules before it applies the parent's path. Started from a folder holding a `reviewer/`
directory (a clone of the project in `~/reviewer`, started from `~`), the server imported that
directory instead of the installed package and every photo became an error row
(`ImportError: cannot import name ...`). The server is therefore started with the current
directory left out of its path (PYTHONSAFEPATH) and this package's own location added to it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# What the worker server imports once, so that each worker it forks starts ready.
WORKER_PRELOAD = ("reviewer.core.batch", "reviewer.core.decode")

_lock = threading.Lock()


def package_root() -> Path:
    """The directory that holds this `reviewer` package (site-packages or a source tree)."""
    return Path(__file__).resolve().parent.parent.parent


def worker_sys_path(path: Sequence[str], cwd: str | None = None) -> list[str]:
    """`path` without the entries that mean "the current directory" ('' and cwd itself) unless
    the current directory is where this package lives, with the package's root added if it is
    missing. What a worker's `sys.path` must be to import this copy of Reviewer."""
    here = os.path.realpath(cwd if cwd is not None else os.getcwd())
    root = str(package_root())
    out: list[str] = []
    for entry in path:
        real = os.path.realpath(entry) if entry else here
        if real == here and here != root:
            continue
        if entry and entry not in out:
            out.append(entry)
    if not any(os.path.realpath(e) == root for e in out):
        out.insert(0, root)
    return out


@contextmanager
def _safe_environment() -> Iterator[None]:
    """Environment for a new interpreter (the forkserver): no current directory on its path,
    this package's root on PYTHONPATH unless it is an ordinary site directory."""
    root = str(package_root())
    saved = {k: os.environ.get(k) for k in ("PYTHONSAFEPATH", "PYTHONPATH")}
    try:
        os.environ["PYTHONSAFEPATH"] = "1"
        extra = [p for p in (os.environ.get("PYTHONPATH") or "").split(os.pathsep) if p]
        extra = [p for p in extra if os.path.isabs(p)]  # a relative entry is the cwd again
        if not root.endswith(("site-packages", "dist-packages")) and root not in extra:
            extra.insert(0, root)
        if extra:
            os.environ["PYTHONPATH"] = os.pathsep.join(extra)
        else:
            os.environ.pop("PYTHONPATH", None)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def sanitize_sys_path() -> None:
    """Run in a worker: later imports (rawpy, pillow_heif...) come from the real packages,
    not from same-named directories in the folder the app was started from."""
    sys.path[:] = worker_sys_path(sys.path)


def start_worker_server(preload: Sequence[str] = WORKER_PRELOAD) -> None:
    """Start the forkserver now (Linux), preloading `preload`, with a safe `sys.path`.
    A no-op where workers are spawned, or when the server already runs."""
    if not sys.platform.startswith("linux"):
        return
    from multiprocessing import forkserver

    with _lock:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
        with _safe_environment():
            forkserver.ensure_running()


def worker_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context scoring workers run in: forkserver on Linux (fork is unsafe
    in a process with threads, such as the window), spawn elsewhere. The server is started
    here if needed, safely (see the module docstring)."""
    if sys.platform.startswith("linux"):
        start_worker_server()
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")
