"""Thumbnails: decoded in a thread pool, only for cells being painted, held in a bounded cache.

Each photo gets two passes: a quick preview (embedded EXIF/RAW preview when the file has one,
small) so the grid fills at once, then a sharper thumbnail. Workers return numpy arrays; the
QImage is made on the GUI thread when the array arrives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QImage

# Imported with the window, not on the first decode: importing the decoders (Pillow and its
# plugins) holds the GIL for ~20 ms, which in a worker thread stalled the first paint of the grid.
from reviewer.core.errors import PhotoError
from reviewer.core.thumbproc import load_thumbnail_isolated

PREVIEW_EDGE = 160  # first pass: fast, from embedded previews where possible
FULL_EDGE = 320  # second pass: what the largest cells show
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
PREVIEW, FULL = 0, 1

ThumbnailFn = Callable[[Path, int], npt.NDArray[np.uint8]]


def qimage_from_rgb(rgb: npt.NDArray[np.uint8]) -> QImage:
    """A QImage owning a copy of an H x W x 3 (or H x W) uint8 array. GUI thread only."""
    arr = np.ascontiguousarray(rgb)
    if arr.ndim == 2:
        h, w = arr.shape
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Grayscale8).copy()
    h, w = arr.shape[:2]
    if arr.shape[2] == 4:
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGBA8888).copy()
    return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGB888).copy()


class ThumbnailCache:
    """LRU of QImages bounded by bytes; lives on the GUI thread."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Path, tuple[QImage, int]] = OrderedDict()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, path: object) -> bool:
        return path in self._items

    def get(self, path: Path) -> tuple[QImage, int] | None:
        item = self._items.get(path)
        if item is not None:
            self._items.move_to_end(path)
        return item

    def level(self, path: Path) -> int:
        item = self._items.get(path)
        return -1 if item is None else item[1]

    def put(self, path: Path, image: QImage, level: int) -> None:
        old = self._items.pop(path, None)
        if old is not None:
            self.nbytes -= old[0].sizeInBytes()
            if old[1] > level:  # never downgrade
                image, level = old
        self._items[path] = (image, level)
        self.nbytes += image.sizeInBytes()
        while self.nbytes > self.max_bytes and len(self._items) > 1:
            _, (evicted, _) = self._items.popitem(last=False)
            self.nbytes -= evicted.sizeInBytes()

    def discard(self, path: Path) -> None:
        old = self._items.pop(path, None)
        if old is not None:
            self.nbytes -= old[0].sizeInBytes()

    def clear(self) -> None:
        self._items.clear()
        self.nbytes = 0


class _Worker(QRunnable):
    def __init__(self, loader: ThumbnailLoader) -> None:
        super().__init__()
        self.loader = loader

    def run(self) -> None:
        self.loader._work()


class ThumbnailLoader(QObject):
    """Decodes requested thumbnails newest-request-first on a small thread pool."""

    thumbnailReady = Signal(object)  # Path (its cache entry changed, or it failed)
    idle = Signal()  # nothing queued or in flight
    _loaded = Signal(int, object, int, object, object)  # generation, path, level, rgb, error

    def __init__(
        self,
        cache: ThumbnailCache,
        threads: int = 2,
        thumbnail_fn: ThumbnailFn = load_thumbnail_isolated,  # big full decodes elsewhere
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.thumbnail_fn = thumbnail_fn
        self.failed: dict[Path, str] = {}
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, threads))
        self._threads = max(1, threads)
        self._lock = threading.Lock()
        self._queues: tuple[OrderedDict[Path, None], OrderedDict[Path, None]] = (
            OrderedDict(),
            OrderedDict(),
        )
        self._inflight: set[tuple[Path, int]] = set()
        self._active = 0
        self._generation = 0
        self._stopped = False
        self.decoded = 0  # how many decodes finished (for tests and benchmarks)
        self._loaded.connect(self._on_loaded)
        # Requests come in while the grid paints; the decoders start once the paint is over
        # rather than competing with it for the CPU and the GIL from its first cell on.
        self._start_timer = QTimer(self, singleShot=True, interval=0)
        self._start_timer.timeout.connect(self._start_workers)

    # GUI thread API -----------------------------------------------------------------------
    def request(self, path: Path) -> None:
        """Ask for the best thumbnail of `path` not yet cached (called while painting)."""
        if self._stopped or path in self.failed:
            return
        level = PREVIEW if self.cache.level(path) < PREVIEW else FULL
        if self.cache.level(path) >= FULL:
            return
        with self._lock:
            if (path, level) in self._inflight:
                return
            queue = self._queues[level]
            if path in queue:
                queue.move_to_end(path)
            else:
                queue[path] = None
            idle_threads = self._active < self._threads
        if idle_threads and not self._start_timer.isActive():
            self._start_timer.start()

    def _start_workers(self) -> None:
        with self._lock:
            queued = len(self._queues[0]) + len(self._queues[1])
            n = 0 if self._stopped else min(self._threads - self._active, queued)
            self._active += n
        for _ in range(n):
            self._pool.start(_Worker(self))

    def set_visible(self, paths: Iterable[Path]) -> None:
        """Forget queued requests for cells no longer on screen."""
        keep = set(paths)
        with self._lock:
            for queue in self._queues:
                for p in [p for p in queue if p not in keep]:
                    del queue[p]

    def pending(self) -> int:
        with self._lock:
            return len(self._queues[0]) + len(self._queues[1]) + len(self._inflight)

    def is_idle(self) -> bool:
        return self.pending() == 0

    def reset(self) -> None:
        """A new folder: drop queued work and forget failures (decodes in flight are ignored)."""
        with self._lock:
            self._generation += 1
            for q in self._queues:
                q.clear()
            self._inflight.clear()
        self.failed.clear()
        self.cache.clear()

    def shutdown(self) -> None:
        """Stop and wait for the decodes in flight (at most one per thread)."""
        self._start_timer.stop()
        with self._lock:
            self._stopped = True
            self._generation += 1
            for q in self._queues:
                q.clear()
        self._pool.waitForDone()

    # worker side --------------------------------------------------------------------------
    def _take(self) -> tuple[int, Path, int] | None:
        with self._lock:
            for level in (PREVIEW, FULL):
                queue = self._queues[level]
                if queue:
                    path, _ = queue.popitem(last=True)  # newest request first
                    self._inflight.add((path, level))
                    return self._generation, path, level
            self._active -= 1
            return None

    def _work(self) -> None:
        while (item := self._take()) is not None:
            generation, path, level = item
            edge = PREVIEW_EDGE if level == PREVIEW else FULL_EDGE
            rgb: npt.NDArray[np.uint8] | None = None
            error: str | None = None
            try:
                rgb = self.thumbnail_fn(path, edge)
            except PhotoError as exc:
                error = exc.reason
            except MemoryError:
                error = "not enough memory"
            except Exception as exc:  # one bad file must not stop the others
                error = f"{type(exc).__name__}: {exc}"
            if self._stopped:
                with self._lock:
                    self._inflight.discard((path, level))
                continue
            self._loaded.emit(generation, path, level, rgb, error)

    @Slot(int, object, int, object, object)
    def _on_loaded(
        self,
        generation: int,
        path: Path,
        level: int,
        rgb: npt.NDArray[np.uint8] | None,
        error: str | None,
    ) -> None:
        with self._lock:
            current = generation == self._generation
            if current:
                self._inflight.discard((path, level))
        if current and not self._stopped:
            self.decoded += 1
            if rgb is not None and rgb.size:
                self.cache.put(path, qimage_from_rgb(rgb), level)
            else:
                self.failed[path] = error or "no image"
            self.thumbnailReady.emit(path)
        if self.is_idle():
            self.idle.emit()
