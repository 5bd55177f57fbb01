"""Moving shots to the trash / a rejects folder and back. Only temp dirs are touched."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from urllib.parse import unquote

import pytest

from reviewer.core.cull import moves as trash
from reviewer.core.trash import (
    FileGroup,
    MoveJournal,
    home_trash_dir,
    move_to_folder,
    move_to_trash,
    rename_no_replace,
    restore,
    volume_trash_dir,
)


def make_shot(
    folder: Path,
    stem: str,
    exts: tuple[str, ...] = (".JPG", ".CR2", ".CR2.xmp"),
) -> FileGroup:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, ext in enumerate(exts):
        p = folder / f"{stem}{ext}"
        p.write_bytes(os.urandom(200 + i))
        files.append(p)
    return FileGroup(stem, tuple(files))


def digest_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_trash_is_inside_the_test_home() -> None:
    assert str(home_trash_dir()).startswith(os.environ["XDG_DATA_HOME"])


def test_move_to_trash_follows_the_freedesktop_spec_and_undo_restores(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot dir"
    shot = make_shot(shoot, "IMG 1")
    keep = make_shot(shoot, "IMG_2")
    before = digest_tree(shoot)
    journal = MoveJournal(tmp_path / "journal.jsonl")

    batch = move_to_trash([shot], journal)

    assert not batch.failures
    assert len(batch.moves) == 3
    t = home_trash_dir()
    for m in batch.moves:
        assert not m.src.exists()
        assert m.dst.parent == t / "files"
        assert m.trashinfo == t / "info" / f"{m.dst.name}.trashinfo"
        text = m.trashinfo.read_text()
        assert text.startswith("[Trash Info]\n")
        path_line = next(line for line in text.splitlines() if line.startswith("Path="))
        assert "%20" in path_line  # URL-escaped as the spec asks
        assert unquote(path_line[5:]) == str(m.src)
        assert "DeletionDate=" in text
    assert all(p.exists() for p in keep.files)
    assert batch.moved_bytes == sum(200 + i for i in range(3))

    report = restore(batch, journal)
    assert not report.failures
    assert digest_tree(shoot) == before
    assert list((t / "info").iterdir()) == []
    assert list((t / "files").iterdir()) == []
    events = [r["e"] for r in journal.records()]
    assert events == ["plan", "moved", "undo", "restored", "restored", "restored", "undone"]


def test_name_clash_in_trash_renames_the_whole_shot_consistently(tmp_path: Path) -> None:
    first = make_shot(tmp_path / "a", "IMG_1")
    second = make_shot(tmp_path / "b", "IMG_1")
    b1 = move_to_trash([first])
    b2 = move_to_trash([second])
    assert not b1.failures and not b2.failures
    assert sorted(m.dst.name for m in b2.moves) == ["IMG_1_1.CR2", "IMG_1_1.CR2.xmp", "IMG_1_1.JPG"]
    # nothing was overwritten: six files in the trash
    assert len(list((home_trash_dir() / "files").iterdir())) == 6
    assert not restore(b2).failures and not restore(b1).failures
    assert all(p.exists() for p in first.files + second.files)


def test_move_to_folder_and_clash_and_undo(tmp_path: Path) -> None:
    shot = make_shot(tmp_path, "DSC_5")
    rejects = tmp_path / "_rejected"
    rejects.mkdir()
    (rejects / "DSC_5.JPG").write_bytes(b"an older reject, must survive")
    before = digest_tree(tmp_path)

    batch = move_to_folder([shot], "_rejected")

    assert not batch.failures
    assert sorted(m.dst.name for m in batch.moves) == [
        "DSC_5_1.CR2",
        "DSC_5_1.CR2.xmp",
        "DSC_5_1.JPG",
    ]
    assert (rejects / "DSC_5.JPG").read_bytes() == b"an older reject, must survive"
    assert not restore(batch).failures
    assert digest_tree(tmp_path) == before


def test_rejects_folder_created_and_removed_again_when_emptied(tmp_path: Path) -> None:
    shot = make_shot(tmp_path, "A", (".jpg",))
    batch = move_to_folder([shot], "rejects")
    assert (tmp_path / "rejects" / "A.jpg").exists()
    restore(batch)
    assert not (tmp_path / "rejects").exists()
    assert (tmp_path / "A.jpg").exists()


def test_vanished_file_is_reported_and_the_rest_moves(tmp_path: Path) -> None:
    shot = make_shot(tmp_path, "V")
    gone = make_shot(tmp_path, "GONE", (".jpg",))
    gone.files[0].unlink()
    batch = move_to_folder([gone, shot])
    assert [f.path for f in batch.failures] == [gone.files[0]]
    assert "no longer exists" in batch.failures[0].reason
    assert len(batch.moves) == 3


def test_unusable_destination_fails_per_file_and_touches_nothing(tmp_path: Path) -> None:
    shot = make_shot(tmp_path, "R")
    (tmp_path / "_rejected").write_bytes(b"a file where the folder should be")
    before = digest_tree(tmp_path)
    batch = move_to_folder([shot])
    assert not batch.moves
    assert sorted(f.path for f in batch.failures) == sorted(shot.files)
    assert digest_tree(tmp_path) == before


def test_a_file_that_cannot_move_keeps_its_whole_shot_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = make_shot(tmp_path, "S")
    other = make_shot(tmp_path, "T", (".jpg",))
    before = digest_tree(tmp_path)
    real = trash.rename_no_replace

    def flaky(src: Path, dst: Path) -> None:  # the OS refusing the second file of shot S
        if src.name == "S.CR2":
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        real(src, dst)

    monkeypatch.setattr(trash, "rename_no_replace", flaky)
    journal = MoveJournal(tmp_path.parent / "j.jsonl")
    batch = move_to_trash([shot, other], journal)
    monkeypatch.setattr(trash, "rename_no_replace", real)

    assert [m.src for m in batch.moves] == [other.files[0]]
    failed = {f.path: f.reason for f in batch.failures}
    assert set(failed) == set(shot.files)
    assert "permission denied" in failed[tmp_path / "S.CR2"]
    assert all(p.exists() for p in shot.files)  # S.JPG was put back
    # only T's info file is left in the trash: no orphans
    assert [p.name for p in (home_trash_dir() / "info").iterdir()] == ["T.jpg.trashinfo"]
    restore(batch, journal)
    assert digest_tree(tmp_path) == before
    assert journal.batches() == []


def test_restore_never_overwrites_a_new_file(tmp_path: Path) -> None:
    shot = make_shot(tmp_path, "N", (".jpg",))
    batch = move_to_trash([shot])
    shot.files[0].write_bytes(b"a new photo with the same name")
    report = restore(batch)
    assert not report.restored
    assert "stays at" in report.failures[0].reason
    assert shot.files[0].read_bytes() == b"a new photo with the same name"
    assert batch.moves[0].dst.exists()


def test_rename_no_replace_refuses_to_overwrite(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"A")
    b.write_bytes(b"B")
    with pytest.raises(FileExistsError):
        rename_no_replace(a, b)
    assert a.read_bytes() == b"A" and b.read_bytes() == b"B"


def test_volume_trash_dir_per_spec(tmp_path: Path) -> None:
    top = tmp_path / "volume"
    top.mkdir()
    d = volume_trash_dir(top)
    assert d == top / f".Trash-{os.getuid()}"
    assert (d / "files").is_dir() and (d / "info").is_dir()
    assert (d.stat().st_mode & 0o777) == 0o700
    # an administrator's sticky .Trash is preferred
    admin = tmp_path / "volume2" / ".Trash"
    admin.mkdir(parents=True)
    admin.chmod(0o1777)
    assert volume_trash_dir(tmp_path / "volume2") == admin / str(os.getuid())
    # a non-sticky .Trash must not be used
    (tmp_path / "volume3" / ".Trash").mkdir(parents=True)
    assert volume_trash_dir(tmp_path / "volume3").name == f".Trash-{os.getuid()}"


def test_no_trash_on_that_filesystem_is_a_per_file_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path / "usb"
    shot = make_shot(top / "DCIM", "U", (".jpg", ".xmp"))
    (top / f".Trash-{os.getuid()}").write_bytes(b"not a directory")
    # pretend the photo lives on another filesystem mounted at `top`
    monkeypatch.setattr(trash, "_device", lambda p: 2 if str(p).startswith(str(top)) else 1)
    monkeypatch.setattr(trash, "mount_point", lambda p: top)
    batch = move_to_trash([shot])
    assert not batch.moves
    assert len(batch.failures) == 2
    assert all(p.exists() for p in shot.files)


def test_volume_trash_uses_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = tmp_path / "usb"
    shot = make_shot(top / "DCIM", "U", (".jpg",))
    monkeypatch.setattr(trash, "_device", lambda p: 2 if str(p).startswith(str(top)) else 1)
    monkeypatch.setattr(trash, "mount_point", lambda p: top)
    batch = move_to_trash([shot])
    (move,) = batch.moves
    assert move.dst == top / f".Trash-{os.getuid()}" / "files" / "U.jpg"
    assert move.trashinfo is not None and "Path=DCIM/U.jpg" in move.trashinfo.read_text()
    restore(batch)
    assert shot.files[0].exists()


def test_journal_batches_and_reconcile_after_a_crash(tmp_path: Path) -> None:
    journal = MoveJournal(tmp_path / "j.jsonl")
    shot = make_shot(tmp_path / "s", "J", (".jpg",))
    batch = move_to_folder([shot], journal=journal)
    (saved,) = journal.batches()
    assert saved.batch_id == batch.batch_id and saved.moves == batch.moves
    # a crash after the plan of a shot that then did move, and of one that did not
    done = trash.Move(tmp_path / "x.jpg", tmp_path / "moved-x.jpg")
    done.dst.write_bytes(b"x")
    never = trash.Move(tmp_path / "y.jpg", tmp_path / "moved-y.jpg")
    never.src.write_bytes(b"y")
    crashed = trash.MoveBatch("folder", batch_id="crashed")
    journal.plan(crashed, "0", [done])
    journal.plan(crashed, "1", [never])
    report = trash.reconcile(journal)
    assert [m.src for m in report.completed] == [done.src] and report.rolled_back == []
    assert trash.reconcile(journal).completed == []
    (after,) = [b for b in journal.batches() if b.batch_id == "crashed"]
    assert [m.src for m in after.moves] == [done.src]
    # restoring from the journal alone (e.g. after a restart) works
    assert not restore(saved, journal).failures
    assert shot.files[0].exists()
