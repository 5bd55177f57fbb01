"""Model (under Qt's model tester), proxy, delegate painting and the histogram slider."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from reviewer.core.batch import PhotoResult
from reviewer.core.catalog import Shot
from reviewer.core.scoring.base import Score
from reviewer.gui.histogram_slider import HistogramSlider
from reviewer.gui.photo_model import PhotoModel, Role
from reviewer.gui.sort_filter_proxy import PhotoFilterProxy
from reviewer.gui.thumbnail_delegate import ThumbnailDelegate
from reviewer.gui.thumbnails import ThumbnailCache, ThumbnailLoader, qimage_from_rgb

from .conftest import MakeFolder


def shots(n: int, folder: Path = Path("/photos")) -> list[Shot]:
    return [
        Shot(
            f"IMG_{i}",
            folder / f"IMG_{i}.jpg",
            (folder / f"IMG_{i}.jpg",),
            size_bytes=1000 + i,
            mtime=1_000_000.0 - i,
        )
        for i in range(n)
    ]


def result(
    path: Path,
    value: float | None,
    error: str | None = None,
    kind: str = "none",
    exposure: str = "ok",
) -> PhotoResult:
    score = None if value is None else Score("focus", value, 50.0, exposure, kind)  # type: ignore[arg-type]
    return PhotoResult(path, "focus", score, 100, 80, None, error)


@pytest.fixture
def model(qtmodeltester: object) -> PhotoModel:
    m = PhotoModel()
    qtmodeltester.check(m)  # type: ignore[attr-defined]  # stays attached: checks every change
    return m


def test_model_through_its_life(model: PhotoModel) -> None:
    model.set_shots(shots(6))
    assert model.rowCount() == 6
    for i, v in enumerate([10.0, 80.0, 45.0, 60.0, None, 5.0]):
        path = model.record(i).path
        model.apply_result(result(path, v, error="broken" if v is None else None))
    assert not model.apply_result(result(Path("/elsewhere.jpg"), 1.0))
    c = model.counts()
    assert (c.photos, c.scored, c.below, c.errors) == (6, 5, 3, 1)
    model.set_threshold(50.0)
    model.set_threshold(70.0)
    assert model.counts().below == 4
    assert model.data(model.index(3, 0), Role.BELOW) is True
    assert model.data(model.index(4, 0), Role.STATE) == "error"
    model.set_decision([model.record(0)], "keep")
    assert model.reject_below_threshold() == 3  # rows 2, 3, 5; row 0 was kept by hand
    assert model.record(0).decision == "keep"
    rejected = model.rejected()
    assert model.counts().rejected_bytes == sum(r.shot.size_bytes for r in rejected)
    model.remove_records(rejected)
    assert [r.order for r in model.records] == [0, 1, 4]
    model.insert_records(rejected)
    assert [r.order for r in model.records] == list(range(6))
    model.clear_scores()
    assert model.counts().scored == 0
    model.clear()
    assert model.rowCount() == 0


def test_proxy_filters_and_sorts(qtmodeltester: object) -> None:
    model = PhotoModel()
    model.set_shots(shots(5))
    proxy = PhotoFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]
    values = [30.0, 90.0, None, 10.0, 70.0]
    for i, v in enumerate(values):
        if v is not None:
            model.apply_result(result(model.record(i).path, v))
    names = lambda: [proxy.index(r, 0).data(Role.RECORD).order for r in range(proxy.rowCount())]  # noqa: E731
    assert names() == [0, 1, 2, 3, 4]
    proxy.set_sort_key("sharpness")
    assert names() == [3, 0, 4, 1, 2]  # blurriest first, unscored last
    proxy.set_sort_key("time")  # mtime decreases with the index
    assert names() == [4, 3, 2, 1, 0]
    proxy.set_filter_mode("below")
    assert sorted(names()) == [0, 3]
    model.set_threshold(80.0)  # rows cross the threshold: the filter follows
    assert sorted(names()) == [0, 3, 4]
    by_order = {r.order: r for r in model.records}  # sorting reorders the model's rows
    model.set_decision([by_order[1]], "keep")
    proxy.set_filter_mode("kept")
    assert names() == [1]
    proxy.set_filter_mode("rejected")
    assert names() == []
    model.apply_result(result(by_order[2].path, None, error="bad"))
    proxy.set_filter_mode("errors")
    assert names() == [2]


def paint_cell(
    delegate: ThumbnailDelegate, model: PhotoModel, row: int, selected: bool = False
) -> QImage:
    size = delegate.cell_size()
    img = QImage(size.width(), size.height(), QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, size.width(), size.height())
    option.state = QStyle.StateFlag.State_Enabled | (
        QStyle.StateFlag.State_Selected if selected else QStyle.StateFlag.State_None
    )
    painter = QPainter(img)
    delegate.paint(painter, option, model.index(row, 0))
    painter.end()
    return img


def redness(img: QImage, x: int, y: int) -> int:
    c = img.pixelColor(x, y)
    return c.red() - (c.green() + c.blue()) // 2


def test_delegate_paints_every_state_without_warnings(qtbot: QtBot) -> None:
    model = PhotoModel()
    model.set_shots(shots(6))
    cache = ThumbnailCache()
    loader = ThumbnailLoader(
        cache, threads=1, thumbnail_fn=lambda p, e: np.zeros((1, 1, 3), np.uint8)
    )
    grey = np.full((150, 200, 3), 128, np.uint8)
    for rec in model.records[:5]:
        cache.put(rec.path, qimage_from_rgb(grey), 1)
    model.apply_result(result(model.record(0).path, 80.0))
    model.apply_result(result(model.record(1).path, 20.0, kind="motion", exposure="dark"))
    model.apply_result(result(model.record(2).path, 20.0, kind="defocus", exposure="bright"))
    model.apply_result(result(model.record(3).path, None, error="cannot decode"))
    model.set_decision([model.record(2)], "reject")
    model.set_decision([model.record(4)], "keep")
    delegate = ThumbnailDelegate(loader)
    delegate.set_thumbnail_size(160)
    sharp, below, rejected = (paint_cell(delegate, model, i) for i in range(3))
    error, kept, missing = (paint_cell(delegate, model, i) for i in range(3, 6))
    paint_cell(delegate, model, 0, selected=True)
    cx, cy = 6 + 80, 6 + 60  # inside the thumbnail, away from badges
    assert redness(sharp, cx, cy) == 0  # plain grey
    assert redness(below, cx, cy) > 20  # red tint below the threshold
    assert rejected.pixelColor(cx, cy).lightness() < sharp.pixelColor(cx, cy).lightness()
    # frames on the thumbnail's edge: red for rejected, green for kept
    edge_y = 6 + (160 - 120) // 2 + 1  # top edge of the 160x120 picture
    assert redness(rejected, cx, edge_y) > 100
    k = kept.pixelColor(cx, edge_y)
    assert k.green() > k.red() + 60
    assert error.pixelColor(cx, cy).lightness() < sharp.pixelColor(cx, cy).lightness()
    assert missing.pixelColor(cx, cy) == QColor(60, 60, 64)  # placeholder...
    qtbot.waitUntil(lambda: model.record(5).path in cache)  # ...and a decode was asked for
    assert delegate.painted_cells == 7
    loader.shutdown()


def test_histogram_slider_mouse_keys_and_counts(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    hist = HistogramSlider(parent)
    hist.resize(420, 90)
    hist.set_range(0, 100)
    hist.set_values(np.array([5.0, 15.0, 25.0, 55.0, 75.0, 95.0]))
    parent.show()
    qtbot.waitExposed(parent)
    assert hist.below_count() == 3  # threshold 50
    r = hist._plot_rect()
    x = int(r.left() + 0.8 * r.width())
    with qtbot.waitSignal(hist.thresholdChanged) as blocker:
        qtbot.mouseClick(hist, Qt.MouseButton.LeftButton, pos=QPoint(x, 40))
    assert blocker.args[0] == pytest.approx(80, abs=0.5)
    assert hist.below_count() == 5
    hist.setFocus()
    before = hist.threshold
    qtbot.keyClick(hist, Qt.Key.Key_Left)
    assert hist.threshold == pytest.approx(before - 1)
    qtbot.keyClick(hist, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert hist.threshold == pytest.approx(before + 9)
    hist.set_threshold(1000)
    assert hist.threshold == 100  # clamped to the range
    hist.grab()  # paints without warnings


def test_results_repaint_only_the_rows_they_change(model: PhotoModel) -> None:
    model.set_shots(shots(200))
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row())))
    rows = [3, 4, 5, 90, 150, 151]
    assert model.apply_results([result(model.record(r).path, 40.0) for r in rows]) == 6
    assert changed == [(3, 5), (90, 90), (150, 151)]  # not one range over rows 3..151
    assert model.counts().scored == 6
    # past MAX_CHANGED_RUNS separate runs, one span is cheaper than a signal each
    changed.clear()
    spread = list(range(0, 200, 2))
    model.apply_results([result(model.record(r).path, 60.0) for r in spread])
    assert changed == [(0, 198)]


def test_capture_times_read_ahead_of_scoring_reorder_a_time_sort(model: PhotoModel) -> None:
    from datetime import datetime

    from reviewer.core.metadata import CaptureInfo

    model.set_shots(shots(4))  # mtimes fall with the index: a time sort by mtime is 3, 2, 1, 0
    model.sort_by("time")
    assert [r.path.name for r in model.records] == [f"IMG_{i}.jpg" for i in (3, 2, 1, 0)]
    # the cameras say otherwise (a copy from the card reset the mtimes); IMG_2 has no date
    taken = {
        0: datetime(2026, 5, 1, 10, 0, 0),
        1: datetime(2026, 5, 1, 10, 0, 5),
        3: datetime(2026, 5, 1, 10, 0, 9),
    }
    infos = {Path(f"/photos/IMG_{i}.jpg"): CaptureInfo(captured_at=taken.get(i)) for i in range(4)}
    assert model.apply_capture_info(infos) == 4
    # IMG_2 keeps its mtime (1970), so it comes first
    order = [r.path.name for r in model.records]
    assert order == ["IMG_2.jpg", "IMG_0.jpg", "IMG_1.jpg", "IMG_3.jpg"]
    row = model.row_of(Path("/photos/IMG_3.jpg"))
    assert row is not None
    assert model.data(model.index(row, 0), Role.CAPTURE_TIME) == taken[3].timestamp()
    # what scoring already read is not overwritten
    assert model.apply_capture_info(infos) == 0


def test_capture_time_read_gives_up_once_the_folder_is_left(
    photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.core import metadata
    from reviewer.gui.workers import CAPTURE_CHECK_EVERY, capture_info_task

    paths = sorted(photo_folder(100, size=(32, 24)).iterdir())
    read: list[Path] = []
    real = metadata.read_capture_info

    def counted(path: Path) -> metadata.CaptureInfo:
        read.append(path)
        return real(path)

    monkeypatch.setattr(metadata, "read_capture_info", counted)
    infos = capture_info_task(paths, lambda: True)()
    assert infos is not None and set(infos) == set(paths) and len(read) == 100
    read.clear()
    assert capture_info_task(paths, lambda: False)() is None
    assert len(read) == CAPTURE_CHECK_EVERY  # stopped at its first check, not after all 100


def test_badges_are_the_same_size_on_portrait_and_landscape_thumbnails(qtbot: QtBot) -> None:
    model = PhotoModel()
    model.set_shots(shots(2))
    cache = ThumbnailCache()
    loader = ThumbnailLoader(
        cache, threads=1, thumbnail_fn=lambda p, e: np.zeros((1, 1, 3), np.uint8)
    )
    portrait = np.full((200, 120, 3), 128, np.uint8)
    landscape = np.full((120, 200, 3), 128, np.uint8)
    cache.put(model.record(0).path, qimage_from_rgb(portrait), 1)
    cache.put(model.record(1).path, qimage_from_rgb(landscape), 1)
    for rec in model.records:
        model.apply_result(result(rec.path, 80.0))
        model.set_decision([rec], "keep")
    delegate = ThumbnailDelegate(loader)
    delegate.set_thumbnail_size(200)

    def extent(img: QImage, color: QColor) -> tuple[int, int]:
        """Width and height of the pixels of exactly this colour."""
        arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4)
        ys, xs = np.nonzero(
            (arr[..., 2] == color.red())
            & (arr[..., 1] == color.green())
            & (arr[..., 0] == color.blue())
        )
        return int(xs.max() - xs.min()), int(ys.max() - ys.min())

    from reviewer.gui.thumbnail_delegate import SHARP_COLOR

    tall, wide = paint_cell(delegate, model, 0), paint_cell(delegate, model, 1)
    assert extent(tall, SHARP_COLOR) == extent(wide, SHARP_COLOR)  # the score badge
    loader.shutdown()
