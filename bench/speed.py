"""Scoring speed on a folder of realistic 24-MP JPEGs, against decode-only and a naive loop.

    .venv/bin/python bench/speed.py [--count 200] [--jobs N] [--naive-count 40]

Makes (once, cached in bench/out/speed_24mp) COUNT 6000x4000 JPEGs at quality 95 from the real
photos in ../shared/photos/real (upscaled, varied crops and flips, with film-like grain so they
weigh ~8 MB like a camera's). Then, in this one process so that ratios are fair:
  decode-only  load_working_image on every file, all cores (the floor for any scorer);
  scoring      the full `focus` pipeline (decode + score), all cores;
  naive        cv2.imread at full resolution + Laplacian variance, one core.
Targets: scoring <= 1.3 x decode-only time; scoring >= 4 x faster than naive.
Also, per scoring method, its own cost per photo on one core at the working size (decode
excluded; target for `learned`: <= 20 ms). --methods-only prints just that table.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.core.batch import (  # noqa: E402
    ScoringJob,
    _mp_context,
    default_jobs,
    init_worker,
)
from reviewer.core.decode import load_working_image  # noqa: E402
from reviewer.core.image import WORKING_EDGE_RANGE  # noqa: E402

SIZE = (6000, 4000)


def make_set(folder: Path, count: int, sources: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bases = sorted(p for p in sources.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    bases = [
        b for b in bases if max(cv2.imread(str(b), cv2.IMREAD_REDUCED_GRAYSCALE_8).shape) >= 200
    ]
    rng = np.random.default_rng(0)
    out = []
    for i in range(count):
        path = folder / f"DSC_{i:04d}.JPG"
        out.append(path)
        if path.exists():
            continue
        img = cv2.imread(str(bases[i % len(bases)]))
        h, w = img.shape[:2]
        if h > w:
            img = cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)
            h, w = w, h
        # a random 90% crop, maybe mirrored, scaled to 24 MP
        ch, cw = int(h * 0.9), int(w * 0.9)
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        img = img[y : y + ch, x : x + cw]
        if i % 2:
            img = img[:, ::-1]
        big = cv2.resize(img, SIZE, interpolation=cv2.INTER_CUBIC).astype(np.float32)
        big += rng.normal(0, 3.0, big.shape).astype(np.float32)  # sensor grain
        cv2.imwrite(
            str(path), np.clip(big, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 95]
        )
        print(f"\rmaking test set {i + 1}/{count}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def _decode_only(path: Path) -> tuple[int, int]:
    photo = load_working_image(path)
    return photo.width, photo.height


def _score_peak_rss(path: Path) -> float:
    """Score one photo in a worker and report that worker's peak memory (MB)."""
    from reviewer.core.batch import score_file

    score_file(path)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_mb(paths: list[Path], jobs: int) -> float:
    # forkserver workers are not our children, so RUSAGE_CHILDREN cannot see them: ask them
    with ProcessPoolExecutor(jobs, mp_context=_mp_context(), initializer=init_worker) as ex:
        return max(ex.map(_score_peak_rss, paths))


def time_decode(paths: list[Path], jobs: int) -> float:
    with ProcessPoolExecutor(jobs, mp_context=_mp_context(), initializer=init_worker) as ex:
        list(ex.map(_decode_only, paths[: jobs * 2]))  # warm the workers up
        t0 = time.perf_counter()
        sizes = list(ex.map(_decode_only, paths, chunksize=1))
        elapsed = time.perf_counter() - t0
    low, high = WORKING_EDGE_RANGE
    assert all(low <= max(s) <= high for s in sizes), sizes[:3]
    return elapsed


def time_scoring(paths: list[Path], jobs: int) -> float:
    # warm-up run on a few files so both measurements start with imported workers
    list(ScoringJob(paths[: jobs * 2], jobs=jobs).results())
    t0 = time.perf_counter()
    results = list(ScoringJob(paths, jobs=jobs).results())
    elapsed = time.perf_counter() - t0
    assert all(r.score is not None for r in results), [r.error for r in results if r.error]
    return elapsed


def time_naive(paths: list[Path]) -> float:
    t0 = time.perf_counter()
    for p in paths:
        gray = cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2GRAY)
        cv2.Laplacian(gray, cv2.CV_64F).var()
    return (time.perf_counter() - t0) / len(paths)


def time_methods(paths: list[Path]) -> None:
    """Each scorer's own cost per photo on one thread, on already-decoded working images."""
    from reviewer.core.scoring import METHODS, get_scorer

    cv2.setNumThreads(1)
    photos = [load_working_image(p) for p in paths]
    print(f"\n{'method (1 core, decode excluded)':34s} {'ms/photo':>9s}")
    for method in METHODS:
        scorer = get_scorer(method)
        scorer.score(photos[0])  # warm up (the learned scorer reads its model once)
        t0 = time.process_time()
        for photo in photos:
            scorer.score(photo)
        ms = (time.process_time() - t0) / len(photos) * 1000
        target = (
            f"  (target <= 20: {'met' if ms <= 20 else 'NOT met'})" if method == "learned" else ""
        )
        print(f"{method:34s} {ms:9.1f}{target}")
    time_judging(photos)


def time_judging(photos: list) -> None:  # type: ignore[type-arg]
    """What judging a `focus` score costs on top of scoring, on one thread: the verdict by
    regions and shake, and the face search within it (photos without AF points)."""
    from reviewer.core.judging.faces import detect_faces
    from reviewer.core.judging.judge import judge_photo, to_scoring_size
    from reviewer.core.scoring import get_scorer
    from reviewer.core.scoring.common import luma_u8

    scorer = get_scorer("focus")

    def per_photo(step) -> float:  # type: ignore[no-untyped-def]
        t0 = time.process_time()
        for photo in photos:
            step(photo)
        return (time.process_time() - t0) / len(photos) * 1000

    scores = {id(p): scorer.score(p) for p in photos}
    score_ms = per_photo(scorer.score)
    faces_ms = per_photo(lambda p: detect_faces(to_scoring_size(luma_u8(p.rgb)), p.rgb))
    no_faces_ms = per_photo(lambda p: judge_photo(p, scores[id(p)], faces=()))
    judge_ms = per_photo(lambda p: judge_photo(p, scores[id(p)]))
    print(f"\n{'focus: scoring and judging (1 core)':34s} {'ms/photo':>9s} {'of scoring':>11s}")
    for name, ms in (
        ("score", score_ms),
        ("judge (regions, shake, faces)", judge_ms),
        ("  of which the face search", faces_ms),
        ("judge without faces", no_faces_ms),
    ):
        print(f"{name:34s} {ms:9.1f} {ms / score_ms:10.0%}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=default_jobs())
    ap.add_argument("--naive-count", type=int, default=40)
    ap.add_argument("--folder", type=Path, default=ROOT / "bench" / "out" / "speed_24mp")
    ap.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "photos" / "real")
    ap.add_argument("--methods-only", action="store_true", help="only the per-method table")
    args = ap.parse_args()

    paths = make_set(args.folder, args.count, args.sources)
    if args.methods_only:
        time_methods(paths[:20])
        return 0
    mb = sum(p.stat().st_size for p in paths) / len(paths) / 1e6
    print(
        f"{len(paths)} JPEGs, {SIZE[0]}x{SIZE[1]}, {mb:.1f} MB each on average; "
        f"{args.jobs} worker processes"
    )
    decode = time_decode(paths, args.jobs)
    scoring = time_scoring(paths, args.jobs)
    naive_each = time_naive(paths[: args.naive_count])
    naive = naive_each * len(paths)
    n = len(paths)
    print(f"\n{'run':34s} {'time s':>8s} {'photos/s':>9s}")
    print(f"{'decode only (working size, all cores)':34s} {decode:8.2f} {n / decode:9.2f}")
    print(f"{'focus scoring (all cores)':34s} {scoring:8.2f} {n / scoring:9.2f}")
    print(
        f"{'naive imread+Laplacian (1 core)':34s} {naive:8.2f} {n / naive:9.2f}"
        f"   (from {args.naive_count} files)"
    )
    ratio_decode = scoring / decode
    speedup = naive / scoring
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = worker_peak_mb(paths[:20], args.jobs)
    print(
        f"\nscoring / decode-only   {ratio_decode:5.2f} x  (target <= 1.30: "
        f"{'met' if ratio_decode <= 1.3 else 'NOT met'})"
    )
    print(
        f"speed-up over naive     {speedup:5.2f} x  (target >= 4: "
        f"{'met' if speedup >= 4 else 'NOT met'})"
    )
    print(f"peak memory: main process {self_mb:.0f} MB, largest scoring worker {child_mb:.0f} MB")
    time_methods(paths[:20])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
