"""The window fits the screen it opens on, and comes back where and as large as it was."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSettings, QSize
from pytestqt.qtbot import QtBot

from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings
from reviewer.gui.window_state import fitted_geometry


def _settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def test_fitted_geometry() -> None:
    screen = QRect(0, 0, 1280, 680)  # 1080p at 1.5x, less a panel
    fitted = fitted_geometry(QRect(100, 100, 1280, 860), screen, QSize(10, 40))
    assert fitted.width() <= 1270 and fitted.height() <= 640
    assert screen.contains(fitted.adjusted(0, 0, 10, 40))
    small = fitted_geometry(QRect(2000, 900, 400, 300), screen, QSize(0, 0))
    assert screen.contains(small) and small.size() == QSize(400, 300)


def test_a_new_window_fits_the_screen(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow(_settings(tmp_path), jobs=1)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    available = window.screen().availableGeometry()
    assert window.minimumSizeHint().width() <= 1280 * 0.9
    assert window.minimumSizeHint().height() <= 680
    assert available.contains(window.frameGeometry())
    # every part of the window is on the screen: the threshold panel too
    panel = window.reject_below_button
    top_left = panel.mapToGlobal(panel.rect().topLeft())
    assert available.contains(QRect(top_left, panel.size()))


def test_size_place_and_splitter_are_restored(qtbot: QtBot, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = MainWindow(settings, jobs=1)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.setGeometry(QRect(30, 40, 760, 600))
    sizes = first.splitter.sizes()
    first.splitter.setSizes([sizes[0] - 80, sizes[1] + 80])
    qtbot.waitUntil(lambda: first.splitter.sizes()[1] == sizes[1] + 80)
    wanted = first.splitter.sizes()
    first.close()
    assert settings.window_geometry()
    second = MainWindow(_settings(tmp_path), jobs=1)  # read back from the file, as a new run
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.size() == QSize(760, 600)
    assert second.splitter.sizes() == wanted


def test_a_geometry_larger_than_the_screen_is_fitted(qtbot: QtBot, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = MainWindow(settings, jobs=1)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    available = first.screen().availableGeometry()
    first.setGeometry(QRect(0, 0, available.width() + 600, available.height() + 400))
    first.close()
    second = MainWindow(settings, jobs=1)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.width() <= available.width() and second.height() <= available.height()
