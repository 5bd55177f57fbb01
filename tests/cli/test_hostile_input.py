"""`reviewer score` against hostile file systems, run as a user would: in a subprocess.

FIFOs and devices on the command line and in folders, broken and looping links, names that are
not valid UTF-8 in every locale, a worker killed mid-scan, a read that hangs, Ctrl-C. Every test
has a time limit on the subprocess itself: on today's main several of them hang for ever.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import cv2
import pytest

from reviewer.core.pathtext import unescape_path
from tests.imagegen import dead_leaves

LIMIT_S = 120  # no run here takes more than a few seconds; a hang fails the test instead
BAD_NAME = b"bad\xff\xfe name.jpg"  # not valid UTF-8


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.pop("REVIEWER_TEST_KILL_ON", None)
    e.pop("REVIEWER_TEST_HANG_ON", None)
    e.update(extra)
    return e


def run(
    *args: str | bytes, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", "score", *args],
        capture_output=True,
        timeout=LIMIT_S,
        env=env(**(extra_env or {})),
    )


@pytest.fixture(scope="module")
def scene_jpeg(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("scene")
    cv2.imwrite(str(folder / "s.jpg"), dead_leaves(480, 320, seed=5))
    return (folder / "s.jpg").read_bytes()


@pytest.fixture
def hostile(tmp_path: Path, scene_jpeg: bytes) -> Path:
    """Two good photos and one of each bad entry a card or a prank can hold."""
    (tmp_path / "a_good.jpg").write_bytes(scene_jpeg)
    (tmp_path / "z_good.jpg").write_bytes(scene_jpeg)
    os.mkfifo(tmp_path / "fifo.jpg")
    (tmp_path / "zero.jpg").symlink_to("/dev/zero")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    (tmp_path / "loop.jpg").symlink_to(tmp_path / "loop.jpg")
    (tmp_path / "notes.txt").write_text("not photo-like: no row")
    return tmp_path


def csv_rows(stdout: bytes) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(stdout.decode("utf-8")))
    return {Path(r["path"]).name: r for r in rows}


def test_every_bad_entry_in_a_folder_gets_a_row(hostile: Path) -> None:
    proc = run(str(hostile), "--format", "csv", "--jobs", "2")
    assert proc.returncode == 1, proc.stderr
    rows = csv_rows(proc.stdout)
    assert set(rows) == {
        "a_good.jpg", "z_good.jpg", "fifo.jpg", "zero.jpg", "dangling.jpg", "loop.jpg"
    }  # fmt: skip
    assert rows["a_good.jpg"]["verdict"] == rows["z_good.jpg"]["verdict"] == "sharp"
    assert "FIFO" in rows["fifo.jpg"]["error"]
    assert "character device" in rows["zero.jpg"]["error"]
    assert "broken symbolic link" in rows["dangling.jpg"]["error"]
    assert "symbolic link loop" in rows["loop.jpg"]["error"]
    assert b"Traceback" not in proc.stderr


def test_bad_entries_named_on_the_command_line_get_rows_and_do_not_stop_the_run(
    hostile: Path,
) -> None:
    # `mkfifo x.jpg; reviewer score x.jpg a.jpg` used to hang for ever, and a dangling link
    # aborted the whole run with exit 2 and no rows
    names = ["fifo.jpg", "a_good.jpg", "dangling.jpg", "zero.jpg", "loop.jpg", "missing.jpg"]
    proc = run(*(str(hostile / n) for n in names), "--format", "csv")
    assert proc.returncode == 1, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode())))
    assert [Path(r["path"]).name for r in rows] == names  # --order input is the default
    assert [r["verdict"] for r in rows] == ["error", "sharp", "error", "error", "error", "error"]
    assert rows[-1]["error"] == "file not found"


def test_a_worker_killed_on_one_file_costs_only_that_row(hostile: Path, scene_jpeg: bytes) -> None:
    for i in range(4):
        (hostile / f"m{i}.jpg").write_bytes(scene_jpeg)
    proc = run(
        str(hostile), "--format", "csv", "--jobs", "2",
        extra_env={"REVIEWER_TEST_KILL_ON": "m1.jpg"},
    )  # fmt: skip
    assert proc.returncode == 1
    rows = csv_rows(proc.stdout)
    assert "worker died" in rows["m1.jpg"]["error"]
    assert all(rows[f"m{i}.jpg"]["verdict"] == "sharp" for i in (0, 2, 3))
    assert rows["z_good.jpg"]["verdict"] == "sharp"
    assert b"Traceback" not in proc.stderr


def test_a_hung_read_gets_a_timed_out_row_and_the_order_is_kept(
    tmp_path: Path, scene_jpeg: bytes
) -> None:
    names = ["a_hung.jpg", "b.jpg", "c.jpg", "d.jpg"]
    for n in names:
        (tmp_path / n).write_bytes(scene_jpeg)
    hang = {"REVIEWER_TEST_HANG_ON": "a_hung.jpg"}
    args = [str(tmp_path), "--format", "csv", "--jobs", "2", "--read-timeout", "1"]
    args += ["--context", "none"]  # rows of a burst wait for the whole burst
    by_input = run(*args, extra_env=hang)
    rows = list(csv.DictReader(io.StringIO(by_input.stdout.decode())))
    assert [Path(r["path"]).name for r in rows] == names
    assert "timed out reading" in rows[0]["error"]
    assert [r["verdict"] for r in rows[1:]] == ["sharp"] * 3
    by_completion = run(*args, "--order", "completion", extra_env=hang)
    rows = list(csv.DictReader(io.StringIO(by_completion.stdout.decode())))
    assert sorted(Path(r["path"]).name for r in rows) == names
    assert Path(rows[-1]["path"]).name == "a_hung.jpg"  # the others finished long before


@pytest.mark.parametrize(
    ("fmt", "to_group"),
    [("csv", False), ("csv", True), ("table", True), ("jsonl", False), ("json", True)],
    ids=["csv-main", "csv-group", "table-group", "jsonl-main", "json-group"],
)
def test_rows_stream_and_ctrl_c_ends_cleanly(
    tmp_path: Path, scene_jpeg: bytes, fmt: str, to_group: bool
) -> None:
    # the last file's read hangs (and its time limit is far away), so the run cannot end on
    # its own: rows must have been written before the end, and Ctrl-C must end it
    for i in range(4):
        (tmp_path / f"p{i}.jpg").write_bytes(scene_jpeg)
    (tmp_path / "q_hung.jpg").write_bytes(scene_jpeg)
    proc = subprocess.Popen(
        # --context none: in a burst, a frame's row waits for its burst (the verdict needs it)
        [
            sys.executable,
            "-m",
            "reviewer",
            "score",
            str(tmp_path),
            "-f",
            fmt,
            "-j",
            "2",
            "--context",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(REVIEWER_TEST_HANG_ON="q_hung.jpg", REVIEWER_READ_TIMEOUT="600"),
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    try:
        assert proc.stdout is not None
        header = [] if fmt == "jsonl" else [proc.stdout.readline()]
        if fmt == "json":  # an indented array: read up to each record's path
            rows = [_read_until(proc.stdout, b"p%d.jpg" % i) for i in range(4)]
        else:
            rows = [proc.stdout.readline() for _ in range(4)]  # each waits for its row
        assert [b"p%d.jpg" % i in row for i, row in enumerate(rows)] == [True] * 4, rows
        assert proc.poll() is None  # written while the scan still runs (on the hung file)
        if to_group:  # what a terminal's Ctrl-C does: the whole foreground group
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        rest, err = _finish(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert b"interrupted" in err
    out = b"".join(header + rows) + rest
    text = out.decode("utf-8")
    assert "q_hung.jpg" not in text
    if fmt == "jsonl":
        assert [json.loads(line)["verdict"] for line in text.splitlines()] == ["sharp"] * 4
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == 4
    if fmt == "json":  # the array is closed: valid JSON with the rows so far
        assert [r["verdict"] for r in json.loads(text)] == ["sharp"] * 4, text


def _read_until(stream: IO[bytes], marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        line = stream.readline()
        assert line, data
        data += line
    return data


LOCALES = {
    # a normal UTF-8 locale: strict encoding (a traceback and a cut CSV on main)
    "utf-8": {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"},
    # C.UTF-8 as Python sees it: raw undecodable bytes were written (not UTF-8)
    "C.UTF-8": {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    "C": {"LANG": "C", "LC_ALL": "C"},
    "latin-1": {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "latin-1"},
}


@pytest.mark.parametrize(
    ("locale", "fmt"),
    [("utf-8", "csv"), ("utf-8", "table"), ("utf-8", "json"), ("utf-8", "jsonl"),
     ("C.UTF-8", "csv"), ("C", "table"), ("C", "jsonl"), ("latin-1", "csv")],
)  # fmt: skip
def test_a_name_that_is_not_utf8_never_breaks_the_output(
    tmp_path: Path, scene_jpeg: bytes, locale: str, fmt: str
) -> None:
    folder = os.fsencode(tmp_path)
    bad = os.path.join(folder, BAD_NAME)
    with open(bad, "wb") as f:
        f.write(scene_jpeg)
    (tmp_path / "zz_next.jpg").write_bytes(scene_jpeg)
    (tmp_path / "back\\slash é.jpg").write_bytes(scene_jpeg)
    named = [bad, os.fsencode(tmp_path / "zz_next.jpg")]
    for args in ([folder], named) if fmt == "csv" else ([folder],):
        proc = run(*args, "--format", fmt, extra_env=LOCALES[locale])
        assert proc.returncode == 0, proc.stderr
        assert b"Traceback" not in proc.stderr
        text = proc.stdout.decode("utf-8")  # strict: raises if any byte is not UTF-8
        proc.stderr.decode("utf-8")
        if fmt == "csv":
            paths = [r["path"] for r in csv.DictReader(io.StringIO(text))]
        elif fmt == "json":
            paths = [r["path"] for r in json.loads(text)]
        elif fmt == "jsonl":
            paths = [json.loads(line)["path"] for line in text.splitlines()]
        else:
            lines = text.splitlines()[1:]
            paths = [line.split("  ")[0].rstrip() for line in lines]
        # every row is there (the next file's too) and each path gives the original bytes back
        originals = (
            [os.fsencode(a) for a in args]
            if len(args) > 1
            else sorted(os.path.join(folder, n) for n in os.listdir(folder))
        )
        decoded = [unescape_path(p) for p in paths]
        assert sorted(decoded) == sorted(originals)
        assert bad in decoded
        for raw in decoded:
            assert os.path.exists(raw)


def _finish(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """The rest of stdout and all of stderr, once the process ends (within LIMIT_S). Not
    communicate(): it reads the pipe's fd and would skip what readline() already buffered."""
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None and stderr is not None
    out: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda: out.__setitem__("out", stdout.read()), daemon=True),
        threading.Thread(target=lambda: out.__setitem__("err", stderr.read()), daemon=True),
    ]
    for t in readers:
        t.start()
    proc.wait(timeout=LIMIT_S)
    for t in readers:
        t.join(LIMIT_S)
    return out["out"], out["err"]


def test_ctrl_c_in_burst_context_ends_cleanly_with_valid_output(
    tmp_path: Path, scene_jpeg: bytes
) -> None:
    """In a burst, rows wait for the whole burst; Ctrl-C still ends at once with exit 130 and
    a valid CSV of the photos done (judged among themselves)."""
    for i in range(4):
        (tmp_path / f"p{i}.jpg").write_bytes(scene_jpeg)
    (tmp_path / "q_hung.jpg").write_bytes(scene_jpeg)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reviewer", "score", str(tmp_path), "-f", "csv", "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(REVIEWER_TEST_HANG_ON="q_hung.jpg", REVIEWER_READ_TIMEOUT="600"),
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        header = proc.stdout.readline()  # written at once; the rows wait for the burst
        assert header.startswith(b"path,")
        os.killpg(proc.pid, signal.SIGINT)
        rest, err = _finish(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    rows = list(csv.DictReader(io.StringIO((header + rest).decode())))
    assert {Path(r["path"]).name for r in rows} <= {f"p{i}.jpg" for i in range(4)}
