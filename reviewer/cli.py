"""Command line: `reviewer [FOLDER]` opens the window; `reviewer score PATH...` prints scores;
`reviewer cull PATH...` rejects the blurry ones (reviewer/cull_cli.py)."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reviewer import __version__

if TYPE_CHECKING:  # the engine is imported lazily so that --help and --version stay instant
    from reviewer.core.batch import PhotoResult
    from reviewer.core.judging.context import InContext

CSV_COLUMNS = (
    "path",
    "score",
    "verdict",
    "method",
    "width",
    "height",
    "exposure",
    "blur_kind",
    "error",
    "group",
    "reason",
    "decision",
    "rating",
    "label",
)


class UsageError(Exception):
    """Bad command-line arguments (exit code 2)."""


def _gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reviewer",
        description="Cull a photo shoot: score every photo's sharpness, explain the score and "
        "move the blurry ones out of the way (never deleted).",
        epilog="To score photos without the window: reviewer score --help; to cull them: "
        "reviewer cull --help",
    )
    p.add_argument("--version", action="version", version=f"reviewer {__version__}")
    p.add_argument(
        "folder",
        nargs="?",
        type=Path,
        help="folder to open, or a photo to open its folder at (default: the last folder, or "
        "the bundled demo)",
    )
    p.add_argument("--recursive", "-r", action="store_true", help="include subfolders")
    p.add_argument("--method", help="scoring method (focus, edge-ratio, laplacian)")
    p.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="render the window after scoring to PNG and exit",
    )
    p.add_argument(
        "--detail-screenshot",
        type=Path,
        metavar="PNG",
        help="with --screenshot: also render the detail view of the blurriest photo",
    )
    return p


def _score_parser() -> argparse.ArgumentParser:
    from reviewer.core.scoring import DEFAULT_METHOD, METHODS, get_scorer

    thresholds = ", ".join(f"{m} {get_scorer(m).default_threshold:g}" for m in METHODS)
    p = argparse.ArgumentParser(
        prog="reviewer score",
        description="Score the sharpness of photos and print one row per photo.",
        epilog=f"Default thresholds: {thresholds}. Exit status: 0 all photos read, 1 some "
        "could not be read (they still get a row), 2 bad arguments.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="photo files or folders")
    p.add_argument("--method", "-m", choices=METHODS, default=DEFAULT_METHOD)
    p.add_argument(
        "--threshold",
        "-t",
        type=float,
        help="score below which a photo is blurry (default: the method's)",
    )
    p.add_argument("--format", "-f", choices=("table", "csv", "json"), default="table")
    p.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (default: number of CPUs)"
    )
    p.add_argument("--recursive", "-r", action="store_true", help="include subfolders")
    p.add_argument(
        "--context",
        choices=("burst", "none"),
        default=None,
        help="burst: group frames into bursts and judge each against the best of its group; "
        "none: judge each photo alone (default: burst when a folder is given, else none)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="score every photo again instead of reusing the catalog's scores",
    )
    return p


def collect_photos(paths: Iterable[Path], recursive: bool) -> list[Path]:
    """Files given by name are taken as they are (read by content); folders are listed."""
    from reviewer.core.formats import is_photo_path

    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            walker = path.rglob("*") if recursive else path.iterdir()
            files = sorted(
                p
                for p in walker
                if p.is_file()
                and is_photo_path(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            files = [path]
        else:
            raise UsageError(f"{path}: no such file or folder")
        for f in files:
            if f not in seen:
                seen.add(f)
                found.append(f)
    return found


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.enabled = stream.isatty() and total > 0
        self.start = time.monotonic()
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        width = 30
        filled = int(width * self.done / self.total)
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
            f"{rate:.1f} photos/s, {eta:.0f} s left "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()


def _fmt_score(value: float) -> str:
    if math.isinf(value):
        return "inf"
    return f"{value:.2f}"


def _rows(
    results: Sequence[PhotoResult],
    judged: Sequence[InContext] | None = None,
    marks: dict[str, dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    rows = []
    unmarked = {"decision": "", "rating": "0", "label": ""}
    for i, r in enumerate(results):
        s = r.score
        row = {
            "path": str(r.path),
            "score": _fmt_score(s.value) if s else "",
            "verdict": r.verdict,
            "method": r.method,
            "width": str(r.width) if s else "",
            "height": str(r.height) if s else "",
            "exposure": s.exposure if s else "",
            "blur_kind": s.blur_kind if s else "",
            "error": r.error or "",
            "group": "",
            "reason": "",
            **(marks or {}).get(os.path.abspath(r.path), unmarked),
        }
        if judged is not None:
            j = judged[i]
            row.update(verdict=j.judgement.verdict, group=j.group, reason=j.judgement.reason)
        rows.append(row)
    return rows


def _print_table(rows: list[dict[str, str]], out: TextIO) -> None:
    cols = ("path", "score", "verdict", "group", "exposure", "blur_kind", "width", "height")
    cols += ("reason", "error")
    heads = {c: c.replace("_", " ") for c in cols}
    widths = {c: max([len(heads[c])] + [len(r[c]) for r in rows]) for c in cols}
    right = {"score", "width", "height"}

    def line(values: dict[str, str]) -> str:
        cells = [
            values[c].rjust(widths[c]) if c in right else values[c].ljust(widths[c]) for c in cols
        ]
        return "  ".join(cells).rstrip()

    out.write(line(heads) + "\n")
    for r in rows:
        out.write(line(r) + "\n")


def _json_record(
    result: PhotoResult,
    judged: InContext | None = None,
    marks: dict[str, dict[str, str]] | None = None,
) -> dict[str, object]:
    m = (marks or {}).get(os.path.abspath(result.path), {})
    rec: dict[str, object] = {
        "path": str(result.path),
        "method": result.method,
        "verdict": result.verdict if judged is None else judged.judgement.verdict,
        "error": result.error,
        "af_points": [b.as_list() for b in result.af_points],
        "decision": m.get("decision") or None,
        "rating": int(m.get("rating") or 0),
        "label": m.get("label") or None,
    }
    if judged is not None:
        rec["group"] = judged.group
        rec["reason"] = judged.judgement.reason
    if result.score is not None:
        s = result.score
        rec.update(
            {
                "score": s.value if math.isfinite(s.value) else None,
                "threshold": s.threshold,
                "width": result.width,
                "height": result.height,
                "exposure": s.exposure,
                "blur_kind": s.blur_kind,
                "details": {k: (v if math.isfinite(v) else None) for k, v in s.details.items()},
            }
        )
    if result.info is not None:
        i = result.info
        rec["capture"] = {
            "camera": i.camera,
            "lens": i.lens,
            "focal_length_mm": i.focal_length_mm,
            "aperture": i.aperture,
            "shutter_s": i.shutter_s,
            "iso": i.iso,
            "captured_at": i.captured_at.isoformat() if i.captured_at else None,
        }
    return rec


def _judge_in_context(
    results: Sequence[PhotoResult], context: str | None, paths: Sequence[Path]
) -> list[InContext]:
    """Groups and verdicts for --context (default: burst when a folder was given)."""
    from reviewer.core.judging.context import judge_results

    if context is None:
        context = "burst" if any(p.is_dir() for p in paths) else "none"
    return judge_results(results, "burst" if context == "burst" else "none")


def score_command(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reviewer.core.batch import ScoringJob
    from reviewer.core.cull.score_cache import CacheWriter, open_catalog, read_catalog

    args = _score_parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.threshold is not None and not math.isfinite(args.threshold):
        raise UsageError("--threshold must be a number")
    photos = collect_photos(args.paths, args.recursive)
    if not photos:
        err.write("reviewer: no photos found\n")  # still print an empty table / CSV / JSON
    order = {p: i for i, p in enumerate(photos)}
    catalog, notice = open_catalog()
    if notice:
        err.write(f"reviewer: {notice}\n")
    results, todo, marks = read_catalog(
        catalog, photos, args.method, args.threshold, use_scores=not args.no_cache
    )
    job = ScoringJob(todo, args.method, args.threshold, args.jobs)
    progress = Progress(len(todo), err)
    try:
        with CacheWriter(catalog) as cache:
            for result in job.results() if todo else ():
                results.append(result)
                cache.add(result)
                progress.step()
    except KeyboardInterrupt:
        job.cancel()
        progress.close()
        err.write("reviewer: interrupted\n")
        return 130
    progress.close()
    results.sort(key=lambda r: order[r.path])
    judged = _judge_in_context(results, args.context, args.paths)

    if args.format == "json":
        records = [_json_record(r, j, marks) for r, j in zip(results, judged, strict=True)]
        json.dump(records, out, indent=2)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_rows(results, judged, marks))
    else:
        _print_table(_rows(results, judged), out)
    failed = sum(1 for r in results if r.error)
    if failed:
        err.write(f"reviewer: {failed} of {len(results)} photos could not be read\n")
    return 1 if failed else 0


def gui_command(argv: Sequence[str]) -> int:
    args = _gui_parser().parse_args(argv)
    if args.folder is not None and not (args.folder.is_dir() or args.folder.is_file()):
        raise UsageError(f"{args.folder}: not a folder or photo")
    if args.method is not None:
        from reviewer.core.scoring import get_scorer

        try:
            get_scorer(args.method)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.detail_screenshot is not None and args.screenshot is None:
        raise UsageError("--detail-screenshot goes with --screenshot")
    from reviewer.gui.display import choose_platform

    if (problem := choose_platform(os.environ, screenshot=args.screenshot is not None)) is not None:
        sys.stderr.write(problem + "\n")
        return 1
    from reviewer.gui.app import run_app

    return run_app(
        args.folder,
        recursive=args.recursive,
        screenshot=args.screenshot,
        method=args.method,
        detail_screenshot=args.detail_screenshot,
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "score":
            return score_command(argv[1:], sys.stdout, sys.stderr)
        if argv and argv[0] == "cull":
            from reviewer.cull_cli import cull_command

            return cull_command(argv[1:], sys.stdout, sys.stderr)
        return gui_command(argv)
    except UsageError as exc:
        sys.stderr.write(f"reviewer: error: {exc}\n")
        return 2
    except BrokenPipeError:  # `reviewer score ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
