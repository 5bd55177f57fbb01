"""The focus scorer's promises, each on generated photos with known, physical blur."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reviewer.core.image import DecodedPhoto
from reviewer.core.scoring import get_scorer
from reviewer.core.scoring.base import Score
from reviewer.core.scoring.focus import (
    DEFAULT_THRESHOLD,
    SCORING_LONG_EDGE,
    _gradient,
    _level_bin,
    _noise_by_level,
    directional_detail_loss,
    radius_to_score,
)
from tests.imagegen import add_noise, bokeh, dead_leaves, defocus, expose, motion

W, H = 1536, 1024


def score(rgb: np.ndarray, explain: bool = False) -> Score:
    h, w = rgb.shape[:2]
    return get_scorer("focus").score(DecodedPhoto(rgb, (w, h)), explain=explain)


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return dead_leaves(W, H, seed=7)


def test_default_threshold_is_documented_midpoint() -> None:
    scorer = get_scorer("focus")
    assert scorer.default_threshold == DEFAULT_THRESHOLD == 50.0
    assert float(radius_to_score(0.0)) == 100.0
    assert float(radius_to_score(10.0)) < 5.0


def test_sharp_is_sharp_and_blurs_are_blurry(scene: np.ndarray) -> None:
    sharp = score(scene)
    assert sharp.verdict == "sharp" and sharp.blur_kind == "none"
    for radius in (3, 5, 8):
        s = score(defocus(scene, radius))
        assert s.verdict == "blurry", (radius, s.value)
        assert s.value < sharp.value
    for length, angle in ((12, 0), (16, 60), (24, 135)):
        s = score(motion(scene, length, angle))
        assert s.verdict == "blurry", (length, angle, s.value)


def test_more_blur_scores_lower(scene: np.ndarray) -> None:
    values = [score(defocus(scene, r)).value for r in (1.5, 3, 6)]
    assert values[0] > values[1] > values[2]


def test_blur_kind_hint(scene: np.ndarray) -> None:
    assert score(defocus(scene, 5)).blur_kind == "defocus"
    assert score(motion(scene, 20, 30)).blur_kind == "motion"


def test_sharp_subject_before_blurred_background_is_sharp(scene: np.ndarray) -> None:
    shallow = bokeh(scene, 8, (0.4, 0.35, 0.62, 0.65))  # ~7% of the frame in focus
    all_blurred = defocus(scene, 8)
    s = score(shallow, explain=True)
    assert s.verdict == "sharp", s.value
    assert score(all_blurred).verdict == "blurry"
    # the heatmap shows where: the subject's tiles are sharper than the background's
    assert s.maps is not None and s.maps.sharpness is not None
    heat = s.maps.sharpness
    th, tw = heat.shape
    centre = heat[int(th * 0.4) : int(th * 0.6), int(tw * 0.45) : int(tw * 0.58)]
    corner = np.nan_to_num(heat[: th // 4, : tw // 4], nan=0.0)  # no usable edge: not sharp
    assert np.nanmean(centre) > corner.mean() + 30


def test_motion_with_sharp_edges_along_it_is_still_blurry(scene: np.ndarray) -> None:
    # edges parallel to the shake stay crisp; the worst direction must decide
    s = score(motion(scene, 14, 0))
    assert s.verdict == "blurry"


@pytest.mark.parametrize("angle", [0, 45, 90, 135, 170])
def test_short_shake_in_any_direction_is_blurry(scene: np.ndarray, angle: float) -> None:
    # 7 px at 1536 is ~9 px at 2048: a shake a photographer sees. Orientation bins must treat
    # an edge and its opposite polarity alike, whatever the angle of the shake.
    s = score(motion(scene, 7, angle))
    assert s.verdict == "blurry", (angle, s.value, s.details)


def gray(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))


def test_directional_detail_loss_sees_shake_not_scene_orientation(scene: np.ndarray) -> None:
    sharp = directional_detail_loss(gray(scene))
    shaken = directional_detail_loss(gray(motion(scene, 6, 30)))
    defocused = directional_detail_loss(gray(defocus(scene, 3)))
    assert sharp < 1.3 and defocused < 1.3, (sharp, defocused)
    assert shaken > 1.5 and shaken > 1.3 * max(sharp, defocused), (shaken, sharp, defocused)
    # A strongly oriented sharp scene (every shape squeezed 8:1 across) is as one-directional
    # as real scenes get, yet has lost no detail: its coarser band is oriented the same way.
    squeezed = cv2.resize(dead_leaves(W * 8, H, seed=5), (W, H), interpolation=cv2.INTER_AREA)
    assert directional_detail_loss(gray(squeezed)) < 1.3
    assert score(squeezed).verdict == "sharp"
    # contrast and exposure cancel
    dim = directional_detail_loss(gray(expose(motion(scene, 6, 30), 0.35)))
    assert abs(dim - shaken) / shaken < 0.15, (dim, shaken)


def test_resolution_invariance(scene: np.ndarray) -> None:
    big = cv2.resize(dead_leaves(4096, 2731, seed=11), None, fx=1, fy=1)
    half = cv2.resize(big, (2048, 1365), interpolation=cv2.INTER_AREA)
    # "24 MP" and "6 MP" versions of one photo reach the scorer at the same working size
    a = score(cv2.resize(big, (2048, 1365), interpolation=cv2.INTER_AREA)).value
    b = score(half).value
    assert abs(a - b) < 1.0
    blurred_big = defocus(big, 8)
    c = score(cv2.resize(blurred_big, (2048, 1365), interpolation=cv2.INTER_AREA))
    assert c.verdict == "blurry" and a >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("factor", [0.3, 1.6])
def test_exposure_does_not_flip_the_verdict(scene: np.ndarray, factor: float) -> None:
    assert score(expose(scene, factor)).verdict == "sharp"
    assert score(expose(defocus(scene, 5), factor)).verdict == "blurry"


def test_noise_is_not_detail(scene: np.ndarray) -> None:
    soft = defocus(scene, 5)
    noisy_soft = add_noise(soft, 8.0)
    assert score(noisy_soft).verdict == "blurry"
    assert score(add_noise(scene, 8.0)).verdict == "sharp"


def test_exposure_problems_are_reported(scene: np.ndarray) -> None:
    assert score(scene).exposure == "ok"
    dark = scene.copy()
    dark[:, : W // 2] = 0
    assert score(dark).exposure == "dark"
    bright = expose(scene, 6.0)
    assert score(bright).exposure == "bright"


def test_explanation_maps(scene: np.ndarray) -> None:
    s = score(scene, explain=True)
    assert s.maps is not None
    # the maps come at the scoring size, the re-blurred copy too, so they line up
    scoring_size = (round(H * SCORING_LONG_EDGE / W), SCORING_LONG_EDGE)
    assert s.maps.edges.shape == scoring_size == s.maps.edges_reblurred.shape
    assert s.maps.reblurred_rgb is not None
    assert s.maps.reblurred_rgb.shape == (*scoring_size, 3)
    # a sharp photo loses much more edge energy to the re-blur than a blurry one
    sharp_loss = s.details["edge_energy"] / s.details["edge_energy_reblurred"]
    soft = score(defocus(scene, 5))
    soft_loss = soft.details["edge_energy"] / soft.details["edge_energy_reblurred"]
    assert sharp_loss > soft_loss * 1.3
    assert 0 < s.details["blur_radius_px"] < soft.details["blur_radius_px"]
    assert score(scene).maps is None  # maps only on request


def test_featureless_frame_scores_zero() -> None:
    flat = np.full((600, 900, 3), 120, np.uint8)
    s = score(flat)
    assert s.value == 0.0 and s.verdict == "blurry"


@pytest.mark.parametrize("h,w", [(1, 1), (2, 2), (1, 50), (3, 3), (7, 5), (40, 4000)])
def test_degenerate_frames_score_without_error(h: int, w: int) -> None:
    # too small or too thin for the gradient and the half-size pass; a strip wider than the
    # scoring size is resampled to a few rows
    rgb = np.random.default_rng(3).integers(0, 256, (h, w, 3), dtype=np.uint8)
    s = score(rgb, explain=True)
    assert 0.0 <= s.value <= 100.0
    assert s.maps is not None and s.maps.edges.shape[1] == min(w, SCORING_LONG_EDGE)


def test_small_photo_is_judged_without_upsampling() -> None:
    small = dead_leaves(640, 427, seed=5)
    s = score(small)
    assert s.verdict == "sharp"
    assert score(defocus(small, 4)).verdict == "blurry"


def test_noise_is_measured_per_grey_level() -> None:
    # Sensor noise grows with brightness: a dark half with noise SD 1 and a bright half with
    # SD 4. Each edge is debiased for the noise at its own level, so each level's estimate
    # must find its own noise (Sobel/8 of white noise: 0.433 SD per component).
    rng = np.random.default_rng(3)
    levels = np.full((400, 600), 40.0, np.float32)
    levels[:, 300:] = 200.0
    noise = rng.normal(0.0, 1.0, levels.shape).astype(np.float32)
    noise[:, 300:] *= 4.0
    gray = levels + noise
    gx, gy = _gradient(gray)
    mag = np.asarray(cv2.magnitude(gx, gy), np.float32)
    smooth = cv2.GaussianBlur(gray, (7, 7), 1.0)
    _, by_level = _noise_by_level(mag[::4, ::4], smooth[::4, ::4])
    dark = by_level[_level_bin(np.float32([40.0]))][0]
    bright = by_level[_level_bin(np.float32([200.0]))][0]
    assert dark == pytest.approx(0.433 * 1.0, rel=0.15)
    assert bright == pytest.approx(0.433 * 4.0, rel=0.15)
