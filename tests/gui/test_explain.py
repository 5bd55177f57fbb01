"""The detail view's words for a focus score: why the radius is larger than the edges say."""

from __future__ import annotations

from reviewer.core.scoring.base import Score
from reviewer.gui.detail_view import explain_score


def focus_score(value: float, **details: float) -> Score:
    return Score("focus", value, 50.0, "ok", "none", details)


def test_explanation_names_the_half_size_pass_and_shake_when_they_raise_the_radius() -> None:
    lines = explain_score(
        focus_score(
            20.0,
            blur_radius_px=4.2,
            edge_blur_radius_px=1.6,
            half_size_blur_radius_px=3.0,
            directional_loss=3.9,
        ),
        50.0,
    )
    text = "\n".join(lines)
    assert "radius of 4.20 px" in text
    assert "edges alone measure 1.60 px" in text and "counts as 3.00 px" in text
    assert "lost 3.9× more in one direction" in text


def test_explanation_stays_quiet_when_nothing_raised_the_radius() -> None:
    lines = explain_score(
        focus_score(
            90.0,
            blur_radius_px=1.2,
            edge_blur_radius_px=1.2,
            half_size_blur_radius_px=0.9,
            directional_loss=1.4,
        ),
        50.0,
    )
    text = "\n".join(lines)
    assert "half size" not in text and "one direction" not in text
