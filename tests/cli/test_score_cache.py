"""`reviewer score` and the catalog: scores are reused, changed photos are scored again, and
the rows carry the photographer's decision, rating and label."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cv2
import pytest

from reviewer import cli
from reviewer.core import batch
from reviewer.core.cull.catalog_db import ENV_DATA_DIR, Catalog, Marks, default_catalog_path
from tests.imagegen import dead_leaves, defocus


@pytest.fixture
def shoot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "data"))
    folder = tmp_path / "shoot"
    folder.mkdir()
    scene = dead_leaves(600, 400, seed=5)
    cv2.imwrite(str(folder / "a.jpg"), scene[:, :, ::-1])
    cv2.imwrite(str(folder / "b.jpg"), defocus(scene, 5)[:, :, ::-1])
    (folder / "c.jpg").write_bytes(b"\xff\xd8 broken")
    return folder


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many photos each run sent to the scoring workers."""
    counts: list[int] = []
    real_init = batch.ScoringJob.__init__

    def init(self: batch.ScoringJob, paths: list[Path], *args: object, **kw: object) -> None:
        paths = list(paths)
        counts.append(len(paths))
        real_init(self, paths, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(batch.ScoringJob, "__init__", init)
    return counts


def score(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.score_command(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def rows(text: str) -> dict[str, dict[str, str]]:
    return {Path(r["path"]).name: r for r in csv.DictReader(io.StringIO(text))}


def test_a_second_run_reuses_the_scores(shoot: Path, scored: list[int]) -> None:
    code1, first, _ = score(str(shoot), "-f", "csv", "-j", "1")
    code2, second, _ = score(str(shoot), "-f", "csv", "-j", "1")
    assert code1 == code2 == 1  # the broken photo, both times
    assert scored == [3, 1]  # only the unreadable photo is tried again
    assert first == second
    code3, third, _ = score(str(shoot), "-f", "csv", "-j", "1", "--no-cache")
    assert scored == [3, 1, 3] and third == first


def test_a_cached_score_is_judged_at_the_threshold_asked(shoot: Path, scored: list[int]) -> None:
    score(str(shoot), "-f", "csv", "-j", "1")
    _, text, _ = score(str(shoot / "a.jpg"), "-f", "json", "-t", "99.9")
    (rec,) = json.loads(text)
    assert scored == [3, 0]
    assert rec["threshold"] == 99.9 and rec["verdict"] == "blurry"


def test_a_changed_photo_is_scored_again(shoot: Path, scored: list[int]) -> None:
    _, first, _ = score(str(shoot), "-f", "csv", "-j", "1")
    sharp = cv2.imread(str(shoot / "a.jpg"))
    cv2.imwrite(str(shoot / "b.jpg"), sharp, [cv2.IMWRITE_JPEG_QUALITY, 97])
    _, second, _ = score(str(shoot), "-f", "csv", "-j", "1")
    assert scored == [3, 2]
    assert rows(first)["b.jpg"]["verdict"] == "blurry"
    assert rows(second)["b.jpg"]["verdict"] == "sharp"


def test_rows_carry_decision_rating_and_label(shoot: Path) -> None:
    with Catalog(default_catalog_path()) as cat:
        cat.set_marks(
            {shoot / "b.jpg": Marks("reject", 0, None), shoot / "a.jpg": Marks("keep", 4, "green")}
        )
    _, text, _ = score(str(shoot), "-f", "csv", "-j", "1")
    r = rows(text)
    assert (r["a.jpg"]["decision"], r["a.jpg"]["rating"], r["a.jpg"]["label"]) == (
        "keep",
        "4",
        "green",
    )
    assert (r["b.jpg"]["decision"], r["b.jpg"]["rating"], r["b.jpg"]["label"]) == (
        "reject",
        "0",
        "",
    )
    assert (r["c.jpg"]["decision"], r["c.jpg"]["rating"], r["c.jpg"]["label"]) == ("", "0", "")
    _, text, _ = score(str(shoot), "-f", "json", "-j", "1")
    recs = {Path(str(x["path"])).name: x for x in json.loads(text)}
    assert (recs["a.jpg"]["decision"], recs["a.jpg"]["rating"], recs["a.jpg"]["label"]) == (
        "keep",
        4,
        "green",
    )
    assert (recs["c.jpg"]["decision"], recs["c.jpg"]["rating"], recs["c.jpg"]["label"]) == (
        None,
        0,
        None,
    )


def test_a_damaged_catalog_is_reported_once_and_scoring_goes_on(shoot: Path) -> None:
    path = default_catalog_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    code, text, err = score(str(shoot), "-f", "csv", "-j", "1")
    assert code == 1 and len(rows(text)) == 3
    assert "damaged" in err and ".corrupt-" in err
    _, _, err2 = score(str(shoot), "-f", "csv", "-j", "1")
    assert "damaged" not in err2
