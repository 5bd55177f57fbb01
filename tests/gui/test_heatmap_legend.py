"""The detail view's heatmap has a legend: a colour bar from blurred (red) to sharp (green)."""

from __future__ import annotations

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from reviewer.gui.detail_view import DetailDialog
from reviewer.gui.heatmap_legend import HeatmapLegend, legend_strip


def test_legend_runs_from_red_to_green() -> None:
    strip = legend_strip(256)
    left, middle, right = (strip.pixelColor(x, 0) for x in (0, 128, 255))
    assert left.red() > 200 and left.green() < 40  # blurred
    assert middle.red() > 200 and middle.green() > 200  # yellow
    assert right.green() > 200 and right.red() < 40  # sharp


def test_legend_shows_with_the_heatmap(qtbot: QtBot) -> None:
    dialog = DetailDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    legend = dialog.heatmap_legend
    assert isinstance(legend, HeatmapLegend)
    assert not legend.isVisible()
    dialog.heatmap_box.setChecked(True)
    assert legend.isVisible()
    assert legend.toolTip()
    image = legend.grab().toImage()
    bar = legend.bar_rect()
    y = bar.center().y()
    left = QColor(image.pixel(bar.left() + 2, y))
    right = QColor(image.pixel(bar.right() - 2, y))
    assert left.red() > 200 and left.green() < 60
    assert right.green() > 200 and right.red() < 60
    dialog.heatmap_box.setChecked(False)
    assert not legend.isVisible()
