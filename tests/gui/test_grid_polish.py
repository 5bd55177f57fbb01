"""The grid: reverse sort, the current photo kept in view when the order or the filter changes,
labels never clipped, badges alike on portrait and landscape, a tooltip on every control."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QComboBox, QSlider
from pytestqt.qtbot import QtBot

from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings

from .conftest import MakeFolder


def _names(window: MainWindow) -> list[str]:
    return [window.proxy.index(r, 0).data().split(" ")[0] for r in range(window.proxy.rowCount())]


def _current_in_view(window: MainWindow) -> bool:
    rect = window.view.visualRect(window.view.currentIndex())
    return rect.isValid() and window.view.viewport().rect().contains(rect.center())


def _listed(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    with qtbot.waitSignal(window.folderLoaded, timeout=30_000):
        window.open_folder(folder)
    window.cancel_scoring()
    qtbot.waitUntil(lambda: not window.scoring_active, timeout=30_000)


def test_reverse_sort_is_a_toggle_and_remembered(
    qtbot: QtBot, window: MainWindow, settings: AppSettings, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(5, size=(96, 72))
    _listed(qtbot, window, folder)
    assert _names(window)[0] == "IMG_0000.jpg"
    assert window.reverse_sort_button.defaultAction() is window.reverse_sort_action
    window.reverse_sort_button.click()
    assert window.reverse_sort_action.isChecked()
    assert _names(window) == [f"IMG_{i:04d}.jpg" for i in range(4, -1, -1)]
    assert settings.sort_reversed()
    window.reverse_sort_action.trigger()
    assert _names(window)[0] == "IMG_0000.jpg"
    assert not settings.sort_reversed()
    window.reverse_sort_action.trigger()
    # a new window starts reversed
    other = MainWindow(settings, jobs=1)
    qtbot.addWidget(other)
    assert other.reverse_sort_action.isChecked()
    assert other.model.descending


def test_the_current_photo_stays_in_view_when_the_order_or_filter_changes(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(240, size=(96, 72), blurry_every=0)
    # capture time (the files' dates: no camera clock) runs against the names
    for i in range(240):
        t = 1_700_000_000 - i * 60
        os.utime(folder / f"IMG_{i:04d}.jpg", (t, t))
    _listed(qtbot, window, folder)
    window.set_thumbnail_size(96)
    window.select_record(window.model.records[5])
    qtbot.waitUntil(lambda: _current_in_view(window))
    assert window.view.verticalScrollBar().value() == 0
    window.set_sort_key("time", by_user=True)  # IMG_0005 is now near the end
    qtbot.waitUntil(lambda: _current_in_view(window), timeout=5_000)
    assert window.view.verticalScrollBar().value() > 0
    window.reverse_sort_action.trigger()  # and back near the top
    qtbot.waitUntil(lambda: _current_in_view(window), timeout=5_000)
    # a filter that keeps it: still in view
    window.model.set_decision([window.model.records[5], window.model.records[200]], "keep")
    window.select_record(window.model.records[5])
    window.set_filter_mode("kept")
    qtbot.waitUntil(lambda: _current_in_view(window), timeout=5_000)
    window.set_filter_mode("all")
    qtbot.waitUntil(lambda: _current_in_view(window), timeout=5_000)


def test_no_jump_when_scoring_ends_and_the_grid_sorts_by_sharpness(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(120, size=(96, 72), blurry_every=2)
    with qtbot.waitSignal(window.folderLoaded, timeout=30_000):
        window.open_folder(folder)
    window.set_thumbnail_size(96)
    window.select_record(window.model.records[117])  # near the end in name order
    with qtbot.waitSignal(window.scoringFinished, timeout=120_000):
        pass
    assert window.model.sort_key == "sharpness"
    qtbot.waitUntil(lambda: _current_in_view(window), timeout=5_000)


def test_labels_of_the_last_row_fit_in_the_grid(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(7, size=(96, 72))
    _listed(qtbot, window, folder)
    for size in (96, 200, 320):
        window.set_thumbnail_size(size)
        bar = window.view.verticalScrollBar()
        bar.setValue(bar.maximum())
        last = window.proxy.index(window.proxy.rowCount() - 1, 0)
        rect = window.view.visualRect(last)
        label = window.delegate.label_rect(rect, window.view.font())
        assert rect.contains(label), (size, rect, label)
        assert window.view.viewport().rect().contains(label), (size, label)


def test_every_control_has_a_tooltip(window: MainWindow) -> None:
    controls = [
        w
        for kind in (QAbstractButton, QComboBox, QSlider)
        for w in window.findChildren(kind)
        if w.isVisibleTo(window)
    ]
    assert len(controls) >= 8
    missing = [
        f"{type(w).__name__} {w.text() if hasattr(w, 'text') else ''}"
        for w in controls
        if not w.toolTip()
    ]
    assert missing == []


def test_sort_reversed_setting_defaults_off(tmp_path: Path) -> None:
    s = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert not s.sort_reversed()
    s.set_sort_reversed(True)
    assert s.sort_reversed()


def test_a_photo_scrolled_away_from_is_not_followed(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(200, size=(96, 72), blurry_every=0)
    _listed(qtbot, window, folder)
    window.set_thumbnail_size(96)
    window.select_record(window.model.records[0])
    bar = window.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)  # the user scrolls; the current photo is off screen
    assert not _current_in_view(window)
    window.reverse_sort_action.trigger()
    window.reverse_sort_action.trigger()
    qtbot.wait_until(lambda: not window.current_keeper._timer.isActive())
    assert not _current_in_view(window)
