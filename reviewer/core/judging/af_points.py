"""Where the camera focused: the in-focus AF point(s) recorded in EXIF and the makernotes.

A small pure-Python reader for the few tags that matter, rather than ExifTool (pyexiftool) or
Exiv2 (pyexiv2): reading them costs about a millisecond a file, a fraction of a percent of
scoring (bench/af_points.py), where ExifTool is a Perl process at over 100 ms a file here and
Exiv2 a compiled dependency; and each record is simple once found. Sources, in order of
preference:

- Canon: AFInfo (0x0012), AFInfo2 (0x0026) and AFInfo3 (0x003c) — AF area boxes relative to an
  "AF image", the in-focus (else selected) points; ShotInfo's AutoRotate when the camera turned
  the pixels itself. Also from CR3 (CMT3 box) and DNG (DNGPrivateData).
- Nikon: AFInfo2 (0x00b7: the AF area box of live view and Z bodies, or the 11/51-point
  phase-detect points used) and AFInfo (0x0088: points in focus, else the selected point
  unless in auto-area mode).
- Sony FocusLocation (0x2027), Fujifilm FocusPixel (0x1023), Panasonic AFPointPosition (0x004d),
  Olympus/OM CameraSettings AFAreas (0x0304) and AFPointSelected (0x0305), Pentax
  AFPointsInFocus/AFPointSelected (0x000f/0x000e), Sigma AFPoint ("Center").
- EXIF SubjectArea (0x9214) and SubjectLocation (0xA214), which phones write.

Named points (Nikon, Pentax, Sigma) are placed on the sensor's approximate layout; a point
without a size gets a box a tenth of the short edge wide. Boxes are mapped from the stored
frame into the displayed one under the EXIF orientation. Boxes that cover more than half the
frame ("the whole frame", as some cameras record) say nothing about where it focused and are
dropped.

Makernotes are untrusted input: every offset is checked against the source, every count and
loop is bounded, and any failure gives an empty result, never an exception.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from reviewer.core.formats import (
    CR3_META_UUID,
    HEAD_SIZE,
    ByteSource,
    detect_format_bytes,
    find_box,
    iter_boxes,
    parse_jpeg_header,
    parse_png_header,
    parse_webp_header,
)
from reviewer.core.judging.verdict import Box
from reviewer.core.metadata import heif_exif_block

__all__ = ["AfPoints", "af_points_from_exif", "map_box", "read_af_points", "read_af_points_bytes"]

# A box in stored-frame fractions: (x, y, w, h).
RawBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class AfPoints:
    """The in-focus AF boxes (fractions of the displayed frame) and where they were read.

    `source` names the record ("canon", "nikon", "exif-subject-area", ...); "" when none.
    """

    boxes: tuple[Box, ...] = ()
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.boxes)

    def as_lists(self) -> list[list[float]]:
        """[[x, y, w, h], ...] as `reviewer score --format json` prints them."""
        return [b.as_list() for b in self.boxes]


NONE = AfPoints()
_MAX_BOXES = 64
_MAX_INPUT_BOXES = 8192
_MAX_BOX_AREA = 0.5  # of the frame; larger "AF areas" are the whole frame
_POINT_BOX = 0.1  # side of the box given to a bare point, as a fraction of the short edge


# --------------------------------------------------------------------------------------------
# Orientation mapping


def _map_point(u: float, v: float, orientation: int) -> tuple[float, float]:
    """A point of the stored frame (fractions) in the displayed frame, EXIF orientation 1-8."""
    if orientation == 2:
        return 1 - u, v
    if orientation == 3:
        return 1 - u, 1 - v
    if orientation == 4:
        return u, 1 - v
    if orientation == 5:
        return v, u
    if orientation == 6:
        return 1 - v, u
    if orientation == 7:
        return 1 - v, 1 - u
    if orientation == 8:
        return v, 1 - u
    return u, v


def map_box(box: RawBox, orientation: int) -> RawBox:
    """A stored-frame box (x, y, w, h fractions) in the frame displayed under `orientation`."""
    x, y, w, h = box
    x0, y0 = _map_point(x, y, orientation)
    x1, y1 = _map_point(x + w, y + h, orientation)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def af_points_from_exif(
    boxes: Iterable[RawBox], orientation: int = 1, source: str = "exif"
) -> AfPoints:
    """AfPoints from boxes in stored-frame fractions: mapped under the EXIF orientation,
    clipped to the frame; empty, degenerate, non-finite and frame-sized boxes dropped. More
    than 64 boxes (a zone of a mirrorless body's points) become the one box around them."""
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    out: list[Box] = []
    for raw in islice(boxes, _MAX_INPUT_BOXES):
        x, y, w, h = map_box(raw, orientation)
        if not all(v == v and abs(v) < 1e6 for v in (x, y, w, h)):  # NaN / inf
            continue
        x0, y0 = max(0.0, x), max(0.0, y)
        x1, y1 = min(1.0, x + w), min(1.0, y + h)
        if x1 - x0 <= 1e-4 or y1 - y0 <= 1e-4 or (x1 - x0) * (y1 - y0) > _MAX_BOX_AREA:
            continue
        box = Box(x0, y0, x1 - x0, y1 - y0)
        if box not in out[-_MAX_BOXES:]:
            out.append(box)
    if len(out) > _MAX_BOXES:
        x0, y0 = min(b.x for b in out), min(b.y for b in out)
        x1, y1 = max(b.x + b.w for b in out), max(b.y + b.h for b in out)
        out = [Box(x0, y0, x1 - x0, y1 - y0)] if (x1 - x0) * (y1 - y0) <= _MAX_BOX_AREA else []
    return AfPoints(tuple(out), source) if out else NONE


def _same_frame(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    """Whether two frame sizes have the same shape (one may be a resized copy of the other);
    True when either is unknown. A different shape means a crop after capture, which moves
    everything the camera recorded by an unknown amount."""
    if not a or not b or min(*a, *b) <= 0:
        return True
    return abs(a[0] / a[1] - b[0] / b[1]) <= 0.03 * a[0] / a[1]


def _point_box(cx: float, cy: float, size: tuple[int, int] | None) -> RawBox:
    """A box centred on a point (fractions of the stored frame) for records without a size."""
    w, h = size if size else (3, 2)
    short = min(w, h)
    bw, bh = _POINT_BOX * short / w, _POINT_BOX * short / h
    return cx - bw / 2, cy - bh / 2, bw, bh


# --------------------------------------------------------------------------------------------
# A minimal, bounded IFD reader (offsets relative to `base`, any byte order)

_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_FMT = {1: "B", 3: "H", 4: "I", 6: "b", 8: "h", 9: "i", 11: "f", 12: "d", 13: "I"}
_MAX_ENTRIES = 1000
_MAX_VALUE = 1 << 20


@dataclass(frozen=True, slots=True)
class _Entry:
    typ: int
    count: int
    at: int  # absolute offset of the value data in the source
    offset: int  # the raw value/offset field, as a number


class _Ifd:
    """Entries of one IFD, read once; values read on demand with every bound checked."""

    def __init__(self, src: ByteSource, base: int, endian: str, offset: int) -> None:
        self.src, self.base, self.endian = src, base, endian
        self.entries: dict[int, _Entry] = {}
        start = base + offset
        head = src.read(start, 2)
        if len(head) < 2 or offset < 0:
            return
        n = struct.unpack(endian + "H", head)[0]
        if n == 0 or n > _MAX_ENTRIES:
            return
        raw = src.read(start + 2, 12 * n)
        for i in range(len(raw) // 12):
            tag, typ, count, off = struct.unpack_from(endian + "HHII", raw, 12 * i)
            size = _SIZES.get(typ)
            if size is None or count == 0 or count * size > _MAX_VALUE:
                continue
            at = start + 2 + 12 * i + 8 if count * size <= 4 else base + off
            if at < 0 or at + count * size > src.size:
                continue
            self.entries.setdefault(tag, _Entry(typ, count, at, off))

    def raw(self, tag: int) -> bytes | None:
        e = self.entries.get(tag)
        if e is None:
            return None
        data = self.src.read(e.at, e.count * _SIZES[e.typ])
        return data if len(data) == e.count * _SIZES[e.typ] else None

    def nums(self, tag: int, limit: int = 4096) -> tuple[float, ...]:
        """Numeric values of a tag (rationals as floats); () if absent or not numeric."""
        e = self.entries.get(tag)
        if e is None or e.count > limit:
            return ()
        data = self.raw(tag)
        if data is None:
            return ()
        if e.typ in (5, 10):
            ints = struct.unpack(f"{self.endian}{2 * e.count}{'I' if e.typ == 5 else 'i'}", data)
            return tuple(
                ints[k] / ints[k + 1] if ints[k + 1] else float("nan")
                for k in range(0, len(ints), 2)
            )
        fmt = _FMT.get(e.typ)
        if fmt is None:  # undefined bytes: read as unsigned bytes
            return tuple(data)
        return tuple(struct.unpack(f"{self.endian}{e.count}{fmt}", data))

    def int16s(self, tag: int, limit: int = 32768) -> tuple[int, ...]:
        """A tag's data as signed 16-bit words in this IFD's byte order (Canon records)."""
        data = self.raw(tag)
        if data is None or len(data) < 2 or len(data) > 2 * limit:
            return ()
        return struct.unpack(f"{self.endian}{len(data) // 2}h", data[: len(data) // 2 * 2])

    def text(self, tag: int) -> str:
        data = self.raw(tag)
        if not data:
            return ""
        return data.split(b"\x00", 1)[0].decode("latin-1").strip()

    def pointer(self, tag: int) -> int | None:
        """Where a sub-IFD tag points: its value for LONG/IFD types, its data for UNDEFINED."""
        e = self.entries.get(tag)
        if e is None:
            return None
        if e.typ in (4, 13):
            v = self.nums(tag)
            return int(v[0]) if v else None
        if e.typ == 7:
            return e.at - self.base
        return None

    def sub(self, tag: int) -> _Ifd | None:
        ptr = self.pointer(tag)
        if ptr is None or ptr <= 0:
            return None
        return _Ifd(self.src, self.base, self.endian, ptr)


def _tiff_header(src: ByteSource, base: int) -> tuple[str, int] | None:
    """(byte order, first IFD offset) of a TIFF header at `base` (ORF/RW2 variants too)."""
    head = src.read(base, 8)
    if len(head) < 8 or head[:2] not in (b"II", b"MM"):
        return None
    endian = "<" if head[:2] == b"II" else ">"
    return endian, struct.unpack_from(endian + "I", head, 4)[0]


def _guess_endian(src: ByteSource, at: int, preferred: str) -> str:
    """The byte order in which the IFD entry count at `at` is plausible."""
    head = src.read(at, 2)
    if len(head) < 2:
        return preferred
    if 0 < struct.unpack(preferred + "H", head)[0] <= 512:
        return preferred
    other = "<" if preferred == ">" else ">"
    return other if 0 < struct.unpack(other + "H", head)[0] <= 512 else preferred


# --------------------------------------------------------------------------------------------
# What the TIFF structure of a file tells


@dataclass(slots=True)
class _Context:
    src: ByteSource
    base: int
    endian: str
    make: str = ""
    model: str = ""
    orientation: int = 1
    size: tuple[int, int] | None = None  # stored frame in pixels, when known
    exif_size: tuple[int, int] | None = None  # PixelXDimension x PixelYDimension
    exif: _Ifd | None = None
    makernote: tuple[int, int] | None = None  # (absolute offset, length)
    makernote_base: int | None = None  # offsets base when not the TIFF's (DNG, CR3)
    makernote_ifd: _Ifd | None = None  # an already located makernote IFD (CR3)


def _context(src: ByteSource, base: int, size: tuple[int, int] | None) -> _Context | None:
    header = _tiff_header(src, base)
    if header is None:
        return None
    endian, first = header
    ctx = _Context(src, base, endian, size=size)
    ifd0 = _Ifd(src, base, endian, first)
    ctx.make, ctx.model = ifd0.text(0x010F), ifd0.text(0x0110)
    o = ifd0.nums(0x0112)
    ctx.orientation = int(o[0]) if o and 1 <= o[0] <= 8 else 1
    exif = ifd0.sub(0x8769)
    ctx.exif = exif
    if exif is not None:
        mn = exif.entries.get(0x927C)
        if mn is not None:
            ctx.makernote = (mn.at, mn.count)
        px, py = exif.nums(0xA002), exif.nums(0xA003)
        if px and py and px[0] > 0 and py[0] > 0:
            ctx.exif_size = (int(px[0]), int(py[0]))
    if ctx.size is None:
        ctx.size = ctx.exif_size
    if ctx.size is None:
        ctx.size = _largest_image(ifd0)
    if ctx.makernote is None:
        _dng_makernote(ctx, ifd0)
    return ctx


def _largest_image(ifd0: _Ifd) -> tuple[int, int] | None:
    """The largest width x height among IFD0 and its SubIFDs (a RAW's main image)."""
    ifds = [ifd0]
    for ptr in ifd0.nums(0x014A, limit=16):
        if ptr > 0:
            ifds.append(_Ifd(ifd0.src, ifd0.base, ifd0.endian, int(ptr)))
    best: tuple[int, int] | None = None
    for ifd in ifds:
        w, h = ifd.nums(0x0100), ifd.nums(0x0101)
        if w and h and w[0] > 0 and h[0] > 0 and (best is None or w[0] * h[0] > best[0] * best[1]):
            best = (int(w[0]), int(h[0]))
    return best


def _dng_makernote(ctx: _Context, ifd0: _Ifd) -> None:
    """A DNG keeps the original makernote in DNGPrivateData: "Adobe\\0MakN", length, byte order,
    original offset, then the makernote, whose offsets count from the original file."""
    e = ifd0.entries.get(0xC634)
    if e is None:
        return
    head = ctx.src.read(e.at, 20)
    if len(head) < 20 or head[:10] != b"Adobe\x00MakN":
        return
    length = struct.unpack_from(">I", head, 10)[0]
    order, orig = head[14:16], struct.unpack_from(">I", head, 16)[0]
    if order not in (b"II", b"MM") or length < 6:
        return
    start = e.at + 20
    ctx.makernote = (start, min(length - 6, ctx.src.size - start))
    ctx.makernote_base = start - orig
    ctx.endian = "<" if order == b"II" else ">"


def _contexts(src: ByteSource, head: bytes, path: str | os.PathLike[str]) -> list[_Context]:
    """The TIFF structures carrying this file's EXIF (and makernote)."""
    fmt = detect_format_bytes(head, path)
    if fmt == "jpeg":
        return _jpeg_context(src, 0)
    if fmt in ("tiff", "raw"):
        if head.startswith(b"FUJIFILMCCD-RAW") and len(head) >= 92:
            offset = struct.unpack_from(">I", head, 84)[0]
            return _jpeg_context(src, offset) if 0 < offset < src.size else []
        if head[4:8] == b"ftyp":
            return _cr3_contexts(src)
        if head.startswith(b"\x00MRM"):
            return []
        ctx = _context(src, 0, None)
        return [ctx] if ctx else []
    block: bytes | None = None
    size: tuple[int, int] | None = None
    if fmt in ("png", "webp"):
        header = parse_png_header(src) if fmt == "png" else parse_webp_header(src)
        block, size = header.exif, (header.width, header.height)
    elif fmt == "heif":
        block = heif_exif_block(src)
    if block:
        if block.startswith(b"Exif\x00"):
            block = block[6:]
        ctx = _context(ByteSource(block), 0, size)
        return [ctx] if ctx else []
    return []


def _jpeg_context(src: ByteSource, start: int) -> list[_Context]:
    header = parse_jpeg_header(src, start)
    if header.exif_offset is None:
        return []
    # The TIFF block is read whole (APP1 is at most 64 KB): one read instead of many.
    block = ByteSource(src.read(header.exif_offset, header.exif_size))
    ctx = _context(block, 0, (header.width, header.height))
    return [ctx] if ctx else []


def _cr3_contexts(src: ByteSource) -> list[_Context]:
    moov = find_box(iter_boxes(src, 0, src.size), b"moov")
    if moov is None:
        return []
    meta = find_box(iter_boxes(src, moov.payload, moov.end), b"uuid", CR3_META_UUID)
    if meta is None:
        return []
    boxes = iter_boxes(src, meta.payload, meta.end)
    cmt1, cmt3 = find_box(boxes, b"CMT1"), find_box(boxes, b"CMT3")
    ctx = _context(src, cmt1.payload, None) if cmt1 is not None else None
    if ctx is None or cmt3 is None:
        return [ctx] if ctx else []
    header = _tiff_header(src, cmt3.payload)
    if header is not None:
        ctx.makernote_ifd = _Ifd(src, cmt3.payload, header[0], header[1])
    return [ctx]


# --------------------------------------------------------------------------------------------
# Makernotes


def _makernote_boxes(ctx: _Context) -> tuple[list[RawBox], str]:
    make = ctx.make.upper()
    if ctx.makernote_ifd is not None:
        return _canon(ctx, ctx.makernote_ifd), "canon"
    if ctx.makernote is None:
        return [], ""
    at, length = ctx.makernote
    src = ctx.src
    head = src.read(at, 16)
    base = ctx.base if ctx.makernote_base is None else ctx.makernote_base

    def ifd(offset_in_mn: int, mn_base: int, endian: str | None = None) -> _Ifd:
        order = endian or _guess_endian(src, at + offset_in_mn, ctx.endian)
        return _Ifd(src, mn_base, order, at + offset_in_mn - mn_base)

    if make.startswith("CANON"):
        return _canon(ctx, ifd(0, base, ctx.endian)), "canon"
    if make.startswith("NIKON"):
        if head.startswith(b"Nikon\x00\x02"):
            header = _tiff_header(src, at + 10)
            if header is None:
                return [], ""
            return _nikon(ctx, _Ifd(src, at + 10, header[0], header[1])), "nikon"
        if head.startswith(b"Nikon\x00"):
            return _nikon(ctx, ifd(8, base)), "nikon"
        return _nikon(ctx, ifd(0, base)), "nikon"
    if head.startswith((b"SONY DSC ", b"SONY CAM ", b"SONY MOBILE")):
        return _sony(ctx, ifd(12, base)), "sony"
    if head.startswith(b"FUJIFILM") and len(head) >= 12:
        offset = struct.unpack_from("<I", head, 8)[0]
        return _fujifilm(ctx, ifd(offset, at, "<")), "fujifilm"
    if head.startswith(b"OLYMPUS\x00") and head[8:10] in (b"II", b"MM"):
        return _olympus(ifd(12, at, "<" if head[8:10] == b"II" else ">")), "olympus"
    if head.startswith(b"OM SYSTEM\x00") and head[12:14] in (b"II", b"MM"):
        return _olympus(ifd(16, at, "<" if head[12:14] == b"II" else ">")), "olympus"
    if head.startswith((b"OLYMP\x00", b"EPSON\x00")):
        return _olympus(ifd(8, base)), "olympus"
    if head.startswith(b"Panasonic\x00"):
        return _panasonic(ifd(12, base)), "panasonic"
    if head.startswith(b"AOC\x00"):
        order = {b"II": "<", b"MM": ">"}.get(head[4:6])
        # JPEG offsets count from the TIFF header, PEF ones from the makernote.
        mn_base = at if ctx.base == 0 and ctx.makernote_base is None else base
        return _pentax(ctx, ifd(6, mn_base, order)), "pentax"
    if head.startswith((b"SIGMA\x00", b"FOVEON\x00")):
        return _sigma(ctx, ifd(10, base)), "sigma"
    return [], ""


# Canon -------------------------------------------------------------------------------------


def _bits(words: Sequence[int], n: int) -> list[int]:
    """Indices < n of the set bits of a little-first array of 16-bit words."""
    out = []
    for k, word in enumerate(words):
        for b in range(16):
            if word & (1 << b) and 16 * k + b < n:
                out.append(16 * k + b)
    return out


def _canon(ctx: _Context, mn: _Ifd) -> list[RawBox]:
    for tag in (0x003C, 0x0026):
        v = mn.int16s(tag)
        if len(v) >= 8:
            boxes = _canon_af2(ctx, mn, v)
            if boxes is not None:
                return boxes
    v = mn.int16s(0x0012)
    if len(v) >= 8:
        return _canon_af1(ctx, mn, v) or []
    return []


def _canon_af2(ctx: _Context, mn: _Ifd, v: Sequence[int]) -> list[RawBox] | None:
    mode, n, valid = v[1], v[2] & 0xFFFF, v[3] & 0xFFFF
    words = (n + 15) // 16
    if n == 0 or n > 4096 or len(v) < 8 + 4 * n + words:
        return None
    if mode == 0:  # manual focus: nothing was focused on
        return []
    p = 8
    ws, hs = v[p : p + n], v[p + n : p + 2 * n]
    xs, ys = v[p + 2 * n : p + 3 * n], v[p + 3 * n : p + 4 * n]
    q = p + 4 * n
    chosen = _bits([w & 0xFFFF for w in v[q : q + words]], min(n, valid or n))
    if not chosen and len(v) >= q + 2 * words:
        chosen = _bits([w & 0xFFFF for w in v[q + words : q + 2 * words]], min(n, valid or n))
    return _canon_boxes(ctx, mn, v[4:8], chosen, list(ws), list(hs), list(xs), list(ys))


def _canon_af1(ctx: _Context, mn: _Ifd, v: Sequence[int]) -> list[RawBox] | None:
    n, valid = v[0] & 0xFFFF, v[1] & 0xFFFF
    words = (n + 15) // 16
    if n == 0 or n > 4096 or len(v) < 8 + 2 * n + words:
        return None
    xs, ys = v[8 : 8 + n], v[8 + n : 8 + 2 * n]
    q = 8 + 2 * n
    chosen = _bits([w & 0xFFFF for w in v[q : q + words]], min(n, valid or n))
    return _canon_boxes(ctx, mn, v[2:6], chosen, [v[6]] * n, [v[7]] * n, list(xs), list(ys))


def _canon_boxes(
    ctx: _Context,
    mn: _Ifd,
    dims: Sequence[int],
    chosen: list[int],
    ws: list[int],
    hs: list[int],
    xs: list[int],
    ys: list[int],
) -> list[RawBox]:
    canon_w, canon_h, af_w, af_h = (d & 0xFFFF for d in dims)
    if af_w <= 0 or af_h <= 0 or not _same_frame((canon_w, canon_h), ctx.size):
        return []
    if not chosen:
        # Compacts with a single AF frame (manual point, "(none)" in focus) record just it.
        sized = [i for i in range(len(ws)) if ws[i] > 0 and hs[i] > 0]
        if len(sized) != 1:
            return []
        chosen = sized
    up = "EOS" in ctx.model.upper()  # EOS: Y grows upwards; PowerShot: downwards
    boxes: list[RawBox] = []
    for i in chosen:
        w, h = ws[i] / af_w, hs[i] / af_h
        cx = 0.5 + xs[i] / af_w
        cy = 0.5 - ys[i] / af_h if up else 0.5 + ys[i] / af_h
        if w > 0 and h > 0:
            boxes.append((cx - w / 2, cy - h / 2, w, h))
    if canon_w != canon_h and af_w != af_h and (canon_w > canon_h) != (af_w > af_h):
        # The camera turned the pixels itself (AutoRotate in ShotInfo): the AF frame did not.
        shot = mn.int16s(0x0004)
        rotate = shot[27] if len(shot) > 27 else -1
        turn = {1: 6, 3: 8}.get(rotate)
        if turn is None:
            return []
        boxes = [map_box(b, turn) for b in boxes]
    return boxes


# Nikon -------------------------------------------------------------------------------------

# AFInfo's 11 points (index = AFPoint value = AFPointsInFocus bit), on a landscape frame.
_NIKON11 = (
    (0.5, 0.5), (0.5, 0.33), (0.5, 0.67), (0.36, 0.5), (0.64, 0.5), (0.36, 0.38),
    (0.64, 0.38), (0.36, 0.62), (0.64, 0.62), (0.22, 0.5), (0.78, 0.5),
)  # fmt: skip
# AFInfo2's 11-point order: Center, Top, Bottom, Mid-left, Upper-left, Lower-left, Far Left,
# Mid-right, Upper-right, Lower-right, Far Right.
_NIKON11_V2 = tuple(_NIKON11[i] for i in (0, 1, 2, 3, 5, 7, 9, 4, 6, 8, 10))
# 51-point numbers (1-based) -> "C6"-style names, as ExifTool's %afPoints51.
_NIKON51 = (
    "C6", "B6", "A5", "D6", "E5", "C7", "B7", "A6", "D7", "E6", "C5", "B5", "A4", "D5", "E4",
    "C8", "B8", "A7", "D8", "E7", "C9", "B9", "A8", "D9", "E8", "C10", "B10", "A9", "D10", "E9",
    "C11", "B11", "D11", "C4", "B4", "A3", "D4", "E3", "C3", "B3", "A2", "D3", "E2", "C2", "B2",
    "A1", "D2", "E1", "C1", "B1", "D1",
)  # fmt: skip


def _nikon51(number: int) -> tuple[float, float] | None:
    if not 1 <= number <= len(_NIKON51):
        return None
    name = _NIKON51[number - 1]
    row, col = "ABCDE".index(name[0]), int(name[1:])
    if row in (0, 4):
        col += 1  # rows A and E have 9 points under columns 2-10
    return 0.5 + (col - 6) * 0.045, 0.5 + (row - 2) * 0.075


def _nikon(ctx: _Context, mn: _Ifd) -> list[RawBox]:
    size = ctx.size
    portrait = size is not None and size[1] > size[0]
    points: list[tuple[float, float]] = []
    af2 = mn.raw(0x00B7)
    if af2 is not None and len(af2) >= 10:
        contrast, phase, primary = af2[4], af2[6], af2[7]
        # The AF area box (centre, size in "AF image" units): live view on DSLRs (version
        # 0100, contrast-detect only), every shot on Z bodies (03xx, 04xx).
        if af2[:4] == b"0100":
            at: int | None = 0x10 if contrast else None
        else:
            at = {b"03": 0x2A, b"04": 0x3E}.get(af2[:2])
        if at is not None and len(af2) >= at + 12:
            iw, ih, x, y, w, h = struct.unpack_from(mn.endian + "6H", af2, at)
            if iw and ih and w and h and x and y and not (portrait and iw > ih):
                return [((x - w / 2) / iw, (y - h / 2) / ih, w / iw, h / ih)]
        dslr = af2[:2] == b"01"  # the 11- and 51-point layouts (03xx reuses these numbers)
        if dslr and phase == 2:
            used = af2[8] | af2[9] << 8
            idx = [i for i in range(11) if used & (1 << i)]
            if not idx and 1 <= primary <= 11:
                idx = [primary - 1]
            points = [_NIKON11_V2[i] for i in idx]
        elif dslr and phase == 1 and len(af2) >= 15:
            nums = [8 * i + j + 1 for i in range(7) for j in range(8) if af2[8 + i] & (1 << j)]
            if not nums:
                nums = [primary]
            points = [p for p in map(_nikon51, nums) if p is not None]
    if not points:
        af = mn.raw(0x0088)
        if af is not None and len(af) >= 4:
            order = ">" if ctx.model.upper().startswith("NIKON D") else "<"
            mode, point = af[0], af[1]
            in_focus = struct.unpack_from(order + "H", af, 2)[0]
            idx = [i for i in range(11) if in_focus & (1 << i)]
            if not idx and mode != 2 and point < 11:  # not "closest subject": the chosen point
                idx = [point]
            points = [_NIKON11[i] for i in idx]
    if portrait:
        return []  # the camera turned the pixels: which way is not recorded
    return [_point_box(x, y, size) for x, y in points]


# The others --------------------------------------------------------------------------------


def _sony(ctx: _Context, mn: _Ifd) -> list[RawBox]:
    v = mn.nums(0x2027)
    if len(v) == 4 and v[0] > 0 and v[1] > 0 and 0 <= v[2] <= v[0] and 0 <= v[3] <= v[1]:
        w, h = int(v[0]), int(v[1])
        if not _same_frame((w, h), ctx.size):
            return []
        return [_point_box(v[2] / w, v[3] / h, (w, h))]
    return []


def _fujifilm(ctx: _Context, mn: _Ifd) -> list[RawBox]:
    v = mn.nums(0x1023)
    size = ctx.size
    if len(v) == 2 and size and 0 < v[0] < size[0] and 0 < v[1] < size[1]:
        return [_point_box(v[0] / size[0], v[1] / size[1], size)]
    return []


def _panasonic(mn: _Ifd) -> list[RawBox]:
    v = mn.nums(0x004D)
    if len(v) == 2 and 0 < v[0] < 1 and 0 < v[1] < 1:
        return [_point_box(v[0], v[1], None)]
    return []


def _olympus(mn: _Ifd) -> list[RawBox]:
    settings = mn.sub(0x2020)
    if settings is None:
        return []
    boxes: list[RawBox] = []
    for packed in settings.nums(0x0304, limit=64):
        p = int(packed)
        x0, y0, x1, y1 = p >> 24 & 255, p >> 16 & 255, p >> 8 & 255, p & 255
        if x1 > x0 and y1 > y0:
            boxes.append((x0 / 255, y0 / 255, (x1 - x0) / 255, (y1 - y0) / 255))
    if boxes:
        return boxes
    sel = settings.nums(0x0305, limit=5)
    if len(sel) == 5:
        left, top, right, bottom = sel[1:]
        corners = (left, top, right, bottom)
        if all(0 <= c <= 1 for c in corners) and corners != (0, 0, 0, 0):
            if right > left and bottom > top:
                return [(left, top, right - left, bottom - top)]
            return [_point_box(left, top, None)]
    return []


# Pentax AFPointSelected (1-11) and AFPointsInFocus (1-9) positions on a landscape frame.
_PENTAX11 = (
    (0.36, 0.38), (0.5, 0.35), (0.64, 0.38), (0.22, 0.5), (0.36, 0.5), (0.5, 0.5),
    (0.64, 0.5), (0.78, 0.5), (0.36, 0.62), (0.5, 0.65), (0.64, 0.62),
)  # fmt: skip
_PENTAX9 = tuple((x, y) for y in (0.38, 0.5, 0.62) for x in (0.36, 0.5, 0.64))


def _pentax(ctx: _Context, mn: _Ifd) -> list[RawBox]:
    if any(m in ctx.model.upper() for m in ("K-1", "K-3")):
        return []  # other encodings
    if ctx.size is not None and ctx.size[1] > ctx.size[0]:
        return []
    point: tuple[float, float] | None = None
    focus = mn.nums(0x000F)
    if focus and 1 <= focus[0] <= 9:
        point = _PENTAX9[int(focus[0]) - 1]
    else:
        sel = mn.nums(0x000E)
        if sel and 1 <= sel[0] <= 11:
            point = _PENTAX11[int(sel[0]) - 1]
        elif sel and sel[0] == 0xFFFE:  # fixed centre
            point = (0.5, 0.5)
    return [_point_box(*point, ctx.size)] if point else []


def _sigma(ctx: _Context, mn: _Ifd) -> list[RawBox]:
    text = mn.text(0x001F).lower()
    if ctx.size is not None and ctx.size[1] > ctx.size[0]:
        return []
    if text.startswith(("center", "centre")):
        return [_point_box(0.5, 0.5, ctx.size)]
    return []


# EXIF --------------------------------------------------------------------------------------


def _subject_area(ctx: _Context) -> list[RawBox]:
    # In the pixels of the frame as shot: the EXIF size, which a resized copy keeps.
    exif, size = ctx.exif, ctx.exif_size or ctx.size
    if exif is None or size is None or not _same_frame(ctx.exif_size, ctx.size):
        return []
    w, h = size
    v = exif.nums(0x9214, limit=4) or exif.nums(0xA214, limit=2)
    if len(v) < 2 or not (0 <= v[0] <= w and 0 <= v[1] <= h):
        return []
    cx, cy = v[0] / w, v[1] / h
    if len(v) == 2:
        return [_point_box(cx, cy, size)]
    bw, bh = (v[2] / w, v[2] / h) if len(v) == 3 else (v[2] / w, v[3] / h)
    if bw <= 0 or bh <= 0:
        return [_point_box(cx, cy, size)]
    return [(cx - bw / 2, cy - bh / 2, bw, bh)]


# --------------------------------------------------------------------------------------------
# Public readers


def _from_source(src: ByteSource, path: str | os.PathLike[str]) -> AfPoints:
    head = src.read(0, HEAD_SIZE)
    for ctx in _contexts(src, head, path):
        boxes, source = _makernote_boxes(ctx)
        found = af_points_from_exif(boxes, ctx.orientation, source)
        if found:
            return found
        found = af_points_from_exif(_subject_area(ctx), ctx.orientation, "exif-subject-area")
        if found:
            return found
    return NONE


def read_af_points_bytes(data: bytes, path: str | os.PathLike[str] = "") -> AfPoints:
    """`read_af_points` on a file already in memory. Never raises."""
    try:
        return _from_source(ByteSource(data), path)
    except Exception:  # untrusted makernotes: whatever fails to parse means "no AF points"
        return NONE


def read_af_points(path: str | os.PathLike[str]) -> AfPoints:
    """The in-focus AF boxes the camera recorded for the photo at `path`, in the displayed frame.

    Header-only (a few small reads). Never raises: a missing or unreadable file, an unknown
    format, no AF data or a broken makernote all give an empty AfPoints.
    """
    try:
        with open(path, "rb") as f:
            return _from_source(ByteSource(file=f), path)
    except Exception:  # untrusted makernotes: whatever fails to parse means "no AF points"
        return NONE
