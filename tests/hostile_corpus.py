"""A hostile corpus, generated (no stored binaries): what a damaged card, a confused user or an
attacker can put in a folder of photos.

`cases()` yields well over 1,000 `Case`s, deterministic for a seed: truncations at many offsets
and byte damage of every format we read, wrong extensions, corrupt and looping EXIF and
MakerNote IFDs, decompression bombs in every format (JPEG, PNG, TIFF, WebP, BMP, HEIF, DNG),
card damage (an end-of-image marker inside the scan data, the second half overwritten, a header
larger than its data), header-only RAWs, garbage RAW headers, odd and very long names, and
special files. `write_case` puts one in a folder. CI runs a bounded sample
(tests/core/test_hostile.py); `bench/hostile.py` runs them all in worker processes and prints
escapes, hangs, crashes and peak memory.

What every case must give: a clean row (pixels, or PhotoError with a reason). Cases whose
`must_fail` is set must never be scored: damaged or image-less data, bombs, special files.
"""

from __future__ import annotations

import io
import os
import random
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from tests.imagegen import dead_leaves

SPECIAL_KINDS = ("fifo", "dangling-symlink", "loop-symlink", "dev-zero-link", "directory")


@dataclass(frozen=True, slots=True)
class Case:
    name: str  # file name (str; may hold surrogate escapes for non-UTF-8 bytes)
    kind: str  # the class of damage, for reports
    data: bytes = b""
    special: str = ""  # one of SPECIAL_KINDS instead of data
    must_fail: bool = False  # never to be scored (damage, bomb, no image data, special)


# --------------------------------------------------------------------------------------------
# Seeds: small valid photos of each format


def _scene(w: int = 320, h: int = 240, seed: int = 7) -> np.ndarray:
    return dead_leaves(w, h, seed=seed)


def _pil_bytes(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _tiff_entry(tag: int, typ: int, count: int, value: int) -> bytes:
    return struct.pack("<HHII", tag, typ, count, value)


def exif_block(extra_ifd0: list[bytes] | None = None, next_ifd: int = 0, maker: bytes = b"",
               orientation: int = 1) -> bytes:  # fmt: skip
    """A little-endian TIFF/EXIF block: IFD0 (Make, Orientation, ExifIFD pointer) and an Exif
    IFD with a MakerNote; `extra_ifd0` entries and `next_ifd` let cases make it hostile."""
    make = b"Hostile\x00"
    entries0 = [
        _tiff_entry(0x010F, 2, len(make), 0),  # Make, offset patched below
        _tiff_entry(0x0112, 3, 1, orientation),
        _tiff_entry(0x8769, 4, 1, 0),  # ExifIFD pointer, patched
        *(extra_ifd0 or []),
    ]
    ifd0_off = 8
    ifd0_size = 2 + 12 * len(entries0) + 4
    make_off = ifd0_off + ifd0_size
    exif_off = make_off + len(make)
    nikon = b"Nikon\x00\x02\x10\x00\x00II*\x00\x08\x00\x00\x00"  # a MakerNote with one tag
    maker = maker or nikon + b"\x01\x00\x01\x00\x07\x00\x04\x00\x00\x0000\x02\x00\x00\x00\x00\x00"
    exif_entries = [_tiff_entry(0x927C, 7, len(maker), 0)]
    exif_size = 2 + 12 * len(exif_entries) + 4
    maker_off = exif_off + exif_size
    entries0[0] = _tiff_entry(0x010F, 2, len(make), make_off)
    entries0[2] = _tiff_entry(0x8769, 4, 1, exif_off)
    exif_entries[0] = _tiff_entry(0x927C, 7, len(maker), maker_off)
    out = b"II*\x00" + struct.pack("<I", ifd0_off)
    out += struct.pack("<H", len(entries0)) + b"".join(entries0) + struct.pack("<I", next_ifd)
    out += make
    out += struct.pack("<H", len(exif_entries)) + b"".join(exif_entries) + b"\x00" * 4
    out += maker
    return out


def jpeg_with_exif(jpeg: bytes, exif: bytes) -> bytes:
    seg = b"Exif\x00\x00" + exif
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(seg) + 2) + seg + jpeg[2:]


@cache
def seeds() -> dict[str, tuple[str, bytes]]:
    """name -> (extension, bytes) of small valid photos."""
    rgb = _scene()
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    out: dict[str, tuple[str, bytes]] = {}
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    base = buf.tobytes()
    out["jpeg"] = (".jpg", jpeg_with_exif(base, exif_block()))
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90,
                                         cv2.IMWRITE_JPEG_PROGRESSIVE, 1])  # fmt: skip
    out["jpeg-progressive"] = (".jpg", buf.tobytes())
    im = Image.fromarray(rgb)
    out["png"] = (".png", _pil_bytes(im, "PNG"))
    out["png-16bit-alpha"] = (
        ".png",
        cv2.imencode(".png", np.dstack([bgr, bgr[:, :, :1]]).astype(np.uint16) * 257)[1].tobytes(),
    )
    out["tiff"] = (".tif", _pil_bytes(im, "TIFF", compression="tiff_deflate"))
    out["tiff-raw"] = (".tif", _pil_bytes(im, "TIFF"))
    out["webp"] = (".webp", _pil_bytes(im, "WEBP", quality=80))
    out["bmp"] = (".bmp", _pil_bytes(im, "BMP"))
    try:
        import pillow_heif

        heif = pillow_heif.from_bytes(mode="RGB", size=im.size, data=im.tobytes())
        buf2 = io.BytesIO()
        heif.save(buf2, quality=60)
        out["heif"] = (".heic", buf2.getvalue())
    except Exception:  # HEIF encoder not available: the other formats still run
        pass
    out["dng"] = (".dng", tiny_dng(64, 48))
    return out


def tiny_dng(width: int, height: int, data: bytes | None = None, strip_bytes: int | None = None,
             version: bytes = b"\x01\x04\x00\x00") -> bytes:  # fmt: skip
    """A minimal uncompressed 16-bit CFA DNG (LibRaw reads it)."""
    if data is None:
        rng = np.random.default_rng(width * 7 + height)
        data = rng.integers(200, 3800, (height, width), dtype=np.uint16).tobytes()
    n_entries = 16
    ifd_off = 8
    after = ifd_off + 2 + 12 * n_entries + 4
    model = b"Hostile DNG\x00"
    model_off = after
    cfa_off = model_off + len(model)
    data_off = cfa_off + 4
    entries = [
        _tiff_entry(0x00FE, 4, 1, 0),
        _tiff_entry(0x0100, 4, 1, width),
        _tiff_entry(0x0101, 4, 1, height),
        _tiff_entry(0x0102, 3, 1, 16),
        _tiff_entry(0x0103, 3, 1, 1),
        _tiff_entry(0x0106, 3, 1, 32803),  # CFA
        _tiff_entry(0x0110, 2, len(model), model_off),
        _tiff_entry(0x0111, 4, 1, data_off),
        _tiff_entry(0x0115, 3, 1, 1),
        _tiff_entry(0x0116, 4, 1, height),
        _tiff_entry(0x0117, 4, 1, strip_bytes if strip_bytes is not None else len(data)),
        _tiff_entry(0x828D, 3, 2, 2 | (2 << 16)),  # CFARepeatPatternDim 2x2
        _tiff_entry(0x828E, 1, 4, cfa_off),  # CFAPattern (4 bytes fit inline? no: offset)
        _tiff_entry(0xC612, 1, 4, struct.unpack("<I", version)[0]),
        _tiff_entry(0xC614, 2, len(model), model_off),  # UniqueCameraModel
        _tiff_entry(0xC61D, 4, 1, 4095),  # WhiteLevel
    ]
    entries[12] = struct.pack("<HHI", 0x828E, 1, 4) + bytes([0, 1, 1, 2])
    out = b"II*\x00" + struct.pack("<I", ifd_off)
    out += struct.pack("<H", len(entries)) + b"".join(entries) + b"\x00\x00\x00\x00"
    out += model + bytes([0, 1, 1, 2]) + data
    return out


# --------------------------------------------------------------------------------------------
# Bombs: headers claiming huge images over tiny data


def png_bomb(width: int, height: int, color_type: int = 2, bit_depth: int = 8,
             rows: int = 16) -> bytes:  # fmt: skip
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    row = b"\x00" + bytes((width * channels * bit_depth + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(rows)) + comp.flush()

    def chunk(typ: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    extra = chunk(b"PLTE", bytes(768)) if color_type == 3 else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))  # fmt: skip


def tiff_bomb(width: int, height: int, samples: int = 3, rows_per_strip: int | None = None,
              compression: int = 8) -> bytes:  # fmt: skip
    strip = zlib.compress(bytes(width * samples * 4))  # a few rows' worth, the rest missing
    n = 10
    ifd_off = 8
    bps_off = ifd_off + 2 + 12 * n + 4
    data_off = bps_off + 2 * samples
    entries = [
        _tiff_entry(0x0100, 4, 1, width),
        _tiff_entry(0x0101, 4, 1, height),
        _tiff_entry(0x0102, 3, samples, bps_off if samples > 2 else 8),
        _tiff_entry(0x0103, 3, 1, compression),
        _tiff_entry(0x0106, 3, 1, 2 if samples >= 3 else 1),
        _tiff_entry(0x0111, 4, 1, data_off),
        _tiff_entry(0x0115, 3, 1, samples),
        _tiff_entry(0x0116, 4, 1, rows_per_strip or height),
        _tiff_entry(0x0117, 4, 1, len(strip)),
        _tiff_entry(0x011C, 3, 1, 1),
    ]
    return (b"II*\x00" + struct.pack("<I", ifd_off) + struct.pack("<H", n) + b"".join(entries)
            + b"\x00" * 4 + struct.pack(f"<{samples}H", *([8] * samples)) + strip)  # fmt: skip


def jpeg_bomb(width: int, height: int, progressive: bool = False) -> bytes:
    seed = seeds()["jpeg-progressive" if progressive else "jpeg"][1]
    return jpeg_with_size(seed, width, height)


def jpeg_with_size(jpeg: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header claiming another size (the data stays as it was)."""
    out = bytearray(jpeg)
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        i = out.find(marker)
        if i >= 0:
            struct.pack_into(">HH", out, i + 5, height, width)
            break
    return bytes(out)


def webp_bomb(width: int, height: int) -> bytes:
    vp8x = (
        struct.pack("<I", 0)
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    vp8l_bits = (width - 1) & 0x3FFF | ((height - 1) & 0x3FFF) << 14
    vp8l = b"\x2f" + vp8l_bits.to_bytes(4, "little") + bytes(32)
    body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + vp8x
    body += b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    return b"RIFF" + struct.pack("<I", len(body)) + body


def bmp_bomb(width: int, height: int) -> bytes:
    header = struct.pack("<2sIHHI", b"BM", 54 + 64, 0, 0, 54)
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return header + dib + bytes(64)


def heif_bomb(width: int, height: int) -> bytes | None:
    """The HEIF seed with its ispe box claiming another size."""
    if "heif" not in seeds():
        return None
    data = bytearray(seeds()["heif"][1])
    i = data.find(b"ispe")
    if i < 0:
        return None
    while i >= 0:
        struct.pack_into(">II", data, i + 8, width, height)
        i = data.find(b"ispe", i + 4)
    return bytes(data)


# --------------------------------------------------------------------------------------------
# Card damage


def jpeg_damage(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """JPEGs damaged as a card damages them. A 1600 x 1200 photo, so that the damaged part is
    many MCU rows."""
    rgb = dead_leaves(1600, 1200, seed=rng.randrange(1000))
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[:, :, ::-1]),
                           [cv2.IMWRITE_JPEG_QUALITY, 92])  # fmt: skip
    data = buf.tobytes()
    sos = data.find(b"\xff\xda")
    scan = len(data) - sos
    for frac in (0.3, 0.5, 0.8):
        cut = sos + int(scan * frac)
        yield f"eoi-in-scan-{frac}", data[:cut] + b"\xff\xd9" + data[cut + 2 :]
        tail = bytes(rng.getrandbits(8) for _ in range(len(data) - cut - 2))
        yield f"overwritten-random-{frac}", data[:cut] + tail + b"\xff\xd9"
        yield f"overwritten-zero-{frac}", data[:cut] + bytes(len(data) - cut - 2) + b"\xff\xd9"
        yield f"overwritten-ff-{frac}", data[:cut] + b"\xff" * (len(data) - cut - 2) + b"\xff\xd9"
    for w, h in ((15000, 15000), (4000, 3000), (3200, 2400)):
        yield f"header-{w}x{h}-over-1600x1200", jpeg_with_size(data, w, h)


# --------------------------------------------------------------------------------------------
# The corpus

RAW_EXTS = (".nef", ".cr2", ".arw", ".dng", ".orf", ".rw2", ".raf", ".pef", ".cr3", ".srw")
ALL_EXTS = (".jpg", ".png", ".tif", ".webp", ".bmp", ".heic", *RAW_EXTS)


def _truncations(data: bytes, count: int, rng: random.Random) -> list[int]:
    n = len(data)
    fixed = {0, 1, 2, 3, 4, 8, 12, 16, 24, 32, 64, 100, 128, 256, 512, n // 2, n - 1, n - 2}
    while len(fixed) < count:
        fixed.add(rng.randrange(1, n))
    return sorted(o for o in fixed if 0 <= o < n)


def _damaged(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    how = rng.randrange(4)
    if how == 0:  # flipped bits
        for _ in range(rng.randrange(1, 16)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
    elif how == 1:  # a run of bytes overwritten
        i = rng.randrange(len(out))
        for k in range(i, min(len(out), i + rng.randrange(1, 512))):
            out[k] = rng.getrandbits(8)
    elif how == 2:  # bytes inserted
        i = rng.randrange(len(out))
        out[i:i] = bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 64)))
    else:  # a block deleted
        i = rng.randrange(len(out))
        del out[i : i + rng.randrange(1, 256)]
    return bytes(out)


def _hostile_exifs() -> Iterator[tuple[str, bytes]]:
    """EXIF blocks (TIFF structure) that loop, point outside, or claim absurd sizes."""
    yield "ifd0-next-points-to-itself", exif_block(next_ifd=8)
    yield "ifd0-next-past-end", exif_block(next_ifd=0x7FFFFFF0)
    yield "ifd0-next-odd", exif_block(next_ifd=3)
    loop_exif = _tiff_entry(0x8769, 4, 1, 8)  # Exif IFD pointer back to IFD0
    yield "exif-ifd-points-to-ifd0", exif_block(extra_ifd0=[loop_exif])
    yield "gps-ifd-past-end", exif_block(extra_ifd0=[_tiff_entry(0x8825, 4, 1, 0x7FFFFFFF)])
    yield "huge-count", exif_block(extra_ifd0=[_tiff_entry(0x010E, 2, 0xFFFFFFFF, 16)])
    yield "huge-rational-count", exif_block(extra_ifd0=[_tiff_entry(0x011A, 5, 0x10000000, 8)])
    yield "bad-type", exif_block(extra_ifd0=[_tiff_entry(0x0110, 99, 4, 8)])
    yield (
        "thumbnail-past-end",
        exif_block(
            extra_ifd0=[_tiff_entry(0x0201, 4, 1, 0x7FFFFF00), _tiff_entry(0x0202, 4, 1, 0x1000000)]
        ),
    )
    yield "orientation-9", exif_block(orientation=9)
    yield "orientation-0", exif_block(orientation=0)
    yield "orientation-65535", exif_block(orientation=65535)
    looping_maker = b"Nikon\x00\x02\x10\x00\x00MM\x00*\x00\x00\x00\x08" + (
        b"\x00\x01" + struct.pack(">HHII", 0x0011, 4, 1, 8) + struct.pack(">I", 8)
    )
    yield "makernote-preview-ifd-loops", exif_block(maker=looping_maker)
    yield "makernote-truncated", exif_block(maker=b"Nikon\x00\x02\x10\x00\x00II*\x00")
    yield (
        "makernote-canon-loop",
        exif_block(
            maker=struct.pack("<H", 2) + _tiff_entry(0x0001, 3, 0x4000, 0) * 2 + b"\x00" * 4
        ),
    )
    yield "makernote-huge-entries", exif_block(maker=b"\xff\xff" + bytes(64))
    yield "not-tiff", b"XX*\x00" + bytes(32)
    yield "empty", b""
    yield "only-header", b"II*\x00\x08\x00\x00\x00"
    yield "ifd-count-zero", b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    yield "ifd-count-max", b"II*\x00\x08\x00\x00\x00\xff\xff" + bytes(40)
    yield (
        "big-endian-loop",
        b"MM\x00*\x00\x00\x00\x08\x00\x01"
        + struct.pack(">HHII", 0x8769, 4, 1, 8)
        + b"\x00\x00\x00\x08",
    )


def _garbage_raws(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    heads = [
        b"II*\x00\x08\x00\x00\x00",
        b"MM\x00*\x00\x00\x00\x08",
        b"II*\x00\x10\x00\x00\x00CR\x02\x00\x00\x00\x00\x00",
        b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom",
        b"FUJIFILMCCD-RAW 0201FF383501",
        b"IIRO\x08\x00\x00\x00",
        b"IIU\x00\x08\x00\x00\x00",
        b"FOVb",
        b"\x00MRM\x00\x00\x00\x00",
        b"IIII\x00\x00\x00\x00",
        b"\x1a\x00\x00\x00HEAPCCDR",
    ]
    for i, head in enumerate(heads):
        for k in range(8):
            size = rng.choice((16, 200, 4096, 70_000))
            body = bytes(rng.getrandbits(8) for _ in range(size))
            yield f"garbage-raw-{i}-{k}", head + body
        # the header followed by a huge declared size field and nothing else
        yield f"garbage-raw-{i}-ff", head + b"\xff" * 512


def _odd_names() -> Iterator[str]:
    yield "space name.jpg"
    yield " leading space.jpg"
    yield "trailing space .jpg"
    yield "-starts-with-dash.jpg"
    yield "--help.jpg"
    yield "new\nline.jpg"
    yield "tab\there.jpg"
    yield "quote'\"both.jpg"
    yield "semicolon;rm -rf.jpg"
    yield "dollar$HOME.jpg"
    yield "back\\slash.jpg"
    yield "écran été.jpg"
    yield "日本語の写真.jpg"
    yield "emoji😀📷.jpg"
    yield "rtl\u202eexe.jpg"
    yield "zero\u200bwidth.jpg"
    yield "combining-e\u0301.jpg"
    yield "UPPER.JPG"
    yield "MiXeD.JpEg"
    yield "no-extension"
    yield ".hidden.jpg"
    yield "._appledouble.jpg"
    yield "double.jpg.jpg"
    yield "dots....jpg"
    yield "a" * 251 + ".jpg"  # 255 bytes: the longest a Linux name can be
    yield "é" * 125 + ".jpg"  # 254 bytes of UTF-8
    yield os.fsdecode(b"bad\xff.jpg")  # not valid UTF-8
    yield os.fsdecode(b"latin1-\xe9t\xe9.jpg")
    yield os.fsdecode(b"\xc3\x28-invalid-utf8.jpg")


def large_valid() -> Iterator[Case]:
    """Big photos that are not bombs: their data is all there (rows of a gradient), and they
    must still be scored within the memory limit (decoded, then reduced)."""
    for w, h, ct, bd in ((12000, 8000, 2, 8), (16000, 12000, 0, 8), (8000, 6000, 6, 16)):
        channels = {0: 1, 2: 3, 6: 4}[ct]
        row = (
            b"\x00"
            + bytes(range(256)) * (w * channels * bd // 8 // 256)
            + bytes((w * channels * bd // 8) % 256)
        )
        yield Case(f"large-png-{w}x{h}-{ct}-{bd}.png", "large-valid", _png_rows(w, h, ct, bd, row))
    jpeg = np.zeros((9000, 12000, 3), np.uint8)
    jpeg[:, :, 0] = np.arange(12000, dtype=np.uint32)[None, :] % 256
    ok, buf = cv2.imencode(".jpg", jpeg, [cv2.IMWRITE_JPEG_QUALITY, 80])
    yield Case("large-jpeg-12000x9000.jpg", "large-valid", buf.tobytes())


def _png_rows(w: int, h: int, ct: int, bd: int, row: bytes) -> bytes:
    comp = zlib.compressobj(6)
    body = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()

    def chunk(typ: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data))

    ihdr = struct.pack(">IIBBBBB", w, h, bd, ct, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))  # fmt: skip


def cases(seed: int = 0, large: bool = False) -> Iterator[Case]:
    """Every case of the corpus, in a stable order for a seed; `large` adds big valid photos
    (slow to make and to read: the benchmark's)."""
    rng = random.Random(seed)
    sd = seeds()
    # Valid seeds themselves (the control group).
    for key, (ext, data) in sd.items():
        yield Case(f"seed-{key}{ext}", "valid", data)
    if large:
        yield from large_valid()
    # Truncations at many offsets.
    for key, (ext, data) in sd.items():
        for off in _truncations(data, 40, rng):
            yield Case(f"trunc-{key}-{off}{ext}", "truncated", data[:off])
    # Random damage.
    for key, (ext, data) in sd.items():
        for k in range(25):
            yield Case(f"damage-{key}-{k}{ext}", "damaged-bytes", _damaged(data, rng))
    # Wrong extensions.
    for key, (_, data) in sd.items():
        for ext in ALL_EXTS:
            yield Case(f"wrongext-{key}{ext}", "wrong-extension", data)
    # Hostile EXIF in JPEG, PNG (eXIf), TIFF-structured headers, WebP.
    jpeg = sd["jpeg"][1]
    plain = jpeg[:2] + jpeg[2 + 4 + struct.unpack(">H", jpeg[4:6])[0] - 2 :]
    for name, block in _hostile_exifs():
        yield Case(f"exif-jpeg-{name}.jpg", "hostile-exif", jpeg_with_exif(plain, block))
        png = sd["png"][1]
        chunk = struct.pack(">I", len(block)) + b"eXIf" + block
        chunk += struct.pack(">I", zlib.crc32(b"eXIf" + block))
        yield Case(f"exif-png-{name}.png", "hostile-exif", png[:33] + chunk + png[33:])
        yield Case(f"exif-tiff-{name}.tif", "hostile-exif", block + bytes(64))
        yield Case(f"exif-raw-{name}.nef", "hostile-exif", block + bytes(64), must_fail=True)
    # Decompression bombs in every format.
    for w, h in ((20000, 20000), (16000, 15000), (65535, 65535), (100000, 1), (1, 100000),
                 (30000, 2)):  # fmt: skip
        for ct, bd in ((2, 8), (0, 8), (6, 16), (3, 8), (0, 1)):
            yield Case(f"bomb-png-{w}x{h}-{ct}-{bd}.png", "bomb", png_bomb(w, h, ct, bd),
                       must_fail=w * h > 100_000_000)  # fmt: skip
        yield Case(f"bomb-tiff-{w}x{h}.tif", "bomb", tiff_bomb(w, h),
                   must_fail=w * h > 100_000_000)  # fmt: skip
        yield Case(f"bomb-tiff-strips-{w}x{h}.tif", "bomb", tiff_bomb(w, h, 1, 16),
                   must_fail=w * h > 100_000_000)  # fmt: skip
    for w, h in ((15000, 15000), (65500, 65500), (16000, 15625), (30000, 8000)):
        yield Case(f"bomb-jpeg-{w}x{h}.jpg", "bomb", jpeg_bomb(w, h), must_fail=True)
        yield Case(f"bomb-jpeg-prog-{w}x{h}.jpg", "bomb", jpeg_bomb(w, h, True), must_fail=True)
        yield Case(f"bomb-dng-{w}x{h}.dng", "bomb", tiny_dng(w, h, bytes(4096)), must_fail=True)
    for w, h in ((16383, 16383), (16384, 16384), (10000, 10000)):
        yield Case(f"bomb-webp-{w}x{h}.webp", "bomb", webp_bomb(w, h), must_fail=True)
    for w, h in ((30000, 30000), (100000, 100000), (-20000, 20000), (2**31 - 1, 1)):
        yield Case(f"bomb-bmp-{w}x{h}.bmp", "bomb", bmp_bomb(w, h), must_fail=True)
    for w, h in ((20000, 20000), (65535, 65535), (0, 0)):
        data = heif_bomb(w, h)
        if data is not None:
            yield Case(f"bomb-heif-{w}x{h}.heic", "bomb", data, must_fail=True)
    # Card damage.
    for name, data in jpeg_damage(rng):
        yield Case(f"card-{name}.jpg", "card-damage", data, must_fail=True)
    # Image-less RAWs: headers declaring a sensor, with no (or a few bytes of) data.
    for w, h in ((6000, 4000), (3516, 2328), (8256, 5504)):
        for n in (0, 16, 4096):
            yield Case(f"headers-only-{w}x{h}-{n}.dng", "no-image-data",
                       tiny_dng(w, h, bytes(n), strip_bytes=w * h * 2), must_fail=True)  # fmt: skip
    yield Case("blank-sensor.dng", "no-image-data", tiny_dng(640, 480, bytes(640 * 480 * 2)),
               must_fail=True)  # fmt: skip
    # Garbage RAW headers.
    for name, data in _garbage_raws(rng):
        ext = RAW_EXTS[rng.randrange(len(RAW_EXTS))]
        yield Case(f"{name}{ext}", "garbage-raw", data, must_fail=True)
    # Plain garbage and empty files under photo names.
    for k in range(60):
        ext = ALL_EXTS[k % len(ALL_EXTS)]
        size = (0, 1, 7, 100, 5000, 100_000)[k % 6]
        yield Case(f"garbage-{k}{ext}", "garbage",
                   bytes(rng.getrandbits(8) for _ in range(size)), must_fail=True)  # fmt: skip
    # Odd and very long names (with a valid JPEG inside).
    small = sd["jpeg"][1]
    for name in _odd_names():
        yield Case(name, "odd-name", small)
    # Special files.
    for special in SPECIAL_KINDS:
        yield Case(f"special-{special}.jpg", "special", special=special, must_fail=True)


def sample(n: int, seed: int = 0) -> list[Case]:
    """A bounded, deterministic sample covering every kind: all cards, bombs and specials'
    first few, then every k-th of the rest."""
    everything = list(cases(seed))
    by_kind: dict[str, list[Case]] = {}
    for c in everything:
        by_kind.setdefault(c.kind, []).append(c)
    out: list[Case] = []
    per_kind = max(1, n // len(by_kind))
    for group in by_kind.values():
        step = max(1, len(group) // per_kind)
        out.extend(group[::step][:per_kind])
    return out


def write_case(folder: Path, case: Case) -> Path:
    """Create the case's file in `folder`; its path."""
    path = Path(os.fsencode(folder).decode("utf-8", "surrogateescape")) / case.name
    if case.special == "fifo":
        os.mkfifo(path)
    elif case.special == "dangling-symlink":
        os.symlink(folder / "does-not-exist.jpg", path)
    elif case.special == "loop-symlink":
        os.symlink(path, path)
    elif case.special == "dev-zero-link":
        os.symlink("/dev/zero", path)
    elif case.special == "directory":
        path.mkdir()
    else:
        path.write_bytes(case.data)
    return path


if __name__ == "__main__":  # print the corpus's make-up
    counts: dict[str, int] = {}
    for c in cases():
        counts[c.kind] = counts.get(c.kind, 0) + 1
    for k, v in counts.items():
        print(f"{k:16} {v:5}")
    print(f"{'total':16} {sum(counts.values()):5}")
