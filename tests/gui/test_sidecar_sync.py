"""The window's marks as XMP and back (what Write to Sidecars writes, what a folder reads)."""

from __future__ import annotations

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
