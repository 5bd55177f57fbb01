"""The first run's tour: shown once, pointing at the slider, the grid (detail view, loupe) and
the reject action; any click or key dismisses it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from reviewer.gui.first_run import FirstRunOverlay, show_first_run
from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings


def test_the_tour_points_at_slider_detail_and_reject(
    qtbot: QtBot, window: MainWindow, settings: AppSettings
) -> None:
    assert not settings.first_run_done()
    overlay = show_first_run(window, settings)
    assert isinstance(overlay, FirstRunOverlay)
    assert overlay.isVisible() and overlay.geometry() == window.rect()
    assert settings.first_run_done()
    targets = {tip.target: overlay.target_rect(tip) for tip in overlay.tips}
    assert set(targets) == {"histogram", "view", "reject_below_button"}
    for name, rect in targets.items():
        widget = getattr(window, name)
        assert rect.topLeft() == widget.mapTo(window, QPoint(0, 0)), name
        box = overlay.box_rect(next(t for t in overlay.tips if t.target == name), rect)
        assert window.rect().contains(box), name
    texts = " ".join(tip.text for tip in overlay.tips)
    assert "threshold" in texts and "Space" in texts and "X rejects" in texts
    overlay.grab()  # paints without a warning
    window.resize(900, 650)  # follows the window
    qtbot.waitUntil(lambda: overlay.geometry() == window.rect())
    with qtbot.waitSignal(overlay.dismissed):
        qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(FirstRunOverlay) is None)
    assert show_first_run(window, settings) is None  # once only


def test_got_it_and_a_click_dismiss(qtbot: QtBot, window: MainWindow, tmp_path: object) -> None:
    overlay = FirstRunOverlay(window)
    overlay.show()
    assert overlay.button.toolTip()
    with qtbot.waitSignal(overlay.dismissed):
        qtbot.mouseClick(overlay.button, Qt.MouseButton.LeftButton)
    other = FirstRunOverlay(window)
    other.show()
    with qtbot.waitSignal(other.dismissed):
        qtbot.mouseClick(other, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
