"""File ▸ Export View (CSV/JSON of the rows shown) and Photo ▸ Copy / Move Keepers To…."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from reviewer.gui.export_view import CopyReport
from reviewer.gui.main_window import MainWindow
from reviewer.gui.photo_model import Role

from .conftest import MakeFolder

SCORE_TIMEOUT = 60_000


def test_export_view_writes_the_rows_shown_in_their_order(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.open_folder(photo_folder(6))
    recs = {r.path.name: r for r in window.model.records}
    window.cull.rate([recs["IMG_0001.jpg"], recs["IMG_0004.jpg"]], 3)
    window.cull.label([recs["IMG_0004.jpg"]], "blue")
    window.cull.decide([recs["IMG_0001.jpg"]], "keep")
    window.set_sort_key("sharpness", by_user=True)
    window.set_mark_filter(3, None)
    shown = [window.proxy.index(i, 0).data(Role.RECORD).path for i in range(2)]

    out = window.export_view(tmp_path / "view.csv")
    assert out is not None
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [Path(r["path"]) for r in rows] == shown
    by = {Path(r["path"]).name: r for r in rows}
    assert by["IMG_0001.jpg"]["decision"] == "keep" and by["IMG_0004.jpg"]["label"] == "blue"
    assert float(by["IMG_0001.jpg"]["score"]) == round(recs["IMG_0001.jpg"].score.value, 3)

    window.set_mark_filter(0, None)
    data = json.loads(window.export_view(tmp_path / "view.json").read_text("utf-8"))  # type: ignore[union-attr]
    assert len(data["photos"]) == 6
    assert [p["path"] for p in data["photos"]] == [
        str(window.proxy.index(i, 0).data(Role.RECORD).path) for i in range(6)
    ]


def test_copy_keepers_copies_and_never_overwrites(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, tmp_path: Path
) -> None:
    folder = photo_folder(4)
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.open_folder(folder)
    recs = {r.path.name: r for r in window.model.records}
    window.cull.decide([recs["IMG_0000.jpg"]], "reject")
    dest = tmp_path / "keepers"
    dest.mkdir()
    (dest / "IMG_0003.jpg").write_bytes(b"someone else's")
    with qtbot.waitSignal(window.keepersCopied, timeout=30_000) as done:
        window.copy_keepers(dest)
    report: CopyReport = done.args[0]
    assert sorted(p.name for p in dest.iterdir()) == [f"IMG_000{i}.jpg" for i in (1, 2, 3)]
    assert (dest / "IMG_0003.jpg").read_bytes() == b"someone else's"
    assert [p.name for p, _ in report.failures] == ["IMG_0003.jpg"]
    assert (dest / "IMG_0001.jpg").read_bytes() == (folder / "IMG_0001.jpg").read_bytes()
    assert all((folder / f"IMG_000{i}.jpg").exists() for i in range(4))  # originals stay
    window.last_report.close()


def test_move_keepers_is_journaled_and_undoable(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder, tmp_path: Path
) -> None:
    folder = photo_folder(3)
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.open_folder(folder)
    recs = {r.path.name: r for r in window.model.records}
    window.cull.decide([recs["IMG_0002.jpg"]], "keep")
    dest = tmp_path / "picked"
    window.move_keepers(dest)
    qtbot.waitUntil(lambda: not window._moving, timeout=30_000)
    assert (dest / "IMG_0002.jpg").exists() and not (folder / "IMG_0002.jpg").exists()
    assert window.model.rowCount() == 2
    assert window.undo_action.text().startswith("&Undo Move 1 shot to")
    with qtbot.waitSignal(window.undoFinished, timeout=10_000):
        window.undo_action.trigger()
    assert (folder / "IMG_0002.jpg").exists() and not (dest / "IMG_0002.jpg").exists()
    assert window.model.rowCount() == 3
    assert window.model.records[2].decision == "keep"  # the mark followed the file back
