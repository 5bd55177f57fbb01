"""Decoding: sizes, orientation, pixel modes, RAW, thumbnails and every kind of bad file."""

from __future__ import annotations

import io
import os
import struct
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps, features

from reviewer.core import decode
from reviewer.core.decode import (
    MAX_PIXELS,
    load_thumbnail,
    load_working_image,
    read_image_size,
)
from reviewer.core.errors import PhotoError
from reviewer.core.formats import ByteSource, parse_jpeg_header
from tests.conftest import SHARED_PHOTOS

FORMATS = SHARED_PHOTOS / "formats"
CAMERA = SHARED_PHOTOS / "real" / "camera"
needs_shared = pytest.mark.skipif(not FORMATS.is_dir(), reason="shared photos not available")

# --------------------------------------------------------------------------------------------
# Helpers

RED, GREEN, BLUE, WHITE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)
NAMED = {"red": RED, "green": GREEN, "blue": BLUE, "white": WHITE, "black": BLACK}

# For EXIF orientation o, the transpose that turns the upright picture into what is stored.
STORE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def quadrants(w: int, h: int, br: tuple[int, int, int] = WHITE) -> Image.Image:
    """Upright test picture: red top-left, green top-right, blue bottom-left, `br` bottom-right."""
    im = Image.new("RGB", (w, h), br)
    im.paste(RED, (0, 0, w // 2, h // 2))
    im.paste(GREEN, (w // 2, 0, w, h // 2))
    im.paste(BLUE, (0, h // 2, w // 2, h))
    return im


def stored(upright: Image.Image, orientation: int) -> Image.Image:
    t = STORE[orientation]
    return upright if t is None else upright.transpose(t)


def colour_name(px: np.ndarray) -> str:
    return min(NAMED, key=lambda n: float(np.abs(px.astype(int) - NAMED[n]).sum()))


def corners(rgb: np.ndarray) -> tuple[str, str, str, str]:
    """Colour names at the centres of the four quadrants: TL, TR, BL, BR."""
    h, w = rgb.shape[:2]
    ys, xs = (h // 4, 3 * h // 4), (w // 4, 3 * w // 4)
    return (
        colour_name(rgb[ys[0], xs[0]]),
        colour_name(rgb[ys[0], xs[1]]),
        colour_name(rgb[ys[1], xs[0]]),
        colour_name(rgb[ys[1], xs[1]]),
    )


UPRIGHT = ("red", "green", "blue", "white")


def exif_app1(orientation: int = 1, thumbnail: bytes | None = None) -> bytes:
    """An APP1 "Exif" payload (little-endian TIFF): IFD0 Orientation, optional IFD1 thumbnail."""
    ifd1_off = 8 + 2 + 12 + 4
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    ifd0 += struct.pack("<I", ifd1_off if thumbnail else 0)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0
    if thumbnail:
        thumb_off = ifd1_off + 2 + 3 * 12 + 4
        ifd1 = struct.pack("<H", 3)
        ifd1 += struct.pack("<HHIHH", 0x0103, 3, 1, 6, 0)
        ifd1 += struct.pack("<HHII", 0x0201, 4, 1, thumb_off)
        ifd1 += struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail)) + struct.pack("<I", 0)
        tiff += ifd1 + thumbnail
    return b"Exif\x00\x00" + tiff


def jpeg_bytes(im: Image.Image | np.ndarray, quality: int = 92, app1: bytes | None = None) -> bytes:
    if isinstance(im, np.ndarray):
        ok, buf = cv2.imencode(".jpg", im[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        data = buf.tobytes()
    else:
        out = io.BytesIO()
        im.save(out, "JPEG", quality=quality)
        data = out.getvalue()
    if app1 is not None:
        data = data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:]
    return data


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def check_array(rgb: np.ndarray) -> None:
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert rgb.flags.c_contiguous and rgb.flags.writeable


@pytest.fixture(scope="module")
def big_jpeg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5000x3000 JPEG with detail (so a wrong scale would show) and no EXIF."""
    rng = np.random.default_rng(1)
    small = rng.integers(0, 256, (300, 500, 3), dtype=np.uint8)
    big = cv2.resize(small, (5000, 3000), interpolation=cv2.INTER_CUBIC)
    return write(tmp_path_factory.mktemp("big") / "big.jpg", jpeg_bytes(big, 85))


# --------------------------------------------------------------------------------------------
# Orientation


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_orientation(tmp_path: Path, orientation: int) -> None:
    upright = quadrants(120, 80)
    data = jpeg_bytes(stored(upright, orientation), app1=exif_app1(orientation))
    p = write(tmp_path / "o.jpg", data)
    with Image.open(p) as im:  # the test file itself is right: Pillow agrees
        assert corners(np.asarray(ImageOps.exif_transpose(im))) == UPRIGHT
    photo = load_working_image(p)
    assert corners(photo.rgb) == UPRIGHT
    assert photo.rgb.shape == (80, 120, 3)
    assert photo.original_size == (120, 80) == read_image_size(p)
    assert photo.info.orientation == orientation
    assert photo.source == "jpeg"
    check_array(photo.rgb)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_embedded_thumbnail_orientation(tmp_path: Path, orientation: int) -> None:
    # The embedded thumbnail's bottom-right is black, the main image's white: proves which
    # picture was used.
    thumb = jpeg_bytes(stored(quadrants(160, 120, br=BLACK), orientation))
    main = jpeg_bytes(stored(quadrants(800, 600), orientation), app1=exif_app1(orientation, thumb))
    p = write(tmp_path / "t.jpg", main)
    rgb = load_thumbnail(p, max_edge=200)
    assert corners(rgb) == ("red", "green", "blue", "black")
    assert rgb.shape == (120, 160, 3)  # 160 >= 200/2: used as is, never upsampled
    check_array(rgb)
    # Asked for more than the thumbnail has (160 < 400/2): the main image is decoded.
    rgb = load_thumbnail(p, max_edge=400)
    assert corners(rgb) == UPRIGHT and rgb.shape == (300, 400, 3)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "WEBP"])
@pytest.mark.parametrize("orientation", [1, 2, 5, 6, 8])
def test_pillow_format_orientation(tmp_path: Path, fmt: str, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    p = tmp_path / f"o.{fmt.lower()}"
    stored(quadrants(60, 40), orientation).save(p, fmt, exif=exif.tobytes(), lossless=True)
    photo = load_working_image(p)
    assert corners(photo.rgb) == UPRIGHT
    assert photo.original_size == (60, 40) == read_image_size(p)
    assert photo.source == fmt.lower()
    assert corners(load_thumbnail(p)) == UPRIGHT


@pytest.mark.parametrize("orientation", [1, 3, 6, 7])
def test_heic_orientation(tmp_path: Path, orientation: int) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    exif = Image.Exif()
    exif[0x0112] = orientation
    p = tmp_path / "o.heic"
    heif = pillow_heif.from_pillow(stored(quadrants(64, 48), orientation))
    heif.save(p, exif=exif.tobytes(), quality=90)  # written as irot/imir, applied by libheif
    photo = load_working_image(p)
    assert corners(photo.rgb) == UPRIGHT
    assert photo.original_size == (64, 48) == read_image_size(p)
    assert photo.source == "heif"
    assert corners(load_thumbnail(p)) == UPRIGHT


@pytest.mark.skipif(not features.check("avif"), reason="Pillow without AVIF")
@pytest.mark.parametrize("orientation", [1, 6])
def test_avif_orientation(tmp_path: Path, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    p = tmp_path / "o.avif"
    stored(quadrants(64, 48), orientation).save(p, "AVIF", exif=exif.tobytes(), quality=90)
    photo = load_working_image(p)
    assert corners(photo.rgb) == UPRIGHT
    assert photo.original_size == (64, 48) == read_image_size(p)


# --------------------------------------------------------------------------------------------
# Sizes: the reduced JPEG decode, never upsampling


@pytest.mark.parametrize(
    ("long_edge", "shape", "source"),
    [
        (2048, (1229, 2048, 3), "jpeg 1/2"),  # 2500 >= 2048 > 1250
        (1300, (780, 1300, 3), "jpeg 1/2"),
        (1250, (750, 1250, 3), "jpeg 1/4"),
        (600, (360, 600, 3), "jpeg 1/8"),  # 625 >= 600
        (4096, (2458, 4096, 3), "jpeg"),
        (6000, (3000, 5000, 3), "jpeg"),  # never upsampled
    ],
)
def test_big_jpeg_sizes(
    big_jpeg: Path, long_edge: int, shape: tuple[int, ...], source: str
) -> None:
    photo = load_working_image(big_jpeg, long_edge)
    assert photo.rgb.shape == shape
    assert photo.source == source
    assert photo.original_size == (5000, 3000)
    assert photo.path == big_jpeg
    check_array(photo.rgb)


def test_reduced_decode_matches_full_decode(big_jpeg: Path) -> None:
    photo = load_working_image(big_jpeg)
    with Image.open(big_jpeg) as im:
        full = np.asarray(im.convert("RGB"))
    ref = cv2.resize(full, (2048, 1229), interpolation=cv2.INTER_AREA)
    assert np.abs(photo.rgb.astype(int) - ref).mean() < 3


def test_big_jpeg_thumbnail_and_rotation(tmp_path: Path, big_jpeg: Path) -> None:
    rgb = load_thumbnail(big_jpeg)
    assert rgb.shape == (192, 320, 3)
    # Same pixels, tagged orientation 6: portrait result, size swapped.
    data = big_jpeg.read_bytes()
    p = write(tmp_path / "rot.jpg", data[:2] + b"\xff\xe1" + struct.pack(">H", 2 + 32)
              + exif_app1(6)[:32] + data[2:])  # fmt: skip
    photo = load_working_image(p)
    assert photo.rgb.shape == (2048, 1229, 3)
    assert photo.original_size == (3000, 5000) == read_image_size(p)


def test_small_images_are_not_upsampled(tmp_path: Path) -> None:
    jpg = write(tmp_path / "small.jpg", jpeg_bytes(quadrants(800, 600)))
    png = tmp_path / "small.png"
    quadrants(100, 70).save(png)
    photo = load_working_image(jpg)
    assert photo.rgb.shape == (600, 800, 3) and photo.source == "jpeg"
    assert load_working_image(png).rgb.shape == (70, 100, 3)
    assert load_thumbnail(png).shape == (70, 100, 3)
    assert load_thumbnail(jpg).shape == (240, 320, 3)
    assert load_working_image(png, long_edge=50).rgb.shape == (35, 50, 3)


# --------------------------------------------------------------------------------------------
# Pixel modes


def test_sixteen_bit_png_and_tiff(tmp_path: Path) -> None:
    gray = np.full((10, 12), 0x8000, np.uint16)
    cv2.imwrite(str(tmp_path / "g16.png"), gray)
    rgb = load_working_image(tmp_path / "g16.png").rgb
    assert rgb.shape == (10, 12, 3) and abs(int(rgb[5, 5, 0]) - 128) <= 1

    colour = np.zeros((10, 12, 3), np.uint16)
    colour[:] = (65535, 32768, 0)  # RGB
    cv2.imwrite(str(tmp_path / "c16.png"), colour[:, :, ::-1])
    cv2.imwrite(str(tmp_path / "c16.tif"), colour[:, :, ::-1])
    for name in ("c16.png", "c16.tif"):
        px = load_working_image(tmp_path / name).rgb[5, 5]
        assert np.abs(px.astype(int) - (255, 128, 0)).max() <= 1, name

    Image.fromarray(np.full((10, 12), 0x8000, np.uint16)).save(tmp_path / "i16.tif")
    px = load_working_image(tmp_path / "i16.tif").rgb[5, 5]
    assert abs(int(px[0]) - 128) <= 1


def test_cmyk_and_grayscale_jpeg(tmp_path: Path) -> None:
    p = tmp_path / "cmyk.jpg"
    Image.new("RGB", (64, 48), (200, 30, 60)).convert("CMYK").save(p, quality=95)
    px = load_working_image(p).rgb[24, 32]
    assert np.abs(px.astype(int) - (200, 30, 60)).max() <= 6
    p = tmp_path / "gray.jpg"
    Image.new("L", (64, 48), 77).save(p)
    rgb = load_working_image(p).rgb
    check_array(rgb)
    assert tuple(rgb[10, 10]) == (77, 77, 77)


def test_alpha_is_composited_over_white(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (20, 10), (255, 0, 0, 255))
    rgba.paste((0, 0, 0, 0), (10, 0, 20, 10))  # transparent black right half
    rgba.save(tmp_path / "a.png")
    rgb = load_working_image(tmp_path / "a.png").rgb
    assert tuple(rgb[5, 2]) == RED and tuple(rgb[5, 15]) == WHITE

    la = Image.new("LA", (20, 10), (0, 128))  # half-transparent black
    la.save(tmp_path / "la.png")
    assert abs(int(load_working_image(tmp_path / "la.png").rgb[5, 5, 0]) - 127) <= 1

    pal = Image.new("P", (20, 10), 1)
    pal.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    pal.paste(0, (0, 0, 10, 10))
    pal.save(tmp_path / "p.png", transparency=0)
    rgb = load_working_image(tmp_path / "p.png").rgb
    assert tuple(rgb[5, 2]) == WHITE and tuple(rgb[5, 15]) == BLUE


def test_bilevel_bmp_and_multipage_tiff(tmp_path: Path) -> None:
    Image.new("1", (16, 8), 1).save(tmp_path / "b.bmp")
    rgb = load_working_image(tmp_path / "b.bmp").rgb
    assert rgb.shape == (8, 16, 3) and tuple(rgb[0, 0]) == WHITE

    pages = [Image.new("RGB", (30, 20), c) for c in (GREEN, RED, BLUE)]
    pages[0].save(tmp_path / "m.tif", save_all=True, append_images=pages[1:])
    photo = load_working_image(tmp_path / "m.tif")
    assert tuple(photo.rgb[10, 10]) == GREEN and photo.original_size == (30, 20)


# --------------------------------------------------------------------------------------------
# Embedded thumbnails


def test_letterboxed_thumbnail_is_cropped(tmp_path: Path) -> None:
    # A 3:2 photo whose 160x120 thumbnail has black bars, as Nikon/Canon bodies write them.
    thumb = Image.new("RGB", (160, 120), BLACK)
    thumb.paste(quadrants(160, 106, br=GREEN), (0, 7))
    main = jpeg_bytes(quadrants(900, 600), app1=exif_app1(1, jpeg_bytes(thumb, 95)))
    rgb = load_thumbnail(write(tmp_path / "lb.jpg", main), max_edge=320)
    assert rgb.shape[1] == 160 and abs(rgb.shape[0] - 107) <= 1
    assert corners(rgb) == ("red", "green", "blue", "green")
    # A thumbnail filling its 4:3 frame with picture (no bars) is not cut.
    full = jpeg_bytes(quadrants(160, 120, br=GREEN), 95)
    main = jpeg_bytes(quadrants(900, 600), app1=exif_app1(1, full))
    assert load_thumbnail(write(tmp_path / "nb.jpg", main)).shape == (120, 160, 3)


def test_thumbnail_reads_only_the_header_when_embedded(tmp_path: Path) -> None:
    thumb = jpeg_bytes(quadrants(160, 120, br=BLACK))
    data = jpeg_bytes(quadrants(900, 600), app1=exif_app1(1, thumb))
    p = write(tmp_path / "cut.jpg", data[: len(data) - 500])
    assert corners(load_thumbnail(p)) == ("red", "green", "blue", "black")
    with pytest.raises(PhotoError, match="file is truncated"):
        load_working_image(p)


@needs_shared
def test_real_exif_thumbnail() -> None:
    # 30-type_error.jpg: broken Exif IFD, but IFD1 holds a 160x99 thumbnail of the 2048x1271.
    rgb = load_thumbnail(CAMERA / "30-type_error.jpg")
    assert rgb.shape == (99, 160, 3)
    main = load_working_image(CAMERA / "30-type_error.jpg", 160).rgb
    assert main.shape == (99, 160, 3)
    assert np.abs(rgb.astype(int) - main).mean() < 25  # the same scene


# --------------------------------------------------------------------------------------------
# RAW


@needs_shared
def test_kodak_raw_non_ascii_name() -> None:
    path = FORMATS / "RAW_KODAK_DC50_é.KDC"
    photo = load_working_image(path)
    assert photo.rgb.shape == (512, 768, 3)  # a half demosaic would be 384: full is used
    assert photo.source == "raw demosaic"
    assert photo.original_size == (768, 512) == read_image_size(path)
    assert photo.info.camera == "Kodak Digital Science DC50 Zoom Camera"
    assert photo.info.iso == 84  # not in the EXIF: filled in from LibRaw
    assert 20 < photo.rgb.mean() < 235
    check_array(photo.rgb)
    small = load_working_image(path, long_edge=300)
    assert small.source == "raw half demosaic" and small.rgb.shape == (200, 300, 3)
    assert load_thumbnail(path).shape == (213, 320, 3)


@needs_shared
def test_rotated_dng() -> None:
    path = FORMATS / "IMG_1361.dng"
    assert read_image_size(path) == (3024, 4032)  # flip 6: portrait
    # 64 KB of headers for a 12 MP sensor: once scored "blurry 0" from LibRaw's zeros.
    with pytest.raises(PhotoError, match="the file holds no image data"):
        load_working_image(path)


@needs_shared
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Nikon.nef", "the file holds no image data"),
        ("FujiFilm.raf", "the file holds no image data"),
        ("Canon-R6-pruned.CR3", "the file holds no image data"),
        # Header only: LibRaw calls it unsupported, which reads as "camera unsupported".
        ("CanonRaw.cr2", "the file holds no image data"),
        ("DNG.dng", "the file holds no image data"),
    ],
)
def test_stripped_raws_fail_cleanly(name: str, reason: str) -> None:
    with pytest.raises(PhotoError) as e:
        load_working_image(FORMATS / name)
    assert e.value.reason.startswith(reason)
    assert name in str(e.value)


@needs_shared
def test_stripped_raw_thumbnails_from_previews() -> None:
    # LibRaw's 160x120 preview of the RAF; the CR3's THMB box found by our own parser (LibRaw
    # finds no thumbnail in this pruned file), its black letterbox bars removed.
    assert load_thumbnail(FORMATS / "FujiFilm.raf").shape == (120, 160, 3)
    cr3 = load_thumbnail(FORMATS / "Canon-R6-pruned.CR3")
    assert cr3.shape[1] == 160 and 105 <= cr3.shape[0] <= 108


def test_raw_preview_when_libraw_cannot_read(tmp_path: Path) -> None:
    """A TIFF-based raw LibRaw does not know: its embedded full-size JPEG is still scored."""
    preview = jpeg_bytes(stored(quadrants(2400, 1600), 6), 80)
    make = b"NOBODY\x00\x00"
    n = 4
    data_off = 8 + 2 + 12 * n + 4
    jpg_off = data_off + len(make)
    ifd = struct.pack("<H", n)
    ifd += struct.pack("<HHII", 0x010F, 2, len(make), data_off)
    ifd += struct.pack("<HHIHH", 0x0112, 3, 1, 6, 0)
    ifd += struct.pack("<HHII", 0x0201, 4, 1, jpg_off)
    ifd += struct.pack("<HHII", 0x0202, 4, 1, len(preview)) + bytes(4)
    p = write(tmp_path / "new_camera.nef", b"II*\x00" + struct.pack("<I", 8) + ifd + make + preview)
    photo = load_working_image(p)
    assert photo.source == "raw preview 1600x2400"  # as stored, before orientation
    assert photo.rgb.shape == (1365, 2048, 3)
    assert corners(photo.rgb) == UPRIGHT
    assert corners(load_thumbnail(p)) == UPRIGHT


@needs_shared
def test_truncated_raw(tmp_path: Path) -> None:
    data = (FORMATS / "RAW_KODAK_DC50_é.KDC").read_bytes()
    p = write(tmp_path / "cut.kdc", data[: len(data) // 2])
    with pytest.raises(PhotoError, match="stripped or truncated"):
        load_working_image(p)


# --------------------------------------------------------------------------------------------
# HEIF files from the shared set


@needs_shared
def test_shared_heic() -> None:
    photo = load_working_image(FORMATS / "Stonehenge.heic")
    assert photo.rgb.shape == (200, 300, 3) and photo.info.camera == "NIKON D5300"
    assert load_working_image(FORMATS / "heic.heic").original_size == (1280, 854)
    thumb = load_thumbnail(FORMATS / "heic.heic")  # from its embedded 320 px HEIF thumbnail
    assert thumb.shape[1] == 320 and 212 <= thumb.shape[0] <= 214


def test_heif_without_pillow_heif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    p = tmp_path / "x.heic"
    pillow_heif.from_pillow(Image.new("RGB", (16, 16), "red")).save(p, quality=50)
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # import now fails
    for fn in (load_working_image, load_thumbnail, read_image_size):
        with pytest.raises(PhotoError) as e:
            fn(p)
        assert e.value.reason == "HEIF support is not installed (pip install pillow-heif)"


# --------------------------------------------------------------------------------------------
# Bad files


def _reason(fn: Callable[[Path], object], path: Path) -> str:
    with pytest.raises(PhotoError) as e:
        fn(path)
    assert e.value.path == path
    assert str(path) in str(e.value)
    return e.value.reason


ALL = (load_working_image, load_thumbnail)


def test_empty_missing_directory_text(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.jpg", b"")
    text = write(tmp_path / "notes.nef", b"hello, this is not a raw file")
    for fn in (*ALL, read_image_size):
        assert _reason(fn, empty) == "file is empty (0 bytes)"
        assert _reason(fn, tmp_path / "missing.jpg") == "file not found"
        assert _reason(fn, tmp_path) == "is a directory, not a file"
        assert _reason(fn, text) == "not an image file (starts with 'hello, this ')"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied(tmp_path: Path) -> None:
    p = write(tmp_path / "locked.jpg", jpeg_bytes(quadrants(8, 8)))
    p.chmod(0)
    try:
        assert _reason(load_working_image, p) == "permission denied"
    finally:
        p.chmod(0o644)


def test_os_errors_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Works as root too (where chmod 0 does not stop reading): simulate the OS refusing.
    p = write(tmp_path / "x.jpg", jpeg_bytes(quadrants(8, 8)))

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(decode, "open", refuse, raising=False)
    assert _reason(load_working_image, p) == "permission denied"

    def io_error(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(decode, "open", io_error, raising=False)
    assert _reason(load_thumbnail, p) == "cannot read the file (Input/output error)"


def test_truncated_jpeg(tmp_path: Path, big_jpeg: Path) -> None:
    data = big_jpeg.read_bytes()
    for cut in (len(data) // 2, len(data) - 2, 5000):
        p = write(tmp_path / "cut.jpg", data[:cut])
        for fn in ALL:
            assert _reason(fn, p) == "file is truncated"
    # Cut inside the header: no image data at all.
    p = write(tmp_path / "head.jpg", data[:300])
    assert _reason(load_working_image, p).startswith("corrupt JPEG")


def test_jpeg_with_trailing_data_is_not_truncated(tmp_path: Path) -> None:
    # Motion photos / MPF append data after the main image's EOI.
    data = jpeg_bytes(quadrants(64, 48)) + b"\x00\x00\x00\x18ftypmp42" + bytes(5000)
    assert corners(load_working_image(write(tmp_path / "mvimg.jpg", data)).rgb) == UPRIGHT


def test_truncated_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, (200, 300, 3), dtype=np.uint8)).save(tmp_path / "n.png")
    data = (tmp_path / "n.png").read_bytes()
    p = write(tmp_path / "cut.png", data[: len(data) // 2])
    assert _reason(load_working_image, p) == "file is truncated"


def test_lying_extension(tmp_path: Path) -> None:
    p = tmp_path / "really_a_png.jpg"
    quadrants(40, 30).save(p, "PNG")
    photo = load_working_image(p)
    assert photo.source == "png" and corners(photo.rgb) == UPRIGHT
    gif = tmp_path / "anim.jpg"
    Image.new("P", (4, 4)).save(gif, "GIF")
    assert _reason(load_working_image, gif) == "unsupported format (GIF)"


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(typ: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(typ + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + typ + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    p = write(tmp_path / "bomb.png", _png_header_only(40000, 40000))
    assert p.stat().st_size < 200
    for fn in ALL:
        assert _reason(fn, p) == "image is 40000 x 40000 = 1600 MP, over the 250 MP limit"
    assert read_image_size(p) == (40000, 40000)  # header only: fine
    # Just over the limit (between Pillow's warning and error thresholds).
    p = write(tmp_path / "bomb2.png", _png_header_only(20000, 12600))
    assert _reason(load_working_image, p) == (
        "image is 20000 x 12600 = 252 MP, over the 250 MP limit"
    )
    # JPEG: patch the frame header of a small file to claim 30000 x 20000.
    data = bytearray(jpeg_bytes(quadrants(16, 16)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 20000, 30000)
    p = write(tmp_path / "bomb.jpg", bytes(data))
    for fn in ALL:
        assert _reason(fn, p) == "image is 30000 x 20000 = 600 MP, over the 250 MP limit"
    # TIFF: IFD0 claims the size.
    Image.new("RGB", (4, 4)).save(tmp_path / "t.tif")
    tif = bytearray((tmp_path / "t.tif").read_bytes())
    for pos, typ in tiff_size_values(tif):
        struct.pack_into("<H" if typ == 3 else "<I", tif, pos, 60000)
    p = write(tmp_path / "bomb.tif", bytes(tif))
    assert _reason(load_working_image, p).startswith("image is 60000 x 60000 = 3600 MP")
    assert MAX_PIXELS == 250_000_000 == Image.MAX_IMAGE_PIXELS
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def tiff_size_values(tif: bytearray) -> list[tuple[int, int]]:
    """(offset, type) of the inline ImageWidth/ImageLength values of a little-endian TIFF."""
    ifd = struct.unpack_from("<I", tif, 4)[0]
    n = struct.unpack_from("<H", tif, ifd)[0]
    out = []
    for i in range(n):
        tag, typ = struct.unpack_from("<HH", tif, ifd + 2 + 12 * i)
        if tag in (0x100, 0x101):
            out.append((ifd + 2 + 12 * i + 8, typ))
    assert len(out) == 2
    return out


def test_unexpected_decoder_errors_are_wrapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write(tmp_path / "x.jpg", jpeg_bytes(quadrants(8, 8)))

    def boom(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(decode, "_jpeg_working", boom)
    assert _reason(load_working_image, p) == "cannot decode (KeyError: 'boom')"

    def no_memory(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(decode, "_jpeg_working", no_memory)
    assert _reason(load_working_image, p) == "not enough memory to decode this photo"


def test_opencv_refusal_falls_back_to_pillow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write(tmp_path / "x.jpg", jpeg_bytes(quadrants(64, 48)))
    monkeypatch.setattr(decode, "_decode_jpeg_cv", lambda data, scale: None)
    photo = load_working_image(p)
    assert corners(photo.rgb) == UPRIGHT and photo.rgb.shape == (48, 64, 3)


@needs_shared
def test_shared_files_read_size_matches_decode() -> None:
    for name in ("Bush-dog.tif", "tif-with-iptc-icc-xmp.tif", "Stonehenge.heic"):
        path = FORMATS / name
        assert read_image_size(path) == load_working_image(path).original_size
    for path in sorted(CAMERA.glob("*"))[:4]:
        photo = load_working_image(path)
        assert read_image_size(path) == photo.original_size
        assert max(photo.rgb.shape[:2]) == min(2048, max(photo.original_size))


# --------------------------------------------------------------------------------------------
# Benchmark (run explicitly: REVIEWER_BENCH=1 pytest tests/core/test_decode.py -k bench -s)


@pytest.mark.skipif(not os.environ.get("REVIEWER_BENCH"), reason="benchmark: REVIEWER_BENCH=1")
def test_bench_jpeg_paths(tmp_path: Path) -> None:
    src = CAMERA / "exiv2-bug2565.jpg"
    rng = np.random.default_rng(0)
    with Image.open(src) as im:
        base = np.asarray(im.convert("RGB").resize((6000, 4000), Image.Resampling.LANCZOS))
    noisy = np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)
    thumb = jpeg_bytes(np.ascontiguousarray(cv2.resize(noisy, (160, 107))), 90)
    p = write(tmp_path / "bench.jpg", jpeg_bytes(noisy, 95, app1=exif_app1(1, thumb)))
    data = p.read_bytes()
    hdr = parse_jpeg_header(ByteSource(data))

    def best(fn: Callable[[], object], n: int = 7) -> float:
        fn()
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times) * 1000

    t_cv = best(lambda: decode._decode_jpeg(p, data, hdr, 2048, 1))  # same bytes in memory
    t_pil = best(
        lambda: cv2.resize(
            decode._decode_jpeg_pillow(p, data, hdr, 2), (2048, 1365), interpolation=cv2.INTER_AREA
        )
    )
    t_file = best(lambda: load_working_image(p))  # + reading the file and the EXIF
    t_full = best(lambda: decode._resize(decode._decode_jpeg_cv(data, 1), (2048, 1365)))  # type: ignore[arg-type]
    t_thumb = best(lambda: load_thumbnail(p))
    t_reduced = best(lambda: decode._decode_jpeg(p, data, hdr, 320, 1))
    print(f"\n{p.stat().st_size / 1e6:.1f} MB 6000x4000 JPEG, best of 7:")
    print(f"working image: OpenCV 1/2 {t_cv:.1f} ms, Pillow draft 1/2 {t_pil:.1f} ms")
    print(f"  (Pillow x{t_pil / t_cv:.2f}), OpenCV full decode {t_full:.1f} ms")
    print(f"  (full x{t_full / t_cv:.2f}); load_working_image from the file {t_file:.1f} ms")
    print(f"thumbnail: embedded {t_thumb:.2f} ms, 1/8 decode {t_reduced:.1f} ms")
    print(f"  (1/8 decode x{t_reduced / t_thumb:.0f})")
    assert t_cv < t_full and t_thumb < t_reduced
