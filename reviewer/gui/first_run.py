"""The first run's short tour: a dismissible overlay over the window pointing at the threshold
slider, the detail view (and loupe) and the reject action. Shown once (a settings flag)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QPushButton, QWidget

from reviewer.gui.settings import AppSettings

DIM = QColor(0, 0, 0, 150)
ACCENT = QColor(255, 196, 0)
BOX_WIDTH = 300


@dataclass(frozen=True, slots=True)
class Tip:
    target: str  # attribute of the window naming the widget pointed at
    text: str


TIPS = (
    Tip(
        "histogram",
        "Drag the threshold line over the scores' histogram: photos left of it count as "
        "blurry and are tinted red in the grid.",
    ),
    Tip(
        "view",
        "Space shows why a photo scored as it did (the detail view); Enter or F shows it full "
        "screen (the loupe); C compares 2 to 4 selected photos. Arrows move, F1 lists every key.",
    ),
    Tip(
        "reject_below_button",
        "X rejects a photo, P keeps it; this button rejects all below the threshold. Nothing "
        "is deleted: rejected photos move to the Trash or a folder, and Ctrl+Z undoes it.",
    ),
)


class FirstRunOverlay(QWidget):
    """Covers the window; any click or key dismisses it."""

    dismissed = Signal()

    def __init__(self, window: QWidget, tips: tuple[Tip, ...] = TIPS) -> None:
        super().__init__(window)
        self.window_ = window
        self.tips = tips
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.button = QPushButton("Got it", self)
        self.button.setToolTip("Close this tour (it is shown once; F1 lists every key)")
        self.button.clicked.connect(self.dismiss)
        window.installEventFilter(self)
        self.setGeometry(window.rect())

    def target_rect(self, tip: Tip) -> QRect:
        """Where the widget a tip points at is, in the overlay's coordinates (empty if none)."""
        widget = getattr(self.window_, tip.target, None)
        if not isinstance(widget, QWidget) or not widget.isVisible():
            return QRect()
        top_left = widget.mapTo(self.window_, widget.rect().topLeft())
        return QRect(top_left, widget.size())

    def box_rect(self, tip: Tip, target: QRect) -> QRect:
        """The tip's text box: beside its target, inside the window."""
        fm = self.fontMetrics()
        text = fm.boundingRect(
            QRect(0, 0, BOX_WIDTH - 20, 1000), Qt.TextFlag.TextWordWrap, tip.text
        )
        box = QRect(0, 0, BOX_WIDTH, text.height() + 20)
        area = self.rect().adjusted(12, 12, -12, -12)
        if target.height() > area.height() / 2:  # the grid: inside it, near its top middle
            box.moveTop(target.top() + 40)
            box.moveLeft(target.center().x() - BOX_WIDTH // 2)
        else:  # above its target, from its left edge, or its right one on the right side
            box.moveBottom(target.top() - 30)
            if target.center().x() > area.center().x():
                box.moveRight(target.right())
            else:
                box.moveLeft(target.left())
        box.moveLeft(max(area.left(), min(box.left(), area.right() - box.width())))
        box.moveTop(max(area.top(), min(box.top(), area.bottom() - box.height())))
        return box

    # showing and dismissing ---------------------------------------------------------------
    def dismiss(self) -> None:
        self.window_.removeEventFilter(self)
        self.dismissed.emit()
        self.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.window_.rect())
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        hint = self.button.sizeHint()
        self.button.setGeometry(
            (self.width() - hint.width()) // 2, self.height() // 2, hint.width(), hint.height()
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.dismiss()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.dismiss()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), DIM)
        for tip in self.tips:
            target = self.target_rect(tip)
            if target.isEmpty():
                continue
            box = self.box_rect(tip, target)
            painter.setPen(QPen(ACCENT, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(target).adjusted(-3, -3, 3, 3), 6, 6)
            if box.bottom() < target.top():  # a line from the box down to its target
                x = min(max(box.center().x(), target.left() + 12), target.right() - 12)
                painter.drawLine(QPointF(x, box.bottom()), QPointF(x, target.top() - 4))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(30, 30, 30, 235))
            painter.drawRoundedRect(QRectF(box), 8, 8)
            painter.setPen(QColor(240, 240, 240))
            painter.drawText(box.adjusted(10, 10, -10, -10), Qt.TextFlag.TextWordWrap, tip.text)
        painter.end()


def show_first_run(window: QWidget, settings: AppSettings) -> FirstRunOverlay | None:
    """The tour, unless it was shown before; marked as shown as soon as it is on screen."""
    if settings.first_run_done():
        return None
    overlay = FirstRunOverlay(window)
    settings.set_first_run_done(True)
    overlay.show()
    overlay.raise_()
    overlay.setFocus()
    return overlay
