"""`focus`: the default scorer. The blur size of the sharpest region, on a calibrated 0-100 scale.

How it works (README "How the score works" has the user-facing version):

1. Work on luma at one fixed scoring size, a long edge of SCORING_LONG_EDGE px (never
   upsampled); blur is expressed at 2048. The per-edge ratio below saturates for blurs of a few
   px, so a photo measured at a larger size reads a given blur as smaller: without one size,
   the verdict would move with the camera.
2. Re-blur the photo with a small Gaussian (sigma0). At an edge already blurred by a Gaussian of
   sigma, the gradient magnitude drops by R = |grad I| / |grad (I * G_sigma0)| =
   sqrt(sigma^2 + sigma0^2) / sigma, so sigma = sigma0 / sqrt(R^2 - 1) (Zhuo & Sim 2011). This is
   the seed article's re-blur idea made local: contrast and exposure cancel in the ratio.
3. Only trust strong edges: local maxima of the re-blurred copy's gradient (on the photo itself
   they would land where grain adds most along a wide blurred edge), well above the noise and
   away from clipped or crushed pixels (clipping fakes hard edges); each edge's gradient is
   debiased for the noise power at its grey level (a low quantile of the gradient per level).
   "Strong" is judged within each edge direction, so that the edges camera shake weakens (those
   across its path) still take part.
4. The sharpest tenth of the edges decides, per edge direction, and the worst direction wins:
   a sharp subject before a blurred background keeps the photo sharp, while camera shake (which
   leaves edges along the motion crisp and smears those across it) does not.
5. Measure again at half size: a wide blur gives ratios so close to 1 that grain (or a camera's
   sharpening halos) decides them. The photo is at least COARSE_SHARE as blurred as that pass
   finds its median edge direction; the median, because a macro subject can lose its finest
   detail at half size in some directions, while a wide blur leaves most of them blurred.
6. Camera shake can leave small features with crisp ends, so the edges alone can miss it. The
   photo's finest band is compared with the next-coarser band in every orientation; shake
   depletes the fine band along its path only. Beyond DIRECTIONAL_LOSS_ONSET (which sharp
   scenes of fine parallel structure reach), that directional loss scales the blur radius up.
7. Express the blur as a radius in pixels at a 2048 px long edge, and map it to 0-100:
   score = 100 / (1 + (radius / RADIUS_AT_THRESHOLD)^SCORE_STEEPNESS), so the default threshold
   of 50 sits exactly at RADIUS_AT_THRESHOLD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.image import WORKING_LONG_EDGE, DecodedPhoto
from reviewer.core.scoring.base import BlurKind, Score, ScoreMaps
from reviewer.core.scoring.common import (
    CRUSHED_LUMA,
    exposure_fractions,
    exposure_verdict,
    luma_u8,
)

F32 = npt.NDArray[np.float32]

SIGMA0 = 1.0  # re-blur, px at the scoring size
MIN_SIGMA = 0.1  # px: the floor of the blur scale (score 99.9)
OPERATOR_SIGMA = 0.5  # what a perfectly sharp edge measures (Sobel + pixel sampling), px
NOISE_FACTOR = 6.0  # edges must be this many noise-gradient SDs strong (noise is not detail)
NOISE_DEBIAS = 2.0  # noise-gradient SDs removed (in power) from each edge's gradient
# grey levels per px in the re-blurred copy; below this an edge is too faint to judge
MIN_GRADIENT_REBLURRED = 3.0
# Noise is measured from a low quantile of the gradient magnitudes: in busy scenes (foliage,
# gravel) most pixels sit on detail, and a median would take that detail for noise.
NOISE_QUANTILE = 0.25
RAYLEIGH_AT_QUANTILE = math.sqrt(-2.0 * math.log(1.0 - NOISE_QUANTILE))
NOISE_LEVEL_BINS = 16  # grey-level bins for the noise level of each edge
MIN_NOISE_SAMPLES = 100  # sampled pixels a bin needs for its own noise level
CLIP_MARGIN = 2  # px around clipped / crushed pixels where edges are not trusted
CLIP_MASK_LUMA = 250  # at or above: clipped, or close enough to fake an edge
STRONG_EDGE_FRACTION = 0.5  # of the 99th-percentile edge strength in the same direction
ORIENTATION_BINS = 4
# A direction with fewer strong edges is not judged. Keep it low: a long shake leaves few edges
# across its path (a 17 px shake at 1280 px: about a dozen), and those must still vote.
MIN_EDGES_PER_DIRECTION = 10
MIN_EDGES = 20  # fewer strong edges than this: nothing to judge
SHARPEST_PERCENTILE = 10.0  # the sharpest tenth of the edges decides (a small subject counts)
TILE = 64  # px at the scoring size, for the heatmap
MIN_EDGES_PER_TILE = 8
# Every photo is measured at this long edge (smaller ones at their own size, counted as if
# they had this long edge). The working image (about 2048 px) is resampled to it.
SCORING_LONG_EDGE = 1280
# Blur sizes are expressed at a 2048 px long edge. Every photo is measured at the scoring size,
# and smaller ones count as if they had it.
TO_REFERENCE = WORKING_LONG_EDGE / SCORING_LONG_EDGE
# The half-size pass runs on every photo with edges: a wide blur measured at full size gives ratios
# so close to 1 that grain decides them. A photo is taken to be at least this fraction as blurred as
# the median edge direction of the half-size pass finds it. Sharp photos measure up to about twice
# as blurred there, since their finest detail is gone at half size (macro shots with a small sharp
# subject: up to about 5 px), while a missed focus measures its full blur there (a real one in the
# dev set: 5.3 px, 2.4 px at full size, where sharpening halos and noise decide).
COARSE_SHARE = 0.51
RADIUS_AT_THRESHOLD = 2.75  # blur radius px at 2048 px that scores exactly 50
SCORE_STEEPNESS = 3.0
DEFAULT_THRESHOLD = 50.0
MOTION_ANISOTROPY = 2.5  # fine-detail anisotropy above which blur looks directional
# Directional detail loss: the finest band (what the SIGMA0 re-blur removes) against the next
# one (up to STRUCTURE_SIGMA), compared across orientations. Shake removes fine detail along one
# direction only, which the per-edge ratio can miss (a small bright feature smeared along a
# straight path keeps sharp ends). Sharp scenes of fine parallel structure (leaf veins, cables,
# blinds) reach a loss of about 2 too, so only the loss beyond DIRECTIONAL_LOSS_ONSET counts:
# the blur radius is multiplied by (loss / onset)**DIRECTIONAL_LOSS_WEIGHT.
STRUCTURE_SIGMA = 2.5
DIRECTIONAL_LOSS_ONSET = 2.0
DIRECTIONAL_LOSS_WEIGHT = 0.5
LOSS_ORIENTATIONS = 24
BAND_STRIP = 16  # rows per strip sampled for the band statistics
BAND_ROW_STEP = 8  # one strip in this many


def radius_to_score(radius: float | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    r = np.maximum(np.asarray(radius, np.float64), 0.0)
    return np.asarray(100.0 / (1.0 + (r / RADIUS_AT_THRESHOLD) ** SCORE_STEEPNESS))


class FocusScorer:
    name = "focus"
    default_threshold = DEFAULT_THRESHOLD
    description = "blur radius of the sharpest region from local re-blur ratios (0-100)"

    def score(self, photo: DecodedPhoto, *, explain: bool = False) -> Score:
        gray_u8 = to_scoring_size(luma_u8(photo.rgb))
        crushed, clipped = exposure_fractions(gray_u8)
        exposure = exposure_verdict(crushed, clipped)
        m = measure(gray_u8, explain=explain)
        radius = m.radius
        value = float(radius_to_score(radius)) if np.isfinite(radius) else 0.0
        blur_kind: BlurKind = "none"
        details: dict[str, float] = {}
        if value < DEFAULT_THRESHOLD and np.isfinite(radius):
            # Only blurry photos show the hint; the edge pass already measured the fine band.
            assert m.fine_tensor is not None  # the full-size pass always measures it
            anisotropy = tensor_anisotropy(m.fine_tensor)
            details["anisotropy"] = anisotropy
            blur_kind = "motion" if anisotropy >= MOTION_ANISOTROPY else "defocus"
        details |= {
            "blur_radius_px": float(radius),
            "edge_blur_radius_px": float(m.edge_radius),
            "half_size_blur_radius_px": m.half_size_radius,
            "directional_loss": m.directional_loss,
            "edge_energy": m.energy,
            "edge_energy_reblurred": m.energy_reblurred,
            "edges_used": float(m.edges_used),
            "sharp_area": m.sharp_area,
            "noise": m.noise,
            "crushed": crushed,
            "clipped": clipped,
        }
        maps = None
        if explain and m.edges_map is not None and m.edges_reblurred_map is not None:
            maps = ScoreMaps(
                edges=m.edges_map,
                edges_reblurred=m.edges_reblurred_map,
                sharpness=m.sharpness_map,
                reblurred_rgb=np.asarray(
                    cv2.GaussianBlur(to_scoring_size(photo.rgb), (0, 0), SIGMA0), np.uint8
                ),
            )
        return Score(self.name, value, DEFAULT_THRESHOLD, exposure, blur_kind, details, maps)


def tensor_anisotropy(tensor: tuple[float, ...]) -> float:
    """Eigenvalue ratio (largest over smallest) of a mean structure tensor (xx, yy, xy). Of the
    finest band's tensor (photo minus re-blurred copy), how one-directional the fine detail is:
    a shake wipes it out across the motion but keeps it along, so what is left points one way
    (shake: 3-10); defocus and sharp photos keep it in every direction (1.1-2, more for strongly
    striped scenes). The high-pass takes the scene's own large-scale anisotropy out."""
    a, b, c = tensor
    half_trace = (a + b) / 2
    disc = math.sqrt(max(half_trace**2 - (a * b - c * c), 0.0))
    return (half_trace + disc) / max(half_trace - disc, 1e-9)


def _tensor(gx: F32, gy: F32) -> tuple[float, float, float]:
    """Mean structure tensor (xx, yy, xy) of a gradient field (any shape, views welcome)."""
    n = max(gx.size, 1)
    spec = "ijk,ijk->" if gx.ndim == 3 else "ij,ij->"
    return (
        float(np.einsum(spec, gx, gx)) / n,
        float(np.einsum(spec, gy, gy)) / n,
        float(np.einsum(spec, gx, gy)) / n,
    )


def _strips(image: F32, starts: npt.NDArray[np.intp], margin: int) -> F32:
    """Rows [start - margin, start + BAND_STRIP + margin) for each start, stacked (one copy)."""
    return np.concatenate([image[s - margin : s + BAND_STRIP + margin] for s in starts])


def _band_tensors(gray: F32, fine_cut: F32) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Structure tensors of the fine band (gray - fine_cut) and of the coarser band (fine_cut
    minus its blur to STRUCTURE_SIGMA), with the same Sobel gradient as the edges. They are means
    over the frame, so strips of BAND_STRIP rows, one in every BAND_ROW_STEP, are plenty. Each
    strip is cut with the rows around it that its blur and gradient need, trimmed afterwards."""
    h, w = gray.shape
    margin = math.ceil(3 * _STRUCTURE_STEP) + 1  # blur radius + 1 row for the gradient
    span = BAND_STRIP * BAND_ROW_STEP
    starts = np.arange(margin, h - BAND_STRIP - margin + 1, span, dtype=np.intp)
    if starts.size < 4:  # a small photo: all of it
        coarse_cut = np.asarray(cv2.GaussianBlur(fine_cut, (0, 0), _STRUCTURE_STEP), np.float32)
        return _tensor(*_gradient(gray - fine_cut)), _tensor(*_gradient(fine_cut - coarse_cut))
    n = starts.size
    band = _strips(gray, starts, 1) - _strips(fine_cut, starts, 1)
    gx, gy = _gradient(band)
    inner = (slice(None), slice(1, -1))
    fine = _tensor(gx.reshape(n, -1, w)[inner], gy.reshape(n, -1, w)[inner])
    cut = _strips(fine_cut, starts, margin)
    ksize = 2 * margin - 1
    band = cut - np.asarray(cv2.GaussianBlur(cut, (ksize, ksize), _STRUCTURE_STEP), np.float32)
    gx, gy = _gradient(band)
    inner = (slice(None), slice(margin, -margin))
    coarse = _tensor(gx.reshape(n, -1, w)[inner], gy.reshape(n, -1, w)[inner])
    return fine, coarse


def directional_detail_loss(gray_u8: npt.NDArray[np.uint8]) -> float:
    """How unevenly across orientations the finest detail has been lost (1 = evenly)."""
    gray = gray_u8.astype(np.float32)
    fine_cut = np.asarray(cv2.GaussianBlur(gray, (7, 7), SIGMA0), np.float32)
    return _directional_detail_loss(gray, fine_cut)[0]


def _directional_detail_loss(gray: F32, fine_cut: F32) -> tuple[float, tuple[float, ...]]:
    """For each orientation, the energy of the fine band (the photo minus its copy re-blurred by
    SIGMA0) over that of the next-coarser band (up to STRUCTURE_SIGMA); the result is the
    largest of these ratios over the smallest. Dividing by the coarser band takes out the scene's
    own orientation (a striped subject is striped in both bands); camera shake removes the fine
    band along its path and leaves the coarser band, so the ratio drops in that one direction.
    Contrast and exposure cancel; noise is isotropic and pulls towards 1. Also returns the fine
    band's tensor."""
    fine, coarse = _band_tensors(gray, fine_cut)
    theta = np.linspace(0.0, np.pi, LOSS_ORIENTATIONS, endpoint=False)
    c, s = np.cos(theta), np.sin(theta)
    fine_e = fine[0] * c * c + 2 * fine[2] * s * c + fine[1] * s * s
    coarse_e = coarse[0] * c * c + 2 * coarse[2] * s * c + coarse[1] * s * s
    ratio = fine_e / np.maximum(coarse_e, 1e-9)
    if float(ratio.min()) <= 0.0:
        return 1.0, fine
    return float(ratio.max() / ratio.min()), fine


# Blurring by SIGMA0 then by this gives STRUCTURE_SIGMA in all (Gaussians add in quadrature).
_STRUCTURE_STEP = math.sqrt(STRUCTURE_SIGMA**2 - SIGMA0**2)


def _to_reference(
    sigma: npt.NDArray[np.float64] | np.float64, scale: float
) -> npt.NDArray[np.float64]:
    """Blur measured at the scoring size -> px at the 2048 px reference. Only the photo's own
    blur is rescaled, not the operator's, so a perfectly sharp photo measures the same at any
    size. Values below the operator's blur (the finest detail) are kept as they are, so the
    sharpest photos still rank among themselves."""
    sigma = np.asarray(sigma, np.float64)
    rescaled = np.sqrt(
        np.maximum(np.square(sigma) - OPERATOR_SIGMA**2, 0.0) * scale**2 + OPERATOR_SIGMA**2
    )
    return np.asarray(np.maximum(np.where(sigma > OPERATOR_SIGMA, rescaled, sigma), MIN_SIGMA))


# Gradient quantiles are taken from histograms in steps of 1/GRADIENT_STEPS grey level per px:
# one pass for any number of groups, where sorting would take one per group.
GRADIENT_STEPS = 8
_GRADIENT_BINS = GRADIENT_STEPS * 256


def _gradient_steps(mag: F32) -> npt.NDArray[np.intp]:
    steps = (mag.ravel() * GRADIENT_STEPS).astype(np.intp)
    return np.asarray(np.minimum(steps, _GRADIENT_BINS - 1))


def _histogram_noise(hist: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Noise gradient SD per component from gradient histograms (one per row): over smooth
    pixels the magnitude of a noise gradient is Rayleigh-distributed, and its NOISE_QUANTILE
    is RAYLEIGH_AT_QUANTILE SDs."""
    counts = hist.sum(axis=-1, keepdims=True)
    step = (np.cumsum(hist, axis=-1) < counts * NOISE_QUANTILE).sum(axis=-1)
    return np.asarray((step + 0.5) / GRADIENT_STEPS / RAYLEIGH_AT_QUANTILE)


def _gradient_noise(mag: F32) -> float:
    hist = np.bincount(_gradient_steps(mag), minlength=_GRADIENT_BINS)
    return float(_histogram_noise(hist))


def _level_bin(levels: F32) -> npt.NDArray[np.intp]:
    bins = (levels * (NOISE_LEVEL_BINS / 256.0)).astype(np.intp)
    return np.asarray(np.clip(bins, 0, NOISE_LEVEL_BINS - 1))


def _noise_by_level(mag: F32, levels: F32) -> tuple[float, npt.NDArray[np.float64]]:
    """Noise gradient (per-component SD) of the frame, and of each grey-level bin (sensor noise
    grows with brightness), from a low quantile of the gradient magnitudes (_histogram_noise).
    Bins with too few pixels take the frame's level."""
    bins = _level_bin(levels).ravel()
    hist = np.bincount(
        bins * _GRADIENT_BINS + _gradient_steps(mag), minlength=NOISE_LEVEL_BINS * _GRADIENT_BINS
    )
    hist = hist.reshape(NOISE_LEVEL_BINS, _GRADIENT_BINS)
    overall = float(_histogram_noise(hist.sum(axis=0)))
    by_level = _histogram_noise(hist)
    return overall, np.where(hist.sum(axis=1) >= MIN_NOISE_SAMPLES, by_level, overall)


def _magnitude(gx_int: npt.NDArray[np.int16], gy_int: npt.NDArray[np.int16]) -> F32:
    """Gradient magnitude, at _gradient's scale, from cv2.spatialGradient's integer output."""
    return np.hypot(gx_int.astype(np.float32), gy_int.astype(np.float32)) * np.float32(0.125)


def _gradient(img: F32) -> tuple[F32, F32]:
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, scale=0.125)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, scale=0.125)
    return np.asarray(gx), np.asarray(gy)


@dataclass(slots=True)
class FocusMeasurement:
    """The numbers behind a focus score, and with explain=True the maps."""

    radius: float = math.inf  # blur radius, px at a 2048 px long edge
    edge_radius: float = math.inf  # the same from the full-size pass alone
    half_size_radius: float = 0.0  # COARSE_SHARE of the half-size pass's figure (0: not run)
    median_direction_radius: float = math.inf  # the median over the edge directions
    directional_loss: float = 1.0  # see directional_detail_loss
    fine_tensor: tuple[float, ...] | None = None  # structure tensor of the finest band
    noise: float = 0.0  # grey levels, white-noise equivalent
    edges_used: int = 0
    energy: float = 0.0  # mean edge strength before / after the re-blur (same scale)
    energy_reblurred: float = 0.0
    sharp_area: float = 0.0  # share of the frame's tiles that are sharp
    edges_map: F32 | None = None
    edges_reblurred_map: F32 | None = None
    sharpness_map: F32 | None = None


def to_scoring_size(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The image (grey or RGB) with its long edge at most SCORING_LONG_EDGE. Bicubic: the
    working image is at most 2250 px, so the reduction is mild, and a box average (INTER_AREA)
    softens edges enough to reject sharp photos (9% of the dev set's sharp photos at 3000 px,
    against 3% bicubic); an antialiased Lanczos (Pillow) scores alike at ten times the cost."""
    h, w = image.shape[:2]
    if max(h, w) <= SCORING_LONG_EDGE:
        return image
    r = SCORING_LONG_EDGE / max(h, w)
    size = (max(1, round(w * r)), max(1, round(h * r)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_CUBIC), np.uint8)


def measure(gray_u8: npt.NDArray[np.uint8], *, explain: bool = False) -> FocusMeasurement:
    """Measure the blur of the sharpest edges of a grey image (resampled to the scoring size
    first when larger). The maps come at the scoring size."""
    gray_u8 = to_scoring_size(gray_u8)
    h, w = gray_u8.shape
    m = _measure_at(gray_u8, TO_REFERENCE, explain, True)
    m.edge_radius = m.radius
    if math.isfinite(m.radius) and min(h, w) >= 2 * TILE:
        # A small re-blur cannot tell large blurs apart (the ratio tends to 1, and noise or a
        # camera's sharpening halos decide it); at half size the same re-blur spans twice the
        # original pixels, and the noise is halved. Its median direction is the trusted part: a
        # small sharp subject (a macro shot) may lose its finest detail there in some
        # directions, but a wide blur leaves most directions blurred.
        half = cv2.resize(gray_u8, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        coarse = _measure_at(np.asarray(half, np.uint8), 2.0 * TO_REFERENCE, False, False)
        if math.isfinite(coarse.median_direction_radius):
            m.half_size_radius = COARSE_SHARE * coarse.median_direction_radius
            m.radius = max(m.radius, m.half_size_radius)
    if math.isfinite(m.radius):
        onset_excess = max(m.directional_loss / DIRECTIONAL_LOSS_ONSET, 1.0)
        m.radius *= onset_excess**DIRECTIONAL_LOSS_WEIGHT
    return m


def _measure_at(
    gray_u8: npt.NDArray[np.uint8], to_reference: float, explain: bool, directional: bool
) -> FocusMeasurement:
    h, w = gray_u8.shape
    gray = gray_u8.astype(np.float32)

    # The photo's own gradient is only needed at the edge points and on a 1-in-16 sample (and
    # in full for the explain maps): one integer pass, no full magnitude image.
    gx_i, gy_i = (np.asarray(g, np.int16) for g in cv2.spatialGradient(gray_u8))  # 8x _gradient
    mag_sample = _magnitude(gx_i[::4, ::4], gy_i[::4, ::4])
    reblurred = np.asarray(cv2.GaussianBlur(gray, (7, 7), SIGMA0), np.float32)  # +-3 sigma
    rx, ry = _gradient(reblurred)
    mag_reblurred = np.asarray(cv2.magnitude(rx, ry), np.float32)

    # Edge points: local maxima of the re-blurred copy's gradient, strong against noise, away
    # from clipping. They are found on the re-blurred copy because its noise is small: picking
    # maxima of the photo's own gradient would pick, along a wide blurred edge, the pixels where
    # noise happens to add most, and noise there fakes a sharp edge.
    # The noise is measured with the same operator as the edges, so noise that a camera's
    # denoiser left spatially correlated (blotches a fine-scale estimate misses) is counted at
    # its real strength. One pixel in 16 is plenty.
    noise_gradient, noise_by_level = _noise_by_level(mag_sample, reblurred[::4, ::4])
    reblurred_noise = _gradient_noise(mag_reblurred[::4, ::4])
    floor = max(MIN_GRADIENT_REBLURRED, NOISE_FACTOR * reblurred_noise)
    local_max = mag_reblurred >= cv2.dilate(mag_reblurred, np.ones((3, 3), np.uint8))
    bad = ((gray_u8 <= CRUSHED_LUMA) | (gray_u8 >= CLIP_MASK_LUMA)).astype(np.uint8)
    bad = np.asarray(cv2.dilate(bad, np.ones((2 * CLIP_MARGIN + 1,) * 2, np.uint8)), np.uint8)
    edge = local_max & (mag_reblurred > floor) & (bad == 0)
    edge[:2, :] = False
    edge[-2:, :] = False
    edge[:, :2] = False
    edge[:, -2:] = False
    points = cv2.findNonZero(edge.view(np.uint8))  # (x, y) pairs; faster than np.nonzero
    xy = np.zeros((0, 2), np.intp) if points is None else points.reshape(-1, 2).astype(np.intp)
    ys, xs = xy[:, 1], xy[:, 0]
    # reported as the white noise that would give this gradient noise (Sobel/8: 0.433 sigma)
    m = FocusMeasurement(noise=noise_gradient / 0.433)
    tiles_y, tiles_x = -(-h // TILE), -(-w // TILE)
    sharpness_map = np.full((tiles_y, tiles_x), np.nan, np.float32)
    if ys.size:
        g2_all = mag_reblurred[ys, xs]
        # Edge orientation (a gradient and its opposite are one orientation), in equal bins
        # centred on 0, 45, 90 and 135 degrees.
        gx_here, gy_here = gx_i[ys, xs], gy_i[ys, xs]
        orientation = np.mod(np.arctan2(gy_here, gx_here), np.pi)
        obin_all = np.floor(orientation / np.pi * ORIENTATION_BINS + 0.5).astype(np.intp)
        obin_all %= ORIENTATION_BINS
        # Only each direction's stronger edges: faint ones are texture, halos and noise, whose
        # re-blur ratio says little about focus. "Stronger" is measured within the direction,
        # not over the frame: camera shake weakens the edges across its path, and judged
        # against the frame's strongest edges (those along the path) they would all drop out,
        # leaving only the crisp ones to vote.
        strength_99 = np.array(
            [
                np.percentile(g2_all[obin_all == b], 99) if np.any(obin_all == b) else 0.0
                for b in range(ORIENTATION_BINS)
            ]
        )
        strong = g2_all >= STRONG_EDGE_FRACTION * strength_99[obin_all]
        ys, xs, g2, obin = ys[strong], xs[strong], g2_all[strong], obin_all[strong]
        g1 = _magnitude(gx_here[strong], gy_here[strong])
        m.edges_used = int(ys.size)
        # Noise adds power to the gradient that the re-blur removes, which would make weak
        # edges look sharp: compare the signal's share only. Sensor noise grows with the
        # brightness, so each edge is corrected for the noise at its own grey level.
        noise_here = noise_by_level[_level_bin(reblurred[ys, xs])]
        g1_signal = np.sqrt(np.maximum(g1**2 - (NOISE_DEBIAS * noise_here) ** 2, 1e-6))
        ratio = np.maximum(g1_signal / np.maximum(g2, 1e-6), 1.0 + 1e-4)
        # Edge blur (Gaussian sigma) in px at the scoring size, including the gradient
        # operator's own blur.
        sigma_here = SIGMA0 / np.sqrt(ratio**2 - 1.0)
        per_direction = [
            float(np.percentile(sigma_here[obin == b], SHARPEST_PERCENTILE))
            for b in range(ORIENTATION_BINS)
            if np.count_nonzero(obin == b) >= MIN_EDGES_PER_DIRECTION
        ]
        if per_direction:
            # The sharpest edges of each direction; the frame is as blurred as its worst
            # direction (camera shake smears only the edges across the motion).
            m.radius = 2.0 * float(_to_reference(np.float64(max(per_direction)), to_reference))
            m.median_direction_radius = 2.0 * float(
                _to_reference(np.float64(np.median(per_direction)), to_reference)
            )
        elif sigma_here.size >= MIN_EDGES:
            p = np.percentile(sigma_here, SHARPEST_PERCENTILE)
            m.radius = 2.0 * float(_to_reference(np.float64(p), to_reference))
            m.median_direction_radius = m.radius

        # Per-tile map for the heatmap: each tile's typical (geometric mean) edge blur.
        tile = (ys // TILE) * tiles_x + (xs // TILE)
        n_tiles = tiles_y * tiles_x
        counts = np.bincount(tile, minlength=n_tiles)
        log_sum = np.bincount(tile, weights=np.log(sigma_here), minlength=n_tiles)
        ok = counts >= MIN_EDGES_PER_TILE
        tile_radius = 2.0 * _to_reference(np.exp(log_sum[ok] / counts[ok]), to_reference)
        tile_scores = radius_to_score(tile_radius)
        sharpness_map.ravel()[np.nonzero(ok)[0]] = tile_scores.astype(np.float32)
        m.sharp_area = float((tile_scores >= DEFAULT_THRESHOLD).sum() / n_tiles)

        norm = max(float(np.percentile(g1, 99)), 1e-6)
        m.energy = float(g1.mean() / norm)
        m.energy_reblurred = float(g2.mean() / norm)
    if directional:
        m.directional_loss, m.fine_tensor = _directional_detail_loss(gray, reblurred)
    if explain:
        mag = _magnitude(gx_i, gy_i)
        scale = max(float(np.percentile(mag, 99.5)), 1e-6)
        m.edges_map = np.clip(mag / scale, 0, 1).astype(np.float32)
        m.edges_reblurred_map = np.clip(mag_reblurred / scale, 0, 1).astype(np.float32)
        m.sharpness_map = sharpness_map
    return m
