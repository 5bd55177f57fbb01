"""The window shows judging's verdicts: unsure photos stand apart, bulk reject leaves them, and
the detail view says why and outlines the region that decided."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pytestqt.qtbot import QtBot

from reviewer.core.judging.verdict import Box, Judgement
from reviewer.gui.detail_view import region_boxes, verdict_line
from reviewer.gui.main_window import MainWindow
from reviewer.gui.workers import Analysis, analyse

from .conftest import MakeFolder, write_jpeg

SCORE_TIMEOUT = 180_000


def test_a_flat_frame_is_unsure_listed_apart_and_never_bulk_rejected(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(4, blurry_every=2)
    write_jpeg(folder / "IMG_9000.jpg", np.full((180, 240, 3), 128, np.uint8))  # nothing to judge
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.open_folder(folder)
    flat = next(r for r in window.model.records if r.path.name == "IMG_9000.jpg")
    assert flat.unsure and flat.state(window.model.threshold) == "unsure"
    assert flat.reason
    window.set_threshold(100.0)  # every photo is below it now
    window.set_filter_mode("unsure")
    assert window.proxy.rowCount() == 1
    window.reject_below_threshold()
    assert flat.decision is None
    assert all(r.decision == "reject" for r in window.model.records if r is not flat)
    assert "1 unsure" in window.status_label.text() or window.model.counts().unsure == 1


def test_detail_view_says_why_and_outlines_the_af_points(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_1.jpg"
    from .conftest import sharp_image

    write_jpeg(photo, sharp_image(3, (480, 360)))
    analysis = analyse(photo, "focus")
    assert analysis.judgement is not None
    assert analysis.judgement.verdict in ("sharp", "blurry", "unsure")
    assert analysis.judgement.reason in verdict_line(analysis)
    af = Box(0.4, 0.4, 0.1, 0.1)
    face = Box(0.1, 0.1, 0.2, 0.2)
    decided = Analysis(
        photo, "focus", judgement=Judgement("sharp", "face 1.1 px", 1.1, "face", (face,)),
        af_points=(af,),
    )  # fmt: skip
    boxes = [b for b, _ in region_boxes(decided)]
    assert boxes == [af, face]
    assert "a face" in verdict_line(decided) and "AF points are outlined" in verdict_line(decided)
