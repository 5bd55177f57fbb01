"""The no-loss proof, long run: 10,000 random steps of mark, move to the trash, move to a
rejects folder (beside the photos, or on "another drive": a verified copy), undo, crash (a kill
at a random filesystem step), a full disk (ENOSPC at a random step) and restart (reconcile), on a
temp folder of RAW+JPEG+sidecar shots. After every step each original file must exist exactly
once with identical bytes, no shot split, no orphan .trashinfo; at the end undoing every batch
left in the journal must return every file.

    PYTHONPATH=$PWD .venv/bin/python bench/no_loss.py [--steps 10000] [--seed 1]

Prints steps, violations and time, and MET / NOT MET against the targets.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from tests.core.cull.noloss import World

WORLD_STEPS = 200  # a fresh world (fresh folder and journal) every so many steps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    violations: list[str] = []
    totals: dict[str, int] = {}
    steps = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reviewer-no-loss-") as tmp:
        n = 0
        while steps < args.steps:
            world = World(Path(tmp) / f"w{n}", random.Random(rng.randrange(2**32)))
            n += 1
            for _ in range(min(WORLD_STEPS, args.steps - steps)):
                bad = world.random_step()
                steps += 1
                violations += [f"step {steps}: {v}" for v in bad]
            violations += [f"end of world {n}: {v}" for v in world.undo_all() + world.check()]
            for k, v in vars(world.counts).items():
                totals[k] = totals.get(k, 0) + v
    elapsed = time.perf_counter() - started
    rows = [
        ("steps", f"{steps}", ">= 10000", steps >= 10_000),
        ("violations (lost, duplicated, split, orphan)", f"{len(violations)}", "0", not violations),
        ("moves / undos", f"{totals['moves']} / {totals['undos']}", "", None),
        ("files moved", f"{totals['files_moved']}", "", None),
        ("kills injected / restarts", f"{totals['crashes']} / {totals['restarts']}", "", None),
        ("full-disk faults injected", f"{totals['faults']}", "", None),
        ("worlds (undo-all checks)", f"{n}", "", None),
        ("time", f"{elapsed:.1f} s ({1000 * elapsed / max(steps, 1):.1f} ms/step)", "", None),
    ]
    print(f"{'measure':46} {'value':>28}  {'target':>9}  result")
    for name, value, target, ok in rows:
        verdict = "" if ok is None else ("MET" if ok else "NOT MET")
        print(f"{name:46} {value:>28}  {target:>9}  {verdict}")
    for v in violations[:20]:
        print("  ", v)
    return 0 if not violations and steps >= args.steps else 1


if __name__ == "__main__":
    sys.exit(main())
