"""The `learned` scorer in the window: in the method menu, rescoring, explained in words."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from reviewer.core.scoring import get_scorer
from reviewer.core.scoring.base import Score
from reviewer.gui.detail_view import explain_score
from reviewer.gui.main_window import MainWindow
from tests.gui.conftest import MakeFolder
from tests.gui.test_main_window import SCORE_TIMEOUT, open_and_score


def test_learned_is_in_the_method_menu_and_rescores(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    open_and_score(qtbot, window, photo_folder(3))
    index = window.method_combo.findData("learned")
    assert index >= 0
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.method_combo.setCurrentIndex(index)
    assert all(r.score is not None and r.score.method == "learned" for r in window.model.records)
    assert window.model.threshold == get_scorer("learned").default_threshold


def test_learned_score_is_explained_in_words() -> None:
    details = {"photo_logit": 1.2, "tiles_scored": 48.0, "sharp_tiles": 9.0}
    text = "\n".join(explain_score(Score("learned", 76.9, 50.0, "ok", "none", details), 50.0))
    assert "learned score 76.9" in text and "so sharp" in text
    assert "48 most detailed tiles" in text and "9 look sharp" in text
