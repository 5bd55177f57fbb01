"""The rating and colour-label filters of the top bar (Lightroom's filter bar, in short)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

LABEL_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("Any label", None),
    ("Red", "red"),
    ("Yellow", "yellow"),
    ("Green", "green"),
    ("Blue", "blue"),
    ("Purple", "purple"),
    ("No label", "none"),
)


class MarkFilterBar(QWidget):
    """Two combos: "≥ N stars" and a colour label. Emits changed(min_rating, label)."""

    changed = Signal(int, object)  # min rating 0-5, label (None: any; "none": unlabelled)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rating_combo = QComboBox()
        self.rating_combo.addItem("Any rating", 0)
        for n in range(1, 6):
            self.rating_combo.addItem(f"≥ {'★' * n}", n)
        self.rating_combo.setToolTip("Show photos with at least this many stars")
        self.label_combo = QComboBox()
        for text, value in LABEL_CHOICES:
            self.label_combo.addItem(text, value)
        self.label_combo.setToolTip("Show photos with this colour label")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Rating:"))
        layout.addWidget(self.rating_combo)
        layout.addWidget(self.label_combo)
        self.rating_combo.currentIndexChanged.connect(self._emit)
        self.label_combo.currentIndexChanged.connect(self._emit)

    @property
    def min_rating(self) -> int:
        return int(self.rating_combo.currentData())

    @property
    def label(self) -> str | None:
        value = self.label_combo.currentData()
        return None if value is None else str(value)

    def set_filter(self, min_rating: int, label: str | None) -> None:
        self.rating_combo.setCurrentIndex(max(0, self.rating_combo.findData(min_rating)))
        i = 0 if label is None else self.label_combo.findData(label)
        self.label_combo.setCurrentIndex(max(0, i))

    def _emit(self, *_: object) -> None:
        self.changed.emit(self.min_rating, self.label)
