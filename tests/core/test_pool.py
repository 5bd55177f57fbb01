"""The worker pool's watchdog: slow work is not a hang, a hang is stopped, a pool that cannot
start says so."""

from __future__ import annotations

import multiprocessing
import time
from collections import deque

import pytest

from reviewer.core.pool import FaultHooks, WorkerPool, default_context


def spin(seconds: float) -> float:
    """Busy on the CPU without reading anything, like a long decode."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds


def cannot_start() -> None:
    raise SystemExit(3)


def run_all(pool: WorkerPool[float], items: list[float]) -> dict[float, tuple[object, str | None]]:
    queue = deque(items)
    out = pool.run(lambda: queue.popleft() if queue else None, lambda: False)
    return {o.item: (o.value, o.error) for o in out}


def test_busy_work_longer_than_the_read_timeout_is_not_a_hang() -> None:
    # the read timeout watches progress, not time: a worker on the CPU for 3 s is fine
    pool: WorkerPool[float] = WorkerPool(
        1, spin, context=default_context(), read_timeout=1.0, hooks=FaultHooks()
    )
    assert run_all(pool, [3.0, 0.1]) == {3.0: (3.0, None), 0.1: (0.1, None)}
    assert pool.replaced == 0


def test_a_file_over_the_total_limit_is_stopped() -> None:
    pool: WorkerPool[float] = WorkerPool(
        1, spin, context=default_context(), file_timeout=5.0, hooks=FaultHooks()
    )
    results = run_all(pool, [600.0, 0.0])
    assert "timed out" in (results[600.0][1] or "")
    assert results[0.0] == (0.0, None)  # on a new worker
    assert pool.replaced == 1
    assert multiprocessing.active_children() == []


def test_workers_that_cannot_start_fail_the_run() -> None:
    pool: WorkerPool[float] = WorkerPool(
        1, spin, initializer=cannot_start, context=default_context(), hooks=FaultHooks()
    )
    with pytest.raises(RuntimeError, match="cannot start"):
        run_all(pool, [0.1])
    assert multiprocessing.active_children() == []
