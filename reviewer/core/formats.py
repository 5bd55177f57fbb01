"""What kind of photo a file is: extensions, content sniffing and small container parsers.

Everything here is pure Python and header-only: no pixels are decoded. The parsers (JPEG
segments, TIFF IFDs, ISO-BMFF boxes, PNG/WebP/BMP headers) read through a `ByteSource`, either
bytes already in memory or an open file read at random offsets, so a caller that has the whole
file in memory never reads it twice and one that only needs a header never reads more.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
import zlib
from collections.abc import Container
from dataclasses import dataclass
from typing import BinaryIO, Literal

from reviewer.core.errors import PhotoError

RAW_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".sr2", ".srf", ".raf", ".orf", ".rw2",
        ".pef", ".dng", ".srw", ".kdc", ".3fr", ".iiq", ".x3f", ".erf", ".mef", ".mos", ".mrw",
        ".dcr", ".rwl",
    }
)  # fmt: skip
RASTER_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".webp", ".bmp", ".heic", ".heif", ".hif"}
)
PHOTO_EXTENSIONS: frozenset[str] = RAW_EXTENSIONS | RASTER_EXTENSIONS
# Files that editing/culling tools write beside a shot (same stem): they follow the photo when it
# is moved or rejected. Darktable writes "IMG_1.NEF.xmp", the others "IMG_1.xmp" or similar.
SIDECAR_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".xmp",  # Lightroom, Bridge, darktable, Photo Mechanic, digiKam...
        ".pp3",  # RawTherapee
        ".dop",  # DxO PhotoLab
        ".on1",  # ON1 Photo RAW
        ".arp",  # ACDSee / ArcSoft edit settings
        ".cos", ".cof", ".cot",  # Capture One settings, metadata, thumbnail
        ".aae",  # Apple Photos edits
    }
)  # fmt: skip

PhotoFormat = Literal["jpeg", "png", "tiff", "webp", "bmp", "heif", "raw", "unknown"]

# How much of a file `detect_format` reads: enough for every magic number and, for most TIFF
# files, the first IFD (to spot a DNG without its extension).
HEAD_SIZE = 4096

_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
     b"mif2", b"avif", b"avis", b"avci", b"avcs"}
)  # fmt: skip
AVIF_BRANDS = frozenset({b"avif", b"avis"})
_BMP_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def is_photo_path(path: str | os.PathLike[str]) -> bool:
    """True if the name looks like a photo we read (by extension only, no I/O).

    macOS "._name.jpg" AppleDouble files (resource forks left on FAT/exFAT cards) are not photos.
    """
    name = os.path.basename(os.fspath(path))
    if name.startswith("._"):
        return False
    return os.path.splitext(name)[1].lower() in PHOTO_EXTENSIONS


def is_sidecar_path(path: str | os.PathLike[str]) -> bool:
    """True if the name is an editing sidecar (.xmp, .pp3, ...), by extension only."""
    return os.path.splitext(os.fspath(path))[1].lower() in SIDECAR_EXTENSIONS


def read_head(path: str | os.PathLike[str], size: int = HEAD_SIZE) -> bytes:
    """The first `size` bytes of a file; PhotoError with a short reason if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except OSError as exc:
        raise PhotoError(os.fspath(path), os_error_reason(exc)) from exc


def stat_photo_file(path: str | os.PathLike[str]) -> os.stat_result:
    """`os.stat` a photo before anything opens it: PhotoError with a clear reason for what is
    not a regular file (a FIFO, a device, a socket, a directory), a broken or looping symbolic
    link, or a file that cannot be looked at. Opening a FIFO or a device could block for ever
    or read without end, so nothing should open a photo that did not pass this first."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise PhotoError(os.fspath(path), _stat_error_reason(path, exc)) from exc
    kind = special_file_kind(st.st_mode)
    if kind is not None:
        raise PhotoError(os.fspath(path), f"is {kind}, not a photo file")
    return st


def special_file_kind(mode: int) -> str | None:
    """What a file that is not a regular file is ("a FIFO (named pipe)", ...), else None."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _stat_error_reason(path: str | os.PathLike[str], exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (the link leads back to itself)"
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            return "broken symbolic link (its target does not exist)"
        return f"broken symbolic link (its target {target} does not exist)"
    return os_error_reason(exc)


def os_error_reason(exc: OSError) -> str:
    """A short human reason for an OSError raised while opening/reading a photo."""
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read the file ({exc.strerror or exc})"


def detect_format(path: str | os.PathLike[str]) -> PhotoFormat:
    """The photo format of a file by its content (the extension only settles TIFF vs RAW).

    Raises PhotoError if the file cannot be read (missing, directory, permission).
    """
    return detect_format_bytes(read_head(path), path)


def detect_format_bytes(head: bytes, path: str | os.PathLike[str] = "") -> PhotoFormat:
    """`detect_format` on the first bytes of a file (at least 64, ideally HEAD_SIZE)."""
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brands = ftyp_brands(head)
        if brands and brands[0] == b"crx ":
            return "raw"  # Canon CR3
        if _HEIF_BRANDS.intersection(brands):
            return "heif"
        return "unknown"  # MP4/QuickTime video, JPEG 2000, ...
    if _is_raw_magic(head):
        return "raw"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        if ext in RAW_EXTENSIONS or head[8:10] == b"CR" or _is_dng(head):
            return "raw"
        return "tiff"
    if head[:4] in (b"II+\x00", b"MM\x00+"):
        return "tiff"  # BigTIFF
    if head[:2] == b"BM" and len(head) >= 18 and _u32le(head, 14) in _BMP_DIB_SIZES:
        return "bmp"
    return "unknown"


def _u32le(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", data, offset)[0])


def ftyp_brands(head: bytes) -> list[bytes]:
    """Major then compatible brands of an ISO-BMFF file's leading ftyp box."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return []
    size = min(struct.unpack_from(">I", head, 0)[0], len(head))
    brands = [head[8:12]]
    brands += [head[i : i + 4] for i in range(16, size - 3, 4)]
    return brands


def _is_raw_magic(head: bytes) -> bool:
    return (
        head[:4] in (b"IIRO", b"IIRS", b"MMOR")  # Olympus ORF
        or head[:4] == b"IIU\x00"  # Panasonic RW2 / Leica RWL
        or head[:15] == b"FUJIFILMCCD-RAW"  # Fujifilm RAF
        or head[:4] == b"FOVb"  # Sigma X3F
        or head[6:14] == b"HEAPCCDR"  # Canon CRW (CIFF)
        or head[:4] == b"\x00MRM"  # Minolta MRW
        or head[:4] in (b"IIII", b"MMMM")  # Phase One IIQ
    )


def _is_dng(head: bytes) -> bool:
    """A TIFF whose first IFD (if it is inside `head`) carries the DNGVersion tag."""
    try:
        tiff = TiffReader(ByteSource(head))
        tags, _ = tiff.read_ifd(tiff.first_ifd, wanted={0xC612})
    except (ValueError, struct.error):
        return False
    return 0xC612 in tags


def describe_unknown(head: bytes) -> str:
    """Why a file is not something we read, for an error message."""
    if not head:
        return "file is empty (0 bytes)"
    known = (
        (b"GIF87a", "GIF"), (b"GIF89a", "GIF"), (b"8BPS", "Photoshop PSD"), (b"%PDF", "PDF"),
        (b"\xff\x0a", "JPEG XL"), (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
        (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"), (b"\xff\x4f\xff\x51", "JPEG 2000"),
        (b"PK\x03\x04", "ZIP archive"),
    )  # fmt: skip
    for magic, name in known:
        if head.startswith(magic):
            return f"unsupported format ({name})"
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("latin-1").strip()
        return f"unsupported format (ISO media, brand '{brand}': a video?)"
    sample = head[:12]
    if all(32 <= b < 127 or b in (9, 10, 13) for b in sample):
        shown = repr(sample.decode("ascii"))
    else:
        shown = sample.hex(" ")
    return f"not an image file (starts with {shown})"


# --------------------------------------------------------------------------------------------
# Byte sources


class ByteSource:
    """Random-access reads from bytes in memory or from an open binary file.

    `read` never raises for a range past the end: it returns what exists (maybe b"").
    """

    def __init__(self, data: bytes | memoryview | None = None, file: BinaryIO | None = None):
        if (data is None) == (file is None):
            raise ValueError("give data or file")
        self._data = memoryview(data) if data is not None else None
        self._file = file
        if file is not None:
            self.size = os.fstat(file.fileno()).st_size
        else:
            assert self._data is not None
            self.size = len(self._data)

    def read(self, offset: int, size: int) -> bytes:
        if offset < 0 or size <= 0 or offset >= self.size:
            return b""
        if self._data is not None:
            return bytes(self._data[offset : offset + size])
        assert self._file is not None
        self._file.seek(offset)
        return self._file.read(size)

    def read_exact(self, offset: int, size: int) -> bytes:
        """Like read, but ValueError if fewer than `size` bytes are there."""
        b = self.read(offset, size)
        if len(b) != size:
            raise ValueError(f"unexpected end of data at {offset}")
        return b


# --------------------------------------------------------------------------------------------
# TIFF (and the TIFF-based RAW variants)

TagValue = int | float | str | bytes | tuple[int | float, ...]

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_TYPE_SIZES[129] = 1  # UTF-8 (EXIF 3.0)
_MAX_IFD_ENTRIES = 1000
_MAX_VALUE_BYTES = 1 << 20
_MAX_IFDS = 32


class TiffReader:
    """A minimal TIFF IFD reader, for metadata only, hardened against broken files.

    `base` is where the TIFF header starts inside the source (offsets are relative to it).
    Accepts the Olympus ("IIRO", "IIRS", "MMOR") and Panasonic ("IIU") header variants.
    """

    def __init__(self, src: ByteSource, base: int = 0) -> None:
        head = src.read(base, 8)
        if len(head) < 8 or head[:2] not in (b"II", b"MM"):
            raise ValueError("not a TIFF header")
        self.src = src
        self.base = base
        self.endian = "<" if head[:2] == b"II" else ">"
        magic = struct.unpack_from(self.endian + "H", head, 2)[0]
        if magic not in (42, 0x55, 0x4F52, 0x5352):
            raise ValueError("not a TIFF header")
        self.first_ifd: int = struct.unpack_from(self.endian + "I", head, 4)[0]

    def read_ifd(
        self, offset: int, wanted: Container[int] | None = None
    ) -> tuple[dict[int, TagValue], int]:
        """(tags, next IFD offset) of the IFD at `offset`; only `wanted` tags when given.

        Entries with bad types or out-of-range values are skipped; ValueError only when the IFD
        itself cannot be read.
        """
        e = self.endian
        start = self.base + offset
        head = self.src.read_exact(start, 2)
        count = struct.unpack(e + "H", head)[0]
        if count == 0 or count > _MAX_IFD_ENTRIES:
            raise ValueError(f"implausible IFD entry count {count}")
        raw = self.src.read(start + 2, count * 12 + 4)
        count = min(count, len(raw) // 12)
        tags: dict[int, TagValue] = {}
        for i in range(count):
            tag, typ, n = struct.unpack_from(e + "HHI", raw, i * 12)
            if wanted is not None and tag not in wanted:
                continue
            size = _TYPE_SIZES.get(typ)
            if size is None or n == 0 or n * size > _MAX_VALUE_BYTES:
                continue
            nbytes = n * size
            if nbytes <= 4:
                payload = raw[i * 12 + 8 : i * 12 + 8 + nbytes]
            else:
                value_offset = struct.unpack_from(e + "I", raw, i * 12 + 8)[0]
                payload = self.src.read(self.base + value_offset, nbytes)
            if len(payload) != nbytes:
                continue
            value = self._decode(typ, n, payload)
            if value is not None:
                tags[tag] = value
        nxt = 0
        if len(raw) >= count * 12 + 4:
            nxt = struct.unpack_from(e + "I", raw, count * 12)[0]
        return tags, nxt

    def _decode(self, typ: int, n: int, payload: bytes) -> TagValue | None:
        e = self.endian
        if typ in (2, 129):
            text = payload.split(b"\x00", 1)[0]
            try:
                s = text.decode("utf-8")
            except UnicodeDecodeError:
                s = text.decode("latin-1")
            return s.strip()
        if typ == 7:
            return payload
        fmt = {1: "B", 3: "H", 4: "I", 6: "b", 8: "h", 9: "i", 11: "f", 12: "d", 13: "I"}.get(typ)
        values: tuple[int | float, ...]
        if fmt is not None:
            values = struct.unpack(f"{e}{n}{fmt}", payload)
        elif typ in (5, 10):
            ints = struct.unpack(f"{e}{2 * n}{'I' if typ == 5 else 'i'}", payload)
            values = tuple(
                ints[k] / ints[k + 1] if ints[k + 1] else 0.0 for k in range(0, 2 * n, 2)
            )
        else:
            return None
        return values[0] if n == 1 else values

    def ifd_chain(
        self, wanted: Container[int] | None = None, limit: int = 4
    ) -> list[dict[int, TagValue]]:
        """IFD0, IFD1, ... following the next-IFD links (cycle-safe, at most `limit`)."""
        out: list[dict[int, TagValue]] = []
        offset = self.first_ifd
        seen: set[int] = set()
        while offset and offset not in seen and len(out) < min(limit, _MAX_IFDS):
            seen.add(offset)
            try:
                tags, offset = self.read_ifd(offset, wanted)
            except (ValueError, struct.error):
                break
            out.append(tags)
        return out

    def sub_ifd(
        self, tags: dict[int, TagValue], pointer_tag: int, wanted: Container[int] | None = None
    ) -> dict[int, TagValue]:
        """The IFD a pointer tag (e.g. 0x8769 ExifIFD) points to; {} if absent or unreadable."""
        ptr = tags.get(pointer_tag)
        if isinstance(ptr, tuple):
            ptr = ptr[0] if ptr else None
        if not isinstance(ptr, int) or ptr <= 0:
            return {}
        try:
            return self.read_ifd(ptr, wanted)[0]
        except (ValueError, struct.error):
            return {}


def tag_int(tags: dict[int, TagValue], tag: int) -> int | None:
    """An integer tag value (first of an array), or None."""
    v = tags.get(tag)
    if isinstance(v, tuple):
        v = v[0] if v else None
    if isinstance(v, int):
        return v
    return None


def tiff_image_size(tags: dict[int, TagValue]) -> tuple[int, int] | None:
    w, h = tag_int(tags, 0x0100), tag_int(tags, 0x0101)
    if w and h and w > 0 and h > 0:
        return w, h
    return None


def tiff_declared_pixels(src: ByteSource, limit: int = 16) -> int:
    """The largest image (width x height) a TIFF-based file's IFDs, SubIFDs and Exif IFD
    declare; 0 if none can be read. Used to tell a RAW file that holds only its headers (a
    few KB declaring an 8 MP sensor) from one of a camera LibRaw does not know."""
    wanted = {0x0100, 0x0101, 0x014A, 0x8769, 0xA002, 0xA003}
    try:
        tiff = TiffReader(src)
        ifds = tiff.ifd_chain(wanted, limit=limit)
    except (ValueError, struct.error):
        return 0
    best = 0
    extra: list[dict[int, TagValue]] = []
    for ifd in ifds[:4]:
        extra.append(tiff.sub_ifd(ifd, 0x8769, wanted))
        ptrs = ifd.get(0x014A)
        for ptr in (ptrs if isinstance(ptrs, tuple) else (ptrs,))[:8]:
            if isinstance(ptr, int) and ptr > 0:
                try:
                    extra.append(tiff.read_ifd(ptr, wanted)[0])
                except (ValueError, struct.error):
                    continue
    for ifd in ifds + extra:
        for wt, ht in ((0x0100, 0x0101), (0xA002, 0xA003)):
            w, h = tag_int(ifd, wt), tag_int(ifd, ht)
            if w and h and 0 < w < 1 << 17 and 0 < h < 1 << 17:
                best = max(best, w * h)
    return best


# --------------------------------------------------------------------------------------------
# JPEG

_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                          0xCF})  # fmt: skip


@dataclass(slots=True)
class JpegHeader:
    """What the segments before the first scan tell about a JPEG."""

    width: int
    height: int
    components: int
    sos_offset: int  # where the first SOS marker is (entropy data follows)
    sof_marker: int = 0xC0  # 0xC0 baseline, 0xC2 progressive, 0xC3 lossless, ...
    exif_offset: int | None = None  # absolute offset of the TIFF header inside APP1 "Exif"
    exif_size: int = 0
    # DCT samples per pixel over all components (3.0 for 4:4:4 colour, 1.5 for 4:2:0, 1.0 for
    # grey): a progressive JPEG's decoder holds 2 bytes of coefficients per sample in memory.
    samples_per_pixel: float = 3.0

    @property
    def progressive(self) -> bool:
        return self.sof_marker in (0xC2, 0xC6, 0xCA, 0xCE)


def parse_jpeg_header(src: ByteSource, start: int = 0) -> JpegHeader:
    """Walk a JPEG's marker segments up to the first SOS. ValueError if it is not sane."""
    if src.read(start, 2) != b"\xff\xd8":
        raise ValueError("no JPEG start marker")
    pos = start + 2
    size: tuple[int, int, int] | None = None
    sof = 0
    samples = 3.0
    exif: tuple[int, int] | None = None
    for _ in range(10_000):
        head = src.read(pos, 4)
        if len(head) < 2:
            raise ValueError("JPEG header ends before the image data")
        if head[0] != 0xFF:
            # Tolerate garbage between segments (some writers pad): resync on the next 0xFF.
            chunk = src.read(pos, 4096)
            skip = chunk.find(b"\xff")
            if skip < 0:
                raise ValueError("JPEG header ends before the image data")
            pos += skip
            continue
        marker = head[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # stand-alone markers
            pos += 2
            continue
        if marker == 0xD9:
            raise ValueError("JPEG ends before any image data")
        if len(head) < 4:
            raise ValueError("JPEG header ends before the image data")
        length = struct.unpack_from(">H", head, 2)[0]
        if length < 2:
            raise ValueError("corrupt JPEG segment length")
        if marker == 0xDA:
            if size is None:
                raise ValueError("JPEG has no frame header")
            w, h, n = size
            exif_offset, exif_size = exif if exif else (None, 0)
            return JpegHeader(w, h, n, pos, sof, exif_offset, exif_size, samples)
        if marker in _SOF_MARKERS and size is None:
            frame = src.read_exact(pos + 4, 6)
            h, w = struct.unpack_from(">HH", frame, 1)
            size = (w, h, frame[5])
            sof = marker
            comps = src.read(pos + 10, 3 * frame[5])
            factors = [(b >> 4, b & 15) for b in comps[1::3]]
            if factors and all(hf and vf for hf, vf in factors):
                hmax = max(hf for hf, _ in factors)
                vmax = max(vf for _, vf in factors)
                samples = sum(hf * vf for hf, vf in factors) / (hmax * vmax)
        elif (
            marker == 0xE1
            and exif is None
            and length > 14
            and src.read(pos + 4, 6)[:5] == b"Exif\x00"
        ):
            exif = (pos + 10, length - 8)
        pos += 2 + length
    raise ValueError("too many JPEG segments")


def jpeg_is_complete(data: bytes, sos_offset: int) -> bool:
    """True if the main image's EOI marker follows its scans.

    Entropy-coded data never contains FF D9 (a 0xFF there is stuffed as FF 00), so a file cut
    anywhere inside its scans has no EOI after the first SOS. Data appended after a complete
    image (MPF secondary images, motion-photo video) does not matter.
    """
    return data.rfind(b"\xff\xd9", sos_offset) >= 0


def jpeg_exif_source(src: ByteSource, header: JpegHeader) -> bytes | None:
    """The TIFF bytes of the JPEG's Exif APP1 segment (None if absent)."""
    if header.exif_offset is None:
        return None
    return src.read(header.exif_offset, header.exif_size) or None


# --------------------------------------------------------------------------------------------
# ISO-BMFF boxes (HEIF, CR3)


@dataclass(slots=True)
class Box:
    type: bytes
    start: int  # offset of the box header
    payload: int  # offset of the payload (after size, type and, for "uuid", the 16-byte id)
    end: int
    uuid: bytes = b""


def iter_boxes(src: ByteSource, start: int, end: int, limit: int = 4096) -> list[Box]:
    """The boxes laid one after another in [start, end) (not recursive)."""
    boxes: list[Box] = []
    pos = start
    while pos + 8 <= end and len(boxes) < limit:
        head = src.read(pos, 16)
        if len(head) < 8:
            break
        size, typ = struct.unpack_from(">I4s", head, 0)
        payload = pos + 8
        if size == 1:
            if len(head) < 16:
                break
            size = struct.unpack_from(">Q", head, 8)[0]
            payload += 8
        elif size == 0:
            size = end - pos
        if size < payload - pos or pos + size > end:
            break
        uuid = b""
        if typ == b"uuid":
            uuid = src.read(payload, 16)
            payload += 16
        boxes.append(Box(typ, pos, payload, pos + size, uuid))
        pos += size
    return boxes


def find_box(boxes: list[Box], typ: bytes, uuid: bytes = b"") -> Box | None:
    for b in boxes:
        if b.type == typ and (not uuid or b.uuid == uuid):
            return b
    return None


# Canon CR3 boxes
CR3_META_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
CR3_PREVIEW_UUID = bytes.fromhex("eaf42b5e1c984b88b9fbb7dc406e4d16")


# --------------------------------------------------------------------------------------------
# PNG / WebP / BMP headers


@dataclass(slots=True)
class RasterHeader:
    """Size and EXIF block (TIFF bytes) read from a PNG, WebP or BMP header."""

    width: int
    height: int
    exif: bytes | None = None


def parse_png_header(src: ByteSource, whole_file: bool = False) -> RasterHeader:
    """IHDR size plus the eXIf chunk (searched before IDAT, or everywhere if `whole_file`)."""
    ihdr = src.read(8, 25)
    if len(ihdr) < 16 or ihdr[4:8] != b"IHDR":
        raise ValueError("PNG without IHDR")
    w, h = struct.unpack_from(">II", ihdr, 8)
    exif = None
    pos = 8
    for _ in range(1_000_000):
        head = src.read(pos, 8)
        if len(head) < 8:
            break
        length, typ = struct.unpack(">I4s", head)
        if typ == b"eXIf":
            exif = _strip_exif_prefix(src.read(pos + 8, length))
            break
        if typ == b"IEND" or (typ == b"IDAT" and not whole_file):
            break
        pos += 12 + length
    return RasterHeader(w, h, exif)


_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))  # fmt: skip
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_data_extent(src: ByteSource) -> tuple[int, int, bool]:
    """(bytes the PNG's IDAT stream inflates to, capped at the expected size; the bytes its
    IHDR says it must inflate to; whether the file itself ends before its IEND chunk). The
    first is smaller in a PNG whose image data stops early: Pillow decodes such a file without
    an error and leaves the missing rows black.

    Inflates in 1 MB steps, so a bomb costs time but no memory."""
    ihdr = src.read_exact(8, 25)
    if ihdr[4:8] != b"IHDR":
        raise ValueError("PNG without IHDR")
    w, h, depth, ctype, _, _, interlace = struct.unpack_from(">IIBBBBB", ihdr, 8)
    bits = _PNG_CHANNELS.get(ctype, 4) * depth

    def size(pw: int, ph: int) -> int:
        return ph * (1 + (pw * bits + 7) // 8) if pw > 0 and ph > 0 else 0

    if interlace:
        expected = sum(
            size(-(-(w - x0) // dx) if w > x0 else 0, -(-(h - y0) // dy) if h > y0 else 0)
            for x0, y0, dx, dy in _ADAM7
        )
    else:
        expected = size(w, h)
    inflater = zlib.decompressobj()
    total = 0
    pos = 8
    cut = False
    for _ in range(1_000_000):
        head = src.read(pos, 8)
        if len(head) < 8:
            cut = True
            break
        length, typ = struct.unpack(">I4s", head)
        if typ == b"IEND":
            break
        if typ == b"IDAT":
            data = src.read(pos + 8, length)
            cut = len(data) < length
            try:
                while data and not inflater.eof and total < expected:
                    total += len(inflater.decompress(data, 1 << 20))
                    data = inflater.unconsumed_tail
            except zlib.error:
                break
            if inflater.eof or total >= expected:
                break
        pos += 12 + length
    return min(total, expected), expected, cut


def parse_webp_header(src: ByteSource) -> RasterHeader:
    """Canvas size plus the EXIF chunk of a WebP (RIFF) file."""
    riff_end = min(src.size, 8 + struct.unpack("<I", src.read_exact(4, 4))[0])
    size: tuple[int, int] | None = None
    exif = None
    pos = 12
    for _ in range(100_000):
        head = src.read(pos, 8)
        if len(head) < 8 or pos >= riff_end:
            break
        typ, length = struct.unpack("<4sI", head)
        body = pos + 8
        if typ == b"VP8X":
            d = src.read_exact(body + 4, 6)
            w = 1 + (d[0] | d[1] << 8 | d[2] << 16)
            h = 1 + (d[3] | d[4] << 8 | d[5] << 16)
            size = (w, h)
        elif typ == b"VP8 " and size is None:
            d = src.read_exact(body, 10)
            if d[3:6] != b"\x9d\x01\x2a":
                raise ValueError("bad VP8 frame")
            w, h = struct.unpack_from("<HH", d, 6)
            size = (w & 0x3FFF, h & 0x3FFF)
        elif typ == b"VP8L" and size is None:
            d = src.read_exact(body, 5)
            if d[0] != 0x2F:
                raise ValueError("bad VP8L frame")
            bits = int.from_bytes(d[1:5], "little")
            size = (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF))
        elif typ == b"EXIF":
            exif = _strip_exif_prefix(src.read(body, length))
        pos = body + length + (length & 1)
    if size is None:
        raise ValueError("WebP without an image chunk")
    return RasterHeader(size[0], size[1], exif)


def parse_bmp_header(src: ByteSource) -> RasterHeader:
    d = src.read_exact(14, 12)
    dib = struct.unpack_from("<I", d, 0)[0]
    if dib == 12:
        w, h = struct.unpack_from("<HH", d, 4)
    else:
        w, h = struct.unpack_from("<ii", d, 4)
    return RasterHeader(abs(w), abs(h))


def _strip_exif_prefix(data: bytes) -> bytes | None:
    if data.startswith(b"Exif\x00"):
        data = data[6:]
    return data or None
