"""The window's decisions live in the catalog: they survive closing, folder switches, and a
reopened scored folder shows its scores from the cache at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reviewer.gui import main_window as main_window_module
from reviewer.gui.main_window import MainWindow
from reviewer.gui.photo_model import PhotoRecord, Role
from reviewer.gui.settings import AppSettings

from .conftest import MakeFolder

SCORE_TIMEOUT = 60_000


def new_window(qtbot: QtBot, settings: AppSettings) -> MainWindow:
    w = MainWindow(settings, jobs=1)
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def by_name(w: MainWindow) -> dict[str, PhotoRecord]:
    return {r.path.name: r for r in w.model.records}


def open_and_score(qtbot: QtBot, w: MainWindow, folder: Path) -> None:
    with qtbot.waitSignal(w.scoringFinished, timeout=SCORE_TIMEOUT):
        w.open_folder(folder)


def test_marks_survive_closing_the_window(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(4)
    w = new_window(qtbot, settings)
    open_and_score(qtbot, w, folder)
    recs = by_name(w)
    w.cull.decide([recs["IMG_0000.jpg"]], "reject")
    w.cull.decide([recs["IMG_0001.jpg"]], "keep")
    w.cull.rate([recs["IMG_0002.jpg"]], 4)
    w.cull.label([recs["IMG_0003.jpg"]], "green")
    assert recs["IMG_0000.jpg"].decision == "reject"
    w.close()

    again = new_window(qtbot, settings)
    with qtbot.waitSignal(again.folderLoaded, timeout=10_000):
        again.open_folder(folder)
    recs = by_name(again)
    assert recs["IMG_0000.jpg"].decision == "reject"
    assert recs["IMG_0001.jpg"].decision == "keep"
    assert recs["IMG_0002.jpg"].rating == 4
    assert recs["IMG_0003.jpg"].label == "green"
    again.close()


def test_marks_survive_a_folder_switch(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    first, second = photo_folder(3, name="a"), photo_folder(2, name="b")
    open_and_score(qtbot, window, first)
    window.cull.decide([by_name(window)["IMG_0001.jpg"]], "reject")
    open_and_score(qtbot, window, second)
    assert all(r.decision is None for r in window.model.records)
    with qtbot.waitSignal(window.folderLoaded, timeout=10_000):
        window.open_folder(first)
    assert by_name(window)["IMG_0001.jpg"].decision == "reject"
    assert window.model.counts().rejected == 1


def test_reopening_a_scored_folder_shows_every_score_without_decoding(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = photo_folder(6)
    w = new_window(qtbot, settings)
    open_and_score(qtbot, w, folder)
    scores = {r.path.name: r.score.value for r in w.model.records if r.score is not None}
    assert len(scores) == 6
    w.close()  # flushes the score cache

    started: list[object] = []

    class NoScoring:
        def __init__(self, *args: object) -> None:
            started.append(args)
            raise AssertionError("a scored folder must not be scored again")

    monkeypatch.setattr(main_window_module, "ScoringRun", NoScoring)
    again = new_window(qtbot, settings)
    with qtbot.waitSignal(again.folderLoaded, timeout=10_000):
        again.open_folder(folder)
    # every score is there when the grid is filled, from the catalog
    assert {r.path.name: r.score.value for r in again.model.records if r.score} == scores
    assert again.model.counts().scored == 6
    qtbot.waitUntil(lambda: not again._scoring_wanted, timeout=10_000)
    assert started == [] and again.run is None
    again.close()


def test_rating_and_label_keys_undo_and_redo(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    from PySide6.QtCore import Qt

    open_and_score(qtbot, window, photo_folder(4))
    window.set_sort_key("name", by_user=True)
    view = window.view
    view.setFocus()
    first = window.model.records[0]
    window.select_record(first)
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert first.rating == 3
    qtbot.keyClick(view, Qt.Key.Key_6)
    assert first.label == "red"
    qtbot.keyClick(view, Qt.Key.Key_9)
    assert first.label == "blue"
    qtbot.keyClick(view, Qt.Key.Key_9)  # the same label again takes it off
    assert first.label is None
    view.viewport().repaint()  # the delegate draws stars and labels without trouble
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(view, Qt.Key.Key_Z, ctrl)
    assert first.label == "blue"
    qtbot.keyClick(view, Qt.Key.Key_Z, ctrl)
    qtbot.keyClick(view, Qt.Key.Key_Z, ctrl)
    assert first.label is None and first.rating == 3
    qtbot.keyClick(view, Qt.Key.Key_Z, ctrl)
    assert first.rating == 0
    assert not window.undo_action.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_Z, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert first.rating == 3
    assert window.catalog is not None
    assert window.catalog.get_marks([first.path])[str(first.path)].rating == 3  # saved
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert first.rating == 0
    saved = window.catalog.get_marks([first.path]).get(str(first.path))
    assert saved is None or saved.rating == 0


def test_bulk_reject_and_clear_all_are_undoable_and_skip_errors(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    folder = photo_folder(4)
    (folder / "IMG_9999.jpg").write_bytes(b"not a jpeg")
    open_and_score(qtbot, window, folder)
    recs = by_name(window)
    window.cull.decide([recs["IMG_0001.jpg"]], "keep")
    window.set_threshold(1000.0)  # everything scored is below
    window.reject_below_threshold()
    assert recs["IMG_9999.jpg"].error and recs["IMG_9999.jpg"].decision is None
    assert recs["IMG_0001.jpg"].decision == "keep"
    rejected = {r.path.name for r in window.model.rejected()}
    assert rejected == {"IMG_0000.jpg", "IMG_0002.jpg", "IMG_0003.jpg"}
    assert window.undo_action.text() == "&Undo Reject below threshold (3 photos)"
    window.undo_action.trigger()
    assert window.model.rejected() == []
    window.redo_action.trigger()
    assert len(window.model.rejected()) == 3
    window.clear_marks_action.trigger()
    assert all(r.decision is None for r in window.model.records)
    window.undo_action.trigger()
    assert len(window.model.rejected()) == 3 and recs["IMG_0001.jpg"].decision == "keep"


def test_a_move_stays_undoable_after_a_restart_and_is_in_the_history(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder, tmp_path: Path
) -> None:
    from reviewer.core.trash import MoveJournal

    folder = photo_folder(4)
    journal_path = tmp_path / "journal.jsonl"
    w = MainWindow(settings, jobs=1, journal=MoveJournal(journal_path))
    qtbot.addWidget(w)
    w.show()
    open_and_score(qtbot, w, folder)
    w.cull.decide([by_name(w)["IMG_0002.jpg"]], "reject")
    w.confirm = lambda *args: True  # type: ignore[method-assign]
    with qtbot.waitSignal(w.movesFinished, timeout=30_000):
        w.move_rejected_to_folder()
    assert not (folder / "IMG_0002.jpg").exists()
    assert (folder / "_rejected" / "IMG_0002.jpg").exists()
    assert w.model.rowCount() == 3
    w.show_history()
    assert w.history_dialog.rows()[0].startswith("Move 1 shot to “_rejected” (1 file)")
    w.history_dialog.close()
    w.close()

    again = MainWindow(settings, jobs=1, journal=MoveJournal(journal_path))
    qtbot.addWidget(again)
    again.show()
    with qtbot.waitSignal(again.folderLoaded, timeout=10_000):
        again.open_folder(folder)
    assert again.model.rowCount() == 3
    assert again.undo_action.isEnabled()
    again.show_history()
    dialog = again.history_dialog
    assert "1 file" in dialog.rows()[0] and "earlier session" in dialog.rows()[0]
    with (
        qtbot.waitSignal(again.undoFinished, timeout=10_000),
        qtbot.waitSignal(again.folderLoaded, timeout=10_000),
    ):
        dialog.undo_button.click()
    assert (folder / "IMG_0002.jpg").exists() and not (folder / "_rejected").exists()
    assert again.model.rowCount() == 4
    # the photo came back with its mark: the catalog followed the file there and back
    assert by_name(again)["IMG_0002.jpg"].decision == "reject"
    assert dialog.rows()[0].endswith("undone")
    dialog.close()
    again.close()


def test_filters_by_rating_label_and_undecided(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    open_and_score(qtbot, window, photo_folder(6))
    recs = by_name(window)
    window.cull.rate([recs["IMG_0000.jpg"], recs["IMG_0001.jpg"]], 2)
    window.cull.rate([recs["IMG_0002.jpg"]], 4)
    window.cull.label([recs["IMG_0001.jpg"], recs["IMG_0003.jpg"]], "red")
    window.cull.decide([recs["IMG_0004.jpg"]], "reject")
    window.cull.decide([recs["IMG_0005.jpg"]], "keep")

    def shown() -> set[str]:
        return {
            window.proxy.index(i, 0).data(Role.RECORD).path.name
            for i in range(window.proxy.rowCount())
        }

    window.mark_filter.rating_actions[2].trigger()  # the ★ menu: ≥ ★★
    assert shown() == {"IMG_0000.jpg", "IMG_0001.jpg", "IMG_0002.jpg"}
    assert window.mark_filter.text() == "≥2★"
    red = next(a for a in window.mark_filter.label_actions if a.data() == "red")
    red.trigger()
    assert shown() == {"IMG_0001.jpg"}
    assert window.mark_filter.text() == "≥2★ red"
    window.set_mark_filter(0, "none")
    assert window.mark_filter.label == "none"
    assert shown() == {"IMG_0000.jpg", "IMG_0002.jpg", "IMG_0004.jpg", "IMG_0005.jpg"}
    window.set_mark_filter(0, None)
    window.filter_combo.setCurrentIndex(window.filter_combo.findData("undecided"))
    assert shown() == {f"IMG_000{i}.jpg" for i in range(4)}
    # the filter follows the marks as they change
    window.cull.decide([recs["IMG_0000.jpg"]], "keep")
    assert "IMG_0000.jpg" not in shown()
    window.undo_action.trigger()
    assert "IMG_0000.jpg" in shown()
    window.set_mark_filter(4, None)
    assert shown() == {"IMG_0002.jpg"}


def test_sidecars_are_read_when_a_folder_opens_and_newer_ones_win(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder
) -> None:
    import os

    from reviewer.core.cull.sidecars import write_sidecar
    from reviewer.core.cull.xmp import XmpMarks

    folder = photo_folder(4)
    # culled elsewhere before Reviewer ever saw the folder
    write_sidecar(folder / "IMG_0001.xmp", marks=XmpMarks(3, "Green"))
    write_sidecar(folder / "IMG_0002.jpg.xmp", marks=XmpMarks(0, None, rejected=True))
    (folder / "IMG_0003.xmp").write_text("<x:xmpmeta><broken")
    w = new_window(qtbot, settings)
    with qtbot.waitSignal(w.sidecarsRead, timeout=30_000) as read:
        w.open_folder(folder)
    recs = by_name(w)
    assert (recs["IMG_0001.jpg"].rating, recs["IMG_0001.jpg"].label) == (3, "green")
    assert recs["IMG_0002.jpg"].decision == "reject"
    assert not recs["IMG_0001.jpg"].changed_elsewhere  # the catalog had nothing to disagree
    assert [p.name for p, _ in read.args[0].problems] == ["IMG_0003.xmp"]
    assert (folder / "IMG_0003.xmp").read_text() == "<x:xmpmeta><broken"  # left untouched
    # the window changes the rating; later another program changes the sidecar again
    w.cull.rate([recs["IMG_0001.jpg"]], 1)
    qtbot.waitUntil(lambda: w.model.counts().scored == 4 and not w.scoring_active, timeout=60_000)
    w.close()
    write_sidecar(folder / "IMG_0001.xmp", marks=XmpMarks(5, "Green"))
    later = os.stat(folder / "IMG_0001.xmp").st_mtime + 60
    os.utime(folder / "IMG_0001.xmp", (later, later))

    again = new_window(qtbot, settings)
    with qtbot.waitSignal(again.sidecarsRead, timeout=30_000):
        again.open_folder(folder)
    rec = by_name(again)["IMG_0001.jpg"]
    assert rec.rating == 5 and rec.changed_elsewhere
    again.view.viewport().repaint()
    again.cull.rate([rec], 2)  # marked here again: no longer "changed elsewhere"
    assert rec.rating == 2 and not rec.changed_elsewhere
    assert again.model.counts().scored == 4  # from the cache
    again.close()


def test_write_to_sidecars_and_the_automatic_option(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    from reviewer.core.cull.sidecars import read_recorded

    folder = photo_folder(3)
    open_and_score(qtbot, window, folder)
    recs = by_name(window)
    window.cull.decide([recs["IMG_0000.jpg"]], "reject")
    window.cull.rate([recs["IMG_0001.jpg"]], 4)
    window.cull.label([recs["IMG_0001.jpg"]], "yellow")
    photo_bytes = (folder / "IMG_0000.jpg").read_bytes()
    from PySide6.QtCore import QItemSelectionModel

    selection = window.view.selectionModel()
    selection.clearSelection()
    for name in ("IMG_0000.jpg", "IMG_0001.jpg"):  # several selected: those are written
        index = window.proxy.mapFromSource(window.model.index_of(recs[name]))
        selection.select(index, QItemSelectionModel.SelectionFlag.Select)
    with qtbot.waitSignal(window.sidecarsWritten, timeout=30_000) as done:
        window.write_sidecars_action.trigger()
    assert not done.args[0].failures
    rejected = read_recorded(recs["IMG_0000.jpg"].shot)
    assert rejected is not None and rejected.marks.rejected
    assert rejected.path.name == "IMG_0000.xmp"  # adobe style by default
    assert rejected.data.reviewer is not None and rejected.data.reviewer.scorer == "focus"
    rated = read_recorded(recs["IMG_0001.jpg"].shot)
    assert rated is not None and (rated.marks.rating, rated.marks.label) == (4, "Yellow")
    assert (folder / "IMG_0000.jpg").read_bytes() == photo_bytes  # no photo rewritten
    assert read_recorded(recs["IMG_0002.jpg"].shot) is None  # not selected

    window.settings.set_auto_write_sidecars(True)
    window.settings.set_sidecar_style("darktable")
    with qtbot.waitSignal(window.sidecarsWritten, timeout=30_000):
        window.cull.rate([recs["IMG_0002.jpg"]], 2)
    made = read_recorded(recs["IMG_0002.jpg"].shot)
    assert made is not None and made.path.name == "IMG_0002.jpg.xmp" and made.marks.rating == 2


def test_a_view_deciding_through_the_grid_model_is_saved_and_undoable(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    """The loupe and the compare view decide through the window's model: those decisions
    are on the undo stack and in the catalog like the grid's."""
    open_and_score(qtbot, window, photo_folder(3))
    rec = by_name(window)["IMG_0001.jpg"]
    assert window.model.set_decision([rec], "reject") == 1
    assert rec.decision == "reject"
    assert window.catalog is not None
    assert window.catalog.get_marks([rec.path])[str(rec.path)].decision == "reject"
    window.undo_action.trigger()
    assert rec.decision is None


CRASHING_WINDOW = """
import os, sys
from pathlib import Path
from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication
from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings
app = QApplication(sys.argv)
w = MainWindow(AppSettings(QSettings(sys.argv[2], QSettings.Format.IniFormat)), jobs=1)
loop = QEventLoop()
w.folderLoaded.connect(loop.quit)
w.open_folder(Path(sys.argv[1]))
loop.exec()
w.cancel_scoring()
rec = next(r for r in w.model.records if r.path.name == "IMG_0001.jpg")
w.cull.decide([rec], "reject")
w.cull.rate([rec], 2)
os._exit(3)  # a crash: nothing closed, nothing flushed
"""


def test_marks_survive_a_crash(
    qtbot: QtBot, settings: AppSettings, photo_folder: MakeFolder, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    folder = photo_folder(3)
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(repo), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_WINDOW, str(folder), str(tmp_path / "crash.ini")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    w = new_window(qtbot, settings)
    with qtbot.waitSignal(w.folderLoaded, timeout=10_000):
        w.open_folder(folder)
    rec = by_name(w)["IMG_0001.jpg"]
    assert (rec.decision, rec.rating) == ("reject", 2)
    w.close()


def test_marks_embedded_in_a_jpeg_are_shown(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    import struct

    from reviewer.core.cull.xmp import XmpMarks, merge_packet, new_packet, serialize_packet

    folder = photo_folder(2)
    packet = new_packet()
    merge_packet(packet, marks=XmpMarks(4, "Blue"))
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + serialize_packet(packet)
    photo = folder / "IMG_0001.jpg"
    data = photo.read_bytes()
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    photo.write_bytes(data[:2] + app1 + data[2:])
    with qtbot.waitSignal(window.sidecarsRead, timeout=30_000):
        window.open_folder(folder)
    rec = by_name(window)["IMG_0001.jpg"]
    assert (rec.rating, rec.label) == (4, "blue")
    assert not any(p.suffix == ".xmp" for p in folder.iterdir())  # read, nothing written
    qtbot.waitUntil(lambda: not window.scoring_active, timeout=SCORE_TIMEOUT)


def test_switching_back_to_a_method_shows_its_cached_scores(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    open_and_score(qtbot, window, photo_folder(3))
    focus = {r.path.name: r.score.value for r in window.model.records if r.score}
    with qtbot.waitSignal(window.scoringFinished, timeout=SCORE_TIMEOUT):
        window.set_method("laplacian")
    window.cull.flush()  # both methods' scores are in the catalog now
    window.set_method("focus")  # every focus score back at once, from the catalog
    assert {r.path.name: r.score.value for r in window.model.records if r.score} == focus
    assert window.run is None


def test_automatic_sidecars_of_the_last_marks_are_written_on_a_folder_switch(
    qtbot: QtBot, window: MainWindow, photo_folder: MakeFolder
) -> None:
    from reviewer.core.cull.sidecars import read_recorded

    first, second = photo_folder(2, name="a"), photo_folder(2, name="b")
    open_and_score(qtbot, window, first)
    window.settings.set_auto_write_sidecars(True)
    rec = by_name(window)["IMG_0001.jpg"]
    with qtbot.waitSignal(window.sidecarsWritten, timeout=30_000):
        window.cull.rate([rec], 3)
        window.open_folder(second)  # at once: before the automatic write's short delay
    written = read_recorded(rec.shot)
    assert written is not None and written.marks.rating == 3
    qtbot.waitUntil(lambda: not window.scoring_active and window.folder == second, timeout=60_000)
