"""Which sidecar a shot writes, merging into the ones it has, reading back, newer wins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.core.catalog import Shot, scan_folder
from reviewer.core.cull.sidecars import (
    Recorded,
    marks_for_reject,
    new_sidecar_path,
    newer_wins,
    read_recorded,
    sidecar_targets,
    write_shot_sidecars,
)
from reviewer.core.cull.xmp import ReviewerFields, XmpData, XmpMarks, merge_xmp, read_xmp
from tests.core.cull.test_sidecars_xmp import DARKTABLE_SIDECAR, _jpeg_with_xmp

PHOTO_BYTES = {".JPG": b"\xff\xd8jpeg-bytes\xff\xd9", ".CR2": b"II*\x00raw-bytes"}


def _shoot(folder: Path, *names: str) -> None:
    for name in names:
        path = folder / name
        path.write_bytes(PHOTO_BYTES.get(path.suffix, b"sidecar"))


def _only_shot(folder: Path) -> Shot:
    shots = scan_folder(folder).shots
    assert len(shots) == 1
    return shots[0]


def _photo_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix != ".xmp"}


@pytest.mark.parametrize(
    ("names", "style", "expected"),
    [
        (["IMG_1.JPG"], "adobe", "IMG_1.xmp"),
        (["IMG_1.JPG"], "darktable", "IMG_1.JPG.xmp"),
        (["IMG_1.JPG", "IMG_1.CR2"], "adobe", "IMG_1.xmp"),
        (["IMG_1.JPG", "IMG_1.CR2"], "darktable", "IMG_1.CR2.xmp"),
        (["IMG_1.CR2"], "darktable", "IMG_1.CR2.xmp"),
    ],
)
def test_new_sidecar_per_style(tmp_path: Path, names: list[str], style: str, expected: str) -> None:
    _shoot(tmp_path, *names)
    photos = _photo_bytes(tmp_path)
    shot = _only_shot(tmp_path)
    report = write_shot_sidecars(shot, XmpMarks(rejected=True), style)  # type: ignore[arg-type]
    assert report.ok
    assert [p.name for p in report.written] == [expected]
    assert report.created == report.written
    assert sorted(p.name for p in tmp_path.glob("*.xmp")) == [expected]
    assert read_xmp((tmp_path / expected).read_bytes()).marks.rejected
    assert _photo_bytes(tmp_path) == photos  # no photo file is ever rewritten


def test_existing_sidecar_is_updated_whatever_the_style(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG", "IMG_1.CR2")
    (tmp_path / "IMG_1.CR2.xmp").write_bytes(DARKTABLE_SIDECAR)
    shot = _only_shot(tmp_path)
    assert [p.name for p in sidecar_targets(shot, "adobe")] == ["IMG_1.CR2.xmp"]
    report = write_shot_sidecars(
        shot, XmpMarks(3, "Blue"), "adobe", reviewer=ReviewerFields(50.0, "focus", "sharp")
    )
    assert [p.name for p in report.written] == ["IMG_1.CR2.xmp"] and not report.created
    assert not (tmp_path / "IMG_1.xmp").exists()
    text = (tmp_path / "IMG_1.CR2.xmp").read_bytes()
    assert b"darktable:history" in text and b"Exposure2012" in text
    assert read_xmp(text).marks == XmpMarks(3, "Blue")


def test_every_existing_sidecar_gets_the_decision(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG", "IMG_1.CR2")
    (tmp_path / "IMG_1.xmp").write_bytes(merge_xmp(None, marks=XmpMarks(2)))
    (tmp_path / "IMG_1.CR2.xmp").write_bytes(DARKTABLE_SIDECAR)
    report = write_shot_sidecars(_only_shot(tmp_path), XmpMarks(rejected=True), "darktable")
    assert sorted(p.name for p in report.written) == ["IMG_1.CR2.xmp", "IMG_1.xmp"]
    for name in ("IMG_1.CR2.xmp", "IMG_1.xmp"):
        assert read_xmp((tmp_path / name).read_bytes()).marks.rejected


def test_broken_sidecar_is_reported_and_left_untouched(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG", "IMG_1.CR2")
    broken = b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'
    (tmp_path / "IMG_1.xmp").write_bytes(broken)
    (tmp_path / "IMG_1.CR2.xmp").write_bytes(DARKTABLE_SIDECAR)
    report = write_shot_sidecars(_only_shot(tmp_path), XmpMarks(rejected=True))
    assert [p.name for p, _ in report.failures] == ["IMG_1.xmp"]
    assert "broken sidecar, left untouched" in report.failures[0][1]
    assert (tmp_path / "IMG_1.xmp").read_bytes() == broken
    assert [p.name for p in report.written] == ["IMG_1.CR2.xmp"]


def test_second_write_is_unchanged_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG")
    shot = _only_shot(tmp_path)
    dry = write_shot_sidecars(shot, XmpMarks(rejected=True), dry_run=True)
    assert [p.name for p in dry.written] == ["IMG_1.xmp"]
    assert not list(tmp_path.glob("*.xmp"))
    write_shot_sidecars(shot, XmpMarks(rejected=True))
    before = os.stat(tmp_path / "IMG_1.xmp").st_mtime_ns
    again = write_shot_sidecars(shot, XmpMarks(rejected=True))
    assert again.written == [] and [p.name for p in again.unchanged] == ["IMG_1.xmp"]
    assert os.stat(tmp_path / "IMG_1.xmp").st_mtime_ns == before


def test_sidecar_that_is_a_folder_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG")
    shot = _only_shot(tmp_path)
    (tmp_path / "IMG_1.xmp").mkdir()
    report = write_shot_sidecars(shot, XmpMarks(rejected=True))
    assert [p.name for p, _ in report.failures] == ["IMG_1.xmp"]


def test_no_temporary_files_left(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG", "IMG_2.JPG")
    for shot in scan_folder(tmp_path).shots:
        write_shot_sidecars(shot, XmpMarks(1))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "IMG_1.JPG",
        "IMG_1.xmp",
        "IMG_2.JPG",
        "IMG_2.xmp",
    ]


def test_read_recorded_newest_sidecar_then_embedded(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.CR2")
    (tmp_path / "IMG_1.JPG").write_bytes(_jpeg_with_xmp(merge_xmp(None, marks=XmpMarks(1))))
    shot = _only_shot(tmp_path)
    got = read_recorded(shot)
    assert got is not None and got.embedded and got.marks == XmpMarks(1)

    (tmp_path / "IMG_1.xmp").write_bytes(merge_xmp(None, marks=XmpMarks(2)))
    (tmp_path / "IMG_1.CR2.xmp").write_bytes(merge_xmp(None, marks=XmpMarks(4, "Red")))
    os.utime(tmp_path / "IMG_1.xmp", (1_000_000, 1_000_000))
    os.utime(tmp_path / "IMG_1.CR2.xmp", (2_000_000, 2_000_000))
    got = read_recorded(_only_shot(tmp_path))
    assert got is not None and not got.embedded
    assert got.path.name == "IMG_1.CR2.xmp" and got.marks == XmpMarks(4, "Red")
    assert got.mtime == 2_000_000


def test_read_recorded_reports_broken(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG")
    (tmp_path / "IMG_1.xmp").write_bytes(b"<oops")
    problems: list[tuple[Path, str]] = []
    assert read_recorded(_only_shot(tmp_path), problems) is None
    assert problems and problems[0][0].name == "IMG_1.xmp"


def test_marks_for_reject_keeps_label() -> None:
    rec = Recorded(XmpData(XmpMarks(3, "Green"), has_rating=True), Path("a.xmp"), 1.0)
    assert marks_for_reject(rec) == XmpMarks(0, "Green", rejected=True)
    assert marks_for_reject(None) == XmpMarks(rejected=True)


def _rec(marks: XmpMarks, mtime: float, has_rating: bool = True) -> Recorded:
    return Recorded(XmpData(marks, has_rating=has_rating), Path("IMG_1.xmp"), mtime)


def test_newer_wins() -> None:
    cat = XmpMarks(3)
    # nothing recorded elsewhere
    assert newer_wins(None, None, None).source == "none"
    res = newer_wins(cat, 100.0, None)
    assert res.marks == cat and res.source == "catalog" and res.sidecar_stale
    # a sidecar that says nothing about marks
    assert newer_wins(cat, 100.0, _rec(XmpMarks(), 200.0, has_rating=False)).source == "catalog"
    # the catalog has nothing: the sidecar's state shows
    res = newer_wins(None, None, _rec(XmpMarks(rejected=True), 50.0))
    assert res.source == "sidecar" and not res.changed_elsewhere
    # agreement
    res = newer_wins(cat, 100.0, _rec(cat, 500.0))
    assert res.source == "catalog" and not res.changed_elsewhere and not res.sidecar_stale
    # sidecar newer and different: changed elsewhere
    res = newer_wins(cat, 100.0, _rec(XmpMarks(rejected=True), 200.0))
    assert res.marks == XmpMarks(rejected=True) and res.changed_elsewhere
    # catalog newer: the catalog wins and the sidecar needs writing
    res = newer_wins(cat, 300.0, _rec(XmpMarks(rejected=True), 200.0))
    assert res.marks == cat and res.sidecar_stale and not res.changed_elsewhere


def test_unknown_style_is_an_error(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG")
    with pytest.raises(ValueError, match="style"):
        new_sidecar_path(_only_shot(tmp_path), "capture-one")  # type: ignore[arg-type]


def test_upper_case_sidecar_is_the_one_updated(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG")
    (tmp_path / "IMG_1.XMP").write_bytes(merge_xmp(None, marks=XmpMarks(5)))
    shot = _only_shot(tmp_path)
    assert [p.name for p in sidecar_targets(shot, "adobe")] == ["IMG_1.XMP"]
    report = write_shot_sidecars(shot, XmpMarks(rejected=True))
    assert [p.name for p in report.written] == ["IMG_1.XMP"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IMG_1.JPG", "IMG_1.XMP"]


def test_symlinked_sidecar_is_written_through(tmp_path: Path) -> None:
    _shoot(tmp_path, "IMG_1.JPG")
    store = tmp_path / "store"
    store.mkdir()
    (store / "real.xmp").write_bytes(DARKTABLE_SIDECAR)
    (tmp_path / "IMG_1.xmp").symlink_to(store / "real.xmp")
    report = write_shot_sidecars(_only_shot(tmp_path), XmpMarks(rejected=True))
    assert report.ok and (tmp_path / "IMG_1.xmp").is_symlink()
    assert read_xmp((store / "real.xmp").read_bytes()).marks.rejected
