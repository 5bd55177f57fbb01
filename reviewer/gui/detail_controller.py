"""The detail view's life: opening it on the current photo, analysing that photo off the GUI
thread, its 100% pixels, and following the grid as the user moves on. The window forwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reviewer.gui.bursts import in_context_analysis
from reviewer.gui.detail_view import DetailDialog
from reviewer.gui.photo_model import PhotoRecord
from reviewer.gui.workers import (
    Analysis,
    FullResolution,
    TaskRunner,
    analyse,
    load_full_resolution,
    result_from_analysis,
)

if TYPE_CHECKING:
    from reviewer.gui.main_window import MainWindow


def detail_title(rec: PhotoRecord, analysis: Analysis, threshold: float) -> str:
    """'IMG_1.jpg — focus 42.0 (blurry: AF point 3.1 px blurred) · rejected by hand'."""
    title = rec.shot.label()
    score = analysis.score
    if score is None:
        return title
    if analysis.judgement is not None:
        verdict = analysis.judgement.verdict
    else:
        verdict = "blurry" if score.value < threshold else "sharp"
    title += f" — {score.method} {score.value:.1f} ({verdict})"
    if rec.decision == "reject":
        title += " · rejected by hand"
    elif rec.decision == "keep":
        title += " · kept by hand"
    return title


class DetailController(QObject):
    """Owns the DetailDialog and the work that fills it."""

    loaded = Signal(object)  # Analysis
    fullResolution = Signal(object)  # FullResolution

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: DetailDialog | None = None
        self.record: PhotoRecord | None = None
        self.tasks = TaskRunner(threads=2, parent=self)
        self.tasks.done.connect(self._on_done)

    def open(self) -> None:
        rec = self.window.current_record()
        if rec is None:
            return
        if self.dialog is None:
            w = self.window
            self.dialog = DetailDialog(w)
            self.dialog.decisionRequested.connect(
                lambda what: w.decide(None if what == "clear" else what)
            )
            self.dialog.ratingRequested.connect(w.rate)
            self.dialog.labelRequested.connect(w.set_label)
            self.dialog.navigateRequested.connect(self.navigate)
        self.dialog.show()
        self.dialog.raise_()
        self.load(rec)

    def is_showing(self) -> bool:
        return self.dialog is not None and self.dialog.isVisible()

    def load(self, rec: PhotoRecord | None) -> None:
        if rec is None or self.dialog is None:
            return
        self.record = rec
        self.dialog.show_loading(rec.shot.label())
        path, method = rec.path, self.window.method
        self.tasks.submit(("detail", rec, method), lambda: analyse(path, method))

    def navigate(self, step: int) -> None:
        w = self.window
        nxt = w.proxy.index(w.view.currentIndex().row() + step, 0)
        if nxt.isValid():
            w.view.setCurrentIndex(nxt)
            self.load(w.current_record())

    def _on_done(self, tag: object, result: object, error: object) -> None:
        assert isinstance(tag, tuple)
        err = None if error is None else str(error)
        if tag[0] == "detail":
            self._on_analysed(tag[1], tag[2], result if isinstance(result, Analysis) else None, err)
        elif tag[0] == "detail-full":
            self._on_full_resolution(tag[1], result if isinstance(result, FullResolution) else None)

    def _on_analysed(
        self, rec: PhotoRecord, method: str, analysis: Analysis | None, error: str | None
    ) -> None:
        w = self.window
        if rec is not self.record or self.dialog is None or method != w.method:
            return
        if analysis is None:
            analysis = Analysis(rec.path, method, error=error)
        if rec.score is None and rec.error is None:  # scored here first: share the result
            result = result_from_analysis(analysis)
            w.model.apply_result(result)
            w.cull.add_results([result])
        analysis = in_context_analysis(analysis, rec, w.model.threshold)  # against its burst
        self.dialog.set_analysis(
            analysis, w.model.threshold, detail_title(rec, analysis, w.model.threshold)
        )
        self.loaded.emit(analysis)
        if analysis.rgb is not None and max(analysis.original_size) > max(analysis.rgb.shape):
            path = rec.path
            # skipped when the user has moved on by the time a thread is free (fast browsing)
            self.tasks.submit(
                ("detail-full", rec),
                lambda: load_full_resolution(path) if rec is self.record else None,
            )

    def _on_full_resolution(self, rec: PhotoRecord, full: FullResolution | None) -> None:
        if rec is self.record and self.dialog is not None and full is not None:
            self.dialog.set_full_resolution(full)
            self.fullResolution.emit(full)

    def shutdown(self) -> None:
        self.tasks.shutdown()
        if self.dialog is not None:
            self.dialog.close()
