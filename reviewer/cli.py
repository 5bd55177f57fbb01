"""Command line: `reviewer [FOLDER]` opens the window; `reviewer score PATH...` prints scores;
`reviewer cull PATH...` rejects the blurry ones (reviewer/cull_cli.py)."""

from __future__ import annotations

import argparse
import io
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reviewer import __version__
from reviewer.rows import FORMATS, Column, make_writer

if TYPE_CHECKING:  # the engine is imported lazily so that --help and --version stay instant
    from reviewer.core.batch import PhotoResult
    from reviewer.core.judging.verdict import Judgement


@dataclass(slots=True)
class ScoredRow:
    """One output row: the photo's result, its verdict in context and the catalog's marks.
    Anything else is read from the result (`row.score`, `row.path`, ...)."""

    result: PhotoResult
    judgement: Judgement | None = None
    group: str = ""
    marks: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> object:
        return getattr(self.result, name)

    @property
    def verdict(self) -> str:
        return self.judgement.verdict if self.judgement is not None else self.result.verdict

    @property
    def reason(self) -> str:
        return self.judgement.reason if self.judgement is not None else self.result.reason


def _fmt_score(value: float) -> str:
    if math.isinf(value):
        return "inf"
    return f"{value:.2f}"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _details(r: PhotoResult) -> object:
    return {k: _finite(v) for k, v in r.score.details.items()} if r.score else None


def _capture(r: PhotoResult) -> object:
    i = r.info
    if i is None:
        return None
    return {
        "camera": i.camera,
        "lens": i.lens,
        "focal_length_mm": i.focal_length_mm,
        "aperture": i.aperture,
        "shutter_s": i.shutter_s,
        "iso": i.iso,
        "captured_at": i.captured_at.isoformat() if i.captured_at else None,
    }


def _region(r: ScoredRow) -> object:
    """The part of the frame that decided the verdict: its kind and boxes."""
    j = r.judgement if r.judgement is not None else r.result.judgement
    if j is None or r.score is None:
        return None
    return {"kind": j.region, "boxes": [b.as_list() for b in j.boxes]}


# The columns of `reviewer score`, in CSV order (the table puts `wide` ones last; JSON has them
# all). A new column is one line here; see reviewer.rows.Column. Values are escaped for output.
COLUMNS: list[Column] = [
    Column("path", lambda r: str(r.path)),
    Column("score", lambda r: _fmt_score(r.score.value) if r.score else "", right=True, width=6,
           json=lambda r: _finite(r.score.value) if r.score else None),
    Column("verdict", lambda r: r.verdict, width=7),
    Column("method", lambda r: r.method, table=False),
    Column("width", lambda r: str(r.width) if r.score else "", right=True, width=5,
           json=lambda r: r.width if r.score else None),
    Column("height", lambda r: str(r.height) if r.score else "", right=True, width=5,
           json=lambda r: r.height if r.score else None),
    Column("exposure", lambda r: r.score.exposure if r.score else "", width=11),
    Column("blur_kind", lambda r: r.score.blur_kind if r.score else "", width=7),
    Column("error", lambda r: r.error or "", wide=True),
    Column("group", lambda r: r.group, width=5, json=lambda r: r.group),
    Column("reason", lambda r: r.reason, wide=True),
    Column("decision", lambda r: r.marks.get("decision", ""), table=False),
    Column("rating", lambda r: r.marks.get("rating") or "0", table=False,
           json=lambda r: int(r.marks.get("rating") or 0)),
    Column("label", lambda r: r.marks.get("label", ""), table=False),
    Column("af_points", csv=False, table=False,
           json=lambda r: [b.as_list() for b in r.af_points]),
    Column("region", csv=False, table=False, json=lambda r: _region(r)),
    Column("threshold", csv=False, table=False,
           json=lambda r: r.score.threshold if r.score else None),
    Column("details", csv=False, table=False, json=_details),
    Column("capture", csv=False, table=False, json=_capture),
]  # fmt: skip
CSV_COLUMNS = tuple(c.name for c in COLUMNS if c.csv)


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
    from reviewer.core.scoring import METHODS, get_scorer

    thresholds = ", ".join(f"{m} {get_scorer(m).default_threshold:g}" for m in METHODS)
    p = argparse.ArgumentParser(
        prog="reviewer score",
        description="Score the sharpness of photos and print one row per photo.",
        epilog=f"Default thresholds: {thresholds}. Rows are written as photos finish (with "
        "--context burst, once the scan ends: a verdict depends on the frame's burst). File "
        "names that are not valid UTF-8 are written with \\xNN escapes (a backslash is "
        "written \\\\). Exit status: 0 all photos read, 1 some could not be read (they still "
        "get a row), 2 bad arguments, 130 interrupted (rows so far are written).",
    )
    add_scoring_arguments(p)
    p.add_argument("--format", "-f", choices=FORMATS, default="table")
    p.add_argument(
        "--order",
        choices=("input", "completion"),
        default="input",
        help="input: rows in the order of the arguments and of each folder's sorted listing "
        "(default; each row as soon as the ones before it are done); completion: each row as "
        "soon as its photo is done",
    )
    p.add_argument(
        "--read-timeout",
        type=float,
        metavar="SECONDS",
        help="a read that makes no progress for this long gets an error row "
        "(default: $REVIEWER_READ_TIMEOUT, else 60)",
    )
    return p


def add_scoring_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments `reviewer score` and `reviewer cull` share: what to score, how, in what
    context, with how many workers, and whether the catalog's scores may be reused."""
    from reviewer.core.scoring import DEFAULT_METHOD, METHODS

    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="photo files or folders")
    p.add_argument("--method", "-m", choices=METHODS, default=DEFAULT_METHOD)
    p.add_argument(
        "--threshold",
        "-t",
        type=float,
        help="score below which a photo is blurry (default: the method's)",
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (default: number of CPUs)"
    )
    p.add_argument("--recursive", "-r", action="store_true", help="include subfolders")
    p.add_argument(
        "--context",
        choices=("burst", "none"),
        default=None,
        help="burst: judge each frame against the best of its burst or similar-shot group "
        "(frames of focus stacks and exposure brackets are never blurry); none: each photo "
        "alone (default: burst when a folder is given, else none)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="score every photo again instead of reusing the catalog's scores",
    )


def context_for(context: str | None, paths: Sequence[Path]) -> str:
    """--context, or its default: burst when a folder was given, else none."""
    return context or ("burst" if any(p.is_dir() for p in paths) else "none")


def collect_photos(paths: Iterable[Path], recursive: bool) -> list[Path]:
    """Files given by name are taken as they are (read by content); folders are listed.
    Every named or found photo-like entry is kept, even a broken link (it gets an error row)."""
    from reviewer.core.discovery import find_photos

    return find_photos(paths, recursive).photos


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


def _utf8(stream: TextIO) -> TextIO:
    """The stream writing UTF-8 whatever the locale (LANG=C, latin-1...); escaped names are
    ASCII, so nothing else can fail to encode."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    return stream


class _WholeRows:
    """SIGINT handler that never cuts a row: Ctrl-C while a row is being written takes effect
    (KeyboardInterrupt) once the row is out."""

    def __init__(self) -> None:
        self.writing = False
        self.pending = False

    def handler(self, signum: int, frame: object) -> None:
        if self.writing:
            self.pending = True
            return
        raise KeyboardInterrupt

    def __enter__(self) -> None:
        self.writing = True

    def __exit__(self, *exc: object) -> None:
        self.writing = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


def score_command(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reviewer.core.batch import ScoringJob
    from reviewer.core.cull.score_cache import CacheWriter, open_catalog, read_catalog
    from reviewer.core.discovery import find_photos
    from reviewer.core.judging.context import judge_results
    from reviewer.core.pathtext import path_text

    args = _score_parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.threshold is not None and not math.isfinite(args.threshold):
        raise UsageError("--threshold must be a number")
    if args.read_timeout is not None and not args.read_timeout > 0:
        raise UsageError("--read-timeout must be a positive number of seconds")
    out, err = _utf8(out), _utf8(err)
    found = find_photos(args.paths, args.recursive)
    photos = found.photos
    for folder, problem in found.problems:
        err.write(f"reviewer: {path_text(folder)}: {problem}\n")
    if not photos:
        err.write("reviewer: no photos found\n")  # still print an empty table / CSV / JSON
    context = context_for(args.context, args.paths)
    catalog, notice = open_catalog()
    if notice:
        err.write(f"reviewer: {notice}\n")
    cached, todo, marks = read_catalog(
        catalog, photos, args.method, args.threshold, use_scores=not args.no_cache
    )
    writer = make_writer(args.format, COLUMNS, out, [str(p) for p in photos])
    index = {p: i for i, p in enumerate(photos)}
    waiting: dict[int, PhotoResult] = {}  # --order input: done, but an earlier photo is not
    held: list[PhotoResult] = []  # --context burst: judged once the whole shoot is in
    next_row = 0
    failed = written = 0
    progress = Progress(len(todo), err)
    rows_on_terminal = out.isatty()

    def write(result: PhotoResult, judged: tuple[str, Judgement] | None = None) -> None:
        nonlocal failed, written
        row = ScoredRow(result, marks=marks.get(os.path.abspath(result.path), {}))
        if judged is None:  # alone (--context none): the frame's own verdict and reason
            judged = ("", judge_results([result], "none")[0].judgement)
        row.group, row.judgement = judged
        with guard:
            if rows_on_terminal:
                progress.close()  # the bar is drawn again under the row
            writer.row(row)  # type: ignore[arg-type]
        written += 1
        failed += result.error is not None

    def done(result: PhotoResult) -> None:
        nonlocal next_row
        if context == "burst":
            held.append(result)
        elif args.order == "completion":
            write(result)
        else:
            waiting[index[result.path]] = result
            while next_row in waiting:
                write(waiting.pop(next_row))
                next_row += 1

    def write_held() -> None:
        """The burst context's rows, judged among the photos done, in input order."""
        ordered = sorted(held + list(waiting.values()), key=lambda r: index[r.path])
        held.clear()
        waiting.clear()
        for result, in_context in zip(ordered, judge_results(ordered, context), strict=True):
            write(result, (in_context.group, in_context.judgement))

    guard = _WholeRows()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, guard.handler) if in_main_thread else None
    job = ScoringJob(todo, args.method, args.threshold, args.jobs, read_timeout=args.read_timeout)
    results = job.results()
    try:
        for result in cached:
            done(result)
        with CacheWriter(catalog) as cache:
            for result in results if todo else ():
                cache.add(result)
                done(result)
                progress.step()
    except KeyboardInterrupt:
        if in_main_thread:  # a second Ctrl-C must not cut the cleanup
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        job.cancel()
        results.close()  # stops the workers
        if context == "burst":
            write_held()
        for i in sorted(waiting):  # done but held back for the order: written all the same
            write(waiting[i])
        writer.close()
        progress.close()
        err.write(f"reviewer: interrupted after {written} of {len(photos)} photos\n")
        return 130
    finally:
        results.close()  # on any way out (a closed pipe too): the workers are stopped now
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    if context == "burst":
        progress.close()
        write_held()
    writer.close()
    progress.close()
    if failed:
        err.write(f"reviewer: {failed} of {written} photos could not be read\n")
    return 1 if failed or found.problems else 0


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
    except KeyboardInterrupt:  # before any row (e.g. while starting): no traceback either
        sys.stderr.write("reviewer: interrupted\n")
        return 130
    except BrokenPipeError:  # `reviewer score ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
