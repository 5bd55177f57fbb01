"""Real camera triplets (the Kwentar blur set in ../shared/photos/real): the same scene shot
sharp and badly out of focus. Skipped where the shared photos are not beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core.batch import score_file
from tests.conftest import SHARED_PHOTOS

KWENTAR = SHARED_PHOTOS / "real" / "kwentar"
pytestmark = pytest.mark.skipif(not KWENTAR.is_dir(), reason="shared photos not available")


def shots(suffix: str) -> list[Path]:
    return sorted(p for p in KWENTAR.glob("*") if p.stem.endswith(suffix))


def test_real_sharp_shots_are_sharp() -> None:
    assert shots("_S")
    for path in shots("_S"):
        result = score_file(path)
        assert result.score is not None and result.score.verdict == "sharp", path.name


def test_real_missed_focus_is_blurry() -> None:
    # Phone grain along these wide blurred edges once passed for sharp detail (scores 67-88).
    assert shots("_F")
    for path in shots("_F"):
        result = score_file(path)
        assert result.score is not None and result.score.verdict == "blurry", path.name
