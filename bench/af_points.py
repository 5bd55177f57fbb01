"""AF points found where ExifTool finds them, and what reading them costs against scoring.

    PYTHONPATH=. .venv/bin/python bench/af_points.py [FOLDER ...]

FOLDER defaults to ../shared/photos/camera-af (31 real camera JPEGs, 10 makes). ExifTool
(Debian libimage-exiftool-perl) is the reference: one `exiftool -j` run over all files gives,
per file, the position it decodes (Canon AF areas in focus, Nikon named points, Fujifilm
FocusPixel, Panasonic AFPointPosition, Olympus AF areas, Sony FocusLocation, Sigma AFPoint,
EXIF SubjectArea/SubjectLocation). A SubjectArea covering most of the frame is no position
(both sides drop it). For each file: does ExifTool give a position, do we, and does every
ExifTool point fall inside one of our boxes (and every box of ours hold one)?

Targets: found on >= 90% of the files where ExifTool finds a position; reading AF points
adds <= 10% to scoring time (ours per file against `focus` scoring of the same files, one
core, in this run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core.judging.af_points import af_points_from_exif, read_af_points  # noqa: E402
from reviewer.core.judging.verdict import Box  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "photos" / "camera-af"
if not DEFAULT.is_dir():
    DEFAULT = Path("/work/shared/photos/camera-af")
FOUND_TARGET = 0.90
COST_TARGET = 0.10
TOLERANCE = 0.02  # a point this close (fraction of the frame) to a box is inside it

# ExifTool's Nikon / Pentax / Sigma point names -> approximate centre on a landscape frame.
NAMED = {
    "center": (0.5, 0.5), "top": (0.5, 0.33), "bottom": (0.5, 0.67), "mid-left": (0.36, 0.5),
    "mid-right": (0.64, 0.5), "upper-left": (0.36, 0.38), "upper-right": (0.64, 0.38),
    "lower-left": (0.36, 0.62), "lower-right": (0.64, 0.62), "far left": (0.22, 0.5),
    "far right": (0.78, 0.5), "left": (0.22, 0.5), "right": (0.78, 0.5),
    "c6 (center)": (0.5, 0.5), "c6": (0.5, 0.5),
}  # fmt: skip

TAGS = [
    "-Orientation#", "-ImageWidth", "-ImageHeight", "-Model", "-Canon:AutoRotate#",
    "-Canon:CanonImageWidth", "-Canon:CanonImageHeight", "-AFImageWidth", "-AFImageHeight",
    "-AFAreaWidth", "-AFAreaHeight", "-AFAreaWidths", "-AFAreaHeights", "-AFAreaXPositions",
    "-AFAreaYPositions", "-AFPointsInFocus", "-AFPointsSelected", "-AFPointsUsed", "-AFPoint",
    "-PrimaryAFPoint", "-AFAreaMode", "-AFAreaXPosition", "-AFAreaYPosition", "-FocusPixel",
    "-AFPointPosition", "-FocusLocation", "-AFAreas", "-AFPointSelected", "-SubjectArea",
    "-SubjectLocation",
]  # fmt: skip


def _nums(v: object) -> list[float]:
    if isinstance(v, int | float):
        return [float(v)]
    if isinstance(v, str):
        try:
            return [float(x) for x in v.replace(",", " ").split()]
        except ValueError:
            return []
    return []


def _canon(r: dict[str, object]) -> list[tuple[float, float]] | None:
    afw, afh = _nums(r.get("AFImageWidth")), _nums(r.get("AFImageHeight"))
    xs, ys = _nums(r.get("AFAreaXPositions")), _nums(r.get("AFAreaYPositions"))
    if not (afw and afh and xs and len(xs) == len(ys)) or afw[0] <= 0 or afh[0] <= 0:
        return None
    if str(r.get("AFAreaMode", "")).startswith("Off"):
        return None
    chosen: list[int] = []
    for key in ("AFPointsInFocus", "AFPointsSelected"):
        v = r.get(key)
        if isinstance(v, int):
            chosen = [v]
        elif isinstance(v, str) and v and v[0].isdigit():
            chosen = [int(x) for x in v.split(",")]
        if chosen:
            break
    if not chosen:  # one sized AF frame recorded (compact, manual point): that frame
        ws = _nums(r.get("AFAreaWidths")) or _nums(r.get("AFAreaWidth")) * len(xs)
        sized = [i for i, w in enumerate(ws) if w > 0]
        if len(sized) != 1:
            return None
        chosen = sized
    up = "EOS" in str(r.get("Model", ""))  # ExifTool: Y upwards for EOS, downwards otherwise
    pts = [
        (0.5 + xs[i] / afw[0], 0.5 - ys[i] / afh[0] if up else 0.5 + ys[i] / afh[0])
        for i in chosen
        if i < len(xs)
    ]
    cw, ch = _nums(r.get("CanonImageWidth")), _nums(r.get("CanonImageHeight"))
    if cw and ch and cw[0] != ch[0] and afw[0] != afh[0] and (cw[0] > ch[0]) != (afw[0] > afh[0]):
        turn = {1: 6, 3: 8}.get(int(_nums(r.get("AutoRotate"))[0]) if r.get("AutoRotate") else -1)
        if turn is None:
            return None
        pts = [_turn(p, turn) for p in pts]
    return pts


def _turn(p: tuple[float, float], orientation: int) -> tuple[float, float]:
    b = af_points_from_exif([(p[0] - 0.01, p[1] - 0.01, 0.02, 0.02)], orientation).boxes
    return (b[0].x + b[0].w / 2, b[0].y + b[0].h / 2) if b else p


def _named(*values: object) -> list[tuple[float, float]] | None:
    for v in values:
        if not isinstance(v, str) or v.lower() in ("(none)", "none", "", "n/a"):
            continue
        pts = [NAMED[n.strip().lower()] for n in v.split(",") if n.strip().lower() in NAMED]
        if pts:
            return pts
    return None


def reference(r: dict[str, object]) -> tuple[bool, list[tuple[float, float]] | None]:
    """(ExifTool gives a focus position, its centres in the stored frame or None if it
    cannot be placed)."""
    size = _nums(r.get("ImageWidth")) + _nums(r.get("ImageHeight"))
    w, h = (size[0], size[1]) if len(size) == 2 else (0.0, 0.0)
    pts = _canon(r)
    if pts:
        return True, pts
    nikon_like = _named(
        r.get("AFPointsInFocus"), r.get("AFPointsUsed"), r.get("PrimaryAFPoint"),
        r.get("AFPoint") if "Single" in str(r.get("AFAreaMode", "")) or "Sigma" in str(
            r.get("Model", "")).title() else None,
    )  # fmt: skip
    if nikon_like:
        return True, (None if h > w else nikon_like)  # a pixel-turned frame: unplaceable
    fp = _nums(r.get("FocusPixel"))
    if len(fp) == 2 and w and h:
        return True, [(fp[0] / w, fp[1] / h)]
    ap = _nums(r.get("AFPointPosition"))
    if len(ap) == 2 and 0 < ap[0] < 1 and 0 < ap[1] < 1:
        return True, [(ap[0], ap[1])]
    fl = _nums(r.get("FocusLocation"))
    if len(fl) == 4 and fl[0] and fl[1]:
        return True, [(fl[2] / fl[0], fl[3] / fl[1])]
    sa = _nums(r.get("SubjectArea")) or _nums(r.get("SubjectLocation"))
    if len(sa) >= 2 and w and h:
        if len(sa) == 4 and sa[2] * sa[3] > 0.5 * w * h:
            return False, None  # the whole frame: no position
        return True, [(sa[0] / w, sa[1] / h)]
    return False, None


def _inside(p: tuple[float, float], b: Box) -> bool:
    t = TOLERANCE
    return b.x - t <= p[0] <= b.x + b.w + t and b.y - t <= p[1] <= b.y + b.h + t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path, default=[DEFAULT])
    ap.add_argument("--repeat", type=int, default=20, help="timing passes over the AF reads")
    args = ap.parse_args()
    files = sorted(
        p
        for folder in args.folders
        for p in folder.iterdir()
        if p.suffix.lower() in (".jpg", ".jpeg", ".cr2", ".nef", ".dng", ".arw", ".orf", ".rw2")
    )
    if not files or shutil.which("exiftool") is None:
        print("need photos and exiftool (apt-get install libimage-exiftool-perl)")
        return 2

    t0 = time.perf_counter()
    out = subprocess.run(
        ["exiftool", "-j", "-a", *TAGS, *map(str, files)], capture_output=True, text=True
    ).stdout
    exiftool_s = time.perf_counter() - t0
    records = {Path(str(r["SourceFile"])).name: r for r in json.loads(out)}

    rows: list[tuple[str, str, str, int, str]] = []
    et_found = we_found = agree = 0
    for path in files:
        r = records.get(path.name, {})
        found_by_exiftool, pts = reference(r)
        ours = read_af_points(path)
        o = int(_nums(r.get("Orientation"))[0]) if _nums(r.get("Orientation")) else 1
        shown = [_turn(p, o) for p in pts] if pts else None
        match = ""
        if found_by_exiftool:
            et_found += 1
            we_found += bool(ours)
            if ours and shown:
                ok = all(any(_inside(p, b) for b in ours.boxes) for p in shown) and all(
                    any(_inside(p, b) for p in shown) for b in ours.boxes
                )
                agree += ok
                match = "yes" if ok else "NO"
            elif ours:
                match = "n/a"
        has = "yes" if found_by_exiftool else "-"
        rows.append((path.name, has, ours.source or "-", len(ours.boxes), match))

    # Timing, in this process, on these files: AF reading vs `focus` scoring (one core).
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for path in files:
            read_af_points(path)
    af_ms = (time.perf_counter() - t0) / (args.repeat * len(files)) * 1000

    import cv2

    from reviewer.core.decode import load_working_image
    from reviewer.core.scoring import DEFAULT_METHOD, get_scorer

    cv2.setNumThreads(1)
    scorer = get_scorer(DEFAULT_METHOD)
    t0 = time.perf_counter()
    for path in files:
        scorer.score(load_working_image(path))
    score_ms = (time.perf_counter() - t0) / len(files) * 1000

    name_w = max(len(r[0]) for r in rows)
    print(f"{'file':{name_w}}  exiftool  {'ours':18}  boxes  agrees")
    for name, has, src, n, match in rows:
        print(f"{name:{name_w}}  {has:8}  {src:18}  {n:5}  {match}")
    rate = we_found / et_found if et_found else 0.0
    cost = af_ms / score_ms if score_ms else float("inf")
    print()
    print(f"files: {len(files)}; ExifTool gives a position in {et_found}; we find AF points in "
          f"{we_found} of those; our boxes agree with ExifTool's position in {agree}")  # fmt: skip
    print(f"{'target':44} {'measured':>10}  {'goal':>8}  status")
    met1 = "MET" if rate >= FOUND_TARGET else "NOT MET"
    met2 = "MET" if cost <= COST_TARGET else "NOT MET"
    print(f"{'found where ExifTool finds AF points':44} {rate:>9.1%}  {'>= 90%':>8}  {met1}")
    print(f"{'AF reading time / scoring time':44} {cost:>9.2%}  {'<= 10%':>8}  {met2}")
    et_ms = exiftool_s / len(files) * 1000
    print(f"AF reading {af_ms:.2f} ms/file; focus scoring {score_ms:.0f} ms/file (one core); "
          f"ExifTool {et_ms:.0f} ms/file (one batch run, for comparison)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
