"""The focus heatmap's key: a colour bar from blurred (red) through yellow to sharp (green),
drawn from the same colour map as the overlay."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from reviewer.gui.thumbnails import qimage_from_rgb

BAR_WIDTH = 160
BAR_HEIGHT = 10


def legend_strip(width: int = 256) -> QImage:
    """The colour map from 0 (left) to 100 (right), opaque. GUI thread."""
    from reviewer.gui.detail_view import heatmap_rgba  # which shows this legend

    rgba = heatmap_rgba(np.linspace(0.0, 100.0, width, dtype=np.float32)[None, :])
    rgba[..., 3] = 255
    return qimage_from_rgb(rgba)


class HeatmapLegend(QWidget):
    """ "blurred [red ... yellow ... green] sharp"."""

    LOW, HIGH = "blurred", "sharp"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strip = legend_strip()
        self.setToolTip(
            "Focus heatmap: each region of the photo coloured by how sharp it is, "
            "red where it is blurred, green where it is sharp"
        )
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def _layout(self) -> tuple[QRect, QRect, QRect]:
        fm = self.fontMetrics()
        low_w, high_w = fm.horizontalAdvance(self.LOW), fm.horizontalAdvance(self.HIGH)
        h = max(fm.height(), BAR_HEIGHT)
        low = QRect(0, 0, low_w, h)
        bar = QRect(low_w + 6, (h - BAR_HEIGHT) // 2, BAR_WIDTH, BAR_HEIGHT)
        high = QRect(bar.right() + 7, 0, high_w, h)
        return low, bar, high

    def bar_rect(self) -> QRect:
        return self._layout()[1]

    def sizeHint(self) -> QSize:
        low, bar, high = self._layout()
        return QSize(high.right() + 1, max(low.height(), bar.bottom() + 1))

    def paintEvent(self, event: QPaintEvent) -> None:
        low, bar, high = self._layout()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(bar, self.strip)
        painter.setPen(self.palette().windowText().color())
        align = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(low, align | Qt.AlignmentFlag.AlignLeft, self.LOW)
        painter.drawText(high, align | Qt.AlignmentFlag.AlignLeft, self.HIGH)
        painter.end()
