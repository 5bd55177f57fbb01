"""Compare: C shows 2-4 selected frames side by side, zoomed and panned together; the active
pane (click or Tab) is the one P/X/U decide for."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.gui.compare import CompareView, grid_shape
from reviewer.gui.main_window import MainWindow

from .conftest import MakeFolder


def _select_rows(window: MainWindow, rows: list[int]) -> None:
    selection = QItemSelection()
    for row in rows:
        idx = window.proxy.index(row, 0)
        selection.select(idx, idx)
    sm = window.view.selectionModel()
    sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    sm.setCurrentIndex(window.proxy.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)


def _open(qtbot: QtBot, window: MainWindow, folder: object) -> None:
    with qtbot.waitSignal(window.scoringFinished, timeout=120_000):
        window.open_folder(folder)  # type: ignore[arg-type]
    window.set_sort_key("name", by_user=True)
    window.view.setFocus()


def _compare(window: MainWindow) -> CompareView:
    assert window.compare is not None
    return window.compare


def test_grid_shape() -> None:
    assert grid_shape(2) == (1, 2)
    assert grid_shape(3) == (1, 3)
    assert grid_shape(4) == (2, 2)


def test_c_compares_the_selected_frames_in_step(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(5, size=(1200, 900))
    _open(qtbot, window, folder)
    records = window.model.records
    _select_rows(window, [3, 1, 2])
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    compare = _compare(window)
    qtbot.waitUntil(lambda: all(p.loaded for p in compare.panes), timeout=60_000)
    assert compare.isVisible()
    assert compare.records == [records[1], records[2], records[3]]  # in grid order
    for pane in compare.panes:
        assert pane.zoom.sceneRect().width() == 1200
        assert not pane.zoom.image_item.pixmap().isNull()
    group = compare.group
    assert group is not None and group.fit
    # zoom and pan together
    group.zoom_by(3.0)
    bar = compare.panes[1].zoom.horizontalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 3)
    centres = group.visible_centres()
    xs, ys = [c[0] for c in centres], [c[1] for c in centres]
    assert max(xs) - min(xs) <= 1.0 and max(ys) - min(ys) <= 1.0
    assert all(p.zoom.transform().m11() == group.zoom for p in compare.panes)
    # Z: back to fit, and 100 % for every pane
    qtbot.keyClick(compare, Qt.Key.Key_Z)
    assert group.fit
    qtbot.keyClick(compare, Qt.Key.Key_Z)
    assert not group.fit
    assert all(p.zoom.transform().m11() == 1.0 for p in compare.panes)
    qtbot.keyClick(compare, Qt.Key.Key_Escape)
    assert not compare.isVisible()
    assert compare.panes == []  # the pictures went with the window
    # back on the grid, whose keys work at once: again, with two others
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    _select_rows(window, [0, 4])
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: len(compare.panes) == 2 and all(p.loaded for p in compare.panes))
    assert compare.records == [records[0], records[4]] and compare.group is not None
    assert compare.group.fit
    compare.close()


def test_decisions_go_to_the_active_pane(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(4)
    _open(qtbot, window, folder)
    records = window.model.records
    _select_rows(window, [0, 1, 2, 3])
    window.compare_action.trigger()
    compare = _compare(window)
    qtbot.waitUntil(lambda: all(p.loaded for p in compare.panes), timeout=60_000)
    assert compare.active == 0 and compare.panes[0].active
    qtbot.keyClick(compare, Qt.Key.Key_X)
    assert records[0].decision == "reject"
    assert "REJECTED" in compare.panes[0].caption.text()
    qtbot.keyClick(compare, Qt.Key.Key_Tab)
    assert compare.active_record is records[1]
    qtbot.keyClick(compare, Qt.Key.Key_P)
    assert records[1].decision == "keep"
    # a click makes a pane active
    pane = compare.panes[3].zoom
    qtbot.mouseClick(pane.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert compare.active_record is records[3]
    qtbot.keyClick(compare, Qt.Key.Key_X)
    qtbot.keyClick(compare, Qt.Key.Key_Left)
    assert compare.active_record is records[2]
    qtbot.keyClick(compare, Qt.Key.Key_U)  # nothing to clear: stays undecided
    assert [r.decision for r in records] == ["reject", "keep", None, "reject"]
    assert window.model.counts().rejected == 2
    qtbot.keyClick(compare, Qt.Key.Key_C)
    assert not compare.isVisible()


def test_compare_needs_two_to_four_photos(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(6)
    _open(qtbot, window, folder)
    _select_rows(window, [0])
    window.open_compare()
    assert window.compare is None
    assert "Select 2 to 4 photos" in window.statusBar().currentMessage()
    _select_rows(window, [0, 1, 2, 3, 4])
    window.open_compare()
    assert window.compare is None


def test_a_frame_that_cannot_be_decoded_is_said_so(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(3)
    (folder / "IMG_0002.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    _open(qtbot, window, folder)
    _select_rows(window, [0, 2])
    window.open_compare()
    compare = _compare(window)
    qtbot.waitUntil(lambda: all(p.loaded for p in compare.panes), timeout=60_000)
    assert "cannot be shown" in compare.panes[1].caption.text()
    qtbot.keyClick(compare, Qt.Key.Key_Tab)
    qtbot.keyClick(compare, Qt.Key.Key_X)
    assert "cannot be shown" in compare.panes[1].caption.text()
    assert "REJECTED" in compare.panes[1].caption.text()
    compare.close()


def test_stars_and_labels_go_to_the_active_pane(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    _open(qtbot, window, photo_folder(3))
    records = window.model.records
    _select_rows(window, [0, 1])
    window.compare_action.trigger()
    compare = _compare(window)
    qtbot.waitUntil(lambda: all(p.loaded for p in compare.panes), timeout=60_000)
    qtbot.keyClick(compare, Qt.Key.Key_Tab)
    qtbot.keyClick(compare, Qt.Key.Key_5)
    qtbot.keyClick(compare, Qt.Key.Key_7)
    assert (records[1].rating, records[1].label) == (5, "yellow")
    assert (records[0].rating, records[0].label) == (0, None)  # the other pane's photo
    window.undo_action.trigger()
    assert records[1].label is None and records[1].rating == 5
    qtbot.keyClick(compare, Qt.Key.Key_C)
