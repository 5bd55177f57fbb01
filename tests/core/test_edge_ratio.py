"""edge-ratio equals a loop-by-loop port of the seed article's functions."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reviewer.core.image import DecodedPhoto
from reviewer.core.scoring import get_scorer
from reviewer.core.scoring.edge_ratio import edge_maps
from tests.imagegen import dead_leaves, defocus

# ---- the article's code, ported as written (pad = 0; loops kept on purpose) ----


def article_edges(n, orient):
    edges = np.ones((2 * n, 2 * n, 3))
    if orient == "vert":
        for i in range(0, 2 * n):
            edges[i][n : 2 * n] *= -1
    elif orient == "horiz":
        edges[n : 2 * n] *= -1
    return edges


def conv_single_step(a_slice_prev, W):
    return np.abs(np.sum(W * a_slice_prev))


def conv_forward(A_prev, W, hparameters):
    m = len(A_prev)
    (f, f, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    Z = []
    flag = 0
    z_max = hparameters["z_max"]
    if len(z_max) == 0:
        z_max = []
        flag = 1
    for i in range(m):
        (x0, x1, x2) = A_prev[i].shape
        a_prev_pad = A_prev[i][int(x0 / 4) : int(x0 * 3 / 4), int(x1 / 4) : int(x1 * 3 / 4), :]
        (n_H_prev, n_W_prev, n_C_prev) = a_prev_pad.shape
        n_H = int((n_H_prev - f + 2 * pad) / stride) + 1
        n_W = int((n_W_prev - f + 2 * pad) / stride) + 1
        z = np.zeros((n_H, n_W))
        for h in range(n_H):
            for w in range(n_W):
                sl = a_prev_pad[h * stride : h * stride + f, w * stride : w * stride + f, :]
                z[h, w] = conv_single_step(sl, W)
        if flag == 1:
            z_max.append(np.max(z))
        Z.append(z / z_max[i])
    return Z, z_max


def pool_forward(A_prev, hparameters):
    f = hparameters["f"]
    stride = hparameters["stride"]
    A = []
    for a_prev in A_prev:
        (n_H_prev, n_W_prev) = a_prev.shape
        n_H = int(1 + (n_H_prev - f) / stride)
        n_W = int(1 + (n_W_prev - f) / stride)
        a = np.zeros((n_H, n_W))
        for h in range(n_H):
            for w in range(n_W):
                a[h, w] = np.max(a_prev[h * stride : h * stride + f, w * stride : w * stride + f])
        A.append(a)
    return A


def borders(images, filter_size=1, stride=1, pool_stride=2, pool_size=2, z_max=None):
    z_max = [] if z_max is None else z_max
    hp = {"pad": 0, "stride": stride, "z_max": z_max}
    Z, z_max_v = conv_forward(images, article_edges(filter_size, "vert"), hp)
    Av = pool_forward(Z, {"stride": pool_stride, "f": pool_size})
    hp = {"pad": 0, "stride": stride, "z_max": z_max}
    Z, z_max_h = conv_forward(images, article_edges(filter_size, "horiz"), hp)
    Ah = pool_forward(Z, {"stride": pool_stride, "f": pool_size})
    return [(Av[i] + Ah[i]) / 2 for i in range(len(Av))], list(
        map(np.max, zip(z_max_v, z_max_h, strict=True))
    )


def orig_blur(images, filter_size=1, stride=3, pool_stride=2, pool_size=2, blur=57):
    img, z_max = borders(images, filter_size, stride, pool_stride, pool_size)
    blurred_img = [cv2.GaussianBlur(x, (blur, blur), 0) for x in images]
    blurred, _ = borders(blurred_img, filter_size, stride, pool_stride, pool_size, z_max=z_max)
    return [np.mean(o) / np.mean(b) for o, b in zip(img, blurred, strict=True)], img, blurred


# ---- tests ----


@pytest.mark.parametrize(("w", "h", "seed"), [(97, 64, 0), (120, 90, 1), (64, 131, 2)])
def test_vectorised_equals_article_loops(w: int, h: int, seed: int) -> None:
    rgb = dead_leaves(w, h, seed=seed, discs=60)
    coeffs, img, blurred = orig_blur([rgb])
    orig, blur, m_orig, m_blur = edge_maps(rgb)
    assert orig.shape == img[0].shape and blur.shape == blurred[0].shape
    np.testing.assert_allclose(orig, img[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(blur, blurred[0], rtol=0, atol=1e-9)
    assert m_orig / m_blur == pytest.approx(coeffs[0], abs=1e-9)


def test_sharp_scores_higher_than_blurred() -> None:
    rgb = dead_leaves(400, 300, seed=3)
    scorer = get_scorer("edge-ratio")
    sharp = scorer.score(DecodedPhoto(rgb, (400, 300)), explain=True)
    soft = scorer.score(DecodedPhoto(defocus(rgb, 4), (400, 300)))
    assert sharp.value > soft.value
    assert sharp.maps is not None
    assert sharp.maps.edges.shape == sharp.maps.edges_reblurred.shape
    assert sharp.details["edge_energy"] > sharp.details["edge_energy_reblurred"]


def test_flat_photo_scores_zero_without_crashing() -> None:
    flat = np.full((200, 300, 3), 90, np.uint8)
    s = get_scorer("edge-ratio").score(DecodedPhoto(flat, (300, 200)))
    assert s.value == 0.0 and s.verdict == "blurry"
