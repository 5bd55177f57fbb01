"""The re-blur clarity coefficient of "How to get rid of blurry photos using Python".

Method (seed article, shared/seeds/000_*): on the centre half of the photo, 2n x 2n kernels of
+1/-1 halves (vertical and horizontal edges) summed over the three colour channels, |.|, stride
3, normalised by the original's maximum, 2x2 max-pooling, mean of both orientations; the same on
a GaussianBlur(57 x 57) copy normalised by the original's maxima; score = mean(original) /
mean(re-blurred). The article's loops are replaced by integral-image box sums, which give the
same numbers (tests/core/test_edge_ratio.py compares against a loop-by-loop port to 1e-9).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.image import DecodedPhoto
from reviewer.core.scoring.base import Score, ScoreMaps
from reviewer.core.scoring.common import exposure_fractions, exposure_verdict, luma_u8

F64 = npt.NDArray[np.float64]

FILTER_HALF = 1  # n: kernels are 2n x 2n
STRIDE = 3
POOL = 2
BLUR_KERNEL = 57


def _centre_half(img: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    h, w = img.shape[:2]
    return img[int(h / 4) : int(h * 3 / 4), int(w / 4) : int(w * 3 / 4)]


def _raw_edges(channel_sum: F64, n: int, stride: int) -> tuple[F64, F64]:
    """|kernel response| of the vertical and horizontal 2n x 2n kernels, at the given stride."""
    f = 2 * n
    h, w = channel_sum.shape
    out_h = (h - f) // stride + 1
    out_w = (w - f) // stride + 1
    if out_h <= 0 or out_w <= 0:
        raise ValueError("image too small for the edge kernels")
    ii = np.zeros((h + 1, w + 1), np.float64)
    np.cumsum(np.cumsum(channel_sum, axis=0), axis=1, out=ii[1:, 1:])
    ys = np.arange(out_h) * stride
    xs = np.arange(out_w) * stride

    def box(dy: int, dx: int, bh: int, bw: int) -> F64:
        y0 = (ys + dy)[:, None]
        x0 = (xs + dx)[None, :]
        return np.asarray(ii[y0 + bh, x0 + bw] - ii[y0, x0 + bw] - ii[y0 + bh, x0] + ii[y0, x0])

    vert = np.abs(box(0, 0, f, n) - box(0, n, f, n))  # +1 left half, -1 right half
    horiz = np.abs(box(0, 0, n, f) - box(n, 0, n, f))  # +1 top half, -1 bottom half
    return vert, horiz


def _max_pool(z: F64, size: int = POOL) -> F64:
    h, w = z.shape
    oh, ow = (h - size) // size + 1, (w - size) // size + 1
    return np.asarray(z[: oh * size, : ow * size].reshape(oh, size, ow, size).max(axis=(1, 3)))


def edge_maps(
    rgb: npt.NDArray[np.uint8], n: int = FILTER_HALF, stride: int = STRIDE
) -> tuple[F64, F64, float, float]:
    """Pooled edge maps of the photo and of its 57x57-blurred copy, and their means."""
    s_orig = _centre_half(rgb).astype(np.float64).sum(axis=2)
    blurred = cv2.GaussianBlur(rgb, (BLUR_KERNEL, BLUR_KERNEL), 0)
    s_blur = _centre_half(blurred).astype(np.float64).sum(axis=2)

    v, h = _raw_edges(s_orig, n, stride)
    vmax, hmax = float(v.max()), float(h.max())
    if vmax == 0.0 or hmax == 0.0:
        raise ValueError("the centre of the photo is flat: no edges to measure")
    orig = (_max_pool(v / vmax) + _max_pool(h / hmax)) / 2
    zmax = max(vmax, hmax)  # the article normalises the blurred copy by the larger maximum
    vb, hb = _raw_edges(s_blur, n, stride)
    blur = (_max_pool(vb / zmax) + _max_pool(hb / zmax)) / 2
    return orig, blur, float(np.mean(orig)), float(np.mean(blur))


class EdgeRatioScorer:
    name = "edge-ratio"
    # The article's coefficient is photo- and resolution-dependent ("above 7, somewhere only
    # above 10"); 7 is its lower figure. See bench/accuracy.py for how it fares.
    default_threshold = 7.0
    description = "seed article's re-blur clarity coefficient (centre half, global average)"

    def score(self, photo: DecodedPhoto, *, explain: bool = False) -> Score:
        gray = luma_u8(photo.rgb)
        crushed, clipped = exposure_fractions(gray)
        exposure = exposure_verdict(crushed, clipped)
        try:
            orig, blur, m_orig, m_blur = edge_maps(photo.rgb)
        except ValueError:
            return Score(
                self.name,
                0.0,
                self.default_threshold,
                exposure,
                details={"edge_energy": 0.0, "edge_energy_reblurred": 0.0},
            )
        value = m_orig / m_blur if m_blur > 0 else float("inf")
        maps = None
        if explain:
            maps = ScoreMaps(
                edges=orig.astype(np.float32),
                edges_reblurred=blur.astype(np.float32),
                reblurred_rgb=np.asarray(
                    cv2.GaussianBlur(photo.rgb, (BLUR_KERNEL, BLUR_KERNEL), 0), np.uint8
                ),
            )
        return Score(
            self.name,
            float(value),
            self.default_threshold,
            exposure,
            details={
                "edge_energy": m_orig,
                "edge_energy_reblurred": m_blur,
                "crushed": crushed,
                "clipped": clipped,
            },
            maps=maps,
        )
