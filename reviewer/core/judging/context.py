"""Scored photos judged in context: bursts found, each frame's verdict revised against its group.

`judge_results` is what `reviewer score --context burst` runs on the rows of a run: it builds
a `groups.Frame` per photo (capture info, appearance signature, blur radius), groups them and
returns each photo's group id with its revised Judgement.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from reviewer.core.judging.groups import Frame, group_frames, group_labels, judge_in_groups
from reviewer.core.judging.verdict import Judgement

if TYPE_CHECKING:
    from reviewer.core.batch import PhotoResult

Context = Literal["burst", "none"]
CONTEXTS: tuple[Context, ...] = ("burst", "none")


@dataclass(frozen=True, slots=True)
class InContext:
    """One photo's group ("" when alone, or with --context none) and its judgement."""

    group: str
    judgement: Judgement


def blur_px(result: PhotoResult) -> float | None:
    """The blur radius (px at a 2048 px long edge) the score stands for, if the method has one."""
    if result.score is None:
        return None
    value = result.score.details.get("blur_radius_px")
    return float(value) if value is not None and math.isfinite(value) else None


def threshold_px(result: PhotoResult) -> float:
    """The blur radius at which this result's score threshold sits (focus's score scale)."""
    from reviewer.core.scoring.focus import RADIUS_AT_THRESHOLD, SCORE_STEEPNESS

    t = result.score.threshold if result.score is not None else 50.0
    if not 0.0 < t < 100.0:
        return 0.0 if t >= 100.0 else math.inf
    return float(RADIUS_AT_THRESHOLD * (100.0 / t - 1.0) ** (1.0 / SCORE_STEEPNESS))


def single_judgement(result: PhotoResult) -> Judgement:
    """The frame judged alone: the Judgement the scoring run attached to the result (a
    `judgement` attribute, when the judging step fills one), else the verdict of the score's
    threshold."""
    if result.score is None:
        return Judgement("error", result.error or "could not be read")
    attached = getattr(result, "judgement", None)
    if isinstance(attached, Judgement):
        return attached
    s = result.score
    radius = blur_px(result)
    if radius is not None:
        reason = f"{radius:.1f} px blur"
    else:
        reason = f"score {s.value:.0f}, threshold {s.threshold:g}"
    return Judgement(s.verdict, reason, radius)


def judge_results(
    results: Sequence[PhotoResult],
    context: Context = "burst",
    judge: Callable[[PhotoResult], Judgement] = single_judgement,
) -> list[InContext]:
    """Each result's group id and judgement, in the order of `results`.

    judge: the single-frame judgement (the frame alone); with context "none" that is all.
    """
    alone = [judge(r) for r in results]
    if context == "none" or not results:
        return [InContext("", j) for j in alone]
    frames = [
        Frame.from_capture(r.path, r.info, r.signature, j.blur_px if j.verdict != "error" else None)
        for r, j in zip(results, alone, strict=True)
    ]
    groups = group_frames(frames)
    labels = group_labels(groups)
    limits = [threshold_px(r) for r in results if r.score is not None]
    limit = sorted(limits)[len(limits) // 2] if limits else 2.75
    judged = judge_in_groups(frames, alone, groups, threshold_px=limit)
    return [InContext(g, j) for g, j in zip(labels, judged, strict=True)]
