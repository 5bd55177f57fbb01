"""The cull, without Qt: the shots of a folder, their scores, and the photographer's marks.

`CullModel` holds the shots (by display path), each with its score and verdict and its marks
(decision keep/reject, rating 0-5, colour label). Every change a user makes goes through ONE
undo stack: mark, rate, label, reject-below-threshold, clear, and moves (a command wrapping
callables the caller gives, so the moving itself stays in `trash.py`). Marks are saved to the
catalog as they are made.

Observers connect plain callbacks to `model.events.<name>` (napari's evented-model style):

* `shots(paths)`: the list of shots changed (a folder loaded, shots moved away or back);
* `scores(paths)`: these shots got a score (or a new verdict);
* `marks(paths)`: these shots' marks changed;
* `history(None)`: what undo/redo can do changed;
* `problem(text)`: the catalog could not save (the marks still hold for this session).

The model is not thread-safe: use it from one thread (a window's GUI thread), and hand it
results from scoring threads through that thread.
"""

from __future__ import annotations

import bisect
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from reviewer.core.cull.catalog_db import NO_MARKS, Catalog, Decision, Label, Marks, StoredScore

if TYPE_CHECKING:
    from reviewer.core.batch import PhotoResult

P = TypeVar("P")

# Verdicts bulk actions never take: the photo needs a look (unsure) or could not be read.
NOT_JUDGED = frozenset({"unsure", "error"})


class Event(Generic[P]):
    """A list of callbacks; `emit(payload)` calls each in connection order."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[P], object]] = []

    def connect(self, callback: Callable[[P], object]) -> Callable[[P], object]:
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[[P], object]) -> None:
        self._callbacks.remove(callback)

    def emit(self, payload: P) -> None:
        for cb in list(self._callbacks):
            cb(payload)


class CullEvents:
    def __init__(self) -> None:
        self.shots: Event[tuple[Path, ...]] = Event()
        self.scores: Event[tuple[Path, ...]] = Event()
        self.marks: Event[tuple[Path, ...]] = Event()
        self.history: Event[None] = Event()
        self.problem: Event[str] = Event()


@dataclass(slots=True)
class ShotState:
    """One shot in the cull."""

    path: Path  # the display file: the shot's key
    value: float | None = None  # the score; None until scored
    verdict: str | None = None  # sharp / blurry / unsure / error; None until scored
    marks: Marks = NO_MARKS
    # Judged against its burst (set_verdicts): the threshold that verdict holds at (None: the
    # verdict is the frame's alone), and whether the frame is its burst's best.
    context_threshold: float | None = None
    best: bool = False

    def rejectable(self, threshold: float) -> bool:
        """Bulk reject takes it: undecided, judged, and below the threshold; or, judged
        against its burst at this threshold, blurry in that context and not the burst's best."""
        if self.value is None or self.decision is not None or self.verdict in NOT_JUDGED:
            return False
        if self.context_threshold == threshold:
            return self.verdict == "blurry" and not self.best
        return self.value < threshold

    @property
    def decision(self) -> Decision | None:
        return self.marks.decision

    @property
    def rating(self) -> int:
        return self.marks.rating

    @property
    def label(self) -> Label | None:
        return self.marks.label


@dataclass(frozen=True, slots=True)
class ShotFilter:
    """Which shots a view shows, by their marks (Lightroom's filter bar): all conditions set
    must hold. `min_rating` 0 and no `labels` mean any; `decisions` may hold None for
    undecided shots ("undecided" filter: `decisions=frozenset({None})`)."""

    min_rating: int = 0
    labels: frozenset[Label | None] = frozenset()  # None in it: shots with no label
    decisions: frozenset[Decision | None] = frozenset()

    def accepts(self, shot: ShotState) -> bool:
        m = shot.marks
        if m.rating < self.min_rating:
            return False
        if self.labels and m.label not in self.labels:
            return False
        return not self.decisions or m.decision in self.decisions


UNDECIDED = ShotFilter(decisions=frozenset({None}))


class Command(Protocol):
    text: str  # "Reject 3 photos", shown as "Undo Reject 3 photos"

    def redo(self, model: CullModel) -> None: ...

    def undo(self, model: CullModel) -> None: ...


class SetMarks:
    """Marks of some photos, before and after."""

    def __init__(self, text: str, before: dict[Path, Marks], after: dict[Path, Marks]) -> None:
        self.text = text
        self.before = before
        self.after = after

    def redo(self, model: CullModel) -> None:
        model._apply_marks(self.after)

    def undo(self, model: CullModel) -> None:
        model._apply_marks(self.before)


Moved = Sequence[tuple[Path, Path]]  # (from, to) of each file that moved


class MoveCommand:
    """A move done by the caller's callables: `do()` moves and returns the (src, dst) of each
    file moved, `undo()` moves them back and returns (where it was, where it is again). The
    catalog follows the files; shots whose display file left are taken out of the model and
    come back, with their marks and scores, when it returns."""

    def __init__(self, text: str, do: Callable[[], Moved], undo: Callable[[], Moved]) -> None:
        self.text = text
        self._do = do
        self._undo = undo
        self.last: Moved = ()

    def redo(self, model: CullModel) -> None:
        self.last = self._do()
        model._files_moved(self.last)

    def undo(self, model: CullModel) -> None:
        model._files_moved(self._undo())


class UndoStack:
    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are done

    def push(self, command: Command) -> None:
        del self._commands[self._index :]
        self._commands.append(command)
        self._index += 1

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo else ""

    @property
    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo else ""

    def take_undo(self) -> Command | None:
        if not self.can_undo:
            return None
        self._index -= 1
        return self._commands[self._index]

    def take_redo(self) -> Command | None:
        if not self.can_redo:
            return None
        self._index += 1
        return self._commands[self._index - 1]

    def commands(self) -> list[Command]:
        """Everything on the stack, oldest first (done and undone)."""
        return list(self._commands)

    def clear(self) -> None:
        self._commands.clear()
        self._index = 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class CullModel:
    """The shots being culled and one undo stack for everything done to them."""

    def __init__(self, catalog: Catalog | None = None, threshold: float = 50.0) -> None:
        self.catalog = catalog
        self.threshold = threshold
        self.events = CullEvents()
        self.history = UndoStack()
        self._shots: dict[Path, ShotState] = {}
        self._order: list[Path] = []
        self._rank: dict[Path, int] = {}  # place in the loaded order, to put returning shots back
        self._away: dict[Path, ShotState] = {}  # shots moved out, by where they are now

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, path: object) -> bool:
        return path in self._shots

    def paths(self) -> list[Path]:
        return list(self._order)

    def shot(self, path: Path) -> ShotState:
        return self._shots[path]

    def shots(self) -> list[ShotState]:
        return [self._shots[p] for p in self._order]

    def marks(self, path: Path) -> Marks:
        return self._shots[path].marks

    def matching(self, shot_filter: ShotFilter) -> list[Path]:
        """The shots a filter lets through, in order."""
        return [p for p in self._order if shot_filter.accepts(self._shots[p])]

    # ------------------------------------------------------------------ loading

    def load(
        self,
        paths: Iterable[Path],
        method: str | None = None,
        threshold: float | None = None,
        saved_marks: Mapping[str, Marks] | None = None,
    ) -> int:
        """Show these shots (a folder opened), with the marks the catalog has for them and,
        given a `method`, the scores it has cached (judged at `threshold`, else the scorer's
        default): no decoding. Returns how many shots got a cached score. The undo stack is
        kept: commands of an earlier folder still undo in the catalog.

        `saved_marks`: the catalog's marks for these shots, by absolute path, read already (on
        a worker thread, so that a window's GUI thread never waits on the catalog's disk);
        the catalog is then not read here."""
        order = list(dict.fromkeys(paths))
        saved: Mapping[str, Marks] = {}
        stored: dict[str, StoredScore] = {}
        if saved_marks is not None:
            saved = saved_marks
        elif self.catalog is not None:
            try:
                if method is None:
                    saved = self.catalog.get_marks(order)
                else:
                    saved, stored = self.catalog.state(order, method)
            except sqlite3.Error as exc:
                self.events.problem.emit(f"the catalog could not be read: {exc}")
        self._order = order
        self._rank = {p: i for i, p in enumerate(order)}
        if saved:
            self._shots = {
                p: ShotState(p, marks=saved.get(os.path.abspath(p), NO_MARKS)) for p in order
            }
        else:  # no marks: no path made absolute (1,000 of them on a window's GUI thread)
            self._shots = {p: ShotState(p, marks=NO_MARKS) for p in order}
        self._away.clear()
        cached: list[PhotoResult] = []
        if stored:
            from reviewer.core.cull.score_cache import split_stored

            cached, _ = split_stored(stored, order, threshold)
            for r in cached:
                shot = self._shots[r.path]
                shot.value = None if r.score is None else float(r.score.value)
                shot.verdict = r.verdict
        self.events.shots.emit(tuple(order))
        return len(cached)

    def load_cached_scores(self, method: str, threshold: float | None = None) -> int:
        """Scores the catalog already has for these shots (no decoding); returns how many."""
        if self.catalog is None or not self._order:
            return 0
        from reviewer.core.cull.score_cache import split_cached

        cached, _ = split_cached(self.catalog, self._order, method, threshold)
        self.set_results(cached)
        return len(cached)

    def set_score(self, path: Path, value: float | None, verdict: str | None) -> None:
        shot = self._shots.get(path)
        if shot is not None:
            shot.value, shot.verdict = value, verdict
            shot.context_threshold, shot.best = None, False
            self.events.scores.emit((path,))

    def set_results(self, results: Iterable[PhotoResult]) -> None:
        """Scores from `PhotoResult`s (batch.py's or the cache's); one event for all."""
        changed: list[Path] = []
        for r in results:
            shot = self._shots.get(r.path)
            if shot is None:
                continue
            shot.value = None if r.score is None else float(r.score.value)
            shot.verdict = r.verdict
            shot.context_threshold, shot.best = None, False
            changed.append(shot.path)
        if changed:
            self.events.scores.emit(tuple(changed))

    def set_verdicts(
        self, verdicts: Mapping[Path, str], threshold: float, best: Iterable[Path] = ()
    ) -> None:
        """Verdicts judged in context (against each frame's burst) at `threshold`; `best`: the
        best frame of each burst, which bulk reject never takes. One event for all."""
        tops = set(best)
        changed: list[Path] = []
        for path, verdict in verdicts.items():
            shot = self._shots.get(path)
            if shot is None or shot.value is None:
                continue
            shot.verdict, shot.context_threshold = verdict, float(threshold)
            shot.best = path in tops
            changed.append(path)
        if changed:
            self.events.scores.emit(tuple(changed))

    # ------------------------------------------------------------------ user actions

    def mark(self, paths: Iterable[Path], decision: Decision | None) -> int:
        """Keep, reject or clear the decision of these shots; returns how many changed."""
        what = {"keep": "Keep", "reject": "Reject", None: "Unflag"}[decision]
        return self._change(paths, lambda m: replace(m, decision=decision), what)

    def rate(self, paths: Iterable[Path], rating: int) -> int:
        if not 0 <= rating <= 5:
            raise ValueError(f"rating {rating} is not 0-5")
        return self._change(paths, lambda m: replace(m, rating=rating), f"Rate {rating}★")

    def label(self, paths: Iterable[Path], label: Label | None) -> int:
        Marks(label=label)  # validates
        what = f"Label {label}" if label else "Clear label"
        return self._change(paths, lambda m: replace(m, label=label), what)

    def reject_below(self, threshold: float | None = None) -> int:
        """Reject every scored shot below the threshold that has no decision yet. Shots whose
        verdict is unsure or error are left for a person to look at."""
        t = self.threshold if threshold is None else threshold
        targets = [s.path for s in self.shots() if s.rejectable(t)]
        return self._change(
            targets, lambda m: replace(m, decision="reject"), "Reject below threshold"
        )

    def clear_marks(self, everything: bool = False) -> int:
        """Clear every shot's decision (with `everything`, its rating and label too)."""
        change: Callable[[Marks], Marks] = (
            (lambda m: NO_MARKS) if everything else (lambda m: replace(m, decision=None))
        )
        return self._change(self._order, change, "Clear all marks")

    def move(self, text: str, do: Callable[[], Moved], undo: Callable[[], Moved]) -> Moved:
        """Run a move through the undo stack; returns what moved. A move that moved nothing
        is not put on the stack."""
        command = MoveCommand(text, do, undo)
        command.redo(self)
        if command.last:
            self.history.push(command)
            self.events.history.emit(None)
        return command.last

    def add_done(self, command: Command) -> None:
        """Put a command that already happened on the stack (a move from the journal after a
        restart), so it can be undone."""
        self.history.push(command)
        self.events.history.emit(None)

    def undo(self) -> str | None:
        """Undo the last command; returns its text, None when there is nothing to undo."""
        command = self.history.take_undo()
        if command is None:
            return None
        command.undo(self)
        self.events.history.emit(None)
        return command.text

    def redo(self) -> str | None:
        command = self.history.take_redo()
        if command is None:
            return None
        command.redo(self)
        self.events.history.emit(None)
        return command.text

    # ------------------------------------------------------------------ internals

    def _change(self, paths: Iterable[Path], change: Callable[[Marks], Marks], what: str) -> int:
        before: dict[Path, Marks] = {}
        after: dict[Path, Marks] = {}
        for p in dict.fromkeys(paths):
            shot = self._shots.get(p)
            if shot is None:
                continue
            new = change(shot.marks)
            if new != shot.marks:
                before[p], after[p] = shot.marks, new
        if not after:
            return 0
        command = SetMarks(f"{what} ({_plural(len(after), 'photo')})", before, after)
        command.redo(self)
        self.history.push(command)
        self.events.history.emit(None)
        return len(after)

    def _apply_marks(self, marks: dict[Path, Marks]) -> None:
        changed = []
        for p, m in marks.items():
            shot = self._shots.get(p)
            if shot is not None:
                shot.marks = m
                changed.append(p)
        self._save(marks)
        if changed:
            self.events.marks.emit(tuple(changed))

    def _save(self, marks: dict[Path, Marks]) -> None:
        if self.catalog is None:
            return
        try:
            self.catalog.set_marks(marks)
        except sqlite3.Error as exc:
            self.events.problem.emit(f"marks could not be saved: {exc}")

    def _files_moved(self, moved: Moved) -> None:
        if self.catalog is not None:
            try:
                self.catalog.record_moves(moved)
            except sqlite3.Error as exc:
                self.events.problem.emit(f"moves could not be recorded: {exc}")
        changed = False
        for src, dst in moved:
            shot = self._shots.pop(src, None)
            if shot is not None:  # the shot's display file left
                self._order.remove(src)
                self._away[dst] = shot
                changed = True
            elif src in self._away:  # it came back
                state = self._away.pop(src)
                rank = self._rank.pop(state.path, len(self._rank))
                state.path = dst
                self._rank[dst] = rank
                ranks = [self._rank.get(p, 0) for p in self._order]
                self._order.insert(bisect.bisect(ranks, rank), dst)
                self._shots[dst] = state
                changed = True
        if changed:
            self.events.shots.emit(tuple(self._order))
