"""A photo decoded for scoring: pixels at the working resolution plus what we know of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from reviewer.core.metadata import CaptureInfo

# Scoring resolution: the long edge every photo is judged at (never upsampled).
WORKING_LONG_EDGE = 2048


@dataclass(slots=True)
class DecodedPhoto:
    """RGB pixels (H x W x 3, uint8, EXIF orientation applied) at <= the working size."""

    rgb: npt.NDArray[np.uint8]
    # Full-resolution size of the photo (width, height) after orientation.
    original_size: tuple[int, int]
    path: Path | None = None
    # How the pixels were obtained, e.g. "jpeg 1/2", "raw preview", "raw half demosaic".
    source: str = ""
    info: CaptureInfo = field(default_factory=CaptureInfo)

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])
