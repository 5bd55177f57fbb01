"""The window's toolbar: the actions a cull uses most, each with an icon (from the platform's
style, so it matches the desktop and the theme) and its key in the tooltip."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QToolBar

if TYPE_CHECKING:
    from reviewer.gui.main_window import MainWindow

SP = QStyle.StandardPixmap


def _tooltip(action: QAction) -> str:
    name = action.text().replace("&", "").rstrip("…")
    key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{name} ({key})" if key else name


def build_toolbar(window: MainWindow) -> QToolBar:
    bar = QToolBar("Toolbar", window)
    bar.setObjectName("main_toolbar")  # saveState/restoreState find it by name
    bar.setMovable(False)
    bar.setIconSize(QSize(20, 20))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    style = window.style()
    groups: list[list[tuple[QAction, SP]]] = [
        [(window.open_action, SP.SP_DirOpenIcon)],
        [(window.undo_action, SP.SP_ArrowBack), (window.redo_action, SP.SP_ArrowForward)],
        [
            (window.keep_action, SP.SP_DialogApplyButton),
            (window.reject_action, SP.SP_DialogCancelButton),
        ],
        [
            (window.loupe_action, SP.SP_FileDialogContentsView),
            (window.compare_action, SP.SP_FileDialogDetailedView),
            (window.detail_action, SP.SP_MessageBoxQuestion),
        ],
        [(window.trash_action, SP.SP_TrashIcon)],
    ]
    for i, group in enumerate(groups):
        if i:
            bar.addSeparator()
        for action, pixmap in group:
            action.setIcon(style.standardIcon(pixmap))
            action.setToolTip(_tooltip(action))
            bar.addAction(action)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar
