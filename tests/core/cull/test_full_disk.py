"""A full disk under the catalog or under a sidecar: nothing is lost, nothing half-written,
the user is told, and the app goes on (a real 1 MiB tmpfs filled up; root only)."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.catalog import scan_folder
from reviewer.core.cull.catalog_db import Catalog
from reviewer.core.cull.model import CullModel
from reviewer.core.cull.sidecars import write_shot_sidecars
from reviewer.core.cull.xmp import XmpMarks

from .conftest import MountTmpfs, fill


def test_a_sidecar_on_a_full_disk_is_reported_and_nothing_is_half_written(
    mount_tmpfs: MountTmpfs,
) -> None:
    fs = mount_tmpfs("card")
    photo = fs / "IMG_1.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 2000)
    before = photo.read_bytes()
    (shot,) = scan_folder(fs).shots
    fill(fs)
    report = write_shot_sidecars(shot, XmpMarks(0, None, rejected=True), "adobe")
    assert report.failures and not report.ok
    assert photo.read_bytes() == before
    leftovers = sorted(p.name for p in fs.iterdir() if p.name not in ("IMG_1.jpg", "filler"))
    assert leftovers == []  # no sidecar, no temporary file


def test_a_full_disk_under_the_catalog_is_told_and_the_marks_hold(
    mount_tmpfs: MountTmpfs, tmp_path: Path
) -> None:
    fs = mount_tmpfs("data")
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    paths = []
    for i in range(3):
        p = shoot / f"IMG_{i}.jpg"
        p.write_bytes(b"\xff\xd8\xff\xe0" + bytes([i]) * 100)
        paths.append(p)
    cat = Catalog(fs / "catalog.sqlite3")
    try:
        model = CullModel(cat, threshold=50.0)
        model.load(paths)
        problems: list[str] = []
        model.events.problem.connect(problems.append)
        fill(fs)
        model.mark(paths[:2], "reject")  # must not raise
        assert problems and "could not be saved" in problems[0]
        assert [s.decision for s in model.shots()] == ["reject", "reject", None]
    finally:
        cat.close()
