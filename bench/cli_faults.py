"""Fault proof for `reviewer score`: workers killed mid-scan, hung reads, special files, names
that are not UTF-8 and Ctrl-C, on a generated folder. Prints a table of targets, MET/NOT MET.

    PYTHONPATH=$PWD python bench/cli_faults.py [--photos 60] [--kills 5] [--jobs 2]

Every run is `python -m reviewer score` in a subprocess, as a user runs it; the folder is made in
a temp dir and removed after.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2

from reviewer.core.pathtext import unescape_path
from tests.imagegen import dead_leaves

LIMIT_S = 600


def make_folder(root: Path, photos: int) -> tuple[list[bytes], dict[str, str]]:
    """Good photos plus one of each bad entry; returns every entry's bytes path and the error
    expected for each bad one (a substring)."""
    scene = cv2.imencode(".jpg", dead_leaves(640, 480, seed=11))[1].tobytes()
    for i in range(photos):
        (root / f"p{i:04d}.jpg").write_bytes(scene)
    os.mkfifo(root / "x_fifo.jpg")
    (root / "x_zero.jpg").symlink_to("/dev/zero")
    (root / "x_dangling.jpg").symlink_to(root / "gone.jpg")
    (root / "x_loop.jpg").symlink_to(root / "x_loop.jpg")
    with open(os.path.join(os.fsencode(root), b"x_bad\xff\xfe.jpg"), "wb") as f:
        f.write(scene)
    expected = {
        "x_fifo.jpg": "FIFO",
        "x_zero.jpg": "character device",
        "x_dangling.jpg": "broken symbolic link",
        "x_loop.jpg": "symbolic link loop",
    }
    entries = sorted(os.path.join(os.fsencode(root), n) for n in os.listdir(os.fsencode(root)))
    return entries, expected


def run_scan(
    root: Path, jobs: int, kill: list[str], hang: list[str]
) -> tuple[int, str, str, float]:
    env = dict(os.environ)
    env.update(
        REVIEWER_TEST_KILL_ON=",".join(kill),
        REVIEWER_TEST_HANG_ON=",".join(hang),
        LC_ALL="C",
        LANG="C",
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "score", str(root), "-f", "csv", "-j", str(jobs),
         "--read-timeout", "2"],
        capture_output=True, timeout=LIMIT_S, env=env,
    )  # fmt: skip
    elapsed = time.monotonic() - start
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"), elapsed


def run_interrupted(root: Path, jobs: int) -> tuple[int, int, bool]:
    """Ctrl-C to the whole process group once the first row is out: (exit status, rows
    written, whether a traceback was printed)."""
    env = dict(os.environ, REVIEWER_TEST_HANG_ON="p0003.jpg", REVIEWER_READ_TIMEOUT="600")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reviewer", "score", str(root), "-f", "csv", "-j", str(jobs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    head = proc.stdout.readline() + proc.stdout.readline()
    os.killpg(proc.pid, signal.SIGINT)
    try:  # not communicate(): it would skip what readline() has already buffered
        rest = proc.stdout.read()
        err = proc.stderr.read() if proc.stderr is not None else b""
        proc.wait(timeout=LIMIT_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    rows = len(list(csv.DictReader(io.StringIO((head + rest).decode("utf-8")))))
    return proc.returncode, rows, b"Traceback" in err


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=60)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--hangs", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewer-faults-") as tmp:
        root = Path(tmp)
        entries, expected = make_folder(root, args.photos)
        step = max(1, args.photos // max(1, args.kills + args.hangs))
        chosen = [f"p{i:04d}.jpg" for i in range(1, args.photos, step)]
        kill, hang = chosen[: args.kills], chosen[args.kills : args.kills + args.hangs]
        code, out, err, elapsed = run_scan(root, args.jobs, kill, hang)
        rows = list(csv.DictReader(io.StringIO(out)))
        printed = Counter(unescape_path(r["path"]) for r in rows)
        by_name = {os.path.basename(unescape_path(r["path"])).decode("utf-8", "replace"): r
                   for r in rows}  # fmt: skip
        missing = [e for e in entries if printed[e] == 0]
        duplicated = [e for e in printed if printed[e] > 1]
        died = sum("worker died" in by_name.get(n, {}).get("error", "") for n in kill)
        timed_out = sum("timed out reading" in by_name.get(n, {}).get("error", "") for n in hang)
        special = sum(m in by_name.get(n, {}).get("error", "") for n, m in expected.items())
        bystanders = [
            n for n in by_name
            if n.startswith("p") and n not in kill + hang and by_name[n]["verdict"] == "error"
        ]  # fmt: skip
        int_code, int_rows, int_trace = run_interrupted(root, args.jobs)

    checks = [
        ("entries", len(entries), "rows for all", len(rows), not missing),
        ("rows missing", len(missing), "0", len(missing), not missing),
        ("rows duplicated", len(duplicated), "0", len(duplicated), not duplicated),
        ("workers killed", len(kill), "each 'worker died'", died, died == len(kill)),
        ("reads hung", len(hang), "each 'timed out reading'", timed_out, timed_out == len(hang)),
        ("special files", len(expected), "each its reason", special, special == len(expected)),
        ("good photos hurt", 0, "0", len(bystanders), not bystanders),
        ("exit status", 1, "1", code, code == 1),
        ("traceback on stderr", 0, "none", int("Traceback" in err), "Traceback" not in err),
        ("Ctrl-C exit status", 130, "130", int_code, int_code == 130),
        ("Ctrl-C rows written", int_rows, ">= 1", int_rows, int_rows >= 1),
        ("Ctrl-C traceback", 0, "none", int(int_trace), not int_trace),
    ]
    print(f"reviewer score on {len(entries)} entries, --jobs {args.jobs}, LC_ALL=C: "
          f"{elapsed:.1f} s")  # fmt: skip
    print(f"{'check':22} {'target':>26} {'measured':>9}  result")
    for name, _, target, measured, ok in checks:
        print(f"{name:22} {target:>26} {measured:>9}  {'MET' if ok else 'NOT MET'}")
    return 0 if all(c[4] for c in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
