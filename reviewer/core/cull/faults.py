"""A fault-injection boundary for the move code's filesystem calls (used by tests only).

Every filesystem step of a move, a restore and the journal calls `check(op, path, other)` first
(`other`: a rename's destination). A
test installs a hook with `installed(hook)` that may raise an OSError (a full disk, an I/O
error) or any BaseException (to simulate the process being killed at that exact step).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

Hook = Callable[[str, Path, Path | None], None]
_hook: Hook | None = None


def check(op: str, path: Path, other: Path | None = None) -> None:
    if _hook is not None:
        _hook(op, path, other)


@contextlib.contextmanager
def installed(hook: Hook) -> Iterator[None]:
    global _hook
    previous, _hook = _hook, hook
    try:
        yield
    finally:
        _hook = previous
