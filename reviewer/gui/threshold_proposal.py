"""Scoring ▸ Propose Threshold From My Marks: the shoot's own threshold, from the photos the
photographer has already kept or rejected by hand (reviewer.core.judging.proposal)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QMessageBox, QWidget

from reviewer.core.judging.proposal import Proposal, missing_marks, propose_threshold
from reviewer.gui.photo_model import PhotoRecord


def marked_scores(records: Iterable[PhotoRecord]) -> list[tuple[float, bool]]:
    """(score, rejected) of every scored photo with a hand decision."""
    return [
        (r.score.value, r.decision == "reject")
        for r in records
        if r.decision is not None and r.score is not None and r.error is None
    ]


def proposal_for(records: Iterable[PhotoRecord]) -> Proposal | str:
    """The proposal, or why there is none yet (in words)."""
    marks = marked_scores(records)
    rejects = sum(1 for _, rejected in marks if rejected)
    proposal = propose_threshold(marks)
    if proposal is None:
        return missing_marks(len(marks) - rejects, rejects) or "No threshold fits these marks."
    return proposal


def ask_to_apply(parent: QWidget | None, outcome: Proposal | str, current: float) -> float | None:
    """Show the proposal; the threshold to apply when the user accepts it, else None."""
    box = QMessageBox(parent)
    box.setWindowTitle("Threshold for this shoot")
    if isinstance(outcome, str):
        box.setIcon(QMessageBox.Icon.Information)
        box.setText(outcome)
        box.exec()
        return None
    box.setIcon(QMessageBox.Icon.Question)
    box.setText(outcome.summary())
    box.setInformativeText(f"The threshold now is {current:.1f}. Apply {outcome.threshold:.1f}?")
    apply = box.addButton("Apply", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return outcome.threshold if box.clickedButton() is apply else None
