"""Decode photos into RGB pixels for scoring and for thumbnails.

Speed, measured on a 6000x4000 q95 JPEG of 7.4 MB (best of 7 runs; the 2-core machine was
shared, so ratios varied from run to run within the ranges given). Reproduce with
`REVIEWER_BENCH=1 python -m pytest tests/core/test_decode.py -k bench -s`:

* Working image (long edge 2048): OpenCV `imdecode(IMREAD_REDUCED_COLOR_2)` + INTER_AREA is
  ~1.2x faster than Pillow `draft()` at the same 1/2 DCT scale (1.15-1.5x across runs; decode
  alone 1.3x), 1.7-1.9x faster than an OpenCV full decode + resize and ~3x faster than a Pillow
  full decode. Reading the file and its EXIF adds under 10 %.
  OpenCV and Pillow give identical pixels (same libjpeg-turbo scaling), so OpenCV is used and
  Pillow is only the fallback for files OpenCV refuses.
* Thumbnail: the EXIF-embedded 160 px JPEG is 450-650x faster than a 1/8 DCT decode of the main
  image (which must still entropy-decode the whole file), and only the file's header is read.

Everything that goes wrong with a photo is raised as PhotoError(path, reason); no other exception
escapes `load_working_image`, `load_thumbnail` or `read_image_size`.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import stat
import struct
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from reviewer.core.chatter import can_capture, captured_stderr, means_damage, summary, tidy
from reviewer.core.errors import PhotoError
from reviewer.core.formats import (
    AVIF_BRANDS,
    CR3_META_UUID,
    CR3_PREVIEW_UUID,
    HEAD_SIZE,
    ByteSource,
    JpegHeader,
    PhotoFormat,
    TiffReader,
    describe_unknown,
    detect_format_bytes,
    find_box,
    ftyp_brands,
    iter_boxes,
    jpeg_is_complete,
    os_error_reason,
    parse_bmp_header,
    parse_jpeg_header,
    parse_png_header,
    parse_webp_header,
    png_data_extent,
    special_file_kind,
    tag_int,
    tiff_declared_pixels,
    tiff_image_size,
)
from reviewer.core.image import WORKING_EDGE_RANGE, WORKING_LONG_EDGE, DecodedPhoto
from reviewer.core.metadata import (
    CaptureInfo,
    ExifData,
    exif_from_source,
    heif_exif_block,
    parse_exif,
    read_tiff_exif,
)

if TYPE_CHECKING:
    import rawpy

RGB = npt.NDArray[np.uint8]

# Decompression-bomb limit: files whose header claims more pixels are refused before decoding.
MAX_PIXELS = 250_000_000
# Pillow's own check (a warning above the limit, an error above twice that) is set to the same
# figure; we check sizes ourselves first, so it only matters as a second line of defence.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

THUMBNAIL_EDGE = 320

# Memory. A scoring worker stays under 1 GB on any input: the interpreter and the decoders take
# 100-200 MB, a photo's decode at most MAX_DECODE_BYTES more (the file's bytes in memory, the
# decoder's full-size buffers, the pixels). A photo that would need more is refused from its
# header with the figure, before anything is decoded. The window decodes thumbnails itself, in
# threads: there the limit is THUMBNAIL_DECODE_BYTES (JPEG and RAW thumbnails come from
# embedded previews or 1/8 DCT decodes and stay far below it).
MAX_DECODE_BYTES = 700_000_000
THUMBNAIL_DECODE_BYTES = 200_000_000
# Files read into memory whole (every format but RAW) are refused above this size: no photo
# format we read needs more for a photo under the pixel limit, and a 6 GB file named .jpg must
# not be read at all. LibRaw streams RAW files itself; they are refused above MAX_RAW_FILE_BYTES.
MAX_FILE_BYTES = 512_000_000
MAX_RAW_FILE_BYTES = 4_000_000_000
# A RAW file with less than this many bytes per declared pixel (1/4 bit) holds only headers:
# lossless and lossy RAW codecs all need several bits per pixel.
MIN_RAW_BYTES_PER_PIXEL = 1 / 32
NO_IMAGE_DATA = "the file holds no image data"

# The decode budget of the current thread (thumbnails get the smaller one).
_budget: ContextVar[int] = ContextVar("decode_budget", default=MAX_DECODE_BYTES)
# Thumbnail decodes that need more than BIG_THUMBNAIL_BYTES (a full decode of a large PNG or
# TIFF without an embedded preview) run one at a time, whatever the number of thumbnail
# threads: the window then holds at most one such image, not one per thread.
BIG_THUMBNAIL_BYTES = 50_000_000
_big_thumbnail = threading.Lock()
_holds_big: ContextVar[bool] = ContextVar("holds_big_thumbnail", default=False)
# load_thumbnail(full_decode_limit=...): decodes that need more are not done in this process.
_full_decode_limit: ContextVar[int | None] = ContextVar("full_decode_limit", default=None)


class FullDecodeNeeded(PhotoError):
    """Raised by `load_thumbnail(..., full_decode_limit=n)` instead of a decode needing more
    than n bytes (a full decode of a big PNG, TIFF, WebP, HEIF...): the caller decodes it in
    another process (reviewer.core.thumbproc) so that its own memory stays small."""


_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF", "webp": "WEBP", "bmp": "BMP",
                "avif": "AVIF"}  # fmt: skip
_REDUCED_FLAGS = {1: 0, 2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
                  8: cv2.IMREAD_REDUCED_GRAYSCALE_8}  # fmt: skip
# RGB output, scale bits from _REDUCED_FLAGS; orientation is applied by us, exactly once.
_CV_FLAGS = cv2.IMREAD_COLOR_RGB | cv2.IMREAD_IGNORE_ORIENTATION

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# Public API


def load_working_image(
    path: str | os.PathLike[str], long_edge: int = WORKING_LONG_EDGE
) -> DecodedPhoto:
    """The photo's pixels for scoring: RGB uint8, EXIF orientation applied, long edge
    min(long_edge, the photo's own long edge) (never upsampled). Raises PhotoError."""
    if long_edge < 1:
        raise ValueError(f"long_edge must be >= 1, not {long_edge}")
    p = Path(path)
    token = _budget.set(MAX_DECODE_BYTES)
    try:
        error: PhotoError | None
        with captured_stderr() as lines:
            try:
                photo = _guarded(p, lambda: _load_working(p, long_edge))
            except PhotoError as exc:
                error = exc
            else:
                error = None
    finally:
        _budget.reset(token)
    said = tidy(lines, p)
    if error is not None:
        if said and summary(said) not in error.reason:
            raise PhotoError(p, f"{error.reason} (decoder: {summary(said)})") from error
        raise error
    if means_damage(said):  # pixels came back, but the decoder met damaged data on the way
        raise PhotoError(p, f"damaged file: {summary(said)}")
    if said:
        photo.notes = summary(said)
    return photo


def load_thumbnail(
    path: str | os.PathLike[str], max_edge: int = THUMBNAIL_EDGE,
    full_decode_limit: int | None = None,
) -> RGB:  # fmt: skip
    """A small RGB uint8 picture of the photo, long edge <= max_edge (never upsampled), EXIF
    orientation applied. Fast: uses the embedded EXIF thumbnail or RAW preview when it is at
    least max_edge/2 on its long edge, else a reduced decode. Raises PhotoError, and
    FullDecodeNeeded rather than start a decode needing over `full_decode_limit` bytes."""
    if max_edge < 1:
        raise ValueError(f"max_edge must be >= 1, not {max_edge}")
    p = Path(path)
    token = _budget.set(THUMBNAIL_DECODE_BYTES)
    held = _holds_big.set(False)
    limited = _full_decode_limit.set(full_decode_limit)
    try:
        return _quiet(p, lambda: _load_thumbnail(p, max_edge))
    finally:
        if _holds_big.get():
            _big_thumbnail.release()
        _full_decode_limit.reset(limited)
        _holds_big.reset(held)
        _budget.reset(token)


def read_image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """Full-resolution (width, height) after orientation, from the headers only."""
    p = Path(path)
    return _quiet(p, lambda: _read_size(p))


# --------------------------------------------------------------------------------------------
# Error handling


def _guarded(path: Path, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except PhotoError:
        raise
    except MemoryError as exc:
        raise PhotoError(path, "not enough memory to decode this photo") from exc
    except OSError as exc:
        raise PhotoError(path, os_error_reason(exc)) from exc
    except Exception as exc:  # a decoder failing in a way we did not foresee
        raise PhotoError(path, f"cannot decode ({type(exc).__name__}: {exc})") from exc


def _quiet(path: Path, fn: Callable[[], T]) -> T:
    """`_guarded`, with what the decoders print kept off stderr (where it can be captured) and
    added to the reason of an error."""
    with captured_stderr() as lines:
        try:
            return _guarded(path, fn)
        except FullDecodeNeeded:
            raise
        except PhotoError as exc:
            error = exc
    said = tidy(lines, path)
    if said and summary(said) not in error.reason:
        raise PhotoError(path, f"{error.reason} (decoder: {summary(said)})") from error
    raise error


def _check_pixels(path: Path, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise PhotoError(path, f"invalid image size {width} x {height}")
    if width * height > MAX_PIXELS:
        mp = width * height / 1e6
        raise PhotoError(
            path,
            f"image is {width} x {height} = {mp:.0f} MP, over the {MAX_PIXELS // 1_000_000} MP "
            "limit",
        )


def _megabytes(n: float) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.1f} GB"
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB"


def _check_memory(
    path: Path, width: int, height: int, need: float, what: str = "", full: bool = True
) -> None:
    """PhotoError if decoding needs more than this thread's budget (bytes). `full`: a decode
    of the whole image at full size (not a DCT-reduced JPEG), which a caller of load_thumbnail
    may want done elsewhere (FullDecodeNeeded)."""
    limit = _budget.get()
    isolate = _full_decode_limit.get()
    if full and isolate is not None and need > isolate and limit < MAX_DECODE_BYTES:
        raise FullDecodeNeeded(path, f"a full decode of {_megabytes(need)}")
    if need <= limit:
        if limit < MAX_DECODE_BYTES and need > BIG_THUMBNAIL_BYTES and not _holds_big.get():
            _big_thumbnail.acquire()  # released by load_thumbnail
            _holds_big.set(True)
        return
    mp = width * height / 1e6
    where = "for a thumbnail" if limit < MAX_DECODE_BYTES else "for one photo"
    raise PhotoError(
        path,
        f"image is {mp:.0f} MP ({width} x {height}{what}): decoding it would take about "
        f"{_megabytes(need)} of memory, over the {_megabytes(limit)} limit {where}",
    )


def _check_file_size(path: Path, size: int, fmt: PhotoFormat) -> None:
    limit = MAX_RAW_FILE_BYTES if fmt == "raw" else MAX_FILE_BYTES
    if size > limit:
        kind = "RAW files" if fmt == "raw" else "photos other than RAW files"
        raise PhotoError(
            path, f"file is {_megabytes(size)}: too big to be a photo ({kind} are read up to "
            f"{_megabytes(limit)})"
        )  # fmt: skip


@contextmanager
def _opened(path: Path) -> Iterator[tuple[ByteSource, bytes, PhotoFormat]]:
    """Open a photo for reading: (source on the open file, first bytes, detected format).
    Special files are refused from `stat`, before any open (opening a FIFO blocks forever)."""
    try:
        mode = os.stat(path).st_mode
        special = None if stat.S_ISDIR(mode) else special_file_kind(mode)
        if special is not None:  # a directory fails at open, with its own reason
            raise PhotoError(path, f"not a photo file: {special}")
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise PhotoError(path, os_error_reason(exc)) from exc
    try:
        src = ByteSource(file=f)
        head = src.read(0, HEAD_SIZE)
        if not head:
            raise PhotoError(path, "file is empty (0 bytes)")
        fmt = detect_format_bytes(head, path)
        if fmt == "unknown":
            raise PhotoError(path, describe_unknown(head))
        _check_file_size(path, src.size, fmt)
        yield src, head, fmt
    finally:
        f.close()


def _read_rest(src: ByteSource, head: bytes) -> bytes:
    if len(head) >= src.size:
        return head
    return head + src.read(len(head), src.size - len(head))


def _safe_exif(fn: Callable[[], ExifData | None]) -> ExifData:
    try:
        return fn() or ExifData()
    except (ValueError, struct.error, IndexError):
        return ExifData()


# --------------------------------------------------------------------------------------------
# Geometry


def _target_size(width: int, height: int, long_edge: int) -> tuple[int, int]:
    """(w, h) with the long side min(long_edge, own long side), aspect kept."""
    longest = max(width, height)
    if longest <= long_edge:
        return width, height
    r = long_edge / longest
    if width >= height:
        return long_edge, max(1, round(height * r))
    return max(1, round(width * r)), long_edge


def _dct_scale(width: int, height: int, target_long: int) -> int:
    """The smallest libjpeg scale 1/s whose long side is still >= target_long."""
    longest = max(width, height)
    for s in (8, 4, 2):
        if -(-longest // s) >= target_long:
            return s
    return 1


def _resize(rgb: RGB, size: tuple[int, int]) -> RGB:
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    interp = cv2.INTER_AREA if size[0] <= rgb.shape[1] else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(rgb, size, interpolation=interp), dtype=np.uint8)


def _fit(rgb: RGB, long_edge: int) -> RGB:
    return _resize(rgb, _target_size(rgb.shape[1], rgb.shape[0], long_edge))


def _oriented_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _orient(rgb: RGB, orientation: int) -> RGB:
    """Apply an EXIF orientation (1..8) so the picture displays upright."""
    if orientation == 2:
        out = cv2.flip(rgb, 1)
    elif orientation == 3:
        out = cv2.rotate(rgb, cv2.ROTATE_180)
    elif orientation == 4:
        out = cv2.flip(rgb, 0)
    elif orientation == 5:
        out = cv2.transpose(rgb)
    elif orientation == 6:
        out = cv2.rotate(rgb, cv2.ROTATE_90_CLOCKWISE)
    elif orientation == 7:
        out = cv2.flip(cv2.transpose(rgb), -1)
    elif orientation == 8:
        out = cv2.rotate(rgb, cv2.ROTATE_90_COUNTERCLOCKWISE)
    else:
        return rgb
    return np.asarray(out, dtype=np.uint8)


def _finish(rgb: npt.NDArray[Any]) -> RGB:
    """Contiguous, writable, uint8, H x W x 3."""
    if rgb.ndim == 3 and rgb.shape[2] < 3:  # grey (+ alpha): LibRaw's 1-channel output
        rgb = rgb[:, :, 0]
    if rgb.ndim != 2 and rgb.ndim != 3:
        raise ValueError(f"decoder returned an array of shape {rgb.shape}")
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    out = np.ascontiguousarray(rgb[:, :, :3], dtype=np.uint8)
    if not out.flags.writeable:
        out = out.copy()
    return out


def _scaled_orient(rgb: RGB, full: tuple[int, int], long_edge: int, orientation: int) -> RGB:
    """Resize decoded (unoriented) pixels to the target for a photo of unoriented size `full`,
    then orient."""
    return _finish(_orient(_resize(rgb, _target_size(*full, long_edge)), orientation))


# --------------------------------------------------------------------------------------------
# JPEG


def _jpeg_header(path: Path, src: ByteSource, what: str = "JPEG") -> JpegHeader:
    try:
        hdr = parse_jpeg_header(src)
    except (ValueError, struct.error) as exc:
        raise PhotoError(path, f"corrupt {what} ({exc})") from exc
    _check_pixels(path, hdr.width, hdr.height)
    return hdr


def _decode_jpeg_cv(data: bytes, scale: int) -> RGB | None:
    buf = np.frombuffer(data, dtype=np.uint8)
    try:
        arr = cv2.imdecode(buf, _CV_FLAGS | _REDUCED_FLAGS[scale])
    except cv2.error:
        return None
    if arr is None or arr.ndim != 3:
        return None
    return np.asarray(arr, dtype=np.uint8)


def _decode_jpeg_pillow(path: Path, data: bytes, hdr: JpegHeader, scale: int) -> RGB:
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:  # size checked by caller
            if scale > 1:
                im.draft("RGB", (max(1, hdr.width // scale), max(1, hdr.height // scale)))
            im.load()
            return _pil_to_rgb(im)
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise PhotoError(path, _pil_error_reason(exc, "JPEG")) from exc


def _check_jpeg_memory(path: Path, hdr: JpegHeader, scale: int, data_size: int) -> None:
    """A JPEG decoded at 1/scale needs its bytes, the output (twice: decoded, then resized or
    turned) and, if progressive, 2 bytes per full-size DCT sample for the coefficients."""
    w, h = hdr.width, hdr.height
    out = -(-w // scale) * -(-h // scale) * 4 * 2
    coefficients = w * h * hdr.samples_per_pixel * 2 if hdr.progressive else 0
    _check_memory(path, w, h, data_size + out + coefficients,
                  ", progressive" if hdr.progressive else "", full=scale == 1)  # fmt: skip


def _jpeg_pixels(path: Path, data: bytes, hdr: JpegHeader, long_edge: int) -> tuple[RGB, int]:
    """Unoriented RGB at the smallest DCT scale still >= the target size, and that scale.

    A thumbnail decoded where libjpeg's warnings cannot be captured (the window's threads) is
    decoded by Pillow, whose libjpeg error handler prints nothing; OpenCV's prints damage
    warnings to the terminal."""
    if not jpeg_is_complete(data, hdr.sos_offset):
        raise PhotoError(path, "file is truncated")
    target = _target_size(hdr.width, hdr.height, long_edge)
    scale = _dct_scale(hdr.width, hdr.height, max(target))
    _check_jpeg_memory(path, hdr, scale, len(data))
    if _budget.get() < MAX_DECODE_BYTES and not can_capture():
        return _decode_jpeg_pillow(path, data, hdr, scale), scale
    rgb = _decode_jpeg_cv(data, scale)
    if rgb is None:  # OpenCV refuses some odd files that Pillow reads (or explains)
        rgb = _decode_jpeg_pillow(path, data, hdr, scale)
    return rgb, scale


def _decode_jpeg(
    path: Path, data: bytes, hdr: JpegHeader, long_edge: int, orientation: int
) -> tuple[RGB, int]:
    """Oriented RGB with the long side min(long_edge, own long side), and the DCT scale used."""
    rgb, scale = _jpeg_pixels(path, data, hdr, long_edge)
    target = _target_size(hdr.width, hdr.height, long_edge)
    return _finish(_orient(_resize(rgb, target), orientation)), scale


def _dct_scale_in_range(width: int, height: int, low: int, high: int) -> int | None:
    """The largest libjpeg reduction 1/s that lands the long side within [low, high]."""
    longest = max(width, height)
    for s in (8, 4, 2):
        if low <= -(-longest // s) <= high:
            return s
    return None


def _jpeg_working(path: Path, data: bytes, long_edge: int) -> DecodedPhoto:
    src = ByteSource(data)
    hdr = _jpeg_header(path, src)
    exif = _safe_exif(lambda: read_tiff_exif(src, hdr.exif_offset) if hdr.exif_offset else None)
    info = exif.capture_info()
    low, high = WORKING_EDGE_RANGE
    scale = (
        _dct_scale_in_range(hdr.width, hdr.height, low, high)
        if long_edge == WORKING_LONG_EDGE and max(hdr.width, hdr.height) > high
        else None
    )
    if scale is not None:  # decoded straight to about the working size: no resize pass
        if not jpeg_is_complete(data, hdr.sos_offset):
            raise PhotoError(path, "file is truncated")
        _check_jpeg_memory(path, hdr, scale, len(data))
        pixels = _decode_jpeg_cv(data, scale)
        if pixels is None:
            pixels = _decode_jpeg_pillow(path, data, hdr, scale)
        rgb = _finish(_orient(pixels, info.orientation))
    else:
        rgb, scale = _decode_jpeg(path, data, hdr, long_edge, info.orientation)
    size = _oriented_size(hdr.width, hdr.height, info.orientation)
    return DecodedPhoto(rgb, size, path, "jpeg" if scale == 1 else f"jpeg 1/{scale}", info)


def _exif_thumbnail(
    src: ByteSource, exif: ExifData, full: tuple[int, int], min_long: int
) -> RGB | None:
    """The IFD1 thumbnail JPEG (unoriented, letterbox bars removed), or None if missing, smaller
    than min_long or of a very different aspect ratio than the photo (stale or unrelated)."""
    if exif.thumbnail is None:
        return None
    offset, length = exif.thumbnail
    blob = src.read(offset, min(length, 1 << 22))
    if not blob.startswith(b"\xff\xd8"):
        return None
    if can_capture():
        rgb = _decode_jpeg_cv(blob, 1)
    else:  # a window thread: Pillow, which prints no warnings for a damaged thumbnail
        try:
            rgb = _decode_jpeg_pillow(Path(), blob, parse_jpeg_header(ByteSource(blob)), 1)
        except (PhotoError, ValueError, struct.error):
            rgb = None
    if rgb is None or max(rgb.shape[:2]) < min_long:
        return None
    if abs(_aspect_mismatch((rgb.shape[1], rgb.shape[0]), full)) > 0.35:
        return None
    return _drop_letterbox(rgb, full)


def _aspect_mismatch(size: tuple[int, int], full: tuple[int, int]) -> float:
    """log of (aspect of size / aspect of full), comparing landscape with landscape."""
    w, h = size
    fw, fh = full
    if (w >= h) != (fw >= fh) and w != h and fw != fh:
        fw, fh = fh, fw  # stored rotated already: compare like with like
    return math.log((w / max(1, h)) / (fw / max(1, fh)))


def _drop_letterbox(rgb: RGB, full: tuple[int, int]) -> RGB:
    """Crop the black bars cameras add when they fit a 3:2 photo into a 4:3 (160x120)
    thumbnail. Only crops when the margins that would go are really uniformly dark."""
    h, w = rgb.shape[:2]
    diff = _aspect_mismatch((w, h), full)
    if abs(diff) <= 0.02:
        return rgb
    fw, fh = full
    if (w >= h) != (fw >= fh) and w != h and fw != fh:
        fw, fh = fh, fw
    # Bars, less the row/column touching the picture (JPEG blocks smear the edge into it).
    if diff > 0:  # too wide: bars left and right
        keep = max(1, round(h * fw / fh))
        x = (w - keep) // 2
        inner, bars = rgb[:, x : x + keep], [rgb[:, : max(0, x - 1)], rgb[:, x + keep + 1 :]]
    else:
        keep = max(1, round(w * fh / fw))
        y = (h - keep) // 2
        inner, bars = rgb[y : y + keep, :], [rgb[: max(0, y - 1), :], rgb[y + keep + 1 :, :]]
    parts = [b.reshape(-1, 3) for b in bars if b.size]
    if parts:
        margin = np.concatenate(parts)
        if float(margin.mean()) < 24 and float(np.percentile(margin, 90)) < 40:
            return inner
    return rgb


def _jpeg_thumbnail(path: Path, src: ByteSource, head: bytes, max_edge: int) -> RGB:
    hdr = _jpeg_header(path, src)
    exif = _safe_exif(lambda: read_tiff_exif(src, hdr.exif_offset) if hdr.exif_offset else None)
    orientation = exif.orientation
    thumb = _exif_thumbnail(src, exif, (hdr.width, hdr.height), max(1, max_edge // 2))
    if thumb is not None:
        return _finish(_orient(_fit(thumb, max_edge), orientation))
    data = _read_rest(src, head)
    return _decode_jpeg(path, data, hdr, max_edge, orientation)[0]


# --------------------------------------------------------------------------------------------
# Pillow-decoded rasters: PNG, TIFF, WebP, BMP (and AVIF)


def _pil_error_reason(exc: BaseException, what: str) -> str:
    msg = str(exc)
    if isinstance(exc, EOFError) or "truncated" in msg.lower():
        return "file is truncated"
    return f"corrupt {what} data ({msg or type(exc).__name__})"


def _pil_open(path: Path, data: bytes, formats: list[str], size_checked: bool) -> Image.Image:
    """Image.open with errors as PhotoError. When our own header parse could not check the size
    first, Pillow's DecompressionBombWarning is turned into an error (catch_warnings is not
    thread-safe before Python 3.14, hence only in that rare case)."""
    try:
        if size_checked:
            return Image.open(io.BytesIO(data), formats=formats)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError(
            path, f"image is over the {MAX_PIXELS // 1_000_000} MP limit ({exc})"
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise PhotoError(path, f"cannot read this {formats[0]} file ({exc})") from exc


def _raster_header(src: ByteSource, fmt: str) -> tuple[tuple[int, int] | None, ExifData]:
    """(unoriented size or None, EXIF) of a PNG/TIFF/WebP/BMP from our own header parsers."""
    try:
        if fmt == "png":
            ph = parse_png_header(src, whole_file=True)
            return (ph.width, ph.height), parse_exif(ph.exif)
        if fmt == "webp":
            wh = parse_webp_header(src)
            return (wh.width, wh.height), parse_exif(wh.exif)
        if fmt == "bmp":
            bh = parse_bmp_header(src)
            return (bh.width, bh.height), ExifData()
        if fmt == "tiff":
            exif = read_tiff_exif(src)
            return tiff_image_size(exif.ifd0), exif
    except (ValueError, struct.error, IndexError):
        pass
    return None, ExifData()


def _pil_to_rgb(im: Image.Image) -> RGB:
    """Any Pillow mode to H x W x 3 uint8 (maybe read-only: `_finish` at the end copes): 16-bit
    scaled down, alpha composited over white (transparent pixels hold arbitrary colours)."""
    mode = im.mode
    if mode == "RGB" and "transparency" not in im.info:
        return np.asarray(im)
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        a = np.asarray(im)
        if mode == "F":
            peak = float(np.nanmax(a)) if a.size else 1.0
            a = a * (255.0 if peak <= 1.0 else 255.0 / max(peak, 255.0))
        elif mode == "I" and a.size and int(a.max()) > 65535:
            a = a * (255.0 / float(a.max()))
        elif mode != "I" or (a.size and int(a.max()) > 255):
            a = a / 257.0
        gray = np.clip(np.nan_to_num(a), 0, 255).round().astype(np.uint8)
        return _finish(gray)
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    if has_alpha:
        rgba = np.asarray(im.convert("RGBA"), dtype=np.uint16)
        alpha = rgba[:, :, 3:4]
        out = (rgba[:, :, :3] * alpha + 255 * (255 - alpha) + 127) // 255
        return out.astype(np.uint8)
    return np.asarray(im.convert("RGB"))


def _pil_orientation_left(im: Image.Image) -> int:
    """The orientation Pillow leaves for the caller to apply after load(), as exif_transpose
    would: Pillow >= 12 applies a TIFF's orientation itself while loading (and drops the tag);
    for AVIF it reports the irot/imir transform here; for PNG/WebP it is the EXIF tag."""
    try:
        o = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # broken EXIF: nothing to apply
        return 1
    return o if 1 <= o <= 8 else 1


# Bytes per pixel of Pillow's own image memory by mode (everything else takes 4), and of the
# copy made before shrinking (modes `Image.reduce` does not take are converted first).
_PIL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
_PIL_CONVERTED = {"1": 4, "P": 4, "PA": 4, "I;16": 4, "I;16L": 4, "I;16B": 4, "I;16N": 4}


def _pil_memory(im: Image.Image, data_size: int) -> float:
    """Bytes a full decode of `im` takes: the file's bytes, Pillow's image, a converted copy and,
    for TIFF, libtiff's strip or tile buffer (a whole image when it is stored in one strip)."""
    w, h = im.size
    px = w * h
    need: float = data_size + px * (_PIL_BYTES.get(im.mode, 4) + _PIL_CONVERTED.get(im.mode, 0))
    tags = getattr(im, "tag_v2", None)
    if tags is not None:
        try:
            bits = tags.get(258) or (8,)
            bpp = sum(bits if isinstance(bits, tuple) else (bits,)) / 8
            tw, th = tags.get(322), tags.get(323)
            rows = min(int(tags.get(278) or h), h)
            need += (int(tw) * int(th) if tw and th else rows * w) * bpp
            if tags.get(259) in (6, 7):  # JPEG-in-TIFF is read as RGBA by libtiff
                need += px * 4
        except (TypeError, ValueError):
            need += px * 4
    return need


def _check_png_data(path: Path, src: ByteSource) -> None:
    """PhotoError if the PNG's image data stops before its last row (Pillow would not say)."""
    try:
        got, expected, cut = png_data_extent(src)
    except (ValueError, struct.error):
        return  # Pillow explains a broken header itself
    if got < expected and cut:
        raise PhotoError(path, "file is truncated")
    if got < expected:
        share = 100 * got / max(1, expected)
        raise PhotoError(path, f"damaged file: its image data stops {share:.0f} % of the way "
                               "through the image (truncated or corrupt)")  # fmt: skip


def _pil_shrink(im: Image.Image, long_edge: int) -> Image.Image:
    """A loaded image box-reduced to a long side >= long_edge, so that no full-size copy is
    made after the decode; `im` itself if it is small enough already."""
    factor = max(im.size) // max(1, long_edge)
    if factor < 2:
        return im
    if im.mode in ("1", "P", "PA"):
        alpha = im.mode == "PA" or "transparency" in im.info
        im = im.convert("RGBA" if alpha else "RGB")
    elif im.mode.startswith("I;16"):
        im = im.convert("I")
    try:
        return im.reduce(factor)
    except (ValueError, NotImplementedError):  # a mode reduce does not take: resize later
        return im


def _pillow_working(
    path: Path, data: bytes, fmt: str, long_edge: int
) -> tuple[RGB, tuple[int, int], CaptureInfo]:
    """(oriented RGB at the target size, oriented full size, info) for PNG/TIFF/WebP/BMP/AVIF."""
    src = ByteSource(data)
    if fmt == "avif":
        size, exif = None, parse_exif(_safe_bytes(lambda: heif_exif_block(src)))
    else:
        size, exif = _raster_header(src, fmt)
    if size is not None:
        _check_pixels(path, *size)
    im = _pil_open(path, data, [_PIL_FORMATS[fmt]], size is not None)
    with im:
        _check_pixels(path, *im.size)
        try:
            im.seek(0)  # multi-page TIFF: the first page
            _check_memory(path, *im.size, _pil_memory(im, len(data)))
            if fmt == "png":
                _check_png_data(path, src)
            if fmt == "tiff" and not exif.ifd0:
                exif = ExifData(ifd0={int(k): v for k, v in im.getexif().items()})
            im.load()
            o = _pil_orientation_left(im)
            full = im.size
            small = _pil_shrink(im, max(_target_size(*full, long_edge)))
            rgb = _pil_to_rgb(small)
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise PhotoError(path, _pil_error_reason(exc, fmt.upper())) from exc
    info = exif.capture_info()
    if fmt == "avif":
        info = _with_orientation(info, o)
    return _scaled_orient(rgb, full, long_edge, o), _oriented_size(*full, o), info


def _with_orientation(info: CaptureInfo, orientation: int) -> CaptureInfo:
    if info.orientation == orientation:
        return info
    return dataclasses.replace(info, orientation=orientation)


# --------------------------------------------------------------------------------------------
# HEIF / HEIC (pillow-heif, optional)


def _pillow_heif(path: Path) -> Any:
    """The pillow_heif module, imported on first use (not registered as a Pillow plugin: we call
    it directly); PhotoError if it is not installed."""
    try:
        import pillow_heif
    except ImportError as exc:
        raise PhotoError(path, "HEIF support is not installed (pip install pillow-heif)") from exc
    return pillow_heif


def _is_avif(head: bytes) -> bool:
    brands = ftyp_brands(head)
    return bool(brands) and brands[0] in AVIF_BRANDS


def _heif_open(path: Path, data: bytes) -> Any:
    """The primary image of a HEIF file (pillow_heif HeifImage), size-checked."""
    heif = _pillow_heif(path)
    try:
        hf = heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        primary = hf[hf.primary_index]
    except (ValueError, RuntimeError, OSError, SyntaxError, IndexError) as exc:
        raise PhotoError(path, f"cannot read this HEIF file ({exc})") from exc
    _check_pixels(path, *primary.size)
    return primary


def _heif_array(path: Path, image: Any, data_size: int) -> RGB:
    w, h = image.size
    _check_memory(path, w, h, data_size + w * h * 3 * 3)  # decoded, then two copies at most
    try:
        arr = np.asarray(image)
    except (ValueError, RuntimeError, OSError) as exc:
        msg = str(exc)
        if "end of" in msg.lower() or "truncat" in msg.lower():
            raise PhotoError(path, "file is truncated") from exc
        raise PhotoError(path, f"corrupt HEIF data ({msg})") from exc
    if arr.dtype != np.uint8:
        arr = (arr >> 8).astype(np.uint8) if arr.dtype == np.uint16 else arr.astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 4:
        a = arr[:, :, 3:4].astype(np.uint16)
        arr = ((arr[:, :, :3] * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)
    return _finish(arr)


def _heif_working(
    path: Path, data: bytes, long_edge: int
) -> tuple[RGB, tuple[int, int], CaptureInfo]:
    primary = _heif_open(path, data)
    rgb = _heif_array(path, primary, len(data))  # libheif has applied the irot/imir orientation
    info = parse_exif(_safe_bytes(lambda: heif_exif_block(ByteSource(data)))).capture_info()
    full = (rgb.shape[1], rgb.shape[0])
    return _finish(_fit(rgb, long_edge)), full, info


def _heif_thumbnail(path: Path, data: bytes, max_edge: int) -> RGB:
    primary = _heif_open(path, data)
    try:
        sizes = list(primary.info.get("thumbnails") or [])
        best = None
        for i, s in enumerate(sizes):
            if s >= max_edge // 2 and (best is None or s < sizes[best]):
                best = i
        if best is not None:
            thumb = np.asarray(primary.get_thumbnail(best))
            if thumb.ndim == 3 and thumb.shape[2] >= 3:
                return _finish(_fit(_finish(thumb), max_edge))
    except Exception:  # an odd thumbnail: decode the main image instead
        pass
    return _finish(_fit(_heif_array(path, primary, len(data)), max_edge))


def _safe_bytes(fn: Callable[[], bytes | None]) -> bytes | None:
    try:
        return fn()
    except (ValueError, struct.error, IndexError):
        return None


# --------------------------------------------------------------------------------------------
# RAW (rawpy / LibRaw)

# LibRaw's sizes.flip to EXIF orientation.
_FLIP_TO_ORIENTATION = {0: 1, 1: 2, 2: 4, 3: 3, 4: 5, 5: 8, 6: 6, 7: 7}


def _rawpy_reason(exc: BaseException) -> str:
    import rawpy

    msg = exc.args[0] if exc.args else ""
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    if isinstance(exc, rawpy.LibRawFileUnsupportedError):
        return "unsupported RAW format (LibRaw cannot read this camera's files)"
    if isinstance(exc, rawpy.LibRawIOError | rawpy.LibRawDataError):
        return f"{NO_IMAGE_DATA} (stripped or truncated)"
    if isinstance(exc, rawpy.LibRawTooBigError):
        return "RAW image is too big to decode"
    if isinstance(exc, rawpy.LibRawUnsufficientMemoryError):
        return "not enough memory to decode this RAW file"
    return f"RAW decoder error ({msg or type(exc).__name__})"


def _raw_headers_only(src: ByteSource, declared: int) -> bool:
    """True if a RAW file is far too small for the image it declares (`declared` pixels, or
    our own reading of its TIFF structure when 0)."""
    if declared <= 0:
        declared = tiff_declared_pixels(src)
    return declared > 0 and src.size < declared * MIN_RAW_BYTES_PER_PIXEL


def _check_raw_size(path: Path, src: ByteSource, raw: rawpy.RawPy) -> None:
    sizes = raw.sizes
    if _raw_headers_only(src, sizes.raw_width * sizes.raw_height):
        raise PhotoError(
            path, f"{NO_IMAGE_DATA} ({_megabytes(src.size)} for a {sizes.raw_width} x "
            f"{sizes.raw_height} sensor: only its headers are there)"
        )  # fmt: skip


def _no_data_reason(path: Path, src: ByteSource, exc: PhotoError) -> PhotoError:
    """LibRaw's refusal, or 'no image data' when the file is only headers (LibRaw calls a
    header-only CR2 'unsupported', which reads as if the camera were the problem)."""
    if _raw_headers_only(src, 0):
        return PhotoError(path, f"{NO_IMAGE_DATA} (only {src.size:,} bytes: headers without "
                                "the image)")  # fmt: skip
    return exc


def _raw_open(path: Path) -> rawpy.RawPy:
    import rawpy

    try:
        if sys.platform == "win32" and not str(path).isascii():
            with open(path, "rb") as f:  # LibRaw's narrow-char open fails on such paths
                return rawpy.imread(f)
        return rawpy.imread(str(path))
    except rawpy.LibRawError as exc:
        raise PhotoError(path, _rawpy_reason(exc)) from exc


def _raw_thumb(raw: rawpy.RawPy) -> tuple[bytes | None, RGB | None]:
    """(JPEG bytes, or bitmap) of LibRaw's largest embedded preview; (None, None) if none."""
    import rawpy

    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawError, ValueError, RuntimeError):
        return None, None
    if thumb.format == rawpy.ThumbFormat.JPEG and isinstance(thumb.data, bytes):
        return thumb.data, None
    if thumb.format == rawpy.ThumbFormat.BITMAP and isinstance(thumb.data, np.ndarray):
        arr = thumb.data
        if arr.dtype != np.uint8:
            arr = (arr >> 8).astype(np.uint8) if arr.dtype == np.uint16 else arr.astype(np.uint8)
        return None, _finish(arr)
    return None, None


@contextmanager
def _raw_errors(path: Path) -> Iterator[None]:
    import rawpy

    try:
        yield
    except rawpy.LibRawError as exc:
        raise PhotoError(path, _rawpy_reason(exc)) from exc


def _preview_orientation(preview: tuple[int, int], raw_size: tuple[int, int], o: int) -> int:
    """The orientation to apply to an embedded preview: the raw's, unless the preview is
    already stored upright (its aspect then matches the oriented raw, not the sensor)."""
    pw, ph = preview
    rw, rh = raw_size
    if o in (5, 6, 7, 8) and pw != ph and rw != rh and (pw > ph) != (rw > rh):
        return 1
    return o


def _similar_aspect(a: tuple[int, int], b: tuple[int, int], tol: float = 0.05) -> bool:
    ra = max(a) / max(1, min(a))
    rb = max(b) / max(1, min(b))
    return abs(math.log(ra / rb)) <= tol


def _decode_preview(
    path: Path, jpeg: bytes | None, bitmap: RGB | None, min_long: int, long_edge: int,
    raw_size: tuple[int, int] | None, orientation: int, strict: bool,
) -> tuple[RGB, tuple[int, int]] | None:  # fmt: skip
    """(oriented RGB fitted to long_edge, preview size) of an embedded RAW preview, or None if it
    is smaller than min_long on its long side or cannot be decoded.

    strict (for scoring): the preview must have the raw's aspect ratio. Otherwise (thumbnails)
    a letterboxed preview is cropped to the raw's aspect ratio.
    """
    if jpeg is not None:
        try:
            hdr = parse_jpeg_header(ByteSource(jpeg))
        except (ValueError, struct.error):
            return None
        if hdr.sof_marker == 0xC3:
            return None  # lossless JPEG: raw sensor data, not a preview
        size = (hdr.width, hdr.height)
        if max(size) < min_long or hdr.width * hdr.height > MAX_PIXELS:
            return None
    elif bitmap is not None:
        size = (bitmap.shape[1], bitmap.shape[0])
        if max(size) < min_long:
            return None
    else:
        return None
    ref = raw_size or size
    if strict and not _similar_aspect(size, ref):
        return None
    o = _preview_orientation(size, ref, orientation)
    if jpeg is not None:
        try:
            rgb = _jpeg_pixels(path, jpeg, hdr, long_edge)[0]
        except PhotoError:
            return None
    else:
        assert bitmap is not None
        rgb = bitmap
    if not strict:
        rgb = _drop_letterbox(rgb, ref)
    return _finish(_orient(_fit(rgb, long_edge), o)), size


def _raw_sizes(path: Path, raw: rawpy.RawPy) -> tuple[int, int, int]:
    """Sensor (width, height) before the flip, and the EXIF orientation the flip amounts to."""
    with _raw_errors(path):
        sizes = raw.sizes
    return sizes.width, sizes.height, _FLIP_TO_ORIENTATION.get(sizes.flip, 1)


def _raw_geometry(path: Path, raw: rawpy.RawPy) -> tuple[int, int, int]:
    """`_raw_sizes`, checked against the pixel limit (before anything is decoded)."""
    w, h, o = _raw_sizes(path, raw)
    _check_pixels(path, w, h)
    return w, h, o


def _check_raw_data(path: Path, raw: rawpy.RawPy) -> None:
    """PhotoError if the sensor data LibRaw unpacked is one value throughout: the file declares
    an image but its pixel data is missing (LibRaw then returns zeros rather than failing)."""
    with _raw_errors(path):
        data = raw.raw_image_visible
    if data.size == 0:
        raise PhotoError(path, NO_IMAGE_DATA)
    step = max(1, data.shape[0] // 64)  # every 64th row is enough to see any content
    sample = data[::step]
    if int(sample.min()) == int(sample.max()) and int(data.min()) == int(data.max()):
        raise PhotoError(path, f"{NO_IMAGE_DATA} (its sensor data is blank)")


def _raw_demosaic(path: Path, raw: rawpy.RawPy, long_edge: int, need: int) -> tuple[RGB, str]:
    sizes = raw.sizes
    half = max(sizes.width, sizes.height) // 2 >= need
    px = sizes.raw_width * sizes.raw_height
    # LibRaw holds the raw data (2 bytes a pixel) and its 4-channel 16-bit image (a quarter of
    # the pixels for a half-size decode), then our 8-bit output.
    memory = px * 2 + px * (2 if half else 8) + px * (0.75 if half else 3)
    _check_memory(path, sizes.raw_width, sizes.raw_height, memory, ", RAW")
    _check_raw_data(path, raw)
    with _raw_errors(path):
        rgb = raw.postprocess(
            half_size=half, use_camera_wb=True, no_auto_bright=False, output_bps=8
        )  # LibRaw applies the flip itself
    return _finish(_fit(_finish(rgb), long_edge)), ("raw half demosaic" if half else "raw demosaic")


def _merge_raw_info(info: CaptureInfo, raw: rawpy.RawPy) -> CaptureInfo:
    """Fill what EXIF lacked from LibRaw (only once the raw data is unpacked: it is free then)."""
    try:
        other, lens = raw.other, raw.lens
    except Exception:
        return info
    iso = info.iso or (round(other.iso_speed) if other.iso_speed and other.iso_speed > 0 else None)
    stamp = other.timestamp if other.timestamp and other.timestamp.year > 1970 else None
    return dataclasses.replace(
        info,
        lens=info.lens or (lens.model.strip() or None if lens.model else None),
        focal_length_mm=info.focal_length_mm or (other.focal_length or None),
        aperture=info.aperture or (round(other.aperture, 1) or None),
        shutter_s=info.shutter_s or (other.shutter_speed or None),
        iso=iso,
        captured_at=info.captured_at or stamp,
        orientation=info.orientation,
    )


def _raw_info(src: ByteSource, head: bytes) -> ExifData:
    return _safe_exif(lambda: exif_from_source(src, "raw", head))


def _raw_working(path: Path, src: ByteSource, head: bytes, long_edge: int) -> DecodedPhoto:
    exif = _raw_info(src, head)
    try:
        raw = _raw_open(path)
    except PhotoError as exc:
        # LibRaw does not know this camera (yet): an embedded full-size preview still works.
        found = _own_preview(path, src, head, long_edge, long_edge, exif.orientation, None, True)
        if found is None:
            raise _no_data_reason(path, src, exc) from exc
        rgb, size = found
        info = exif.capture_info()
        return DecodedPhoto(rgb, _oriented_size(*size, info.orientation), path,
                            f"raw preview {size[0]}x{size[1]}", info)  # fmt: skip
    with raw:
        w, h, o = _raw_geometry(path, raw)
        _check_raw_size(path, src, raw)
        info = _with_orientation(exif.capture_info(), o)
        full = _oriented_size(w, h, o)
        need = min(long_edge, max(w, h))
        jpeg, bitmap = _raw_thumb(raw)
        found = _decode_preview(path, jpeg, bitmap, need, long_edge, (w, h), o, strict=True)
        if found is None:  # LibRaw may miss previews in files it only half understands
            found = _own_preview(path, src, head, need, long_edge, o, (w, h), strict=True)
        if found is not None:
            rgb, size = found
            return DecodedPhoto(rgb, full, path, f"raw preview {size[0]}x{size[1]}", info)
        rgb, source = _raw_demosaic(path, raw, long_edge, need)
        return DecodedPhoto(rgb, full, path, source, _merge_raw_info(info, raw))


def _raw_thumbnail(path: Path, src: ByteSource, head: bytes, max_edge: int) -> RGB:
    exif = _raw_info(src, head)
    min_long = max(1, max_edge // 2)
    try:
        raw = _raw_open(path)
    except PhotoError as exc:
        o = exif.orientation
        found = _own_preview(path, src, head, min_long, max_edge, o, None, False)
        if found is None:
            found = _own_preview(path, src, head, 1, max_edge, o, None, False)
        if found is None:
            raise _no_data_reason(path, src, exc) from exc
        return found[0]
    with raw:
        w, h, o = _raw_geometry(path, raw)
        jpeg, bitmap = _raw_thumb(raw)
        found = _decode_preview(path, jpeg, bitmap, min_long, max_edge, (w, h), o, False)
        if found is None:
            found = _own_preview(path, src, head, min_long, max_edge, o, (w, h), False)
        if found is not None:
            return found[0]
        try:
            return _raw_demosaic(path, raw, max_edge, max_edge)[0]
        except PhotoError:
            # No raw data (stripped file): any preview, however small, beats an error.
            found = _decode_preview(path, jpeg, bitmap, 1, max_edge, (w, h), o, False)
            if found is None:
                found = _own_preview(path, src, head, 1, max_edge, o, (w, h), False)
            if found is None:
                raise
            return found[0]


def _embedded_jpegs(src: ByteSource, head: bytes) -> list[tuple[int, int]]:
    """(offset, length) of JPEG previews our own parsers find in a RAW file (for files LibRaw
    cannot read): TIFF-based IFD previews, CR3 PRVW/THMB, the RAF header preview."""
    found: list[tuple[int, int]] = []
    try:
        if head.startswith(b"FUJIFILMCCD-RAW"):
            off, length = struct.unpack_from(">II", head, 84)
            found.append((off, length))
        elif head[4:8] == b"ftyp":
            top = iter_boxes(src, 0, src.size)
            prvw_uuid = find_box(top, b"uuid", CR3_PREVIEW_UUID)
            if prvw_uuid is not None:
                for box in iter_boxes(src, prvw_uuid.payload + 8, prvw_uuid.end):
                    if box.type == b"PRVW":
                        found.append((box.payload + 16, box.end - box.payload - 16))
            moov = find_box(top, b"moov")
            if moov is not None:
                meta = find_box(iter_boxes(src, moov.payload, moov.end), b"uuid", CR3_META_UUID)
                if meta is not None:
                    thmb = find_box(iter_boxes(src, meta.payload, meta.end), b"THMB")
                    if thmb is not None:
                        found.append((thmb.payload + 16, thmb.end - thmb.payload - 16))
        elif head[:2] in (b"II", b"MM"):
            tiff = TiffReader(src)
            wanted = {0x0103, 0x0111, 0x0117, 0x014A, 0x0201, 0x0202}
            ifds = tiff.ifd_chain(wanted, limit=4)
            subs: list[dict[int, Any]] = []
            for ifd in ifds[:1]:
                ptrs = ifd.get(0x014A)
                for ptr in (ptrs if isinstance(ptrs, tuple) else (ptrs,))[:8]:
                    if isinstance(ptr, int) and ptr > 0:
                        with suppress(ValueError, struct.error):
                            subs.append(tiff.read_ifd(ptr, wanted)[0])
            for ifd in ifds + subs:
                off, length = tag_int(ifd, 0x0201), tag_int(ifd, 0x0202)
                if off and length:
                    found.append((off, length))
                elif tag_int(ifd, 0x0103) in (6, 7):
                    so, sl = ifd.get(0x0111), ifd.get(0x0117)
                    if isinstance(so, int) and isinstance(sl, int):
                        found.append((so, sl))
    except (ValueError, struct.error, IndexError):
        pass
    return [(o, n) for o, n in found if 0 < o < src.size and 0 < n <= src.size]


def _own_preview(
    path: Path, src: ByteSource, head: bytes, min_long: int, long_edge: int, orientation: int,
    raw_size: tuple[int, int] | None, strict: bool,
) -> tuple[RGB, tuple[int, int]] | None:  # fmt: skip
    """The smallest embedded JPEG our own parsers find with a long side >= min_long, decoded
    like `_decode_preview`."""
    best: tuple[int, int, int] | None = None  # (pixels, offset, length)
    for offset, length in _embedded_jpegs(src, head):
        try:
            hdr = parse_jpeg_header(src, offset)  # header only, read in place
        except (ValueError, struct.error):
            continue
        pixels = hdr.width * hdr.height
        if hdr.sof_marker == 0xC3 or max(hdr.width, hdr.height) < min_long or pixels > MAX_PIXELS:
            continue
        if best is None or pixels < best[0]:
            best = (pixels, offset, length)
    if best is None:
        return None
    blob = src.read(best[1], min(best[2], 256 << 20))
    return _decode_preview(path, blob, None, min_long, long_edge, raw_size, orientation, strict)


# --------------------------------------------------------------------------------------------
# Dispatch


def _load_working(path: Path, long_edge: int) -> DecodedPhoto:
    with _opened(path) as (src, head, fmt):
        if fmt == "raw":
            return _raw_working(path, src, head, long_edge)
        data = _read_rest(src, head)
    if fmt == "jpeg":
        return _jpeg_working(path, data, long_edge)
    if fmt == "heif":
        if _is_avif(head):
            rgb, full, info = _pillow_working(path, data, "avif", long_edge)
            return DecodedPhoto(rgb, full, path, "avif", info)
        rgb, full, info = _heif_working(path, data, long_edge)
        return DecodedPhoto(rgb, full, path, "heif", info)
    rgb, full, info = _pillow_working(path, data, fmt, long_edge)
    return DecodedPhoto(rgb, full, path, fmt, info)


def _load_thumbnail(path: Path, max_edge: int) -> RGB:
    with _opened(path) as (src, head, fmt):
        if fmt == "jpeg":
            return _jpeg_thumbnail(path, src, head, max_edge)
        if fmt == "raw":
            return _raw_thumbnail(path, src, head, max_edge)
        data = _read_rest(src, head)
    if fmt == "heif":
        if _is_avif(head):
            return _pillow_working(path, data, "avif", max_edge)[0]
        return _heif_thumbnail(path, data, max_edge)
    return _pillow_working(path, data, fmt, max_edge)[0]


def _read_size(path: Path) -> tuple[int, int]:
    with _opened(path) as (src, head, fmt):
        if fmt == "jpeg":
            hdr = _jpeg_header(path, src)
            o = _safe_exif(
                lambda: read_tiff_exif(src, hdr.exif_offset) if hdr.exif_offset else None
            ).orientation
            return _oriented_size(hdr.width, hdr.height, o)
        if fmt in ("png", "tiff", "webp", "bmp"):
            size, exif = _raster_header(src, fmt)
            if size is None:
                raise PhotoError(path, f"corrupt {fmt.upper()} header")
            return _oriented_size(*size, exif.orientation)
        if fmt == "raw":
            with _raw_open(path) as raw:
                return _oriented_size(*_raw_sizes(path, raw))
        data = _read_rest(src, head)
    if _is_avif(head):
        with _pil_open(path, data, ["AVIF"], False) as im:
            return _oriented_size(*im.size, _pil_orientation_left(im))
    primary = _heif_open(path, data)
    w, h = primary.size
    return int(w), int(h)
