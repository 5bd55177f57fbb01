"""Camera shake that the edge-width measure misses: a smear along one direction, or a doubled image.

Both are read from the autocorrelation of the gradient, taken along each direction: the
directional derivative D_t I (t a unit vector) correlated with itself shifted by d along t.
Measured along the shift, a line parallel to it has no derivative, so long straight edges (a
building, a horizon) do not correlate with themselves; what remains is how far each edge's profile
extends along t.

- Smear: the distance at which that correlation falls to one half is a blur length per direction
  (a sharp edge: about one pixel). Shake makes it long along the motion only; defocus makes it long
  in every direction (the edge measure already sees that).
- Doubled image (the shutter caught two positions): every edge has a faint second copy at the
  shake offset d, so the correlation has a secondary peak at d, with nothing at d/2 or 2d (a
  periodic pattern - blinds, a grid, brickwork - has its peaks at every multiple of its period).
  The peak must be found at the same offset in at least three of the four quarters of the frame:
  shake moves the whole frame, a pattern is local.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]

REACH = 32  # px at the scoring size: the longest smear / doubling offset looked for
SMEAR_ANGLES = 36
# A direction's correlation length (px at the scoring size) at which the smear counts, and how
# much longer than the shortest direction's it must be. Sharp camera frames measure 0.6-2.1 px
# and at most 1.9x between directions; defocus is long but even in every direction.
SMEAR_MIN_LENGTH = 2.0
SMEAR_MIN_ANISOTROPY = 2.2
# Shake smears edges of every orientation, so directions 20 degrees off the motion still
# correlate over most of its length (cos 20 = 0.94); a striped scene (curved slats, a wave
# pattern) correlates only along the stripes. Mean of the two sides over the longest.
SMEAR_MIN_BREADTH = 0.65
SMEAR_BREADTH_STEPS = 4  # of 180/SMEAR_ANGLES degrees: 20 degrees
# The second copy's correlation peak: at least this much above what lies at half and at twice
# the offset, in three quarters of the frame. A copy at a fraction a of the main image's strength
# peaks at a(1 - a) / ((1 - a)^2 + a^2): 0.2 for a = 0.2, 0.36 for a = 0.3. Sharp camera frames
# reach 0.15-0.2 where the scene itself repeats (a pattern every 21 px across a whole frame).
GHOST_MIN_PEAK = 0.2
GHOST_MIN_OFFSET = 4.0  # px: closer copies are a blur, not a doubling
GHOST_QUARTERS_AGREE = 3
GHOST_PERIOD_SLACK = 2  # px
GHOST_OFFSET_TOLERANCE = 1.0  # px between the quarters' offsets
MIN_SIDE = 96  # px: smaller frames are not checked
# px: the side of the tile measured in each quarter of the frame (a 1280 px frame's quarters
# hold 640 x 427 px, all of which is used: smaller tiles lose a slight smear)
TILE = 640


@dataclass(frozen=True, slots=True)
class Shake:
    kind: str  # "smear" or "double"
    length_px: float  # smear length or doubling offset, px at the scoring size
    angle_deg: float  # direction of the motion, 0 = horizontal, counter-clockwise in the image


def _gradients(gray: npt.NDArray[np.uint8]) -> tuple[F32, F32]:
    g = gray.astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3, scale=0.125)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3, scale=0.125)
    return np.asarray(gx, np.float32), np.asarray(gy, np.float32)


def _autocorrelations(gx: F32, gy: F32, reach: int) -> tuple[F32, F32, F32]:
    """Axx, Ayy and the symmetrised cross term Axy(d) + Ayx(d), for shifts |dx|, |dy| <= reach,
    centred (index reach = no shift)."""
    h, w = gx.shape
    big_h = cv2.getOptimalDFTSize(h + reach + 1)
    big_w = cv2.getOptimalDFTSize(w + reach + 1)

    def spectrum(c: F32) -> F32:
        pad = np.zeros((big_h, big_w), np.float32)
        pad[:h, :w] = c - float(c.mean())
        # packed (CCS): half the work of complex; the zero rows below the tile are skipped
        return np.asarray(cv2.dft(pad, nonzeroRows=h), np.float32)

    cols = np.arange(-reach, reach + 1) % big_w

    def even(product: F32) -> F32:
        # All three are even functions, A(-d) = A(d): only the rows of shifts 0..reach are
        # transformed back (a tenth of the rows); the negative shifts are their mirror image.
        full = cv2.idft(product, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE, nonzeroRows=reach + 1)
        top = np.asarray(full, np.float32)[: reach + 1][:, cols]
        return np.ascontiguousarray(np.vstack((top[:0:-1, ::-1], top)))

    def product(f1: F32, f2: F32) -> F32:
        return np.asarray(cv2.mulSpectrums(f1, f2, 0, conjB=True), np.float32)

    fx, fy = spectrum(gx), spectrum(gy)
    return (
        even(product(fx, fx)),
        even(product(fy, fy)),
        even(product(fx, fy) + product(fy, fx)),
    )


def _directional_map(axx: F32, ayy: F32, axy: F32) -> F32:
    """v(d): the correlation of the derivative along d with itself shifted by d, over its value
    at no shift; 1 at the centre."""
    reach = axx.shape[0] // 2
    yy, xx = np.mgrid[-reach : reach + 1, -reach : reach + 1].astype(np.float32)
    r = np.hypot(xx, yy)
    r[reach, reach] = 1.0
    c, s = xx / r, yy / r
    num = c * c * axx + s * s * ayy + c * s * axy
    den = c * c * axx[reach, reach] + s * s * ayy[reach, reach] + c * s * axy[reach, reach]
    out = num / np.maximum(den, 1e-9)
    out[reach, reach] = 1.0
    return np.asarray(out, np.float32)


def _profiles(axx: F32, ayy: F32, axy: F32, angles: int) -> F32:
    """v along each of `angles` directions at distances 0..reach (bilinear samples)."""
    reach = axx.shape[0] // 2
    theta = np.linspace(0.0, math.pi, angles, endpoint=False)
    d = np.arange(reach + 1, dtype=np.float32)
    c = np.cos(theta).astype(np.float32)[:, None]
    s = np.sin(theta).astype(np.float32)[:, None]
    map_x = np.asarray(reach + c * d, np.float32)
    map_y = np.asarray(reach + s * d, np.float32)

    def sample(a: F32) -> F32:
        return np.asarray(cv2.remap(a, map_x, map_y, cv2.INTER_LINEAR), np.float32)

    num = c * c * sample(axx) + s * s * sample(ayy) + c * s * sample(axy)
    den = c * c * axx[reach, reach] + s * s * ayy[reach, reach] + c * s * axy[reach, reach]
    return np.asarray(num / np.maximum(den, 1e-9), np.float32)


def correlation_lengths(profiles: F32) -> npt.NDArray[np.float64]:
    """Per direction, the distance (px) at which the correlation first falls to one half."""
    n, m = profiles.shape
    out = np.full(n, float(m - 1))
    for i in range(n):
        below = np.nonzero(profiles[i, 1:] < 0.5)[0]
        if below.size:
            k = int(below[0]) + 1
            a, b = float(profiles[i, k - 1]), float(profiles[i, k])
            out[i] = k - 1 + (a - 0.5) / max(a - b, 1e-6)
    return out


@functools.cache
def _ghost_offsets() -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The offsets a doubling is looked for at: GHOST_MIN_OFFSET..REACH px, one of each +-pair."""
    yy, xx = np.mgrid[0 : REACH + 1, -REACH : REACH + 1]
    r = np.hypot(xx, yy)
    keep = (r >= GHOST_MIN_OFFSET) & (r <= REACH) & ((yy > 0) | (xx > 0))
    return yy[keep].astype(np.intp), xx[keep].astype(np.intp)


def _ghost_peak(axx: F32, ayy: F32, axy: F32) -> tuple[float, float, float]:
    """The strongest isolated secondary peak of the directional autocorrelation (maps of
    shifts up to 2 * REACH): its height over what lies at half and at twice its offset, all
    taken along the offset's own direction; and the offset (dx, dy), up to REACH."""
    reach = axx.shape[0] // 2
    yy, xx = _ghost_offsets()
    r = np.hypot(xx, yy)
    c, s = xx / r, yy / r
    den = np.maximum(
        c * c * axx[reach, reach] + s * s * ayy[reach, reach] + c * s * axy[reach, reach], 1e-9
    )

    def along(py: npt.NDArray[np.intp], px: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        iy, ix = np.clip(py + reach, 0, 2 * reach), np.clip(px + reach, 0, 2 * reach)
        num = c * c * axx[iy, ix] + s * s * ayy[iy, ix] + c * s * axy[iy, ix]
        return np.asarray(num / den, np.float64)

    at_d = along(yy, xx)
    half = along(np.round(yy / 2).astype(np.intp), np.round(xx / 2).astype(np.intp))
    # A pattern's period is rarely a whole number of pixels: twice the offset is looked at
    # within GHOST_PERIOD_SLACK px along the offset.
    double = np.full(r.shape, -np.inf)
    for slack in range(-GHOST_PERIOD_SLACK, GHOST_PERIOD_SLACK + 1):
        t = 2.0 + slack / r
        py, px = np.round(yy * t).astype(np.intp), np.round(xx * t).astype(np.intp)
        double = np.maximum(double, along(py, px))
    excess = at_d - np.maximum(np.maximum(half, double), 0.0)
    i = int(np.argmax(excess))
    return float(excess[i]), float(xx[i]), float(yy[i])


def _quarter_tiles(h: int, w: int) -> list[tuple[slice, slice]]:
    """A tile of at most TILE px a side at the centre of each quarter of the frame."""
    th, tw = min(h // 2, TILE), min(w // 2, TILE)
    out = []
    for cy in (h // 4, 3 * h // 4):
        for cx in (w // 4, 3 * w // 4):
            y0, x0 = max(cy - th // 2, 0), max(cx - tw // 2, 0)
            out.append((slice(y0, y0 + th), slice(x0, x0 + tw)))
    return out


@dataclass(frozen=True, slots=True)
class Correlation:
    """What the gradient's autocorrelation says about a frame."""

    shake: Shake | None
    shortest_px: float  # the shortest direction's correlation length, px at the scoring size
    # How much the frame's edges run one way: 0 for every orientation alike, 1 for parallel
    # lines only (the coherence of the gradient's structure tensor).
    coherence: float = 0.0


def detect_shake(gray: npt.NDArray[np.uint8]) -> Shake | None:
    """Camera shake the edge measure can miss, or None. `gray`: luma at the scoring size."""
    return analyse(gray).shake


def analyse(gray: npt.NDArray[np.uint8]) -> Correlation:
    """Shake, and the shortest correlation length (an independent check of the edge blur:
    a frame blurred in every direction has no short one). `gray`: luma at the scoring size."""
    h, w = gray.shape
    if min(h, w) < MIN_SIDE:
        return Correlation(None, math.nan)
    gx, gy = _gradients(gray)
    if float(np.mean(np.abs(gx)) + np.mean(np.abs(gy))) < 1e-3:
        return Correlation(None, math.nan)  # flat
    coherence = _coherence(gx, gy)
    # One autocorrelation per quarter of the frame (a tile at its centre); their sum stands
    # for the whole frame's.
    quarters = [
        _autocorrelations(gx[ys, xs], gy[ys, xs], 2 * REACH)  # 2d is looked up for a peak at d
        for ys, xs in _quarter_tiles(h, w)
    ]
    axx, ayy, axy = (np.asarray(sum(q[i] for q in quarters), np.float32) for i in range(3))
    lengths = correlation_lengths(_profiles(axx, ayy, axy, SMEAR_ANGLES))
    longest, shortest = float(lengths.max()), float(lengths.min())
    top = int(np.argmax(lengths))
    sides = lengths[
        [(top - SMEAR_BREADTH_STEPS) % SMEAR_ANGLES, (top + SMEAR_BREADTH_STEPS) % SMEAR_ANGLES]
    ]
    if (
        longest >= SMEAR_MIN_LENGTH
        and longest >= SMEAR_MIN_ANISOTROPY * max(shortest, 0.5)
        and float(sides.mean()) >= SMEAR_MIN_BREADTH * longest
    ):
        # the profiles' angles run clockwise on screen (image rows grow downwards)
        angle = (180.0 - top * 180.0 / SMEAR_ANGLES) % 180.0
        return Correlation(Shake("smear", longest, angle), shortest, coherence)
    return Correlation(_doubled([_ghost_peak(*q) for q in quarters]), shortest, coherence)


def _coherence(gx: F32, gy: F32) -> float:
    jxx, jyy = float(np.dot(gx.ravel(), gx.ravel())), float(np.dot(gy.ravel(), gy.ravel()))
    jxy = float(np.dot(gx.ravel(), gy.ravel()))
    return math.hypot(jxx - jyy, 2.0 * jxy) / max(jxx + jyy, 1e-9)


def _doubled(peaks: list[tuple[float, float, float]]) -> Shake | None:
    """A doubling: the same isolated peak in GHOST_QUARTERS_AGREE quarters of the frame."""
    for height, dx, dy in sorted(peaks, reverse=True):
        if height < GHOST_MIN_PEAK:
            break
        agree = [
            p
            for p in peaks
            if p[0] >= GHOST_MIN_PEAK
            and min(math.hypot(p[1] - dx, p[2] - dy), math.hypot(p[1] + dx, p[2] + dy))
            <= GHOST_OFFSET_TOLERANCE
        ]
        if len(agree) >= GHOST_QUARTERS_AGREE:
            angle = math.degrees(math.atan2(-dy, dx)) % 180.0
            return Shake("double", math.hypot(dx, dy), angle)
    return None
