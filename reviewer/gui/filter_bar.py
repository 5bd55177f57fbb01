"""The rating and colour-label filter (Lightroom's filmstrip filter, in short): a small ★
button at the bottom right whose menu picks "≥ N stars" and a colour label; View ▸ Filter by
Marks is the same menu. Small on purpose: the window must fit a small screen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

LABEL_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("Any Label", None),
    ("Red", "red"),
    ("Yellow", "yellow"),
    ("Green", "green"),
    ("Blue", "blue"),
    ("Purple", "purple"),
    ("No Label", "none"),
)


class MarkFilterBar(QToolButton):
    """Emits changed(min_rating, label) when the user picks a filter."""

    changed = Signal(int, object)  # min rating 0-5, label (None: any; "none": unlabelled)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.menu_ = QMenu("Filter by &Marks", self)
        self.rating_group = QActionGroup(self)
        self.rating_actions: list[QAction] = []
        for n in range(6):
            text = "Any Rating" if n == 0 else f"≥ {'★' * n}"
            a = QAction(text, self, checkable=True)
            a.setData(n)
            a.setChecked(n == 0)
            a.triggered.connect(self._emit)
            self.rating_group.addAction(a)
            self.rating_actions.append(a)
            self.menu_.addAction(a)
        self.menu_.addSeparator()
        self.label_group = QActionGroup(self)
        self.label_actions: list[QAction] = []
        for text, value in LABEL_CHOICES:
            a = QAction(text, self, checkable=True)
            a.setData(value)
            a.setChecked(value is None)
            a.triggered.connect(self._emit)
            self.label_group.addAction(a)
            self.label_actions.append(a)
            self.menu_.addAction(a)
        self.setMenu(self.menu_)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolTip("Show only photos with at least so many stars, or with a colour label")
        self._show_state()

    @property
    def min_rating(self) -> int:
        checked = self.rating_group.checkedAction()
        return int(checked.data()) if checked is not None else 0

    @property
    def label(self) -> str | None:
        checked = self.label_group.checkedAction()
        value = None if checked is None else checked.data()
        return None if value is None else str(value)

    def set_filter(self, min_rating: int, label: str | None) -> None:
        for a in self.rating_actions:
            a.setChecked(int(a.data()) == min_rating)
        for a in self.label_actions:
            a.setChecked(a.data() == label)
        self._show_state()

    def _show_state(self) -> None:
        n, label = self.min_rating, self.label
        text = "★" if n == 0 else f"≥{n}★"
        if label is not None:
            text += " " + ("no label" if label == "none" else label)
        self.setText(text)

    def _emit(self, *_: object) -> None:
        self._show_state()
        self.changed.emit(self.min_rating, self.label)
