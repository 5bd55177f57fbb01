"""Small pixel helpers shared by the scorers."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.scoring.base import Exposure

# A pixel this dark (luma) is crushed to black, this bright is clipped to white.
CRUSHED_LUMA = 6
CLIPPED_LUMA = 250
# Share of the frame that must be crushed / clipped before we call the exposure a problem.
EXPOSURE_PROBLEM_FRACTION = 0.25


def luma_u8(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def exposure_fractions(gray: npt.NDArray[np.uint8]) -> tuple[float, float]:
    """(crushed, clipped) fractions of the frame, from a 256-bin histogram."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(np.float64)
    total = max(hist.sum(), 1.0)
    return float(hist[: CRUSHED_LUMA + 1].sum() / total), float(hist[CLIPPED_LUMA:].sum() / total)


def exposure_verdict(crushed: float, clipped: float) -> Exposure:
    dark = crushed >= EXPOSURE_PROBLEM_FRACTION
    bright = clipped >= EXPOSURE_PROBLEM_FRACTION
    if dark and bright:
        return "dark+bright"
    if dark:
        return "dark"
    if bright:
        return "bright"
    return "ok"
