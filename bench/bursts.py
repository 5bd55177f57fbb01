"""Judging in context: synthetic shoots of bursts, grouped and judged against their bursts.

    PYTHONPATH=. .venv/bin/python bench/bursts.py [--out /tmp/reviewer_bursts] [--jobs N]

Builds (once, cached in OUT) labelled shoots with ../shared/tools/make_bursts.py: from the
sharp photos of ../shared/photos/real (at the tool's default 3000 px), of
../shared/photos/camera-af (real camera JPEGs of ten makes, labelled by eye; at 2048 px, the
size they are scored at, which also halves the time to make them) and of Debian's
plasma-workspace-wallpapers photographs (at 1280 px, as ../shared/photos/README.md makes its
synthetic set; skipped when the package cannot be downloaded). Scores every frame with `focus`
(scores cached in OUT; --rescore to redo), then judges each frame alone (--context none) and
in its burst (--context burst), and prints:

  blurry frames called blurry        >= 95 %   (burst context)
  sharp frames called blurry         <= 2 %
  unsure                             <= 10 %
  bursts recovered (adjusted Rand)   >= 0.9, with capture times and without them
  focus-stack frames called blurry   0         (../shared/photos/focus-stack, real sweeps)
  grouping cost / scoring time       <= 10 %   (signature + grouping + judging, same run)
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import pickle
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core.batch import PhotoResult, ScoringJob, score_file  # noqa: E402
from reviewer.core.decode import load_working_image  # noqa: E402
from reviewer.core.judging.context import judge_results  # noqa: E402
from reviewer.core.judging.groups import SIGNATURE_SIZE, signature  # noqa: E402
from reviewer.core.scoring import get_scorer  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.is_dir():  # a git worktree one level deeper
    SHARED = Path(__file__).resolve().parents[3] / "shared"
PLASMA = ["BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow",
          "FallenLeaf", "Grey", "OneStandsOut", "Path", "summer_1am"]  # fmt: skip


def _make(tool: Path, src: Path, dest: Path, *extra: str) -> None:
    if not (dest / "labels.csv").exists():
        subprocess.run(
            [sys.executable, str(tool), str(src), "--out", str(dest), *extra], check=True
        )


def make_shoots(out: Path) -> list[Path]:
    tool = SHARED / "tools" / "make_bursts.py"
    shoots = []
    for name, edge in (("real", "3000"), ("camera-af", "2048")):
        _make(tool, SHARED / "photos" / name, out / name, "--max-edge", edge)
        shoots.append(out / name)
    plasma = out / "plasma"
    if not (plasma / "labels.csv").exists():
        wall = out / "wall"
        if not wall.is_dir():
            got = subprocess.run(
                ["apt-get", "download", "plasma-workspace-wallpapers"],
                cwd=out,
                capture_output=True,
            )
            debs = sorted(out.glob("plasma-workspace-wallpapers_*.deb"))
            if got.returncode != 0 or not debs:
                print("plasma-workspace-wallpapers not available: that shoot is skipped")
                return shoots
            subprocess.run(["dpkg", "-x", str(debs[-1]), str(wall)], check=True)
        bases = out / "plasma_bases"
        bases.mkdir(exist_ok=True)
        for n in PLASMA:
            src = wall / "usr/share/wallpapers" / n / "contents/images/2560x1600.jpg"
            (bases / f"plasma_{n}.jpg").write_bytes(src.read_bytes())
        _make(tool, bases, plasma, "--max-edge", "1280")
    shoots.append(plasma)
    return shoots


def labels(shoot: Path) -> list[dict[str, str]]:
    with open(shoot / "labels.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def score_all(
    paths: list[Path], cache: Path, jobs: int | None, rescore: bool
) -> dict[Path, PhotoResult]:
    """Every frame scored with `focus`; results are kept in `cache` and only new frames are
    scored (--rescore: all of them)."""
    results: dict[Path, PhotoResult] = {}
    if cache.exists() and not rescore:
        with open(cache, "rb") as fh:
            version, stored = pickle.load(fh)
        if version == SIGNATURE_SIZE:
            results = {p: r for p, r in stored.items() if p in set(paths)}
    missing = [p for p in paths if p not in results]
    if missing:
        results.update({r.path: r for r in ScoringJob(missing, "focus", jobs=jobs).results()})
        with open(cache, "wb") as fh:
            pickle.dump((SIGNATURE_SIZE, results), fh)
    return results


def ari(truth: Sequence[str], found: Sequence[str]) -> float:
    """Adjusted Rand index of two labellings of the same items."""
    t_ids = {v: i for i, v in enumerate(sorted(set(truth)))}
    f_ids = {v: i for i, v in enumerate(sorted(set(found)))}
    table = np.zeros((len(t_ids), len(f_ids)), np.int64)
    for a, b in zip(truth, found, strict=True):
        table[t_ids[a], f_ids[b]] += 1

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) // 2).sum())

    n = len(truth)
    index = pairs(table)
    rows, cols = pairs(table.sum(1)), pairs(table.sum(0))
    total = n * (n - 1) / 2
    expected = rows * cols / total if total else 0.0
    best = (rows + cols) / 2
    return 1.0 if best == expected else (index - expected) / (best - expected)


def _strip_time(r: PhotoResult) -> PhotoResult:
    info = dataclasses.replace(r.info, captured_at=None) if r.info is not None else None
    return dataclasses.replace(r, info=info)


def evaluate(
    shoots: list[Path], results: dict[Path, PhotoResult], timed: bool
) -> dict[str, object]:
    tallies = {
        "none": [0, 0, 0, 0, 0],
        "burst": [0, 0, 0, 0, 0],
    }  # blurry hit, blurry n, sharp fp, sharp n, unsure
    truth_all: list[str] = []
    found_all: list[str] = []
    total = 0
    misses: list[str] = []
    for shoot in shoots:
        rows = labels(shoot)
        rs = [results[shoot / r["path"]] for r in rows]
        if not timed:
            rs = [_strip_time(r) for r in rs]
        for context in ("none", "burst"):
            judged = judge_results(rs, context)  # type: ignore[arg-type]
            t = tallies[context]
            for row, jc in zip(rows, judged, strict=True):
                v = jc.judgement.verdict
                if row["label"] == "blurry":
                    t[0] += v == "blurry"
                    t[1] += 1
                    if context == "burst" and v != "blurry" and timed:
                        what = f"{row['kind']} {row['param']}"
                        misses.append(
                            f"{shoot.name}/{row['path']} {what}: {v} ({jc.judgement.reason})"
                        )
                else:
                    t[2] += v == "blurry"
                    t[3] += 1
                    if context == "burst" and v == "blurry" and timed:
                        misses.append(
                            f"{shoot.name}/{row['path']} sharp: {v} ({jc.judgement.reason})"
                        )
                t[4] += v == "unsure"
            if context == "burst":
                for row, jc in zip(rows, judged, strict=True):
                    truth_all.append(f"{shoot.name}/{row['burst']}")
                    found_all.append(f"{shoot.name}/{jc.group or row['path']}")
        total += len(rows)
    return {"tallies": tallies, "ari": ari(truth_all, found_all), "total": total, "misses": misses}


def speed(paths: list[Path], results: dict[Path, PhotoResult], sample: int) -> float:
    """(signature + grouping + judging) time / (decode + score) time, in this process."""
    scorer = get_scorer("focus")
    chosen = paths[:: max(1, len(paths) // sample)][:sample]
    t_score = t_sig = 0.0
    for p in chosen:
        t0 = time.perf_counter()
        photo = load_working_image(p)
        scorer.score(photo)
        t1 = time.perf_counter()
        signature(photo.rgb)
        t2 = time.perf_counter()
        t_score += t1 - t0
        t_sig += t2 - t1
    rs = [results[p] for p in paths]
    t0 = time.perf_counter()
    for _ in range(5):
        judge_results(rs, "burst")
    t_group = (time.perf_counter() - t0) / 5
    per_file_score = t_score / len(chosen)
    per_file_added = t_sig / len(chosen) + t_group / len(paths)
    return per_file_added / per_file_score


def focus_stacks(jobs: int | None) -> tuple[int, int, int]:
    """(frames called blurry, frames, sweeps recognised) on the real focus sweeps."""
    called = frames = recognised = 0
    for sweep in sorted((SHARED / "photos" / "focus-stack").iterdir()):
        if not sweep.is_dir():
            continue
        paths = sorted(p for p in sweep.iterdir() if p.suffix.lower() == ".jpg")
        rs = [score_file(p) for p in paths]
        judged = judge_results(rs, "burst")
        frames += len(rs)
        called += sum(j.judgement.verdict == "blurry" for j in judged)
        recognised += any("focus stack" in j.judgement.reason for j in judged)
    return called, frames, recognised


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/reviewer_bursts"))
    ap.add_argument("--jobs", "-j", type=int, default=None)
    ap.add_argument("--rescore", action="store_true", help="score again instead of the cache")
    ap.add_argument("--speed-sample", type=int, default=16)
    ap.add_argument("--misses", action="store_true", help="list the frames judged wrong")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    shoots = make_shoots(a.out)
    paths = [s / r["path"] for s in shoots for r in labels(s)]
    results = score_all(paths, a.out / "scores.pkl", a.jobs, a.rescore)
    with_times = evaluate(shoots, results, timed=True)
    without = evaluate(shoots, results, timed=False)
    ratio = speed(paths, results, a.speed_sample)
    stack_called, stack_frames, stacks_found = focus_stacks(a.jobs)

    def pct(n: int, d: int) -> float:
        return 100.0 * n / d if d else 0.0

    def status(ok: bool) -> str:
        return "MET" if ok else "NOT MET"

    tb = with_times["tallies"]["burst"]  # type: ignore[index]
    tn = with_times["tallies"]["none"]  # type: ignore[index]
    wb = without["tallies"]["burst"]  # type: ignore[index]
    n = int(with_times["total"])  # type: ignore[call-overload]
    names = ", ".join(s.name for s in shoots)
    print(f"{n} frames in {len(shoots)} shoots ({names}); {tb[1]} blurry, {tb[3]} sharp")
    print(f"{'figure':40} {'alone':>7} {'burst':>7} {'no time':>7}  {'target':8} status")
    table = [
        ("blurry frames called blurry (%)", 0, 1, ">= 95", lambda v: v >= 95),
        ("sharp frames called blurry (%)", 2, 3, "<= 2", lambda v: v <= 2),
        ("unsure (%)", 4, None, "<= 10", lambda v: v <= 10),
    ]
    for name, num, den, target, ok in table:
        vals = [pct(t[num], t[den] if den is not None else n) for t in (tn, tb, wb)]
        line = f"{name:40} {vals[0]:7.1f} {vals[1]:7.1f} {vals[2]:7.1f}"
        print(f"{line}  {target:8} {status(ok(vals[1]))}")
    a1, a2 = float(with_times["ari"]), float(without["ari"])  # type: ignore[arg-type]
    line = f"{'bursts recovered (adjusted Rand index)':40} {'':7} {a1:7.3f} {a2:7.3f}"
    print(f"{line}  {'>= 0.9':8} {status(min(a1, a2) >= 0.9)}")
    line = f"{'focus-stack frames called blurry':40} {'':7} {f'{stack_called}/{stack_frames}':>7}"
    print(
        f"{line} {'':7}  {'0':8} {status(stack_called == 0)} "
        f"({stacks_found} of 2 sweeps recognised)"
    )
    line = f"{'grouping cost / scoring time (%)':40} {'':7} {100 * ratio:7.1f} {'':7}"
    print(f"{line}  {'<= 10':8} {status(ratio <= 0.10)}")
    if a.misses:
        print("\n".join(with_times["misses"]))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
