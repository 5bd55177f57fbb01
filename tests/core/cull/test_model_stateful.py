"""Random sequences of marks, ratings, labels, bulk actions, moves, undo, redo and restarts:
after every step the model, the catalog and a plain reference model agree."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from reviewer.core.cull.catalog_db import LABELS, Catalog, Marks
from reviewer.core.cull.model import NOT_JUDGED, CullModel

N = 5
THRESHOLD = 50.0
Snapshot = tuple[dict[int, Marks], dict[int, bool]]  # marks by shot, whether it is "here"

subsets = st.sets(st.integers(0, N - 1), min_size=1)


class CullMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="cull-stateful-"))
        self.shoot = self.root / "shoot"
        self.shoot.mkdir()
        self.rejects = self.shoot / "_rejected"
        self.paths = []
        for i in range(N):
            p = self.shoot / f"IMG_{i}.jpg"
            p.write_bytes(os.urandom(100 + i))
            self.paths.append(p)
        self.db = self.root / "catalog.sqlite3"
        self.marks: dict[int, Marks] = {i: Marks() for i in range(N)}
        self.here: dict[int, bool] = {i: True for i in range(N)}
        self.snaps: list[Snapshot] = [self.snapshot()]
        self.pos = 0
        self.scores: dict[int, tuple[float | None, str | None]] = {}
        self.model = self.new_model()

    # ------------------------------------------------------------ helpers

    def new_model(self) -> CullModel:
        model = CullModel(Catalog(self.db), threshold=THRESHOLD)
        model.load([self.paths[i] for i in range(N) if self.here[i]])
        for i, (value, verdict) in self.scores.items():
            if self.here[i]:
                model.set_score(self.paths[i], value, verdict)
        return model

    def location(self, i: int) -> Path:
        return self.paths[i] if self.here[i] else self.rejects / self.paths[i].name

    def snapshot(self) -> Snapshot:
        return dict(self.marks), dict(self.here)

    def commit(self, before: Snapshot) -> None:
        """Mirror the model's stack: a step that changed something is pushed."""
        if self.snapshot() != before:
            del self.snaps[self.pos + 1 :]
            self.snaps.append(self.snapshot())
            self.pos += 1

    def change(self, shots: set[int], **fields: object) -> None:
        before = self.snapshot()
        for i in shots:
            if self.here[i]:
                self.marks[i] = replace(self.marks[i], **fields)  # type: ignore[arg-type]
        self.commit(before)

    def present(self, shots: set[int]) -> list[Path]:
        return [self.paths[i] for i in sorted(shots)]

    # ------------------------------------------------------------ rules

    @initialize(
        scores=st.lists(
            st.tuples(
                st.one_of(st.none(), st.floats(0, 100)),
                st.sampled_from(["sharp", "blurry", "unsure", "error"]),
            ),
            min_size=N,
            max_size=N,
        )
    )
    def score(self, scores: list[tuple[float | None, str]]) -> None:
        for i, (value, verdict) in enumerate(scores):
            v = None if verdict == "error" else value
            self.scores[i] = (v, verdict if v is not None or verdict == "error" else None)
            self.model.set_score(self.paths[i], *self.scores[i])

    @rule(shots=subsets, decision=st.sampled_from(["keep", "reject", None]))
    def mark(self, shots: set[int], decision: str | None) -> None:
        self.model.mark(self.present(shots), decision)  # type: ignore[arg-type]
        self.change(shots, decision=decision)

    @rule(shots=subsets, rating=st.integers(0, 5))
    def rate(self, shots: set[int], rating: int) -> None:
        self.model.rate(self.present(shots), rating)
        self.change(shots, rating=rating)

    @rule(shots=subsets, label=st.sampled_from([*LABELS, None]))
    def label(self, shots: set[int], label: str | None) -> None:
        self.model.label(self.present(shots), label)  # type: ignore[arg-type]
        self.change(shots, label=label)

    @rule(threshold=st.floats(0, 100))
    def reject_below(self, threshold: float) -> None:
        self.model.reject_below(threshold)
        targets = set()
        for i, (value, verdict) in self.scores.items():
            if (
                self.here[i]
                and value is not None
                and verdict not in NOT_JUDGED
                and value < threshold
                and self.marks[i].decision is None
            ):
                targets.add(i)
        self.change(targets, decision="reject")

    @rule(everything=st.booleans())
    def clear(self, everything: bool) -> None:
        self.model.clear_marks(everything)
        before = self.snapshot()
        for i in range(N):
            if self.here[i]:
                self.marks[i] = Marks() if everything else replace(self.marks[i], decision=None)
        self.commit(before)

    @precondition(
        lambda self: any(self.here[i] and self.marks[i].decision == "reject" for i in range(N))
    )
    @rule()
    def move_rejected(self) -> None:
        chosen = [i for i in range(N) if self.here[i] and self.marks[i].decision == "reject"]
        rejects = self.rejects

        def do() -> list[tuple[Path, Path]]:
            rejects.mkdir(exist_ok=True)
            out = []
            for i in chosen:
                src, dst = self.paths[i], rejects / self.paths[i].name
                os.rename(src, dst)
                out.append((src, dst))
            return out

        def undo() -> list[tuple[Path, Path]]:
            out = []
            for i in reversed(chosen):
                src, dst = rejects / self.paths[i].name, self.paths[i]
                os.rename(src, dst)
                out.append((src, dst))
            return out

        self.model.move("Move rejected", do, undo)
        before = self.snapshot()
        for i in chosen:
            self.here[i] = False
        self.commit(before)

    @rule()
    def undo(self) -> None:
        self.model.undo()
        if self.pos > 0:
            self.pos -= 1
            self.marks, self.here = (dict(d) for d in self.snaps[self.pos])  # type: ignore[assignment]

    @rule()
    def redo(self) -> None:
        self.model.redo()
        if self.pos < len(self.snaps) - 1:
            self.pos += 1
            self.marks, self.here = (dict(d) for d in self.snaps[self.pos])  # type: ignore[assignment]

    @rule()
    def restart(self) -> None:
        assert self.model.catalog is not None
        self.model.catalog.close()
        self.model = self.new_model()
        self.snaps, self.pos = [self.snapshot()], 0

    # ------------------------------------------------------------ what must hold

    @invariant()
    def model_catalog_and_disk_agree(self) -> None:
        expected_paths = [self.paths[i] for i in range(N) if self.here[i]]
        assert self.model.paths() == expected_paths
        for i in range(N):
            assert self.location(i).exists()
            if self.here[i]:
                assert self.model.marks(self.paths[i]) == self.marks[i], i
        assert self.model.catalog is not None
        stored = self.model.catalog.get_marks([self.location(i) for i in range(N)])
        expected = {str(self.location(i)): m for i, m in self.marks.items() if not m.empty}
        assert stored == expected
        assert self.model.history.can_undo == (self.pos > 0)
        assert self.model.history.can_redo == (self.pos < len(self.snaps) - 1)

    def teardown(self) -> None:
        if self.model.catalog is not None:
            self.model.catalog.close()
        shutil.rmtree(self.root, ignore_errors=True)


CullMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCull = CullMachine.TestCase
