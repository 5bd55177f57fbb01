"""Reading the camera's AF points: real files per make, every EXIF orientation, makernotes of
each make built byte by byte, and hostile input (truncated, looping, huge counts, fuzz)."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from reviewer.core.formats import ByteSource, parse_jpeg_header
from reviewer.core.judging.af_points import (
    AfPoints,
    af_points_from_exif,
    map_box,
    read_af_points,
    read_af_points_bytes,
)
from reviewer.core.judging.verdict import Box
from tests.conftest import SHARED_PHOTOS

_CANDIDATES = (SHARED_PHOTOS, Path("/work/shared/photos"))
PHOTOS = next((p for p in _CANDIDATES if (p / "camera-af").is_dir()), SHARED_PHOTOS)
CAMERA_AF = PHOTOS / "camera-af"
FORMATS = PHOTOS / "formats"


def _centre(b: Box) -> tuple[float, float]:
    return b.x + b.w / 2, b.y + b.h / 2


# --------------------------------------------------------------------------------------------
# Real camera files (read in place: not copied into the repository)

# file -> (source, [(cx, cy) of each box in the displayed frame]), worked out from ExifTool's
# values (`exiftool -n -AF* -SubjectArea -FocusPixel -AFPointPosition`) and the orientation.
REAL: dict[str, tuple[str, list[tuple[float, float]]]] = {
    # SubjectArea 1631 1223 on 3264x2448, Rotate 90 CW: centre.
    "camera-af/jpg__Apple_iPhone_4S.jpg": ("exif-subject-area", [(0.5, 0.5)]),
    # SubjectArea 2563 1077 on 3264x2448, Rotate 180: (1 - 0.785, 1 - 0.44).
    "camera-af/jpg__Apple_iPhone_5.jpg": ("exif-subject-area", [(0.215, 0.56)]),
    "camera-af/jpg__Issue_177.jpg": ("exif-subject-area", [(1042 / 3264, 1378 / 2448)]),
    "camera-af/jpg__Minolta_DiMAGE_7Hi.jpg": ("exif-subject-area", [(960 / 2560, 960 / 1920)]),
    # Canon AFInfo2, point 3 (0, 0) in focus, Rotate 90 CW.
    "camera-af/jpg__Canon_EOS_1000D.jpg": ("canon", [(0.5, 0.5)]),
    # Canon AFInfo (EOS: Y upwards), points 0,1,3,8 of a 3504x2336 AF frame.
    "camera-af/jpg__Canon_EOS_20D_(3).jpg": (
        "canon",
        [
            (0.5 + 8 / 3504, 0.5 - 504 / 2336),
            (0.5 - 555 / 3504, 0.5 - 270 / 2336),
            (0.5 - 931 / 3504, 0.5 - 4 / 2336),
            (0.5 + 8 / 3504, 0.5 + 496 / 2336),
        ],
    ),  # fmt: skip
    # The camera turned the pixels (AutoRotate: Rotate 270 CW); the AF frame is landscape.
    "camera-af/jpg__Canon_EOS_30D_(4).jpg": (
        "canon",
        [
            (0.5 - 504 / 2336, 0.5 - 8 / 3504),
            (0.5 - 270 / 2336, 0.5 - 571 / 3504),
            (0.5 - 4 / 2336, 0.5 - 8 / 3504),
        ],
    ),  # fmt: skip
    "camera-af/jpg__Canon_EOS_450D.jpg": ("canon", [(0.5 - 1127 / 4272, 0.5)]),
    # PowerShot: Y downwards; face-detect points 0,2,3 of a 320x240 frame.
    "camera-af/jpg__Canon_PowerShot_A560.jpg": (
        "canon",
        [
            (0.5 - 32 / 320, 0.5 - 49 / 240),
            (0.5 + 48 / 320, 0.5 - 58 / 240),
            (0.5 + 101 / 320, 0.5 - 56 / 240),
        ],
    ),  # fmt: skip
    "camera-af/jpg__Canon_PowerShot_SD600.jpg": (
        "canon",
        [(0.5 + 253 / 1408, 0.5), (0.5 - 253 / 1408, 0.5 + 49 / 264)],
    ),  # fmt: skip
    # Nothing in focus, one AF frame recorded (manual point): that frame.
    "camera-af/jpg__Canon_PowerShot_G11.jpg": ("canon", [(0.5, 0.5)]),
    "camera-af/jpg__Canon_Powershot_A2500.JPG": (
        "canon",
        [(0.5, 0.5 - 0.18), (0.5, 0.5), (0.5, 0.5 + 0.18)],
    ),  # fmt: skip
    "camera-af/jpg__FujiFilm_FinePix_F40fd.jpg": ("fujifilm", [(0.5, 0.5)]),
    # Nikon AFInfo: nothing in focus, Single Area on Center; AFInfo2 AFPointsUsed Center.
    "camera-af/jpg__Nikon_D100.jpg": ("nikon", [(0.5, 0.5)]),
    "camera-af/jpg__Nikon_D40.jpg": ("nikon", [(0.5, 0.5)]),
    "camera-af/jpg__Nikon_D90.jpg": ("nikon", [(0.5, 0.5)]),
    "camera-af/jpg__Panasonic_Lumix_DMC-LX7.jpg": ("panasonic", [(0.5, 0.5)]),
    "camera-af/jpg__Sigma_DP1.jpg": ("sigma", [(0.5, 0.5)]),
    # RAW files: CR2, Canon DNG (makernote in DNGPrivateData), NEF, iPhone DNG (Rotate 90 CW).
    "formats/CanonRaw.cr2": ("canon", [(0.5, 0.5)]),
    "formats/DNG.dng": ("canon", [(0.5, 0.5)]),
    "formats/Nikon.nef": ("nikon", [(0.5, 0.5)]),
    "formats/IMG_1361.dng": ("exif-subject-area", [(1 - 1506 / 3024, 2009 / 4032)]),
}
# No AF position: a pixel-turned Nikon compact (which way is not recorded), an Olympus with no
# AF areas, a SubjectArea covering the whole frame, a manual-focus CR3, files without makernotes.
NONE = [
    "camera-af/jpg__Nikon_E5700.jpg",
    "camera-af/jpg__Olympus_S760.jpg",
    "camera-af/jpg__Minolta_DiMAGE_A1.jpg",
    "formats/Canon-R6-pruned.CR3",
    "formats/Bush-dog.tif",
    "formats/heic.heic",
]


def _shared(rel: str) -> Path:
    path = PHOTOS / rel
    if not path.exists():
        pytest.skip(f"{path} not present (shared sample photos)")
    return path


@pytest.mark.parametrize("rel", sorted(REAL))
def test_real_file_af_points(rel: str) -> None:
    source, centres = REAL[rel]
    found = read_af_points(_shared(rel))
    assert found.source == source
    assert len(found.boxes) == len(centres)
    got = sorted(_centre(b) for b in found.boxes)
    for (gx, gy), (ex, ey) in zip(got, sorted(centres), strict=True):
        assert gx == pytest.approx(ex, abs=0.01) and gy == pytest.approx(ey, abs=0.01)
    for b in found.boxes:
        assert min(b.x, b.y) >= 0 and b.x + b.w <= 1 and b.y + b.h <= 1 and b.w * b.h > 0


@pytest.mark.parametrize("rel", NONE)
def test_real_file_without_af_points(rel: str) -> None:
    found = read_af_points(_shared(rel))
    assert found == AfPoints() and not found and found.as_lists() == []


def test_every_camera_af_file_is_read_without_error() -> None:
    files = sorted(p for p in CAMERA_AF.glob("*") if p.suffix.lower() == ".jpg")
    if not files:
        pytest.skip("camera-af photos not present")
    found = [read_af_points(p) for p in files]
    assert sum(bool(f) for f in found) >= 27  # all but E5700, S760, A1 (see NONE)


def test_in_memory_and_file_reads_agree() -> None:
    path = _shared("camera-af/jpg__Canon_EOS_20D_(3).jpg")
    assert read_af_points_bytes(path.read_bytes(), path) == read_af_points(path)


# --------------------------------------------------------------------------------------------
# Orientation: boxes land where Pillow's exif_transpose puts the pixels


@pytest.mark.parametrize("orientation", range(1, 9))
def test_mapping_matches_pillow_transpose(orientation: int) -> None:
    w, h = 60, 40
    stored = (0.1, 0.2, 0.3, 0.25)  # asymmetric, off-centre: any wrong flip moves it
    img = Image.new("L", (w, h), 0)
    x, y, bw, bh = stored
    img.paste(255, (round(x * w), round(y * h), round((x + bw) * w), round((y + bh) * h)))
    exif = img.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    img.save(buf, "PNG", exif=exif.tobytes())
    shown = ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue())))
    assert shown is not None
    left, top, right, bottom = shown.point(lambda v: 255 if v > 127 else 0).getbbox() or (0,) * 4
    sw, sh = shown.size
    mapped = af_points_from_exif([stored], orientation).boxes[0]
    assert mapped.x == pytest.approx(left / sw, abs=1e-6)
    assert mapped.y == pytest.approx(top / sh, abs=1e-6)
    assert mapped.w == pytest.approx((right - left) / sw, abs=1e-6)
    assert mapped.h == pytest.approx((bottom - top) / sh, abs=1e-6)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_real_file_under_every_orientation(orientation: int, tmp_path: Path) -> None:
    """The same Canon file rewritten with each orientation tag: boxes follow the rotation."""
    path = _shared("camera-af/jpg__Canon_EOS_450D.jpg")
    data = bytearray(path.read_bytes())
    at, endian = _orientation_value_offset(bytes(data))
    data[at : at + 2] = struct.pack(endian + "H", orientation)
    rotated = tmp_path / "rotated.jpg"
    rotated.write_bytes(bytes(data))
    upright = read_af_points(path).boxes[0]
    got = read_af_points(rotated).boxes[0]
    expect = map_box((upright.x, upright.y, upright.w, upright.h), orientation)
    assert (got.x, got.y, got.w, got.h) == pytest.approx(expect, abs=1e-6)


def _orientation_value_offset(jpeg: bytes) -> tuple[int, str]:
    tiff = jpeg.index(b"Exif\x00\x00") + 6
    e = "<" if jpeg[tiff : tiff + 2] == b"II" else ">"
    ifd0 = tiff + struct.unpack_from(e + "I", jpeg, tiff + 4)[0]
    for i in range(struct.unpack_from(e + "H", jpeg, ifd0)[0]):
        entry = ifd0 + 2 + 12 * i
        if struct.unpack_from(e + "H", jpeg, entry)[0] == 0x0112:
            return entry + 8, e
    raise AssertionError("no orientation tag")


def _with_frame_size(jpeg: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header (SOF) claiming another size, as a crop or resize would."""
    data, pos = bytearray(jpeg), 2
    while data[pos] == 0xFF:
        marker, length = data[pos + 1], struct.unpack_from(">H", data, pos + 2)[0]
        if marker in (0xC0, 0xC1, 0xC2):
            struct.pack_into(">HH", data, pos + 5, height, width)
            return bytes(data)
        pos += 2 + length
    raise AssertionError("no SOF")


@pytest.mark.parametrize(
    "rel", ["camera-af/jpg__Canon_EOS_20D_(3).jpg", "camera-af/jpg__Issue_177.jpg"]
)
def test_resized_copy_keeps_points_and_crop_drops_them(rel: str) -> None:
    data = _shared(rel).read_bytes()
    original = read_af_points_bytes(data, "x.jpg")
    assert original
    w, h = (3504, 2336) if "Canon" in rel else (3264, 2448)
    assert read_af_points_bytes(_with_frame_size(data, w // 2, h // 2), "x.jpg") == original
    assert not read_af_points_bytes(_with_frame_size(data, h, h), "x.jpg")  # cropped square


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "HEIF"])
def test_subject_area_in_every_container(fmt: str, tmp_path: Path) -> None:
    img = Image.new("RGB", (400, 300), (90, 90, 90))
    exif = Image.Exif()
    exif[0x0112] = 8  # Rotate 270 CW
    exif.get_ifd(0x8769)[0x9214] = (100, 150, 40, 30)  # centre (0.25, 0.5), 40x30 px
    if fmt == "HEIF":  # the frame size comes from the EXIF, as phones write it
        pytest.importorskip("pillow_heif").register_heif_opener()
        exif.get_ifd(0x8769).update({0xA002: 400, 0xA003: 300})
    path = tmp_path / f"photo.{fmt.lower()}"
    img.save(path, fmt, exif=exif.tobytes())
    found = read_af_points(path)
    assert found.source == "exif-subject-area"
    b = found.boxes[0]
    # Rotate 270 CW: stored (u, v) -> displayed (v, 1 - u); sizes swap.
    assert _centre(b) == pytest.approx((0.5, 0.75), abs=1e-3)
    assert (b.w, b.h) == pytest.approx((30 / 300, 40 / 400), abs=1e-3)


def test_many_boxes_become_the_box_around_them() -> None:
    grid = [(0.3 + 0.02 * i, 0.4 + 0.02 * j, 0.01, 0.01) for i in range(10) for j in range(10)]
    (box,) = af_points_from_exif(grid).boxes
    assert (box.x, box.y, box.w, box.h) == pytest.approx((0.3, 0.4, 0.19, 0.19))
    spread = [(0.01 * i, 0.01 * i, 0.01, 0.01) for i in range(99)]  # corner to corner
    assert not af_points_from_exif(spread)


def test_frame_sized_and_degenerate_boxes_are_dropped() -> None:
    assert not af_points_from_exif([(0, 0, 1, 1)])
    assert not af_points_from_exif([(0.5, 0.5, 0, 0.1)])
    assert not af_points_from_exif([(float("nan"), 0.5, 0.1, 0.1)])
    assert not af_points_from_exif([(2.0, 2.0, 0.1, 0.1)])  # outside the frame
    clipped = af_points_from_exif([(-0.05, 0.9, 0.1, 0.2)], 1).boxes[0]
    assert (clipped.x, clipped.y) == (0.0, 0.9) and clipped.w == pytest.approx(0.05)
    assert af_points_from_exif([(0.1, 0.1, 0.1, 0.1)], orientation=99).boxes  # bad tag: as 1


# --------------------------------------------------------------------------------------------
# Makernotes built byte by byte (makes without a sample file here)

Entry = tuple[int, int, int, bytes]  # tag, type, count, value bytes


def _ifd(entries: list[Entry], at: int, base: int, endian: str = "<") -> bytes:
    """An IFD written at absolute position `at`, its out-of-line values right after it, their
    offsets counted from `base`."""
    head = struct.pack(endian + "H", len(entries))
    data_at = at + 2 + 12 * len(entries) + 4
    body, data = b"", b""
    for tag, typ, count, value in sorted(entries):
        if len(value) <= 4:
            field = value.ljust(4, b"\x00")
        else:
            field = struct.pack(endian + "I", data_at + len(data) - base)
            data += value + b"\x00" * (len(value) & 1)
        body += struct.pack(endian + "HHI", tag, typ, count) + field
    return head + body + b"\x00\x00\x00\x00" + data


def _tiff(
    make: str,
    model: str,
    makernote: Callable[[int], bytes] | None,
    orientation: int = 1,
    size: tuple[int, int] = (3000, 2000),
    exif_extra: list[Entry] | None = None,
) -> bytes:
    """A little-endian TIFF: IFD0 (make, model, orientation) -> Exif IFD (size, makernote at
    offset 1024)."""
    mn_at = 1024
    mn = makernote(mn_at) if makernote else b""
    exif_entries: list[Entry] = [
        (0xA002, 4, 1, struct.pack("<I", size[0])),
        (0xA003, 4, 1, struct.pack("<I", size[1])),
        *(exif_extra or []),
    ]
    if mn:
        exif_entries.append((0x927C, 7, len(mn), b"\x00" * 8))  # placeholder, patched below
    ifd0: list[Entry] = [
        (0x010F, 2, len(make) + 1, make.encode() + b"\x00"),
        (0x0110, 2, len(model) + 1, model.encode() + b"\x00"),
        (0x0112, 3, 1, struct.pack("<H", orientation)),
        (0x8769, 4, 1, struct.pack("<I", 512)),
    ]
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    out += _ifd(ifd0, 8, 0)
    out = out.ljust(512, b"\x00")
    exif = _ifd(exif_entries, 512, 0)
    out += exif
    if mn:
        # point the makernote entry at mn_at
        idx = sorted(e[0] for e in exif_entries).index(0x927C)
        struct.pack_into("<I", out, 512 + 2 + 12 * idx + 8, mn_at)
    out = out.ljust(mn_at, b"\x00")
    return bytes(out + mn)


def _read(tiff: bytes) -> AfPoints:
    return read_af_points_bytes(tiff, "x.tif")


def test_sony_focus_location() -> None:
    def mn(at: int) -> bytes:
        value = struct.pack("<4H", 6000, 4000, 1500, 1000)
        return b"SONY DSC \x00\x00\x00" + _ifd([(0x2027, 3, 4, value)], at + 12, 0)

    found = _read(_tiff("SONY", "ILCE-7M3", mn, size=(6000, 4000)))
    assert found.source == "sony"
    assert _centre(found.boxes[0]) == pytest.approx((0.25, 0.25))


def test_fujifilm_focus_pixel() -> None:
    def mn(at: int) -> bytes:
        ifd = _ifd([(0x1023, 3, 2, struct.pack("<2H", 750, 1500))], at + 12, at)
        return b"FUJIFILM" + struct.pack("<I", 12) + ifd

    found = _read(_tiff("FUJIFILM", "X-T3", mn, size=(3000, 2000), orientation=6))
    assert found.source == "fujifilm"
    # stored (0.25, 0.75), Rotate 90 CW -> (1 - 0.75, 0.25)
    assert _centre(found.boxes[0]) == pytest.approx((0.25, 0.25))


def test_panasonic_af_point_position() -> None:
    def mn(at: int) -> bytes:
        value = struct.pack("<4I", 3, 10, 7, 10)
        return b"Panasonic\x00\x00\x00" + _ifd([(0x004D, 5, 2, value)], at + 12, 0)

    found = _read(_tiff("Panasonic", "DC-G9", mn))
    assert found.source == "panasonic"
    assert _centre(found.boxes[0]) == pytest.approx((0.3, 0.7))

    def none(at: int) -> bytes:  # 16777216 16777216 means "none"
        value = struct.pack("<4I", 16777216, 1, 16777216, 1)
        return b"Panasonic\x00\x00\x00" + _ifd([(0x004D, 5, 2, value)], at + 12, 0)

    assert not _read(_tiff("Panasonic", "DC-G9", none))


def _olympus(
    settings: list[Entry], header: bytes = b"OLYMPUS\x00II\x03\x00"
) -> Callable[[int], bytes]:
    def mn(at: int) -> bytes:
        start = len(header)
        main = _ifd([(0x2020, 13, 1, struct.pack("<I", 64))], at + start, at)
        blob = header + main
        blob = blob.ljust(64, b"\x00")
        return blob + _ifd(settings, at + 64, at)

    return mn


def test_olympus_af_areas_and_selected_point() -> None:
    area = (64 << 24) | (32 << 16) | (128 << 8) | 96  # (64,32)-(128,96) of 255
    found = _read(
        _tiff("OLYMPUS CORPORATION", "E-M1", _olympus([(0x0304, 4, 1, struct.pack("<I", area))]))
    )
    assert found.source == "olympus"
    b = found.boxes[0]
    assert (b.x, b.y, b.w, b.h) == pytest.approx((64 / 255, 32 / 255, 64 / 255, 64 / 255))

    sel = struct.pack("<10i", 0, 0, 40, 100, 30, 100, 50, 100, 50, 100)
    om = _olympus([(0x0305, 10, 5, sel)], b"OM SYSTEM\x00\x00\x00II\x04\x00")
    found = _read(_tiff("OM Digital Solutions", "OM-1", om))
    assert found.source == "olympus"
    b = found.boxes[0]
    assert (b.x, b.y, b.w, b.h) == pytest.approx((0.4, 0.3, 0.1, 0.2))


def test_pentax_points() -> None:
    def mn(entries: list[Entry]) -> Callable[[int], bytes]:
        return lambda at: b"AOC\x00II" + _ifd(entries, at + 6, 0)

    in_focus = _read(_tiff("PENTAX", "PENTAX K-5", mn([(0x000F, 3, 1, struct.pack("<H", 3))])))
    assert in_focus.source == "pentax"
    assert _centre(in_focus.boxes[0]) == pytest.approx((0.64, 0.38))  # top-right
    selected = _read(
        _tiff("PENTAX", "PENTAX K-5", mn([(0x000E, 3, 1, struct.pack("<H", 4)),
                                           (0x000F, 3, 1, struct.pack("<H", 0xFFFF))]))
    )  # fmt: skip
    assert _centre(selected.boxes[0]) == pytest.approx((0.22, 0.5))  # left


def test_nikon_afinfo2_contrast_detect_and_51_point() -> None:
    def nikon(af2: bytes) -> Callable[[int], bytes]:
        def mn(at: int) -> bytes:
            inner = b"II*\x00" + struct.pack("<I", 8) + _ifd([(0x00B7, 7, len(af2), af2)], 8, 0)
            return b"Nikon\x00\x02\x10\x00\x00" + inner

        return mn

    cd = b"0100" + bytes([1, 1, 0, 0]) + bytes(8) + struct.pack("<6H", 640, 424, 160, 106, 64, 42)
    found = _read(_tiff("NIKON CORPORATION", "NIKON D90", nikon(cd + bytes(4))))
    assert found.source == "nikon"
    b = found.boxes[0]
    assert (b.x, b.y, b.w, b.h) == pytest.approx((128 / 640, 85 / 424, 64 / 640, 42 / 424))

    # Z bodies (AFInfo2 0300): the AF area box at 0x2a, on every shot.
    z = (
        b"0300"
        + bytes([0, 193, 0, 0])
        + bytes(0x2A - 8)
        + struct.pack("<6H", 600, 400, 450, 100, 60, 40)
    )
    found = _read(_tiff("NIKON CORPORATION", "NIKON Z 7", nikon(z + bytes(8))))
    b = found.boxes[0]
    assert (b.x, b.y, b.w, b.h) == pytest.approx((0.7, 0.2, 0.1, 0.1))

    used = bytearray(7)
    used[0] = 1  # point 1 = C6, the centre
    pd = b"0101" + bytes([0, 0, 1, 1]) + bytes(used) + bytes(20)
    found = _read(_tiff("NIKON CORPORATION", "NIKON D700", nikon(pd)))
    assert _centre(found.boxes[0]) == pytest.approx((0.5, 0.5))


def test_canon_mirrorless_with_a_thousand_points() -> None:
    n, hit = 1053, 1000
    xs = [(i % 39) * 80 - 1520 for i in range(n)]
    ys = [(i // 39) * 60 - 780 for i in range(n)]
    words = (n + 15) // 16
    in_focus = [0] * words
    in_focus[hit // 16] = 1 << (hit % 16)
    af2 = [0, 2, n, n, 6000, 4000, 3408, 2272, *[60] * n, *[50] * n, *xs, *ys, *in_focus,
           *in_focus, 0]  # fmt: skip
    af2[0] = 2 * len(af2)
    data = struct.pack(f"<{len(af2)}h", *[v if v < 32768 else v - 65536 for v in af2])

    def mn(at: int) -> bytes:
        return _ifd([(0x0026, 3, len(af2), data)], at, 0)

    found = _read(_tiff("Canon", "Canon EOS R6", mn, size=(6000, 4000)))
    assert found.source == "canon" and len(found.boxes) == 1
    # EOS: Y grows upwards
    expect = (0.5 + xs[hit] / 3408, 0.5 - ys[hit] / 2272)
    assert _centre(found.boxes[0]) == pytest.approx(expect)


def test_subject_location_is_a_point() -> None:
    extra: list[Entry] = [(0xA214, 3, 2, struct.pack("<2H", 300, 1500))]
    found = _read(_tiff("Foo", "Bar", None, size=(3000, 2000), exif_extra=extra))
    assert found.source == "exif-subject-area"
    assert _centre(found.boxes[0]) == pytest.approx((0.1, 0.75))


# --------------------------------------------------------------------------------------------
# Hostile input


@pytest.mark.parametrize("garbage", [b"", b"\xff\xd8\xff", b"II*\x00\xff\xff\xff\x7f", b"x" * 100])
def test_garbage_gives_nothing(garbage: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(garbage)
    assert read_af_points(path) == AfPoints()
    assert read_af_points_bytes(garbage) == AfPoints()


def test_missing_file_and_directory_give_nothing(tmp_path: Path) -> None:
    assert read_af_points(tmp_path / "absent.jpg") == AfPoints()
    assert read_af_points(tmp_path) == AfPoints()


def test_truncated_real_files_never_raise() -> None:
    data = _shared("camera-af/jpg__Canon_EOS_20D_(3).jpg").read_bytes()[:40_000]
    for cut in range(0, len(data), 97):
        assert isinstance(read_af_points_bytes(data[:cut], "x.jpg"), AfPoints)


def test_huge_counts_and_looping_offsets() -> None:
    # Canon AFInfo2 claiming 65535 points, in a makernote entry with a count of 2**31.
    def canon(at: int) -> bytes:
        af2 = struct.pack("<8h", 16, 2, -1, -1, 3000, 2000, 3000, 2000) + bytes(64)
        entries: list[Entry] = [(0x0026, 3, len(af2) // 2, af2)]
        blob = bytearray(_ifd(entries, at, 0))
        blob += _ifd([(0x0012, 3, 0x7FFFFFFF, b"\x00" * 8)], at + len(blob), 0)
        return bytes(blob)

    assert not _read(_tiff("Canon", "Canon EOS 5D", canon))

    # An Olympus CameraSettings pointer to the makernote's own main IFD (a loop).
    def loop(at: int) -> bytes:
        return b"OLYMPUS\x00II\x03\x00" + _ifd(
            [(0x2020, 13, 1, struct.pack("<I", 12))], at + 12, at
        )

    assert not _read(_tiff("OLYMPUS CORPORATION", "E-M5", loop))

    # An IFD entry count of 65535 and offsets past the end of the file.
    def wild(at: int) -> bytes:
        return b"SONY DSC \x00\x00\x00" + b"\xff\xff" + b"\xff" * 40

    assert not _read(_tiff("SONY", "ILCE-1", wild))


_FUZZ_SEED = _tiff(
    "Canon",
    "Canon EOS 40D",
    lambda at: _ifd(
        [(0x0026, 3, 48, struct.pack("<48h", 96, 2, 9, 9, 3888, 2592, 3888, 2592,
                                     *([100] * 9), *([100] * 9), *range(-400, 500, 100),
                                     *([0] * 9), 16, 0, 0, 0))],
        at, 0,
    ),
)  # fmt: skip


def test_fuzz_seed_is_read() -> None:
    assert _read(_FUZZ_SEED).source == "canon"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_FUZZ_SEED) - 1), st.integers(0, 255)), max_size=40),
       st.integers(8, len(_FUZZ_SEED)))  # fmt: skip
def test_fuzzed_makernotes_never_raise(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_FUZZ_SEED)
    for at, value in flips:
        data[at] = value
    found = _read(bytes(data[:cut]))
    assert isinstance(found, AfPoints) and len(found.boxes) <= 64
    for b in found.boxes:
        assert 0 <= b.x <= 1 and 0 <= b.y <= 1 and 0 < b.w <= 1 and 0 < b.h <= 1


_REAL_SEEDS = [
    "jpg__Canon_EOS_20D_(3).jpg", "jpg__Canon_EOS_450D.jpg", "jpg__Nikon_D90.jpg",
    "jpg__Nikon_D40.jpg", "jpg__FujiFilm_FinePix_F40fd.jpg", "jpg__Olympus_S760.jpg",
    "jpg__Panasonic_Lumix_DMC-LX7.jpg", "jpg__Sigma_DP1.jpg", "jpg__Apple_iPhone_5.jpg",
]  # fmt: skip


def _real_seed(name: str) -> tuple[bytes, int, int]:
    """The header of a real camera JPEG (up to its image data) and where its makernote lies."""
    path = CAMERA_AF / name
    if not path.exists():
        pytest.skip("camera-af photos not present")
    data = path.read_bytes()[:200_000]
    header = parse_jpeg_header(ByteSource(data))
    tiff = header.exif_offset or 0
    mn = data.find(b"\x92\x7c" if data[tiff : tiff + 2] == b"MM" else b"\x7c\x92", tiff)
    start = max(tiff, mn)  # fuzz from the makernote entry on (the whole EXIF if none)
    return data[: header.sos_offset + 64], start, tiff + header.exif_size


@pytest.mark.parametrize("name", _REAL_SEEDS)
def test_real_seed_headers_read_like_the_files(name: str) -> None:
    data, _, _ = _real_seed(name)
    assert read_af_points_bytes(data, "x.jpg") == read_af_points(CAMERA_AF / name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_REAL_SEEDS), st.data())
def test_fuzzed_real_makernotes_never_raise(name: str, draw: st.DataObject) -> None:
    data, start, end = _real_seed(name)
    buf = bytearray(data)
    flips = draw.draw(st.lists(st.tuples(st.integers(start, end - 1), st.integers(0, 255)),
                               min_size=1, max_size=30))  # fmt: skip
    for at, value in flips:
        buf[at] = value
    found = read_af_points_bytes(bytes(buf), "x.jpg")
    assert isinstance(found, AfPoints) and len(found.boxes) <= 64
    for b in found.boxes:
        assert 0 <= b.x <= 1 and 0 <= b.y <= 1 and 0 < b.w <= 1 and 0 < b.h <= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert isinstance(read_af_points_bytes(b"II*\x00\x08\x00\x00\x00" + data, "x.tif"), AfPoints)
    assert isinstance(read_af_points_bytes(b"\xff\xd8\xff\xe1" + data, "x.jpg"), AfPoints)
