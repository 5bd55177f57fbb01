"""The window's decisions: marks, ratings, labels, undo/redo and moves, through the cull model.

`CullController` owns the core `CullModel` (reviewer/core/cull/model.py) and its Qt adapter,
and keeps the grid's `PhotoModel` in step with it: every mark the user makes is a command on
the model's one undo stack and is saved in the catalog as it is made, so it survives quit,
crash and folder switches. Moves are commands too (their files move through trash.py), and
the moves still in effect in the journal are put back on the stack at start, so they stay
undoable after a restart.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from reviewer.core.batch import PhotoResult
from reviewer.core.cull.catalog_db import Catalog, Label, Marks
from reviewer.core.cull.model import CullModel, MoveCommand, Moved
from reviewer.core.cull.score_cache import CacheWriter, split_cached, split_stored
from reviewer.core.trash import (
    FileGroup,
    MoveBatch,
    MoveJournal,
    RestoreReport,
    move_to_folder,
    move_to_trash,
    restore,
)
from reviewer.gui.cull_adapter import CullAdapter
from reviewer.gui.photo_model import Decision, PhotoModel, PhotoRecord

# The colour labels of keys 6-9, as in Lightroom Classic (purple has no key there either).
LABEL_KEYS: tuple[Label, ...] = ("red", "yellow", "green", "blue")
MAX_JOURNAL_MOVES = 20  # moves from earlier sessions put back on the undo stack


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(slots=True)
class MoveEntry:
    """One move on the undo stack, as Edit ▸ History lists it."""

    text: str
    batch: MoveBatch
    shots: int
    command: MoveCommand | None = None
    undone: bool = False  # restored (by undo, or from the History out of turn)
    detached: bool = False  # undone out of turn: undo/redo of its command do nothing
    redo: Callable[[], MoveBatch] | None = None

    @property
    def files(self) -> int:
        return len(self.batch.moves)


@dataclass(slots=True)
class CatalogState:
    """What the catalog holds for a folder's photos, read on a worker thread (the folder
    scan's; `CullController.state_reader`): their marks, and the scores it has cached for
    `method`, judged at `threshold`. Plain data: the GUI thread only adopts it."""

    paths: list[Path]
    method: str
    threshold: float
    changes: int  # CullController.changes when it was asked for: marks or moves since?
    marks: dict[str, Marks] = field(default_factory=dict)
    cached: list[PhotoResult] = field(default_factory=list)
    problem: str | None = None  # the catalog could not be read: no marks, nothing cached


def _nothing() -> None:
    return None


@dataclass(slots=True)
class _Redo:
    """How to do a move again (redo): move the same files to the same kind of place."""

    destination: str
    folder_name: str
    home_trash: Path | None
    groups: list[FileGroup] = field(default_factory=list)


class CullController(QObject):
    """Decisions, ratings, labels and moves of the open folder, with one undo stack."""

    historyChanged = Signal(bool, bool, str, str)  # can undo, can redo, undo text, redo text
    problem = Signal(str)
    notice = Signal(str)  # the catalog was set aside and rebuilt (or is not saved): say once
    undoFinished = Signal(object)  # RestoreReport of a move undone
    redoFinished = Signal(object)  # MoveBatch of a move done again
    filesReturned = Signal(object)  # list[Path]: files put back that the grid did not know

    def __init__(
        self,
        photos: PhotoModel,
        catalog: Catalog | None,
        journal: MoveJournal,
        home_trash: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.photos = photos
        self.catalog = catalog
        self.journal = journal
        self.home_trash = home_trash
        self.cull = CullModel(catalog)
        self.adapter = CullAdapter(self.cull, self)
        self.adapter.marksChanged.connect(self._on_marks)
        self.adapter.shotsChanged.connect(self._on_shots)
        self.adapter.historyChanged.connect(self.historyChanged)
        self.adapter.problem.connect(self.problem)
        self.moves: list[MoveEntry] = []
        photos.set_decider(self.decide)  # any view deciding through the grid's model is saved
        self._away: dict[Path, PhotoRecord] = {}  # records moved out, by their old path
        # Scores go to the catalog on a thread of their own: storing a score fingerprints the
        # photo (reads its first and last 64 KB), which the GUI thread never does.
        self._cache = CacheWriter(catalog)
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="reviewer-cache")
        self.changes = 0  # marks or shots changed in the cull model (saved in the catalog)

    # ------------------------------------------------------------------ folder and scores
    def state_reader(self, method: str, threshold: float) -> Callable[[list[Path]], CatalogState]:
        """For a folder about to open (GUI thread): a function that reads the catalog's marks
        and cached scores of its photos on a worker thread (the folder scan's), so that the
        GUI thread never waits on the catalog's disk (1,000 photos: a stat and two queries
        each, 100 ms and more). The scores handed over so far are sent to the catalog first,
        and the reader waits for them there, off the GUI thread."""
        self.flush(wait=False)
        catalog, writes, changes = self.catalog, self._writes, self.changes

        def read(paths: list[Path]) -> CatalogState:
            state = CatalogState(paths, method, threshold, changes)
            if catalog is None or not paths:
                return state
            with contextlib.suppress(RuntimeError):  # the writer is shut down: nothing pending
                writes.submit(_nothing).result()  # the scores before are in the catalog now
            try:
                catalog.purge_stale_scores(method)
                state.marks, stored = catalog.state(paths, method)
            except sqlite3.Error as exc:
                state.problem = f"the catalog could not be read: {exc}"
                return state
            state.cached, _ = split_stored(stored, paths, threshold)
            return state

        return read

    def load(
        self, method: str, threshold: float, state: CatalogState | None = None
    ) -> list[PhotoResult]:
        """The grid has new rows (a folder opened): give them their saved marks and the
        scores the catalog has cached for `method` (no decoding). Returns the cached results,
        already shown. `state`: the catalog's, read by `state_reader` on a worker; without it
        (or when it is for other photos, method or threshold, or marks or moves were saved
        since it was asked for: an undone move puts its files' marks back) the catalog is
        read here."""
        self._away.clear()
        records = self.photos.records
        paths = [r.path for r in records]
        if state is not None and (state.method, state.threshold, state.changes, state.paths) != (
            method,
            threshold,
            self.changes,
            paths,
        ):
            state = None
        if state is None:
            self.flush()  # the scores of the folder before are in the catalog now
        self.cull.threshold = threshold
        if state is None:
            self.cull.load(paths)
        else:
            self.cull.load(paths, saved_marks=state.marks)
            if state.problem:
                self.problem.emit(state.problem)
        self.photos.apply_marks({p: self.cull.marks(p) for p in paths})
        if state is None:
            cached = self.load_cached(method, threshold)
        else:
            cached = state.cached
            if cached:
                self.photos.apply_results(cached)
                self.cull.set_results(cached)
        self._take_notice()
        return cached

    def _take_notice(self) -> None:
        notice = self.catalog.take_notice() if self.catalog is not None else None
        if notice:
            self.notice.emit(notice)

    def load_cached(self, method: str, threshold: float) -> list[PhotoResult]:
        """Show the cached scores of `method` for the rows still unscored."""
        todo = [r.path for r in self.photos.records if r.score is None and r.error is None]
        cached, _ = split_cached(self.catalog, todo, method, threshold)
        if cached:
            self.photos.apply_results(cached)
            self.cull.set_results(cached)
        return cached

    def add_results(self, results: Sequence[PhotoResult]) -> None:
        """Scores from a scoring run: into the cull model and (on the writer thread) the
        catalog's cache."""
        self.cull.set_results(results)
        if self.catalog is not None:
            cache, batch = self._cache, list(results)
            self._writes.submit(cache.add_all, batch)

    def flush(self, wait: bool = True) -> None:
        """Send every score handed over to the catalog; with `wait`, until they are in.
        (Also before another method's scores: the writer keeps one pending score a photo.)"""
        if self.catalog is None:
            return
        cache = self._cache
        self._cache = CacheWriter(self.catalog)
        with contextlib.suppress(RuntimeError):  # already shut down
            done = self._writes.submit(cache.close)
            if wait:
                done.result()

    def set_threshold(self, threshold: float) -> None:
        self.cull.threshold = threshold

    # ------------------------------------------------------------------ marks
    @staticmethod
    def _paths(records: Iterable[PhotoRecord]) -> list[Path]:
        return [r.path for r in records]

    def decide(self, records: Iterable[PhotoRecord], decision: Decision | None) -> int:
        return self.cull.mark(self._paths(records), decision)

    def rate(self, records: Iterable[PhotoRecord], rating: int) -> int:
        return self.cull.rate(self._paths(records), rating)

    def label(self, records: Iterable[PhotoRecord], label: Label | None) -> int:
        return self.cull.label(self._paths(records), label)

    def toggle_label(self, records: Sequence[PhotoRecord], label: Label) -> int:
        """6-9 as in Lightroom: set the label, or clear it when every photo has it already."""
        same = bool(records) and all(r.label == label for r in records)
        return self.label(records, None if same else label)

    def reject_below(self, threshold: float) -> int:
        return self.cull.reject_below(threshold)

    def clear_marks(self) -> int:
        return self.cull.clear_marks()

    def apply_recorded(self, marks: dict[Path, Marks], elsewhere: Iterable[Path]) -> None:
        """Show marks read from sidecars that won over the catalog's (newer, or the catalog
        had none; the reader saved them in the catalog): not an action of the user, so not on
        the undo stack."""
        known = {p: m for p, m in marks.items() if p in self.cull}
        for p, m in known.items():
            self.cull.shot(p).marks = m
        if known:
            self.photos.apply_marks(known, elsewhere)

    def undo(self) -> str | None:
        return self.cull.undo()

    def redo(self) -> str | None:
        return self.cull.redo()

    # ------------------------------------------------------------------ moves
    def record_move(
        self,
        batch: MoveBatch,
        records: Sequence[PhotoRecord],
        folder_name: str = "",
    ) -> list[PhotoRecord]:
        """A move a worker has done: put it on the undo stack and take its shots out of the
        grid. Returns the records that left."""
        if not batch.moves:
            return []
        moved_src = {m.src for m in batch.moves}
        gone = [r for r in records if r.path in moved_src]
        where = "the Trash" if batch.destination == "trash" else f"“{folder_name or 'folder'}”"
        text = f"Move {_plural(len(gone), 'shot')} to {where}"
        groups = [
            FileGroup(r.shot.stem, tuple(f for f in r.shot.files if f in moved_src)) for r in gone
        ]
        redo = _Redo(batch.destination, folder_name, self.home_trash, groups)
        self._push_move(text, batch, len(gone), redo, already_done=True)
        return gone

    def restore_journal(self, batches: Sequence[MoveBatch] | None = None) -> int:
        """Put the journal's moves still in effect (`batches`, else the latest few from the
        journal) on the undo stack, so a move from before a restart can be undone. Returns
        how many."""
        if batches is None:
            try:
                batches = self.journal.batches()[-MAX_JOURNAL_MOVES:]
            except Exception:  # noqa: BLE001 - a broken journal must not stop the window
                return 0
        for batch in batches:
            where = "the Trash" if batch.destination == "trash" else "a folder"
            folder_name = ""
            groups: list[FileGroup] = []
            for m in batch.moves:
                groups.append(FileGroup(m.src.stem, (m.src,)))
                if batch.destination == "folder":
                    sibling = m.dst.parent.parent == m.src.parent
                    folder_name = m.dst.parent.name if sibling else str(m.dst.parent)
            stems = {(m.src.parent, m.src.stem) for m in batch.moves}
            text = f"Move {_plural(len(stems), 'shot')} to {where} (earlier session)"
            redo = _Redo(batch.destination, folder_name, self.home_trash, groups)
            self._push_move(text, batch, len(stems), redo, already_done=False)
        return len(batches)

    def _push_move(
        self, text: str, batch: MoveBatch, shots: int, how: _Redo, already_done: bool
    ) -> None:
        entry = MoveEntry(f"{text} ({_plural(len(batch.moves), 'file')})", batch, shots)
        first = [already_done]

        def do() -> Moved:
            if first[0]:
                first[0] = False
                return [(m.src, m.dst) for m in entry.batch.moves]
            if entry.detached:
                return []
            new = self._move_again(how)
            entry.batch, entry.undone = new, False
            self.redoFinished.emit(new)
            return [(m.src, m.dst) for m in new.moves]

        def undo() -> Moved:
            if entry.detached:
                return []
            report = restore(entry.batch, self.journal)
            entry.undone = True
            back = [(m.dst, m.src) for m in report.restored]
            self._returned_unknown(report)
            self.undoFinished.emit(report)
            return back

        command = MoveCommand(entry.text, do, undo)
        entry.command = command
        entry.redo = lambda: self._move_again(how)
        self.moves.append(entry)
        if already_done:
            self.cull.move(entry.text, do, undo)
        else:
            self.cull.add_done(command)

    def _move_again(self, how: _Redo) -> MoveBatch:
        groups = [g for g in how.groups if any(os.path.lexists(f) for f in g.files)]
        if how.destination == "trash":
            return move_to_trash(groups, self.journal, home_trash=how.home_trash)
        if not how.folder_name:
            return MoveBatch("folder")
        try:
            return move_to_folder(groups, how.folder_name, self.journal)
        except ValueError:  # an absolute folder this move code cannot take
            return MoveBatch("folder")

    def _returned_unknown(self, report: RestoreReport) -> None:
        """Files put back that no shot of the grid stands for (a move of an earlier session):
        the window rescans to show them."""
        known = {f for r in (*self._away.values(), *self.photos.records) for f in r.shot.files}
        unknown = [m.src for m in report.restored if m.src not in known]
        if unknown:
            self.filesReturned.emit(unknown)

    def undo_move(self, entry: MoveEntry) -> RestoreReport | None:
        """Undo one move from Edit ▸ History: through the stack when it is the last action,
        else on its own (the actions after it stay; its command is spent)."""
        if entry.undone or entry.detached or entry.command is None:
            return None
        live = [e for e in self.moves if not e.undone and not e.detached]
        h = self.cull.history
        got: list[RestoreReport] = []
        self.undoFinished.connect(got.append)
        try:
            if live and live[-1] is entry and h.can_undo and h.undo_text == entry.text:
                self.cull.undo()
            else:
                entry.command.undo(self.cull)
                entry.detached = True
                self.cull.events.history.emit(None)
        finally:
            self.undoFinished.disconnect(got.append)
        return got[0] if got else None

    # ------------------------------------------------------------------ model events
    def _on_marks(self, paths: tuple[Path, ...]) -> None:
        self.changes += 1
        self.photos.apply_marks({p: self.cull.marks(p) for p in paths if p in self.cull})

    def _on_shots(self, paths: tuple[Path, ...]) -> None:
        """Shots left the cull (moved away) or came back (a move undone): the grid follows."""
        self.changes += 1
        now = set(paths)
        gone = [r for r in self.photos.records if r.path not in now]
        for r in gone:
            self._away[r.path] = r
        if gone:
            self.photos.remove_records(gone)
        back = [self._away.pop(p) for p in paths if p in self._away]
        if back:
            self.photos.insert_records(back)
            self.photos.apply_marks({r.path: self.cull.marks(r.path) for r in back})

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.flush()
        self._writes.shutdown(wait=True)
        self.adapter.detach()
