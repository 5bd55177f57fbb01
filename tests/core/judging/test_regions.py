"""The region that decides: AF points, then a face, then the in-focus subject, then the frame."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reviewer.core.image import DecodedPhoto
from reviewer.core.judging.judge import judge_photo
from reviewer.core.judging.regions import (
    candidate_regions,
    detect_faces,
    enlarge,
    subject_mask,
    valid_boxes,
)
from reviewer.core.judging.verdict import Box, Judgement
from reviewer.core.scoring import get_scorer
from reviewer.core.scoring.common import luma_u8
from tests.imagegen import bokeh, dead_leaves, defocus

W, H = 1280, 853
SUBJECT = (0.35, 0.3, 0.65, 0.7)  # x0, y0, x1, y1 of the sharp part


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return dead_leaves(W, H, seed=21)


@pytest.fixture(scope="module")
def shallow(scene: np.ndarray) -> np.ndarray:
    """A sharp subject over a strongly blurred background."""
    return bokeh(scene, 9, SUBJECT)


def judged(rgb: np.ndarray, **kw: object) -> Judgement:
    photo = DecodedPhoto(rgb, (rgb.shape[1], rgb.shape[0]))
    return judge_photo(photo, get_scorer("focus").score(photo), **kw)  # type: ignore[arg-type]


def inside(box: Box, region: tuple[float, float, float, float]) -> bool:
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return region[0] <= cx <= region[2] and region[1] <= cy <= region[3]


def test_af_point_on_the_sharp_subject_decides(shallow: np.ndarray) -> None:
    af = (Box(0.47, 0.45, 0.06, 0.08),)
    j = judged(shallow, af_boxes=af)
    assert j.verdict == "sharp", j
    assert j.region == "af" and j.boxes == af
    assert j.reason.startswith("AF point") and "sharp" in j.reason


def test_af_point_on_the_blurred_background_is_not_called_sharp(shallow: np.ndarray) -> None:
    # The camera focused on the background corner, which is blurred; the subject elsewhere is
    # sharp: focus and recompose, or a missed focus. Neither sharp nor a reject: look at it.
    af = (Box(0.05, 0.08, 0.06, 0.08),)
    j = judged(shallow, af_boxes=af)
    assert j.verdict == "unsure", j
    assert j.region == "af" and "AF point" in j.reason and "blurred" in j.reason
    assert j.blur_px is None or j.blur_px > 3.0


def test_af_point_blurred_on_a_blurred_frame_is_blurry(scene: np.ndarray) -> None:
    j = judged(defocus(scene, 6), af_boxes=(Box(0.4, 0.4, 0.1, 0.1),))
    assert j.verdict == "blurry" and j.region == "af"
    assert "AF point" in j.reason and "px blurred" in j.reason


def test_untrusted_af_boxes_are_dropped_or_clipped() -> None:
    boxes = (
        Box(math.nan, 0.1, 0.1, 0.1),
        Box(0.5, 0.5, 0.0, 0.1),
        Box(2.0, 2.0, 0.1, 0.1),
        Box(0.95, -0.05, 0.1, 0.1),
    )
    (kept,) = valid_boxes(boxes)
    assert kept.x == pytest.approx(0.95) and kept.y == 0.0
    assert kept.w == pytest.approx(0.05) and kept.h == pytest.approx(0.05)


def test_enlarge_stays_in_the_frame() -> None:
    b = enlarge(Box(0.0, 0.9, 0.1, 0.1), 2.0)
    assert b.x == 0.0 and b.y + b.h == pytest.approx(1.0)
    assert b.w == pytest.approx(0.2) and b.h == pytest.approx(0.2)


def test_in_a_group_the_sharpest_face_decides(shallow: np.ndarray) -> None:
    # A larger face in the blurred foreground, a smaller one on the sharp subject: the
    # photographer focused on the second (a shallow depth of field).
    blurred, sharp = Box(0.02, 0.72, 0.2, 0.26), Box(0.44, 0.4, 0.1, 0.15)
    j = judged(shallow, faces=(blurred, sharp))
    assert j.region == "face" and j.boxes == (sharp,), j
    assert j.verdict == "sharp"
    alone = judged(shallow, faces=(blurred,))
    assert alone.region == "face" and alone.verdict != "sharp"


def test_a_face_decides_without_af_points(shallow: np.ndarray) -> None:
    face = (Box(0.44, 0.4, 0.12, 0.18),)
    j = judged(shallow, faces=face)
    assert j.region == "face" and j.boxes == face
    assert j.verdict == "sharp" and j.reason.startswith("face")
    # AF points outrank faces
    af = (Box(0.47, 0.45, 0.06, 0.08),)
    assert judged(shallow, af_boxes=af, faces=face).region == "af"


def test_no_face_in_a_faceless_scene(scene: np.ndarray) -> None:
    assert detect_faces(luma_u8(scene), scene) == ()
    assert detect_faces(luma_u8(scene)) == ()


def test_subject_over_blurred_background_is_found_and_decides(shallow: np.ndarray) -> None:
    gray = luma_u8(shallow)
    mask = subject_mask(gray)
    assert mask is not None
    h, w = mask.shape
    x0, y0, x1, y1 = (int(v * s) for v, s in zip(SUBJECT, (w, h, w, h), strict=True))
    inner = mask[y0:y1, x0:x1] > 0
    outer = mask > 0
    assert inner.mean() > 0.7  # most of the subject
    assert outer.sum() - inner.sum() < 0.3 * inner.sum()  # little of the background
    (region,) = candidate_regions(gray, faces=())
    assert region.kind == "subject" and inside(region.boxes[0], SUBJECT)
    j = judged(shallow, faces=())
    assert j.verdict == "sharp" and j.region == "subject"
    assert j.reason.startswith("subject")


def test_all_sharp_frame_has_no_subject_and_the_sharpest_region_decides(
    scene: np.ndarray,
) -> None:
    assert candidate_regions(luma_u8(scene), faces=()) == []
    j = judged(scene, faces=())
    assert j.region == "sharpest" and j.reason.startswith("sharpest region")
