"""The window judges each photo against its burst: stacks in the grid (a count badge, the best
frame marked, collapse/expand), the in-context verdict in the state, the tooltip and the detail
view, and bulk reject taking frames much blurrier than their burst's best, never the best."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pytestqt.qtbot import QtBot

from reviewer.core.catalog import Shot
from reviewer.core.judging.verdict import Judgement
from reviewer.core.scoring.base import Score
from reviewer.gui.main_window import MainWindow
from reviewer.gui.photo_model import InBurst, PhotoModel
from reviewer.gui.sort_filter_proxy import PhotoFilterProxy
from reviewer.gui.thumbnail_delegate import BEST_COLOR, stack_text
from reviewer.gui.workers import Analysis

from .conftest import blurred, sharp_image, write_jpeg

SCORE_TIMEOUT = 180_000
JUDGE_TIMEOUT = 60_000


def burst_folder(folder: Path) -> Path:
    """B_0..B_4: one scene five times (three sharp, one mildly blurred that scores about 40,
    one very blurred), and three photos of other scenes."""
    base = sharp_image(4, (480, 360))
    rng = np.random.default_rng(0)
    for i, sigma in enumerate((0.0, 0.0, 0.0, 0.9, 2.5)):
        img = base if sigma == 0 else blurred(base, sigma)
        noise = rng.integers(-3, 4, img.shape)
        write_jpeg(folder / f"B_{i}.jpg", np.clip(img + noise, 0, 255).astype(np.uint8))
    for i in range(3):
        write_jpeg(folder / f"S_{i}.jpg", sharp_image(20 + i * 7, (480, 360)))
    return folder


def test_bursts_are_judged_after_scoring_shown_as_stacks_and_bulk_rejected_in_context(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    folder = burst_folder(tmp_path / "shoot")
    with qtbot.waitSignal(window.bursts.judged, timeout=SCORE_TIMEOUT):
        window.open_folder(folder)
    recs = {r.path.name: r for r in window.model.records}
    t = window.model.threshold
    burst = [recs[f"B_{i}.jpg"] for i in range(5)]
    assert all(r.signature is not None for r in window.model.records)  # kept from scoring
    assert len({r.group for r in burst}) == 1 and burst[0].group
    assert all(r.group_size == 5 for r in burst)
    assert sum(r.group_best for r in burst) == 1
    best = next(r for r in burst if r.group_best)
    assert best.path.name in ("B_0.jpg", "B_1.jpg", "B_2.jpg")
    assert all(recs[f"S_{i}.jpg"].group == "" for i in range(3))
    mild, very = burst[3], burst[4]
    assert mild.context is not None and mild.context.verdict == "blurry"
    assert "blurrier than the best frame of its burst" in mild.reason
    assert mild.state(t) == "below" and not mild.unsure
    tip = window.model.data(window.model.index_of(mild), 3)  # ToolTipRole
    assert "blurrier than the best frame of its burst" in str(tip)
    assert "burst of 5" in str(tip)
    assert stack_text(best) == "▣ 5 best" and stack_text(mild) == "▣ 5"
    assert stack_text(recs["S_0.jpg"]) == ""
    # painted: the best frame's badge in its colour
    img = window.view.viewport().grab().toImage()
    pixels = {
        img.pixelColor(x, y).getRgb()[:3]
        for x in range(0, img.width(), 2)
        for y in range(0, img.height(), 2)
    }
    assert BEST_COLOR.getRgb()[:3] in pixels

    # the detail view's verdict line says it too
    from reviewer.gui.bursts import in_context_analysis

    alone = Analysis(mild.path, "focus", judgement=Judgement("unsure", "3.1 px blur", 3.1))
    shown = in_context_analysis(alone, mild, t)
    assert shown.judgement is not None and shown.judgement.verdict == "blurry"
    assert "best frame of its burst" in shown.judgement.reason

    # collapsed: one frame per burst, the best; expanded: all
    window.collapse_action.trigger()
    assert window.proxy.rowCount() == 4
    shown_names = {window.proxy.index(i, 0).data(0) for i in range(4)}
    assert best.shot.label() in shown_names
    # remembered: a new window starts collapsed
    assert window.settings.collapse_bursts()
    other = MainWindow(window.settings, jobs=1)
    qtbot.addWidget(other)
    assert other.collapse_action.isChecked() and other.proxy.collapse_bursts
    other.close()
    window.collapse_action.trigger()
    assert window.proxy.rowCount() == 8
    assert not window.settings.collapse_bursts()

    # a threshold just above the mild frame's score: still blurry in context, judged again
    # off the GUI thread at the new threshold
    assert mild.score is not None
    new_t = float(np.floor(mild.score.value)) - 1.0
    with qtbot.waitSignal(window.bursts.judged, timeout=JUDGE_TIMEOUT):
        window.set_threshold(new_t)
    assert mild.context_threshold == new_t
    assert mild.score.value > new_t and mild.is_below(new_t) and mild.state(new_t) == "below"

    # the detail view: the verdict and reason against the burst, in the title and first line
    window.view.setCurrentIndex(window.proxy.mapFromSource(window.model.index_of(mild)))
    with qtbot.waitSignal(window.detailLoaded, timeout=JUDGE_TIMEOUT):
        window.open_detail()
    assert window.detail is not None
    assert "(blurry)" in window.detail.title.text()
    assert "blurrier than the best frame of its burst" in window.detail.explanation.text()

    window.reject_below_threshold()
    assert mild.decision == "reject" and very.decision == "reject"
    assert best.decision is None
    assert all(r.decision is None for r in window.model.records if r not in (mild, very))


def test_a_scored_folder_reopened_from_the_cache_is_judged_in_context(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    folder = burst_folder(tmp_path / "shoot")
    other = tmp_path / "other"
    write_jpeg(other / "X.jpg", sharp_image(3))
    with qtbot.waitSignal(window.bursts.judged, timeout=SCORE_TIMEOUT):
        window.open_folder(folder)
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.open_folder(other)
    with qtbot.waitSignal(window.bursts.judged, timeout=JUDGE_TIMEOUT):
        window.open_folder(folder)  # every score from the catalog: no scoring run
    recs = {r.path.name: r for r in window.model.records}
    assert recs["B_0.jpg"].group_size == 5 and recs["B_0.jpg"].signature is not None
    assert recs["B_4.jpg"].context is not None and recs["B_4.jpg"].context.verdict == "blurry"


def _model(n: int) -> PhotoModel:
    model = PhotoModel()
    paths = [Path(f"/p/IMG_{i}.jpg") for i in range(n)]
    model.set_shots([Shot(p.stem, p, (p,)) for p in paths])
    return model


def test_the_state_follows_the_verdict_in_context_only_at_its_threshold(qtbot: QtBot) -> None:
    model = _model(3)
    scores = [Score("focus", v, 50.0) for v in (45.0, 60.0, 40.0)]
    for rec, s in zip(model.records, scores, strict=True):
        rec.score = s
    judged = {
        model.records[0].path: InBurst("1", 3, True, Judgement("sharp", "best frame")),
        model.records[1].path: InBurst(
            "1",
            3,
            False,
            Judgement("blurry", "2.4× blurrier than the best frame of its burst"),
        ),
        model.records[2].path: InBurst("1", 3, False, Judgement("unsure", "?")),
    }
    with qtbot.waitSignal(model.dataChanged):
        taken = model.apply_context(judged, 50.0, {r.path: r.score for r in model.records})
    assert len(taken) == 3
    a, b, c = model.records
    assert [r.state(50.0) for r in (a, b, c)] == ["sharp", "below", "unsure"]
    assert model.counts().below == 2  # b blurry in context, c under the threshold
    # at another threshold the scores decide again until judged anew (unsure stays)
    assert [r.state(55.0) for r in (a, b, c)] == ["below", "sharp", "unsure"]
    assert model.reject_below_threshold() == 1 and b.decision == "reject"
    proxy = PhotoFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_collapse_bursts(True)
    assert proxy.rowCount() == 1
    # a photo scored again loses its context; a judging made before that is not applied
    from reviewer.core.batch import PhotoResult

    model.apply_result(PhotoResult(a.path, "focus", score=Score("focus", 70.0, 50.0)))
    assert a.group == "" and a.context is None
    assert model.apply_context({a.path: judged[a.path]}, 50.0, {a.path: scores[0]}) == []


def test_judging_waits_for_scoring_and_drops_results_for_rows_no_longer_shown(
    qtbot: QtBot,
) -> None:
    from types import SimpleNamespace

    from reviewer.core.cull.model import CullModel
    from reviewer.gui.bursts import BurstController

    model = _model(4)
    for i, rec in enumerate(model.records):
        rec.score = Score("focus", 80.0 - 20 * i, 50.0, details={"blur_radius_px": 1.0 + i})
    cull = CullModel(None)
    cull.load([r.path for r in model.records])
    busy = [True]
    bursts = BurstController(model, SimpleNamespace(cull=cull), lambda: busy[0])  # type: ignore[arg-type]
    assert not bursts.judge_now()  # a scoring run goes on: judged when it ends
    busy[0] = False
    with qtbot.waitSignal(bursts.judged, timeout=JUDGE_TIMEOUT) as got:
        assert bursts.judge_now()
    assert got.args == [4]
    assert all(r.context_threshold == 50.0 for r in model.records)
    # judged, then the folder is opened again before the result is back: it is dropped (the
    # new rows even hold the very same scores)
    old = list(model.records)
    with qtbot.waitSignal(bursts.tasks.done, timeout=JUDGE_TIMEOUT):
        assert bursts.judge_now()
        model.set_shots([r.shot for r in old])
        for rec, before in zip(model.records, old, strict=True):
            rec.score = before.score
    assert all(r.context is None and r.group_size == 0 for r in model.records)
    bursts.shutdown()


def test_a_frame_alone_is_judged_again_at_a_new_threshold_by_its_deciding_radius() -> None:
    from reviewer.core.judging.judge import threshold_radius
    from reviewer.gui.bursts import alone_at

    score = Score("focus", 45.0, 50.0, details={"blur_radius_px": 3.0})
    af_sharp = Judgement("sharp", "AF point 2.0 px — sharp", 2.0, "af", (), True)
    assert alone_at(score, af_sharp, 50.0) is af_sharp  # made at this threshold: as it is
    # at a stricter threshold the AF point's own radius decides, not the frame's score
    assert threshold_radius(95.0) < 2.0
    stricter = alone_at(score, af_sharp, 95.0)
    assert stricter is not None and (stricter.verdict, stricter.region) == ("blurry", "af")
    unsure = Judgement("unsure", "nothing sharp to judge")
    assert alone_at(score, unsure, 10.0) is unsure
    assert alone_at(score, None, 10.0) is None
