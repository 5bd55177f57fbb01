#!/usr/bin/env python3
"""Build the bundled demo folder (resources/demo) from the shared public-domain/CC0 photos.

Copies the five sharp photos byte for byte and adds blurred variants, made the way
`shared/tools/make_blur_set.py` makes its test set: the blur is convolved in (approximately)
linear light (sRGB -> linear, convolve with a disk or line PSF, -> sRGB), then mild noise is
added and the result saved as JPEG q=90. The photos are small (<= 640 px), so blur sizes are given
in pixels of the photo itself. Two variants sit near the default threshold, so the slider has
something to decide. Deterministic: a fixed seed per variant.

usage: python packaging/make_demo.py [--src ../shared/photos/demo] [--out resources/demo]
"""

from __future__ import annotations

import argparse
import shutil
import zlib
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "rocket.jpg")
# (source, variant name, kind, size in px: disk radius or line length, motion angle in degrees)
VARIANTS: tuple[tuple[str, str, str, float, float], ...] = (
    ("astronaut.png", "astronaut_defocus", "defocus", 2.5, 0.0),
    ("astronaut.png", "astronaut_shake", "motion", 9.0, 20.0),
    ("camera.png", "camera_shake", "motion", 8.0, 75.0),
    ("chelsea.png", "chelsea_soft", "defocus", 0.6, 0.0),
    ("coffee.png", "coffee_defocus", "defocus", 2.0, 0.0),
    ("coffee.png", "coffee_shake", "motion", 6.0, 140.0),
    ("rocket.jpg", "rocket_shake", "motion", 10.0, 5.0),
    ("rocket.jpg", "rocket_soft", "defocus", 0.8, 0.0),
)
NOISE_SIGMA = 1.5 / 255
JPEG_QUALITY = 90

F32 = npt.NDArray[np.float32]


def srgb_to_linear(u8: npt.NDArray[np.uint8]) -> F32:
    lut = np.arange(256, dtype=np.float32) / 255.0
    lut = np.where(lut <= 0.04045, lut / 12.92, ((lut + 0.055) / 1.055) ** 2.4)
    return lut.astype(np.float32)[u8]


def linear_to_srgb(x: F32) -> F32:
    x = np.clip(x, 0.0, 1.0)
    out = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return out.astype(np.float32)


def disk_psf(radius: float, ss: int = 8) -> F32:
    """Uniform disk, anti-aliased by supersampling each kernel pixel."""
    half = int(np.ceil(radius)) + 1
    n = 2 * half + 1
    c = (np.arange(n * ss) + 0.5) / ss - half - 0.5
    inside = (c[None, :] ** 2 + c[:, None] ** 2) <= radius**2
    k = inside.reshape(n, ss, n, ss).mean(axis=(1, 3)).astype(np.float32)
    return k / k.sum()


def line_psf(length: float, angle_deg: float) -> F32:
    """Anti-aliased straight line of `length` px, centred (bilinear splatting)."""
    half = int(np.ceil(length / 2)) + 2
    n = 2 * half + 1
    k = np.zeros((n, n), np.float32)
    t = np.linspace(-length / 2, length / 2, max(2, int(np.ceil(length * 8)) + 1))
    a = np.deg2rad(angle_deg)
    x, y = half + t * np.cos(a), half - t * np.sin(a)
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    for dx, dy, w in (
        (0, 0, (1 - fx) * (1 - fy)),
        (1, 0, fx * (1 - fy)),
        (0, 1, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        np.add.at(k, (y0 + dy, x0 + dx), w)
    return k / k.sum()


def blur(
    rgb: npt.NDArray[np.uint8], kind: str, size: float, angle: float, rng: np.random.Generator
) -> npt.NDArray[np.uint8]:
    psf = disk_psf(size) if kind == "defocus" else line_psf(size, angle)
    lin = srgb_to_linear(rgb)
    # filter2D correlates; flip the kernel for a true convolution
    out = cv2.filter2D(
        lin, -1, np.ascontiguousarray(psf[::-1, ::-1]), borderType=cv2.BORDER_REFLECT
    )
    srgb = linear_to_srgb(out) + rng.normal(0.0, NOISE_SIGMA, out.shape).astype(np.float32)
    return np.clip(np.rint(srgb * 255.0), 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=ROOT.parent / "shared" / "photos" / "demo")
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "demo")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in SOURCES:
        shutil.copyfile(args.src / name, args.out / name)
    for source, variant, kind, size, angle in VARIANTS:
        with Image.open(args.src / source) as im:
            rgb = np.asarray(im.convert("RGB"))
        rng = np.random.default_rng(zlib.crc32(variant.encode()))
        out = blur(rgb, kind, size, angle, rng)
        if Image.open(args.src / source).mode == "L":
            Image.fromarray(out).convert("L").save(
                args.out / f"{variant}.jpg", "JPEG", quality=JPEG_QUALITY
            )
        else:
            Image.fromarray(out).save(args.out / f"{variant}.jpg", "JPEG", quality=JPEG_QUALITY)
    total = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"{args.out}: {len(list(args.out.iterdir()))} files, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
