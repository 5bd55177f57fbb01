"""The detail view (real analysis with maps) and the event loop staying responsive."""

from __future__ import annotations

import gc
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QPointF, Qt, QTimer
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from reviewer.gui.main_window import MainWindow
from reviewer.gui.workers import load_full_resolution

from .conftest import MakeFolder


def test_detail_view_explains_the_score(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(3, size=(400, 300))
    with qtbot.waitSignal(window.scoringFinished, timeout=60_000):
        window.open_folder(folder)
    window.set_sort_key("name", by_user=True)
    window.view.setCurrentIndex(window.proxy.index(0, 0))  # IMG_0000: blurred
    window.view.setFocus()
    with qtbot.waitSignal(window.detailLoaded, timeout=30_000) as blocker:
        qtbot.keyClick(window.view, Qt.Key.Key_Space)
    analysis = blocker.args[0]
    dialog = window.detail
    assert dialog is not None and dialog.isVisible()
    assert analysis.error is None and analysis.score is not None
    assert analysis.score.maps is not None
    for pane in dialog.panes.panes:
        assert pane.image_item.pixmap().width() == 400
    text = dialog.explanation.text()
    assert "Edge energy" in text and "after re-blur" in text and "blurry" in text
    assert dialog.meta_labels["Camera"].text() == "—"
    # heatmap overlay toggles (H), over the photo and its edge map
    assert not dialog.photo_pane.overlay_item.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_H)
    assert dialog.photo_pane.overlay_item.isVisible()
    assert dialog.edges_pane.overlay_item.isVisible()
    # 100% zoom, then panning one pane pans all of them
    dialog.resize(900, 700)
    dialog.panes.zoom_100()
    dialog.panes.zoom_by(2.0)
    bar = dialog.reblurred_pane.horizontalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    vbar = dialog.edges_pane.verticalScrollBar()
    vbar.setValue(vbar.maximum() // 3)
    centres = dialog.panes.visible_centres()
    xs, ys = [c[0] for c in centres], [c[1] for c in centres]
    assert max(xs) - min(xs) <= 1.0 and max(ys) - min(ys) <= 1.0
    assert 150 < xs[0] < 250  # panned to the middle of the 400 px photo
    assert all(p.transform().m11() == 2.0 for p in dialog.panes.panes)
    # deciding in the detail view marks the photo and moves on to the next one
    with qtbot.waitSignal(window.detailLoaded, timeout=30_000) as nxt:
        qtbot.keyClick(dialog, Qt.Key.Key_X)
    assert window.model.records[0].decision == "reject"
    assert nxt.args[0].path.name == "IMG_0001.jpg"
    dialog.close()


def test_100_percent_shows_the_files_own_pixels(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    # 3000 x 2000 is scored at 1500 x 1000 (JPEG DCT scale 1/2); 100 % must be the file's pixels
    folder = photo_folder(2, size=(3000, 2000), blurry_every=0)
    with qtbot.waitSignal(window.scoringFinished, timeout=60_000):
        window.open_folder(folder)
    window.set_sort_key("name", by_user=True)
    window.view.setCurrentIndex(window.proxy.index(0, 0))
    with qtbot.waitSignal(window.detailFullResolution, timeout=60_000) as full:
        window.open_detail()
    dialog = window.detail
    assert dialog is not None and dialog.analysis is not None and dialog.analysis.rgb is not None
    assert dialog.analysis.rgb.shape[:2] == (1000, 1500)  # what was scored
    assert full.args[0].image.width() == 3000 and full.args[0].image.height() == 2000
    assert dialog.photo_pane.showing_full_resolution
    # every pane is laid out in the file's pixels, so they pan in step at any zoom
    for pane in dialog.panes.panes:
        assert (pane.sceneRect().width(), pane.sceneRect().height()) == (3000, 2000)
        # the decoded photo and the maps (measured smaller still), enlarged to the file's pixels
        shown_width = pane.image_item.pixmap().width()
        assert pane.image_item.transform().m11() == pytest.approx(3000 / shown_width)
    assert dialog.photo_pane.image_item.pixmap().width() == 1500
    assert dialog.edges_pane.image_item.pixmap().width() == 1280  # the focus scoring size
    assert "1280×853 px analysed (decoded at 1500×1000" in dialog.status.text()
    # the heatmap covers the same regions over the photo (1500 px) and its edge map (1280 px)
    over_photo = dialog.photo_pane.overlay_item.sceneBoundingRect()
    over_edges = dialog.edges_pane.overlay_item.sceneBoundingRect()
    assert over_photo.width() == pytest.approx(over_edges.width(), rel=0.01)
    assert over_photo.height() == pytest.approx(over_edges.height(), rel=0.01)
    assert 3000 <= over_edges.width() < 3000 + 3000 / 20  # at most one partial tile beyond
    dialog.resize(900, 700)
    dialog.panes.zoom_100(QPointF(1500, 1000))
    qtbot.wait_until(lambda: dialog.photo_pane.viewport().width() > 100)
    pane = dialog.photo_pane
    shown = pane.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = shown.width(), shown.height()
    top_left = pane.mapToScene(0, 0)
    x0, y0 = round(top_left.x()), round(top_left.y())
    screen = np.frombuffer(shown.constBits(), np.uint8).reshape(h, shown.bytesPerLine())
    screen = screen[:, : w * 3].reshape(h, w, 3)[10:-10, 10:-10].astype(np.int16)
    source = cv2.cvtColor(cv2.imread(str(folder / "IMG_0000.jpg")), cv2.COLOR_BGR2RGB)
    crop = source[y0 + 10 : y0 + h - 10, x0 + 10 : x0 + w - 10].astype(np.int16)
    half = cv2.resize(source, (1500, 1000), interpolation=cv2.INTER_AREA)
    enlarged = cv2.resize(half, (3000, 2000), interpolation=cv2.INTER_LINEAR)
    upscaled = enlarged[y0 + 10 : y0 + h - 10, x0 + 10 : x0 + w - 10].astype(np.int16)
    assert np.abs(screen - crop).mean() < 1.0  # the file's own pixels, one to one
    assert np.abs(screen - upscaled).mean() > 3 * max(np.abs(screen - crop).mean(), 0.3)
    dialog.close()


def test_full_size_of_a_damaged_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    cv2.imwrite(str(good), np.full((300, 400, 3), 90, np.uint8))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[:200])  # truncated inside the headers
    full = load_full_resolution(cut)
    assert full.image is None and full.error
    full = load_full_resolution(good)
    assert full.error is None and full.image is not None
    assert (full.image.width(), full.image.height()) == (400, 300)
    assert full.image.format() == QImage.Format.Format_RGB32  # painted as it is


def test_full_size_decoder_failure_is_an_error_not_a_lost_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a decoding library failing in a way it does not document (the boundary): the detail view
    # must still get a result with the reason, which it shows, rather than nothing at all
    def broken(path: Path, long_edge: int) -> None:
        raise RuntimeError("libraw: unsupported layout")

    monkeypatch.setattr("reviewer.core.decode.load_working_image", broken)
    full = load_full_resolution(tmp_path / "any.nef")
    assert full.image is None
    assert full.error == "unexpected RuntimeError: libraw: unsupported layout"


def _gui_thread_schedstat() -> tuple[float, float] | None:
    """(ms on a core, ms waiting for one) of the calling thread so far; None off Linux."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            on_cpu, waiting = f.read().split()[:2]
    except (OSError, ValueError):
        return None
    return int(on_cpu) / 1e6, int(waiting) / 1e6


@dataclass
class ScanStalls:
    """The event loop's gaps during one scan, and what the GUI thread did in the longest."""

    scan_s: float
    ticks: int
    worst_ms: float
    worst_at_ms: float
    worst_on_cpu_ms: float | None  # the GUI thread's own work in that gap
    worst_waiting_ms: float | None  # runnable, but every core was taken

    def __str__(self) -> str:
        where = ""
        if self.worst_on_cpu_ms is not None and self.worst_waiting_ms is not None:
            blocked = self.worst_ms - self.worst_on_cpu_ms - self.worst_waiting_ms
            where = (
                f" (GUI thread: {self.worst_on_cpu_ms:.0f} ms working, "
                f"{self.worst_waiting_ms:.0f} ms waiting for a core, "
                f"{max(blocked, 0):.0f} ms blocked on a lock or the GIL)"
            )
        return (
            f"scored in {self.scan_s:.1f} s, {self.ticks} ticks; longest event-loop stall "
            f"{self.worst_ms:.0f} ms at {self.worst_at_ms:.0f} ms{where}"
        )


def _scan_and_time_the_event_loop(qtbot: QtBot, window: MainWindow, folder: Path) -> ScanStalls:
    # Earlier tests in this process leave a large heap; a full garbage collection of it would
    # be measured here though the app never has it. Start from a clean heap, as the app does
    # (run_app freezes its start-up objects the same way).
    gc.collect()
    gc.freeze()
    clock = QElapsedTimer()
    clock.start()
    ticks: list[tuple[float, float, tuple[float, float] | None]] = []  # (at, gap, schedstat)
    last = [float(clock.elapsed())]

    def tick() -> None:
        now = float(clock.elapsed())
        ticks.append((now, now - last[0], _gui_thread_schedstat()))
        last[0] = now

    timer = QTimer(interval=5)
    timer.timeout.connect(tick)
    scroll = QTimer(interval=40)  # a user scrolling through the grid meanwhile
    bar = window.view.verticalScrollBar()
    scroll.timeout.connect(lambda: bar.setValue((bar.value() + 90) % max(bar.maximum(), 1)))
    timer.start()
    scroll.start()
    t0 = time.perf_counter()
    with qtbot.waitSignal(window.scoringFinished, timeout=170_000) as blocker:
        window.open_folder(folder)
    elapsed = time.perf_counter() - t0
    timer.stop()
    scroll.stop()
    gc.unfreeze()
    assert blocker.args == [True]
    assert window.model.counts().scored == len(list(folder.iterdir()))
    assert len(ticks) > 50
    i = max(range(len(ticks)), key=lambda k: ticks[k][1])
    at, worst, after = ticks[i]
    before = ticks[i - 1][2] if i > 0 else None
    on_cpu = waiting = None
    if before is not None and after is not None:
        on_cpu, waiting = after[0] - before[0], after[1] - before[1]
    return ScanStalls(elapsed, len(ticks), worst, at, on_cpu, waiting)


_GUI_THREAD_OPENS: list[str] = []
_WATCHING: list[tuple[int, str]] = []  # (GUI thread id, folder prefix) while a scan is watched


def _record_gui_thread_opens(event: str, args: tuple[object, ...]) -> None:
    # an audit hook lives as long as the process: it records only while a test watches
    if event != "open" or not _WATCHING or not args:
        return
    thread, prefix = _WATCHING[0]
    if threading.get_ident() == thread and str(args[0]).startswith(prefix):
        _GUI_THREAD_OPENS.append(str(args[0]))


def test_window_never_reads_a_photo_on_the_gui_thread_during_a_1000_photo_scan(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GUI thread never waits on disk or on pixels: during a scan with the user scrolling,
    no photo of the folder is opened and no pixels are decoded on it. This asserts which work
    ran where, which no load on the machine can change; bench/gui.py prints the stall times."""
    folder = photo_folder(1000, size=(96, 72), blurry_every=4)
    gui_thread = threading.get_ident()
    decoded_on_gui: list[str] = []
    for name in ("imread", "imdecode"):
        real = getattr(cv2, name)

        def watched(*a: object, _real: object = real, _name: str = name) -> object:
            if threading.get_ident() == gui_thread:
                decoded_on_gui.append(_name)
            return _real(*a)  # type: ignore[operator]

        monkeypatch.setattr(cv2, name, watched)
    if not _WATCHING and not getattr(sys, "_reviewer_open_hook", False):
        sys.addaudithook(_record_gui_thread_opens)
        sys._reviewer_open_hook = True  # type: ignore[attr-defined]
    _GUI_THREAD_OPENS.clear()
    _WATCHING.append((gui_thread, str(folder)))
    try:
        stalls = _scan_and_time_the_event_loop(qtbot, window, folder)
    finally:
        _WATCHING.clear()
    print(f"1000 photos {stalls}")
    assert _GUI_THREAD_OPENS == [], _GUI_THREAD_OPENS[:5]
    assert decoded_on_gui == []


def test_detail_keys_work_whichever_control_has_focus(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    """Arrows change photo even with a button or the heatmap box focused; Z toggles 100%."""
    folder = photo_folder(3)
    with qtbot.waitSignal(window.scoringFinished, timeout=120_000):
        window.open_folder(folder)
    window.select_record(window.model.records[0])
    with qtbot.waitSignal(window.detailLoaded, timeout=60_000):
        window.open_detail()
    dialog = window.detail
    assert dialog is not None
    dialog.heatmap_box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    dialog.heatmap_box.setFocus()
    first = window.current_record()
    with qtbot.waitSignal(window.detailLoaded, timeout=60_000):
        qtbot.keyClick(dialog.heatmap_box, Qt.Key.Key_Right)
    assert window.current_record() is not first
    assert dialog.panes.fit
    qtbot.keyClick(dialog.heatmap_box, Qt.Key.Key_Z)
    assert not dialog.panes.fit
    qtbot.keyClick(dialog.heatmap_box, Qt.Key.Key_Z)
    assert dialog.panes.fit
    dialog.close()
