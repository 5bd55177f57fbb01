"""Preferences: scoring method and threshold, sidecars, where rejects go, the grid, the theme.

`PreferencesDialog` shows the saved settings and returns the user's choices as `Preferences`;
the window applies them (`MainWindow.apply_preferences`), and `AppSettings` remembers them for
the next start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from reviewer.core.scoring import METHODS, get_scorer
from reviewer.gui.settings import MAX_THUMBNAIL_SIZE, MIN_THUMBNAIL_SIZE, AppSettings
from reviewer.gui.theme import THEMES, as_theme

SIDECAR_STYLE_TEXT = {
    "adobe": "IMG_0001.xmp (Lightroom, Bridge, Capture One, Photo Mechanic)",
    "darktable": "IMG_0001.CR2.xmp (darktable, digiKam)",
}


@dataclass(frozen=True, slots=True)
class Preferences:
    method: str
    threshold: float
    sidecar_style: str
    auto_write_sidecars: bool
    move_destination: str  # "trash" | "folder"
    rejects_folder: str  # a name beside each photo, or an absolute path
    thumbnail_size: int
    recursive: bool
    theme: str


def load_preferences(settings: AppSettings, method: str) -> Preferences:
    remembered = settings.threshold(method)
    return Preferences(
        method=method,
        threshold=remembered if remembered is not None else get_scorer(method).default_threshold,
        sidecar_style=settings.sidecar_style(),
        auto_write_sidecars=settings.auto_write_sidecars(),
        move_destination=settings.move_destination(),
        rejects_folder=settings.rejects_folder(),
        thumbnail_size=settings.thumbnail_size(),
        recursive=settings.recursive(),
        theme=str(as_theme(settings.theme())),
    )


def valid_rejects_folder(text: str) -> bool:
    """A folder name beside each photo (no separators, not . or ..) or an absolute path."""
    text = text.strip()
    if not text:
        return False
    if os.path.isabs(text):
        return True
    return "/" not in text and os.sep not in text and text not in (".", "..")


class PreferencesDialog(QDialog):
    def __init__(self, current: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)

        self.method_combo = QComboBox()
        for name in METHODS:
            self.method_combo.addItem(name, name)
        self.method_combo.setCurrentIndex(self.method_combo.findData(current.method))
        form.addRow("Scoring method:", self.method_combo)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setDecimals(1)
        self.threshold_spin.setRange(0.0, 100000.0)
        self.threshold_spin.setValue(current.threshold)
        form.addRow("Threshold:", self.threshold_spin)
        self._thresholds = {current.method: current.threshold}
        self._method = current.method
        self.method_combo.currentIndexChanged.connect(self._method_changed)

        self.style_combo = QComboBox()
        for style, text in SIDECAR_STYLE_TEXT.items():
            self.style_combo.addItem(text, style)
        self.style_combo.setCurrentIndex(max(0, self.style_combo.findData(current.sidecar_style)))
        form.addRow("New sidecars:", self.style_combo)
        self.auto_write_box = QCheckBox("Write marks to sidecars as they are made")
        self.auto_write_box.setChecked(current.auto_write_sidecars)
        form.addRow("", self.auto_write_box)

        self.trash_radio = QRadioButton("Trash")
        self.folder_radio = QRadioButton("Folder:")
        group = QButtonGroup(self)
        group.addButton(self.trash_radio)
        group.addButton(self.folder_radio)
        chosen = self.folder_radio if current.move_destination == "folder" else self.trash_radio
        chosen.setChecked(True)
        self.folder_edit = QLineEdit(current.rejects_folder)
        self.folder_edit.setToolTip(
            "A folder name (made beside each photo) or an absolute path (any drive)"
        )
        self.choose_button = QPushButton("Choose…")
        self.choose_button.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.trash_radio)
        row.addWidget(self.folder_radio)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.choose_button)
        form.addRow("Move rejects to:", row)

        self.size_spin = QSpinBox()
        self.size_spin.setRange(MIN_THUMBNAIL_SIZE, MAX_THUMBNAIL_SIZE)
        self.size_spin.setSingleStep(16)
        self.size_spin.setValue(current.thumbnail_size)
        form.addRow("Thumbnail size:", self.size_spin)
        self.recursive_box = QCheckBox("Include subfolders when opening a folder")
        self.recursive_box.setChecked(current.recursive)
        form.addRow("", self.recursive_box)
        self.theme_combo = QComboBox()
        for theme, text in THEMES.items():
            self.theme_combo.addItem(text, theme)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(current.theme)))
        form.addRow("Theme:", self.theme_combo)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.folder_edit.textChanged.connect(self._validate)
        form.addRow(self.buttons)
        self._validate()

    def _method_changed(self) -> None:
        self._thresholds[self._method] = self.threshold_spin.value()
        self._method = str(self.method_combo.currentData())
        value = self._thresholds.get(self._method, get_scorer(self._method).default_threshold)
        self.threshold_spin.setValue(value)

    def _validate(self) -> None:
        ok = valid_rejects_folder(self.folder_edit.text())
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok_button.setEnabled(ok)
        self.folder_edit.setStyleSheet("" if ok else "color: #e05050")

    def choose_folder(self) -> None:
        """A real folder chooser; the chosen folder is kept as an absolute path."""
        start = self.folder_edit.text().strip()
        begin = start if os.path.isabs(start) else str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Folder rejected photos move to", begin)
        if folder:
            self.folder_edit.setText(str(Path(folder).absolute()))
            self.folder_radio.setChecked(True)

    def values(self) -> Preferences:
        return Preferences(
            method=str(self.method_combo.currentData()),
            threshold=float(self.threshold_spin.value()),
            sidecar_style=str(self.style_combo.currentData()),
            auto_write_sidecars=self.auto_write_box.isChecked(),
            move_destination="folder" if self.folder_radio.isChecked() else "trash",
            rejects_folder=self.folder_edit.text().strip(),
            thumbnail_size=int(self.size_spin.value()),
            recursive=self.recursive_box.isChecked(),
            theme=str(self.theme_combo.currentData()),
        )
