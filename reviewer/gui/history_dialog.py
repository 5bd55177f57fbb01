"""Edit ▸ History: the moves on the undo stack, with their file counts; undo any one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.cull_controller import CullController, MoveEntry


class HistoryDialog(QDialog):
    """Lists every move of this session and the moves of earlier sessions still in effect
    (from the journal), newest first. "Undo This Move" puts one back."""

    def __init__(self, controller: CullController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("History")
        self.list = QListWidget(self)
        self.undo_button = QPushButton("Undo This Move")
        self.undo_button.clicked.connect(self.undo_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Moves (newest first). Ctrl+Z undoes the last action of any kind."))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(lambda _: self._sync_button())
        controller.historyChanged.connect(self.refresh)
        self.resize(560, 360)
        self.refresh()

    def entries(self) -> list[MoveEntry]:
        return list(reversed(self.controller.moves))

    def rows(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def refresh(self, *_: object) -> None:
        current = self.list.currentRow()
        self.list.clear()
        for entry in self.entries():
            state = " — undone" if entry.undone or entry.detached else ""
            item = QListWidgetItem(f"{entry.text}{state}")
            item.setData(Qt.ItemDataRole.UserRole, entry)
            if state:
                item.setForeground(self.palette().placeholderText())
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(min(max(current, 0), self.list.count() - 1))
        self._sync_button()

    def _selected(self) -> MoveEntry | None:
        item = self.list.currentItem()
        entry = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        return entry if isinstance(entry, MoveEntry) else None

    def _sync_button(self) -> None:
        entry = self._selected()
        self.undo_button.setEnabled(entry is not None and not (entry.undone or entry.detached))

    def undo_selected(self) -> None:
        entry = self._selected()
        if entry is not None:
            self.controller.undo_move(entry)
            self.refresh()
