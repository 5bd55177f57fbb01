"""Scoring orchestration for the window: one ScoringRun at a time, results in batches.

`ScoringController` starts a run on the photos still unscored, applies what the run has
collected at most every RESULTS_MS in one model update (the grid, the cull model and the
catalog's score cache), and tells the window when a run ends. A run that is replaced (another
folder, another method) is cancelled without waiting and winds down in the background;
`shutdown()` waits for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.core.batch import PhotoResult
from reviewer.gui.cull_controller import CullController
from reviewer.gui.photo_model import PhotoModel
from reviewer.gui.workers import ScoringRun

RESULTS_MS = 100  # scoring results are applied to the grid at most this often, in one batch


class ScoringController(QObject):
    started = Signal(int)  # photos to score
    progressed = Signal(int)  # photos scored so far in this run
    finished = Signal(bool)  # the current run ended: completed (else cancelled by the user)

    def __init__(
        self,
        photos: PhotoModel,
        cull: CullController,
        jobs: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.photos = photos
        self.cull = cull
        self.jobs = jobs
        self.method = ""
        self.run: ScoringRun | None = None
        self.retired: list[ScoringRun] = []
        self._timer = QTimer(self, singleShot=True, interval=RESULTS_MS)
        self._timer.timeout.connect(self.apply_pending)

    @property
    def active(self) -> bool:
        return self.run is not None or any(r.running for r in self.retired)

    def start(self, paths: Sequence[Path], method: str, run_class: type = ScoringRun) -> bool:
        """Score these photos (in this order) with `method`; False when there is none."""
        self.stop()
        if not paths:
            return False
        self.method = method
        run = run_class(list(paths), method, self.jobs)
        run.resultsPending.connect(self._on_results_pending)
        run.finished.connect(self._on_run_finished)
        self.run = run
        self.started.emit(run.total)
        run.start()
        return True

    def prioritize(self, paths: Sequence[Path]) -> None:
        if self.run is not None and paths:
            self.run.prioritize(list(paths))

    def eta_seconds(self) -> float | None:
        return None if self.run is None else self.run.eta_seconds()

    def _on_results_pending(self, run: ScoringRun) -> None:
        if run is self.run and not self._timer.isActive():
            self._timer.start()  # whatever else arrives meanwhile joins this batch

    def apply_pending(self) -> None:
        """Apply every result the current run has collected, in one model update."""
        run = self.run
        if run is None:
            return
        results: list[PhotoResult] = [r for r in run.take_results() if r.method == self.method]
        if not results:
            return
        run.done_count += len(results)
        self.photos.apply_results(results)
        self.cull.add_results(results)
        self.progressed.emit(run.done_count)

    def _on_run_finished(self, run: ScoringRun, scored_all: int) -> None:
        run.wait(5)
        if run in self.retired:
            self.retired.remove(run)
        if run is not self.run:
            return
        self._timer.stop()
        self.apply_pending()
        self.run = None
        self.finished.emit(bool(scored_all))

    def cancel(self) -> None:
        """The user's Cancel: the run stops, the scores so far are kept (finished(False))."""
        if self.run is not None:
            self.run.cancel()

    def stop(self) -> None:
        """Cancel the current run without waiting; it winds down in the background. Its
        waiting results are dropped: every caller clears the scores or the window next."""
        if self.run is not None:
            self.run.cancel()
            self._timer.stop()
            self.retired.append(self.run)
            self.run = None

    def shutdown(self) -> None:
        """Cancel every run and wait for their threads and worker processes to end."""
        self.stop()
        runs = list(self.retired)
        for run in runs:
            run.cancel()
        for run in runs:
            run.wait()
        self.retired.clear()
