"""A threshold slider drawn over a live histogram of the scores."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from reviewer.gui.thumbnail_delegate import BLURRY_COLOR, SHARP_COLOR

BINS = 50
MARGIN = 8
AXIS_HEIGHT = 16


class HistogramSlider(QWidget):
    """Drag (or use the arrow keys) to move the threshold; bars left of it are 'below'."""

    thresholdChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: npt.NDArray[np.float64] = np.zeros(0)
        self._lo, self._hi = 0.0, 100.0
        self._threshold = 50.0
        self._counts: npt.NDArray[np.int64] = np.zeros(BINS, np.int64)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(84)
        self.setCursor(Qt.CursorShape.SizeHorCursor)
        self.setToolTip("Threshold: drag, or use ←/→ (Shift for bigger steps)")
        self.setAccessibleName("Sharpness threshold")

    def sizeHint(self) -> QSize:
        return QSize(400, 84)

    # data ---------------------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def value_range(self) -> tuple[float, float]:
        return self._lo, self._hi

    def set_range(self, lo: float, hi: float) -> None:
        if hi <= lo:
            hi = lo + 1.0
        self._lo, self._hi = float(lo), float(hi)
        self._rebin()

    def set_values(self, values: npt.NDArray[np.float64]) -> None:
        self._values = np.asarray(values, np.float64)
        self._rebin()

    def _rebin(self) -> None:
        finite = self._values[np.isfinite(self._values)]
        clipped = np.clip(finite, self._lo, self._hi)
        self._counts, _ = np.histogram(clipped, bins=BINS, range=(self._lo, self._hi))
        self.update()

    def set_threshold(self, value: float, *, notify: bool = True) -> None:
        value = float(min(max(value, self._lo), self._hi))
        if value == self._threshold:
            return
        self._threshold = value
        self.update()
        if notify:
            self.thresholdChanged.emit(value)

    def below_count(self) -> int:
        return int(np.count_nonzero(self._values < self._threshold))

    # geometry -----------------------------------------------------------------------------
    def _plot_rect(self) -> QRectF:
        return QRectF(
            MARGIN, MARGIN, self.width() - 2 * MARGIN, self.height() - 2 * MARGIN - AXIS_HEIGHT
        )

    def _x_of(self, value: float) -> float:
        r = self._plot_rect()
        return r.left() + (value - self._lo) / (self._hi - self._lo) * r.width()

    def _value_at(self, x: float) -> float:
        r = self._plot_rect()
        frac = (x - r.left()) / max(r.width(), 1.0)
        return self._lo + min(max(frac, 0.0), 1.0) * (self._hi - self._lo)

    def _step(self) -> float:
        span = self._hi - self._lo
        exp = math.floor(math.log10(span / 100)) if span > 0 else 0
        return float(10.0**exp)

    # painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            r = self._plot_rect()
            pal = self.palette()
            painter.fillRect(r, pal.base())
            peak = max(int(self._counts.max()) if self._counts.size else 0, 1)
            bw = r.width() / BINS
            for i, count in enumerate(self._counts):
                if count == 0:
                    continue
                left = r.left() + i * bw
                centre = self._lo + (i + 0.5) * (self._hi - self._lo) / BINS
                h = max(2.0, (r.height() - 2) * math.sqrt(count / peak))
                color = QColor(BLURRY_COLOR if centre < self._threshold else SHARP_COLOR)
                color.setAlpha(210)
                painter.fillRect(QRectF(left + 0.5, r.bottom() - h, max(bw - 1, 1), h), color)
            # axis labels
            painter.setPen(pal.text().color())
            fm = QFontMetrics(painter.font())
            y = r.bottom() + 2
            for v in np.linspace(self._lo, self._hi, 5):
                text = f"{v:g}" if abs(v) < 1000 else f"{v:.0f}"
                tw = fm.horizontalAdvance(text)
                x = min(max(self._x_of(float(v)) - tw / 2, 0), self.width() - tw)
                painter.drawText(QPointF(x, y + fm.ascent()), text)
            # threshold line and handle
            x = self._x_of(self._threshold)
            line = QColor(pal.highlight().color())
            painter.setPen(QPen(line, 2))
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(line)
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(x - 6, r.top() - MARGIN + 1),
                        QPointF(x + 6, r.top() - MARGIN + 1),
                        QPointF(x, r.top() + 4),
                    ]
                )
            )
            if self.hasFocus():
                painter.setPen(QPen(line, 1, Qt.PenStyle.DotLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(r.adjusted(-2, -2, 2, 2))
        finally:
            painter.end()

    # input --------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.set_threshold(self._value_at(event.position().x()))
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.set_threshold(self._value_at(event.position().x()))
            event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = self._step() * (10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Down):
            self.set_threshold(self._threshold - step)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Up):
            self.set_threshold(self._threshold + step)
        elif key == Qt.Key.Key_PageDown:
            self.set_threshold(self._threshold - 10 * step)
        elif key == Qt.Key.Key_PageUp:
            self.set_threshold(self._threshold + 10 * step)
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.set_threshold(self._threshold + self._step() * (1 if delta > 0 else -1))
            event.accept()
