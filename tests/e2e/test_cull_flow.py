"""End to end: open a folder of ~20 shots (RAW+JPEG pairs, sidecars), score, drag the threshold,
reject, move to the (temp) trash through the real confirmation dialog, undo, and check every
file is back byte for byte."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from reviewer.core.trash import home_trash_dir
from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints|raise)\(\)"
)


def make_shoot(folder: Path, n: int = 20) -> None:
    src = np.asarray(Image.open(REPO / "resources/demo/coffee.png").convert("RGB"))
    rng = np.random.default_rng(7)
    folder.mkdir()
    for i in range(n):
        # crops big enough to judge (a camera's smallest JPEGs are larger still)
        y, x = int(rng.integers(0, 400 - 320)), int(rng.integers(0, 600 - 480))
        img = np.ascontiguousarray(src[y : y + 320, x : x + 480])
        if i % 4 == 0:
            img = cv2.GaussianBlur(img, (0, 0), 3.0)
        Image.fromarray(img).save(folder / f"DSC_{i:03d}.JPG", "JPEG", quality=92)
        if i % 2 == 0:  # a RAW partner (never decoded: the JPEG is shown and scored)
            (folder / f"DSC_{i:03d}.NEF").write_bytes(os.urandom(3000 + i))
        if i % 4 == 0:
            (folder / f"DSC_{i:03d}.NEF.xmp").write_text(f"<x:xmpmeta>{i}</x:xmpmeta>")
            (folder / f"DSC_{i:03d}.pp3").write_text(f"[Version]\nshot={i}\n")
    (folder / "notes.txt").write_text("not a photo, never touched")


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def accept_next_dialog(seen: list[str]) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, click)


def test_full_culling_flow(qtbot: QtBot, tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    make_shoot(shoot)
    before = tree(shoot)
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings, jobs=2)
    qtbot.addWidget(w)
    w.resize(1100, 750)
    w.show()
    qtbot.waitExposed(w)

    with qtbot.waitSignal(w.scoringFinished, timeout=60_000) as done:
        w.open_folder(shoot)
    assert done.args == [True]
    assert w.model.rowCount() == 20  # pairs are one item each
    pair = next(r for r in w.model.records if r.shot.stem == "DSC_000")
    assert pair.path.name == "DSC_000.JPG" and len(pair.shot.files) == 4
    blurred = {f"DSC_{i:03d}.JPG" for i in range(0, 20, 4)}
    assert {r.path.name for r in w.model.records if r.score and r.score.value < 50} == blurred

    # drag the threshold down to the middle of the gap between blurred and sharp photos
    values = sorted(r.score.value for r in w.model.records if r.score)
    target = (values[4] + values[5]) / 2
    hist = w.histogram
    rect = hist._plot_rect()
    x = rect.left() + (target - 0) / 100 * rect.width()
    qtbot.mouseClick(hist, Qt.MouseButton.LeftButton, pos=QPoint(round(x), 40))
    assert w.below_label.text() == "5 of 20 below"

    # keep one blurred shot by hand, reject the rest below the threshold
    w.select_record(next(r for r in w.model.records if r.path.name == "DSC_004.JPG"))
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_P)
    w.reject_below_button.click()
    rejected = w.model.rejected()
    assert sorted(r.path.name for r in rejected) == sorted(blurred - {"DSC_004.JPG"})
    files = [f for r in rejected for f in r.shot.files]
    size = sum(f.stat().st_size for f in files)

    # move to the trash through the real confirmation dialog
    seen: list[str] = []
    accept_next_dialog(seen)
    with qtbot.waitSignal(w.movesFinished, timeout=30_000) as moved:
        w.trash_button.click()
    assert "4 rejected shots" in seen[0] and f"{len(files)} files" in seen[0]
    batch = moved.args[0]
    assert not batch.failures and len(batch.moves) == len(files) == 16
    assert batch.moved_bytes == size
    assert all(not f.exists() for f in files)
    trash = home_trash_dir()
    assert str(trash).startswith(str(Path(os.environ["HOME"])))
    assert len(list((trash / "files").iterdir())) == 16
    assert len(list((trash / "info").iterdir())) == 16
    assert w.model.rowCount() == 16
    assert (shoot / "notes.txt").exists()

    # undo with Ctrl+Z: everything back, byte for byte, and back in the grid
    w.activateWindow()  # the dialog had the focus; shortcuts go to the active window
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    with qtbot.waitSignal(w.undoFinished, timeout=30_000) as undone:
        qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not undone.args[0].failures
    assert tree(shoot) == before
    assert list((trash / "files").iterdir()) == []
    assert w.model.rowCount() == 20

    # the same to a rejects folder, and undo again
    seen.clear()
    accept_next_dialog(seen)
    with qtbot.waitSignal(w.movesFinished, timeout=30_000):
        w.folder_button.click()
    assert "_rejected" in seen[0]
    assert len(list((shoot / "_rejected").iterdir())) == 16
    with qtbot.waitSignal(w.undoFinished, timeout=30_000):
        w.undo_action.trigger()
    assert tree(shoot) == before
    assert not (shoot / "_rejected").exists()


def test_cancelled_confirmation_moves_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    make_shoot(shoot, 4)
    before = tree(shoot)
    w = MainWindow(
        AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)), jobs=1
    )
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.scoringFinished, timeout=60_000):
        w.open_folder(shoot)
    w.model.set_decision(w.model.records, "reject")

    def cancel() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, cancel)
            return
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, cancel)
    w.trash_button.click()
    assert tree(shoot) == before
    assert w.model.rowCount() == 4
