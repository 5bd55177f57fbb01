"""Would `focus` and `learned` together beat `focus` alone? A logistic model over both.

    .venv/bin/python bench/fusion.py [--jobs N]

Needs the sets of bench/accuracy.py (make_dev_set.sh, make_wide_set.sh, make_holdout_set.sh).
Scores every photo with `focus` and `learned`, fits a logistic model (features: the focus score
and the learned scorer's logit) on the dev photos (real + synthetic + wider dev set, 1280 px
copies), chooses its threshold on the dev photos so that it calls no more sharp photos blurry
there than `focus` does at its own threshold, and reports both on every set, the held-out ones
(never fitted on) included. The fusion would become the default only if it finds more blurry
held-out photos while calling no more sharp (or shallow depth-of-field) photos blurry on any
set; the verdict line says whether it does.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import FULL, HELD_OUT, WIDE, Item, Judged, figures, pct, read_labels  # noqa: E402

from reviewer.core.batch import ScoringJob  # noqa: E402

FIT_SETS = ("real", "synthetic", WIDE)


def load(args: argparse.Namespace) -> list[Item]:
    items: list[Item] = []
    for folder, name in (
        (args.real, "real"),
        (args.synth, "synthetic"),
        (args.wide, WIDE),
        (args.holdout, HELD_OUT),
    ):
        full = folder.with_name(folder.name + "_full")
        for where, subset in ((folder, name), (full, name + FULL)):
            if where is full and name == "real":
                continue
            if (where / "labels.csv").is_file():
                items += read_labels(where, subset)
            else:
                print(f"(skipping {subset}: no {where}/labels.csv)")
    return items


def features(items: list[Item], jobs: int | None) -> dict[Path, tuple[float, float]]:
    out: dict[Path, list[float]] = {i.path: [math.nan, math.nan] for i in items}
    for col, method in enumerate(("focus", "learned")):
        for r in ScoringJob([i.path for i in items], method, jobs=jobs).results():
            if r.score is None:
                continue
            v = r.score.details.get("photo_logit", r.score.value) if col else r.score.value
            out[r.path][col] = float(v)
    return {p: (v[0], v[1]) for p, v in out.items()}


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Weights (bias first) by Newton's method on the mean log-loss with a small L2 penalty."""
    a = np.column_stack([np.ones(len(x)), x])
    w = np.zeros(a.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) / len(y) + l2 * np.r_[0, w[1:]]
        hess = (a.T * (p * (1 - p))) @ a / len(y) + l2 * np.diag(np.r_[0, np.ones(len(w) - 1)])
        w -= np.linalg.solve(hess, grad)
    return w


def threshold_figures(
    items: list[Item], scores: dict[Path, float], threshold: float
) -> dict[str, float]:
    """accuracy.figures for a plain score and threshold (no unsure: a fused score has no
    judging of its own), with the found rate and balanced accuracy this table prints."""
    res = {p: Judged(v, "blurry" if v < threshold else "sharp") for p, v in scores.items()}
    f = figures(items, res)
    f["blurry_found"] = 1.0 - f["blurry_kept"]
    f["balanced"] = (f["blurry_found"] + 1.0 - f["sharp_rejected"]) / 2
    return f


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "photos" / "real")
    ap.add_argument("--synth", type=Path, default=ROOT / "bench" / "out" / "dev_synth")
    ap.add_argument("--wide", type=Path, default=ROOT / "bench" / "out" / "wide_synth")
    ap.add_argument("--holdout", type=Path, default=ROOT / "bench" / "out" / "holdout_synth")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    items = [i for i in load(args) if i.path.is_file()]
    if not items:
        return 1
    feats = features(items, args.jobs)
    items = [i for i in items if all(np.isfinite(feats[i.path]))]
    focus_threshold = 50.0

    def design(subset: list[Item]) -> np.ndarray:
        f = np.array([feats[i.path] for i in subset], np.float64)
        # the focus score as a logit too: both features on the same footing
        focus = np.log(np.clip(f[:, 0], 0.01, 99.99) / (100 - np.clip(f[:, 0], 0.01, 99.99)))
        return np.column_stack([focus, f[:, 1]])

    fit = [i for i in items if i.subset in FIT_SETS]
    x_fit = design(fit)
    y_fit = np.array([i.label == "sharp" for i in fit], np.float64)
    w = fit_logistic(x_fit, y_fit)
    fused_fit = np.column_stack([np.ones(len(fit)), x_fit]) @ w
    # threshold: the lowest that calls no more dev sharp photos blurry than focus does
    focus_fit = np.array([feats[i.path][0] for i in fit])
    sharp = y_fit == 1
    allowed = int((focus_fit[sharp] < focus_threshold).sum())
    cut = float(np.sort(fused_fit[sharp])[allowed]) if allowed < sharp.sum() else math.inf
    print(
        f"fusion: logit = {w[0]:+.3f} {w[1]:+.3f} * logit(focus/100) {w[2]:+.3f} * learned "
        f"logit; sharp when >= {cut:+.3f} (fitted on {len(fit)} dev photos)"
    )
    scores = {
        "focus": ({i.path: feats[i.path][0] for i in items}, focus_threshold),
        "learned": ({i.path: 100 / (1 + math.exp(-feats[i.path][1])) for i in items}, 50.0),
        "fusion": (
            {i.path: float(np.r_[1.0, design([i])[0]] @ w) for i in items},
            cut,
        ),
    }
    sets = sorted({i.subset for i in items}, key=lambda s: (s.startswith(HELD_OUT), s))
    print(
        f"\n{'method':8s} {'set':14s} {'n':>4s} {'AUC':>6s} {'bal.acc':>7s} {'blurry':>7s} "
        f"{'sharp':>7s} {'shallow':>7s}"
    )
    verdict_rows: dict[tuple[str, str], dict[str, float]] = {}
    for name in sets:
        subset = [i for i in items if i.subset == name]
        for method, (s, threshold) in scores.items():
            f = threshold_figures(subset, s, threshold)
            verdict_rows[(method, name)] = f
            cells = [pct(f[k]) for k in ("balanced", "blurry_found", "sharp_rejected")]
            cells.append(pct(f["shallow_rejected"]))
            print(f"{method:8s} {name:14s} {f['n']:4d} {f['auc']:6.3f} " + " ".join(cells))
    held = [n for n in sets if n.startswith(HELD_OUT)]

    def row(method: str, name: str, key: str) -> float:
        v = verdict_rows[(method, name)][key]
        return 0.0 if math.isnan(v) else v

    # "without more sharp frames called blurry": on every set, dev ones included
    no_more_rejected = all(
        row("fusion", n, k) <= row("focus", n, k)
        for n in sets
        for k in ("sharp_rejected", "shallow_rejected")
    )
    finds_more = bool(held) and all(
        row("fusion", n, "blurry_found") > row("focus", n, "blurry_found") for n in held
    )
    print(
        f"\nfusion finds more blurry held-out photos: {'yes' if finds_more else 'no'}; "
        f"calls no more sharp photos blurry on any set: {'yes' if no_more_rejected else 'no'}"
        + "\n=> "
        + (
            "fusion beats focus: make it the default"
            if finds_more and no_more_rejected
            else "fusion does not beat focus: the default stays focus"
        )
    )
    for n in held:
        print(
            f"learned alone, ROC AUC on {n} (never trained or tuned on): "
            f"{verdict_rows[('learned', n)]['auc']:.3f} (target >= 0.95: "
            f"{'met' if verdict_rows[('learned', n)]['auc'] >= 0.95 else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
