"""The window with real scoring (worker processes) on small generated folders."""

from __future__ import annotations

import gc
import multiprocessing
import os
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.core.batch import WORKER_NICENESS
from reviewer.core.scoring import get_scorer
from reviewer.gui.main_window import MainWindow
from reviewer.gui.photo_model import Role
from reviewer.gui.settings import AppSettings
from reviewer.gui.workers import ScoringRun

from .conftest import MakeFolder

SCORE_TIMEOUT = 60_000


def open_and_score(qtbot: QtBot, w: MainWindow, folder: Path) -> None:
    with qtbot.waitSignal(w.scoringFinished, timeout=SCORE_TIMEOUT) as blocker:
        w.open_folder(folder)
    assert blocker.args == [True]


def test_scores_stream_in_and_status_counts(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(9)
    open_and_score(qtbot, window, folder)
    recs = window.model.records
    assert len(recs) == 9
    assert all(r.score is not None for r in recs)
    # the blurred ones (0, 3, 6) are the ones below the default threshold
    below = {r.path.name for r in recs if r.score and r.score.value < window.model.threshold}
    assert below == {"IMG_0000.jpg", "IMG_0003.jpg", "IMG_0006.jpg"}
    text = window.status_label.text()
    assert "9 photos" in text and "9 scored" in text and "3 below threshold" in text
    assert window.below_label.text() == "3 of 9 below"
    # sorted by sharpness once scored: the blurriest first
    first = [window.proxy.index(i, 0).data(Role.RECORD).path.name for i in range(3)]
    assert set(first) == below
    assert window.settings.recent_folders()[0] == folder.absolute()


def test_thumbnails_of_visible_cells_are_loaded(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(6)
    window.open_folder(folder)
    # every cell on screen gets a preview, then the sharper pass
    qtbot.waitUntil(
        lambda: (
            len(window.cache) == 6
            and all(window.cache.level(r.path) == 1 for r in window.model.records)
        ),
        timeout=20_000,
    )
    assert window.loader.failed == {}
    qtbot.waitUntil(
        lambda: window.model.counts().scored == 6 and not window.scoring_active,
        timeout=SCORE_TIMEOUT,
    )


def test_dragging_the_threshold_updates_counts_live(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    open_and_score(qtbot, window, photo_folder(9))
    hist = window.histogram
    values = sorted(r.score.value for r in window.model.records if r.score)
    r = hist._plot_rect()
    # drag from the far left to the far right: everything becomes "below"
    qtbot.mousePress(hist, Qt.MouseButton.LeftButton, pos=QPoint(int(r.left()) + 1, 40))
    assert window.below_label.text() == "0 of 9 below"
    qtbot.mouseMove(hist, QPoint(int(r.right()) - 1, 40))
    # mouseMove in offscreen mode carries no buttons; send the drag like a real one
    from PySide6.QtGui import QMouseEvent

    move = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        QPointF(r.right() - 1, 40),
        hist.mapToGlobal(QPointF(r.right() - 1, 40)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(hist, move)
    qtbot.mouseRelease(hist, Qt.MouseButton.LeftButton, pos=QPoint(int(r.right()) - 1, 40))
    t = window.model.threshold
    expected = sum(v < t for v in values)
    assert t > 95
    assert window.below_label.text() == f"{expected} of 9 below"
    assert window.threshold_spin.value() == pytest.approx(t, abs=0.06)
    # the filter follows the threshold
    window.set_filter_mode("below")
    assert window.proxy.rowCount() == expected
    window.set_threshold(0.0)
    assert window.proxy.rowCount() == 0
    assert window.settings.threshold("focus") == 0.0


def test_keys_p_x_u_decide_and_advance(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    open_and_score(qtbot, window, photo_folder(6))
    window.set_sort_key("name", by_user=True)
    view = window.view
    view.setFocus()
    view.setCurrentIndex(window.proxy.index(0, 0))
    names = [window.proxy.index(i, 0).data(Role.RECORD) for i in range(6)]
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert names[0].decision == "keep"
    assert window.current_record() is names[1]  # auto-advance
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert names[1].decision == "reject"
    assert window.current_record() is names[2]
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert window.current_record() is names[1]
    qtbot.keyClick(view, Qt.Key.Key_U)
    assert names[1].decision is None
    # hand decisions override the threshold: "reject all below" leaves the kept one alone
    window.set_threshold(100.0)
    window.reject_below_threshold()
    assert names[0].decision == "keep"
    assert all(r.decision == "reject" for r in names[1:])
    qtbot.waitUntil(lambda: "5 rejected" in window.status_label.text())


def test_cancel_leaves_no_worker_running(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(80, size=(480, 360))
    with qtbot.waitSignal(
        window.model.countsChanged,
        timeout=SCORE_TIMEOUT,
        check_params_cb=lambda: window.model.counts().scored > 0,
    ):
        window.open_folder(folder)
    qtbot.waitUntil(
        lambda: window.run is not None and window.run.done_count > 0, timeout=SCORE_TIMEOUT
    )
    run = window.run
    assert run is not None
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT) as blocker:
        window.cancel_button.click()
    assert blocker.args == [False]
    assert run.wait(10)
    assert window.model.counts().scored < 80
    assert not [t for t in threading.enumerate() if t.name == "reviewer-scoring"]
    qtbot.waitUntil(lambda: multiprocessing.active_children() == [], timeout=10_000)
    assert not window.progress.isVisible()


def test_changing_folder_cancels_the_old_scan(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    first = photo_folder(60, name="first", size=(480, 360))
    second = photo_folder(4, name="second")
    window.open_folder(first)
    qtbot.waitUntil(lambda: window.run is not None, timeout=SCORE_TIMEOUT)
    old = window.run
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.open_folder(second)
    assert old is not None and old.job.cancelled
    assert [r.path.parent for r in window.model.records] == [second] * 4
    assert all(r.score is not None for r in window.model.records)


def test_switching_method_rescores(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    open_and_score(qtbot, window, photo_folder(4))
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.method_combo.setCurrentIndex(window.method_combo.findData("laplacian"))
    assert window.method == "laplacian"
    assert all(r.score is not None and r.score.method == "laplacian" for r in window.model.records)
    assert window.model.threshold == get_scorer("laplacian").default_threshold
    assert window.settings.method() == "laplacian"


def test_threshold_is_remembered(qtbot: QtBot, settings: AppSettings) -> None:
    w = MainWindow(settings, jobs=1)
    qtbot.addWidget(w)
    assert w.model.threshold == get_scorer("focus").default_threshold
    w.set_threshold(37.5)
    w.close()
    again = MainWindow(settings, jobs=1)
    qtbot.addWidget(again)
    assert again.model.threshold == 37.5
    assert again.histogram.threshold == 37.5


def test_drop_a_folder_opens_it(qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder) -> None:
    folder = photo_folder(2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.folderLoaded, timeout=10_000):
        window.dropEvent(event)
    assert window.folder == folder
    qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT).wait()


def test_unreadable_folder_is_reported_not_fatal(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.open_folder(tmp_path / "does-not-exist")
    qtbot.waitUntil(lambda: "Cannot read" in window.status_label.text(), timeout=60_000)
    assert window.model.rowCount() == 0
    assert "could not be read" in window.last_report.text()
    window.last_report.close()


def test_bad_photo_is_an_error_row(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(3)
    (folder / "IMG_9999.jpg").write_bytes(b"not a jpeg at all")
    open_and_score(qtbot, window, folder)
    bad = [r for r in window.model.records if r.path.name == "IMG_9999.jpg"][0]
    assert bad.error and bad.score is None
    qtbot.waitUntil(lambda: "1 errors" in window.status_label.text())
    window.set_filter_mode("errors")
    assert window.proxy.rowCount() == 1
    # the grid painted the broken cell without trouble
    window.view.viewport().repaint()


def test_thumbnail_size_ctrl_wheel_and_slider(qtbot: QtBot, window: MainWindow) -> None:
    start = window.delegate.thumbnail_size
    window.view.zoomRequested.emit(1)
    assert window.delegate.thumbnail_size == start + 16
    window.size_slider.setValue(120)
    assert window.delegate.thumbnail_size == 120
    assert window.view.gridSize().width() > 120
    assert window.settings.thumbnail_size() == 120


def test_results_are_applied_in_batches_and_all_before_finishing(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(30, size=(96, 72))
    updates: list[int] = []
    window.model.countsChanged.connect(lambda: updates.append(window.model.counts().scored))
    open_and_score(qtbot, window, folder)
    assert window.model.counts().scored == 30  # nothing left waiting when scoringFinished
    scored = [n for n in updates if n]
    assert scored[-1] == 30
    assert len(scored) < 30  # several results per model update, not one each


def test_the_long_lived_heap_is_frozen_once_a_folder_is_listed(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    gc.unfreeze()
    folder = photo_folder(3)
    try:
        with qtbot.waitSignal(window.folderLoaded, timeout=SCORE_TIMEOUT):
            window.open_folder(folder)
        assert gc.get_freeze_count() > 0
        records = window.model.records
        assert all(not gc.is_tracked(r) or _frozen(r) for r in records)
        qtbot.waitUntil(lambda: not window.scoring_active, timeout=SCORE_TIMEOUT)
    finally:
        gc.unfreeze()


def _frozen(obj: object) -> bool:
    """True when obj is in the permanent generation (gc.get_objects() leaves those out)."""
    return all(o is not obj for o in gc.get_objects())


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux only")
def test_scoring_workers_run_in_the_idle_scheduling_class() -> None:
    code = (
        "import os\n"
        "from reviewer.core.batch import init_background_worker\n"
        "init_background_worker()\n"
        "print(os.sched_getscheduler(0) == os.SCHED_IDLE, os.getpriority(os.PRIO_PROCESS, 0))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    nice = min(19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS)
    assert out.stdout.split() == ["True", str(nice)]


def test_time_sort_uses_the_cameras_clock_before_scoring(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from PIL import Image

    folder = tmp_path / "card"
    folder.mkdir()
    # names in one order, capture times in the reverse one (as after a camera's counter reset)
    for i in range(4):
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = f"2026:05:01 10:00:{10 - 2 * i:02d}"  # DateTimeOriginal
        Image.fromarray(np.full((60, 80, 3), 40 * i, np.uint8)).save(
            folder / f"DSC_{i}.jpg", exif=exif
        )
    window.set_sort_key("time", by_user=True)
    with qtbot.waitSignal(window.captureTimesLoaded, timeout=30_000):
        window.open_folder(folder)
    rows = [window.proxy.mapToSource(window.proxy.index(r, 0)).row() for r in range(4)]
    names = [window.model.record(row).path.name for row in rows]
    assert names == ["DSC_3.jpg", "DSC_2.jpg", "DSC_1.jpg", "DSC_0.jpg"]


def test_a_finished_scoring_run_is_freed(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every folder open starts a run holding the folder's paths; none may outlive its scan
    runs: list[weakref.ref[ScoringRun]] = []

    class RecordedRun(ScoringRun):
        def start(self) -> None:
            runs.append(weakref.ref(self))
            super().start()

    monkeypatch.setattr("reviewer.gui.main_window.ScoringRun", RecordedRun)
    for name in ("first", "second", "third"):
        with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
            window.open_folder(photo_folder(4, name=name))
    assert len(runs) == 3
    assert [run() for run in runs] == [None, None, None]  # freed when done, not by a collection
