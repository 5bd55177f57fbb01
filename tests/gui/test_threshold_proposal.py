"""Scoring ▸ Propose Threshold From My Marks: from hand marks to the shoot's threshold."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from reviewer.gui.main_window import MainWindow
from reviewer.gui.threshold_proposal import proposal_for

from .conftest import MakeFolder

SCORE_TIMEOUT = 180_000


def test_marks_give_a_threshold_that_can_be_applied(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = photo_folder(12, blurry_every=2)
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.open_folder(folder)
    records = sorted(
        (r for r in window.model.records if r.score is not None), key=lambda r: r.score.value
    )
    assert isinstance(proposal_for(records), str)  # no marks yet: it says what is missing
    half = len(records) // 2
    window.model.set_decision(records[:half], "reject")
    window.model.set_decision(records[half:], "keep")
    outcome = proposal_for(window.model.records)
    assert not isinstance(outcome, str)
    assert outcome.rejects_caught == outcome.rejects == half and outcome.keeps_lost == 0
    assert records[half - 1].score.value < outcome.threshold <= records[half].score.value

    # the dialog is modal: press its Apply button as the user would
    def press_apply(box: QMessageBox) -> int:
        apply = next(b for b in box.buttons() if b.text() == "Apply")
        apply.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press_apply)
    window.propose_threshold()
    assert window.model.threshold == pytest.approx(outcome.threshold, abs=0.05)
