"""Variance of the Laplacian: the common OpenCV baseline (threshold 100 in the literature).

Kept for comparison. It scales with contrast squared, noise and resolution, so no single
threshold transfers between cameras or exposures; see the README.
"""

from __future__ import annotations

import cv2
import numpy as np

from reviewer.core.image import DecodedPhoto
from reviewer.core.scoring.base import Score, ScoreMaps
from reviewer.core.scoring.common import exposure_fractions, exposure_verdict, luma_u8


class LaplacianScorer:
    name = "laplacian"
    default_threshold = 100.0
    description = "variance of the Laplacian of the grey image (OpenCV baseline)"

    def score(self, photo: DecodedPhoto, *, explain: bool = False) -> Score:
        gray = luma_u8(photo.rgb)
        lap = cv2.Laplacian(gray, cv2.CV_64F)
        value = float(lap.var())
        crushed, clipped = exposure_fractions(gray)
        maps = None
        if explain:
            blurred = cv2.GaussianBlur(gray, (0, 0), 2.0)
            lap_b = np.abs(cv2.Laplacian(blurred, cv2.CV_32F))
            edges = np.abs(lap).astype(np.float32)
            scale = max(float(np.percentile(edges, 99.5)), 1e-6)
            maps = ScoreMaps(
                edges=np.clip(edges / scale, 0, 1),
                edges_reblurred=np.clip(lap_b / scale, 0, 1),
                reblurred_rgb=np.asarray(cv2.GaussianBlur(photo.rgb, (0, 0), 2.0), np.uint8),
            )
        return Score(
            self.name,
            value,
            self.default_threshold,
            exposure_verdict(crushed, clipped),
            details={"laplacian_variance": value, "crushed": crushed, "clipped": clipped},
            maps=maps,
        )
