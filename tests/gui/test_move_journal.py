"""Issue 15 in the window: a move that partly fails is reported exactly and Undo covers what
moved (defect 1); moves of an earlier run, and a run killed mid-move, are undoable after a
restart (defect 2). The trash and the journal live in the test's temp XDG_DATA_HOME."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reviewer.core.cull import faults
from reviewer.core.cull.journal import MoveJournal
from reviewer.core.cull.moves import FileGroup, home_trash_dir, move_to_trash
from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings
from tests.gui.conftest import MakeFolder

SCORE_TIMEOUT = 60_000


def open_scored(qtbot: QtBot, w: MainWindow, folder: Path) -> None:
    with qtbot.waitSignal(w.scoringFinished, timeout=SCORE_TIMEOUT):
        w.open_folder(folder)


def test_a_partly_failed_move_is_reported_exactly_and_undo_covers_what_moved(
    qtbot: QtBot,
    window: MainWindow,
    photo_folder: MakeFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = photo_folder(4)
    (folder / "IMG_0001.xmp").write_text("<x:xmpmeta/>")  # a sidecar that will not move
    open_scored(qtbot, window, folder)
    window.model.set_decision(window.model.records, "reject")
    monkeypatch.setattr(window, "confirm", lambda *a: True)

    def disk_full_for_the_sidecar(op: str, path: Path, other: Path | None) -> None:
        if op == "rename" and path.name == "IMG_0001.xmp":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    with (
        faults.installed(disk_full_for_the_sidecar),
        qtbot.waitSignal(window.movesFinished, timeout=30_000) as moved,
    ):
        window.move_rejected_to_trash()
    batch = moved.args[0]
    assert {m.src.name for m in batch.moves} == {"IMG_0000.jpg", "IMG_0002.jpg", "IMG_0003.jpg"}
    assert {f.path.name for f in batch.failures} == {"IMG_0001.jpg", "IMG_0001.xmp"}
    assert (folder / "IMG_0001.jpg").exists() and (folder / "IMG_0001.xmp").exists()
    assert [r.path.name for r in window.model.records] == ["IMG_0001.jpg"]  # still shown
    assert "3 shots (3 files)" in window.statusBar().currentMessage()
    assert "1 shots (2 files) not moved" in window.statusBar().currentMessage()
    report = window.last_report
    assert "2 files stayed where they are" in report.text()
    assert "IMG_0001.xmp: the disk is full" in report.detailedText()
    report.close()
    assert window.undo_action.isEnabled()
    with qtbot.waitSignal(window.undoFinished, timeout=30_000) as undone:
        window.undo_action.trigger()
    assert undone.args[0].failures == []
    assert sorted(p.name for p in folder.iterdir()) == [
        "IMG_0000.jpg",
        "IMG_0001.jpg",
        "IMG_0001.xmp",
        "IMG_0002.jpg",
        "IMG_0003.jpg",
    ]
    assert window.model.rowCount() == 4


def test_undo_after_a_restart_and_after_a_kill_mid_move(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(4)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (folder / "IMG_0003.xmp").write_text("<x:xmpmeta/>")
    before["IMG_0003.xmp"] = b"<x:xmpmeta/>"
    journal = MoveJournal()  # the default journal, in the temp XDG_DATA_HOME
    # an earlier run moved two shots, then a third run was killed in the middle of a shot
    move_to_trash([FileGroup("IMG_0000", (folder / "IMG_0000.jpg",))], journal, root=folder)
    move_to_trash([FileGroup("IMG_0001", (folder / "IMG_0001.jpg",))], journal, root=folder)

    class Killed(BaseException):
        pass

    def kill(op: str, path: Path, other: Path | None) -> None:
        if op == "rename" and path.name == "IMG_0003.xmp":
            raise Killed

    shot = FileGroup("IMG_0003", (folder / "IMG_0003.jpg", folder / "IMG_0003.xmp"))
    with faults.installed(kill), pytest.raises(Killed):
        move_to_trash([shot], journal, root=folder)
    assert not (folder / "IMG_0003.jpg").exists()  # the shot was split by the kill

    w = MainWindow(settings, jobs=1)  # the restart
    qtbot.addWidget(w)
    assert (folder / "IMG_0003.jpg").exists()  # reconciled: the shot is whole again
    assert len(list((home_trash_dir() / "info").iterdir())) == 2  # no orphan .trashinfo
    assert w.undo_action.isEnabled()
    open_scored(qtbot, w, folder)
    assert w.model.rowCount() == 2
    for _ in range(2):
        with qtbot.waitSignal(w.undoFinished, timeout=30_000) as undone:
            w.undo_action.trigger()
        assert undone.args[0].failures == []
    qtbot.waitUntil(lambda: w.model.rowCount() == 4, timeout=SCORE_TIMEOUT)
    assert not w.undo_action.isEnabled()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    w.close()


def test_no_trash_on_that_drive_offers_the_rejects_folder(
    qtbot: QtBot,
    window: MainWindow,
    photo_folder: MakeFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = photo_folder(2)
    open_scored(qtbot, window, folder)
    window.model.set_decision(window.model.records, "reject")
    monkeypatch.setattr(window, "confirm", lambda *a: True)

    def read_only(op: str, path: Path, other: Path | None) -> None:
        if op == "info-create":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    with faults.installed(read_only), qtbot.waitSignal(window.movesFinished, timeout=30_000):
        window.move_rejected_to_trash()
    assert sorted(p.name for p in folder.iterdir()) == ["IMG_0000.jpg", "IMG_0001.jpg"]
    assert "“Move rejected to folder…” works" in window.last_report.text()
    assert "Nothing was deleted" in window.last_report.detailedText()
    # nothing moved, so Undo offers no move (the marks are on the one undo stack too)
    assert "Move" not in window.undo_action.text()
    assert [e for e in window.cull.moves if e.files] == []
    window.last_report.close()


def test_a_photo_whose_name_is_not_utf8_moves_and_comes_back(
    qtbot: QtBot,
    window: MainWindow,
    photo_folder: MakeFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = photo_folder(2)
    bad = folder / os.fsdecode(b"bad\xff.jpg")
    os.rename(folder / "IMG_0001.jpg", bad)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    open_scored(qtbot, window, folder)
    window.model.set_decision(window.model.records, "reject")
    asked: list[str] = []
    monkeypatch.setattr(window, "confirm", lambda title, text, details: asked.append(details) or 1)
    with qtbot.waitSignal(window.movesFinished, timeout=30_000) as moved:
        window.move_rejected_to_trash()
    assert "bad\\xff.jpg" in asked[0]
    assert moved.args[0].failures == [] and len(moved.args[0].moves) == 2
    assert list(folder.iterdir()) == []
    with qtbot.waitSignal(window.undoFinished, timeout=30_000) as undone:
        window.undo_action.trigger()
    assert undone.args[0].failures == []
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
