"""The score output is table-driven: one Column per field, written as rows come, in every format."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import cv2
import pytest

from reviewer.cli import COLUMNS, CSV_COLUMNS, ScoredRow
from reviewer.core.batch import PhotoResult, score_file
from reviewer.core.pathtext import unescape_path
from reviewer.rows import Column, make_writer
from tests.imagegen import dead_leaves


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[PhotoResult]:
    folder = tmp_path_factory.mktemp("rows")
    good = folder / "good.jpg"
    cv2.imwrite(str(good), dead_leaves(320, 240, seed=1))
    bad = Path(os.fsdecode(os.path.join(os.fsencode(folder), b"bad\xff.jpg")))
    return [
        ScoredRow(score_file(good)),  # type: ignore[misc]
        ScoredRow(PhotoResult(bad, "focus", error="file is empty (0 bytes)")),  # type: ignore[misc]
    ]


def test_csv_columns_are_unchanged() -> None:
    expected = (
        "path,score,verdict,method,width,height,exposure,blur_kind,error,group,reason,"
        "decision,rating,label"
    )
    assert ",".join(CSV_COLUMNS) == expected


def test_a_new_column_is_one_line(results: list[PhotoResult]) -> None:
    columns = [*COLUMNS, Column("extra", lambda r: "g1" if r.score else "")]
    outs = {}
    for fmt in ("csv", "table", "json", "jsonl"):
        out = io.StringIO()
        writer = make_writer(fmt, columns, out, [str(r.path) for r in results])
        for r in results:
            writer.row(r)
        writer.close()
        outs[fmt] = out.getvalue()
    rows = list(csv.DictReader(io.StringIO(outs["csv"])))
    assert [r["extra"] for r in rows] == ["g1", ""]
    assert unescape_path(rows[1]["path"]).endswith(b"bad\xff.jpg")
    header, good, bad = outs["table"].splitlines()
    assert header.split() == ["path", "score", "verdict", "width", "height", "exposure",
                              "blur", "kind", "group", "extra", "error", "reason"]  # fmt: skip
    assert "g1" in good.split() and "file is empty (0 bytes)" in bad
    records = json.loads(outs["json"])
    assert [r["extra"] for r in records] == ["g1", None]
    assert records[0]["score"] > 0 and records[0]["details"] and records[1]["score"] is None
    assert [json.loads(line) for line in outs["jsonl"].splitlines()] == records


def test_an_empty_run_is_still_valid_output() -> None:
    for fmt, expected in (("json", "[]\n"), ("jsonl", ""), ("csv", ",".join(CSV_COLUMNS) + "\n")):
        out = io.StringIO()
        make_writer(fmt, COLUMNS, out).close()
        assert out.getvalue() == expected
