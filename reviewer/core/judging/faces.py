"""Faces: where a frame without AF points is judged, when it shows one.

OpenCV's cascades, nothing downloaded: the LBP frontal-face cascade of Debian's `opencv-data`
ships in resources/models (BSD-3-Clause, lbpcascade_frontalface.md) and proposes faces; the Haar
cascades of the OpenCV wheel's `cv2.data` (the contrib wheel carries them and, from OpenCV 5 on,
is the one with `CascadeClassifier`), else of Debian's `opencv-data`, confirm them. Where a
cascade is missing, faces are not looked for.

A bare cascade is a poor judge here: Haar is slow on textured photos (most windows pass its
first stages; LBP costs half as much), and both find faces in foliage, bark and circuit boards;
a false face would decide a frame. So, in order:
1. Where a face can be: in a colour photo, only in and around skin-toned areas (a broad YCrCb
   box that holds every skin tone, from the face-detection literature); the rest is made flat,
   where a cascade stops at once, and a frame without skin is not searched. Grey photos are
   searched whole.
2. The LBP cascade proposes faces at DETECT_LONG_EDGE, generously.
3. Each proposal is confirmed near where it was found, at its own size: both Haar frontal-face
   cascades, trained apart, find a face at the same place, and either an eye shows in its
   upper part or the first Haar cascade is very sure (a blurred face loses its eyes first,
   and a blurred face is what matters most here).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.judging.verdict import Box
from reviewer.core.resources import model_file

U8 = npt.NDArray[np.uint8]
Rect = tuple[int, int, int, int]  # x, y, w, h in px

PROPOSE_CASCADE = "lbpcascade_frontalface.xml"  # resources/models
CONFIRM_CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt2.xml")
EYE_CASCADE = "haarcascade_eye.xml"
HAAR_DIRS = (Path("/usr/share/opencv4/haarcascades"), Path("/usr/share/opencv/haarcascades"))
# Faces are searched at this long edge: the cascades' 24 px window is then 11% of a 3:2
# frame's short side, the smallest face searched (a portrait or a half-length shot, where a
# face's focus is what the photographer judges). The search's cost grows with the area
# (bench/speed.py prints it).
DETECT_LONG_EDGE = 320
MIN_FACE_PX = 24
# A confirming cascade must find a face overlapping the proposal this much (intersection
# over union).
CONFIRM_IOU = 0.4
# The first Haar cascade's level weight above which a face needs no visible eye.
SURE_WEIGHT = 4.0
# Skin in YCrCb (Chai & Ngan's box, widened a little for white balance and shade).
SKIN_CR = (133, 178)
SKIN_CB = (72, 130)
SKIN_MIN_LUMA = 40  # darker pixels have no reliable chroma
# A photo is grey when its chroma spreads less than this (grey levels).
GREY_CHROMA_SD = 2.0


def _load(path: Path) -> Any | None:
    classifier = getattr(cv2, "CascadeClassifier", None)
    if classifier is None or not path.is_file():
        return None
    cascade = classifier(str(path))
    return None if cascade.empty() else cascade


_per_thread = threading.local()


def _cascade(name: str) -> Any | None:
    """A cascade by file name, loaded once per thread: a CascadeClassifier keeps working state
    between calls and is not safe to share (the window judges in several threads)."""
    cache: dict[str, Any | None] | None = getattr(_per_thread, "cascades", None)
    if cache is None:
        cache = _per_thread.cascades = {}
    if name not in cache:
        cache[name] = _find_cascade(name)
    return cache[name]


def _find_cascade(name: str) -> Any | None:
    """Ours (resources/models), else the OpenCV wheel's or Debian's."""
    try:
        return _load(model_file(name))
    except FileNotFoundError:
        pass
    dirs = list(HAAR_DIRS)
    data = getattr(cv2, "data", None)
    if data is not None and getattr(data, "haarcascades", None):
        dirs.insert(0, Path(data.haarcascades))
    for d in dirs:
        cascade = _load(d / name)
        if cascade is not None:
            return cascade
    return None


def faces_available() -> bool:
    names = (PROPOSE_CASCADE, *CONFIRM_CASCADES, EYE_CASCADE)
    return all(_cascade(n) is not None for n in names)


def _shrunk(img: npt.NDArray[Any], size: tuple[int, int]) -> npt.NDArray[Any]:
    """img at size (w, h), area-averaged; big images are first thinned by whole steps."""
    step = min(img.shape[1] // size[0], img.shape[0] // size[1]) // 2
    if step > 1:
        img = img[::step, ::step]
    return np.asarray(cv2.resize(np.ascontiguousarray(img), size, interpolation=cv2.INTER_AREA))


def _skin_only(small: U8, rgb: U8) -> U8 | None:
    """`small` with everything away from skin-toned areas made flat grey; None when no skin
    shows. A grey photo (no chroma to go by) is returned whole."""
    h, w = small.shape
    ycrcb = cv2.cvtColor(np.asarray(_shrunk(rgb, (w, h)), np.uint8), cv2.COLOR_RGB2YCrCb)
    if float(ycrcb[..., 1].std()) < GREY_CHROMA_SD and float(ycrcb[..., 2].std()) < GREY_CHROMA_SD:
        return small
    lo = np.array([SKIN_MIN_LUMA, SKIN_CR[0], SKIN_CB[0]], np.uint8)
    hi = np.array([255, SKIN_CR[1], SKIN_CB[1]], np.uint8)
    mask = cv2.inRange(ycrcb, lo, hi)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if int(np.count_nonzero(mask)) < MIN_FACE_PX * MIN_FACE_PX // 3:
        return None
    # Eyes, brows, mouth and hair are not skin-toned but lie in or around the skin of a
    # face: close the holes and keep a margin of about half the smallest face.
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (MIN_FACE_PX // 2 + 1,) * 2)
    mask = cv2.dilate(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, disc), disc)
    return np.where(mask > 0, small, np.uint8(128)).astype(np.uint8)


def _iou(a: Rect, b: Rect) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _rects(found: Any) -> list[Rect]:
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in np.asarray(found).reshape(-1, 4)]


def _proposals(small: U8) -> list[Rect]:
    """Faces the LBP cascade finds (generous: the confirmation weeds out)."""
    if min(small.shape) < MIN_FACE_PX:
        return []
    propose = _cascade(PROPOSE_CASCADE)
    assert propose is not None
    found = propose.detectMultiScale(
        small, scaleFactor=1.1, minNeighbors=2, minSize=(MIN_FACE_PX, MIN_FACE_PX)
    )
    return _rects(found)


def _confirmed(small: U8, gray: U8, rect: Rect, scale: float) -> bool:
    """Both Haar cascades find this face near where it was proposed, at about its size, and
    it shows an eye unless the first is very sure."""
    x, y, fw, fh = rect
    h, w = small.shape
    x0, y0 = max(0, x - fw // 2), max(0, y - fh // 2)
    area = np.ascontiguousarray(small[y0 : min(h, y + fh + fh // 2), x0 : min(w, x + fw + fw // 2)])
    lo = max(MIN_FACE_PX, int(0.7 * min(fw, fh)))
    hi = max(lo + 1, int(1.4 * max(fw, fh)))
    sure = 0.0
    for i, name in enumerate(CONFIRM_CASCADES):
        cascade = _cascade(name)
        assert cascade is not None
        rects, _, weights = cascade.detectMultiScale3(
            area,
            scaleFactor=1.1,
            minNeighbors=3,
            minSize=(lo, lo),
            maxSize=(hi, hi),
            outputRejectLevels=True,
        )
        overlaps = [
            float(wt)
            for r, wt in zip(_rects(rects), np.asarray(weights).reshape(-1), strict=True)
            if _iou(rect, (r[0] + x0, r[1] + y0, r[2], r[3])) >= CONFIRM_IOU
        ]
        if not overlaps:
            return False
        if i == 0:
            sure = max(overlaps)
    if sure >= SURE_WEIGHT:
        return True
    # an eye, in the upper 60% of the face, at the full working size
    gx, gy = round(x / scale), round(y / scale)
    gw, gh = round(fw / scale), round(fh / scale)
    upper = np.ascontiguousarray(gray[gy : gy + int(gh * 0.6), gx : gx + gw])
    if min(upper.shape[:2], default=0) < 12:
        return False
    eye = _cascade(EYE_CASCADE)
    assert eye is not None
    eyes = eye.detectMultiScale(
        upper,
        scaleFactor=1.1,
        minNeighbors=3,
        minSize=(max(6, gw // 8),) * 2,
        maxSize=(max(7, gw // 2),) * 2,
    )
    return len(_rects(eyes)) > 0


def detect_faces(gray: U8, rgb: U8 | None = None) -> tuple[Box, ...]:
    """Frontal faces as boxes (fractions of the frame), largest first; () when none is found or
    no cascade is installed. `rgb`: the same frame in colour (any size), to search only where
    skin shows; without it the whole frame is searched."""
    if not faces_available():
        return ()
    h, w = gray.shape
    scale = min(1.0, DETECT_LONG_EDGE / max(h, w))
    small = (
        gray
        if scale >= 1.0
        else _shrunk(gray, (max(1, round(w * scale)), max(1, round(h * scale))))
    )
    sh, sw = small.shape
    searched: U8 | None = small
    if rgb is not None and rgb.ndim == 3 and rgb.shape[2] == 3:
        searched = _skin_only(small, rgb)
    if searched is None:
        return ()
    faces: list[Rect] = []
    for rect in _proposals(searched):
        if all(_iou(rect, f) < CONFIRM_IOU for f in faces) and _confirmed(small, gray, rect, scale):
            faces.append(rect)
    boxes = [Box(x / sw, y / sh, fw / sw, fh / sh) for x, y, fw, fh in faces]
    return tuple(sorted(boxes, key=lambda b: -b.w * b.h))
