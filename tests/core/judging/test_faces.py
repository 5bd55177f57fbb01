"""Faces decide a frame without AF points: found on real photos, not in textures, confirmed."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from reviewer.core.image import DecodedPhoto
from reviewer.core.judging import faces
from reviewer.core.judging.faces import detect_faces, faces_available
from reviewer.core.judging.judge import judge_photo
from reviewer.core.scoring import get_scorer
from reviewer.core.scoring.common import luma_u8

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo"
# where the astronaut's face is in the demo photo (x0, y0, x1, y1, fractions)
ASTRONAUT_FACE = (0.33, 0.11, 0.55, 0.33)

pytestmark = pytest.mark.skipif(not faces_available(), reason="no Haar cascades installed")


def rgb_of(name: str) -> np.ndarray:
    bgr = cv2.imread(str(DEMO / name), cv2.IMREAD_COLOR)
    assert bgr is not None
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def centre_in(box: faces.Box, area: tuple[float, float, float, float]) -> bool:
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return area[0] <= cx <= area[2] and area[1] <= cy <= area[3]


def test_the_wheel_carries_the_cascades() -> None:
    # pyproject depends on the OpenCV wheel that has CascadeClassifier and cv2.data's cascades
    assert hasattr(cv2, "CascadeClassifier")
    assert faces_available()


def test_a_real_face_is_found_in_colour_and_in_grey() -> None:
    rgb = rgb_of("astronaut.png")
    for found in (detect_faces(luma_u8(rgb), rgb), detect_faces(luma_u8(rgb))):
        assert len(found) == 1, found
        (face,) = found
        assert centre_in(face, ASTRONAUT_FACE), face
        assert all(isinstance(v, float) for v in (face.x, face.y, face.w, face.h))


def test_a_blurred_face_is_still_found() -> None:
    rgb = rgb_of("astronaut_defocus.jpg")
    (face,) = detect_faces(luma_u8(rgb), rgb)
    assert centre_in(face, ASTRONAUT_FACE)


def test_no_face_where_a_bare_cascade_sees_one() -> None:
    # The Haar frontal-face cascade alone sees a face in this photo's cup; ours refuse it.
    rgb = rgb_of("coffee.png")
    bare = faces._cascade(faces.CONFIRM_CASCADES[0])
    proposed = bare.detectMultiScale(luma_u8(rgb), scaleFactor=1.15, minNeighbors=6)
    assert len(proposed), "the bare cascade no longer errs here: pick another photo"
    assert detect_faces(luma_u8(rgb), rgb) == ()
    assert detect_faces(luma_u8(rgb)) == ()


def test_a_colour_photo_without_skin_is_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    rgb = np.zeros((400, 600, 3), np.uint8)
    rgb[..., 2] = rng.integers(120, 255, (400, 600))  # blue texture: no skin tone
    rgb[..., 1] = rng.integers(0, 120, (400, 600))
    searched: list[object] = []
    real = faces._proposals
    monkeypatch.setattr(faces, "_proposals", lambda *a: searched.append(a) or real(*a))
    assert detect_faces(luma_u8(rgb), rgb) == ()
    assert searched == []


def judged(rgb: np.ndarray):  # type: ignore[no-untyped-def]
    photo = DecodedPhoto(rgb, (rgb.shape[1], rgb.shape[0]))
    return judge_photo(photo, get_scorer("focus").score(photo))


def test_the_face_decides_a_portrait() -> None:
    j = judged(rgb_of("astronaut.png"))
    assert j.region == "face" and j.verdict == "sharp", j
    assert j.reason.startswith("face")


def test_a_blurred_face_before_a_sharp_background_is_not_called_sharp() -> None:
    rgb = rgb_of("astronaut.png")
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = (int(v * s) for v, s in zip(ASTRONAUT_FACE, (w, h, w, h), strict=True))
    soft = cv2.GaussianBlur(rgb, (0, 0), 3.0)
    blurred = rgb.copy()
    blurred[y0:y1, x0:x1] = soft[y0:y1, x0:x1]  # the face only: missed focus on the subject
    j = judged(blurred)
    assert j.region == "face", j
    assert j.verdict in ("blurry", "unsure"), j


def test_each_thread_has_its_own_cascades() -> None:
    import threading

    here = faces._cascade(faces.PROPOSE_CASCADE)
    assert faces._cascade(faces.PROPOSE_CASCADE) is here  # loaded once per thread
    there: list[object] = []
    t = threading.Thread(target=lambda: there.append(faces._cascade(faces.PROPOSE_CASCADE)))
    t.start()
    t.join()
    assert there[0] is not None and there[0] is not here


def test_threads_find_the_same_faces_at_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    rgb = rgb_of("astronaut.png")
    gray = luma_u8(rgb)
    alone = detect_faces(gray, rgb)
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda _: detect_faces(gray, rgb), range(8)))
    assert all(found == alone for found in together)
