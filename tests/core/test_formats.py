"""Format detection by content, extension lists, and the header parsers' robustness."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image

from reviewer.core.errors import PhotoError
from reviewer.core.formats import (
    PHOTO_EXTENSIONS,
    RASTER_EXTENSIONS,
    RAW_EXTENSIONS,
    SIDECAR_EXTENSIONS,
    ByteSource,
    TiffReader,
    describe_unknown,
    detect_format,
    detect_format_bytes,
    is_photo_path,
    is_sidecar_path,
    parse_jpeg_header,
    parse_webp_header,
)
from tests.conftest import SHARED_PHOTOS

FORMATS = SHARED_PHOTOS / "formats"
needs_shared = pytest.mark.skipif(not FORMATS.is_dir(), reason="shared photos not available")


# --------------------------------------------------------------------------------------------
# Extension lists


def test_extension_sets_are_lowercase_dotted_and_consistent() -> None:
    for ext in PHOTO_EXTENSIONS | SIDECAR_EXTENSIONS:
        assert ext.startswith(".") and ext == ext.lower()
    assert PHOTO_EXTENSIONS == RAW_EXTENSIONS | RASTER_EXTENSIONS
    assert not RAW_EXTENSIONS & RASTER_EXTENSIONS
    assert not SIDECAR_EXTENSIONS & PHOTO_EXTENSIONS
    assert {".nef", ".cr2", ".cr3", ".arw", ".raf", ".dng", ".rw2", ".orf"} <= RAW_EXTENSIONS
    assert {".jpg", ".jpeg", ".png", ".tif", ".heic", ".hif", ".webp"} <= RASTER_EXTENSIONS
    assert {".xmp", ".pp3", ".dop"} <= SIDECAR_EXTENSIONS


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IMG_0001.JPG", True),
        ("a/b/DSC_1.NEF", True),
        ("x.Cr3", True),
        ("x.heic", True),
        ("x.tiff", True),
        ("x.xmp", False),
        ("x.NEF.xmp", False),
        ("x.txt", False),
        ("noext", False),
        ("jpg", False),
        ("._IMG_0001.JPG", False),  # macOS AppleDouble fork on a FAT card
        ("dir/._x.nef", False),
    ],
)
def test_is_photo_path(name: str, expected: bool) -> None:
    assert is_photo_path(name) is expected
    assert is_photo_path(Path(name)) is expected


def test_is_sidecar_path() -> None:
    assert is_sidecar_path("IMG_1.NEF.xmp")
    assert is_sidecar_path("IMG_1.PP3")
    assert not is_sidecar_path("IMG_1.NEF")


# --------------------------------------------------------------------------------------------
# Detection of generated files


def _save(tmp_path: Path, name: str, fmt: str, **kw: object) -> Path:
    p = tmp_path / name
    Image.new("RGB", (16, 12), (10, 20, 30)).save(p, fmt, **kw)
    return p


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("a.jpg", "JPEG", "jpeg"),
        ("a.png", "PNG", "png"),
        ("a.tif", "TIFF", "tiff"),
        ("a.webp", "WEBP", "webp"),
        ("a.bmp", "BMP", "bmp"),
        # The content wins over a lying extension.
        ("png_named.jpg", "PNG", "png"),
        ("jpeg_named.png", "JPEG", "jpeg"),
        ("jpeg_named.nef", "JPEG", "jpeg"),
        ("webp_named.jpg", "WEBP", "webp"),
        # A TIFF container with a RAW extension is taken as RAW (TIFF-based raws look like this).
        ("tiff_named.nef", "TIFF", "raw"),
        ("tiff_named.DNG", "TIFF", "raw"),
    ],
)
def test_detect_generated(tmp_path: Path, name: str, fmt: str, expected: str) -> None:
    assert detect_format(_save(tmp_path, name, fmt)) == expected


def test_detect_heif_and_avif(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    p = tmp_path / "x.jpg"  # lying extension
    pillow_heif.from_pillow(Image.new("RGB", (16, 16), "red")).save(p, quality=50)
    assert detect_format(p) == "heif"
    head = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"
    assert detect_format_bytes(head) == "heif"


def test_detect_not_images(tmp_path: Path) -> None:
    text = tmp_path / "notes.nef"
    text.write_text("hello, this is not a raw file\n")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    gif = tmp_path / "anim.jpg"
    Image.new("P", (4, 4)).save(gif, "GIF")
    for p in (text, empty, gif):
        assert detect_format(p) == "unknown"


def test_detect_unreadable(tmp_path: Path) -> None:
    with pytest.raises(PhotoError, match="file not found") as e:
        detect_format(tmp_path / "missing.jpg")
    assert e.value.path == tmp_path / "missing.jpg"
    with pytest.raises(PhotoError, match="directory"):
        detect_format(tmp_path)


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(52), "x.tif", "raw"),  # CR2 magic
        (b"IIRO\x08\x00\x00\x00" + bytes(56), "", "raw"),  # Olympus ORF
        (b"MMOR\x00\x00\x00\x08" + bytes(56), "", "raw"),
        (b"IIU\x00\x08\x00\x00\x00" + bytes(56), "", "raw"),  # Panasonic RW2
        (b"FUJIFILMCCD-RAW 0201FF383501" + bytes(40), "", "raw"),
        (b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom" + bytes(40), "", "raw"),  # CR3
        (b"FOVb\x02\x00\x03\x00" + bytes(56), "", "raw"),  # Sigma X3F
        (b"II\x1a\x00\x00\x00HEAPCCDR" + bytes(50), "", "raw"),  # Canon CRW
        (b"\x00MRM\x00\x00\x01\x00" + bytes(56), "", "raw"),  # Minolta MRW
        (b"IIII\x01\x00\x00\x00" + bytes(56), "", "raw"),  # Phase One IIQ
        (b"II*\x00\x08\x00\x00\x00" + bytes(56), "x.tif", "tiff"),
        (b"II+\x00\x08\x00\x00\x00" + bytes(56), "", "tiff"),  # BigTIFF
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2mp41" + bytes(36), "x.heic", "unknown"),
        (b"BMxxxxxxxxxxxx\x28\x00\x00\x00" + bytes(40), "", "bmp"),
        (b"BM is for bitmap, or is it?" + bytes(40), "", "unknown"),
        (b"", "", "unknown"),
    ],
)
def test_detect_magic(head: bytes, name: str, expected: str) -> None:
    assert detect_format_bytes(head, name) == expected


def test_dng_recognised_by_content_without_its_extension() -> None:
    # A minimal little-endian TIFF whose IFD0 has DNGVersion (0xC612).
    ifd = struct.pack("<H", 1) + struct.pack("<HHI4s", 0xC612, 1, 4, b"\x01\x04\x00\x00")
    head = b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00"
    assert detect_format_bytes(head, "renamed.tif") == "raw"


@needs_shared
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("RAW_KODAK_DC50_é.KDC", "raw"),
        ("IMG_1361.dng", "raw"),
        ("DNG.dng", "raw"),
        ("Canon-R6-pruned.CR3", "raw"),
        ("CanonRaw.cr2", "raw"),
        ("Nikon.nef", "raw"),
        ("FujiFilm.raf", "raw"),
        ("Stonehenge.heic", "heif"),
        ("heic.heic", "heif"),
        ("Bush-dog.tif", "tiff"),
        ("tif-with-iptc-icc-xmp.tif", "tiff"),
    ],
)
def test_detect_shared_files(name: str, expected: str) -> None:
    assert detect_format(FORMATS / name) == expected


@needs_shared
def test_raw_content_found_without_extension(tmp_path: Path) -> None:
    for name in ("CanonRaw.cr2", "IMG_1361.dng", "FujiFilm.raf", "Canon-R6-pruned.CR3"):
        copy = tmp_path / (Path(name).stem + ".tif")
        copy.write_bytes((FORMATS / name).read_bytes())
        assert detect_format(copy) == "raw", name


def test_describe_unknown() -> None:
    assert describe_unknown(b"") == "file is empty (0 bytes)"
    assert describe_unknown(b"GIF89a\x01\x00") == "unsupported format (GIF)"
    assert describe_unknown(b"hello world, not a photo") == (
        "not an image file (starts with 'hello world,')"
    )
    assert "00 01 02" in describe_unknown(bytes(range(20)))
    assert "video" in describe_unknown(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00")


# --------------------------------------------------------------------------------------------
# Parsers on hostile input


def test_tiff_reader_survives_cycles_and_garbage() -> None:
    # IFD0 at 8 whose "next IFD" points back at itself.
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, 6) + struct.pack("<I", 8)
    tiff = TiffReader(ByteSource(b"II*\x00" + struct.pack("<I", 8) + ifd))
    chain = tiff.ifd_chain(limit=10)
    assert len(chain) == 1 and chain[0][0x0112] == 6

    # An entry whose value offset points far past the end, and an unknown type: both skipped.
    entries = struct.pack("<HHII", 0x010F, 2, 50, 10_000) + struct.pack("<HHII", 0x0110, 99, 1, 0)
    data = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 2) + entries + bytes(4)
    tags, nxt = TiffReader(ByteSource(data)).read_ifd(8)
    assert tags == {} and nxt == 0

    with pytest.raises(ValueError):
        TiffReader(ByteSource(b"not a tiff"))
    # Entry count claims far more than the data holds: no exception from the chain walk.
    bogus = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 900) + bytes(30)
    assert TiffReader(ByteSource(bogus)).ifd_chain() == [{}]


def test_parse_jpeg_header(tmp_path: Path) -> None:
    p = _save(tmp_path, "a.jpg", "JPEG")
    data = p.read_bytes()
    hdr = parse_jpeg_header(ByteSource(data))
    assert (hdr.width, hdr.height, hdr.components) == (16, 12, 3)
    assert data[hdr.sos_offset : hdr.sos_offset + 2] == b"\xff\xda"
    for cut in (1, 10, hdr.sos_offset - 3):
        with pytest.raises(ValueError):
            parse_jpeg_header(ByteSource(data[:cut]))
    with pytest.raises(ValueError):
        parse_jpeg_header(ByteSource(b"\xff\xd8\xff\xd9"))


@pytest.mark.parametrize("lossless", [False, True])
def test_parse_webp_header(tmp_path: Path, lossless: bool) -> None:
    p = tmp_path / "a.webp"
    Image.new("RGB", (37, 21), "red").save(p, "WEBP", lossless=lossless)
    hdr = parse_webp_header(ByteSource(p.read_bytes()))
    assert (hdr.width, hdr.height) == (37, 21)
