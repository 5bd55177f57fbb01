"""Accuracy of the three scorers, judged: sharp / blurry / unsure verdicts on labelled photos.

    bash bench/make_dev_set.sh            # once: builds bench/out/dev_synth{,_full}
    bash bench/make_wide_set.sh           # once: builds bench/out/wide_synth{,_full}
    bash bench/make_holdout_set.sh        # once: builds bench/out/holdout_synth{,_full}
    .venv/bin/python bench/accuracy.py [--real DIR] [--synth DIR] [--wide DIR] [--holdout DIR]
                                       [--camera-af DIR] [--jobs N] [--by-kind] [--subset N]

Every photo is scored and judged alone (single frames, `--context none`): the verdict is the one
`reviewer score` prints (reviewer/core/judging/judge.py), with `unsure` for frames with nothing
to judge or evidence within a margin of the threshold; the margin and the regions apply to each
method alike where they can (AF points, faces and subject regions are measured with `focus`).

The dev set (real + synthetic, "all", the issue's set) and the wider dev set ("dev-wide") are
what the scorer was tuned on; the held-out set is photos it was never tuned on. Each is reported
apart. Each synthetic set comes twice: with 1280 px files, and ("@3000") with the files at the
blur tool's default size (up to 3000 px), read through the decoder's other paths. The real
camera frames of ../shared/photos/camera-af (labelled by eye) are a set of their own.

Labels come from each folder's labels.csv (`path,label,kind,...`; label sharp|blurry; kind
bokeh/pan, or shallow_dof=yes, marks shallow depth-of-field shots, which are labelled sharp).
Prints, per method and set: ROC AUC (of the score; for `focus`, of the judged blur), the share
of sharp photos called blurry, of shallow-DOF photos called blurry, of blurry photos called
sharp, and of all photos called unsure; then the targets for every method, MET or NOT MET.
--subset N judges every Nth photo of each set only (quick looks while tuning).
With --by-kind, also each method's misses per kind of photo.
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
# ../shared beside the repository (a git worktree sits one level deeper: ../../shared)
SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
    ROOT.parent / "shared",
)
sys.path.insert(0, str(ROOT))

from reviewer.core.batch import PhotoResult, ScoringJob  # noqa: E402
from reviewer.core.scoring import METHODS  # noqa: E402
from reviewer.core.scoring.focus import radius_to_score  # noqa: E402

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
CAMERA = "camera-af"
TARGET_SETS[CAMERA] = "real camera frames, labelled by eye"
# (key, label, >= or <=, target); the camera set is judged on its sharp frames called blurry
TARGETS = (
    ("auc", "ROC AUC", ">=", 0.97),
    ("sharp_rejected", "sharp called blurry", "<=", 0.03),
    ("shallow_rejected", "shallow-DOF called blurry", "<=", 0.05),
    ("blurry_kept", "blurry called sharp", "<=", 0.07),
    ("unsure", "unsure", "<=", 0.15),
)
CAMERA_TARGET = ("sharp_rejected", "camera sharp called blurry", "<=", 0.03)


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
                "bokeh" if r.get("shallow_dof") == "yes" else r.get("kind", ""),
                subset,
                blur_strength(r.get("param") or ""),
            )
            for r in csv.DictReader(fh)
            if r["label"] in ("sharp", "blurry")
        ]


def roc_auc(sharp: np.ndarray, blurry: np.ndarray) -> float:
    """P(score of a sharp photo > score of a blurry one), ties counting half."""
    if not len(sharp) or not len(blurry):
        return float("nan")
    greater = (sharp[:, None] > blurry[None, :]).sum()
    ties = (sharp[:, None] == blurry[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(sharp) * len(blurry)))


@dataclass
class Judged:
    rank: float  # higher = sharper, for the ROC AUC
    verdict: str


def judged(r: PhotoResult) -> Judged:
    """The rank and verdict of one result: `focus` ranks by the blur that decided (its region,
    a shake), the other methods by their score."""
    if r.score is None:
        return Judged(float("-inf"), "error")
    j = r.judgement
    if r.method == "focus" and j is not None and j.blur_px is not None:
        return Judged(float(radius_to_score(j.blur_px)), r.verdict)
    return Judged(r.score.value, r.verdict)


def share(verdicts: list[str], verdict: str) -> float:
    # counts, not float means: 6 of 120 is exactly 5 %
    return sum(v == verdict for v in verdicts) / len(verdicts) if verdicts else float("nan")


def figures(items: list[Item], res: dict[Path, Judged]) -> dict[str, float]:
    s = np.array([res[i.path].rank for i in items if i.label == "sharp"])
    b = np.array([res[i.path].rank for i in items if i.label == "blurry"])
    sharp = [res[i.path].verdict for i in items if i.label == "sharp"]
    blurry = [res[i.path].verdict for i in items if i.label == "blurry"]
    shallow = [res[i.path].verdict for i in items if i.kind in SHALLOW_KINDS]
    return {
        "n": len(items),
        "auc": roc_auc(s, b),
        "sharp_rejected": share(sharp, "blurry"),
        "shallow_rejected": share(shallow, "blurry"),
        "blurry_kept": share(blurry, "sharp"),
        "unsure": share([res[i.path].verdict for i in items], "unsure"),
    }


def print_by_kind(method: str, items: list[Item], res: dict[Path, Judged]) -> None:
    """Per kind of photo: how many the method gets wrong (a sharp one called blurry, a blurry
    one called sharp), how many it is unsure of, the median rank, and for a blurry kind its ROC
    AUC against all the sharp photos of the same set: how well any threshold could tell that
    kind of blur from sharp photos at all."""
    groups: dict[tuple[str, str, str], list[Path]] = {}
    sharp: dict[str, list[float]] = {}
    for i in items:
        kind = " ".join(x for x in (i.kind, i.strength) if x)
        groups.setdefault((i.subset, i.label, kind), []).append(i.path)
        if i.label == "sharp":
            sharp.setdefault(i.subset, []).append(res[i.path].rank)
    print(f"\n{method} by kind:")
    head = f"{'set':14s} {'label':7s} {'kind':24s} {'n':>4s} {'wrong':>5s} {'unsure':>6s}"
    print(f"  {head} {'median':>7s} {'AUC vs sharp':>12s}")
    for (subset, label, kind), paths in sorted(groups.items()):
        v = np.array([res[p].rank for p in paths])
        verdicts = [res[p].verdict for p in paths]
        wrong = sum(x == ("blurry" if label == "sharp" else "sharp") for x in verdicts)
        unsure = sum(x == "unsure" for x in verdicts)
        auc = roc_auc(np.array(sharp.get(subset, [])), v) if label == "blurry" else math.nan
        separable = f"{'-':>12s}" if math.isnan(auc) else f"{auc:12.3f}"
        row = f"{subset:14s} {label:7s} {kind:24s} {len(v):4d} {wrong:5d} {unsure:6d}"
        row += f" {np.median(v):7.1f}"
        print(f"  {row} {separable}")


def pct(x: float) -> str:
    return f"{'-':>7s}" if math.isnan(x) else f"{x:7.1%}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real", type=Path, default=SHARED / "photos" / "real")
    ap.add_argument("--synth", type=Path, default=ROOT / "bench" / "out" / "dev_synth")
    ap.add_argument("--wide", type=Path, default=ROOT / "bench" / "out" / "wide_synth")
    ap.add_argument("--holdout", type=Path, default=ROOT / "bench" / "out" / "holdout_synth")
    ap.add_argument("--camera-af", type=Path, default=SHARED / "photos" / "camera-af")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--by-kind", action="store_true", help="misses per kind of photo")
    ap.add_argument("--subset", type=int, default=1, metavar="N", help="every Nth photo only")
    args = ap.parse_args()

    items: list[Item] = []
    sources = (
        (args.real, "real", "../shared/photos/README.md"),
        (args.synth, "synthetic", "bench/make_dev_set.sh"),
        (args.wide, WIDE, "bench/make_wide_set.sh"),
        (args.holdout, HELD_OUT, "bench/make_holdout_set.sh"),
        (args.camera_af, CAMERA, "../shared/photos/camera-af/README.md"),
    )
    for folder, name, how in sources:
        full = folder.with_name(folder.name + "_full")
        for where, set_name in ((folder, name), (full, name + FULL)):
            if where is full and name in ("real", CAMERA):
                continue
            if (where / "labels.csv").is_file():
                items += read_labels(where, set_name)[:: max(args.subset, 1)]
            else:
                print(f"(skipping {set_name}: no {where}/labels.csv; see {how})")
    if not items:
        return 1
    subsets = {
        name: [i for i in items if i.subset in members]
        for name, members in (
            ("real", {"real"}),
            ("synthetic", {"synthetic"}),
            ("all", {"real", "synthetic"}),
            *(
                (n, {n})
                for n in (
                    "synthetic" + FULL,
                    WIDE,
                    WIDE + FULL,
                    HELD_OUT,
                    HELD_OUT + FULL,
                    CAMERA,
                )
            ),
        )
    }

    print(
        f"{'method':11s} {'set':14s} {'n':>4s} {'AUC':>6s} {'sharp':>7s} {'shallow':>7s} "
        f"{'blurry':>7s} {'unsure':>7s} {'time':>6s}"
    )
    print(
        f"{'':11s} {'':14s} {'':>4s} {'':>6s} {'->blurry':>7s} {'->blurry':>7s} "
        f"{'->sharp':>7s} {'':>7s} {'s':>6s}"
    )
    target_figures: dict[str, dict[str, dict[str, float]]] = {}
    last_row = [name for name, subset in subsets.items() if subset][-1]  # it shows the time
    by_kind: list[tuple[str, dict[Path, Judged]]] = []
    for method in args.methods:
        t0 = time.perf_counter()
        res: dict[Path, Judged] = {}
        for r in ScoringJob([i.path for i in items], method, jobs=args.jobs).results():
            if r.score is None:
                print(f"  error: {r.path}: {r.error}")
            res[r.path] = judged(r)
        elapsed = time.perf_counter() - t0
        by_kind.append((method, res))
        for name, subset in subsets.items():
            if not subset:
                continue
            f = figures(subset, res)
            if name in TARGET_SETS:
                target_figures.setdefault(method, {})[name] = f
            keys = ("sharp_rejected", "shallow_rejected", "blurry_kept", "unsure")
            took = f"{elapsed:6.1f}" if name == last_row else ""
            print(
                f"{method:11s} {name:14s} {f['n']:4d} {f['auc']:6.3f} "
                + " ".join(pct(f[k]) for k in keys)
                + f" {took}"
            )
    if args.by_kind:
        for method, res in by_kind:
            print_by_kind(method, items, res)
    for method, per_set in target_figures.items():
        for name, title in TARGET_SETS.items():
            if name in per_set:
                print_targets(method, title, per_set[name], camera=name == CAMERA)
    return 0


def print_targets(method: str, title: str, f: dict[str, float], camera: bool) -> None:
    print(f"\n{method} targets ({title}):")
    for key, label, op, target in (CAMERA_TARGET,) if camera else TARGETS:
        value = f[key]
        if math.isnan(value):
            print(f"  {label:27s} {'-':>6s}  (no such photos in this set)")
            continue
        ok = value >= target if op == ">=" else value <= target
        print(f"  {label:27s} {value:6.3f} {op} {target:.2f}  {'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    raise SystemExit(main())
