"""The scorer interface: photo -> Score (value, verdict, explanation maps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from reviewer.core.image import DecodedPhoto

Verdict = Literal["sharp", "blurry"]
Exposure = Literal["ok", "dark", "bright", "dark+bright"]
BlurKind = Literal["none", "defocus", "motion"]

FloatMap = npt.NDArray[np.float32]


@dataclass(slots=True)
class ScoreMaps:
    """What the detail view needs to explain a score.

    edges / edges_reblurred: edge-strength maps (0..1, same scale for both) of the photo and of a
    deliberately re-blurred copy; sharpness: per-region sharpness (0..100, NaN where a region has
    no usable edges) for a heatmap over the photo; reblurred_rgb: the re-blurred copy itself.
    """

    edges: FloatMap
    edges_reblurred: FloatMap
    sharpness: FloatMap | None = None
    reblurred_rgb: npt.NDArray[np.uint8] | None = None


@dataclass(slots=True)
class Score:
    method: str
    value: float
    threshold: float
    exposure: Exposure = "ok"
    blur_kind: BlurKind = "none"
    # Numbers behind the value, for the explanation ("edge energy 0.31 -> 0.05").
    details: dict[str, float] = field(default_factory=dict)
    maps: ScoreMaps | None = None

    @property
    def verdict(self) -> Verdict:
        return "sharp" if self.value >= self.threshold else "blurry"

    def at_threshold(self, threshold: float) -> Score:
        """The same measurement judged at another threshold."""
        return Score(
            self.method,
            self.value,
            threshold,
            self.exposure,
            self.blur_kind,
            self.details,
            self.maps,
        )


class Scorer(Protocol):
    name: str
    default_threshold: float
    description: str

    def score(self, photo: DecodedPhoto, *, explain: bool = False) -> Score:
        """Score a decoded photo. With explain=True, Score.maps is filled."""
        ...
