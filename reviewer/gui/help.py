"""Help ▸ Keyboard Shortcuts (made from the window's actions, so it cannot go stale) and About."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer import __version__


def action_name(action: QAction) -> str:
    """The action's menu text without its mnemonic ampersand and trailing ellipsis."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(action, keys) for every action that has a key, in the order given, each once.
    Actions of the same name (the View menu's Loupe, F, and the grid's, Enter) share a row."""
    keys_of: dict[str, list[str]] = {}
    seen: set[int] = set()
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if k]
        if not keys or id(action) in seen or not action.text():
            continue
        seen.add(id(action))
        listed = keys_of.setdefault(action_name(action), [])
        listed += [k for k in keys if k not in listed]
    return [(name, ", ".join(keys)) for name, keys in keys_of.items()]


def view_rows(view: str, keys: Iterable[tuple[str, str, list[str]]]) -> list[tuple[str, str]]:
    """Rows for a view's own keys, given as (slot, name, keys) tables (LOUPE_KEYS, ...)."""
    return [
        (
            f"{view}: {name}",
            ", ".join(
                dict.fromkeys(
                    QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in ks
                )
            ),
        )
        for _, name, ks in keys
    ]


class ShortcutSheet(QDialog):
    def __init__(
        self,
        actions: Iterable[QAction],
        parent: QWidget | None = None,
        more: Iterable[tuple[str, str]] = (),
    ) -> None:
        """The window's actions, then `more` rows (the loupe's and compare view's keys)."""
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = shortcut_rows(actions) + list(more)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(480, 560)

    def listed(self) -> list[tuple[str, str]]:
        return [
            (self.table.item(r, 0).text(), self.table.item(r, 1).text())
            for r in range(self.table.rowCount())
        ]


ABOUT_TEXT = (
    "<h3>Reviewer {version}</h3>"
    "<p>Cull a photo shoot: every photo's sharpness is scored and explained, and the blurry "
    "ones are moved out of the way, never deleted.</p>"
    "<p>Everything runs on this computer; no photo or decision leaves it.</p>"
    "<p>Licence: GPL-3.0-or-later.</p>"
)


def show_about(parent: QWidget | None) -> None:
    QMessageBox.about(parent, "About Reviewer", ABOUT_TEXT.format(version=__version__))
