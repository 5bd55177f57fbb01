"""The window's bursts: each scored photo judged against its burst, off the GUI thread.

Once a scoring run ends (or a folder's scores come from the catalog's cache), and again a moment
after the threshold moves, `BurstController` snapshots the scored rows (score, capture info,
appearance signature, single-frame judgement: plain data, no decoding), and a worker runs core's
`judge_results(..., "burst")` on them. The result goes back to the grid (`PhotoModel.
apply_context`: group, group size, best frame, in-context judgement) and to the cull model
(`CullModel.set_verdicts`, so Reject All Below Threshold takes frames much blurrier than their
burst's best and never the best frame or an unsure one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.core.batch import PhotoResult
from reviewer.core.judging.context import judge_results, single_judgement
from reviewer.core.judging.judge import judgement_at
from reviewer.core.judging.verdict import Judgement
from reviewer.core.metadata import CaptureInfo
from reviewer.core.scoring.base import Score
from reviewer.gui.cull_controller import CullController
from reviewer.gui.photo_model import InBurst, PhotoModel, PhotoRecord
from reviewer.gui.workers import Analysis, TaskRunner

DEBOUNCE_MS = 250  # after the last threshold change (a slider drag), judge once


Row = tuple[
    Path, Score, CaptureInfo | None, npt.NDArray[np.float32] | None, Judgement | None, int, int
]


def row_of(rec: PhotoRecord) -> Row | None:
    """What judging needs of a record, taken on the GUI thread (a tuple: about 1 µs)."""
    if rec.score is None or rec.error is not None:
        return None
    return (rec.path, rec.score, rec.info, rec.signature, rec.judgement, rec.width, rec.height)


def snapshot(row: Row, threshold: float) -> PhotoResult:
    """The row as a scoring result judged alone at `threshold` (on the worker)."""
    path, score, info, signature, judgement, width, height = row
    return PhotoResult(
        path,
        score.method,
        score=score.at_threshold(threshold),
        width=width,
        height=height,
        info=info,
        signature=signature,
        judgement=alone_at(score, judgement, threshold),
    )


def alone_at(score: Score, judgement: Judgement | None, threshold: float) -> Judgement | None:
    """The frame's own judgement at `threshold` (core's judgement_at: a verdict made by the
    deciding blur radius or the score moves with the threshold, its unsure margin too; the rest
    stay). None: judged by the score alone (context.single_judgement)."""
    return judgement_at(score, judgement, threshold)


def judge_bursts(rows: Sequence[Row], threshold: float) -> dict[Path, InBurst]:
    """Each photo's group, group size, best frame and judgement against its burst at
    `threshold` (on the worker)."""
    results = [snapshot(row, threshold) for row in rows]
    alone = [single_judgement(r) for r in results]
    judged = judge_results(results, "burst", judge=single_judgement)
    sizes = Counter(c.group for c in judged if c.group)
    best: dict[str, int] = {}

    def rank(i: int) -> tuple[float, float]:  # lower is sharper: blur radius, else score
        blur = alone[i].blur_px
        score = results[i].score
        return (
            blur if blur is not None and alone[i].verdict != "error" else float("inf"),
            -(score.value if score is not None else float("-inf")),
        )

    for i, c in enumerate(judged):
        if c.group and (c.group not in best or rank(i) < rank(best[c.group])):
            best[c.group] = i
    out: dict[Path, InBurst] = {}
    for i, (r, c) in enumerate(zip(results, judged, strict=True)):
        size = sizes.get(c.group, 1) if c.group else 1
        group = c.group if size > 1 else ""
        out[r.path] = InBurst(group, size, bool(group) and best.get(group) == i, c.judgement)
    return out


class BurstController(QObject):
    """Judges the grid's scored photos against their bursts, a moment after anything changes."""

    judged = Signal(int)  # rows given their in-context judgement (after each judging)

    def __init__(
        self,
        photos: PhotoModel,
        cull: CullController,
        busy: Callable[[], bool] = lambda: False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.photos = photos
        self.cull = cull
        self.busy = busy  # True while a scoring run goes on: judged when it ends
        self.tasks = TaskRunner(threads=1, parent=self)
        self.tasks.done.connect(self._on_done)
        self._generation = 0
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.judge_now)
        photos.thresholdChanged.connect(lambda _t: self.schedule())
        photos.modelReset.connect(self._forget)
        photos.rowsRemoved.connect(lambda *_: self.schedule())
        photos.rowsInserted.connect(lambda *_: self.schedule())

    def _forget(self) -> None:
        """Another folder: what is being judged is for rows no longer shown."""
        self._generation += 1
        self._timer.stop()

    def schedule(self) -> None:
        """Judge again a moment from now (what was being judged is out of date)."""
        self._generation += 1
        self._timer.start()

    def judge_now(self) -> bool:
        """Snapshot the scored rows and judge them on the worker; False if nothing to do."""
        self._timer.stop()
        if self.busy():
            return False
        threshold = self.photos.threshold
        rows = [row for r in self.photos.records if (row := row_of(r)) is not None]
        if not rows:
            return False
        scores = {row[0]: row[1] for row in rows}
        self._generation += 1
        tag = (self._generation, threshold, scores)
        self.tasks.submit(tag, lambda: judge_bursts(rows, threshold))
        return True

    def _on_done(self, tag: object, result: object, error: object) -> None:
        assert isinstance(tag, tuple)
        generation, threshold, scores = tag
        if generation != self._generation or not isinstance(result, dict):
            return  # out of date (or failed: the photos keep their single-frame verdicts)
        judged: dict[Path, InBurst] = result
        taken = self.photos.apply_context(judged, float(threshold), scores)
        self.cull.cull.set_verdicts(
            {p: judged[p].judgement.verdict for p in taken},
            threshold,
            best=[p for p in taken if judged[p].best],
        )
        n = len(taken)
        self.judged.emit(n)

    def shutdown(self) -> None:
        self._timer.stop()
        self._generation += 1
        self.tasks.shutdown()


def in_context_analysis(analysis: Analysis, rec: PhotoRecord, threshold: float) -> Analysis:
    """The detail view's analysis with the verdict and reason the photo has against its burst
    (where the frame alone was judged stays: its region and boxes)."""
    ctx = rec.in_context(threshold)
    j = analysis.judgement
    if ctx is None or j is None or (ctx.verdict, ctx.reason) == (j.verdict, j.reason):
        return analysis
    return replace(analysis, judgement=replace(j, verdict=ctx.verdict, reason=ctx.reason))
