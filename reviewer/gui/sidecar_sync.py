"""The window's XMP sidecars: read what other tools recorded when a folder opens, write the
window's marks (on demand, or automatically as they are made).

Both run in a worker (TaskRunner), never on the GUI thread: they read and write files. Reading
compares each shot's newest sidecar (or the XMP embedded in its JPEG) with the catalog; where
they disagree the newer wins (sidecars.newer_wins), a winning sidecar's marks are saved in the
catalog, and the window shows them with a "changed elsewhere" mark.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.core.catalog import Shot
from reviewer.core.cull.catalog_db import LABELS, NO_MARKS, Catalog, Decision, Label, Marks
from reviewer.core.cull.sidecars import (
    SIDECAR_STYLES,
    SidecarStyle,
    existing_sidecars,
    newer_wins,
    read_recorded,
    write_shot_sidecars,
)
from reviewer.core.cull.xmp import ReviewerFields, XmpMarks
from reviewer.gui.cull_controller import CullController
from reviewer.gui.photo_model import PhotoModel, PhotoRecord
from reviewer.gui.settings import AppSettings
from reviewer.gui.workers import TaskRunner


def record_marks(rec: PhotoRecord) -> Marks:
    """The marks a grid row shows (it mirrors the cull model's)."""
    label: Label | None = next((lb for lb in LABELS if lb == rec.label), None)
    return Marks(rec.decision, rec.rating, label)


def to_xmp(marks: Marks) -> XmpMarks | None:
    """What XMP says of these marks (a keep has no XMP form); None for no marks at all."""
    if marks.rating == 0 and marks.label is None and marks.decision != "reject":
        return None
    if marks.decision == "reject":
        return XmpMarks(0, marks.label, rejected=True)
    return XmpMarks(marks.rating, marks.label)


def from_xmp(xmp: XmpMarks, before: Marks) -> Marks:
    """The catalog's marks for what a sidecar says (a keep made here stays a keep)."""
    label = (xmp.label or "").lower()
    ours: Label | None = next((lb for lb in LABELS if lb == label), None)
    decision: Decision | None = "keep" if before.decision == "keep" else None
    if xmp.rejected:
        decision = "reject"
    return Marks(decision, 0 if xmp.rejected else xmp.rating, ours)


@dataclass(slots=True)
class SidecarFindings:
    """What reading a folder's sidecars found."""

    marks: dict[Path, Marks] = field(default_factory=dict)  # sidecar won: show these
    elsewhere: set[Path] = field(default_factory=set)  # ... and the catalog had other marks
    problems: list[tuple[Path, str]] = field(default_factory=list)  # broken sidecars


def read_task(
    shots: Sequence[Shot], catalog: Catalog | None, wanted: Callable[[], bool]
) -> Callable[[], SidecarFindings]:
    """A worker function: each shot's recorded marks against the catalog's; winners saved."""

    def run() -> SidecarFindings:
        found = SidecarFindings()
        paths = [s.display_path for s in shots]
        saved: dict[str, Marks] = {}
        times: dict[str, float] = {}
        if catalog is not None:
            with contextlib.suppress(sqlite3.Error):
                saved = catalog.get_marks(paths)
                times = catalog.marks_changed_at(paths)
        newest = 0.0
        for shot in shots:
            if not wanted():
                return SidecarFindings()
            recorded = read_recorded(shot, found.problems)
            if recorded is None:
                continue
            key = str(shot.display_path.absolute())
            before = saved.get(key, NO_MARKS)
            ours = to_xmp(before)
            if ours is None and key in times:  # cleared here: that is a state with a time too
                ours = XmpMarks(0, None)
            resolution = newer_wins(ours, times.get(key), recorded)
            if resolution.source != "sidecar" or resolution.marks is None:
                continue
            marks = from_xmp(resolution.marks, before)
            if marks == before:
                continue
            found.marks[shot.display_path] = marks
            if resolution.changed_elsewhere:
                found.elsewhere.add(shot.display_path)
            newest = max(newest, recorded.mtime)
        if catalog is not None and found.marks:
            with contextlib.suppress(sqlite3.Error):
                catalog.set_marks(found.marks, changed_at=newest)
        return found

    return run


@dataclass(frozen=True, slots=True)
class SidecarJob:
    """One shot to write: its marks and Reviewer's measurement of it."""

    shot: Shot
    marks: Marks
    reviewer: ReviewerFields | None


@dataclass(slots=True)
class SidecarWriteReport:
    written: list[Path] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    shots: int = 0


def jobs_for(
    items: Iterable[tuple[Shot, Marks, ReviewerFields | None]],
) -> list[SidecarJob]:
    """The shots worth a sidecar: marked, scored, or with a sidecar already."""
    return [
        SidecarJob(shot, marks, reviewer)
        for shot, marks, reviewer in items
        if not marks.empty or reviewer is not None or existing_sidecars(shot)
    ]


def write_task(jobs: Sequence[SidecarJob], style: str) -> Callable[[], SidecarWriteReport]:
    """A worker function writing each job's sidecars (merging, atomically)."""
    chosen: SidecarStyle = next((st for st in SIDECAR_STYLES if st == style), "adobe")

    def run() -> SidecarWriteReport:
        report = SidecarWriteReport(shots=len(jobs))
        for job in jobs:
            marks = to_xmp(job.marks) or XmpMarks()
            done = write_shot_sidecars(job.shot, marks, chosen, reviewer=job.reviewer)
            report.written.extend(done.written)
            report.failures.extend(done.failures)
        return report

    return run


# ---------------------------------------------------------------------------- the window's


class SidecarController(QObject):
    """Reads a folder's sidecars when it opens and writes the window's marks to them, on a
    thread of its own (one, so writes land in the order made)."""

    read = Signal(object)  # SidecarFindings, once applied
    written = Signal(object)  # SidecarWriteReport
    AUTO_WRITE_MS = 400  # marks made in a burst are written together

    def __init__(
        self,
        photos: PhotoModel,
        cull: CullController,
        settings: AppSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.photos = photos
        self.cull = cull
        self.settings = settings
        self.method = ""
        self.tasks = TaskRunner(threads=1, parent=self)
        self.tasks.done.connect(self._on_done)
        self._generation = 0
        self._pending: dict[Path, PhotoRecord] = {}  # marked, to write (auto-write)
        self._timer = QTimer(self, singleShot=True, interval=self.AUTO_WRITE_MS)
        self._timer.timeout.connect(self._write_pending)
        cull.adapter.marksChanged.connect(self._on_marks)

    def folder_opened(self, shots: Sequence[Shot]) -> None:
        """Read the sidecars of the folder just listed (in the worker)."""
        if self._pending:  # the last folder's latest marks are written, not dropped
            self._timer.stop()
            self._write_pending()
        self._generation += 1
        generation = self._generation
        if shots:
            self.tasks.submit(
                ("read", generation),
                read_task(list(shots), self.cull.catalog, lambda: generation == self._generation),
            )

    def write(self, records: Sequence[PhotoRecord]) -> int:
        """Write these photos' marks (and score) to their sidecars; returns how many shots."""
        items = [(rec.shot, record_marks(rec), self._reviewer(rec)) for rec in records]
        style = self.settings.sidecar_style()
        self.tasks.submit(("write",), lambda: write_task(jobs_for(items), style)())
        return len(items)

    def _reviewer(self, rec: PhotoRecord) -> ReviewerFields | None:
        if rec.score is None:
            return None
        return ReviewerFields(
            score=float(rec.score.value),
            scorer=rec.score.method,
            verdict=rec.score.verdict,
            threshold=self.photos.threshold,
        )

    def _on_marks(self, paths: tuple[Path, ...]) -> None:
        if self.settings.auto_write_sidecars():
            for p in paths:
                row = self.photos.row_of(p)
                if row is not None:
                    self._pending[p] = self.photos.record(row)
            self._timer.start()

    def _write_pending(self) -> None:
        records = list(self._pending.values())
        self._pending.clear()
        if records:
            self.write(records)

    def _on_done(self, tag: object, result: object, error: object) -> None:
        assert isinstance(tag, tuple)
        if tag[0] == "read":
            if tag[1] != self._generation or not isinstance(result, SidecarFindings):
                return
            self.cull.apply_recorded(result.marks, result.elsewhere)
            self.read.emit(result)
        elif tag[0] == "write":
            report = result if isinstance(result, SidecarWriteReport) else SidecarWriteReport()
            if error:
                report.failures.append((Path(), str(error)))
            self.written.emit(report)

    def shutdown(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._write_pending()
        self.tasks.shutdown()
