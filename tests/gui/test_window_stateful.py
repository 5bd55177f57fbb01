"""Random sequences of window actions (P/X/U, stars, labels, Clear All Marks, undo, redo,
Write to Sidecars) and restarts of the window (which read the sidecars back): after every step
the grid, the cull model and the catalog agree with a plain reference model, and after each
write every sidecar says the same."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from reviewer.core.cull.catalog_db import NO_MARKS, Marks
from reviewer.core.cull.sidecars import read_recorded
from reviewer.core.cull.xmp import XmpMarks
from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings
from reviewer.gui.sidecar_sync import to_xmp

from .conftest import make_photo_folder

N = 4
LABEL_KEYS = ("red", "yellow", "green", "blue")
Snapshot = tuple[Marks, ...]


def test_window_marks_undo_redo_and_restarts_agree_with_the_catalog(qtbot: QtBot) -> None:
    template = Path(tempfile.mkdtemp(prefix="window-stateful-photos-"))
    make_photo_folder(template / "shoot", N, size=(64, 48))
    old_env = os.environ.get("REVIEWER_DATA_DIR")

    class WindowMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.root = Path(tempfile.mkdtemp(prefix="window-stateful-"))
            os.environ["REVIEWER_DATA_DIR"] = str(self.root / "data")
            self.folder = self.root / "shoot"
            shutil.copytree(template / "shoot", self.folder)
            self.settings = AppSettings(
                QSettings(str(self.root / "s.ini"), QSettings.Format.IniFormat)
            )
            self.history: list[Snapshot] = [tuple(NO_MARKS for _ in range(N))]
            self.pos = 0
            self.w = self._open()

        def _open(self) -> MainWindow:
            w = MainWindow(self.settings, jobs=1)
            with qtbot.waitSignal(w.sidecarsRead, timeout=30_000):
                w.open_folder(self.folder)
            w.cancel_scoring()  # marks need no scores
            return w

        @property
        def expected(self) -> Snapshot:
            return self.history[self.pos]

        def _did(self, new: Snapshot) -> None:
            if new != self.expected:
                self.history = self.history[: self.pos + 1] + [new]
                self.pos += 1

        def _changed(self, i: int, marks: Marks) -> Snapshot:
            return tuple(marks if j == i else m for j, m in enumerate(self.expected))

        def _select(self, i: int) -> None:
            self.w.select_record(self.w.model.records[i])

        @rule(i=st.integers(0, N - 1), decision=st.sampled_from(["keep", "reject", None]))
        def decide(self, i: int, decision: str | None) -> None:
            self._select(i)
            self.w.decide(decision)  # type: ignore[arg-type]
            m = self.expected[i]
            self._did(self._changed(i, Marks(decision, m.rating, m.label)))  # type: ignore[arg-type]

        @rule(i=st.integers(0, N - 1), stars=st.integers(0, 5))
        def rate(self, i: int, stars: int) -> None:
            self._select(i)
            self.w.rate(stars)
            m = self.expected[i]
            self._did(self._changed(i, Marks(m.decision, stars, m.label)))

        @rule(i=st.integers(0, N - 1), label=st.sampled_from(LABEL_KEYS))
        def label(self, i: int, label: str) -> None:
            self._select(i)
            self.w.set_label(label)  # type: ignore[arg-type]
            m = self.expected[i]
            new = None if m.label == label else label
            self._did(self._changed(i, Marks(m.decision, m.rating, new)))  # type: ignore[arg-type]

        @rule()
        def clear_all(self) -> None:
            self.w.clear_all_marks()
            self._did(tuple(Marks(None, m.rating, m.label) for m in self.expected))

        @rule()
        def undo(self) -> None:
            self.w.undo()
            self.pos = max(0, self.pos - 1)

        @rule()
        def redo(self) -> None:
            self.w.redo()
            self.pos = min(len(self.history) - 1, self.pos + 1)

        @rule()
        def write_sidecars(self) -> None:
            """Photo ▸ Write to Sidecars: every sidecar then says what the window shows."""
            self._select(0)
            with qtbot.waitSignal(self.w.sidecarsWritten, timeout=30_000) as done:
                self.w.write_sidecars()
            assert not done.args[0].failures
            records = sorted(self.w.model.records, key=lambda r: r.path.name)
            for rec, marks in zip(records, self.expected, strict=True):
                recorded = read_recorded(rec.shot)
                said = None if recorded is None else recorded.marks
                assert said == (to_xmp(marks) or (XmpMarks() if recorded else None))

        @rule()
        def restart(self) -> None:
            self.w.close()
            self.w.deleteLater()
            self.history, self.pos = [self.expected], 0  # marks' undo ends with the session
            self.w = self._open()

        @invariant()
        def window_model_and_catalog_agree(self) -> None:
            records = sorted(self.w.model.records, key=lambda r: r.path.name)
            shown = tuple(Marks(r.decision, r.rating, r.label) for r in records)  # type: ignore[arg-type]
            assert shown == self.expected
            cull = self.w.cull.cull
            assert tuple(cull.marks(r.path) for r in records) == self.expected
            assert self.w.catalog is not None
            saved = self.w.catalog.get_marks([r.path for r in records])
            assert tuple(saved.get(str(r.path), NO_MARKS) for r in records) == self.expected
            assert self.w.undo_action.isEnabled() == (self.pos > 0)
            assert self.w.redo_action.isEnabled() == (self.pos < len(self.history) - 1)

        def teardown(self) -> None:
            self.w.close()
            self.w.deleteLater()
            shutil.rmtree(self.root, ignore_errors=True)

    try:
        run_state_machine_as_test(
            WindowMachine,
            settings=settings(
                max_examples=15,
                stateful_step_count=15,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        shutil.rmtree(template, ignore_errors=True)
        if old_env is None:
            os.environ.pop("REVIEWER_DATA_DIR", None)
        else:
            os.environ["REVIEWER_DATA_DIR"] = old_env
