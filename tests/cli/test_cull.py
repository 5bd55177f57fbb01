"""`reviewer cull`: dry run, sidecars, moves to the trash or a folder, exit codes.

The trash and the move journal live under XDG_DATA_HOME, which tests/conftest.py points at a
temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from reviewer.cli import main
from reviewer.core.cull.xmp import XmpMarks, merge_xmp, read_xmp
from reviewer.core.trash import MoveJournal, restore
from tests.core.cull.test_sidecars_xmp import DARKTABLE_SIDECAR
from tests.imagegen import dead_leaves, defocus


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("images")
    scene = dead_leaves(900, 600, seed=5)
    cv2.imwrite(str(folder / "sharp.jpg"), scene[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
    cv2.imwrite(str(folder / "soft.jpg"), defocus(scene, 6)[:, :, ::-1])
    return {p.stem: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture
def shoot(tmp_path: Path, images: dict[str, bytes]) -> Path:
    """IMG_1 sharp (with a darktable sidecar rated 2), IMG_2 blurry RAW+JPEG pair, IMG_3 sharp."""
    folder = tmp_path / "shoot"
    folder.mkdir()
    (folder / "IMG_1.JPG").write_bytes(images["sharp"])
    (folder / "IMG_1.JPG.xmp").write_bytes(DARKTABLE_SIDECAR)
    (folder / "IMG_2.JPG").write_bytes(images["soft"])
    (folder / "IMG_2.CR2").write_bytes(b"II*\x00 raw bytes")
    (folder / "IMG_3.JPG").write_bytes(images["sharp"])
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def cull(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["cull", "--jobs", "1", *args])
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(out: str) -> dict[str, str]:
    rows = {}
    for line in out.splitlines():
        name = line.split()[0]
        rows[Path(name).name] = line
    return rows


def test_dry_run_changes_nothing(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(shoot)
    code, out, _ = cull(capsys, str(shoot), "--write-xmp", "--to-trash", "--dry-run")
    assert code == 0, out
    assert _snapshot(shoot) == before
    rows = _rows(out)
    assert "blurry" in rows["IMG_2.JPG"] and "rejected" in rows["IMG_2.JPG"]
    assert "IMG_2.JPG + CR2" in out
    assert "would write IMG_2.xmp" in rows["IMG_2.JPG"]
    assert "would move to the trash" in rows["IMG_2.JPG"]
    assert "kept" in rows["IMG_1.JPG"] and "would write IMG_1.JPG.xmp" in rows["IMG_1.JPG"]
    assert "dry run: nothing was changed" in out
    assert not MoveJournal().records()


def test_write_xmp(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photos = {k: v for k, v in _snapshot(shoot).items() if not k.endswith(".xmp")}
    code, out, _ = cull(capsys, str(shoot), "--write-xmp", "--xmp-style", "darktable")
    assert code == 0, out
    # no photo file is rewritten
    assert {k: v for k, v in _snapshot(shoot).items() if not k.endswith(".xmp")} == photos
    rejected = read_xmp((shoot / "IMG_2.CR2.xmp").read_bytes())  # darktable style, on the RAW
    assert rejected.marks.rejected
    assert rejected.reviewer is not None and rejected.reviewer.verdict == "blurry"
    assert rejected.reviewer.scorer == "focus" and rejected.reviewer.score is not None
    # a kept photo gets its score; its existing sidecar keeps its rating and everything else
    kept = read_xmp((shoot / "IMG_1.JPG.xmp").read_bytes())
    assert kept.marks == XmpMarks(2)
    assert kept.reviewer is not None and kept.reviewer.verdict == "sharp"
    assert b"darktable:history" in (shoot / "IMG_1.JPG.xmp").read_bytes()
    assert read_xmp((shoot / "IMG_3.JPG.xmp").read_bytes()).marks.rejected is False
    # nothing moved without --to-trash / --to-folder
    assert (shoot / "IMG_2.JPG").exists()
    # a second run finds the sidecars up to date
    code, out, _ = cull(capsys, str(shoot), "--write-xmp")
    assert code == 0 and "already up to date" in _rows(out)["IMG_2.JPG"]


def test_to_trash_moves_whole_shots_and_is_undoable(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cull(capsys, str(shoot), "--write-xmp", "--to-trash")
    assert code == 0, out
    assert "moved to the trash" in _rows(out)["IMG_2.JPG"]
    assert sorted(p.name for p in shoot.iterdir()) == [
        "IMG_1.JPG",
        "IMG_1.JPG.xmp",
        "IMG_3.JPG",
        "IMG_3.xmp",
    ]
    trash = Path(os.environ["XDG_DATA_HOME"]) / "Trash"
    assert sorted(p.name for p in (trash / "files").iterdir()) == [
        "IMG_2.CR2",
        "IMG_2.JPG",
        "IMG_2.xmp",
    ]
    assert read_xmp((trash / "files" / "IMG_2.xmp").read_bytes()).marks.rejected
    assert len(list((trash / "info").iterdir())) == 3
    # journaled with absolute paths: the window's Undo puts the shot back
    batches = MoveJournal().batches()
    assert len(batches) == 1 and len(batches[0].moves) == 3
    assert all(m.src.is_absolute() for m in batches[0].moves)
    report = restore(batches[0], MoveJournal())
    assert not report.failures
    assert (shoot / "IMG_2.CR2").exists() and (shoot / "IMG_2.xmp").exists()


def test_to_folder_and_relative_paths(
    shoot: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shoot)
    code, out, _ = cull(capsys, ".", "--to-folder", "_rejects")
    assert code == 0, out
    assert sorted(p.name for p in (shoot / "_rejects").iterdir()) == ["IMG_2.CR2", "IMG_2.JPG"]
    assert "moved to _rejects" in _rows(out)["IMG_2.JPG"]
    assert out.splitlines()[0].startswith("IMG_1.JPG")  # shown relative to where it ran
    assert all(m.src.is_absolute() for m in MoveJournal().batches()[0].moves)
    # a second run does not look inside the rejects folder
    code, out, _ = cull(capsys, ".", "--to-folder", "_rejects")
    assert code == 0 and "IMG_2" not in out


def test_a_file_names_its_shot(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cull(capsys, str(shoot / "IMG_2.CR2"), "--to-trash", "--dry-run")
    assert code == 0
    assert list(_rows(out)) == ["IMG_2.JPG", "1"]  # the shot's row, then the summary line
    assert "IMG_2.JPG + CR2" in out


def test_unreadable_photo_and_broken_sidecar_exit_1(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shoot / "IMG_4.JPG").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    broken = b"<x:xmpmeta"
    (shoot / "IMG_3.xmp").write_bytes(broken)
    code, out, _ = cull(capsys, str(shoot), "--write-xmp")
    assert code == 1
    rows = _rows(out)
    assert "error" in rows["IMG_4.JPG"]
    assert "broken sidecar, left untouched" in rows["IMG_3.JPG"]
    assert (shoot / "IMG_3.xmp").read_bytes() == broken
    assert "1 unreadable" in out
    assert read_xmp((shoot / "IMG_2.xmp").read_bytes()).marks.rejected  # the rest went on


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/folder"], "no such file or folder"),
        (["{shoot}", "--to-trash", "--to-folder", "x"], "not allowed with"),
        (["{shoot}", "--threshold", "nan"], "--threshold must be a number"),
        (["{shoot}", "--xmp-style", "adobe"], "--xmp-style goes with --write-xmp"),
        (["{shoot}", "--method", "nope"], "invalid choice"),
        (["{shoot}", "--to-folder", ".."], "--to-folder"),
        (["{shoot}", "--context", "scene"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2(
    shoot: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = _snapshot(shoot)
    code, _, err = cull(capsys, *[a.replace("{shoot}", str(shoot)) for a in args])
    assert code == 2
    assert message in err
    assert _snapshot(shoot) == before


def test_burst_context_rejects_a_frame_much_blurrier_than_its_burst(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A frame sharp enough alone is rejected beside its sharper burst siblings (the default
    for a folder); --context none judges it alone and keeps it."""
    scene = dead_leaves(900, 600, seed=5)
    folder = tmp_path / "burst"
    folder.mkdir()
    for i in range(1, 4):
        cv2.imwrite(str(folder / f"IMG_{i}.JPG"), scene[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
    soft = defocus(scene, 1.5)[:, :, ::-1]
    cv2.imwrite(str(folder / "IMG_4.JPG"), soft, [cv2.IMWRITE_JPEG_QUALITY, 92])
    code, out, _ = cull(capsys, str(folder), "--threshold", "35", "--dry-run")
    assert code == 0
    row = _rows(out)["IMG_4.JPG"]
    assert "rejected" in row and "blurrier than the best frame of its burst" in row
    assert all("kept" in _rows(out)[f"IMG_{i}.JPG"] for i in range(1, 4))
    code, out, _ = cull(capsys, str(folder), "--threshold", "35", "--dry-run", "--context", "none")
    assert "kept" in _rows(out)["IMG_4.JPG"]


def test_runs_as_a_command(shoot: Path) -> None:
    (shoot / "IMG_4.JPG").write_bytes(b"\xff\xd8\xff\xe0 broken")
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "cull", str(shoot), "--dry-run", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 1, proc.stderr
    assert "IMG_4.JPG" in proc.stdout and "rejected" in proc.stdout
    help_text = subprocess.run(
        [sys.executable, "-m", "reviewer", "cull", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    for option in ("--write-xmp", "--xmp-style", "--to-trash", "--to-folder", "--context"):
        assert option in help_text


def test_existing_adobe_sidecar_with_reject_from_elsewhere_keeps_label(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shoot / "IMG_2.xmp").write_bytes(merge_xmp(None, marks=XmpMarks(4, "Purple")))
    code, _, _ = cull(capsys, str(shoot), "--write-xmp", "--xmp-style", "darktable")
    assert code == 0
    assert not (shoot / "IMG_2.CR2.xmp").exists()  # the sidecar it had was updated instead
    assert read_xmp((shoot / "IMG_2.xmp").read_bytes()).marks == XmpMarks(
        0, "Purple", rejected=True
    )


def _absolute_folders_supported() -> bool:
    from reviewer.core.trash import move_to_folder

    try:
        move_to_folder([], "/nonexistent-reviewer-test/rejects")
    except ValueError:
        return False
    return True


def test_to_folder_absolute_path(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused with exit 2 and a clear message while the moves only know folders beside each
    photo; moved there once they support an absolute destination."""
    target = tmp_path / "elsewhere"
    before = _snapshot(shoot)
    code, out, err = cull(capsys, str(shoot), "--to-folder", str(target))
    if not _absolute_folders_supported():
        assert code == 2
        assert "--to-folder" in err and "folder name such as _rejected" in err
        assert _snapshot(shoot) == before and not target.exists()
    else:
        assert code == 0, out
        assert not (shoot / "IMG_2.JPG").exists()
        assert {p.name for p in target.rglob("*") if p.is_file()} >= {"IMG_2.JPG", "IMG_2.CR2"}


def test_a_file_that_is_not_a_photo_is_an_error_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    code, out, _ = cull(capsys, str(notes), "--to-trash")
    assert code == 1
    assert "not a photo file" in out and notes.exists()


def test_a_second_cull_reuses_the_catalogs_scores(
    shoot: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reviewer cull` shares the score cache with `reviewer score` and the window: a scored
    shoot is not decoded again (and --no-cache scores it again)."""
    code, first, _ = cull(capsys, str(shoot), "--dry-run", "--context", "none")
    assert code == 0
    import reviewer.core.batch as batch

    real = batch.ScoringJob
    scored: list[object] = []

    class Watched(real):  # type: ignore[valid-type,misc]
        def __init__(self, paths: list[Path], *a: object, **kw: object) -> None:
            scored.extend(paths)
            super().__init__(paths, *a, **kw)

    monkeypatch.setattr(batch, "ScoringJob", Watched)
    code, second, _ = cull(capsys, str(shoot), "--dry-run", "--context", "none")
    assert code == 0 and second == first
    assert scored == []
    cull(capsys, str(shoot), "--dry-run", "--context", "none", "--no-cache")
    assert len(scored) == 3
