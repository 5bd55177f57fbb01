"""Sharpness scorers behind one interface; `get_scorer(name)` returns one."""

from __future__ import annotations

from reviewer.core.scoring.base import Score, ScoreMaps, Scorer
from reviewer.core.scoring.edge_ratio import EdgeRatioScorer
from reviewer.core.scoring.focus import FocusScorer
from reviewer.core.scoring.laplacian import LaplacianScorer
from reviewer.core.scoring.learned import LearnedScorer

DEFAULT_METHOD = "focus"

_SCORERS: dict[str, Scorer] = {
    s.name: s for s in (FocusScorer(), EdgeRatioScorer(), LaplacianScorer(), LearnedScorer())
}
METHODS: tuple[str, ...] = tuple(_SCORERS)


def get_scorer(name: str = DEFAULT_METHOD) -> Scorer:
    try:
        return _SCORERS[name]
    except KeyError:
        raise ValueError(
            f"unknown scoring method {name!r} (choose from {', '.join(METHODS)})"
        ) from None


__all__ = ["DEFAULT_METHOD", "METHODS", "Score", "ScoreMaps", "Scorer", "get_scorer"]
