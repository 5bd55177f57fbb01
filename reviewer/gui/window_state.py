"""The window's size, place and splitter, remembered between runs; and a window that always
fits the screen it opens on (at 1.5x scaling a 1080p screen is 1280 x 720 logical pixels, less
the panels: a fixed default size would put the threshold panel off screen)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QMainWindow, QSplitter

from reviewer.gui.settings import AppSettings

DEFAULT_SIZE = QSize(1280, 860)
SCREEN_SHARE = 0.92  # a new window takes at most this much of the screen's free area
FRAME_ALLOWANCE = QSize(16, 48)  # a window manager's frame and title bar, before it is known


def fitted_geometry(wanted: QRect, available: QRect, frame: QSize) -> QRect:
    """`wanted` (the client area) made to fit `available` with its frame (`frame`: the frame's
    extra width and height) and moved inside it."""
    room = QSize(available.width() - frame.width(), available.height() - frame.height())
    size = wanted.size().boundedTo(room).expandedTo(QSize(1, 1))
    x = min(max(wanted.x(), available.left()), available.right() + 1 - size.width() - frame.width())
    y = min(
        max(wanted.y(), available.top()), available.bottom() + 1 - size.height() - frame.height()
    )
    return QRect(max(x, available.left()), max(y, available.top()), size.width(), size.height())


def _frame_extra(window: QMainWindow) -> QSize:
    if not window.isVisible():
        return FRAME_ALLOWANCE
    extra = window.frameGeometry().size() - window.geometry().size()
    return extra.expandedTo(QSize(0, 0))


def fit_to_screen(window: QMainWindow) -> None:
    """Shrink and move the window so that all of it, frame included, is on its screen."""
    screen = window.screen()
    if screen is None:
        return
    available = screen.availableGeometry()
    fitted = fitted_geometry(window.geometry(), available, _frame_extra(window))
    if fitted != window.geometry():
        window.setGeometry(fitted)


def default_geometry(window: QMainWindow) -> QRect:
    """A new window's place: DEFAULT_SIZE, or less on a small screen, centred."""
    screen = window.screen()
    if screen is None:
        return QRect(0, 0, DEFAULT_SIZE.width(), DEFAULT_SIZE.height())
    available = screen.availableGeometry()
    size = DEFAULT_SIZE.boundedTo(
        QSize(int(available.width() * SCREEN_SHARE), int(available.height() * SCREEN_SHARE))
    )
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(available.center())
    return rect


def restore_window(
    window: QMainWindow, settings: AppSettings, splitter: QSplitter | None = None
) -> None:
    """The size, place and splitter of the last run, fitted to today's screen; a new window's
    otherwise."""
    geometry = settings.window_geometry()
    if not geometry or not window.restoreGeometry(geometry):
        window.setGeometry(default_geometry(window))
    fit_to_screen(window)
    sizes = settings.splitter_sizes()
    if splitter is not None and len(sizes) == splitter.count() and all(s >= 0 for s in sizes):
        splitter.setSizes(sizes)


def save_window(
    window: QMainWindow, settings: AppSettings, splitter: QSplitter | None = None
) -> None:
    settings.set_window_geometry(bytes(window.saveGeometry().data()))
    if splitter is not None:
        settings.set_splitter_sizes(splitter.sizes())
