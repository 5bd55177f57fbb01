"""Where a frame is judged: the region that decides whether it is sharp.

In order of trust: the camera's in-focus AF points (given by the caller, as fractions of the
displayed frame), then faces, then the in-focus subject (edges, dilated, the largest contour,
filled and smoothed: a sharp subject stands out from a blurred background), and otherwise the
sharpest region of the frame as the scorer finds it.

Faces are found by faces.py (OpenCV's Haar cascades, confirmed; nothing is downloaded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.judging.faces import detect_faces
from reviewer.core.judging.verdict import Box, RegionKind

U8 = npt.NDArray[np.uint8]

# The AF point area is judged enlarged this much around its centre (digiKam uses 2x): a camera's
# AF box is often smaller than the detail it focused on, and recording it is approximate.
AF_ENLARGE = 2.0
AF_MIN_SIDE = 0.06  # of the frame's long edge: the smallest AF area judged
FACE_ENLARGE = 1.3
MAX_FACES = 8  # the largest faces measured
SUBJECT_LONG_EDGE = 640  # px: the subject mask is found at this size
# The subject's share of the frame: smaller is a speck, larger is no separation at all.
SUBJECT_MIN_AREA = 0.03
SUBJECT_MAX_AREA = 0.7
SUBJECT_OPEN_ITERATIONS = 3
# Edges per pixel around the subject, at most this share of those on it.
SUBJECT_MAX_EDGE_DENSITY_AROUND = 0.2
SUBJECT_SMOOTH_SIGMA = 3.0  # px at SUBJECT_LONG_EDGE


@dataclass(frozen=True, slots=True)
class Region:
    """A candidate region: what it is and where (fractions of the displayed frame)."""

    kind: RegionKind
    boxes: tuple[Box, ...]


def enlarge(box: Box, factor: float, min_side: float = 0.0) -> Box:
    """The box grown around its centre (each side at least min_side), clipped to the frame."""
    w = min(max(box.w * factor, min_side), 1.0)
    h = min(max(box.h * factor, min_side), 1.0)
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    x = min(max(cx - w / 2, 0.0), 1.0 - w)
    y = min(max(cy - h / 2, 0.0), 1.0 - h)
    return Box(x, y, w, h)


def union(boxes: Sequence[Box]) -> Box:
    x0 = min(b.x for b in boxes)
    y0 = min(b.y for b in boxes)
    x1 = max(b.x + b.w for b in boxes)
    y1 = max(b.y + b.h for b in boxes)
    return Box(x0, y0, x1 - x0, y1 - y0)


def crop(image: U8, box: Box) -> U8:
    """The pixels of a box (fractions) of an image."""
    h, w = image.shape[:2]
    x0, y0 = int(round(box.x * w)), int(round(box.y * h))
    x1, y1 = int(round((box.x + box.w) * w)), int(round((box.y + box.h) * h))
    return np.asarray(image[max(y0, 0) : min(y1, h), max(x0, 0) : min(x1, w)])


def valid_boxes(boxes: Sequence[Box]) -> tuple[Box, ...]:
    """Boxes that lie (at least partly) inside the frame and have an area, clipped to it.
    AF boxes come from makernotes: untrusted."""
    out = []
    for b in boxes:
        vals = (b.x, b.y, b.w, b.h)
        if not all(np.isfinite(v) for v in vals) or b.w <= 0 or b.h <= 0:
            continue
        if b.x >= 0 and b.y >= 0 and b.x + b.w <= 1 and b.y + b.h <= 1:
            out.append(b)
            continue
        x0, y0 = max(b.x, 0.0), max(b.y, 0.0)
        x1, y1 = min(b.x + b.w, 1.0), min(b.y + b.h, 1.0)
        if x1 > x0 and y1 > y0:
            out.append(Box(x0, y0, x1 - x0, y1 - y0))
    return tuple(out)


def af_region(af_boxes: Sequence[Box]) -> Region | None:
    boxes = valid_boxes(af_boxes)
    return Region("af", boxes) if boxes else None


def subject_mask(gray: U8) -> U8 | None:
    """The in-focus subject as a 0/255 mask at SUBJECT_LONG_EDGE (seed 004): Canny edges,
    dilated to join them, the largest outer contour filled, opened to cut thin strands and
    smoothed. None when no contour stands out (everything or nothing is sharp)."""
    h, w = gray.shape
    scale = min(1.0, SUBJECT_LONG_EDGE / max(h, w))
    small = (
        gray
        if scale >= 1.0
        else cv2.resize(
            gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
    )
    small = np.asarray(small, np.uint8)
    # Thresholds from the frame's own gradients: the strongest edges are the focused ones.
    smooth = cv2.GaussianBlur(small, (0, 0), 1.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1)
    mag = cv2.magnitude(gx, gy)
    high = float(np.percentile(mag, 95))
    if high < 20.0:  # nothing stands out
        return None
    edges = cv2.Canny(smooth, high * 0.4, high, L2gradient=True)
    kernel = np.ones((3, 3), np.uint8)
    joined = cv2.dilate(edges, kernel, iterations=2)
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    biggest = max(contours, key=cv2.contourArea)
    mask = np.zeros_like(small)
    cv2.drawContours(mask, [biggest], -1, 255, thickness=-1)
    mask = np.asarray(cv2.erode(mask, kernel, iterations=SUBJECT_OPEN_ITERATIONS), np.uint8)
    mask = np.asarray(cv2.dilate(mask, kernel, iterations=SUBJECT_OPEN_ITERATIONS), np.uint8)
    # smoothed: a Gaussian, cut at half (a median filter does alike at ten times the cost)
    soft = cv2.GaussianBlur(mask, (0, 0), SUBJECT_SMOOTH_SIGMA)
    mask = np.where(soft >= 128, 255, 0).astype(np.uint8)
    area = float(np.count_nonzero(mask)) / mask.size
    if not SUBJECT_MIN_AREA <= area <= SUBJECT_MAX_AREA:
        return None
    # The subject must stand out: around it, the edges are few (a blurred background).
    inside = mask > 0
    density_in = float(np.count_nonzero(edges[inside])) / max(int(inside.sum()), 1)
    density_out = float(np.count_nonzero(edges[~inside])) / max(int((~inside).sum()), 1)
    if density_out > SUBJECT_MAX_EDGE_DENSITY_AROUND * density_in:
        return None
    return mask


def mask_box(mask: U8) -> Box:
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    return Box(
        float(xs.min()) / w,
        float(ys.min()) / h,
        float(xs.max() - xs.min() + 1) / w,
        float(ys.max() - ys.min() + 1) / h,
    )


def subject_region(gray: U8) -> Region | None:
    mask = subject_mask(gray)
    return None if mask is None else Region("subject", (mask_box(mask),))


def candidate_regions(
    gray: U8,
    af_boxes: Sequence[Box] = (),
    faces: Sequence[Box] | None = None,
    rgb: U8 | None = None,
) -> list[Region]:
    """The regions that may decide, most trusted first. `faces`: boxes from another detector,
    or None to run the built-in one (on `rgb`'s skin-toned areas when given, else on all of
    `gray`). Cheaper candidates are not computed once a trusted one exists: with AF points,
    faces and the subject mask are not looked for."""
    af = af_region(af_boxes)
    if af is not None:
        return [af]
    found = detect_faces(gray, rgb) if faces is None else valid_boxes(faces)
    if found:
        # every face, largest first: the sharpest of them decides (judge.py)
        return [Region("face", tuple(found[:MAX_FACES]))]
    subject = subject_region(gray)
    return [subject] if subject is not None else []
