"""The full-screen loupe: Enter/F open it, arrows are instant (neighbours decoded ahead, never on
the GUI thread), Z or a click is 100 % about the pointer, P/X/U decide, Esc closes."""

from __future__ import annotations

import threading

import cv2
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.gui.help import shortcut_rows
from reviewer.gui.loupe import Loupe
from reviewer.gui.main_window import MainWindow

from .conftest import MakeFolder


def _open_scored(qtbot: QtBot, window: MainWindow, folder: object) -> None:
    with qtbot.waitSignal(window.scoringFinished, timeout=120_000):
        window.open_folder(folder)  # type: ignore[arg-type]
    window.set_sort_key("name", by_user=True)
    window.select_record(window.model.records[0])
    window.view.setFocus()


def _loupe(window: MainWindow) -> Loupe:
    assert window.loupe is not None
    return window.loupe


def test_enter_opens_the_loupe_and_arrows_are_instant(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = photo_folder(5, size=(400, 300))
    _open_scored(qtbot, window, folder)
    gui_thread = threading.get_ident()
    decoded_on_gui: list[str] = []
    for name in ("imread", "imdecode"):
        real = getattr(cv2, name)

        def watched(*a: object, _real: object = real, _name: str = name) -> object:
            if threading.get_ident() == gui_thread:
                decoded_on_gui.append(_name)
            return _real(*a)  # type: ignore[operator]

        monkeypatch.setattr(cv2, name, watched)
    records = window.model.records
    with qtbot.waitSignal(window.view.loupeRequested, timeout=5_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Return)
    loupe = _loupe(window)
    qtbot.waitUntil(lambda: loupe.shown_path == records[0].path, timeout=30_000)
    assert loupe.isVisible() and loupe.isFullScreen()
    assert window.detail is None  # Enter is the loupe now; Space stays the detail view
    assert "IMG_0000.jpg" in loupe.caption.text() and "1 of 5" in loupe.caption.text()
    # the neighbours are decoded ahead, so the next photo is on screen as the key is handled
    qtbot.waitUntil(lambda: loupe.images.get(records[1].path) is not None, timeout=30_000)
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Right)
    assert loupe.shown_path == records[1].path
    assert window.current_record() is records[1]  # the grid follows
    qtbot.waitUntil(lambda: loupe.images.get(records[2].path) is not None, timeout=30_000)
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Right)
    assert loupe.shown_path == records[2].path
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Left)
    assert loupe.shown_path == records[1].path
    assert decoded_on_gui == []
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Escape)
    assert not loupe.isVisible()
    assert window.current_record() is records[1]
    # back on the grid, whose keys work at once
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert window.view.hasFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_X)
    assert records[1].decision == "reject"


def test_f_opens_the_loupe_and_decisions_go_through_the_window(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(4)
    _open_scored(qtbot, window, folder)
    records = window.model.records
    # a multiple selection narrows to the current photo: X rejects the photo on screen only
    window.view.selectAll()
    window.view.setCurrentIndex(window.proxy.index(1, 0))
    window.loupe_action.trigger()
    loupe = _loupe(window)
    qtbot.waitUntil(lambda: loupe.shown_path == records[1].path, timeout=30_000)
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_X)
    assert records[1].decision == "reject"
    assert [r.decision for r in records] == [None, "reject", None, None]
    assert window.current_record() is records[2]  # moved on, as on the grid
    assert loupe.record is records[2]
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_P)
    assert records[2].decision == "keep"
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Left)
    assert loupe.record is records[2]
    assert "KEPT" in loupe.caption.text()
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_U)
    assert records[2].decision is None
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_F)
    assert not loupe.isVisible()


def test_click_is_100_percent_with_the_clicked_point_kept_under_the_pointer(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    # larger than the screen-sized picture, so 100 % loads the file's own pixels
    folder = photo_folder(2, size=(3000, 2000), blurry_every=0)
    _open_scored(qtbot, window, folder)
    records = window.model.records
    window.open_loupe()
    loupe = _loupe(window)
    qtbot.waitUntil(lambda: loupe.shown_path == records[0].path, timeout=30_000)
    canvas = loupe.canvas
    assert canvas.fit and canvas.sceneRect().width() == 3000
    item = loupe.images.get(records[0].path)
    assert item is not None and item.image is not None and item.image.width() < 3000
    vp = canvas.viewport().rect()
    at = QPoint(vp.width() // 3, vp.height() * 2 // 3)
    before = canvas.mapToScene(at)
    with qtbot.waitSignal(loupe.fullResolutionShown, timeout=60_000):
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert not canvas.fit
    assert canvas.transform().m11() == pytest.approx(canvas.one_to_one())
    after = canvas.mapToScene(at)
    assert abs(after.x() - before.x()) <= 1.5 and abs(after.y() - before.y()) <= 1.5
    assert canvas.showing_full_resolution
    # Z goes back to fit, and again to 100 %, about the mouse pointer
    qtbot.keyClick(canvas, Qt.Key.Key_Z)
    assert canvas.fit
    pointer = QPoint(vp.width() * 3 // 4, vp.height() // 4)
    QCursor.setPos(canvas.viewport().mapToGlobal(pointer))
    qtbot.waitUntil(lambda: canvas.cursor_position() == pointer)
    before = canvas.mapToScene(pointer)
    qtbot.keyClick(canvas, Qt.Key.Key_Z)
    assert not canvas.fit
    after = canvas.mapToScene(pointer)
    assert abs(after.x() - before.x()) <= 1.5 and abs(after.y() - before.y()) <= 1.5
    # zoomed in, the next photo shows the same spot
    qtbot.waitUntil(lambda: loupe.images.get(records[1].path) is not None, timeout=30_000)
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert loupe.shown_path == records[1].path and not canvas.fit
    moved = canvas.mapToScene(canvas.viewport().rect().center())
    assert abs(moved.x() - centre.x()) <= 1.5 and abs(moved.y() - centre.y()) <= 1.5
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)


def test_the_loupe_closes_when_no_photo_is_left_to_show(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(2)
    _open_scored(qtbot, window, folder)
    records = window.model.records
    window.model.set_decision([records[0]], "reject")
    window.set_filter_mode("rejected")
    window.select_record(records[0])
    window.open_loupe()
    loupe = _loupe(window)
    qtbot.waitUntil(lambda: loupe.shown_path == records[0].path, timeout=30_000)
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_U)  # no longer rejected: it leaves the filter
    assert records[0].decision is None
    qtbot.waitUntil(lambda: not loupe.isVisible())


def test_loupe_keys_are_on_the_shortcut_sheet(window: MainWindow) -> None:
    rows = dict(shortcut_rows(window.all_actions()))
    assert rows["Loupe"] == "F, Return, Enter"
    assert rows["Why This Score"] == "Space"
    view_menu = next(m.menu() for m in window.menuBar().actions() if m.text() == "&View")
    assert window.loupe_action in view_menu.actions()


def test_the_shortcut_sheet_lists_the_loupe_and_compare_keys(
    qtbot: QtBot, window: MainWindow
) -> None:
    from reviewer.gui.compare import CompareView

    window.show_shortcuts()
    listed = dict(window.shortcut_sheet.listed())
    loupe, compare = Loupe(window, window), CompareView(window, window)
    for view, actions in (("Loupe", loupe.key_actions), ("Compare", compare.key_actions)):
        for action in actions:
            keys = listed[f"{view}: {action.text()}"]
            for k in action.shortcuts():
                assert k.toString() in keys, (view, action.text())
    assert listed["Loupe: Next photo"] == "Right, Down, PgDown"
    window.shortcut_sheet.close()


def test_a_photo_that_cannot_be_decoded_is_said_so_not_a_crash(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(2)
    (folder / "IMG_0001.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    _open_scored(qtbot, window, folder)
    records = window.model.records
    window.open_loupe()
    loupe = _loupe(window)
    qtbot.waitUntil(lambda: loupe.shown_path == records[0].path, timeout=30_000)
    qtbot.waitUntil(lambda: loupe.images.get(records[1].path) is not None, timeout=30_000)
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Right)
    assert loupe.record is records[1]
    assert loupe.shown_path is None
    assert "cannot be shown" in loupe.caption.text()
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_X)  # still decided like any other
    assert records[1].decision == "reject"
    assert "cannot be shown" in loupe.caption.text() and "REJECTED" in loupe.caption.text()
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Escape)


def test_stars_and_labels_in_the_loupe_go_through_the_window(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    _open_scored(qtbot, window, photo_folder(3))
    records = window.model.records
    window.view.setCurrentIndex(window.proxy.index(0, 0))
    window.loupe_action.trigger()
    loupe = _loupe(window)
    qtbot.waitUntil(lambda: loupe.shown_path == records[0].path, timeout=30_000)
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_4)
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_8)
    rec = next(r for r in window.model.records if r.path == loupe.shown_path)
    assert (rec.rating, rec.label) == (4, "green")
    assert window.undo_action.text() == "&Undo Label green (1 photo)"
    qtbot.keyClick(loupe.canvas, Qt.Key.Key_Escape)
