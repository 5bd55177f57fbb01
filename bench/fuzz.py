"""The long fuzz run: thousands of randomly damaged files of every format through every reader,
in worker processes (tests/core/test_fuzz_readers.py is the short hypothesis run in CI).

    PYTHONPATH=. python bench/fuzz.py [--per-reader 400] [--jobs 2] [--seed 1]

Readers: JPEG (baseline and progressive), PNG, TIFF, WebP, BMP, HEIF, RAW (a DNG's structure
under several RAW extensions) and EXIF/MakerNote blocks (inside JPEGs). Each file is damaged by
1-3 rounds of bit flips, overwritten runs, insertions, deletions and truncation. Prints the
same table as bench/hostile.py: escapes of anything but PhotoError, hangs, crashes and the peak
memory of each worker.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.hostile import MEMORY_TARGET_MB, run  # noqa: E402
from tests.hostile_corpus import (  # noqa: E402
    Case,
    _damaged,
    _hostile_exifs,
    exif_block,
    jpeg_with_exif,
    seeds,
)

RAW_NAMES = (".dng", ".nef", ".cr2", ".arw", ".raf", ".orf")


def fuzz_cases(per_reader: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    sources: list[tuple[str, str, bytes]] = [
        (key, ext, data) for key, (ext, data) in seeds().items() if key != "dng"
    ]
    dng = seeds()["dng"][1]
    sources += [(f"raw{ext}", ext, dng) for ext in RAW_NAMES]
    plain_jpeg = seeds()["jpeg-progressive"][1]
    exifs = [exif_block(), *(block for _, block in _hostile_exifs())]
    out: list[Case] = []
    for key, ext, data in sources:
        n = per_reader // len(RAW_NAMES) if key.startswith("raw") else per_reader
        for i in range(n):
            fuzzed = data
            for _ in range(rng.randrange(1, 4)):
                fuzzed = _damaged(fuzzed, rng) if fuzzed else fuzzed
            if rng.random() < 0.2 and fuzzed:
                fuzzed = fuzzed[: rng.randrange(len(fuzzed))]
            out.append(Case(f"fuzz-{key}-{i}{ext}", f"fuzz-{key.split('.')[0]}", fuzzed))
    for i in range(per_reader):
        block = rng.choice(exifs)
        for _ in range(rng.randrange(1, 4)):
            block = _damaged(block, rng) if block else block
        out.append(Case(f"fuzz-exif-{i}.jpg", "fuzz-exif", jpeg_with_exif(plain_jpeg, block)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-reader", type=int, default=400)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    cases = fuzz_cases(args.per_reader, args.seed)
    t0 = time.monotonic()
    report = run(cases, args.jobs, args.timeout)
    elapsed = time.monotonic() - t0
    peak_mb = max(report.peaks, default=0) / 1024
    by_kind: dict[str, int] = {}
    for c in cases:
        by_kind[c.kind] = by_kind.get(c.kind, 0) + 1
    print(f"fuzz: {report.cases} files, {args.jobs} workers, {elapsed:.0f} s")
    print("per reader:", ", ".join(f"{k[5:]} {v}" for k, v in by_kind.items()))
    rows = [
        ("escapes (not PhotoError)", len(report.escapes), "0", not report.escapes),
        ("hangs", len(report.hangs), "0", not report.hangs),
        ("crashes (worker died)", len(report.crashes), "0", not report.crashes),
        ("peak memory per worker (MB)", round(peak_mb), f"< {MEMORY_TARGET_MB}",
         peak_mb < MEMORY_TARGET_MB),
    ]  # fmt: skip
    print(f"{'measure':34} {'value':>10} {'target':>10}  result")
    for name, value, target, ok in rows:
        print(f"{name:34} {value:>10} {target:>10}  {'MET' if ok else 'NOT MET'}")
    for title, items in (("escape", report.escapes), ("hang", report.hangs),
                         ("crash", report.crashes)):  # fmt: skip
        for item in items[:20]:
            print(f"  {title}: {item}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
