"""Screen-sized pictures of photos for the loupe and the compare view, decoded ahead of need.

Decoding runs on a TaskRunner's threads and hands back a QImage in its native 32-bit format
(QImage, unlike QPixmap, may be made on any thread); the GUI thread only paints it. A small
cache holds the pictures of the photo on screen and its neighbours, so that moving to the next
one shows it at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from reviewer.core.errors import PhotoError
from reviewer.gui.workers import TaskRunner

DEFAULT_EDGE = 2560
MIN_EDGE = 1024
MAX_EDGE = 4096
DEFAULT_CAPACITY = 6  # the shown photo, two ahead, one behind, and a couple just left


@dataclass(slots=True)
class DisplayImage:
    """A photo decoded to fit the screen, and the size of the file's own pixels."""

    path: Path
    image: QImage | None = None
    original_size: tuple[int, int] = (0, 0)
    error: str | None = None

    @property
    def scene_size(self) -> tuple[int, int]:
        """The file's own size when the picture is that photo scaled down, else the picture's
        (a RAW's preview may differ from the size its header tells)."""
        if self.image is None or self.image.isNull():
            return self.original_size
        w, h = self.image.width(), self.image.height()
        ow, oh = self.original_size
        if ow >= w and oh >= h and w > 0 and h > 0 and abs(ow / oh - w / h) <= 0.01 * (w / h):
            return ow, oh
        return w, h


def load_display_image(path: Path, long_edge: int) -> DisplayImage:
    """Decode `path` with its long side at most `long_edge` (run in a worker thread)."""
    from reviewer.core.decode import load_working_image

    try:
        photo = load_working_image(path, long_edge=long_edge)
    except PhotoError as exc:
        return DisplayImage(path, error=exc.reason)
    except MemoryError:
        return DisplayImage(path, error="not enough memory to decode this photo")
    except Exception as exc:  # a library failure on this file; the view carries on
        return DisplayImage(path, error=f"unexpected {type(exc).__name__}: {exc}")
    arr = np.ascontiguousarray(photo.rgb)
    h, w = arr.shape[:2]
    image = QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGB888)
    return DisplayImage(
        path, image.convertToFormat(QImage.Format.Format_RGB32), photo.original_size
    )


def display_edge(width: int, height: int, ratio: float) -> int:
    """The long edge to decode at for a screen of width x height logical pixels."""
    edge = round(max(width, height) * max(ratio, 1.0))
    return max(MIN_EDGE, min(MAX_EDGE, edge)) if edge > 0 else DEFAULT_EDGE


class DisplayImageLoader(QObject):
    """Decodes the photos asked for, most urgent first, into a small LRU cache."""

    ready = Signal(object)  # DisplayImage (also for a photo that could not be decoded)

    def __init__(
        self,
        long_edge: int = DEFAULT_EDGE,
        capacity: int = DEFAULT_CAPACITY,
        threads: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.long_edge = long_edge
        self.capacity = max(1, capacity)
        self.tasks = TaskRunner(threads=threads, parent=self)
        self.tasks.done.connect(self._on_done)
        self._cache: OrderedDict[Path, DisplayImage] = OrderedDict()
        self._pending: set[Path] = set()
        # read by the workers (an attribute read is atomic): a request whose photo is no
        # longer wanted when a thread gets to it is skipped (fast browsing)
        self._wanted: frozenset[Path] = frozenset()
        self.decoded = 0  # how many decodes finished (for tests)

    def get(self, path: Path) -> DisplayImage | None:
        item = self._cache.get(path)
        if item is not None:
            self._cache.move_to_end(path)
        return item

    def is_pending(self, path: Path) -> bool:
        return path in self._pending

    def want(self, paths: Iterable[Path]) -> None:
        """Decode these photos, in this order, unless cached or under way; forget earlier
        requests not among them."""
        ordered = list(dict.fromkeys(paths))
        self._wanted = frozenset(ordered)
        edge = self.long_edge
        for path in ordered:
            if path in self._cache or path in self._pending:
                continue
            self._pending.add(path)
            self.tasks.submit(("display", path), self._decoder(path, edge))

    def _decoder(self, path: Path, edge: int) -> Callable[[], DisplayImage | None]:
        def decode() -> DisplayImage | None:
            return load_display_image(path, edge) if path in self._wanted else None

        return decode

    def clear(self) -> None:
        self._wanted = frozenset()
        self._cache.clear()

    def shutdown(self) -> None:
        self._wanted = frozenset()
        self.tasks.shutdown()

    def _on_done(self, tag: object, result: object, error: object) -> None:
        assert isinstance(tag, tuple)
        path = tag[1]
        self._pending.discard(path)
        if result is None and error is None:
            return  # skipped: no longer wanted
        item = result if isinstance(result, DisplayImage) else DisplayImage(path, error=str(error))
        self.decoded += 1
        self._cache[path] = item
        self._cache.move_to_end(path)
        while len(self._cache) > self.capacity:
            oldest = next(iter(self._cache))
            if oldest in self._wanted and len(self._wanted) < len(self._cache):
                self._cache.move_to_end(oldest)
                continue
            del self._cache[oldest]
        self.ready.emit(item)
