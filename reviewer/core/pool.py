"""Worker processes that each work on one file at a time, watched by the parent.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot tell which task a dead worker was
running, cannot stop one task that hangs, and its workers print a traceback on Ctrl-C. Here:

- each worker gets one file at a time over its own pipe (the only channel: a local socket pair
  to our own child, no network), so the parent always knows which file a worker is on;
- a worker that dies (a decoder segfault, the OOM killer) costs exactly that file's row
  ("worker died ...") and is replaced; a worker that dies before it was ready to work
  (cannot start) gets its file back, and after `MAX_START_FAILURES` in a row the run fails;
- a worker whose read makes no progress (neither CPU time nor bytes read move, and it is not
  waiting for a core; from /proc) for `read_timeout` seconds is killed and replaced: that
  file's row says "timed out reading". Without /proc (not Linux) the time on the file counts.
  A file that takes over `file_timeout` seconds in all is stopped too;
- workers ignore SIGINT: Ctrl-C reaches the parent, which stops them, so no worker ever prints
  a traceback;
- test hooks, read from the parent's environment when the pool is made:
  `REVIEWER_TEST_KILL_ON=NAME[,NAME...]` kills the worker (SIGKILL) when it gets a file of
  that name, `REVIEWER_TEST_HANG_ON=NAME[,NAME...]` makes its read of that file block for ever.

Nothing here imports Qt or the scoring engine; the task function is given by the caller.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")  # an item of work (a path)

# A read that makes no progress for this long is stuck (a dead network mount, a damaged card
# in a reader that stopped answering, something that is not a file after all).
READ_TIMEOUT_S = 60.0
# Nothing takes this long on one photo (a 100 MP RAW demosaics in seconds): a decoder looping.
FILE_TIMEOUT_S = 300.0
# How often the parent looks at the cancel flag and at its workers' progress.
POLL_S = 0.1
# How often a busy worker's progress counters are read (/proc on Linux).
SAMPLE_S = 0.5
# Workers that die before they are ready, in a row, before the run gives up.
MAX_START_FAILURES = 3
# How long a stopped worker is waited for before it is left behind (stuck in the kernel).
JOIN_S = 2.0

READ_TIMEOUT_ENV = "REVIEWER_READ_TIMEOUT"
KILL_ON_ENV = "REVIEWER_TEST_KILL_ON"
HANG_ON_ENV = "REVIEWER_TEST_HANG_ON"

_READY = "ready"


@dataclass(frozen=True, slots=True)
class FaultHooks:
    """File names on which a worker is made to die or to hang (tests only). The environment
    variables take one name or several separated by commas."""

    kill_on: frozenset[str] = frozenset()
    hang_on: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls) -> FaultHooks:
        def names(var: str) -> frozenset[str]:
            return frozenset(n for n in os.environ.get(var, "").split(",") if n)

        return cls(names(KILL_ON_ENV), names(HANG_ON_ENV))


def env_read_timeout(default: float = READ_TIMEOUT_S) -> float:
    """READ_TIMEOUT_ENV as a number of seconds, else `default`."""
    try:
        value = float(os.environ.get(READ_TIMEOUT_ENV, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def _hang_for_ever() -> None:
    r, _w = os.pipe()  # nobody ever writes: the read sleeps like one on a dead device
    os.read(r, 1)


def _ref(fn: Callable[..., Any]) -> str | Callable[..., Any]:
    """A module-level function as "module:name", so that a new worker imports it only after it
    has set itself up to ignore Ctrl-C (the scoring engine takes a while to import)."""
    module, name = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if module and module != "__main__" and name and "." not in name and "<" not in name:
        return f"{module}:{name}"
    return fn


def _resolve(ref: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(ref):
        return ref
    module, name = ref.split(":")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn


def _worker_main(
    conn: Connection,
    initializer_ref: str | Callable[[], None] | None,
    fn_ref: str | Callable[..., Any],
    args: tuple[Any, ...],
    hooks: FaultHooks,
) -> None:
    """A worker's life: ignore Ctrl-C, set up, then one item at a time until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer_ref is not None:
        _resolve(initializer_ref)()
    fn = _resolve(fn_ref)
    conn.send(_READY)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if item is None:
            return
        if hooks.kill_on or hooks.hang_on:
            name = os.path.basename(os.fspath(item))
            if name in hooks.kill_on:
                os.kill(os.getpid(), signal.SIGKILL)
            if name in hooks.hang_on:
                _hang_for_ever()
        try:
            reply: tuple[str, Any] = ("ok", fn(item, *args))
        except Exception as exc:  # the task function should not raise; still, a row
            reply = ("error", f"unexpected {type(exc).__name__}: {exc}")
        conn.send(reply)


def _activity(pid: int) -> tuple[bool, int, int] | None:
    """(waiting for a core, CPU ticks, bytes read) of a process from /proc; bytes read is 0
    where /proc/PID/io is not readable; None without /proc (not Linux)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    rchar = 0
    with contextlib.suppress(OSError, ValueError, IndexError, StopIteration):
        with open(f"/proc/{pid}/io", "rb") as f:
            io = f.read()
        rchar = next(int(line.split()[1]) for line in io.splitlines() if line[:6] == b"rchar:")
    try:
        fields = stat[stat.rindex(b")") + 2 :].split()
        state, utime, stime = fields[0], int(fields[11]), int(fields[12])
    except (ValueError, IndexError):
        return None
    return state == b"R", utime + stime, rchar


class _Worker(Generic[T]):
    def __init__(self, proc: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.proc = proc
        self.conn = conn
        self.ready = False
        self.item: T | None = None
        self.since = 0.0  # when the current item was sent
        self.mark: tuple[int, int] | None = None  # last (CPU ticks, bytes read) seen
        self.mark_at = 0.0  # when they last changed (or the worker was waiting for a core)
        self.sampled_at = 0.0

    def assign(self, item: T) -> None:
        self.conn.send(item)
        self.item = item
        self.since = self.mark_at = self.sampled_at = time.monotonic()
        self.mark = None

    def stalled_for(self, now: float) -> float:
        """Seconds since this worker last made progress on its item."""
        if now - self.sampled_at >= SAMPLE_S:
            self.sampled_at = now
            pid = self.proc.pid
            seen = _activity(pid) if pid is not None else None
            if seen is None:  # no counters here: the time on the item counts as stalled
                return now - self.since
            runnable, ticks, read = seen
            if runnable or (ticks, read) != self.mark:
                self.mark, self.mark_at = (ticks, read), now
        return now - self.mark_at


class Outcome(Generic[T]):
    """What came of one item: the task function's return value, or why there is none."""

    __slots__ = ("error", "item", "value")

    def __init__(self, item: T, value: Any = None, error: str | None = None) -> None:
        self.item = item
        self.value = value
        self.error = error


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None or exitcode >= 0:
        return f"exit status {exitcode}"
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return f"signal {-exitcode}"


class WorkerPool(Generic[T]):
    """Runs `fn(item, *args)` for each item on up to `jobs` worker processes."""

    def __init__(
        self,
        jobs: int,
        fn: Callable[..., Any],
        args: tuple[Any, ...] = (),
        *,
        initializer: Callable[[], None] | None = None,
        context: multiprocessing.context.BaseContext | None = None,
        read_timeout: float = READ_TIMEOUT_S,
        file_timeout: float = FILE_TIMEOUT_S,
        hooks: FaultHooks | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.fn = fn
        self.args = args
        self.initializer = initializer
        self.context = context or multiprocessing.get_context()
        self.read_timeout = read_timeout
        self.file_timeout = file_timeout
        self.hooks = hooks if hooks is not None else FaultHooks.from_env()
        self.replaced = 0  # workers that died or were stopped and replaced (for tests/benches)

    def _start(self) -> _Worker[T]:
        parent, child = self.context.Pipe()
        init = _ref(self.initializer) if self.initializer is not None else None
        proc = self.context.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child, init, _ref(self.fn), self.args, self.hooks),
            name="reviewer-worker",
            daemon=True,
        )
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def run(
        self, next_item: Callable[[], T | None], cancelled: Callable[[], bool]
    ) -> Iterator[Outcome[T]]:
        """Yield one Outcome per item that `next_item()` hands out (until it returns None), in
        completion order; stops early, with its workers, when `cancelled()` turns true."""
        workers: list[_Worker[T]] = []
        self._retry: deque[T] = deque()  # items of workers that died before they could start
        self._start_failures = 0

        def take() -> T | None:
            return self._retry.popleft() if self._retry else next_item()

        try:
            while not cancelled():
                for w in list(workers):
                    if w.item is None and (item := take()) is not None:
                        self._give(w, item, workers)
                while len(workers) < self.jobs and (item := take()) is not None:
                    w = self._start()
                    workers.append(w)
                    self._give(w, item, workers)
                busy = [w for w in workers if w.item is not None]
                if not busy:
                    break
                waitables = [w.conn for w in workers] + [w.proc.sentinel for w in busy]
                ready = set(wait(waitables, POLL_S))
                now = time.monotonic()
                for w in list(workers):
                    if w.conn in ready or w.proc.sentinel in ready:
                        yield from self._receive(w)
                    reason = self._trouble(w, ready, now)
                    if reason is None:
                        continue
                    workers.remove(w)
                    self.replaced += 1
                    self._stop(w, kill=True)
                    if w.item is not None:
                        yield Outcome(w.item, error=reason)
                        w.item = None
        finally:
            self._shutdown(workers)

    def _give(self, w: _Worker[T], item: T, workers: list[_Worker[T]]) -> None:
        """Send `item` to `w`; if `w` is gone already, it is dropped and the item kept."""
        try:
            w.assign(item)
        except OSError:  # it died while idle: not this item's fault
            w.item = None
            self._retry.appendleft(item)
            workers.remove(w)
            self.replaced += 1
            self._stop(w, kill=True)
            if not w.ready:
                self._start_failures += 1
                if self._start_failures > MAX_START_FAILURES:
                    raise RuntimeError("the scoring worker processes cannot start") from None

    def _receive(self, w: _Worker[T]) -> Iterator[Outcome[T]]:
        """The messages waiting from a worker: its ready signal, its item's result."""
        try:
            while w.conn.poll():
                msg = w.conn.recv()
                if msg == _READY:
                    w.ready, self._start_failures = True, 0
                    w.since = w.mark_at = time.monotonic()  # its start-up is not the file's time
                    continue
                item, w.item = w.item, None
                if item is not None:
                    status, value = msg
                    if status == "ok":
                        yield Outcome(item, value)
                    else:
                        yield Outcome(item, error=str(value))
        except (EOFError, OSError):  # it died: the sentinel says so
            pass

    def _trouble(self, w: _Worker[T], ready: set[Any], now: float) -> str | None:
        """Why this worker must go (and its item get that error row), or None."""
        if w.proc.sentinel in ready or not w.proc.is_alive():
            w.proc.join(JOIN_S)
            how = _signal_name(w.proc.exitcode)
            if not w.ready:  # died while starting: not its item's fault
                self._start_failures += 1
                if self._start_failures > MAX_START_FAILURES:
                    raise RuntimeError(f"the scoring worker processes cannot start ({how})")
                if w.item is not None:
                    self._retry.append(w.item)
                    w.item = None
            return f"worker died on this file ({how}): the decoder crashed or ran out of memory"
        if w.item is None:
            return None
        if w.stalled_for(now) > self.read_timeout:
            return f"timed out reading (no progress for {self.read_timeout:g} s)"
        if now - w.since > self.file_timeout:
            return f"timed out (over {self.file_timeout:g} s on this file)"
        return None

    def _stop(self, w: _Worker[T], kill: bool) -> None:
        if kill and w.proc.is_alive():
            with contextlib.suppress(OSError):
                w.proc.kill()
        w.proc.join(JOIN_S)
        if w.proc.is_alive():  # stuck in the kernel (a dead device): leave it behind
            with contextlib.suppress(AttributeError, KeyError):
                multiprocessing.process._children.discard(w.proc)  # type: ignore[attr-defined]
        w.conn.close()

    def _shutdown(self, workers: list[_Worker[T]]) -> None:
        """Idle workers are told to stop, busy ones (a cancel, Ctrl-C) are killed."""
        for w in workers:
            if w.item is None:
                with contextlib.suppress(OSError):  # already gone: joined below
                    w.conn.send(None)
            elif w.proc.is_alive():
                with contextlib.suppress(OSError):
                    w.proc.kill()
        deadline = time.monotonic() + JOIN_S
        for w in workers:
            w.proc.join(max(0.0, deadline - time.monotonic()))
            if w.proc.is_alive():
                self._stop(w, kill=True)
            else:
                w.conn.close()


def default_context() -> multiprocessing.context.BaseContext:
    """fork is unsafe in a process with threads (the window); forkserver forks from a clean
    server (elsewhere: spawn), started so that it imports this copy of reviewer whatever the
    current directory holds."""
    from reviewer.core.workerproc import worker_context

    return worker_context()
