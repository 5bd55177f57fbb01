"""Bursts and similar-shot groups: grouping by capture time and by appearance, judging a frame
against its group, and exposure brackets and focus stacks kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from reviewer.core.judging.groups import (
    SIGNATURE_SIZE,
    Frame,
    group_frames,
    group_labels,
    is_exposure_bracket,
    is_focus_stack,
    judge_in_groups,
    look_alike,
    signature,
)
from reviewer.core.judging.verdict import Judgement, Verdict
from reviewer.core.metadata import CaptureInfo
from tests.conftest import REPO
from tests.imagegen import U8, bokeh, dead_leaves, defocus, expose

SHARED = next(
    (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
    REPO.parent / "shared",
)
STACKS = SHARED / "photos" / "focus-stack"
T0 = datetime(2026, 6, 1, 10, 0, 0)


def reframe(rgb: U8, scale: float, dx: float, dy: float) -> U8:
    """A hand-held re-framing: crop `scale` of the frame at (dx, dy) of the slack, resize back."""
    h, w = rgb.shape[:2]
    ch, cw = int(h * scale), int(w * scale)
    y, x = int((h - ch) * dy), int((w - cw) * dx)
    return cv2.resize(rgb[y : y + ch, x : x + cw], (w, h), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def scenes() -> list[U8]:
    return [dead_leaves(480, 320, seed=s) for s in (1, 2, 3)]


def burst_of(scene: U8, n: int = 4, seed: int = 0) -> list[U8]:
    rng = np.random.default_rng(seed)
    return [
        reframe(scene, float(rng.uniform(0.95, 1.0)), float(rng.random()), float(rng.random()))
        for _ in range(n)
    ]


# --------------------------------------------------------------------------------------------
# Signature


def test_signature_layout_and_flat_frames() -> None:
    sig = signature(dead_leaves(300, 200, seed=4))
    assert sig.shape == (SIGNATURE_SIZE,) and sig.dtype == np.float32
    assert np.isfinite(sig).all()
    flat = signature(np.full((200, 300, 3), 90, np.uint8))
    assert np.isfinite(flat).all()
    assert not look_alike(flat, sig)
    with pytest.raises(ValueError):
        signature(np.zeros((10, 10), np.uint8))


def test_reframed_frames_look_alike_other_scenes_do_not(scenes: list[U8]) -> None:
    a = [signature(f) for f in burst_of(scenes[0])]
    b = signature(scenes[1])
    assert all(look_alike(a[0], x) for x in a[1:])
    assert not any(look_alike(x, b) for x in a)
    # exposure and blur do not change what a frame shows
    assert look_alike(a[0], signature(expose(scenes[0], 1.3)))
    assert look_alike(a[0], signature(defocus(scenes[0], 4)))


# --------------------------------------------------------------------------------------------
# Grouping


def timed(key: str, seconds: float, camera: str = "Cam", sig: np.ndarray | None = None) -> Frame:
    return Frame(key, time=seconds, camera=camera, signature=sig)


def test_groups_by_capture_time_with_sub_second_gaps() -> None:
    frames = [timed(f"/s/IMG_{i}.jpg", t) for i, t in enumerate([0, 0.2, 0.45, 0.7, 180, 180.3])]
    frames.append(timed("/s/IMG_9.jpg", 400.0))
    groups = group_frames(frames)
    assert sorted(map(sorted, groups)) == [[0, 1, 2, 3], [4, 5], [6]]
    assert group_labels(groups) == ["1", "1", "1", "1", "2", "2", ""]


def test_time_order_not_name_order_and_cameras_kept_apart() -> None:
    # Two cameras shooting at the same moments are two bursts; names do not decide the order.
    frames = [
        timed("/s/b.jpg", 0.3, "A"),
        timed("/s/a.jpg", 0.0, "A"),
        timed("/s/x.jpg", 0.1, "B"),
        timed("/s/y.jpg", 0.4, "B"),
    ]
    groups = group_frames(frames)
    assert sorted(map(sorted, groups)) == [[0, 1], [2, 3]]
    assert [frames[i].key for i in next(g for g in groups if 0 in g)] == ["/s/a.jpg", "/s/b.jpg"]


def test_slower_series_joins_only_when_it_looks_alike(scenes: list[U8]) -> None:
    same = [signature(f) for f in burst_of(scenes[0], 2)]
    other = signature(scenes[1])
    frames = [
        timed("/s/1.jpg", 0, sig=same[0]),
        timed("/s/2.jpg", 8, sig=same[1]),  # 8 s later, same scene: one series
        timed("/s/3.jpg", 16, sig=other),  # 8 s later, another scene
    ]
    assert sorted(map(sorted, group_frames(frames))) == [[0, 1], [2]]


def test_groups_by_appearance_without_times(scenes: list[U8]) -> None:
    frames = []
    truth = []
    for s, scene in enumerate(scenes):
        for k, rgb in enumerate(burst_of(scene, 3, seed=s)):
            if k == 1:
                rgb = defocus(rgb, 5)  # a blurred frame still belongs to its burst
            frames.append(Frame(f"/s/IMG_{len(frames):04d}.jpg", signature=signature(rgb)))
            truth.append(s)
    labels = group_labels(group_frames(frames))
    assert len(set(labels)) == 3 and "" not in labels
    for a in range(len(frames)):
        for b in range(len(frames)):
            assert (labels[a] == labels[b]) == (truth[a] == truth[b])


def test_raw_and_jpeg_of_one_shot_share_a_group(scenes: list[U8]) -> None:
    sig = signature(scenes[0])
    frames = [
        Frame("/s/DSC_0001.NEF"),  # nothing read from the RAW: no time, no pixels
        timed("/s/DSC_0001.JPG", 0.0, sig=sig),
        timed("/s/DSC_0002.JPG", 300.0, sig=signature(scenes[1])),
        Frame("/s/DSC_0002.NEF"),
        Frame("/other/DSC_0001.NEF"),  # another folder: another shot
    ]
    groups = group_frames(frames)
    assert sorted(map(sorted, groups)) == [[0, 1], [2, 3], [4]]
    assert group_labels(groups)[4] == ""


def test_frame_from_capture_reads_time_camera_and_series_tags() -> None:
    info = CaptureInfo(
        camera="Canon EOS R6",
        captured_at=T0 + timedelta(microseconds=250_000),
        exposure_mode=2,
        exposure_bias_ev=-1.0,
        subject_distance_m=0.5,
    )
    f = Frame.from_capture(Path("/s/a.jpg"), info, None, 1.5)
    later = Frame.from_capture("/s/b.jpg", CaptureInfo(captured_at=T0 + timedelta(seconds=1)))
    assert f.key == "/s/a.jpg" and f.camera == "Canon EOS R6" and f.blur_px == 1.5
    assert later.time is not None and f.time is not None
    assert later.time - f.time == pytest.approx(0.75)
    assert (f.exposure_mode, f.exposure_bias_ev, f.subject_distance_m) == (2, -1.0, 0.5)
    assert Frame.from_capture("/s/c.jpg", None).time is None


# --------------------------------------------------------------------------------------------
# Relative verdicts


def judge(blurs: list[float], verdicts: Sequence[Verdict], **frame_kw: Any) -> list[Judgement]:
    frames = [
        Frame(f"/s/{i}.jpg", time=0.1 * i, blur_px=b, **frame_kw) for i, b in enumerate(blurs)
    ]
    alone = [Judgement(v, f"{b:.1f} px blur", b) for v, b in zip(verdicts, blurs, strict=True)]
    return judge_in_groups(frames, alone, group_frames(frames), threshold_px=2.75)


def test_much_blurrier_than_the_best_frame_is_blurry_above_the_threshold() -> None:
    out = judge([1.1, 1.2, 2.5, 1.15], ["sharp"] * 4)
    assert [j.verdict for j in out] == ["sharp", "sharp", "blurry", "sharp"]
    assert out[2].reason.startswith("2.3× blurrier than the best frame")
    assert out[2].blur_px == 2.5


def test_frames_as_sharp_as_the_best_are_not_blurry_just_under_the_threshold() -> None:
    # A soft subject: the whole burst reads a little over the threshold radius.
    out = judge([2.9, 3.0, 3.05, 6.0], ["blurry"] * 4)
    assert [j.verdict for j in out] == ["sharp", "sharp", "sharp", "blurry"]
    assert out[0].reason == "best frame of its burst"
    assert out[1].reason == "as sharp as the best frame of its burst"


def test_a_burst_far_under_the_threshold_stays_blurry() -> None:
    out = judge([6.0, 6.1, 6.2], ["blurry"] * 3)
    assert [j.verdict for j in out] == ["blurry"] * 3


def test_unsure_frames_are_settled_by_the_burst() -> None:
    out = judge([2.6, 2.7, 5.0], ["unsure", "unsure", "unsure"])
    assert [j.verdict for j in out] == ["sharp", "sharp", "blurry"]


def test_best_frame_is_never_rejected_for_being_worse_than_its_siblings() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(2, 8))
        blurs = [float(b) for b in rng.uniform(0.5, 8.0, n)]
        verdicts: list[Verdict] = ["sharp" if b < 2.75 else "blurry" for b in blurs]
        out = judge(blurs, verdicts)
        best = int(np.argmin(blurs))
        # the best frame keeps its own verdict unless the burst clears it
        assert out[best].verdict == verdicts[best] or out[best].verdict == "sharp"
        # identical twins of the best are never blurry when the best is not
        twin = judge([blurs[best], blurs[best]], [verdicts[best]] * 2)
        assert twin[0].verdict == twin[1].verdict


def test_frames_alone_errors_and_unjudgeable_frames_are_left_alone() -> None:
    frames = [Frame("/s/a.jpg", time=0, blur_px=1.0), Frame("/s/b.jpg", time=0.1)]
    alone = [Judgement("sharp", "1.0 px blur", 1.0), Judgement("unsure", "nothing sharp to judge")]
    assert judge_in_groups(frames, alone, group_frames(frames)) == alone
    errors = [Judgement("error", "broken"), Judgement("error", "broken")]
    assert judge_in_groups(frames, errors, group_frames(frames)) == errors
    single = [Frame("/s/c.jpg", blur_px=9.0)]
    lone = [Judgement("blurry", "9 px", 9.0)]
    assert judge_in_groups(single, lone, group_frames(single)) == lone
    with pytest.raises(ValueError):
        judge_in_groups(frames, lone, [[0]])


# --------------------------------------------------------------------------------------------
# Brackets and focus stacks


def test_exposure_bracket_by_mode_or_bias_series_is_never_blurry() -> None:
    out = judge([1.0, 4.0, 1.1], ["sharp", "blurry", "sharp"], exposure_mode=2)
    assert out[1].verdict == "unsure" and out[1].reason == "part of an exposure bracket"
    assert out[0].verdict == "sharp" and "exposure bracket" in out[0].reason
    biases = [Frame(f"/s/{i}.jpg", exposure_bias_ev=b) for i, b in enumerate([-2.0, 0.0, 2.0])]
    assert is_exposure_bracket(biases)
    same = [Frame(f"/s/{i}.jpg", exposure_bias_ev=-0.3) for i in range(3)]
    assert not is_exposure_bracket(same)
    assert not is_exposure_bracket([Frame("/s/a.jpg", exposure_mode=2)])


def test_focus_stack_by_subject_distance_steps() -> None:
    steps = [Frame(f"/s/{i}.jpg", subject_distance_m=d) for i, d in enumerate([0.3, 0.35, 0.4])]
    assert is_focus_stack(steps)
    same = [Frame(f"/s/{i}.jpg", subject_distance_m=0.3) for i in range(3)]
    assert not is_focus_stack(same)
    out = judge([1.0, 4.0, 1.2], ["sharp", "blurry", "sharp"], subject_distance_m=None)
    assert out[1].verdict == "blurry"  # a burst without focus steps is judged as a burst


def test_focus_sweep_found_from_the_moving_sharp_region(scenes: list[U8]) -> None:
    scene = scenes[0]
    bands = [(0.0, 0.0, 0.34, 1.0), (0.33, 0.0, 0.67, 1.0), (0.66, 0.0, 1.0, 1.0)]
    sweep = [signature(bokeh(scene, 5, band)) for band in bands]
    frames = [Frame(f"/s/{i}.jpg", time=5.0 * i, signature=s) for i, s in enumerate(sweep)]
    assert is_focus_stack(frames)
    burst = burst_of(scene, 4)
    burst[2] = defocus(burst[2], 8)
    burst_frames = [Frame(f"/s/{i}.jpg", signature=signature(f)) for i, f in enumerate(burst)]
    assert not is_focus_stack(burst_frames)


@pytest.mark.skipif(not STACKS.is_dir(), reason="shared photos not available")
@pytest.mark.parametrize("sweep", ["depthmap", "pcb"])
def test_real_focus_sweeps_are_recognised(sweep: str) -> None:
    from reviewer.core.decode import load_working_image

    frames = []
    for path in sorted((STACKS / sweep).iterdir()):
        photo = load_working_image(path)
        frames.append(Frame.from_capture(path, photo.info, signature(photo.rgb), 4.0))
    groups = group_frames(frames)
    assert len(groups) == 1
    assert is_focus_stack(frames)
    alone = [Judgement("blurry", "4.0 px blur", 4.0) for _ in frames]
    out = judge_in_groups(frames, alone, groups)
    assert all(j.verdict == "unsure" and j.reason == "part of a focus stack" for j in out)


def test_fast_frames_of_another_picture_start_a_new_group(scenes: list[U8]) -> None:
    a, b = signature(scenes[0]), signature(scenes[1])
    frames = [timed("/s/1.jpg", 0.0, sig=a), timed("/s/2.jpg", 0.4, sig=b)]
    assert sorted(map(sorted, group_frames(frames))) == [[0], [1]]
    frames = [timed("/s/1.jpg", 0.0), timed("/s/2.jpg", 0.4)]  # nothing seen: time decides
    assert group_frames(frames) == [[0, 1]]


def test_a_subject_moving_before_a_blurred_background_is_not_a_focus_stack(
    scenes: list[U8],
) -> None:
    background = defocus(scenes[0], 6)
    subject = scenes[1][100:260, 100:260]
    frames = []
    for k, x in enumerate((20, 160, 300)):
        rgb = background.copy()
        rgb[80:240, x : x + 160] = subject
        frames.append(Frame(f"/s/{k}.jpg", time=0.2 * k, signature=signature(rgb)))
    assert len(group_frames(frames)) == 1
    assert not is_focus_stack(frames)
