"""Capture metadata: real camera files (incl. broken EXIF and RAW headers) and generated EXIF."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from reviewer.core.metadata import (
    CaptureInfo,
    camera_name,
    capture_info_from_tags,
    parse_exif,
    parse_exif_datetime,
    read_capture_info,
    read_capture_info_from_image,
)
from tests.conftest import SHARED_PHOTOS

CAMERA = SHARED_PHOTOS / "real" / "camera"
KWENTAR = SHARED_PHOTOS / "real" / "kwentar"
FORMATS = SHARED_PHOTOS / "formats"
needs_shared = pytest.mark.skipif(not FORMATS.is_dir(), reason="shared photos not available")


# --------------------------------------------------------------------------------------------
# Real files: values checked against Pillow's own EXIF parser and the file's raw IFD entries.


@needs_shared
def test_nikon_d80_jpeg() -> None:
    info = read_capture_info(CAMERA / "2008-05_DSC_0294.JPG")
    assert info.camera == "NIKON D80"  # Make "NIKON CORPORATION" de-duplicated
    assert info.focal_length_mm == 70.0
    assert info.aperture == 4.5
    assert info.shutter_s == pytest.approx(1 / 40)
    assert info.iso == 100
    # DateTimeOriginal (not the later DateTime 2008:05:14) + SubSecTimeOriginal "80"
    assert info.captured_at == datetime(2008, 5, 10, 18, 58, 54, 800_000)
    assert info.orientation == 1
    assert info.summary() == "NIKON D80 · 70 mm · f/4.5 · 1/40 s · ISO 100"


@needs_shared
def test_samsung_phone_rotated() -> None:
    info = read_capture_info(CAMERA / "exiv2-bug2565.jpg")
    assert info.camera == "samsung SM-G930V"
    assert info.orientation == 6
    assert info.iso == 40 and info.aperture == 1.7 and info.focal_length_mm == 4.2
    assert info.captured_at == datetime(2018, 4, 10, 18, 28, 3)


@needs_shared
def test_iphone_lens_and_subseconds() -> None:
    info = read_capture_info(CAMERA / "iphone_hdr_YES.jpg")
    assert info.camera == "Apple iPhone 6"
    assert info.lens == "iPhone 6 back camera 4.15mm f/2.2"
    assert info.captured_at == datetime(2015, 4, 10, 20, 12, 23, 550_000)


@needs_shared
def test_broken_exif_files_give_what_can_be_read() -> None:
    # The Exif-IFD pointer has type ASCII: only IFD0's DateTime is usable.
    info = read_capture_info(CAMERA / "30-type_error.jpg")
    assert info.camera is None and info.iso is None
    assert info.captured_at == datetime(2013, 7, 7, 17, 20, 59)

    info = read_capture_info(CAMERA / "35-empty.jpg")
    assert info.camera == "CASIO EX-Z750"  # "CASIO COMPUTER CO.,LTD " shortened
    assert info.iso is None and info.aperture == 4.0

    info = read_capture_info(CAMERA / "87_OSError.jpg")
    assert info.camera == "NIKON D70s"
    assert info.lens == "18.0-70.0 mm f/3.5-4.5"
    assert (info.iso, info.focal_length_mm) == (1000, 60.0)

    info = read_capture_info(CAMERA / "corrupted.jpg")
    assert info.camera == "OLYMPUS u1020,S1020"  # "OLYMPUS IMAGING CORP." shortened
    assert info.iso == 80


@needs_shared
@pytest.mark.parametrize("path", sorted(CAMERA.glob("*")) if CAMERA.is_dir() else [])
def test_real_jpegs_agree_with_pillow(path: Path) -> None:
    """An independent parser (Pillow) reads the same values as ours on every camera JPEG."""
    with Image.open(path) as im:
        exif = im.getexif()
        sub = exif.get_ifd(0x8769)
    info = read_capture_info(path)
    if 0x829D in sub:
        assert info.aperture == pytest.approx(float(sub[0x829D]))
    if 0x829A in sub:
        assert info.shutter_s == pytest.approx(float(sub[0x829A]))
    if 0x8827 in sub:
        assert info.iso == int(sub[0x8827])
    if 0x920A in sub:
        assert info.focal_length_mm == pytest.approx(float(sub[0x920A]))
    if 0x0110 in exif:
        assert info.camera is not None and str(exif[0x0110]).split()[-1] in info.camera
    assert info.orientation == int(exif.get(0x0112, 1))


@needs_shared
def test_kwentar_files_have_no_exif() -> None:
    # Despite the NIKON-D3400 in the name, these files carry only a JFIF header (no APP1).
    path = KWENTAR / "106_NIKON-D3400-35MM_S.JPG"
    assert b"Exif" not in path.read_bytes()[:4096]
    assert read_capture_info(path) == CaptureInfo()


@needs_shared
@pytest.mark.parametrize(
    ("name", "camera", "expected"),
    [
        (
            "Canon-R6-pruned.CR3",  # ISO-BMFF: CMT1/CMT2 boxes
            "Canon EOS R6",
            {"lens": "RF70-200mm F2.8 L IS USM", "focal_length_mm": 200.0, "iso": 100,
             "captured_at": datetime(2021, 5, 12, 12, 21, 21, 920_000,
                                     tzinfo=timezone(timedelta(hours=2)))},
        ),
        ("CanonRaw.cr2", "Canon EOS 350D DIGITAL",  # Pillow cannot open this one
         {"aperture": 8.0, "iso": 400, "captured_at": datetime(2005, 8, 3, 18, 59, 18)}),
        ("Nikon.nef", "NIKON D70", {"focal_length_mm": 18.0, "shutter_s": 0.05, "iso": 200}),
        ("FujiFilm.raf", "FUJIFILM FinePix S5Pro", {"aperture": 8.0, "iso": 100}),
        (
            "IMG_1361.dng",
            "Apple iPhone 12 Pro",
            {"orientation": 6, "aperture": 1.6, "iso": 32,
             "captured_at": datetime(2020, 12, 29, 14, 24, 45, 700_000,
                                     tzinfo=timezone(timedelta(hours=-5)))},
        ),
        # TIFF/EP style: exposure tags in IFD0; the Model ends in a NUL that must go.
        ("RAW_KODAK_DC50_é.KDC", "Kodak Digital Science DC50 Zoom Camera",
         {"focal_length_mm": 37.0, "aperture": 6.2}),
        ("Stonehenge.heic", "NIKON D5300", {"focal_length_mm": 44.0, "iso": 200}),
        ("tif-with-iptc-icc-xmp.tif", "Canon EOS 5D Mark III",
         {"lens": "EF70-200mm f/2.8L USM", "aperture": 7.1}),
    ],
)  # fmt: skip
def test_raw_heif_tiff_metadata(name: str, camera: str, expected: dict[str, object]) -> None:
    info = read_capture_info(FORMATS / name)
    assert info.camera == camera
    for key, value in expected.items():
        assert getattr(info, key) == value, key


@needs_shared
def test_heif_without_exif() -> None:
    assert read_capture_info(FORMATS / "heic.heic") == CaptureInfo()


# --------------------------------------------------------------------------------------------
# Never raises


def test_unreadable_paths_give_empty_info(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "junk.nef").write_bytes(b"hello")
    (tmp_path / "cut.jpg").write_bytes(b"\xff\xd8\xff\xe1\x10\x00Exif\x00\x00II*\x00")
    for name in ("missing.jpg", "empty.jpg", "junk.nef", "cut.jpg", ""):
        assert read_capture_info(tmp_path / name) == CaptureInfo()


@pytest.mark.parametrize(
    "block",
    [
        b"",
        b"Exif\x00\x00",
        b"Exif\x00\x00garbage garbage",
        b"II*\x00\xff\xff\xff\x7f",  # IFD offset far past the end
        b"MM\x00*\x00\x00\x00\x08\xff\xff" + bytes(20),  # 65535 entries claimed
    ],
)
def test_parse_exif_garbage(block: bytes) -> None:
    assert parse_exif(block).capture_info() == CaptureInfo()


# --------------------------------------------------------------------------------------------
# Generated EXIF (written by Pillow, a different writer than ours)


def _exif(ifd0: dict[int, object], sub: dict[int, object] | None = None) -> Image.Exif:
    exif = Image.Exif()
    for k, v in ifd0.items():
        exif[k] = v
    if sub:
        exif[0x8769] = sub
    return exif


FULL = _exif(
    {0x010F: "Canon", 0x0110: "Canon EOS R6", 0x0112: 8, 0x0132: "2022:01:01 00:00:00"},
    {0x829A: 1 / 250, 0x829D: 2.8, 0x8827: 400, 0x920A: 35.0, 0x9003: "2021:05:12 12:21:21",
     0x9011: "-03:30", 0x9291: "5", 0xA434: "RF35mm F1.8 MACRO IS STM"},
)  # fmt: skip
FULL_INFO = CaptureInfo(
    camera="Canon EOS R6",
    lens="RF35mm F1.8 MACRO IS STM",
    focal_length_mm=35.0,
    aperture=2.8,
    shutter_s=1 / 250,
    iso=400,
    captured_at=datetime(2021, 5, 12, 12, 21, 21, 500_000, tzinfo=timezone(-timedelta(hours=3.5))),
    orientation=8,
)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_generated_files(tmp_path: Path, fmt: str) -> None:
    p = tmp_path / f"x.{fmt.lower()}"
    Image.new("RGB", (8, 6), "red").save(p, fmt, exif=FULL.tobytes())
    info = read_capture_info(p)
    assert info == FULL_INFO
    with Image.open(p) as im:
        assert read_capture_info_from_image(im) == FULL_INFO


def test_generated_heic(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    p = tmp_path / "x.heic"
    heif = pillow_heif.from_pillow(Image.new("RGB", (16, 16), "red"))
    heif.save(p, exif=FULL.tobytes(), quality=50)
    info = read_capture_info(p)
    assert info.camera == "Canon EOS R6" and info.iso == 400
    assert info.captured_at == FULL_INFO.captured_at


def test_little_endian_exif_and_thumbnail_location() -> None:
    # Hand-built little-endian TIFF: IFD0 (Make, Model, Orientation) -> IFD1 (thumbnail).
    make, model = b"NIKON CORPORATION\x00", b"NIKON D3400\x00"
    ifd0_off = 8
    n0 = 3
    data_off = ifd0_off + 2 + 12 * n0 + 4
    ifd1_off = data_off + len(make) + len(model)
    ifd0 = struct.pack("<H", n0)
    ifd0 += struct.pack("<HHII", 0x010F, 2, len(make), data_off)
    ifd0 += struct.pack("<HHII", 0x0110, 2, len(model), data_off + len(make))
    ifd0 += struct.pack("<HHIHH", 0x0112, 3, 1, 3, 0)  # SHORT 3, inline
    ifd0 += struct.pack("<I", ifd1_off)
    thumb_off = ifd1_off + 2 + 12 * 2 + 4
    ifd1 = struct.pack("<H", 2)
    ifd1 += struct.pack("<HHII", 0x0201, 4, 1, thumb_off)
    ifd1 += struct.pack("<HHII", 0x0202, 4, 1, 4) + struct.pack("<I", 0)
    tiff = b"II*\x00" + struct.pack("<I", ifd0_off) + ifd0 + make + model + ifd1 + b"\xff\xd8ab"
    parsed = parse_exif(b"Exif\x00\x00" + tiff)
    assert parsed.capture_info() == CaptureInfo(camera="NIKON D3400", orientation=3)
    assert parsed.thumbnail == (thumb_off, 4)
    assert tiff[thumb_off : thumb_off + 2] == b"\xff\xd8"


# --------------------------------------------------------------------------------------------
# Value rules


@pytest.mark.parametrize(
    ("make", "model", "expected"),
    [
        ("Canon", "Canon EOS R6", "Canon EOS R6"),
        ("NIKON CORPORATION", "NIKON D3400", "NIKON D3400"),
        ("  SONY ", " ILCE-7M3\x00", "SONY ILCE-7M3"),
        ("FUJIFILM", "X-T3", "FUJIFILM X-T3"),
        ("OLYMPUS IMAGING CORP.", "E-M1MarkII", "OLYMPUS E-M1MarkII"),
        ("Eastman Kodak Company", "Kodak DC50", "Kodak DC50"),
        ("RICOH IMAGING COMPANY, LTD.", "PENTAX K-1", "RICOH PENTAX K-1"),
        ("Apple", "", "Apple"),
        ("", "iPhone 12", "iPhone 12"),
        (None, None, None),
        ("Jolla", "Jolla", "Jolla"),
    ],
)
def test_camera_name(make: str | None, model: str | None, expected: str | None) -> None:
    if model is not None:
        model = model.replace("\x00", "")
    assert camera_name(make, model) == expected


@pytest.mark.parametrize(
    ("value", "subsec", "offset", "expected"),
    [
        ("2021:05:12 12:21:21", None, None, datetime(2021, 5, 12, 12, 21, 21)),
        ("2021:05:12 12:21:21", "123456789", "+02:00",
         datetime(2021, 5, 12, 12, 21, 21, 123456, tzinfo=timezone(timedelta(hours=2)))),
        ("2021-05-12T12:21:21", None, "Z", datetime(2021, 5, 12, 12, 21, 21, tzinfo=UTC)),
        ("2021:05:12 12:21", None, "  :  ", datetime(2021, 5, 12, 12, 21)),
        ("0000:00:00 00:00:00", None, None, None),
        ("    :  :     :  :  ", None, None, None),
        ("2021:13:40 99:00:00", None, None, None),
        ("yesterday", None, None, None),
        (None, None, None, None),
    ],
)  # fmt: skip
def test_parse_exif_datetime(
    value: str | None, subsec: str | None, offset: str | None, expected: datetime | None
) -> None:
    assert parse_exif_datetime(value, subsec, offset) == expected


def test_tag_fallbacks_and_odd_values() -> None:
    # APEX values when FNumber/ExposureTime are missing; ISO 65535 -> ISOSpeed.
    info = capture_info_from_tags({}, {0x9202: 4.0, 0x9201: 8.0, 0x8827: 65535, 0x8833: 102400})
    assert info.aperture == 4.0 and info.shutter_s == pytest.approx(1 / 256)
    assert info.iso == 102400
    # Nonsense is dropped, not raised: zero/negative numbers, bad orientation, lens "----".
    info = capture_info_from_tags(
        {0x0112: 9, 0x010F: b"\xff\xfe"},
        {0x829D: 0.0, 0x829A: -1.0, 0x8827: (0, 0), 0x920A: "abc", 0xA434: "----"},
    )
    assert info.orientation == 1
    assert (info.aperture, info.shutter_s, info.iso, info.focal_length_mm, info.lens) == (
        None, None, None, None, None,
    )  # fmt: skip
    # ISO given as a tuple (several values): the first one; DateTime used when no Original.
    info = capture_info_from_tags({0x0132: "2020:01:02 03:04:05"}, {0x8827: (200, 400)})
    assert info.iso == 200 and info.captured_at == datetime(2020, 1, 2, 3, 4, 5)
