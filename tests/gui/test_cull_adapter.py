"""The Qt adapter forwards the cull model's events as signals."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from reviewer.core.cull.catalog_db import Catalog
from reviewer.core.cull.model import CullModel
from reviewer.gui.cull_adapter import CullAdapter


def test_model_events_arrive_as_signals(qtbot: QtBot, tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        p = tmp_path / f"IMG_{i}.jpg"
        p.write_bytes(bytes([i]) * 100)
        paths.append(p)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    model = CullModel(catalog)
    adapter = CullAdapter(model)
    with qtbot.waitSignal(adapter.shotsChanged) as shots:
        model.load(paths)
    assert shots.args == [tuple(paths)]
    with qtbot.waitSignal(adapter.scoresChanged) as scores:
        model.set_score(paths[0], 12.0, "blurry")
    assert scores.args == [(paths[0],)]
    with (
        qtbot.waitSignal(adapter.marksChanged) as marks,
        qtbot.waitSignal(adapter.historyChanged) as history,
    ):
        model.mark(paths[:2], "reject")
    assert marks.args == [tuple(paths[:2])]
    assert history.args == [True, False, "Reject (2 photos)", ""]
    with qtbot.waitSignal(adapter.historyChanged) as history:
        model.undo()
    assert history.args == [False, True, "", "Reject (2 photos)"]
    adapter.detach()
    with qtbot.assertNotEmitted(adapter.marksChanged):
        model.redo()
    catalog.close()
    with qtbot.waitSignal(CullAdapter(model).problem) as problem:
        model.mark(paths[:1], "keep")
    assert "could not be saved" in problem.args[0]
