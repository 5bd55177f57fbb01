"""The window's decisions live in the catalog: they survive closing, folder switches, and a
reopened scored folder shows its scores from the cache at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reviewer.gui import main_window as main_window_module
from reviewer.gui.main_window import MainWindow
from reviewer.gui.photo_model import PhotoRecord
from reviewer.gui.settings import AppSettings

from .conftest import MakeFolder

SCORE_TIMEOUT = 60_000


def new_window(qtbot: QtBot, settings: AppSettings) -> MainWindow:
    w = MainWindow(settings, jobs=1)
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def by_name(w: MainWindow) -> dict[str, PhotoRecord]:
    return {r.path.name: r for r in w.model.records}


def open_and_score(qtbot: QtBot, w: MainWindow, folder: Path) -> None:
    with qtbot.waitSignal(w.scoringFinished, timeout=SCORE_TIMEOUT):
        w.open_folder(folder)


def test_marks_survive_closing_the_window(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(4)
    w = new_window(qtbot, settings)
    open_and_score(qtbot, w, folder)
    recs = by_name(w)
    w.cull.decide([recs["IMG_0000.jpg"]], "reject")
    w.cull.decide([recs["IMG_0001.jpg"]], "keep")
    w.cull.rate([recs["IMG_0002.jpg"]], 4)
    w.cull.label([recs["IMG_0003.jpg"]], "green")
    assert recs["IMG_0000.jpg"].decision == "reject"
    w.close()

    again = new_window(qtbot, settings)
    with qtbot.waitSignal(again.folderLoaded, timeout=10_000):
        again.open_folder(folder)
    recs = by_name(again)
    assert recs["IMG_0000.jpg"].decision == "reject"
    assert recs["IMG_0001.jpg"].decision == "keep"
    assert recs["IMG_0002.jpg"].rating == 4
    assert recs["IMG_0003.jpg"].label == "green"
    again.close()


def test_marks_survive_a_folder_switch(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    first, second = photo_folder(3, name="a"), photo_folder(2, name="b")
    open_and_score(qtbot, window, first)
    window.cull.decide([by_name(window)["IMG_0001.jpg"]], "reject")
    open_and_score(qtbot, window, second)
    assert all(r.decision is None for r in window.model.records)
    with qtbot.waitSignal(window.folderLoaded, timeout=10_000):
        window.open_folder(first)
    assert by_name(window)["IMG_0001.jpg"].decision == "reject"
    assert window.model.counts().rejected == 1


def test_reopening_a_scored_folder_shows_every_score_without_decoding(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = photo_folder(6)
    w = new_window(qtbot, settings)
    open_and_score(qtbot, w, folder)
    scores = {r.path.name: r.score.value for r in w.model.records if r.score is not None}
    assert len(scores) == 6
    w.close()  # flushes the score cache

    started: list[object] = []

    class NoScoring:
        def __init__(self, *args: object) -> None:
            started.append(args)
            raise AssertionError("a scored folder must not be scored again")

    monkeypatch.setattr(main_window_module, "ScoringRun", NoScoring)
    again = new_window(qtbot, settings)
    with qtbot.waitSignal(again.folderLoaded, timeout=10_000):
        again.open_folder(folder)
    # every score is there when the grid is filled, from the catalog
    assert {r.path.name: r.score.value for r in again.model.records if r.score} == scores
    assert again.model.counts().scored == 6
    qtbot.waitUntil(lambda: not again._scoring_wanted, timeout=10_000)
    assert started == [] and again.run is None
    again.close()
