"""Issue 15, defects 1, 2 and 8 and the move-related filesystem faults, each a test.

Real faults where the test runs as root (a 1 MiB tmpfs that fills up, a read-only mount, a
second filesystem for cross-drive moves); the same code paths again through the
fault-injection boundary (`reviewer.core.cull.faults`) so they are covered without root too.
XDG_DATA_HOME points into a temp dir (tests/conftest.py): the user's trash is never touched.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from reviewer.core.cull import faults
from reviewer.core.cull.journal import MoveBatch, MoveJournal
from reviewer.core.cull.moves import (
    FileGroup,
    home_trash_dir,
    move_to_folder,
    move_to_trash,
    recent_batches,
    reconcile,
    restore,
    startup_batches,
    undo_batch,
)
from tests.core.cull.conftest import MountTmpfs, fill
from tests.core.cull.shots import BAD, digests, make_shot


class Killed(BaseException):
    """The process dies at this step (kill -9): nothing after it runs."""


def kill_at(op: str, name: str | None = None, nth: int = 1) -> faults.Hook:
    seen = [0]

    def hook(o: str, path: Path, other: Path | None) -> None:
        if o == op and (name is None or path.name == name):
            seen[0] += 1
            if seen[0] == nth:
                raise Killed(f"{o} {path}")

    return hook


def enospc_at(op: str, after: int = 0, name: str | None = None) -> faults.Hook:
    seen = [0]

    def hook(o: str, path: Path, other: Path | None) -> None:
        if o == op and (name is None or path.name == name):
            seen[0] += 1
            if seen[0] > after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    return hook


def assert_whole(batch: MoveBatch, shots: list[FileGroup]) -> None:
    """Each shot moved whole or not at all, and the batch says exactly which."""
    moved = {m.src for m in batch.moves}
    failed = {f.path for f in batch.failures}
    for s in shots:
        files = set(s.files)
        assert files <= moved or files <= failed, f"{s.stem} split: {files & moved}"
        for p in files & moved:
            assert not os.path.lexists(p)
        for p in files & failed:
            assert p.exists()
    for m in batch.moves:
        assert os.path.lexists(m.dst)


def journal_lines_all_verify(journal: MoveJournal) -> None:
    data = journal.path.read_bytes()
    assert data.endswith(b"\n"), "a torn record was left at the end"
    assert len(journal.records()) == data.count(b"\n")


# ---------------------------------------------------------------- defect 1


@pytest.mark.parametrize("where", ["trash", "folder"])
def test_a_name_that_is_not_utf8_moves_and_comes_back(tmp_path: Path, where: str) -> None:
    shoot = tmp_path / "shoot"
    shots = [
        make_shot(shoot, "A"),
        make_shot(shoot, BAD, (".jpg", ".xmp")),
        make_shot(shoot, "C"),
    ]
    before = digests(shoot)
    journal = MoveJournal(tmp_path / "j" / "moves.jsonl")
    if where == "trash":
        batch = move_to_trash(shots, journal, root=shoot)
    else:
        batch = move_to_folder(shots, "_rejected", journal, root=shoot)
    assert batch.failures == []
    assert len(batch.moves) == 8
    if where == "trash":
        info = home_trash_dir() / "info" / (BAD + ".jpg.trashinfo")
        assert b"Path=" + os.fsencode(shoot).replace(b" ", b"%20") + b"/bad%FF.jpg" in (
            info.read_bytes()
        )
    # the journal holds the name and gives it back unchanged, after a restart too
    (saved,) = recent_batches(journal)
    assert {m.src for m in saved.moves} == {m.src for m in batch.moves}
    report = undo_batch(saved.batch_id, journal)
    assert report.failures == []
    assert digests(shoot) == before


def test_a_full_disk_under_the_journal_never_raises_nor_splits_a_shot(
    tmp_path: Path, mount_tmpfs: MountTmpfs
) -> None:
    """The reported case: a 1 MiB tmpfs under the journal fills up mid-batch (for real)."""
    fs = mount_tmpfs("journalfs", 1024)
    journal = MoveJournal(fs / "moves.jsonl")
    journal.append({"e": "hello"})  # the journal's first page
    fill(fs, leave=0)
    shoot = tmp_path / "shoot"
    shots = [make_shot(shoot, f"IMG_{i:02d}") for i in range(30)]
    before = digests(shoot)

    batch = move_to_folder(shots, "_rejected", journal, root=shoot)

    assert_whole(batch, shots)
    assert batch.moves, "the shots whose plan fitted in the last page moved"
    assert batch.failures, "then the disk was full"
    assert all("journal" in f.reason and "full" in f.reason for f in batch.failures)
    journal_lines_all_verify(journal)  # a short write was truncated, not left torn
    # a restart finds nothing to settle, and the journal alone undoes what moved
    assert reconcile(journal).rolled_back == []
    (os.unlink(fs / "filler"))
    batches = recent_batches(journal)
    assert sum(len(b.moves) for b in batches) == len(batch.moves)
    for b in batches:
        assert undo_batch(b.batch_id, journal).failures == []
    assert digests(shoot) == before


def test_journal_write_failing_mid_batch_via_fault_injection(tmp_path: Path) -> None:
    """The same without root: ENOSPC from the journal's write after a few records."""
    shoot = tmp_path / "shoot"
    shots = [make_shot(shoot, f"IMG_{i}") for i in range(6)]
    before = digests(shoot)
    journal = MoveJournal(tmp_path / "moves.jsonl")
    with faults.installed(enospc_at("journal-write", after=5)):  # plan, moved, plan, moved, plan
        batch = move_to_trash(shots, journal, root=shoot)
    assert_whole(batch, shots)
    # the 3rd shot's plan was written, its "moved" record was not: it moved all the same
    assert {m.src for m in batch.moves} == set(shots[0].files + shots[1].files + shots[2].files)
    assert all("could not be written" in f.reason or "full" in f.reason for f in batch.failures)
    assert len(list((home_trash_dir() / "info").iterdir())) == 9  # no orphan .trashinfo
    (b,) = recent_batches(journal)  # the filesystem settles the record the disk ate
    assert len(b.moves) == 9
    assert not restore(b, journal).failures
    assert digests(shoot) == before
    assert list((home_trash_dir() / "info").iterdir()) == []


def test_a_torn_tail_is_ignored_and_never_swallows_the_next_record(tmp_path: Path) -> None:
    journal = MoveJournal(tmp_path / "moves.jsonl")
    shoot = tmp_path / "shoot"
    first = move_to_folder([make_shot(shoot, "A")], "_rejected", journal)
    with open(journal.path, "ab") as f:  # a kill in the middle of writing a record
        f.write(b'{"e":"plan","b":"torn","s":"0","m":[["/x/IMG')
    second = move_to_folder([make_shot(shoot, "B")], "_rejected", journal)
    # and a record whose bytes went bad on the disk
    data = journal.path.read_bytes().replace(b'"e":"moved"', b'"e":"moveD"', 1)
    journal.path.write_bytes(data)
    ids = [b.batch_id for b in journal.batches()]
    assert ids == [first.batch_id, second.batch_id]  # the corrupt "moved": filesystem says so
    assert not any(r.get("b") == "torn" for r in journal.records())
    assert len(recent_batches(journal)[-1].moves) == 3


def test_a_later_part_failing_puts_the_earlier_parts_back(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shots = [make_shot(shoot, "A", (".CR2", ".JPG", ".CR2.xmp", ".XMP")), make_shot(shoot, "B")]
    before = digests(shoot)
    journal = MoveJournal(tmp_path / "moves.jsonl")
    with faults.installed(enospc_at("rename", name="A.XMP")):
        batch = move_to_trash(shots, journal, root=shoot)
    assert_whole(batch, shots)
    assert {f.path for f in batch.failures} == set(shots[0].files)
    assert "disk is full" in next(f.reason for f in batch.failures if f.path.name == "A.XMP")
    assert sorted(p.name for p in (home_trash_dir() / "info").iterdir()) == [
        "B.JPG.trashinfo",
        "B.NEF.trashinfo",
        "B.NEF.xmp.trashinfo",
    ]
    assert not restore(batch, journal).failures
    assert digests(shoot) == before


def test_a_cross_drive_copy_failing_on_the_last_file_leaves_the_shot_whole(
    tmp_path: Path, mount_tmpfs: MountTmpfs
) -> None:
    usb = mount_tmpfs("usb", 1024)
    fill(usb, leave=8192)  # room for the first two files only
    shoot = tmp_path / "shoot"
    shot = make_shot(shoot, "A", (".NEF", ".JPG", ".NEF.xmp"), size=3000)
    before = digests(shoot)
    batch = move_to_folder([shot], usb / "rejects", MoveJournal(tmp_path / "j"), root=shoot)
    assert batch.moves == []
    assert "disk is full" in batch.failures[0].reason
    assert digests(shoot) == before
    assert list((usb / "rejects").iterdir()) == []  # no partial copy, no copy kept


# ---------------------------------------------------------------- defect 2


def test_a_kill_mid_shot_is_rolled_back_at_restart_and_undo_survives_it(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shots = [make_shot(shoot, "A"), make_shot(shoot, "B"), make_shot(shoot, "C")]
    before = digests(shoot)
    journal = MoveJournal(tmp_path / "moves.jsonl")
    with faults.installed(kill_at("rename", name="B.JPG")), pytest.raises(Killed):
        move_to_trash(shots, journal, root=shoot)
    # as the crash left it: A moved, B split (its NEF moved), B's .trashinfo files written
    assert not shots[0].files[0].exists() and not shots[1].files[0].exists()
    assert shots[1].files[1].exists()

    report, batches = startup_batches(journal)

    assert {m.src for m in report.rolled_back} == {shots[1].files[0]}
    assert all(p.exists() for p in shots[1].files + shots[2].files)  # B whole again
    info = home_trash_dir() / "info"
    assert sorted(p.name for p in info.iterdir()) == [
        "A.JPG.trashinfo",
        "A.NEF.trashinfo",
        "A.NEF.xmp.trashinfo",
    ]  # B's orphans removed
    assert len(batches) == 1 and {m.src for m in batches[0].moves} == set(shots[0].files)
    assert not undo_batch(batches[0].batch_id, journal).failures
    assert digests(shoot) == before
    assert startup_batches(journal)[1] == []


def test_a_kill_after_the_last_file_completes_the_shot(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shot = make_shot(shoot, "A")
    before = digests(shoot)
    journal = MoveJournal(tmp_path / "moves.jsonl")
    with faults.installed(kill_at("journal-write", nth=2)), pytest.raises(Killed):
        move_to_folder([shot], "_rejected", journal)  # killed before "moved" was written
    report = reconcile(journal)
    assert {m.src for m in report.completed} == set(shot.files)
    assert not any(p.exists() for p in shot.files)
    (b,) = recent_batches(journal)
    assert not undo_batch(b.batch_id, journal).failures
    assert digests(shoot) == before


def test_a_kill_during_undo_is_finished_at_restart(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shot = make_shot(shoot, "A")
    before = digests(shoot)
    journal = MoveJournal(tmp_path / "moves.jsonl")
    batch = move_to_trash([shot], journal)
    with faults.installed(kill_at("rename", nth=2)), pytest.raises(Killed):
        restore(batch, journal)
    assert sum(p.exists() for p in shot.files) == 1  # half back
    report, batches = startup_batches(journal)
    assert len(report.rolled_back) == 2 and batches == []
    assert digests(shoot) == before
    assert list((home_trash_dir() / "info").iterdir()) == []


# ---------------------------------------------------------------- defect 8


def test_a_full_trash_filesystem_leaves_no_orphan_trashinfo(
    tmp_path: Path, mount_tmpfs: MountTmpfs
) -> None:
    card = mount_tmpfs("card", 1024)
    shoot = card / "DCIM"
    shots = [make_shot(shoot, "IMG_1", size=1000)]
    before = digests(shoot)
    trash = card / f".Trash-{os.getuid()}"
    (trash / "info").mkdir(parents=True)
    (trash / "files").mkdir()
    fill(card, leave=0)
    batch = move_to_trash(shots, MoveJournal(tmp_path / "j"), root=shoot)
    assert batch.moves == []
    assert all("disk is full" in f.reason and f.kind == "no-trash" for f in batch.failures)
    assert list((trash / "info").iterdir()) == []  # no orphan, not even an empty one
    assert digests(shoot) == before
    os.unlink(card / "filler")
    batch = move_to_trash(shots, MoveJournal(tmp_path / "j"), root=shoot)
    assert sorted(m.dst.name for m in batch.moves) == ["IMG_1.JPG", "IMG_1.NEF", "IMG_1.NEF.xmp"]


def test_a_trashinfo_write_failing_leaves_no_orphan_via_fault_injection(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shot = make_shot(shoot, "IMG_1")
    with faults.installed(enospc_at("info-write", after=1)):
        batch = move_to_trash([shot], MoveJournal(tmp_path / "j"))
    assert batch.moves == [] and len(batch.failures) == 3
    assert list((home_trash_dir() / "info").iterdir()) == []
    batch = move_to_trash([shot], MoveJournal(tmp_path / "j"))
    assert sorted(m.dst.name for m in batch.moves) == ["IMG_1.JPG", "IMG_1.NEF", "IMG_1.NEF.xmp"]


def test_a_kill_after_the_trashinfo_leaves_no_orphan_after_restart(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shot = make_shot(shoot, "IMG_1")
    journal = MoveJournal(tmp_path / "moves.jsonl")
    with faults.installed(kill_at("rename")), pytest.raises(Killed):
        move_to_trash([shot], journal)
    assert len(list((home_trash_dir() / "info").iterdir())) == 3  # what the kill left
    report = reconcile(journal)
    assert len(report.orphans_removed) == 3
    assert list((home_trash_dir() / "info").iterdir()) == []
    batch = move_to_trash([shot], journal)  # the names were not kept reserved: no IMG_1_1
    assert sorted(m.dst.name for m in batch.moves) == ["IMG_1.JPG", "IMG_1.NEF", "IMG_1.NEF.xmp"]


# ---------------------------------------------------------------- folders, drives, links


def test_move_to_an_absolute_folder_on_another_drive_copies_verifies_and_undoes(
    tmp_path: Path, mount_tmpfs: MountTmpfs
) -> None:
    usb = mount_tmpfs("usb", 4096)
    shoot = tmp_path / "shoot"
    shots = [make_shot(shoot, "A"), make_shot(shoot / "sub", "A")]  # one name twice
    (shoot / "target.jpg").write_bytes(b"the link's target stays")
    (shoot / "L.jpg").symlink_to("target.jpg")
    shots.append(FileGroup("L", (shoot / "L.jpg",)))
    before = digests(shoot)
    journal = MoveJournal(tmp_path / "moves.jsonl")
    batch = move_to_folder(shots, usb / "rejects", journal, root=shoot)
    assert batch.failures == []
    assert all(m.copy for m in batch.moves)
    assert sorted(p.name for p in (usb / "rejects").iterdir()) == sorted(
        ["A.NEF", "A.JPG", "A.NEF.xmp", "A_1.NEF", "A_1.JPG", "A_1.NEF.xmp", "L.jpg"]
    )
    assert (usb / "rejects" / "L.jpg").is_symlink()  # the link moved, not its target
    assert (shoot / "target.jpg").read_bytes() == b"the link's target stays"
    assert not any(p.exists() for s in shots for p in s.files if not p.is_symlink())
    (b,) = recent_batches(journal)
    assert not undo_batch(b.batch_id, journal).failures
    assert digests(shoot) == before


def test_a_copy_that_reads_back_different_keeps_the_original(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shot = make_shot(shoot, "A")
    before = digests(shoot)
    elsewhere = tmp_path / "other-drive"

    def other_drive_and_bad_copy(op: str, path: Path, other: Path | None) -> None:
        into = other is not None and other.is_relative_to(elsewhere)
        if op == "rename" and into and not path.name.endswith(".reviewer-partial"):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        if op == "copy-verify" and path.name.startswith(".A.JPG"):
            with open(path, "r+b") as f:  # a bit flipped on the way to the card
                f.write(b"\x00")

    with faults.installed(other_drive_and_bad_copy):
        batch = move_to_folder([shot], elsewhere, MoveJournal(tmp_path / "j"))
    assert batch.moves == []
    assert any("differs" in f.reason for f in batch.failures)
    assert digests(shoot) == before
    assert list(elsewhere.iterdir()) == []


def test_nothing_outside_the_opened_folder_moves(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    outside = make_shot(tmp_path / "outside", "O")
    (shoot / "linked").parent.mkdir(parents=True, exist_ok=True)
    (shoot / "linked").symlink_to(tmp_path / "outside")  # a folder link leading out
    via_link = FileGroup("O", tuple(shoot / "linked" / p.name for p in outside.files))
    inside = make_shot(shoot, "I")
    mixed = FileGroup("M", (inside.files[0], outside.files[1]))
    before = digests(tmp_path / "outside")
    batch = move_to_trash([via_link, mixed, outside], root=shoot)
    assert batch.moves == []
    assert all("outside the opened folder" in f.reason for f in batch.failures)
    assert digests(tmp_path / "outside") == before
    assert inside.files[0].exists()


def test_a_read_only_drive_offers_the_rejects_folder_and_deletes_nothing(
    tmp_path: Path, mount_tmpfs: MountTmpfs
) -> None:
    card = mount_tmpfs("card", 1024)
    shot = make_shot(card / "DCIM", "R", size=100)
    subprocess.run(["mount", "-o", "remount,ro", str(card)], check=True)
    before = digests(card)
    batch = move_to_trash([shot], root=card)
    assert batch.moves == []
    assert all(f.kind == "no-trash" and "rejects folder" in f.reason for f in batch.failures)
    assert digests(card) == before


def test_a_journal_in_the_older_format_is_still_undoable(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shot = make_shot(shoot, "OLD", (".jpg",))
    (shoot / "_rejected").mkdir()
    dst = shoot / "_rejected" / "OLD.jpg"
    os.rename(shot.files[0], dst)
    journal = MoveJournal(tmp_path / "moves.jsonl")
    journal.path.write_text(  # what main wrote before checksummed records
        f'{{"batch": "b1", "event": "intent", "src": "{shot.files[0]}", "dst": "{dst}", '
        '"info": null, "time": 1}\n'
        f'{{"batch": "b1", "event": "moved", "src": "{shot.files[0]}", "dst": "{dst}", '
        '"time": 2}\n'
    )
    (b,) = recent_batches(journal)
    assert b.batch_id == "b1" and [m.src for m in b.moves] == [shot.files[0]]
    assert not undo_batch("b1", journal).failures
    assert shot.files[0].exists() and recent_batches(journal) == []


def test_a_long_journal_is_compacted_to_what_is_still_moved(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    journal = MoveJournal(tmp_path / "moves.jsonl")
    shots = [make_shot(shoot, f"IMG_{i}", size=50) for i in range(8)]
    before = digests(shoot)
    for s in shots[:6]:  # six batches moved and undone: nothing of them is left to keep
        restore(move_to_trash([s], journal), journal)
    kept = move_to_folder(shots[6:], "_rejected", journal)
    size = journal.path.stat().st_size
    expected = [(b.batch_id, b.moves) for b in recent_batches(journal)]

    report = reconcile(journal)  # a start-up; compacts above a few MiB, forced here
    assert not report.compacted
    assert journal.compact(min_bytes=0)

    assert journal.path.stat().st_size < size / 4
    assert [(b.batch_id, b.moves) for b in recent_batches(journal)] == expected
    assert expected[0][0] == kept.batch_id
    assert not undo_batch(kept.batch_id, journal).failures
    assert digests(shoot) == before
