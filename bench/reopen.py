"""Reopening a scored folder: the score cache against scoring from zero.

    .venv/bin/python bench/reopen.py [--count 1000] [--jobs N] [--keep]

Builds COUNT small JPEGs in a temporary folder (copies of the bundled demo photos, each made
unique by bytes after its end-of-image marker, which decoders ignore) and a fresh catalog
beside them (REVIEWER_DATA_DIR), then measures, in this one run:

  first score   `reviewer score FOLDER -f csv`, nothing cached (every photo decoded);
  second score  the same command again: every score from the catalog;
  reopen        what a window does to reopen the folder: list it into shots, load them into
                the cull model with their marks, and fill in every cached score (no decoding).

Targets: second score >= 20x faster than the first; reopen <= 1 s for the whole grid scored.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core.catalog import scan_folder  # noqa: E402
from reviewer.core.cull.catalog_db import ENV_DATA_DIR, Catalog  # noqa: E402
from reviewer.core.cull.model import CullModel  # noqa: E402
from reviewer.core.scoring import DEFAULT_METHOD  # noqa: E402

SPEEDUP_TARGET = 20.0
REOPEN_TARGET_S = 1.0


def make_folder(folder: Path, count: int) -> list[Path]:
    sources = sorted((ROOT / "resources" / "demo").glob("*.jpg"))
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        data = sources[i % len(sources)].read_bytes()
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(data + f"reviewer-bench-{i}".encode())
        out.append(path)
    return out


def run_score(folder: Path, env: dict[str, str], jobs: int | None) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "reviewer", "score", str(folder), "-f", "csv"]
    if jobs:
        cmd += ["-j", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"reviewer score failed ({proc.returncode}): {proc.stderr}")
    return elapsed, proc.stdout


def reopen(folder: Path, db: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    catalog = Catalog(db)
    scan = scan_folder(folder)
    model = CullModel(catalog)
    n = model.load([s.display_path for s in scan.shots], DEFAULT_METHOD)
    elapsed = time.perf_counter() - start
    catalog.close()
    return elapsed, len(model), n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="reviewer-reopen-"))
    try:
        folder = tmp / "shoot"
        make_folder(folder, args.count)
        data = tmp / "data"
        env = dict(os.environ, **{ENV_DATA_DIR: str(data)})
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        first, out1 = run_score(folder, env, args.jobs)
        second, out2 = run_score(folder, env, args.jobs)
        same = out1 == out2
        t_reopen, shots, cached = reopen(folder, data / "catalog.sqlite3")
        speedup = first / second if second > 0 else float("inf")

        rows = [
            ("first `reviewer score`", f"{first:.2f} s", "", ""),
            ("second `reviewer score`", f"{second:.2f} s", "", ""),
            (
                "second vs first",
                f"{speedup:.1f}x faster",
                f">= {SPEEDUP_TARGET:g}x",
                "MET" if speedup >= SPEEDUP_TARGET else "NOT MET",
            ),
            ("same rows both times", "yes" if same else "NO", "yes", "MET" if same else "NOT MET"),
            (
                f"reopen ({shots} shots, {cached} scores cached)",
                f"{t_reopen * 1000:.0f} ms",
                f"<= {REOPEN_TARGET_S:g} s",
                "MET" if t_reopen <= REOPEN_TARGET_S and cached == args.count else "NOT MET",
            ),
            ("reopen vs first score", f"{first / t_reopen:.0f}x faster", "", ""),
        ]
        print(f"{args.count} photos, method {DEFAULT_METHOD}, folder {folder}")
        widths = [
            max(len(r[i]) for r in [("measure", "value", "target", ""), *rows]) for i in range(4)
        ]
        for r in [("measure", "value", "target", "status"), *rows]:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        met = speedup >= SPEEDUP_TARGET and same and t_reopen <= REOPEN_TARGET_S
        return 0 if met else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
