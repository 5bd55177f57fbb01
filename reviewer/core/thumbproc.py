"""Thumbnails for the window without full decodes in the window's process.

JPEG and RAW thumbnails come from embedded previews or 1/8 DCT decodes, a few MB. A PNG, TIFF,
WebP or HEIF image without an embedded thumbnail can only be shrunk after a full decode: a
250 MP PNG took 2.5 GB inside the window for its thumbnail. `load_thumbnail_isolated` hands
such a photo (a decode of over ISOLATE_ABOVE bytes) to a short-lived process from the worker
server, which decodes it and returns the thumbnail; its memory goes back to the system when it
exits. Everything else is decoded here, as before.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import numpy.typing as npt

from reviewer.core.decode import THUMBNAIL_EDGE, FullDecodeNeeded, load_thumbnail
from reviewer.core.errors import PhotoError

RGB = npt.NDArray[np.uint8]

# A thumbnail needing a decode of more than this is made in another process.
ISOLATE_ABOVE = 24_000_000
# How long such a thumbnail may take before it is given up.
ISOLATED_TIMEOUT_S = 120.0

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _thumbnail_or_reason(path: str, max_edge: int) -> tuple[RGB | None, str]:
    """In the helper process: (pixels, "") or (None, reason). Plain values: PhotoError does
    not survive pickling."""
    try:
        return load_thumbnail(path, max_edge), ""
    except PhotoError as exc:
        return None, exc.reason


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            from reviewer.core.workerproc import worker_context

            # One process per thumbnail: its memory is returned as soon as it is done.
            _pool = ProcessPoolExecutor(1, mp_context=worker_context(), max_tasks_per_child=1)
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def load_thumbnail_isolated(path: str | os.PathLike[str], max_edge: int = THUMBNAIL_EDGE) -> RGB:
    """`load_thumbnail`, with full decodes of big images done in a helper process."""
    try:
        return load_thumbnail(path, max_edge, full_decode_limit=ISOLATE_ABOVE)
    except FullDecodeNeeded:
        pass
    pool = _executor()
    try:
        rgb, reason = pool.submit(_thumbnail_or_reason, os.fspath(path), max_edge).result(
            timeout=ISOLATED_TIMEOUT_S
        )
    except BrokenProcessPool as exc:
        _discard(pool)
        raise PhotoError(Path(path), "the decoder crashed on this file") from exc
    except FutureTimeout as exc:
        _discard(pool)
        raise PhotoError(Path(path), "its thumbnail took too long to decode") from exc
    if rgb is None:
        raise PhotoError(Path(path), reason)
    return rgb


def shutdown() -> None:
    """Stop the helper process (the window calls this when it closes; tests too)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
