"""The window's marks as XMP and back (what Write to Sidecars writes, what a folder reads)."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.cull.catalog_db import NO_MARKS, Marks
from reviewer.core.cull.xmp import XmpMarks
from reviewer.gui.sidecar_sync import from_xmp, to_xmp


def test_marks_round_trip_through_xmp() -> None:
    for marks in (
        Marks(None, 3, "red"),
        Marks("reject", 0, "blue"),
        Marks(None, 5, None),
        Marks(None, 0, "purple"),
    ):
        xmp = to_xmp(marks)
        assert xmp is not None
        assert from_xmp(xmp, NO_MARKS) == marks
    assert to_xmp(NO_MARKS) is None
    # a keep has no XMP form: it stays a keep when the sidecar says nothing against it
    assert to_xmp(Marks("keep")) is None
    assert from_xmp(XmpMarks(2), Marks("keep")) == Marks("keep", 2)
    assert from_xmp(XmpMarks(0, rejected=True), Marks("keep", 4)) == Marks("reject")
    # another tool's own label text is not one of ours: no label
    assert from_xmp(XmpMarks(1, "Second choice"), NO_MARKS) == Marks(None, 1, None)


def test_marks_cleared_after_a_sidecar_was_written_stay_cleared(tmp_path: Path) -> None:
    """Reject, write the sidecar, clear the mark, reopen: the older sidecar must not bring
    the reject back (found by the window's state machine)."""
    import os

    from reviewer.core.catalog import scan_folder
    from reviewer.core.cull.catalog_db import Catalog
    from reviewer.core.cull.sidecars import write_shot_sidecars
    from reviewer.gui.sidecar_sync import read_task

    folder = tmp_path / "shoot"
    folder.mkdir()
    (folder / "IMG_1.jpg").write_bytes(b"\xff\xd8\xff\xe0 not decoded here")
    (shot,) = scan_folder(folder).shots
    cat = Catalog(tmp_path / "catalog.db")
    try:
        cat.set_marks({shot.display_path: Marks("reject")}, changed_at=1000.0)
        report = write_shot_sidecars(shot, XmpMarks(0, None, rejected=True), "adobe")
        (sidecar,) = report.written
        os.utime(sidecar, (1001.0, 1001.0))  # written after the reject...
        cat.set_marks({shot.display_path: NO_MARKS}, changed_at=1002.0)  # ...cleared after it
        found = read_task([shot], cat, lambda: True)()
        assert found.marks == {}
        assert cat.get_marks([shot.display_path]) == {}
    finally:
        cat.close()
