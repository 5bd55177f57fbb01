"""The detail view's words for a focus score: why the radius is larger than the edges say."""

from __future__ import annotations

from reviewer.core.scoring.base import Score
from reviewer.gui.detail_view import explain_score


def explanation(value: float, radius: float, edges: float, half_size: float, loss: float) -> str:
    """The detail view's text for a focus score with these details, at the threshold 50."""
    details = {
        "blur_radius_px": radius,
        "edge_blur_radius_px": edges,
        "half_size_blur_radius_px": half_size,
        "directional_loss": loss,
    }
    return "\n".join(explain_score(Score("focus", value, 50.0, "ok", "none", details), 50.0))


def test_explanation_names_the_half_size_pass_and_shake_when_they_raise_the_radius() -> None:
    text = explanation(20.0, radius=4.2, edges=1.6, half_size=3.0, loss=3.9)
    assert "radius of 4.20 px" in text
    assert "edges alone measure 1.60 px" in text and "counts as 3.00 px" in text
    assert "lost 3.9× more in one direction" in text


def test_explanation_stays_quiet_when_nothing_raised_the_radius() -> None:
    text = explanation(90.0, radius=1.2, edges=1.2, half_size=0.9, loss=1.4)
    assert "half size" not in text and "one direction" not in text
