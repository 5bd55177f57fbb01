"""Synthetic test photos: a dead-leaves scene (the model behind ISO 19567-2 texture-sharpness
charts: occluding discs of random size and colour, scale-invariant like real scenes) and physical
blurs (disk defocus, linear motion) applied in linear light, as cameras blur."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]


def dead_leaves(width: int, height: int, seed: int = 0, discs: int | None = None) -> U8:
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), 128, np.uint8)
    scale = max(width, height)
    n = discs or int(2500 * (width * height) / (1024 * 768)) + 400
    # radius ~ 1/r^3 distribution between rmin and rmax (scale-invariant scenes)
    rmin, rmax = 0.004 * scale, 0.12 * scale
    u = rng.random(n)
    radii = 1 / np.sqrt(u * (1 / rmin**2 - 1 / rmax**2) + 1 / rmax**2)
    for r in np.sort(radii)[::-1]:  # big first so small ones stay visible
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        colour = tuple(int(c) for c in rng.integers(20, 236, 3))
        cv2.circle(img, (int(cx), int(cy)), max(1, int(r)), colour, -1, lineType=cv2.LINE_AA)
    return img


def _to_linear(u8: U8) -> npt.NDArray[np.float32]:
    x = u8.astype(np.float32) / 255
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)


def _to_srgb(lin: npt.NDArray[np.float32]) -> U8:
    x = np.clip(lin, 0, 1)
    s = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.clip(np.rint(s * 255), 0, 255).astype(np.uint8)


def disk_kernel(radius: float) -> npt.NDArray[np.float32]:
    half = int(np.ceil(radius)) + 1
    ss = 8
    n = 2 * half + 1
    c = (np.arange(n * ss) + 0.5) / ss - half - 0.5
    inside = (c[None, :] ** 2 + c[:, None] ** 2) <= radius**2
    k = inside.reshape(n, ss, n, ss).mean(axis=(1, 3)).astype(np.float32)
    return k / k.sum()


def line_kernel(length: float, angle_deg: float) -> npt.NDArray[np.float32]:
    half = int(np.ceil(length / 2)) + 2
    k = np.zeros((2 * half + 1, 2 * half + 1), np.float32)
    a = np.deg2rad(angle_deg)
    for t in np.linspace(-length / 2, length / 2, int(length * 8) + 2):
        x, y = half + t * np.cos(a), half - t * np.sin(a)
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        k[y0, x0] += (1 - fx) * (1 - fy)
        k[y0, x0 + 1] += fx * (1 - fy)
        k[y0 + 1, x0] += (1 - fx) * fy
        k[y0 + 1, x0 + 1] += fx * fy
    return k / k.sum()


def blur(rgb: U8, kernel: npt.NDArray[np.float32]) -> U8:
    lin = _to_linear(rgb)
    out = cv2.filter2D(lin, -1, kernel[::-1, ::-1].copy(), borderType=cv2.BORDER_REFLECT)
    return _to_srgb(out)


def defocus(rgb: U8, radius: float) -> U8:
    return blur(rgb, disk_kernel(radius))


def motion(rgb: U8, length: float, angle_deg: float) -> U8:
    return blur(rgb, line_kernel(length, angle_deg))


def expose(rgb: U8, factor: float) -> U8:
    """Change exposure in linear light (clipping above white), as a camera would."""
    return _to_srgb(_to_linear(rgb) * factor)


def add_noise(rgb: U8, sigma_levels: float, seed: int = 1) -> U8:
    rng = np.random.default_rng(seed)
    noisy = rgb.astype(np.float32) + rng.normal(0, sigma_levels, rgb.shape).astype(np.float32)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def bokeh(rgb: U8, radius: float, subject: tuple[float, float, float, float]) -> U8:
    """Blur everything except the subject box (x0, y0, x1, y1 as fractions of the frame)."""
    h, w = rgb.shape[:2]
    out = defocus(rgb, radius)
    x0, y0, x1, y1 = (
        int(subject[0] * w),
        int(subject[1] * h),
        int(subject[2] * w),
        int(subject[3] * h),
    )
    out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1]
    return out
