"""Accuracy of the three scorers on labelled real photos and synthetic blur sets.

    bash bench/make_dev_set.sh            # once: builds bench/out/dev_synth{,_full}
    bash bench/make_wide_set.sh           # once: builds bench/out/wide_synth{,_full}
    bash bench/make_holdout_set.sh        # once: builds bench/out/holdout_synth{,_full}
    .venv/bin/python bench/accuracy.py [--real DIR] [--synth DIR] [--wide DIR] [--holdout DIR]
                                       [--jobs N] [--by-kind]

The dev set (real + synthetic, "all", the issue's set) and the wider dev set ("dev-wide") are
what the scorer was tuned on; the held-out set is photos it was never tuned on. Each is reported
apart with its own targets, to show whether the figures hold for photos in general. Each
synthetic set comes twice: with 1280 px files, and ("@3000") with the files at the blur tool's
default size (up to 3000 px), read through the decoder's other paths (JPEG DCT scaling, full
decodes); the same verdicts at both sizes show the calibration does not depend on file size.

Labels come from each folder's labels.csv (`path,label,kind,...`; label sharp|blurry; kind
bokeh/pan marks shallow depth-of-field shots, which are labelled sharp). Prints, per method and
set: ROC AUC, balanced accuracy at the method's default threshold, the share of sharp photos and
of shallow-DOF photos called blurry, and the targets for `focus`. With --by-kind, also each
method's misses per kind of photo (blur type and strength), to show where a scorer fails.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core.batch import ScoringJob  # noqa: E402
from reviewer.core.scoring import METHODS, get_scorer  # noqa: E402

SHALLOW_KINDS = {"bokeh", "pan"}
WIDE = "dev-wide"
HELD_OUT = "held-out"
FULL = "@3000"  # the same set with the blur tool's default file size, from FOLDER_full
# the sets with a block of targets for `focus`, and their titles
TARGET_SETS = {
    "all": "all dev photos: real + synthetic",
    "synthetic" + FULL: "the synthetic dev set at 3000 px",
    WIDE: "wider dev set",
    WIDE + FULL: "wider dev set at 3000 px",
    HELD_OUT: "held-out: never tuned on",
    HELD_OUT + FULL: "held-out at 3000 px: never tuned on",
}
TARGETS = {"auc": 0.97, "balanced": 0.93, "sharp_rejected": 0.05, "shallow_rejected": 0.10}


@dataclass
class Item:
    path: Path
    label: str
    kind: str
    subset: str
    strength: str = ""  # the synthetic set's blur strength ("k=4"), from its param column


def blur_strength(param: str) -> str:
    """'k=4;radius_px=2.50' -> 'k=4' (make_blur_set.py's strength at 2048 px); else ''."""
    first = param.split(";")[0]
    return first if first.startswith("k=") else ""


def read_labels(folder: Path, subset: str) -> list[Item]:
    with open(folder / "labels.csv", newline="") as fh:
        return [
            Item(
                folder / r["path"],
                r["label"],
                r.get("kind", ""),
                subset,
                blur_strength(r.get("param") or ""),
            )
            for r in csv.DictReader(fh)
        ]


def roc_auc(sharp: np.ndarray, blurry: np.ndarray) -> float:
    """P(score of a sharp photo > score of a blurry one), ties counting half."""
    if not len(sharp) or not len(blurry):
        return float("nan")
    greater = (sharp[:, None] > blurry[None, :]).sum()
    ties = (sharp[:, None] == blurry[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(sharp) * len(blurry)))


def figures(items: list[Item], scores: dict[Path, float], threshold: float) -> dict[str, float]:
    s = np.array([scores[i.path] for i in items if i.label == "sharp"])
    b = np.array([scores[i.path] for i in items if i.label == "blurry"])
    shallow = np.array([scores[i.path] for i in items if i.kind in SHALLOW_KINDS])
    # counts, not float means: 6 of 120 is exactly 5 %
    tnr = int((s >= threshold).sum()) / len(s) if len(s) else float("nan")
    tpr = int((b < threshold).sum()) / len(b) if len(b) else float("nan")
    return {
        "n": len(items),
        "auc": roc_auc(s, b),
        "balanced": 0.5 * (tpr + tnr),
        "blurry_found": tpr,
        "sharp_rejected": int((s < threshold).sum()) / len(s) if len(s) else float("nan"),
        "shallow_rejected": (
            int((shallow < threshold).sum()) / len(shallow) if len(shallow) else float("nan")
        ),
    }


def print_by_kind(
    method: str, items: list[Item], scores: dict[Path, float], threshold: float
) -> None:
    """Per kind of photo: how many the method gets wrong at its threshold, the median score, and
    for a blurry kind its ROC AUC against all the sharp photos of the same set: how well any
    threshold could tell that kind of blur from sharp photos at all."""
    groups: dict[tuple[str, str, str], list[float]] = {}
    sharp: dict[str, list[float]] = {}
    for i in items:
        kind = " ".join(x for x in (i.kind, i.strength) if x)
        groups.setdefault((i.subset, i.label, kind), []).append(scores[i.path])
        if i.label == "sharp":
            sharp.setdefault(i.subset, []).append(scores[i.path])
    print(f"\n{method} by kind (threshold {threshold:g}):")
    head = f"{'set':14s} {'label':7s} {'kind':24s} {'n':>4s} {'wrong':>5s} {'median':>7s}"
    print(f"  {head} {'AUC vs sharp':>12s}")
    for (subset, label, kind), values in sorted(groups.items()):
        v = np.array(values)
        wrong = int((v < threshold).sum() if label == "sharp" else (v >= threshold).sum())
        auc = roc_auc(np.array(sharp.get(subset, [])), v) if label == "blurry" else math.nan
        separable = f"{'-':>12s}" if math.isnan(auc) else f"{auc:12.3f}"
        row = f"{subset:14s} {label:7s} {kind:24s} {len(v):4d} {wrong:5d} {np.median(v):7.1f}"
        print(f"  {row} {separable}")


def pct(x: float) -> str:
    return f"{'-':>7s}" if math.isnan(x) else f"{x:7.1%}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "photos" / "real")
    ap.add_argument("--synth", type=Path, default=ROOT / "bench" / "out" / "dev_synth")
    ap.add_argument("--wide", type=Path, default=ROOT / "bench" / "out" / "wide_synth")
    ap.add_argument("--holdout", type=Path, default=ROOT / "bench" / "out" / "holdout_synth")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--by-kind", action="store_true", help="misses per kind of photo")
    args = ap.parse_args()

    items: list[Item] = []
    sources = (
        (args.real, "real", "../shared/photos/README.md"),
        (args.synth, "synthetic", "bench/make_dev_set.sh"),
        (args.wide, WIDE, "bench/make_wide_set.sh"),
        (args.holdout, HELD_OUT, "bench/make_holdout_set.sh"),
    )
    for folder, name, how in sources:
        full = folder.with_name(folder.name + "_full")
        for where, subset in ((folder, name), (full, name + FULL)):
            if where is full and name == "real":
                continue
            if (where / "labels.csv").is_file():
                items += read_labels(where, subset)
            else:
                print(f"(skipping {subset}: no {where}/labels.csv; see {how})")
    if not items:
        return 1
    subsets = {
        name: [i for i in items if i.subset in members]
        for name, members in (
            ("real", {"real"}),
            ("synthetic", {"synthetic"}),
            ("all", {"real", "synthetic"}),
            *((n, {n}) for n in ("synthetic" + FULL, WIDE, WIDE + FULL, HELD_OUT, HELD_OUT + FULL)),
        )
    }

    print(
        f"{'method':11s} {'set':14s} {'n':>4s} {'AUC':>6s} {'bal.acc':>7s} {'blurry':>7s} "
        f"{'sharp':>7s} {'shallow':>7s} {'time':>6s}"
    )
    print(
        f"{'':11s} {'':14s} {'':>4s} {'':>6s} {'':>7s} {'found':>7s} {'rejctd':>7s} "
        f"{'rejctd':>7s} {'s':>6s}"
    )
    focus_figures: dict[str, dict[str, float]] = {}
    last_row = [name for name, subset in subsets.items() if subset][-1]  # it shows the time
    by_kind: list[tuple[str, dict[Path, float], float]] = []
    for method in args.methods:
        threshold = get_scorer(method).default_threshold
        t0 = time.perf_counter()
        scores: dict[Path, float] = {}
        for r in ScoringJob([i.path for i in items], method, jobs=args.jobs).results():
            if r.score is None:
                print(f"  error: {r.path}: {r.error}")
                scores[r.path] = float("-inf")
            else:
                scores[r.path] = r.score.value
        elapsed = time.perf_counter() - t0
        by_kind.append((method, scores, threshold))
        for name, subset in subsets.items():
            if not subset:
                continue
            f = figures(subset, scores, threshold)
            if method == "focus" and name in TARGET_SETS:
                focus_figures[name] = f
            cells = [
                pct(f[k])
                for k in ("balanced", "blurry_found", "sharp_rejected", "shallow_rejected")
            ]
            took = f"{elapsed:6.1f}" if name == last_row else ""
            print(
                f"{method:11s} {name:14s} {f['n']:4d} {f['auc']:6.3f} "
                + " ".join(cells)
                + f" {took}"
            )
    if args.by_kind:
        for method, scores, threshold in by_kind:
            print_by_kind(method, items, scores, threshold)
    for name, title in TARGET_SETS.items():
        if name in focus_figures:
            print_targets(title, focus_figures[name])
    return 0


def print_targets(title: str, f: dict[str, float]) -> None:
    print(f"\nfocus targets ({title}):")
    checks = [
        ("ROC AUC", "auc", ">="),
        ("balanced accuracy", "balanced", ">="),
        ("sharp called blurry", "sharp_rejected", "<="),
        ("shallow-DOF called blurry", "shallow_rejected", "<="),
    ]
    for label, key, op in checks:
        value, target = f[key], TARGETS[key]
        if math.isnan(value):
            print(f"  {label:26s} {'-':>6s}  (no such photos in this set)")
            continue
        ok = value >= target if op == ">=" else value <= target
        print(f"  {label:26s} {value:6.3f} {op} {target:.2f}  {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    raise SystemExit(main())
