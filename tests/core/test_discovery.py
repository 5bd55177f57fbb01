"""Which entries `reviewer score FOLDER` scores: every photo-like entry, whatever it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.core.discovery import find_photos


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "b.jpg").write_bytes(b"x")
    (tmp_path / "a.NEF").write_bytes(b"x")
    os.mkfifo(tmp_path / "fifo.jpg")
    (tmp_path / "zero.jpg").symlink_to("/dev/zero")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    (tmp_path / "loop.jpg").symlink_to(tmp_path / "loop.jpg")
    (tmp_path / "notes.txt").write_text("no")
    (tmp_path / ".hidden.jpg").write_bytes(b"x")
    (tmp_path / "._b.jpg").write_bytes(b"x")  # AppleDouble
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.jpg").write_bytes(b"x")
    (sub / "up").symlink_to(tmp_path)  # a folder loop: never followed
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "d.jpg").write_bytes(b"x")
    return tmp_path


def names(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_every_photo_like_entry_is_found(folder: Path) -> None:
    found = find_photos([folder])
    assert names(found.photos, folder) == [
        "a.NEF", "b.jpg", "dangling.jpg", "fifo.jpg", "loop.jpg", "zero.jpg"
    ]  # fmt: skip
    assert found.problems == []


def test_recursive_does_not_follow_folder_links(folder: Path) -> None:
    found = find_photos([folder], recursive=True)
    assert "sub/c.jpg" in names(found.photos, folder)
    assert len(found.photos) == 7


def test_named_entries_are_kept_as_they_are_once_each(folder: Path) -> None:
    named = [folder / "dangling.jpg", folder / "missing.jpg", folder / "fifo.jpg", folder]
    found = find_photos(named)
    assert names(found.photos, folder)[:3] == ["dangling.jpg", "missing.jpg", "fifo.jpg"]
    assert len(found.photos) == 7  # the folder's photos, without the two named again


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_subfolder_is_reported(folder: Path) -> None:
    locked = folder / "sub"
    locked.chmod(0)
    try:
        found = find_photos([folder], recursive=True)
    finally:
        locked.chmod(0o755)
    assert [p for p, _ in found.problems] == [locked]
