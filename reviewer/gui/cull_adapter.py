"""The cull model's events as Qt signals: the window observes `CullModel` through this.

The model (reviewer/core/cull/model.py) knows nothing of Qt; this QObject connects to its
plain-callback events and re-emits each as a signal, so widgets connect the Qt way (and a
model event raised on another thread reaches the GUI thread queued). `detach()`
disconnects it from the model (call it before dropping the adapter).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from reviewer.core.cull.model import CullModel


class CullAdapter(QObject):
    shotsChanged = Signal(object)  # tuple[Path, ...]: the shots now shown, in order
    scoresChanged = Signal(object)  # tuple[Path, ...]: shots with a new score or verdict
    marksChanged = Signal(object)  # tuple[Path, ...]: shots whose marks changed
    historyChanged = Signal(bool, bool, str, str)  # can undo, can redo, undo text, redo text
    problem = Signal(str)  # the catalog could not read or save

    def __init__(self, model: CullModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._links = (
            (model.events.shots, self._on_shots),
            (model.events.scores, self._on_scores),
            (model.events.marks, self._on_marks),
            (model.events.history, self._on_history),
            (model.events.problem, self._on_problem),
        )
        for event, callback in self._links:
            event.connect(callback)

    def detach(self) -> None:
        for event, callback in self._links:
            with contextlib.suppress(ValueError):  # already detached
                event.disconnect(callback)

    def _on_shots(self, paths: tuple[Path, ...]) -> None:
        self.shotsChanged.emit(paths)

    def _on_scores(self, paths: tuple[Path, ...]) -> None:
        self.scoresChanged.emit(paths)

    def _on_marks(self, paths: tuple[Path, ...]) -> None:
        self.marksChanged.emit(paths)

    def _on_history(self, _: None) -> None:
        h = self.model.history
        self.historyChanged.emit(h.can_undo, h.can_redo, h.undo_text, h.redo_text)

    def _on_problem(self, text: str) -> None:
        self.problem.emit(text)
