"""Score many photos on every core, in worker processes.

Each worker scores one photo at a time (reviewer.core.pool): a decoder that crashes (segfault in
a native library) kills only its worker, which is replaced, and only that photo gets an error
row; a read that hangs is stopped the same way. `ScoringJob` can be cancelled and
re-prioritised from any thread.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from reviewer.core.errors import PhotoError
from reviewer.core.formats import stat_photo_file
from reviewer.core.image import DecodedPhoto
from reviewer.core.judging.verdict import Box, Judgement, Verdict
from reviewer.core.metadata import CaptureInfo
from reviewer.core.pool import FILE_TIMEOUT_S, WorkerPool, default_context, env_read_timeout
from reviewer.core.scoring import DEFAULT_METHOD, get_scorer
from reviewer.core.scoring.base import Score


@dataclass(slots=True)
class PhotoResult:
    """One photo's row: a score, or an error saying why there is none."""

    path: Path
    method: str
    score: Score | None = None
    width: int = 0  # full-resolution size, oriented
    height: int = 0
    info: CaptureInfo | None = None
    error: str | None = None
    # Appearance signature for finding bursts (judging.groups.signature); None on errors.
    signature: npt.NDArray[np.float32] | None = None
    af_points: tuple[Box, ...] = ()  # in-focus AF boxes, fractions of the displayed frame
    judgement: Judgement | None = None  # the verdict with its reason (judging/judge.py)
    # What the decoders printed for this photo that was not damage (libpng, libtiff warnings).
    notes: str = ""

    @property
    def verdict(self) -> Verdict:
        if self.score is None:
            return "error"
        return self.judgement.verdict if self.judgement is not None else self.score.verdict

    @property
    def reason(self) -> str:
        if self.score is None:
            return self.error or ""
        return self.judgement.reason if self.judgement is not None else ""


def score_file(
    path: str | Path,
    method: str = DEFAULT_METHOD,
    threshold: float | None = None,
    explain: bool = False,
) -> PhotoResult:
    """Decode and score one photo. Never raises for a bad photo: the error goes in the result."""
    from reviewer.core.decode import load_working_image  # heavy imports stay in workers
    from reviewer.core.judging.af_points import read_af_points
    from reviewer.core.judging.groups import signature

    path = Path(path)
    scorer = get_scorer(method)
    try:
        stat_photo_file(path)  # a FIFO or a device is refused before anything opens it
        photo = load_working_image(path)
        score = scorer.score(photo, explain=explain)
    except PhotoError as exc:
        return PhotoResult(path, method, error=exc.reason)
    except MemoryError:
        return PhotoResult(path, method, error="not enough memory to decode this photo")
    except Exception as exc:  # a bug or a library failure on this one file; the rest go on
        return PhotoResult(path, method, error=f"unexpected {type(exc).__name__}: {exc}")
    if threshold is not None:
        score = score.at_threshold(threshold)
    w, h = photo.original_size
    sig = signature(photo.rgb) if photo.rgb.ndim == 3 and min(photo.rgb.shape[:2]) >= 2 else None
    af_points = read_af_points(path).boxes
    return PhotoResult(
        path,
        method,
        score,
        w,
        h,
        photo.info,
        signature=sig,
        af_points=af_points,
        judgement=_judge(photo, score, af_points),
        notes=photo.notes,
    )


def _judge(photo: DecodedPhoto, score: Score, af_boxes: Sequence[Box] = ()) -> Judgement:
    """The verdict and its reason; a failure here leaves the score standing, unsure."""
    from reviewer.core.judging.judge import judge_photo

    try:
        return judge_photo(photo, score, af_boxes=af_boxes)
    except Exception as exc:  # a bug in judging must not lose the score
        return Judgement("unsure", f"could not judge ({type(exc).__name__})")


# How often a waiting `results()` looks at the cancel flag (reviewer.core.pool.POLL_S).
CANCEL_POLL_S = 0.1


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# Workers run below normal priority: scoring is background work, and on a machine with few
# cores the window (and whatever else the user runs) must win the CPU when it needs it.
WORKER_NICENESS = 5


# glibc mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
# Every array of one photo (a 1500 x 1000 float32 plane is 6 MB) stays under this, the most
# glibc allows on 64-bit systems.
_WORKER_MMAP_THRESHOLD = 32 * 1024 * 1024
_WORKER_TRIM_THRESHOLD = 256 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Let this process reuse the memory of the previous photo instead of returning it to the
    OS. glibc serves blocks over 128 KB (every image plane) with fresh mmaps and unmaps them on
    free, so each photo page-faults its planes in anew: that doubled the time of scoring
    (bench/speed.py). With large blocks kept in the heap, a worker's memory stays at its peak for
    one photo. Returns whether it applied (glibc only)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not sys.platform.startswith("linux") or name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return all(
        mallopt(param, value) == 1
        for param, value in (
            (_M_MMAP_THRESHOLD, _WORKER_MMAP_THRESHOLD),
            (_M_TRIM_THRESHOLD, _WORKER_TRIM_THRESHOLD),
            (_M_TOP_PAD, 16 * 1024 * 1024),
        )
    )


def init_worker() -> None:
    """Run once in each worker process: one OpenCV thread, since the pool already fills every
    core (OpenCV's own threads would oversubscribe them), at a lower priority, reusing freed
    memory (keep_freed_memory)."""
    import cv2

    from reviewer.core.workerproc import sanitize_sys_path

    sanitize_sys_path()
    cv2.setNumThreads(1)
    with contextlib.suppress(AttributeError, OSError):  # os.nice: POSIX only
        os.nice(WORKER_NICENESS)
    keep_freed_memory()


def init_background_worker() -> None:
    """`init_worker`, then the idle scheduling class (Linux): a worker gives its core up the
    moment a normal thread of the machine wakes, a window's GUI thread first of all.

    Nice alone is not enough for that: a woken GUI thread still queued behind a scoring worker
    for the rest of its time slice, 20-30 ms at a time on a 2-core machine, long enough for a
    grid to stutter. An idle worker still gets every core nobody else wants, so a scan takes no
    longer; interactive work only ever comes first.
    """
    init_worker()
    with contextlib.suppress(AttributeError, OSError):  # SCHED_IDLE: Linux only
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _mp_context() -> multiprocessing.context.BaseContext:
    return default_context()


def as_paths(items: Iterable[str | Path]) -> list[Path]:
    """Paths as they are: Path(a_path) parses its string again, 20 ms per 10,000 on the GUI
    thread when a window starts a run."""
    return [p if isinstance(p, Path) else Path(p) for p in items]


class ScoringJob:
    """Scores `paths` in a process pool; iterate `results()` to get rows as they finish.

    `cancel()` and `prioritize()` may be called from another thread while `results()` runs.
    """

    def __init__(
        self,
        paths: Iterable[str | Path],
        method: str = DEFAULT_METHOD,
        threshold: float | None = None,
        jobs: int | None = None,
        explain: bool = False,
        background: bool = False,
        read_timeout: float | None = None,
        file_timeout: float = FILE_TIMEOUT_S,
    ) -> None:
        """background: the workers yield to every other thread (init_background_worker), as
        a window needs; the command line keeps plain below-normal priority.
        read_timeout: seconds a read may make no progress before its worker is stopped and the
        photo gets a "timed out reading" row (default: $REVIEWER_READ_TIMEOUT, else 60)."""
        get_scorer(method)  # fail early on an unknown method
        self.initializer = init_background_worker if background else init_worker
        self.method = method
        self.threshold = threshold
        self.jobs = max(1, jobs or default_jobs())
        self.explain = explain
        self.read_timeout = read_timeout if read_timeout is not None else env_read_timeout()
        self.file_timeout = file_timeout
        self._queue: deque[Path] = deque(as_paths(paths))
        self._lock = threading.Lock()
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Stop: queued photos are dropped; `results()` ends within CANCEL_POLL_S, with its
        worker processes shut down (the ones busy on a photo are killed: they only read).

        The pool itself is only ever shut down by the thread that iterates `results()`: a
        shutdown(wait=False) from here would detach the pool's manager thread, and the later
        shutdown(wait=True) could then return while worker processes are still alive.
        """
        self._cancelled.set()
        with self._lock:
            self._queue.clear()

    def prioritize(self, paths: Iterable[str | Path]) -> None:
        """Move these queued photos to the front (e.g. the ones on screen)."""
        wanted = as_paths(paths)
        with self._lock:
            present = set(self._queue)
            front = [p for p in wanted if p in present]
            if not front:
                return
            front_set = set(front)
            rest = [p for p in self._queue if p not in front_set]
            self._queue = deque(front + rest)

    def _next(self) -> Path | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def results(self) -> Generator[PhotoResult, None, None]:
        """Yield one result per photo, in completion order, until done or cancelled.

        Each worker scores one photo at a time (reviewer.core.pool): a worker that dies or
        whose read hangs costs only that photo's row, and is replaced."""
        pool: WorkerPool[Path] = WorkerPool(
            self.jobs,
            score_file,
            (self.method, self.threshold, self.explain),
            initializer=self.initializer,
            context=_mp_context(),
            read_timeout=self.read_timeout,
            file_timeout=self.file_timeout,
        )
        for outcome in pool.run(self._next, lambda: self.cancelled):
            if isinstance(outcome.value, PhotoResult):
                yield outcome.value
            else:
                yield PhotoResult(outcome.item, self.method, error=outcome.error or "no result")


def score_files(
    paths: Iterable[str | Path],
    method: str = DEFAULT_METHOD,
    threshold: float | None = None,
    jobs: int | None = None,
) -> Iterator[PhotoResult]:
    """Score photos on `jobs` worker processes; yields results in completion order."""
    job = ScoringJob(paths, method, threshold, jobs)
    try:
        yield from job.results()
    finally:
        job.cancel()
