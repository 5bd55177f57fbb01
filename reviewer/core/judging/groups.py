"""Bursts and similar-shot groups, and judging a frame against the best frame of its group.

A shoot is bursts of near-identical frames. One frame alone often cannot tell a soft subject from
a slightly blurred crisp one; beside its siblings it can: a frame much blurrier than the best
frame of its burst is blurry, and frames as sharp as the best are not blurry just because the
whole burst sits a little under the threshold.

Everything here is cheap: a frame is described by its capture metadata and a small appearance
`signature` (computed once when the photo is decoded for scoring), and grouping never decodes a
photo again.

- `group_frames`: capture-time gaps (with sub-second times) per camera, confirmed by appearance
  for slower series; appearance alone, in file-name order, for files without a capture time;
  RAW+JPEG pairs of one shot always share a group.
- `judge_in_groups`: the relative verdicts, except in exposure brackets and focus stacks
  (`is_exposure_bracket`, `is_focus_stack`), whose frames are never rejected as blurry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.judging.verdict import Judgement

if TYPE_CHECKING:
    from reviewer.core.metadata import CaptureInfo

F32 = npt.NDArray[np.float32]

# --------------------------------------------------------------------------------------------
# Appearance signature

THUMB = 16  # the grey thumbnail is THUMB x THUMB, whatever the aspect ratio
THUMB_SMOOTH = 0.8  # Gaussian sigma, thumbnail px
DETAIL_GRID = 4  # detail energy is measured in DETAIL_GRID x DETAIL_GRID cells ...
DETAIL_EDGE = 512  # ... on a copy with this long edge (coarse blur differences only)
_GREY = slice(0, THUMB * THUMB)
_COLOUR = slice(_GREY.stop, _GREY.stop + 6)
_DETAIL = slice(_COLOUR.stop, _COLOUR.stop + DETAIL_GRID * DETAIL_GRID)
SIGNATURE_SIZE = _DETAIL.stop


def signature(rgb: npt.NDArray[np.uint8]) -> F32:
    """A frame's appearance in SIGNATURE_SIZE numbers (a few ms for a 2048 px frame).

    Layout: a THUMB x THUMB grey thumbnail, slightly smoothed (a re-framing by a few percent
    moves it by under a cell), with zero mean and unit norm (the layout of the scene, free of
    exposure and contrast); the mean and standard deviation of R, G and B (0..1); and the mean
    absolute Laplacian in each cell of a DETAIL_GRID x DETAIL_GRID grid at DETAIL_EDGE px
    (where the frame is sharp, for telling a focus stack from a burst).
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < 2:
        raise ValueError("signature needs an H x W x 3 image")
    h, w = rgb.shape[:2]
    scale = min(1.0, DETAIL_EDGE / max(h, w))
    mid_size = (max(DETAIL_GRID, round(w * scale)), max(DETAIL_GRID, round(h * scale)))
    # Bilinear straight to DETAIL_EDGE: INTER_AREA from 2048 px costs ten times as much, and
    # the detail grid only needs to see blur differences of several pixels.
    mid = cv2.resize(rgb, mid_size, interpolation=cv2.INTER_LINEAR)
    small = cv2.resize(mid, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)
    small /= 255.0
    out = np.zeros(SIGNATURE_SIZE, np.float32)
    grey = cv2.GaussianBlur(small.mean(axis=2), (0, 0), THUMB_SMOOTH).ravel()
    grey = grey - grey.mean()
    norm = float(np.linalg.norm(grey))
    if norm > 1e-3:  # a flat frame keeps an all-zero layout
        out[_GREY] = grey / norm
    out[_COLOUR] = np.concatenate([small.mean(axis=(0, 1)), small.std(axis=(0, 1))])
    mid_grey = cv2.cvtColor(mid, cv2.COLOR_RGB2GRAY)
    lap = np.abs(cv2.Laplacian(mid_grey, cv2.CV_32F))
    cells = cv2.resize(lap, (DETAIL_GRID, DETAIL_GRID), interpolation=cv2.INTER_AREA)
    out[_DETAIL] = cells.ravel()
    return out


# Two frames look alike (one shot, or one scene re-framed a little) when their grey layouts
# correlate at least this well and no colour mean differs by more than COLOUR_MAX. Frames of
# one burst re-framed by up to 6 % (make_bursts.py) correlate at 0.89 or more, different
# scenes of the dev shoots at 0.84 at most (one pair of HDR on/off shots of one scene differs
# by 0.14 in colour).
SIMILAR_CORRELATION = 0.86
COLOUR_MAX = 0.12


def similarity(a: F32, b: F32) -> float:
    """Correlation of two signatures' grey layouts (-1..1); 0 when either frame is flat."""
    return float(np.dot(a[_GREY], b[_GREY]))


def look_alike(a: F32, b: F32) -> bool:
    colour = float(np.max(np.abs(a[_COLOUR][:3] - b[_COLOUR][:3])))
    return similarity(a, b) >= SIMILAR_CORRELATION and colour <= COLOUR_MAX


# --------------------------------------------------------------------------------------------
# Frames

RAW_SUFFIXES = frozenset(
    {".3fr", ".arw", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf", ".iiq", ".k25", ".kdc",
     ".mef", ".mos", ".mrw", ".nef", ".nrw", ".orf", ".pef", ".raf", ".raw", ".rw2", ".rwl",
     ".sr2", ".srf", ".srw", ".x3f"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Frame:
    """What grouping and relative judging know of one photo."""

    key: str  # the photo's path (or any unique name; file-name order is shooting order)
    time: float | None = None  # capture time, seconds (POSIX when the camera gave a zone)
    camera: str = ""
    signature: F32 | None = None
    blur_px: float | None = None  # blur radius at a 2048 px long edge, as Judgement.blur_px
    exposure_mode: int | None = None  # EXIF ExposureMode: 2 is auto bracket
    exposure_bias_ev: float | None = None
    subject_distance_m: float | None = None

    @classmethod
    def from_capture(
        cls,
        key: str | PurePath,
        info: CaptureInfo | None,
        sig: F32 | None = None,
        blur_px: float | None = None,
    ) -> Frame:
        if info is None:
            return cls(str(key), signature=sig, blur_px=blur_px)
        return cls(
            str(key),
            time=_seconds(info.captured_at),
            camera=info.camera or "",
            signature=sig,
            blur_px=blur_px,
            exposure_mode=info.exposure_mode,
            exposure_bias_ev=info.exposure_bias_ev,
            subject_distance_m=info.subject_distance_m,
        )


def _seconds(when: datetime | None) -> float | None:
    if when is None:
        return None
    if when.tzinfo is not None:
        return when.timestamp()
    # A naive camera clock: seconds on a fixed calendar (frames of one camera compare fine).
    return (when - datetime(1970, 1, 1)).total_seconds()


# --------------------------------------------------------------------------------------------
# Grouping

# Frames of one camera this close in time are one burst (continuous drive) unless the picture
# changed completely from the previous frame (a turn to another subject): a moving subject
# changes the picture less than that.
BURST_GAP_S = 1.0
BURST_MIN_CORRELATION = 0.5
# Up to this gap, frames that look alike are one similar-shot group (a re-framed shot, a hand-
# held series, a focus stack stepped by hand: the dev sweeps are 4-10 s apart).
SERIES_GAP_S = 30.0

Group = list[int]  # indices into the frames list


def _natural_key(key: str) -> list[object]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", key)]


def _shots(frames: Sequence[Frame]) -> list[list[int]]:
    """Frames grouped into shots: a RAW and the JPEG (or HEIF...) the camera wrote beside it
    (same folder, same name) are one shot."""
    by_stem: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(frames):
        p = PurePath(f.key)
        by_stem.setdefault((str(p.parent), p.stem.lower()), []).append(i)
    shots: list[list[int]] = []
    for members in by_stem.values():
        raws = [i for i in members if PurePath(frames[i].key).suffix.lower() in RAW_SUFFIXES]
        if len(members) > 1 and raws and len(raws) < len(members):
            shots.append(members)
        else:
            shots.extend([i] for i in members)
    return shots


def _shot_frame(frames: Sequence[Frame], shot: list[int]) -> Frame:
    """The member that speaks for a shot: one with a time and a signature if there is one."""
    return max(
        (frames[i] for i in shot), key=lambda f: (f.time is not None, f.signature is not None)
    )


def _continues(a: Frame, b: Frame) -> bool:
    """b can follow a within a burst: unknown appearance, or not a different picture."""
    if a.signature is None or b.signature is None:
        return True
    return similarity(a.signature, b.signature) >= BURST_MIN_CORRELATION


def _alike(a: Frame, b: Frame) -> bool:
    return (
        a.signature is not None and b.signature is not None and look_alike(a.signature, b.signature)
    )


def group_frames(frames: Sequence[Frame]) -> list[Group]:
    """Partition the frames into groups (lists of indices, each in shooting order).

    Every frame is in exactly one group; a frame alone is a group of one. Frames with a capture
    time are chained in time order per camera: a gap of at most BURST_GAP_S joins the burst
    (unless the picture changed completely), one of at most SERIES_GAP_S joins it if the frames
    look alike. Frames without a time are chained
    in file-name order when they look like the previous frame or the first of its group.
    """
    shots = _shots(frames)
    reps = [_shot_frame(frames, s) for s in shots]
    timed: dict[str, list[int]] = {}
    untimed: list[int] = []
    for si, rep in enumerate(reps):
        if rep.time is not None:
            timed.setdefault(rep.camera, []).append(si)
        else:
            untimed.append(si)

    shot_groups: list[list[int]] = []
    for members in timed.values():
        members.sort(key=lambda si: (reps[si].time, _natural_key(reps[si].key)))
        current = [members[0]]
        for si in members[1:]:
            prev = reps[current[-1]]
            gap = (reps[si].time or 0.0) - (prev.time or 0.0)
            if (gap <= BURST_GAP_S and _continues(prev, reps[si])) or (
                gap <= SERIES_GAP_S
                and (_alike(prev, reps[si]) or _alike(reps[current[0]], reps[si]))
            ):
                current.append(si)
            else:
                shot_groups.append(current)
                current = [si]
        shot_groups.append(current)

    untimed.sort(key=lambda si: _natural_key(reps[si].key))
    current = []
    for si in untimed:
        if current and (_alike(reps[current[-1]], reps[si]) or _alike(reps[current[0]], reps[si])):
            current.append(si)
        else:
            if current:
                shot_groups.append(current)
            current = [si]
    if current:
        shot_groups.append(current)

    groups = [[i for si in g for i in shots[si]] for g in shot_groups]
    groups.sort(key=lambda g: min(g))
    return groups


def group_labels(groups: Sequence[Sequence[int]]) -> list[str]:
    """An id per frame ("1", "2", ... in order of each group's first frame), "" for a frame
    alone. A RAW+JPEG pair alone is a group of two files, so it gets an id."""
    n = sum(len(g) for g in groups)
    labels = [""] * n
    next_id = 1
    for g in sorted(groups, key=lambda g: min(g) if g else 0):
        if len(g) < 2:
            continue
        for i in g:
            labels[i] = str(next_id)
        next_id += 1
    return labels


# --------------------------------------------------------------------------------------------
# Brackets and focus stacks

BRACKET_MIN_SPREAD_EV = 0.6  # an exposure-bias series spans at least this


def is_exposure_bracket(frames: Sequence[Frame]) -> bool:
    """The camera's auto bracket (EXIF ExposureMode 2) on two or more frames, or frames whose
    exposure bias steps through a series (at least two different values spanning 0.6 EV, on
    every frame that records one, at least half the group)."""
    if len(frames) < 2:
        return False
    if sum(1 for f in frames if f.exposure_mode == 2) >= 2:
        return True
    biases = [f.exposure_bias_ev for f in frames if f.exposure_bias_ev is not None]
    if len(biases) < max(2, math.ceil(len(frames) / 2)):
        return False
    distinct = {round(b * 3) for b in biases}  # cameras step in thirds of a stop
    return len(distinct) >= 2 and max(biases) - min(biases) >= BRACKET_MIN_SPREAD_EV


# A focus sweep moves the sharp region: between two of its frames, some cells of the detail
# grid are STACK_DETAIL_RATIO times sharper in one and others as much sharper in the other.
# Within a burst a blurred frame is blurrier everywhere, and sharp frames differ by far less:
# on the dev shoots no pair of burst frames has more than one such cell on each side; the two
# real sweeps have 5 and 8.
STACK_DETAIL_RATIO = 1.7
STACK_MIN_CELLS = 3  # cells needed on each side
STACK_MIN_FRAMES = 3
# Only frames framed alike are compared (a stack is shot from a tripod or a steady hand: the
# real sweeps correlate at 0.98 and more), so a subject moving through a burst is not a sweep.
STACK_MIN_CORRELATION = 0.92
STACK_WINDOW = 12  # each frame is compared with the next this many (large groups stay cheap)


def _detail_crossing(a: F32, b: F32) -> bool:
    floor = 0.05 * float(max(a.max(), b.max(), 1e-6))  # flat cells say nothing
    la, lb = np.log(np.maximum(a, floor)), np.log(np.maximum(b, floor))
    diff = la - lb
    step = math.log(STACK_DETAIL_RATIO)
    return (
        int((diff >= step).sum()) >= STACK_MIN_CELLS
        and int((diff <= -step).sum()) >= STACK_MIN_CELLS
    )


def is_focus_stack(frames: Sequence[Frame]) -> bool:
    """A series that steps its focus: at least three frames whose recorded subject distances
    step monotonically through three or more values, or whose sharp region moves (two frames
    that are each much sharper than the other in different parts of the picture)."""
    if len(frames) < STACK_MIN_FRAMES:
        return False
    dists = [f.subject_distance_m for f in frames if f.subject_distance_m is not None]
    if len(dists) >= STACK_MIN_FRAMES and len(dists) == len(frames):
        steps = np.diff(np.asarray([d if math.isfinite(d) else 1e9 for d in dists]))
        if len(set(dists)) >= STACK_MIN_FRAMES and (np.all(steps >= 0) or np.all(steps <= 0)):
            return True
    sigs = [f.signature for f in frames if f.signature is not None]
    for i in range(len(sigs)):
        for j in range(i + 1, min(len(sigs), i + 1 + STACK_WINDOW)):
            if similarity(sigs[i], sigs[j]) >= STACK_MIN_CORRELATION and _detail_crossing(
                sigs[i][_DETAIL], sigs[j][_DETAIL]
            ):
                return True
    return False


# --------------------------------------------------------------------------------------------
# Judging against the group

# Blur adds in quadrature: a frame blurred by k px on top of what its sharpest sibling shows
# measures about sqrt(best^2 + k^2). A frame whose added blur sqrt(blur^2 - best^2) reaches
# ADDED_BLUR_PX, and that is at least MUCH_BLURRIER times as blurred as the best frame, is
# blurry whatever its absolute score: the definition of blurry is k >= 1.5 px at 2048 px, and
# sharp frames of one burst differ by up to 1.2 px that way (noise, re-framing) on the dev
# shoots, mildly defocused ones (k = 1.6-2.4) by 1.6 px and more.
ADDED_BLUR_PX = 1.4
MUCH_BLURRIER = 1.15
# Frames that add at most AS_SHARP_PX to the best frame's blur (under the k = 1.5 px that makes
# a frame blurry, above the spread of sharp frames) are as sharp as it; when that
# best frame misses the threshold radius by no more than LENIENT_SPAN times (a score of about
# 30 on the default scale), the burst is taken to be a soft subject, not a blurred one, and
# those frames are not blurry.
AS_SHARP_PX = 1.3
LENIENT_SPAN = 1.3


def added_blur(blur: float, best: float) -> float:
    """The blur (px) a frame adds to its group's best frame, blur adding in quadrature."""
    return math.sqrt(max(blur * blur - best * best, 0.0))


def _judgeable(j: Judgement) -> bool:
    return j.verdict != "error" and j.blur_px is not None and math.isfinite(j.blur_px)


def judge_in_groups(
    frames: Sequence[Frame],
    judgements: Sequence[Judgement],
    groups: Sequence[Sequence[int]],
    threshold_px: float = 2.75,
) -> list[Judgement]:
    """Each frame's single-frame Judgement, revised against its group.

    threshold_px: the blur radius (at 2048 px) where the single-frame verdict turns blurry.
    The best (least blurred) frame of a group is never made blurry by the comparison; frames
    of an exposure bracket or a focus stack are never blurry (their blur, or their exposure, is
    intended): `unsure` at worst, with the reason.
    """
    if len(frames) != len(judgements):
        raise ValueError("one judgement per frame")
    out = list(judgements)
    for group in groups:
        if len(group) < 2:
            continue
        members = [frames[i] for i in group]
        series = (
            "part of an exposure bracket"
            if is_exposure_bracket(members)
            else "part of a focus stack"
            if is_focus_stack(members)
            else None
        )
        if series is not None:
            for i in group:
                j = out[i]
                if j.verdict == "blurry":
                    out[i] = replace(j, verdict="unsure", reason=series, follows_threshold=False)
                elif j.verdict != "error":
                    out[i] = replace(j, reason=f"{series}; {j.reason}" if j.reason else series)
            continue
        judged = [i for i in group if _judgeable(out[i])]
        if len(judged) < 2:
            continue
        best_i = min(judged, key=lambda i: float(out[i].blur_px or 0.0))
        best = max(float(out[best_i].blur_px or 0.0), 1e-3)
        for i in judged:
            j = out[i]
            blur = float(j.blur_px or 0.0)
            ratio = blur / best
            extra = added_blur(blur, best)
            if i != best_i and ratio >= MUCH_BLURRIER and extra >= ADDED_BLUR_PX:
                out[i] = replace(
                    j,
                    verdict="blurry",
                    reason=f"{ratio:.1f}× blurrier than the best frame of its burst",
                    follows_threshold=False,
                )
            elif (
                j.verdict in ("blurry", "unsure")
                and extra <= AS_SHARP_PX
                and best <= threshold_px * LENIENT_SPAN
            ):
                out[i] = replace(
                    j,
                    verdict="sharp",
                    reason="best frame of its burst"
                    if i == best_i
                    else "as sharp as the best frame of its burst",
                    follows_threshold=False,
                )
    return out
