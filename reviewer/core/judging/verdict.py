"""The vocabulary the judging modules share: a verdict, the reason for it, and where it looked.

A scorer measures (a blur radius, a 0-100 score); judging turns that into what a photographer
acts on. `unsure` is a verdict of its own: bulk actions never take it, the window lists it as
"look at these".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["sharp", "blurry", "unsure", "error"]
# What decided: the camera's AF points, a detected face, the in-focus subject mask, the sharpest
# region of the frame, or the frame as a whole.
RegionKind = Literal["af", "face", "subject", "sharpest", "frame"]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle as fractions (0..1) of the displayed (orientation-applied) frame."""

    x: float
    y: float
    w: float
    h: float

    def as_list(self) -> list[float]:
        """[x, y, w, h], as `reviewer score --format json` prints it."""
        return [round(self.x, 4), round(self.y, 4), round(self.w, 4), round(self.h, 4)]


@dataclass(frozen=True, slots=True)
class Judgement:
    """One frame's verdict and a short reason a person can read ("AF point 3.1 px blurred")."""

    verdict: Verdict
    reason: str
    blur_px: float | None = None  # the blur radius that decided, px at a 2048 px long edge
    region: RegionKind = "frame"
    boxes: tuple[Box, ...] = ()  # the region that decided (AF boxes, a face); empty otherwise
    # The verdict is `blur_px` (or the score) against the threshold's band, margin and all, so
    # it moves with the threshold (judge.judgement_at). Every other verdict - nothing to judge,
    # camera shake, a region at odds with the frame - holds at any threshold.
    follows_threshold: bool = False
