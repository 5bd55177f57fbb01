"""Folder scan -> shots: RAW+JPEG pairing, sidecars, sizes, recursion."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.core.catalog import natural_key, scan_folder, sidecar_stem


def touch(path: Path, size: int = 10) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def names(paths: tuple[Path, ...]) -> list[str]:
    return [p.name for p in paths]


def test_raw_jpeg_pair_is_one_shot_shown_from_the_jpeg(tmp_path: Path) -> None:
    touch(tmp_path / "IMG_1.CR2", 100)
    touch(tmp_path / "img_1.JPG", 20)
    touch(tmp_path / "IMG_2.jpg", 5)
    scan = scan_folder(tmp_path)
    assert [s.name for s in scan.shots] == ["img_1.JPG", "IMG_2.jpg"]
    pair = scan.shots[0]
    assert names(pair.photo_paths) == ["img_1.JPG", "IMG_1.CR2"]
    assert pair.raw_path == tmp_path / "IMG_1.CR2"
    assert pair.is_raw_pair
    assert pair.size_bytes == 120
    assert pair.label() == "img_1.JPG + CR2"
    assert not scan.shots[1].is_raw_pair


def test_raw_alone_is_shown_from_the_raw(tmp_path: Path) -> None:
    touch(tmp_path / "DSC_9.NEF")
    (shot,) = scan_folder(tmp_path).shots
    assert shot.display_path.name == "DSC_9.NEF"
    assert shot.raw_path is not None


def test_sidecars_attach_to_their_shot_in_every_naming_style(tmp_path: Path) -> None:
    for name in (
        "IMG_1.CR2",
        "IMG_1.jpg",
        "IMG_1.xmp",
        "IMG_1.CR2.xmp",
        "IMG_1.pp3",
        "IMG_1.CR2.pp3",
        "IMG_1.jpg.xmp",
        "ORPHAN.xmp",
        "notes.txt",
    ):
        touch(tmp_path / name, 3)
    (shot,) = scan_folder(tmp_path).shots
    assert sorted(names(shot.sidecar_paths)) == sorted(
        ["IMG_1.xmp", "IMG_1.CR2.xmp", "IMG_1.pp3", "IMG_1.CR2.pp3", "IMG_1.jpg.xmp"]
    )
    assert len(shot.files) == 7
    assert shot.size_bytes == 21


def test_sidecar_stem() -> None:
    assert sidecar_stem("IMG_1.CR2.xmp") == "IMG_1"
    assert sidecar_stem("IMG_1.XMP") == "IMG_1"
    assert sidecar_stem("my.trip.pp3") == "my.trip"
    assert sidecar_stem("IMG_1.jpg") is None
    assert sidecar_stem(".xmp") is None


def test_natural_order_and_hidden_files(tmp_path: Path) -> None:
    for n in (10, 2, 1):
        touch(tmp_path / f"IMG_{n}.jpg")
    touch(tmp_path / ".hidden.jpg")
    touch(tmp_path / "._IMG_1.jpg")
    assert [s.name for s in scan_folder(tmp_path).shots] == ["IMG_1.jpg", "IMG_2.jpg", "IMG_10.jpg"]
    assert natural_key("a2") < natural_key("A10")


def test_recursion_skips_rejects_and_hidden_folders(tmp_path: Path) -> None:
    touch(tmp_path / "a.jpg")
    touch(tmp_path / "day2" / "b.jpg")
    touch(tmp_path / "day2" / "deeper" / "c.jpg")
    touch(tmp_path / "_rejected" / "old.jpg")
    touch(tmp_path / "day2" / "_Rejected" / "old2.jpg")
    touch(tmp_path / ".thumbnails" / "t.jpg")
    assert [s.name for s in scan_folder(tmp_path).shots] == ["a.jpg"]
    deep = scan_folder(tmp_path, recursive=True)
    assert sorted(s.name for s in deep.shots) == ["a.jpg", "b.jpg", "c.jpg"]
    custom = scan_folder(tmp_path, recursive=True, rejects_folder="day2")
    assert [s.name for s in custom.shots] == ["a.jpg", "old.jpg"]


def test_same_stem_in_two_folders_are_two_shots(tmp_path: Path) -> None:
    touch(tmp_path / "x" / "IMG_1.jpg")
    touch(tmp_path / "y" / "IMG_1.CR2")
    assert len(scan_folder(tmp_path, recursive=True).shots) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_subfolder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    touch(tmp_path / "a.jpg")
    locked = tmp_path / "locked"
    touch(locked / "b.jpg")
    locked.chmod(0)
    try:
        scan = scan_folder(tmp_path, recursive=True)
    finally:
        locked.chmod(0o755)
    assert [s.name for s in scan.shots] == ["a.jpg"]
    assert scan.problems and scan.problems[0][0] == locked


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        scan_folder(tmp_path / "nope")


def test_empty_folder(tmp_path: Path) -> None:
    scan = scan_folder(tmp_path)
    assert scan.shots == [] and scan.total_bytes == 0
