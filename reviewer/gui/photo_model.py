"""The list of shots in the open folder, with their scores and the user's decisions."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from reviewer.core.batch import PhotoResult
from reviewer.core.catalog import Shot
from reviewer.core.judging.verdict import Judgement
from reviewer.core.metadata import CaptureInfo
from reviewer.core.scoring.base import Score

Decision = Literal["keep", "reject"]
SortKey = Literal["sharpness", "time", "name"]
State = Literal["unscored", "sharp", "below", "unsure", "error"]
AnyIndex = QModelIndex | QPersistentModelIndex


class MarksLike(Protocol):
    """What the grid shows of a photo's marks (core's `Marks` has it)."""

    @property
    def decision(self) -> Decision | None: ...

    @property
    def rating(self) -> int: ...

    @property
    def label(self) -> str | None: ...


class Role(IntEnum):
    RECORD = Qt.ItemDataRole.UserRole + 1
    SCORE = Qt.ItemDataRole.UserRole + 2  # float, or None while unscored
    BELOW = Qt.ItemDataRole.UserRole + 3  # bool: score below the threshold
    DECISION = Qt.ItemDataRole.UserRole + 4  # "keep" | "reject" | None
    STATE = Qt.ItemDataRole.UserRole + 5  # State
    NAME_ORDER = Qt.ItemDataRole.UserRole + 6  # int: natural file-name order
    CAPTURE_TIME = Qt.ItemDataRole.UserRole + 7  # float: POSIX time (capture, else mtime)
    SHARPNESS_ORDER = Qt.ItemDataRole.UserRole + 8  # float: errors first, unscored last
    THUMBNAIL = Qt.ItemDataRole.UserRole + 9  # Path; changes when its thumbnail arrives
    RATING = Qt.ItemDataRole.UserRole + 10  # int 0-5
    LABEL = Qt.ItemDataRole.UserRole + 11  # "red" | "yellow" | "green" | "blue" | ... | None
    ELSEWHERE = Qt.ItemDataRole.UserRole + 12  # bool: marks last changed by another tool


@dataclass(slots=True, eq=False)
class PhotoRecord:
    """One shot in the grid."""

    shot: Shot
    order: int  # position in natural name order when the folder was opened
    score: Score | None = None
    error: str | None = None
    decision: Decision | None = None
    rating: int = 0
    label: str | None = None
    changed_elsewhere: bool = False  # a sidecar newer than the catalog gave the marks
    info: CaptureInfo | None = None
    width: int = 0
    height: int = 0
    judgement: Judgement | None = None  # the verdict and its reason, from scoring
    signature: npt.NDArray[np.float32] | None = None  # appearance, for finding bursts
    # Judged against its burst (reviewer/gui/bursts.py): the group ("" alone), its size, whether
    # this is the group's best (sharpest) frame, the in-context judgement and the threshold it
    # holds at (None: not judged in context).
    group: str = ""
    group_size: int = 0
    group_best: bool = False
    context: Judgement | None = None
    context_threshold: float | None = None

    @property
    def path(self) -> Path:
        return self.shot.display_path

    @property
    def capture_time(self) -> float:
        if self.info is not None and self.info.captured_at is not None:
            try:
                return self.info.captured_at.timestamp()
            except (OverflowError, OSError, ValueError):
                pass
        return self.shot.mtime

    def in_context(self, threshold: float) -> Judgement | None:
        """The judgement against its burst, when it was made at this threshold."""
        return self.context if self.context_threshold == threshold else None

    def is_below(self, threshold: float) -> bool:
        if self.score is None:
            return False
        ctx = self.in_context(threshold)
        if ctx is not None and ctx.verdict in ("sharp", "blurry"):
            return ctx.verdict == "blurry"  # a verdict against its burst
        return self.score.value < threshold

    def clear_context(self) -> None:
        self.group, self.group_size, self.group_best = "", 0, False
        self.context = self.context_threshold = None

    @property
    def shown_judgement(self) -> Judgement | None:
        """The judgement the window shows: against its burst once judged so, else alone."""
        return self.context if self.context is not None else self.judgement

    @property
    def unsure(self) -> bool:
        """Judging found nothing to decide on (flat, texture only, a focus stack...) or the
        evidence sat on the threshold: bulk actions leave it to the photographer."""
        j = self.shown_judgement
        return j is not None and j.verdict == "unsure"

    @property
    def reason(self) -> str:
        j = self.shown_judgement
        return j.reason if j is not None else ""

    def state(self, threshold: float) -> State:
        if self.error is not None:
            return "error"
        if self.score is None:
            return "unscored"
        if self.unsure:
            return "unsure"
        return "below" if self.is_below(threshold) else "sharp"


# Above this many separate runs of changed rows, one dataChanged over their whole span is cheaper
# than a signal per run.
MAX_CHANGED_RUNS = 64


def _row_runs(rows: list[int], limit: int) -> list[tuple[int, int]]:
    """Sorted distinct rows as (first, last) runs of adjacent rows; one span over all of them
    when there would be more than `limit` runs."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    if len(runs) > limit:
        return [(rows[0], rows[-1])]
    return runs


@dataclass(frozen=True, slots=True)
class Counts:
    photos: int
    scored: int
    below: int
    errors: int
    rejected: int
    kept: int
    rejected_bytes: int
    unsure: int = 0


@dataclass(slots=True)
class Listing:
    """A folder's rows: a record per shot in name order, and the row of each path.

    Made on any thread: the folder scan's worker makes it, so the GUI thread only adopts it
    (creating and indexing the records, which hashes every path, is pure Python: 3 ms per 1,000
    photos that would otherwise fall in the first paint of the grid).
    """

    records: list[PhotoRecord]
    row_of: dict[Path, int]

    @classmethod
    def of(cls, shots: Iterable[Shot]) -> Listing:
        records = [PhotoRecord(shot, i) for i, shot in enumerate(shots)]
        return cls(records, {rec.path: i for i, rec in enumerate(records)})


@dataclass(frozen=True, slots=True)
class InBurst:
    """A photo's place in its burst and its judgement against it (apply_context)."""

    group: str  # "" when alone
    size: int  # frames in its group (1 when alone)
    best: bool  # the group's best (sharpest) frame
    judgement: Judgement


class PhotoModel(QAbstractListModel):
    """A flat list of PhotoRecords. Rows change only through the methods below."""

    countsChanged = Signal()
    thresholdChanged = Signal(float)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[PhotoRecord] = []
        self._row_of: dict[Path, int] = {}
        self._threshold = 50.0
        self._values_cache: npt.NDArray[np.float64] | None = None
        self._sort_key: SortKey = "name"
        self._descending = False

    # Qt model interface -------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        rec = self._records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return rec.shot.label()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(rec)
        if role == Role.RECORD:
            return rec
        if role == Role.SCORE:
            return None if rec.score is None else rec.score.value
        if role == Role.BELOW:
            return rec.is_below(self._threshold)
        if role == Role.DECISION:
            return None if rec.decision is None else rec.decision
        if role == Role.STATE:
            return rec.state(self._threshold)
        if role == Role.NAME_ORDER:
            return rec.order
        if role == Role.CAPTURE_TIME:
            return rec.capture_time
        if role == Role.SHARPNESS_ORDER:
            if rec.error is not None:
                return -1.0
            return float("inf") if rec.score is None else rec.score.value
        if role == Role.THUMBNAIL:
            return rec.path
        if role == Role.RATING:
            return rec.rating
        if role == Role.LABEL:
            return rec.label
        if role == Role.ELSEWHERE:
            return rec.changed_elsewhere
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def _tooltip(self, rec: PhotoRecord) -> str:
        lines = [str(rec.path)]
        if len(rec.shot.files) > 1:
            lines.append("with " + ", ".join(p.name for p in rec.shot.files[1:]))
        if rec.error:
            lines.append(f"error: {rec.error}")
        elif rec.score is not None:
            lines.append(f"{rec.score.method} score {rec.score.value:.1f}")
            j = rec.shown_judgement
            if j is not None:
                lines.append(f"{j.verdict}: {j.reason}")
            if rec.group_size > 1:
                best = ", its best frame" if rec.group_best else ""
                lines.append(f"one of a burst of {rec.group_size}{best}")
        if rec.info is not None and rec.info.summary():
            lines.append(rec.info.summary())
        if rec.rating:
            lines.append("★" * rec.rating)
        if rec.label:
            lines.append(f"{rec.label} label")
        if rec.changed_elsewhere:
            lines.append("marks changed in another program (its sidecar is newer)")
        return "\n".join(lines)

    # contents -----------------------------------------------------------------------------
    @property
    def records(self) -> list[PhotoRecord]:
        return self._records

    def record(self, row: int) -> PhotoRecord:
        return self._records[row]

    def row_of(self, path: Path) -> int | None:
        return self._row_of.get(path)

    def index_of(self, record: PhotoRecord) -> QModelIndex:
        row = self._row_of.get(record.path)
        return QModelIndex() if row is None else self.index(row, 0)

    def set_shots(self, shots: list[Shot]) -> None:
        self.set_listing(Listing.of(shots))

    def set_listing(self, listing: Listing) -> None:
        """Show these rows (in name order) instead of the current ones."""
        self.beginResetModel()
        self._records = listing.records
        self._row_of = listing.row_of
        self._values_cache = None
        self._sort_key = "name"
        self.endResetModel()
        self.countsChanged.emit()

    def clear(self) -> None:
        self.set_shots([])

    def _reindex(self) -> None:
        self._row_of = {rec.path: i for i, rec in enumerate(self._records)}
        self._values_cache = None

    def _changed(self, row: int, roles: list[int]) -> None:
        idx = self.index(row, 0)
        self.dataChanged.emit(idx, idx, roles)

    _SCORE_ROLES = [
        Role.SCORE,
        Role.BELOW,
        Role.STATE,
        Role.SHARPNESS_ORDER,
        Role.CAPTURE_TIME,
        Qt.ItemDataRole.ToolTipRole,
    ]

    def apply_result(self, result: PhotoResult) -> bool:
        """Store a scoring result; False if its photo is no longer in the list."""
        row = self._row_of.get(result.path)
        if row is None:
            return False
        rec = self._records[row]
        rec.score = result.score
        rec.judgement = result.judgement
        rec.signature = result.signature
        rec.clear_context()  # judged against its burst again once the run is done
        rec.error = result.error
        if result.info is not None:
            rec.info = result.info
        rec.width, rec.height = result.width, result.height
        self._values_cache = None
        self._changed(row, list(self._SCORE_ROLES))
        self.countsChanged.emit()
        return True

    def apply_results(self, results: list[PhotoResult]) -> int:
        """Store many results; returns how many rows they touched.

        One dataChanged per run of adjacent rows: the view then repaints just the cells that
        changed. A single range from the first to the last row would repaint every cell on
        screen (and re-filter every row between) for each batch, though results land all over
        the grid.
        """
        rows = []
        for result in results:
            row = self._row_of.get(result.path)
            if row is None:
                continue
            rec = self._records[row]
            rec.score, rec.error = result.score, result.error
            rec.judgement, rec.signature = result.judgement, result.signature
            rec.clear_context()
            if result.info is not None:
                rec.info = result.info
            rec.width, rec.height = result.width, result.height
            rows.append(row)
        if rows:
            self._values_cache = None
            roles = list(self._SCORE_ROLES)
            for first, last in _row_runs(sorted(set(rows)), MAX_CHANGED_RUNS):
                self.dataChanged.emit(self.index(first, 0), self.index(last, 0), roles)
            self.countsChanged.emit()
        return len(rows)

    def apply_capture_info(self, infos: dict[Path, CaptureInfo]) -> int:
        """Store what the cameras recorded (read ahead of scoring, so that sorting by capture
        time is right from the start); re-sorts when that is the sort. Returns rows touched."""
        rows = []
        for path, info in infos.items():
            row = self._row_of.get(path)
            if row is None or self._records[row].info is not None:
                continue  # scoring got there first: it read the same headers
            self._records[row].info = info
            rows.append(row)
        if rows:
            for first, last in _row_runs(sorted(rows), MAX_CHANGED_RUNS):
                self.dataChanged.emit(
                    self.index(first, 0), self.index(last, 0), [Role.CAPTURE_TIME]
                )
            if self._sort_key == "time":
                self.sort_by("time")
        return len(rows)

    _CONTEXT_ROLES = [Role.BELOW, Role.STATE, Qt.ItemDataRole.ToolTipRole]

    def apply_context(
        self, judged: Mapping[Path, InBurst], threshold: float, scores: Mapping[Path, Score]
    ) -> list[Path]:
        """Store each photo's place in its burst and its judgement against it, made at
        `threshold` from `scores` (reviewer/gui/bursts.py computes them off the GUI thread).
        A photo whose score is no longer the one judged (scored again since) is left alone.
        Returns the photos that took it."""
        rows, taken = [], []
        for path, b in judged.items():
            row = self._row_of.get(path)
            if row is None:
                continue
            rec = self._records[row]
            if rec.score is None or rec.score is not scores.get(path):
                continue
            rec.group, rec.group_size, rec.group_best = b.group, b.size, b.best
            rec.context, rec.context_threshold = b.judgement, threshold
            rows.append(row)
            taken.append(path)
        if rows:
            roles = list(self._CONTEXT_ROLES)
            for first, last in _row_runs(sorted(rows), MAX_CHANGED_RUNS):
                self.dataChanged.emit(self.index(first, 0), self.index(last, 0), roles)
            self.countsChanged.emit()
        return taken

    def clear_scores(self) -> None:
        for rec in self._records:
            rec.score = None
            rec.error = None
            rec.signature = None
            rec.clear_context()
        self._values_cache = None
        if self._records:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._records) - 1, 0), list(self._SCORE_ROLES)
            )
        self.countsChanged.emit()

    # threshold ----------------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return self._threshold

    def set_threshold(self, threshold: float) -> None:
        if threshold == self._threshold:
            return
        self._threshold = float(threshold)
        if self._records:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._records) - 1, 0), [Role.BELOW, Role.STATE]
            )
        self.thresholdChanged.emit(self._threshold)
        self.countsChanged.emit()

    def score_values(self) -> npt.NDArray[np.float64]:
        """The scores of the scored photos (for the histogram and counts)."""
        if self._values_cache is None:
            self._values_cache = np.array(
                [r.score.value for r in self._records if r.score is not None], np.float64
            )
        return self._values_cache

    # decisions ----------------------------------------------------------------------------
    _decider: Callable[[list[PhotoRecord], Decision | None], int] | None = None

    def set_decider(
        self, decider: Callable[[list[PhotoRecord], Decision | None], int] | None
    ) -> None:
        """Route set_decision through `decider` (the window's cull controller: the undo
        stack and the catalog), which shows the marks back here through apply_marks."""
        self._decider = decider

    def set_decision(self, records: list[PhotoRecord], decision: Decision | None) -> int:
        """Mark records kept / rejected / undecided; returns how many changed."""
        if self._decider is not None:
            return self._decider(list(records), decision)
        rows = []
        for rec in records:
            row = self._row_of.get(rec.path)
            if row is not None and rec.decision != decision:
                rec.decision = decision
                rows.append(row)
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), 0), self.index(max(rows), 0), [Role.DECISION, Role.STATE]
            )
            self.countsChanged.emit()
        return len(rows)

    _MARK_ROLES = [Role.DECISION, Role.RATING, Role.LABEL, Role.ELSEWHERE, Role.STATE]

    def apply_marks(
        self, marks: Mapping[Path, MarksLike], elsewhere: Iterable[Path] | None = None
    ) -> int:
        """Show these marks (decision, rating, label: the cull model's); `elsewhere` are the
        photos whose marks came from a newer sidecar (a mark made here clears that). Returns
        how many rows changed."""
        flagged = set(elsewhere or ())
        rows = []
        for path, m in marks.items():
            row = self._row_of.get(path)
            if row is None:
                continue
            rec = self._records[row]
            new = (m.decision, m.rating, m.label, path in flagged)
            if new != (rec.decision, rec.rating, rec.label, rec.changed_elsewhere):
                rec.decision, rec.rating, rec.label, rec.changed_elsewhere = new
                rows.append(row)
        if rows:
            roles = list(self._MARK_ROLES)
            for first, last in _row_runs(sorted(rows), MAX_CHANGED_RUNS):
                self.dataChanged.emit(self.index(first, 0), self.index(last, 0), roles)
            self.countsChanged.emit()
        return len(rows)

    def reject_below_threshold(self) -> int:
        """Reject every scored photo below the threshold that has no hand decision and is not
        unsure (those are for a person to look at)."""
        targets = [
            r
            for r in self._records
            if r.decision is None
            and r.is_below(self._threshold)
            and not r.unsure
            and not (r.group_best and r.in_context(self._threshold) is not None)
        ]
        return self.set_decision(targets, "reject")

    def rejected(self) -> list[PhotoRecord]:
        return [r for r in self._records if r.decision == "reject"]

    # removing and putting back ------------------------------------------------------------
    def remove_records(self, records: list[PhotoRecord]) -> None:
        rows = sorted(
            {r for rec in records if (r := self._row_of.get(rec.path)) is not None}, reverse=True
        )
        # remove contiguous runs, from the bottom up
        i = 0
        while i < len(rows):
            last = rows[i]
            first = last
            while i + 1 < len(rows) and rows[i + 1] == first - 1:
                i += 1
                first = rows[i]
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._records[first : last + 1]
            self.endRemoveRows()
            i += 1
        self._reindex()
        self.countsChanged.emit()

    def insert_records(self, records: list[PhotoRecord]) -> None:
        """Put records back at their place in name order (after an undo)."""
        fn = self._order_fn()
        for rec in sorted(records, key=fn):
            if rec.path in self._row_of:
                continue
            row = bisect.bisect_left([fn(r) for r in self._records], fn(rec))
            self.beginInsertRows(QModelIndex(), row, row)
            self._records.insert(row, rec)
            self.endInsertRows()
            self._reindex()
        self.countsChanged.emit()

    def thumbnail_changed(self, path: Path) -> None:
        row = self._row_of.get(path)
        if row is not None:
            self._changed(row, [Role.THUMBNAIL])

    # order --------------------------------------------------------------------------------
    @property
    def sort_key(self) -> SortKey:
        return self._sort_key

    @staticmethod
    def _key_fn(key: SortKey) -> Callable[[PhotoRecord], tuple[float, int]]:
        if key == "sharpness":  # blurriest first; errors before, unscored after
            return lambda r: (
                -1.0 if r.error is not None else math.inf if r.score is None else r.score.value,
                r.order,
            )
        if key == "time":
            return lambda r: (r.capture_time, r.order)
        return lambda r: (0.0, r.order)

    @property
    def descending(self) -> bool:
        return self._descending

    def set_descending(self, on: bool) -> None:
        """Reverse the order (sharpest, newest, last name first); re-sorts at once."""
        if on != self._descending:
            self._descending = on
            self.sort_by(self._sort_key)

    def _order_fn(self) -> Callable[[PhotoRecord], tuple[float, int]]:
        """The sort key of the rows' order, reversed when descending. Reversed by sharpness,
        photos not scored yet still come last: they have no place in the order yet."""
        fn = self._key_fn(self._sort_key)
        if not self._descending:
            return fn
        if self._sort_key == "sharpness":
            return lambda r: (
                math.inf if r.score is None and r.error is None else -fn(r)[0],
                -r.order,
            )
        return lambda r: (-fn(r)[0], -fn(r)[1])

    def sort_by(self, key: SortKey) -> None:
        """Reorder the rows (a stable sort in Python, then one layoutChanged).

        Sorting here rather than in a QSortFilterProxyModel keeps a 10,000-photo re-sort to a
        few milliseconds: the proxy would call data() from C++ for every comparison.
        """
        self._sort_key = key
        fn = self._order_fn()
        new = sorted(self._records, key=fn)
        if new == self._records:
            return
        self.layoutAboutToBeChanged.emit()
        new_row = {id(rec): i for i, rec in enumerate(new)}
        old = self.persistentIndexList()
        moved = [self.index(new_row[id(self._records[i.row()])], 0) for i in old]
        self._records = new
        self._reindex()
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()

    # summary ------------------------------------------------------------------------------
    def counts(self) -> Counts:
        values = self.score_values()
        rejected = [r for r in self._records if r.decision == "reject"]
        return Counts(
            photos=len(self._records),
            scored=int(values.size),
            # below the threshold, or blurry against its burst at this threshold
            below=sum(1 for r in self._records if r.is_below(self._threshold)),
            errors=sum(1 for r in self._records if r.error is not None),
            rejected=len(rejected),
            kept=sum(1 for r in self._records if r.decision == "keep"),
            rejected_bytes=sum(r.shot.size_bytes for r in rejected),
            unsure=sum(1 for r in self._records if r.error is None and r.unsure),
        )
