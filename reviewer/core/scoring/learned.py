"""`learned`: a small convolutional network, trained on synthetic blur, judges grey patches.

How it works (training/README.md and resources/models/learned_blur.md have the rest):

1. Work on luma at the same scoring size as `focus` (a long edge of SCORING_LONG_EDGE px).
2. Cut the frame into PATCH x PATCH tiles and keep the MAX_TILES with the most edge energy
   (tiles mostly clipped or crushed, or too flat to show any blur, are left out). A blurred
   background has little edge energy, so the candidates are where a sharp subject would be.
3. Each tile is normalised (its mean removed, divided by its contrast) and the network, read from
   resources/models/learned_blur.onnx by OpenCV's DNN module, gives the logit of "sharp".
4. The sharpest region decides: the photo's logit is a high percentile (SHARPEST_PERCENTILE) of
   its tiles' logits, so a sharp subject before a blurred background keeps the photo sharp, while
   one odd tile cannot. Score = 100 * sigmoid(logit + LOGIT_OFFSET), the offset chosen on the
   dev sets; the default threshold is 50.
5. The per-tile scores form the heatmap (NaN where a tile was not scored).

The training pipeline (training/, numpy only) writes the model; nothing here needs it.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.image import DecodedPhoto
from reviewer.core.resources import model_file
from reviewer.core.scoring.base import Score, ScoreMaps
from reviewer.core.scoring.common import (
    CLIPPED_LUMA,
    CRUSHED_LUMA,
    exposure_fractions,
    exposure_verdict,
    luma_u8,
)
from reviewer.core.scoring.focus import to_scoring_size

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]

MODEL_NAME = "learned_blur.onnx"
PATCH = 48  # px at the scoring size: the network's input
MAX_TILES = 48  # tiles scored per photo (the most detailed ones): the cost is linear in this
MIN_TILE_CONTRAST = 3.0  # grey levels (SD): flatter tiles show no blur either way
MAX_BAD_SHARE = 0.25  # a tile with more clipped or crushed pixels than this is not scored
CONTRAST_FLOOR = 2.0  # added to a tile's SD when normalising, so noise is not blown up
SHARPEST_PERCENTILE = 90.0  # of the tile logits: the sharpest region decides
# Added to the network's logits before the 0-100 mapping. Chosen on the dev sets (real +
# synthetic + wider; bench/accuracy.py): the best balanced accuracy that calls at most 5% of
# their sharp photos blurry. The held-out set played no part.
LOGIT_OFFSET = 0.15
DEFAULT_THRESHOLD = 50.0


def model_path() -> Path:
    """The shipped network (resources/models/MODEL_NAME)."""
    return model_file(MODEL_NAME)


def tile_grid(gray: U8) -> tuple[int, int, int, int]:
    """(rows, cols, y0, x0) of the PATCH tiles covering the frame, the grid centred."""
    h, w = gray.shape
    rows, cols = h // PATCH, w // PATCH
    return rows, cols, (h - rows * PATCH) // 2, (w - cols * PATCH) // 2


def tile_candidates(gray: U8, limit: int | None = MAX_TILES) -> npt.NDArray[np.intp]:
    """Indices (row-major in tile_grid) of the tiles worth scoring, the most detailed first."""
    rows, cols, y0, x0 = tile_grid(gray)
    if rows == 0 or cols == 0:
        return np.zeros(0, np.intp)
    crop = gray[y0 : y0 + rows * PATCH, x0 : x0 + cols * PATCH]
    # Ranking the tiles needs no full resolution: half size costs a quarter (the photo's own
    # blur is judged by the network, at full size).
    half = cv2.resize(crop, (cols * PATCH // 2, rows * PATCH // 2), interpolation=cv2.INTER_AREA)
    f = half.astype(np.float32)
    magnitude = cv2.magnitude(
        cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)
    )
    ok = cv2.inRange(half, CRUSHED_LUMA + 1, CLIPPED_LUMA - 1)

    def block_mean(a: npt.NDArray[np.integer[Any] | np.floating[Any]]) -> F32:
        return np.asarray(
            cv2.resize(a, (cols, rows), interpolation=cv2.INTER_AREA), np.float32
        ).reshape(rows, cols)

    energy, mean, mean_sq = block_mean(magnitude), block_mean(f), block_mean(f * f)
    sd = np.sqrt(np.maximum(mean_sq - mean * mean, 0.0))
    usable = (sd >= MIN_TILE_CONTRAST) & (block_mean(ok) >= 255.0 * (1.0 - MAX_BAD_SHARE))
    idx = np.flatnonzero(usable.ravel())
    order = idx[np.argsort(-energy.ravel()[idx], kind="stable")]
    return order if limit is None else order[:limit]


def extract_patches(gray: U8, tiles: npt.NDArray[np.intp]) -> F32:
    """The tiles as a normalised (N, 1, PATCH, PATCH) float32 batch."""
    _, cols, y0, x0 = tile_grid(gray)
    out = np.empty((tiles.size, 1, PATCH, PATCH), np.float32)
    for n, t in enumerate(tiles):
        r, c = divmod(int(t), cols)
        y, x = y0 + r * PATCH, x0 + c * PATCH
        out[n, 0] = gray[y : y + PATCH, x : x + PATCH]
    return normalise_patches(out)


def normalise_patches(patches: F32) -> F32:
    """Mean removed, divided by the contrast (SD + CONTRAST_FLOOR): blur, not exposure."""
    mean = patches.mean(axis=(2, 3), keepdims=True)
    sd = patches.std(axis=(2, 3), keepdims=True)
    return np.asarray((patches - mean) / (sd + CONTRAST_FLOOR), np.float32)


class _Network:
    """The ONNX model, read once per process; cv2.dnn nets are not safe to share between
    threads, so each thread gets its own."""

    def __init__(self) -> None:
        self._local = threading.local()

    def logits(self, patches: F32) -> F32:
        net = getattr(self._local, "net", None)
        if net is None:
            net = cv2.dnn.readNetFromONNX(str(model_path()))
            self._local.net = net
        if patches.shape[0] == 0:
            return np.zeros(0, np.float32)
        net.setInput(patches)
        return np.asarray(net.forward(), np.float32).reshape(-1)


_NETWORK = _Network()


def sigmoid_score(logit: float | F32) -> F32:
    x = np.clip(np.asarray(logit, np.float32), -30.0, 30.0)
    return np.asarray(100.0 / (1.0 + np.exp(-x)), np.float32)


def photo_logit(tile_logits: F32) -> float:
    """The photo's calibrated logit from its tiles' (already offset) logits."""
    if tile_logits.size == 0:
        return -30.0
    return float(np.percentile(tile_logits, SHARPEST_PERCENTILE))


@functools.cache
def model_version() -> str:
    """Changes with the model file and with the constants that turn its output into a score, so
    that cached scores of an older model are not taken for this one's."""
    digest = hashlib.blake2b(model_path().read_bytes(), digest_size=6).hexdigest()
    return f"{digest}-{LOGIT_OFFSET:g}-{SHARPEST_PERCENTILE:g}-{MAX_TILES}-{PATCH}"


class LearnedScorer:
    name = "learned"
    default_threshold = DEFAULT_THRESHOLD
    description = "a small neural network judges the sharpest regions (trained on synthetic blur)"

    @property
    def version(self) -> str:
        """The version of this scorer's numbers (the score cache keeps them apart)."""
        return model_version()

    def score(self, photo: DecodedPhoto, *, explain: bool = False) -> Score:
        gray = to_scoring_size(luma_u8(photo.rgb))
        crushed, clipped = exposure_fractions(gray)
        tiles = tile_candidates(gray, None if explain else MAX_TILES)
        logits = _NETWORK.logits(extract_patches(gray, tiles)) + np.float32(LOGIT_OFFSET)
        # The photo's figure comes from the MAX_TILES most detailed tiles, with or without maps.
        logit = photo_logit(logits[:MAX_TILES])
        value = float(sigmoid_score(logit)) if tiles.size else 0.0  # nothing to judge
        rows, cols, _, _ = tile_grid(gray)
        tile_scores = sigmoid_score(logits)
        details = {
            "photo_logit": logit,
            "tiles_scored": float(min(tiles.size, MAX_TILES)),
            "sharp_tiles": float((tile_scores[:MAX_TILES] >= DEFAULT_THRESHOLD).sum()),
            "crushed": crushed,
            "clipped": clipped,
        }
        maps = None
        if explain:
            sharpness = np.full((max(rows, 1), max(cols, 1)), np.nan, np.float32)
            if tiles.size:
                sharpness.ravel()[tiles] = tile_scores
            maps = _explain_maps(photo, gray, sharpness)
        return Score(
            self.name,
            value,
            DEFAULT_THRESHOLD,
            exposure_verdict(crushed, clipped),
            "none",
            details,
            maps,
        )


def _explain_maps(photo: DecodedPhoto, gray: U8, sharpness: F32) -> ScoreMaps:
    """Edge maps of the photo and of a re-blurred copy (sigma 1 px), as `focus` shows them."""
    f = gray.astype(np.float32)
    blurred = cv2.GaussianBlur(f, (0, 0), 1.0)
    mag = cv2.magnitude(cv2.Sobel(f, cv2.CV_32F, 1, 0), cv2.Sobel(f, cv2.CV_32F, 0, 1))
    mag_b = cv2.magnitude(
        cv2.Sobel(blurred, cv2.CV_32F, 1, 0), cv2.Sobel(blurred, cv2.CV_32F, 0, 1)
    )
    scale = max(float(np.percentile(mag, 99.5)), 1e-6)
    return ScoreMaps(
        edges=np.clip(mag / scale, 0, 1).astype(np.float32),
        edges_reblurred=np.clip(mag_b / scale, 0, 1).astype(np.float32),
        sharpness=sharpness,
        reblurred_rgb=np.asarray(
            cv2.GaussianBlur(to_scoring_size(photo.rgb), (0, 0), 1.0), np.uint8
        ),
    )
