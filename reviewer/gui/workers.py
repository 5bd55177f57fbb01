"""Background work for the window: folder scans, scoring runs, detail analyses, file moves.

Workers hand back plain data (numpy arrays, dataclasses, at most a QImage) through queued
signals; nothing here makes a QPixmap or touches a widget.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from reviewer.core.batch import PhotoResult, ScoringJob, default_jobs
from reviewer.core.catalog import CatalogScan, scan_folder
from reviewer.core.errors import PhotoError
from reviewer.core.judging.verdict import Box, Judgement
from reviewer.core.metadata import CaptureInfo
from reviewer.core.scoring.base import Score
from reviewer.gui.photo_model import Listing

# The detail view's 100 % is the file's own pixels; the decoder's pixel limit still applies.
FULL_RESOLUTION_EDGE = 1 << 20


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self.fn = fn

    def run(self) -> None:
        self.fn()


class TaskRunner(QObject):
    """Runs one-off callables on a private pool and delivers their result on the GUI thread."""

    done = Signal(object, object, object)  # tag, result, error message

    def __init__(self, threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._closed = False

    def submit(self, tag: object, fn: Callable[[], object]) -> None:
        def call() -> None:
            try:
                result, error = fn(), None
            except Exception as exc:  # reported on the GUI thread, never lost
                result, error = None, f"{type(exc).__name__}: {exc}"
            if not self._closed:
                self.done.emit(tag, result, error)

        self.pool.start(_Task(call))

    def shutdown(self) -> None:
        self._closed = True
        self.pool.waitForDone()


@dataclass(slots=True)
class ScannedFolder:
    """A folder scan, the model rows for its shots and what the catalog has for them (marks,
    cached scores: CullController.state_reader), all made in the worker."""

    scan: CatalogScan
    listing: Listing
    catalog: object = None  # the reader's result (a CatalogState), None without a reader


def scan_task(
    folder: Path,
    recursive: bool,
    rejects_folder: str,
    read_catalog: Callable[[list[Path]], object] | None = None,
) -> Callable[[], ScannedFolder]:
    def run() -> ScannedFolder:
        scan = scan_folder(folder, recursive=recursive, rejects_folder=rejects_folder)
        listing = Listing.of(scan.shots)
        state = None
        if read_catalog is not None:
            state = read_catalog([rec.path for rec in listing.records])
        return ScannedFolder(scan, listing, state)

    return run


CAPTURE_CHECK_EVERY = 32  # files between a capture-time read's checks (about 3 ms of parsing)


def capture_info_task(
    paths: list[Path], still_wanted: Callable[[], bool]
) -> Callable[[], dict[Path, CaptureInfo] | None]:
    """Read every photo's capture metadata from its headers (about 0.1 ms a file from the page
    cache; pixels are never decoded), so that the grid can sort by capture time before it is
    scored. Gives up (None) once `still_wanted()` is false: on a slow card or a network share a
    big folder takes seconds, which must not hold a task thread, or a closing window, after the
    user has moved on."""

    def run() -> dict[Path, CaptureInfo] | None:
        from reviewer.core.metadata import read_capture_info

        infos = {}
        for i, path in enumerate(paths, 1):
            infos[path] = read_capture_info(path)
            if i % CAPTURE_CHECK_EVERY == 0:
                if not still_wanted():
                    return None
                time.sleep(0)  # header parsing is pure Python: hand the GIL to the window
        return infos

    return run


def prestart_worker_server() -> None:
    """Start the forkserver that scoring workers are forked from, now, before any scan.

    Forking a large process (Qt, numpy) pauses it for tens of milliseconds; doing it once at
    start-up keeps that pause out of a scan. The server preloads the scoring engine, so each
    worker it forks starts ready. A no-op where workers are spawned (macOS, Windows).
    """
    from reviewer.core.workerproc import start_worker_server

    start_worker_server()  # with this package on its path, not the current directory's


class ScoringRun(QObject):
    """A ScoringJob iterated on a background thread.

    Results collect in the run; `resultsPending` tells the GUI thread when the first of a new
    lot arrives and `take_results()` hands over all of them at once, so however fast results
    come, the GUI thread handles them in as few batches as it likes (MainWindow applies them on
    a timer) and never one event per photo.

    `cancel()` never blocks. `wait()` joins the thread (the job then has shut its worker
    processes down).
    """

    # Both carry the run, so receivers need no closure over it: a closure connected to the run's
    # own signal is held by the connection and holds the run, a cycle the collector cannot see
    # through Qt, and every run (with its list of paths) stayed alive for good.
    resultsPending = Signal(object)  # results wait in take_results() (sent when the first arrives)
    finished = Signal(object, int)  # the run; 1 when every photo was scored, 0 when cancelled

    def __init__(
        self,
        paths: Sequence[Path],
        method: str,
        jobs: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = list(paths)
        self.method = method
        self.total = len(self.paths)
        self.done_count = 0
        self.started_at = 0.0
        self.job = ScoringJob(self.paths, method, None, jobs or default_jobs(), background=True)
        self._thread: threading.Thread | None = None
        self._finished_flag = threading.Event()
        self._lock = threading.Lock()
        self._pending: list[PhotoResult] = []

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="reviewer-scoring", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        completed = False
        try:
            for result in self.job.results():
                if self.job.cancelled:
                    break
                with self._lock:
                    self._pending.append(result)
                    first = len(self._pending) == 1
                if first:
                    self.resultsPending.emit(self)
            completed = not self.job.cancelled
        finally:
            self._finished_flag.set()
            self.finished.emit(self, int(completed))

    def take_results(self) -> list[PhotoResult]:
        """The results that arrived since the last call (any thread; the GUI thread in practice)."""
        with self._lock:
            results, self._pending = self._pending, []
        return results

    def cancel(self) -> None:
        self.job.cancel()

    def prioritize(self, paths: Sequence[Path]) -> None:
        self.job.prioritize(paths)

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._finished_flag.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def eta_seconds(self) -> float | None:
        if self.done_count < 2:
            return None
        elapsed = time.monotonic() - self.started_at
        rate = self.done_count / max(elapsed, 1e-6)
        return (self.total - self.done_count) / rate


@dataclass(slots=True)
class Analysis:
    """Everything the detail view shows for one photo."""

    path: Path
    method: str
    rgb: npt.NDArray[np.uint8] | None = None
    score: Score | None = None
    info: CaptureInfo | None = None
    original_size: tuple[int, int] = (0, 0)
    source: str = ""
    error: str | None = None
    judgement: Judgement | None = None  # the verdict, its reason and the region that decided
    af_points: tuple[Box, ...] = ()  # the camera's in-focus AF points (displayed frame)


def analyse(path: Path, method: str) -> Analysis:
    """Decode at the working size and score with the maps (run in a worker thread)."""
    from reviewer.core.decode import load_working_image
    from reviewer.core.scoring import get_scorer

    try:
        photo = load_working_image(path)
        score = get_scorer(method).score(photo, explain=True)
    except PhotoError as exc:
        return Analysis(path, method, error=exc.reason)
    except MemoryError:
        return Analysis(path, method, error="not enough memory to decode this photo")
    except Exception as exc:  # a library failure on this file; the window carries on
        return Analysis(path, method, error=f"unexpected {type(exc).__name__}: {exc}")
    af_points: tuple[Box, ...] = ()
    judgement = None
    try:
        from reviewer.core.judging.af_points import read_af_points
        from reviewer.core.judging.judge import judge_photo

        af_points = read_af_points(path).boxes
        judgement = judge_photo(photo, score, af_boxes=af_points)
    except Exception:  # judging is an explanation on top: the score stands without it
        judgement = None
    return Analysis(
        path,
        method,
        photo.rgb,
        score,
        photo.info,
        photo.original_size,
        photo.source,
        judgement=judgement,
        af_points=af_points,
    )


@dataclass(slots=True)
class FullResolution:
    """The photo at its own size for the detail view's 100 % zoom, ready to paint."""

    path: Path
    image: QImage | None = None
    error: str | None = None


def load_full_resolution(path: Path) -> FullResolution:
    """Decode the photo at its full size (run in a worker thread). The QImage is made here in its
    native 32-bit format, so that the GUI thread paints it as it is: QImage, unlike QPixmap, may
    be made on any thread."""
    from reviewer.core.decode import load_working_image

    try:
        rgb = load_working_image(path, long_edge=FULL_RESOLUTION_EDGE).rgb
    except PhotoError as exc:
        return FullResolution(path, error=exc.reason)
    except MemoryError:
        return FullResolution(path, error="not enough memory for the full-size photo")
    except Exception as exc:  # a library failure on this file; the detail view carries on
        return FullResolution(path, error=f"unexpected {type(exc).__name__}: {exc}")
    arr = np.ascontiguousarray(rgb)
    h, w = arr.shape[:2]
    image = QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGB888)
    return FullResolution(path, image.convertToFormat(QImage.Format.Format_RGB32))


def result_from_analysis(analysis: Analysis) -> PhotoResult:
    w, h = analysis.original_size
    return PhotoResult(
        analysis.path,
        analysis.method,
        analysis.score,
        w,
        h,
        analysis.info,
        analysis.error,
        af_points=analysis.af_points,
        judgement=analysis.judgement,
    )
