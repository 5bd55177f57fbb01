"""The `learned` scorer with the shipped model, on generated photos with known, physical blur."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.core.image import DecodedPhoto
from reviewer.core.scoring import METHODS, get_scorer
from reviewer.core.scoring.base import Score
from reviewer.core.scoring.focus import SCORING_LONG_EDGE
from reviewer.core.scoring.learned import (
    DEFAULT_THRESHOLD,
    MAX_TILES,
    PATCH,
    model_path,
    tile_candidates,
)
from tests.imagegen import add_noise, bokeh, dead_leaves, defocus, expose, motion

W, H = 1536, 1024


def score(rgb: np.ndarray, explain: bool = False) -> Score:
    h, w = rgb.shape[:2]
    return get_scorer("learned").score(DecodedPhoto(rgb, (w, h)), explain=explain)


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return dead_leaves(W, H, seed=7)


def test_registered_and_shipped() -> None:
    assert "learned" in METHODS
    scorer = get_scorer("learned")
    assert scorer.default_threshold == DEFAULT_THRESHOLD == 50.0
    assert model_path().stat().st_size <= 10_000_000
    assert model_path().with_suffix(".md").is_file()  # the model card


def test_sharp_and_blurred_pairs_are_told_apart(scene: np.ndarray) -> None:
    sharp = score(scene)
    assert sharp.verdict == "sharp", sharp.value
    for blurred in (defocus(scene, 3), defocus(scene, 6), motion(scene, 12, 30)):
        s = score(blurred)
        assert s.verdict == "blurry", s.value
        assert s.value < sharp.value
    assert score(motion(scene, 20, 100)).verdict == "blurry"


def test_sharp_verdict_holds_for_exposure_and_noise(scene: np.ndarray) -> None:
    assert score(expose(scene, 0.4)).verdict == "sharp"
    assert score(add_noise(scene, 3.0)).verdict == "sharp"


def test_sharp_subject_before_blurred_background_is_sharp(scene: np.ndarray) -> None:
    shallow = score(bokeh(scene, 8, (0.4, 0.35, 0.62, 0.65)))  # ~7% of the frame in focus
    all_blurred = score(defocus(scene, 8))
    assert shallow.verdict == "sharp", shallow.value
    assert all_blurred.verdict == "blurry", all_blurred.value
    assert shallow.value > all_blurred.value


def test_more_blur_scores_no_higher(scene: np.ndarray) -> None:
    values = [score(scene).value] + [score(defocus(scene, r)).value for r in (2, 5)]
    assert values[0] > values[1] >= values[2]


def test_explanation_maps(scene: np.ndarray) -> None:
    s = score(bokeh(scene, 8, (0.4, 0.35, 0.62, 0.65)), explain=True)
    assert s.maps is not None and s.maps.sharpness is not None
    scoring_size = (round(H * SCORING_LONG_EDGE / W), SCORING_LONG_EDGE)
    assert s.maps.edges.shape == scoring_size == s.maps.edges_reblurred.shape
    assert s.maps.reblurred_rgb is not None and s.maps.reblurred_rgb.shape == (*scoring_size, 3)
    grid = s.maps.sharpness
    assert grid.shape == (scoring_size[0] // PATCH, scoring_size[1] // PATCH)
    # the in-focus subject is where the map is sharp; the background is not
    rows, cols = grid.shape
    subject = grid[int(rows * 0.4) : int(rows * 0.6), int(cols * 0.45) : int(cols * 0.57)]
    background = np.concatenate([grid[:, : cols // 5].ravel(), grid[:, -cols // 5 :].ravel()])
    assert np.nanmedian(subject) > DEFAULT_THRESHOLD > np.nanmedian(background)
    # the photo's figure does not depend on whether maps were asked for
    assert s.value == pytest.approx(score(bokeh(scene, 8, (0.4, 0.35, 0.62, 0.65))).value)
    assert score(scene).maps is None


def test_tiles_with_most_detail_are_picked(scene: np.ndarray) -> None:
    gray = scene[:, :, 1].copy()
    gray[:, : W // 2] = 128  # a flat left half has nothing to judge
    tiles = tile_candidates(gray)
    assert 0 < tiles.size <= MAX_TILES
    cols = W // PATCH
    assert all(int(t) % cols >= (W // 2) // PATCH - 1 for t in tiles)


def test_featureless_frame_scores_zero() -> None:
    s = score(np.full((600, 900, 3), 120, np.uint8), explain=True)
    assert s.value == 0.0 and s.verdict == "blurry"


@pytest.mark.parametrize("h,w", [(1, 1), (2, 2), (1, 50), (47, 47), (48, 48), (40, 4000)])
def test_degenerate_frames_score_without_error(h: int, w: int) -> None:
    rgb = np.random.default_rng(3).integers(0, 256, (h, w, 3), dtype=np.uint8)
    s = score(rgb, explain=True)
    assert 0.0 <= s.value <= 100.0
    assert s.maps is not None and s.maps.edges.shape[1] == min(w, SCORING_LONG_EDGE)


def test_version_follows_the_model() -> None:
    from reviewer.core.cull.catalog_db import scorer_version

    version = scorer_version("learned")
    assert version == get_scorer("learned").version  # type: ignore[attr-defined]
    assert version.split("-")[0] != "" and len(version.split("-")[0]) == 12
