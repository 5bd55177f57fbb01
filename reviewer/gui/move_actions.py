"""The window's moves: rejects to the Trash or a folder, keepers copied or moved elsewhere.

`MoveActions` asks for confirmation (through the window), runs the move or copy on a thread
of its own, puts a move on the cull's undo stack (CullController.record_move, which takes the
shots out of the grid) and reports what moved and what did not. Nothing is ever deleted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from reviewer.core.trash import (
    Failure,
    MoveBatch,
    display_path,
    move_to_folder,
    move_to_trash,
)
from reviewer.gui.export_view import CopyReport, copy_shots, keepers, move_or_copy
from reviewer.gui.photo_model import PhotoRecord
from reviewer.gui.workers import TaskRunner

if TYPE_CHECKING:
    from reviewer.gui.main_window import MainWindow


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


class MoveActions(QObject):
    movesFinished = Signal(object)  # MoveBatch
    keepersCopied = Signal(object)  # CopyReport
    movingChanged = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.moving = False
        self.tasks = TaskRunner(threads=1, parent=self)
        self.tasks.done.connect(self._on_done)
        self._folder_name = ""

    def _set_moving(self, on: bool) -> None:
        self.moving = on
        self.movingChanged.emit(on)

    # rejects ------------------------------------------------------------------------------
    def move_rejected(self, destination: str) -> None:
        w = self.window
        if self.moving:
            return
        records = w.model.rejected()
        if not records:
            w._report(
                "Nothing to move",
                "No photo is marked rejected. Press X on a photo, "
                "or use “Reject all below threshold”.",
            )
            return
        files = [f for r in records for f in r.shot.files]
        total = sum(r.shot.size_bytes for r in records)
        partners = sum(len(r.shot.files) - 1 for r in records)
        folder_name = w.settings.rejects_folder()
        where = "the Trash" if destination == "trash" else f"the “{folder_name}” folder"
        text = (
            f"Move {len(records)} rejected shot{'s' if len(records) != 1 else ''} to "
            f"{where}?\n\n{len(files)} files, {human_bytes(total)}"
            + (f" (including {partners} RAW/JPEG partners and sidecars)" if partners else "")
            + ".\n\nNothing is deleted; Edit ▸ Undo (Ctrl+Z) puts them back."
        )
        details = "\n".join(display_path(f) for f in files)
        if not w.confirm("Move rejected photos", text, details):
            return
        self._set_moving(True)
        journal, home, root = w.journal, w.home_trash, w.folder
        shots = [r.shot for r in records]
        self._folder_name = folder_name
        if destination == "trash":
            self.tasks.submit(
                ("move", records),
                lambda: move_to_trash(shots, journal, home_trash=home, root=root),
            )
        else:
            self.tasks.submit(
                ("move", records),
                lambda: move_to_folder(shots, folder_name, journal, root=root),
            )

    def _on_moved(
        self, records: list[PhotoRecord], batch: MoveBatch | None, error: str | None
    ) -> None:
        w = self.window
        self._set_moving(False)
        if batch is None:
            w._report("Move failed", f"Nothing could be moved: {error}")
            return
        name = self._folder_name if batch.destination == "folder" else ""
        gone = w.cull.record_move(batch, records, name)
        where = "the Trash" if batch.destination == "trash" else f"“{name}”"
        left = len(records) - len(gone)
        w.statusBar().showMessage(
            f"Moved {len(gone)} shots ({len(batch.moves)} files) to {where}"
            + (f"; {left} shots ({len(batch.failures)} files) not moved" if left else "")
            + (". Ctrl+Z to undo." if batch.moves else "."),
            8000,
        )
        no_trash = any(f.kind == "no-trash" for f in batch.failures)
        w._report_failures(
            "Some files were not moved",
            "files stayed where they are; nothing else was touched."
            + (" Where there is no usable trash, “Move rejected to folder…” works." * no_trash),
            batch.failures,
        )
        self.movesFinished.emit(batch)

    # keepers ------------------------------------------------------------------------------
    def keepers_to(self, folder: Path | None, move: bool) -> None:
        """Photo ▸ Copy / Move Keepers To…: the photos kept (P), else every one not rejected,
        with their partners and sidecars. A move is journaled and undoable."""
        w = self.window
        if self.moving:
            return
        records = keepers(w.model.records)
        if not records:
            w._report("Nothing to copy", "No photo is kept or left unrejected.")
            return
        verb = "Move" if move else "Copy"
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                w, f"{verb} the keepers to", str(w.folder or Path.home())
            )
            if not chosen:
                return
            folder = Path(chosen)
        shots = [r.shot for r in records]
        target = folder
        self._set_moving(True)
        if move:
            journal = w.journal
            self._folder_name = str(folder)
            self.tasks.submit(("keepers", records), lambda: move_or_copy(shots, target, journal))
        else:
            self.tasks.submit(("keepers", records), lambda: copy_shots(shots, target))

    def _on_keepers(self, records: list[PhotoRecord], result: object, error: str | None) -> None:
        if isinstance(result, MoveBatch):
            self._on_moved(records, result, error)
            return
        w = self.window
        self._set_moving(False)
        if not isinstance(result, CopyReport):
            w._report("Copy failed", f"Nothing could be copied: {error}")
            return
        w.statusBar().showMessage(f"Copied {len(result.copied)} files. {result.note}".strip(), 8000)
        w._report_failures(
            "Some files were not copied",
            "files were not copied.",
            [Failure(p, r) for p, r in result.failures],
        )
        self.keepersCopied.emit(result)

    def _on_done(self, tag: object, result: object, error: object) -> None:
        assert isinstance(tag, tuple)
        err = None if error is None else str(error)
        if tag[0] == "move":
            self._on_moved(tag[1], result if isinstance(result, MoveBatch) else None, err)
        elif tag[0] == "keepers":
            self._on_keepers(tag[1], result, err)

    def shutdown(self) -> None:
        self.tasks.shutdown()
