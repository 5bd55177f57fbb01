"""The command line, run as a user would: in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from reviewer import __version__
from tests.imagegen import dead_leaves, defocus

COLUMNS = (
    "path,score,verdict,method,width,height,exposure,blur_kind,error,group,reason,"
    "decision,rating,label"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, timeout=240
    )


@pytest.fixture(scope="module")
def shoot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shoot")
    scene = dead_leaves(1200, 800, seed=3)
    cv2.imwrite(str(folder / "a_sharp.jpg"), scene[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
    cv2.imwrite(str(folder / "b_soft.jpg"), defocus(scene, 6)[:, :, ::-1])
    (folder / "c_broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    (folder / "notes.txt").write_text("not a photo, not listed")
    return folder


def test_version_and_help() -> None:
    assert run("--version").stdout.strip() == f"reviewer {__version__}"
    out = run("--help").stdout
    assert "reviewer score" in out and "FOLDER" in out.upper()
    score_help = run("score", "--help")
    assert score_help.returncode == 0 and "--threshold" in score_help.stdout


def test_csv_rows_and_exit_code(shoot: Path) -> None:
    proc = run("score", str(shoot), "--format", "csv", "--jobs", "2")
    assert proc.returncode == 1, proc.stderr  # one photo could not be read
    lines = proc.stdout.splitlines()
    assert lines[0] == COLUMNS
    rows = {Path(r["path"]).name: r for r in csv.DictReader(io.StringIO(proc.stdout))}
    assert set(rows) == {"a_sharp.jpg", "b_soft.jpg", "c_broken.jpg"}
    assert rows["a_sharp.jpg"]["verdict"] == "sharp"
    assert rows["b_soft.jpg"]["verdict"] == "blurry"
    assert float(rows["a_sharp.jpg"]["score"]) > float(rows["b_soft.jpg"]["score"])
    assert rows["a_sharp.jpg"]["width"] == "1200" and rows["a_sharp.jpg"]["height"] == "800"
    assert rows["a_sharp.jpg"]["method"] == "focus"
    broken = rows["c_broken.jpg"]
    assert broken["verdict"] == "error" and broken["error"] and broken["score"] == ""
    assert "could not be read" in proc.stderr


def test_all_good_exits_zero_and_methods_and_threshold(shoot: Path) -> None:
    sharp = str(shoot / "a_sharp.jpg")
    for method in ("focus", "edge-ratio", "laplacian", "learned"):
        proc = run("score", sharp, "--method", method, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        (rec,) = json.loads(proc.stdout)
        assert rec["method"] == method and rec["score"] is not None
    proc = run("score", sharp, "--threshold", "101", "--format", "csv")
    assert proc.returncode == 0
    assert list(csv.DictReader(io.StringIO(proc.stdout)))[0]["verdict"] == "blurry"


def test_table_format(shoot: Path) -> None:
    proc = run("score", str(shoot / "b_soft.jpg"))
    assert proc.returncode == 0
    header, row = proc.stdout.splitlines()
    assert header.split()[:3] == ["path", "score", "verdict"]
    assert "blurry" in row


def test_bad_arguments_exit_two(tmp_path: Path) -> None:
    assert run("score", str(tmp_path), "--method", "magic").returncode == 2
    assert run("score", str(tmp_path), "--jobs", "0").returncode == 2
    assert run("score").returncode == 2


def test_recursive(tmp_path: Path) -> None:
    sub = tmp_path / "day2"
    sub.mkdir()
    cv2.imwrite(str(sub / "x.jpg"), dead_leaves(400, 300, seed=1))
    flat = run("score", str(tmp_path), "--format", "csv")
    assert flat.returncode == 0 and len(flat.stdout.splitlines()) == 1  # header only
    deep = run("score", str(tmp_path), "--recursive", "--format", "csv")
    assert len(deep.stdout.splitlines()) == 2
