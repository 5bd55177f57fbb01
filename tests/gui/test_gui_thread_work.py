"""Which work runs on the GUI thread while a folder opens and is scored.

These assert where work runs and how much of it a batch of results sets off, never how long
it takes: bench/gui.py --only stall measures the stalls (--profile shows what is in them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QObject, Signal
from pytestqt.qtbot import QtBot

from reviewer.core.batch import PhotoResult
from reviewer.core.cull.catalog_db import Catalog
from reviewer.core.scoring.base import Score
from reviewer.gui import main_window as main_window_module
from reviewer.gui.main_window import MainWindow
from reviewer.gui.photo_model import Role
from reviewer.gui.settings import AppSettings

from .conftest import MakeFolder
from .test_window_cull import new_window

SCORE_TIMEOUT = 60_000
CATALOG_READS = ("state", "get_marks", "cached_scores", "purge_stale_scores", "_ids")


def watch_catalog(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Record each catalog read as (method, on the GUI thread)."""
    gui = threading.get_ident()
    calls: list[tuple[str, bool]] = []
    for name in CATALOG_READS:
        real: Callable[..., Any] = getattr(Catalog, name)

        def watched(self: Catalog, *a: Any, _real: Any = real, _name: str = name, **k: Any) -> Any:
            calls.append((_name, threading.get_ident() == gui))
            return _real(self, *a, **k)

        monkeypatch.setattr(Catalog, name, watched)
    return calls


def test_opening_a_folder_reads_the_catalog_off_the_gui_thread(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog's marks and cached scores of a folder (a stat and queries per photo: 100 ms
    and more for 1,000 photos) are read by the folder scan's worker; the GUI thread only
    adopts them."""
    folder = photo_folder(5)
    w = new_window(qtbot, settings)
    with qtbot.waitSignal(w.scoringFinished, timeout=SCORE_TIMEOUT):
        w.open_folder(folder)
    scores = {r.path.name: r.score.value for r in w.model.records if r.score is not None}
    w.cull.decide([r for r in w.model.records if r.path.name == "IMG_0001.jpg"], "reject")
    w.close()  # the score cache is flushed

    calls = watch_catalog(monkeypatch)
    again = new_window(qtbot, settings)
    with qtbot.waitSignal(again.folderLoaded, timeout=10_000):
        again.open_folder(folder)
    # shown when the grid is filled: the marks and every score, from the catalog
    by_name = {r.path.name: r for r in again.model.records}
    assert by_name["IMG_0001.jpg"].decision == "reject"
    assert {n: r.score.value for n, r in by_name.items() if r.score is not None} == scores
    qtbot.waitUntil(lambda: not again._scoring_wanted, timeout=10_000)
    assert again.run is None  # nothing left to score
    assert calls, "the catalog was read"
    assert [name for name, on_gui in calls if on_gui] == []
    again.close()


def test_a_state_read_before_marks_changed_is_not_used(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder
) -> None:
    """Marks or moves saved after the worker was asked to read (an undone move puts its files'
    marks back) make the window read the catalog again rather than show what the worker read."""
    folder = photo_folder(3)
    w = new_window(qtbot, settings)
    with qtbot.waitSignal(w.scoringFinished, timeout=SCORE_TIMEOUT):
        w.open_folder(folder)
    paths = [r.path for r in w.model.records]
    stale = w.cull.state_reader(w.method, w.model.threshold)(paths)
    assert stale.marks == {} and len(stale.cached) == 3
    w.cull.decide([w.model.records[0]], "keep")  # saved after the worker read
    w.cull.load(w.method, w.model.threshold, stale)
    assert w.model.records[0].decision == "keep"
    fresh = w.cull.state_reader(w.method, w.model.threshold)(paths)
    assert [Path(p).name for p in fresh.marks] == [w.model.records[0].path.name]
    w.cull.load(w.method, w.model.threshold, fresh)  # up to date: taken as it is
    assert w.model.records[0].decision == "keep"
    w.close()


class FakeRun(QObject):
    """A ScoringRun whose results the test hands over, batch by batch (nothing is decoded)."""

    resultsPending = Signal(object)
    finished = Signal(object, int)
    made: list[FakeRun] = []

    def __init__(self, paths: list[Path], method: str, jobs: int | None = None) -> None:
        super().__init__()
        self.paths, self.method, self.total, self.done_count = paths, method, len(paths), 0
        self.pending: list[PhotoResult] = []
        self.running = True
        FakeRun.made.append(self)

    def start(self) -> None:
        pass

    def push(self, results: list[PhotoResult]) -> None:
        first = not self.pending
        self.pending.extend(results)
        if first:
            self.resultsPending.emit(self)

    def end(self) -> None:
        self.running = False
        self.finished.emit(self, 1)

    def take_results(self) -> list[PhotoResult]:
        out, self.pending = self.pending, []
        return out

    def cancel(self) -> None:
        self.running = False

    def prioritize(self, paths: list[Path]) -> None:
        pass

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def eta_seconds(self) -> float | None:
        return None


def test_a_batch_of_results_updates_only_its_rows_without_reset_or_resort(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results reach the grid in batches (at most one per ScoringController.RESULTS_MS):
    each batch is one model update over the rows it scored (dataChanged per run of adjacent
    rows), never a model reset nor a re-sort or re-layout of the whole grid, whatever the sort
    and filter; the grid is sorted by sharpness once, when the run ends."""
    n = 120
    folder = photo_folder(n, size=(48, 32), blurry_every=0)
    FakeRun.made.clear()
    monkeypatch.setattr(main_window_module, "ScoringRun", FakeRun)
    with qtbot.waitSignal(window.folderLoaded, timeout=10_000):
        window.open_folder(folder)
    qtbot.waitUntil(lambda: bool(FakeRun.made), timeout=10_000)
    run = FakeRun.made[-1]
    window.set_filter_mode("below")  # a filter that depends on the scores
    events: list[str] = []
    changed: list[int] = []
    model, proxy = window.model, window.proxy
    model.modelReset.connect(lambda: events.append("model reset"))
    model.layoutChanged.connect(lambda *_: events.append("model layout"))
    proxy.modelReset.connect(lambda: events.append("proxy reset"))
    proxy.layoutChanged.connect(lambda *_: events.append("proxy layout"))

    def on_changed(a: QModelIndex, b: QModelIndex, roles: list[int]) -> None:
        if Role.SCORE in roles:  # (capture times may arrive meanwhile: all rows at once)
            changed.append(b.row() - a.row() + 1)

    model.dataChanged.connect(on_changed)
    order = list(run.paths)
    batches = [order[i : i + 25] for i in range(0, n, 25)]
    for k, batch in enumerate(batches):
        changed.clear()
        run.push(
            [
                PhotoResult(p, window.method, Score(window.method, 10.0 + (i % 80), 50.0))
                for i, p in enumerate(batch)
            ]
        )
        qtbot.waitUntil(lambda k=k: run.done_count == sum(map(len, batches[: k + 1])))
        assert events == []
        assert sum(changed) == len(batch)  # its rows, never a span over the grid
    below = sum(1 for r in model.records if r.is_below(model.threshold))
    assert proxy.rowCount() == below > 0
    with qtbot.waitSignal(window.scoringFinished, timeout=10_000):
        run.end()
    assert model.sort_key == "sharpness"
    assert events.count("model layout") == 1  # the one re-sort, at the end
    assert "model reset" not in events and "proxy reset" not in events
