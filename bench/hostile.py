"""Run the whole hostile corpus (tests/hostile_corpus.py) through the readers, in worker
processes as a scan runs them, and print what escaped.

    PYTHONPATH=. python bench/hostile.py [--jobs 2] [--limit N] [--timeout 60]

Each case is read as the app reads it: the working image and its score (the scoring worker),
the thumbnail (the window) and the header size. Per case the outcome is a row (pixels or a
PhotoError reason); anything else is counted:

* escape: an exception other than PhotoError left a reader;
* hang: no answer within --timeout seconds (the worker is killed and replaced);
* crash: the worker process died (segfault, abort, out-of-memory kill);
* scored bad: a case that must never be scored (card damage, no image data, a bomb, a special
  file) came back with a score.

Peak memory is each worker's ru_maxrss (RUSAGE_SELF after every case, RUSAGE_CHILDREN in the
parent at the end); the cases that raised a worker's peak the most are listed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from tests.hostile_corpus import Case, cases, write_case  # noqa: E402

MEMORY_TARGET_MB = 1024


def _check(path: str) -> tuple[str, str, bool]:
    """(outcome, detail, scored) of reading one file; outcome 'ok' or 'escape'."""
    from reviewer.core.decode import load_thumbnail, load_working_image, read_image_size
    from reviewer.core.errors import PhotoError
    from reviewer.core.scoring import DEFAULT_METHOD, get_scorer

    scored = False
    details = []
    for what in ("working", "thumbnail", "size"):
        try:
            if what == "working":
                photo = load_working_image(path)
                get_scorer(DEFAULT_METHOD).score(photo)
                scored = True
            elif what == "thumbnail":
                load_thumbnail(path)
            else:
                read_image_size(path)
        except PhotoError as exc:
            details.append(f"{what}: {exc.reason}")
        except BaseException as exc:  # an escape: the thing this benchmark counts
            tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
            return "escape", f"{what}: {type(exc).__name__}: {exc} [{tb}]", scored
    return "ok", "; ".join(details), scored


def _worker(conn: Connection) -> None:
    from reviewer.core.batch import init_worker

    init_worker()
    while True:
        msg = conn.recv()
        if msg is None:
            break
        outcome, detail, scored = _check(msg)
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send((outcome, detail, scored, rss_kb))


@dataclass
class Worker:
    proc: multiprocessing.process.BaseProcess
    conn: Connection
    peak_kb: int = 0


@dataclass
class Report:
    cases: int = 0
    escapes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    scored_bad: list[str] = field(default_factory=list)
    valid_failed: list[str] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)  # KB, one per worker process
    jumps: list[tuple[int, str]] = field(default_factory=list)  # (KB raised, case)


def _start(ctx: multiprocessing.context.BaseContext) -> Worker:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_worker, args=(child,), daemon=True)
    proc.start()
    child.close()
    return Worker(proc, parent)


def _stop(w: Worker, report: Report, kill: bool = False) -> None:
    if kill:
        w.proc.kill()
    else:
        with contextlib.suppress(OSError):
            w.conn.send(None)
    w.proc.join(10)
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join()
    report.peaks.append(w.peak_kb)


def run(all_cases: list[Case], jobs: int, timeout: float) -> Report:
    from reviewer.core.workerproc import worker_context

    ctx = worker_context()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = Path(tmp)
        paths = []
        for i, case in enumerate(all_cases):
            sub = folder / f"{i:05d}"
            sub.mkdir()
            paths.append(write_case(sub, case))
        workers = [_start(ctx) for _ in range(jobs)]
        busy: dict[int, tuple[int, float]] = {}  # worker slot -> (case index, started)
        queue = list(range(len(all_cases)))[::-1]
        while queue or busy:
            for slot, w in enumerate(workers):
                if slot not in busy and queue:
                    i = queue.pop()
                    w.conn.send(os.fspath(paths[i]))
                    busy[slot] = (i, time.monotonic())
            for slot in list(busy):
                w = workers[slot]
                i, started = busy[slot]
                case = all_cases[i]
                label = f"{case.kind}: {case.name!r}"
                if w.conn.poll(0.01):
                    try:
                        outcome, detail, scored, rss = w.conn.recv()
                    except (EOFError, OSError):
                        report.crashes.append(label)
                        _stop(w, report, kill=True)
                        workers[slot] = _start(ctx)
                        del busy[slot]
                        report.cases += 1
                        continue
                    if rss > w.peak_kb:
                        if w.peak_kb:
                            report.jumps.append((rss - w.peak_kb, label))
                        w.peak_kb = rss
                    if outcome == "escape":
                        report.escapes.append(f"{label}: {detail}")
                    if scored and case.must_fail:
                        report.scored_bad.append(f"{label}: {detail or 'scored'}")
                    if not scored and case.kind in ("valid", "odd-name", "large-valid"):
                        report.valid_failed.append(f"{label}: {detail}")
                    del busy[slot]
                    report.cases += 1
                elif not w.proc.is_alive():
                    report.crashes.append(f"{label} (exit code {w.proc.exitcode})")
                    _stop(w, report, kill=True)
                    workers[slot] = _start(ctx)
                    del busy[slot]
                    report.cases += 1
                elif time.monotonic() - started > timeout:
                    report.hangs.append(label)
                    _stop(w, report, kill=True)
                    workers[slot] = _start(ctx)
                    del busy[slot]
                    report.cases += 1
        for w in workers:
            _stop(w, report)
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N cases")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a case hangs")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    all_cases = list(cases(args.seed, large=True))
    if args.limit:
        all_cases = all_cases[: args.limit]
    t0 = time.monotonic()
    report = run(all_cases, args.jobs, args.timeout)
    elapsed = time.monotonic() - t0
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mb = max([*report.peaks, children_kb]) / 1024

    def met(ok: bool) -> str:
        return "MET" if ok else "NOT MET"

    print(f"hostile corpus: {report.cases} cases, {args.jobs} workers, {elapsed:.0f} s")
    print(f"{'measure':34} {'value':>10} {'target':>10}  result")
    rows = [
        ("cases", report.cases, ">= 1000", report.cases >= 1000 or bool(args.limit)),
        ("escapes (not PhotoError)", len(report.escapes), "0", not report.escapes),
        ("hangs", len(report.hangs), "0", not report.hangs),
        ("crashes (worker died)", len(report.crashes), "0", not report.crashes),
        ("damaged/bomb/empty scored", len(report.scored_bad), "0", not report.scored_bad),
        ("valid photos not scored", len(report.valid_failed), "0", not report.valid_failed),
        ("peak memory per worker (MB)", round(peak_mb), f"< {MEMORY_TARGET_MB}",
         peak_mb < MEMORY_TARGET_MB),
    ]  # fmt: skip
    for name, value, target, ok in rows:
        print(f"{name:34} {value:>10} {target:>10}  {met(ok)}")
    print("peak memory of each worker process (MB):",
          ", ".join(str(round(p / 1024)) for p in report.peaks))  # fmt: skip
    for title, items in (("escapes", report.escapes), ("hangs", report.hangs),
                         ("crashes", report.crashes), ("scored bad", report.scored_bad),
                         ("valid not scored", report.valid_failed)):  # fmt: skip
        for item in items[:20]:
            print(f"  {title}: {item}")
    print("largest rises of a worker's peak memory:")
    for kb, label in sorted(report.jumps, reverse=True)[:5]:
        print(f"  +{kb / 1024:.0f} MB  {label}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
