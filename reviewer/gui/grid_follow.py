"""Keeps the grid's current photo in view when the rows move under it: a new sort order, a
reversed one, a filter, scores arriving, rows moved away or put back.

The grid lays out its cells in batches after such a change, so scrolling at once would aim at
where the photo was; the scroll waits for the view to settle (a zero-time timer, repeated while
the photo's cell is not yet in view, a few times at most)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView

MAX_TRIES = 8


class CurrentKeeper(QObject):
    """Scrolls `view` back to its current index after its model changes its rows."""

    def __init__(self, view: QAbstractItemView, model: QAbstractItemModel) -> None:
        super().__init__(view)
        self.view = view
        self._tries = 0
        self._was_in_view = False
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._scroll)
        model.layoutAboutToBeChanged.connect(self._before)
        model.modelAboutToBeReset.connect(self._before)
        model.rowsAboutToBeInserted.connect(self._before)
        model.rowsAboutToBeRemoved.connect(self._before)
        model.layoutChanged.connect(self.schedule)
        model.modelReset.connect(self.schedule)
        model.rowsInserted.connect(self.schedule)
        model.rowsRemoved.connect(self.schedule)

    def _before(self, *args: object) -> None:
        """Only a photo the user was looking at is followed: one scrolled away from stays so."""
        if not self._timer.isActive():  # a scroll still to come: the photo counts as in view
            self._was_in_view = self.in_view()

    def schedule(self, *args: object) -> None:
        if self._was_in_view:
            self._tries = 0
            self._timer.start()

    def in_view(self) -> bool:
        current = self.view.currentIndex()
        if not current.isValid():
            return False
        rect = self.view.visualRect(current)
        return rect.isValid() and self.view.viewport().rect().contains(rect)

    def _scroll(self) -> None:
        current = self.view.currentIndex()
        if not current.isValid():
            return
        self.view.scrollTo(current)
        self._tries += 1
        if not self.in_view() and self._tries < MAX_TRIES:
            self._timer.start()
