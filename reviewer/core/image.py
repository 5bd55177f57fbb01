"""A photo decoded for scoring: pixels at the working resolution plus what we know of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from reviewer.core.metadata import CaptureInfo

# Scoring resolution: the long edge every photo is judged at (never upsampled).
WORKING_LONG_EDGE = 2048
# A JPEG whose libjpeg DCT scale (1/2, 1/4, 1/8) lands within this range of the working edge is
# scored at that size as decoded: resizing a 24 MP photo's 1/2 decode (3000 px) down to 2048
# would cost more than the scoring itself, while its 1/4 decode (1500 px) is already "about
# 2048". Scorers express blur relative to a 2048 px long edge, so the verdict does not move.
WORKING_EDGE_RANGE = (1300, 2250)


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
    # What the native decoders printed while decoding it (warnings that are not damage).
    notes: str = ""

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])
