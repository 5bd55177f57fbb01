"""Capture metadata (camera, lens, exposure settings, time) read from EXIF."""

from __future__ import annotations

import math
import os
import re
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from reviewer.core.formats import (
    CR3_META_UUID,
    HEAD_SIZE,
    ByteSource,
    TagValue,
    TiffReader,
    detect_format_bytes,
    find_box,
    iter_boxes,
    jpeg_exif_source,
    parse_jpeg_header,
    parse_png_header,
    parse_webp_header,
    tag_int,
)

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True, slots=True)
class CaptureInfo:
    """What the camera recorded about a shot; every field is optional."""

    camera: str | None = None  # "NIKON D3400"
    lens: str | None = None
    focal_length_mm: float | None = None
    aperture: float | None = None  # f-number
    shutter_s: float | None = None  # exposure time in seconds
    iso: int | None = None
    captured_at: datetime | None = None
    orientation: int = 1  # EXIF orientation tag, 1..8
    # For finding brackets and focus stacks (judging.groups): EXIF ExposureMode (0 auto,
    # 1 manual, 2 auto bracket), the exposure bias in EV and the subject distance in metres
    # (math.inf for "infinity").
    exposure_mode: int | None = None
    exposure_bias_ev: float | None = None
    subject_distance_m: float | None = None

    def summary(self) -> str:
        """One line for display: 'NIKON D3400 · 35 mm · f/1.8 · 1/250 s · ISO 400'."""
        parts: list[str] = []
        if self.camera:
            parts.append(self.camera)
        if self.lens:
            parts.append(self.lens)
        if self.focal_length_mm:
            parts.append(f"{self.focal_length_mm:g} mm")
        if self.aperture:
            parts.append(f"f/{self.aperture:g}")
        if self.shutter_s:
            s = self.shutter_s
            parts.append(f"1/{round(1 / s)} s" if s < 0.5 else f"{s:g} s")
        if self.iso:
            parts.append(f"ISO {self.iso}")
        return " · ".join(parts)


# --------------------------------------------------------------------------------------------
# Tags

MAKE, MODEL, ORIENTATION, DATETIME = 0x010F, 0x0110, 0x0112, 0x0132
EXIF_IFD_POINTER = 0x8769
UNIQUE_CAMERA_MODEL = 0xC614  # DNG
THUMB_OFFSET, THUMB_LENGTH = 0x0201, 0x0202
EXPOSURE_TIME, F_NUMBER = 0x829A, 0x829D
ISO_RATINGS, SENS_SOS, SENS_REI, ISO_SPEED = 0x8827, 0x8831, 0x8832, 0x8833
DT_ORIGINAL, DT_DIGITIZED = 0x9003, 0x9004
OFFSET_TIME, OFFSET_ORIGINAL, OFFSET_DIGITIZED = 0x9010, 0x9011, 0x9012
SHUTTER_APEX, APERTURE_APEX = 0x9201, 0x9202
FOCAL_LENGTH = 0x920A
SUBSEC, SUBSEC_ORIGINAL, SUBSEC_DIGITIZED = 0x9290, 0x9291, 0x9292
LENS_MODEL = 0xA434
EXPOSURE_BIAS, SUBJECT_DISTANCE, EXPOSURE_MODE = 0x9204, 0x9206, 0xA402

_EXIF_TAGS = frozenset(
    {EXPOSURE_TIME, F_NUMBER, ISO_RATINGS, SENS_SOS, SENS_REI, ISO_SPEED, DT_ORIGINAL,
     DT_DIGITIZED, OFFSET_TIME, OFFSET_ORIGINAL, OFFSET_DIGITIZED, SHUTTER_APEX, APERTURE_APEX,
     FOCAL_LENGTH, SUBSEC, SUBSEC_ORIGINAL, SUBSEC_DIGITIZED, LENS_MODEL, EXPOSURE_BIAS,
     SUBJECT_DISTANCE, EXPOSURE_MODE}
)  # fmt: skip
# TIFF/EP raws may keep exposure tags in IFD0 itself, so IFD0 is read for those too.
IFD0_TAGS = frozenset(
    {MAKE, MODEL, ORIENTATION, DATETIME, EXIF_IFD_POINTER, UNIQUE_CAMERA_MODEL, 0x0100, 0x0101,
     0x0103, 0x014A, 0xC612}
) | _EXIF_TAGS  # fmt: skip
IFD1_TAGS = frozenset({0x0100, 0x0101, 0x0103, THUMB_OFFSET, THUMB_LENGTH})


@dataclass(slots=True)
class ExifData:
    """Tags of IFD0 and the Exif IFD, plus where the IFD1 JPEG thumbnail lies in the source."""

    ifd0: dict[int, TagValue] = field(default_factory=dict)
    exif: dict[int, TagValue] = field(default_factory=dict)
    # (absolute offset, length) of the IFD1 thumbnail JPEG in the source it was read from.
    thumbnail: tuple[int, int] | None = None

    @property
    def orientation(self) -> int:
        o = tag_int(self.ifd0, ORIENTATION)
        return o if o is not None and 1 <= o <= 8 else 1

    def capture_info(self) -> CaptureInfo:
        return capture_info_from_tags(self.ifd0, self.exif)


def read_tiff_exif(src: ByteSource, base: int = 0) -> ExifData:
    """IFD0, Exif IFD and IFD1 thumbnail location of the TIFF structure at `base`.

    ValueError if there is no TIFF header there; broken IFDs just give fewer tags.
    """
    tiff = TiffReader(src, base)
    chain = tiff.ifd_chain(IFD0_TAGS | IFD1_TAGS, limit=2)
    if not chain:
        return ExifData()
    ifd0 = chain[0]
    data = ExifData(ifd0, tiff.sub_ifd(ifd0, EXIF_IFD_POINTER, _EXIF_TAGS))
    if len(chain) > 1:
        off, length = tag_int(chain[1], THUMB_OFFSET), tag_int(chain[1], THUMB_LENGTH)
        if off and length and 0 < off < src.size and length > 0:
            data.thumbnail = (base + off, length)
    return data


def parse_exif(data: bytes | None) -> ExifData:
    """EXIF from a TIFF-structured block (with or without the "Exif\\0\\0" prefix). Never raises."""
    if not data:
        return ExifData()
    if data.startswith(b"Exif\x00"):
        data = data[6:]
    try:
        return read_tiff_exif(ByteSource(data))
    except (ValueError, struct.error):
        return ExifData()


# --------------------------------------------------------------------------------------------
# Tag values -> CaptureInfo


def capture_info_from_tags(
    ifd0: dict[int, TagValue], exif: dict[int, TagValue], orientation: int | None = None
) -> CaptureInfo:
    """Build a CaptureInfo from IFD0 and Exif-IFD tag dicts; odd values are dropped, not raised."""

    def get(tag: int) -> TagValue | None:
        v = exif.get(tag)
        return ifd0.get(tag) if v is None or v == "" else v

    if orientation is None:
        o = _as_int(ifd0.get(ORIENTATION))
        orientation = o if o is not None and 1 <= o <= 8 else 1

    model = _as_str(ifd0.get(MODEL)) or _as_str(ifd0.get(UNIQUE_CAMERA_MODEL))
    camera = camera_name(_as_str(ifd0.get(MAKE)), model)

    aperture = _positive(get(F_NUMBER))
    if aperture is None:
        av = _as_float(get(APERTURE_APEX))
        if av is not None and -2 < av < 30:
            aperture = round(2 ** (av / 2), 1)

    shutter = _positive(get(EXPOSURE_TIME))
    if shutter is None:
        tv = _as_float(get(SHUTTER_APEX))
        if tv is not None and -20 < tv < 30:
            shutter = 2.0**-tv

    iso = _as_int(get(ISO_RATINGS))
    if iso is None or iso <= 0 or iso >= 65535:
        for tag in (ISO_SPEED, SENS_REI, SENS_SOS):
            alt = _as_int(get(tag))
            if alt is not None and alt > 0:
                iso = alt
                break
    if iso is not None and iso <= 0:
        iso = None

    captured = None
    for dt_tag, sub_tag, off_tag in (
        (DT_ORIGINAL, SUBSEC_ORIGINAL, OFFSET_ORIGINAL),
        (DT_DIGITIZED, SUBSEC_DIGITIZED, OFFSET_DIGITIZED),
        (DATETIME, SUBSEC, OFFSET_TIME),
    ):
        captured = parse_exif_datetime(
            _as_str(get(dt_tag)), _as_str(get(sub_tag)), _as_str(get(off_tag))
        )
        if captured is not None:
            break

    lens = _as_str(get(LENS_MODEL))
    if lens and (set(lens) <= set("-_ 0.") or lens.lower() in ("unknown", "none")):
        lens = None

    mode = _as_int(get(EXPOSURE_MODE))
    bias = _as_float(get(EXPOSURE_BIAS))
    distance = _as_float(get(SUBJECT_DISTANCE))
    if distance is not None and distance > 4e9:
        distance = math.inf  # 0xFFFFFFFF/1 means "infinity"
    return CaptureInfo(
        camera=camera,
        lens=lens,
        focal_length_mm=_positive(get(FOCAL_LENGTH)),
        aperture=aperture,
        shutter_s=shutter,
        iso=iso,
        captured_at=captured,
        orientation=orientation,
        exposure_mode=mode if mode is not None and 0 <= mode <= 2 else None,
        exposure_bias_ev=bias if bias is not None and abs(bias) <= 20 else None,
        subject_distance_m=distance if distance is not None and distance > 0 else None,
    )


_CORPORATE = frozenset(
    {"corporation", "corp", "co", "ltd", "co.,ltd", "inc", "company", "imaging", "optical",
     "computer", "gmbh", "ag", "camera", "electric", "electronics", "digital"}
)  # fmt: skip


def camera_name(make: str | None, model: str | None) -> str | None:
    """'Canon' + 'Canon EOS R6' -> 'Canon EOS R6'; 'NIKON CORPORATION' + 'NIKON D80' -> 'NIKON D80';
    'CASIO COMPUTER CO.,LTD' + 'EX-Z750' -> 'CASIO EX-Z750'."""
    make = " ".join(make.split()) if make else ""
    model = " ".join(model.split()) if model else ""
    words = make.split()
    short = " ".join(
        [w for i, w in enumerate(words) if i == 0 or w.lower().strip(",.") not in _CORPORATE]
    )
    if not model:
        return short or None
    if not make:
        return model
    first = model.split()[0].lower().strip(",.")
    make_words = {w.lower().strip(",.") for w in words}
    if model.lower().startswith(make.lower()) or first in make_words:
        return model
    return f"{short} {model}"


_DT_RE = re.compile(
    r"\s*(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
)
_OFFSET_RE = re.compile(r"\s*([+-])(\d{1,2}):?(\d{2})\s*$")


def parse_exif_datetime(
    value: str | None, subsec: str | None = None, offset: str | None = None
) -> datetime | None:
    """'2008:05:10 18:58:54' (+ SubSecTime '80' + OffsetTime '+02:00') -> datetime, else None."""
    if not value:
        return None
    m = _DT_RE.match(value)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    micro = 0
    if subsec:
        digits = "".join(ch for ch in subsec.strip() if ch.isdigit())
        if digits:
            micro = int((digits + "000000")[:6])
    tz = None
    if offset:
        om = _OFFSET_RE.match(offset)
        if om:
            minutes = int(om.group(2)) * 60 + int(om.group(3))
            if minutes <= 14 * 60:
                tz = timezone(timedelta(minutes=-minutes if om.group(1) == "-" else minutes))
        elif offset.strip().upper() == "Z":
            tz = UTC
    try:
        return datetime(y, mo, d, h, mi, min(s, 59), micro, tzinfo=tz)
    except ValueError:
        return None


def _first(v: object) -> object:
    if isinstance(v, tuple | list):
        return v[0] if v else None
    return v


def _as_float(v: object) -> float | None:
    v = _first(v)
    if isinstance(v, bytes):
        v = v.decode("latin-1", "replace")
    try:
        f = float(v)  # type: ignore[arg-type]  # int, float, IFDRational, numeric str
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _positive(v: object) -> float | None:
    f = _as_float(v)
    return f if f is not None and f > 0 else None


def _as_int(v: object) -> int | None:
    f = _as_float(v)
    if f is None or abs(f) > 1e9:
        return None
    return int(round(f))


def _as_str(v: object) -> str | None:
    if isinstance(v, bytes):
        v = v.split(b"\x00", 1)[0].decode("utf-8", "replace")
    if not isinstance(v, str):
        return None
    s = " ".join(v.replace("\x00", " ").split())
    return s or None


# --------------------------------------------------------------------------------------------
# Finding the EXIF block of each file format


def exif_from_source(src: ByteSource, fmt: str, head: bytes) -> ExifData | None:
    """The EXIF of a file of format `fmt` (see formats.detect_format), or None if not found.

    Header-only: reads a few small pieces of the source. May raise ValueError/struct.error on
    broken containers.
    """
    if fmt == "jpeg":
        return _jpeg_exif(src, 0)
    if fmt == "tiff":
        return read_tiff_exif(src)
    if fmt == "png":
        return parse_exif(parse_png_header(src).exif)
    if fmt == "webp":
        return parse_exif(parse_webp_header(src).exif)
    if fmt == "heif":
        return parse_exif(heif_exif_block(src))
    if fmt == "raw":
        return _raw_exif(src, head)
    return None


def _jpeg_exif(src: ByteSource, start: int) -> ExifData:
    header = parse_jpeg_header(src, start)
    if header.exif_offset is None or not jpeg_exif_source(src, header):
        return ExifData()
    try:
        return read_tiff_exif(src, header.exif_offset)
    except (ValueError, struct.error):
        return ExifData()


def _raw_exif(src: ByteSource, head: bytes) -> ExifData | None:
    if head[:2] in (b"II", b"MM") and head[:4] not in (b"IIII", b"MMMM"):
        if head[6:14] == b"HEAPCCDR":
            return None  # Canon CRW: CIFF, not TIFF
        return read_tiff_exif(src)
    if head.startswith(b"FUJIFILMCCD-RAW"):
        # RAF: the header points at an embedded JPEG that carries the EXIF.
        jpeg_offset, jpeg_length = struct.unpack_from(">II", head, 84)
        if 0 < jpeg_offset < src.size and jpeg_length > 0:
            return _jpeg_exif(src, jpeg_offset)
        return None
    if head[4:8] == b"ftyp":
        return _cr3_exif(src)
    if head.startswith(b"\x00MRM"):
        end = 8 + struct.unpack_from(">I", head, 4)[0]
        for block in _mrw_blocks(src, end):
            if block[0] == b"\x00TTW":
                return read_tiff_exif(src, block[1])
    return None


def _cr3_exif(src: ByteSource) -> ExifData | None:
    moov = find_box(iter_boxes(src, 0, src.size), b"moov")
    if moov is None:
        return None
    meta = find_box(iter_boxes(src, moov.payload, moov.end), b"uuid", CR3_META_UUID)
    if meta is None:
        return None
    boxes = iter_boxes(src, meta.payload, meta.end)
    data = ExifData()
    cmt1, cmt2 = find_box(boxes, b"CMT1"), find_box(boxes, b"CMT2")
    if cmt1 is not None:
        data.ifd0 = read_tiff_exif(src, cmt1.payload).ifd0
    if cmt2 is not None:
        tiff = TiffReader(src, cmt2.payload)
        data.exif = tiff.read_ifd(tiff.first_ifd, _EXIF_TAGS)[0]
    return data


def _mrw_blocks(src: ByteSource, end: int) -> list[tuple[bytes, int]]:
    blocks: list[tuple[bytes, int]] = []
    pos = 8
    while pos + 8 <= end and len(blocks) < 64:
        name, size = struct.unpack(">4sI", src.read_exact(pos, 8))
        blocks.append((name, pos + 8))
        pos += 8 + size
    return blocks


def heif_exif_block(src: ByteSource) -> bytes | None:
    """The TIFF bytes of a HEIF/AVIF file's Exif item (meta/iinf + iloc), or None."""
    meta = find_box(iter_boxes(src, 0, min(src.size, 1 << 24)), b"meta")
    if meta is None:
        return None
    children = iter_boxes(src, meta.payload + 4, meta.end)  # meta is a full box
    iinf, iloc = find_box(children, b"iinf"), find_box(children, b"iloc")
    if iinf is None or iloc is None:
        return None
    exif_id = None
    version = src.read_exact(iinf.payload, 1)[0]
    first = iinf.payload + 4 + (2 if version == 0 else 4)
    for infe in iter_boxes(src, first, iinf.end):
        if infe.type != b"infe":
            continue
        body = src.read(infe.payload, 16)
        if len(body) < 12 or body[0] < 2:
            continue
        if body[0] == 2:
            item_id, item_type = struct.unpack_from(">H", body, 4)[0], body[8:12]
        else:
            item_id, item_type = struct.unpack_from(">I", body, 4)[0], body[10:14]
        if item_type == b"Exif":
            exif_id = item_id
            break
    if exif_id is None:
        return None
    extent = _iloc_extent(src, iloc.payload, iloc.end, exif_id)
    if extent is None:
        return None
    block = src.read(extent[0], min(extent[1], 1 << 20))
    if len(block) < 4:
        return None
    skip = 4 + struct.unpack_from(">I", block, 0)[0]  # offset to the TIFF header
    tiff = block[skip:]
    if tiff[:2] not in (b"II", b"MM"):  # some writers get the offset wrong: search for it
        at = max(block.find(b"II*\x00", 4), block.find(b"MM\x00*", 4))
        tiff = block[at:] if at >= 0 else b""
    return tiff or None


def _iloc_extent(src: ByteSource, start: int, end: int, wanted: int) -> tuple[int, int] | None:
    """(offset, length) of the first extent of item `wanted` in an iloc box."""
    d = src.read(start, min(end - start, 1 << 20))
    version = d[0]
    sizes = d[4:6]
    off_size, len_size = sizes[0] >> 4, sizes[0] & 15
    base_size, idx_size = sizes[1] >> 4, (sizes[1] & 15 if version in (1, 2) else 0)
    pos = 6
    if version < 2:
        count = struct.unpack_from(">H", d, pos)[0]
        pos += 2
    else:
        count = struct.unpack_from(">I", d, pos)[0]
        pos += 4

    def uint(n: int) -> int:
        nonlocal pos
        v = int.from_bytes(d[pos : pos + n], "big") if n else 0
        pos += n
        return v

    for _ in range(min(count, 100_000)):
        item_id = uint(2 if version < 2 else 4)
        method = uint(2) & 15 if version in (1, 2) else 0
        uint(2)  # data_reference_index
        base = uint(base_size)
        extents = uint(2)
        first: tuple[int, int] | None = None
        for _ in range(extents):
            uint(idx_size)
            off, length = uint(off_size), uint(len_size)
            if first is None:
                first = (base + off, length)
        if pos > len(d):
            return None
        if item_id == wanted:
            return first if method == 0 else None
    return None


# --------------------------------------------------------------------------------------------
# Public readers


def read_capture_info(path: str | os.PathLike[str]) -> CaptureInfo:
    """What the camera recorded about the photo at `path`, read from its headers only.

    Never raises: a missing or unreadable file, an unknown format or broken EXIF all give what
    could be read (possibly an empty CaptureInfo).
    """
    try:
        with open(path, "rb") as f:
            src = ByteSource(file=f)
            head = src.read(0, HEAD_SIZE)
            fmt = detect_format_bytes(head, path)
            try:
                exif = exif_from_source(src, fmt, head)
            except (ValueError, struct.error, IndexError):
                exif = None
    except OSError:
        return CaptureInfo()
    return exif.capture_info() if exif is not None else CaptureInfo()


def read_capture_info_from_image(image: Image.Image) -> CaptureInfo:
    """CaptureInfo of an already opened Pillow image (no re-opening, no pixel decoding for most
    formats). Never raises."""
    block = image.info.get("exif")
    if isinstance(block, bytes | bytearray) and block:
        parsed = parse_exif(bytes(block))
        if parsed.ifd0 or parsed.exif:
            return parsed.capture_info()
    try:
        exif = image.getexif()
        ifd0 = {int(k): v for k, v in exif.items()}
        sub = {int(k): v for k, v in exif.get_ifd(EXIF_IFD_POINTER).items()}
    except Exception:  # Pillow raises many types on broken EXIF
        return CaptureInfo()
    return capture_info_from_tags(ifd0, sub)
