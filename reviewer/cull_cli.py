"""`reviewer cull PATH...`: the window's cull, headless, for scripts and ingest pipelines.

Every shot is scored from its display file; a shot whose verdict is blurry is rejected. With
--write-xmp its sidecar gets the reject (xmp:Rating -1) and every scored shot gets Reviewer's
score; with --to-trash / --to-folder the rejected shots are moved whole (RAW, JPEG and
sidecars), through the same journaled moves as the window, so its Undo puts them back.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reviewer.cli import Progress, UsageError, add_scoring_arguments, context_for

if TYPE_CHECKING:
    from reviewer.core.batch import PhotoResult
    from reviewer.core.catalog import Shot
    from reviewer.core.judging.verdict import Judgement
    from reviewer.core.trash import MoveBatch


def _cull_parser() -> argparse.ArgumentParser:
    from reviewer.core.cull.sidecars import DEFAULT_STYLE, SIDECAR_STYLES

    p = argparse.ArgumentParser(
        prog="reviewer cull",
        description="Score photos and reject the blurry ones, as the window does: print what "
        "was done (or, with --dry-run, would be done) to each shot. A shot is a photo with its "
        "partners (RAW + JPEG) and sidecars; nothing is ever deleted.",
        epilog="Exit status: 0 done, 1 some files could not be read, written or moved (each "
        "has a row saying why), 2 bad arguments. Moves are journaled: the window's Undo puts "
        "them back.",
    )
    add_scoring_arguments(p)
    p.add_argument(
        "--write-xmp",
        action="store_true",
        help="write the reject (xmp:Rating -1) of blurry shots, and every scored shot's score "
        "in Reviewer's namespace, to XMP sidecars (merged into existing ones; photos are never "
        "rewritten)",
    )
    p.add_argument(
        "--xmp-style",
        choices=SIDECAR_STYLES,
        default=None,
        help=f"name of a new sidecar: adobe IMG_1.xmp, darktable IMG_1.CR2.xmp (default: "
        f"{DEFAULT_STYLE}); a shot that already has sidecars gets those updated",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--to-trash", action="store_true", help="move rejected shots to the trash")
    where.add_argument(
        "--to-folder",
        metavar="NAME",
        help="move rejected shots into the folder NAME beside each photo (e.g. _rejected)",
    )
    p.add_argument(
        "--dry-run", "-n", action="store_true", help="change nothing, print what would be done"
    )
    return p


@dataclass(slots=True)
class ShotRow:
    """What happened to one shot, for its printed row."""

    name: str
    shot: Shot | None = None
    result: PhotoResult | None = None
    actions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    extra_files: list[Path] = field(default_factory=list)  # sidecars created for it
    judgement: Judgement | None = None  # the verdict in context (burst), with its reason
    group: str = ""

    @property
    def verdict(self) -> str:
        if self.judgement is not None:
            return self.judgement.verdict
        return self.result.verdict if self.result is not None else "error"

    @property
    def rejected(self) -> bool:
        # only 'blurry' is rejected: 'unsure' (nothing to judge, a focus stack, a bracket,
        # a score within the margin) is left for the photographer to look at
        return self.result is not None and self.verdict == "blurry"


def _collect_shots(
    paths: Sequence[Path], recursive: bool, rejects_folder: str, rows: list[ShotRow]
) -> list[Shot]:
    """The shots of the given folders and files, each once; problems become error rows."""
    from reviewer.core.catalog import scan_folder
    from reviewer.core.formats import is_photo_path

    shots: list[Shot] = []
    seen: set[Path] = set()

    def add(shot: Shot) -> None:
        key = shot.display_path.absolute()
        if key not in seen:
            seen.add(key)
            shots.append(shot)

    for given in paths:
        # Absolute, so that the move journal (and the window's Undo) work from any folder.
        path = given.absolute()
        if path.is_dir():
            try:
                scan = scan_folder(path, recursive=recursive, rejects_folder=rejects_folder)
            except OSError as exc:
                rows.append(ShotRow(str(given), problems=[exc.strerror or str(exc)]))
                continue
            for problem_path, reason in scan.problems:
                rows.append(ShotRow(_shown(problem_path), problems=[reason]))
            for shot in scan.shots:
                add(shot)
        elif path.exists():
            if not is_photo_path(path):
                rows.append(ShotRow(str(given), problems=["not a photo file Reviewer reads"]))
                continue
            try:
                scan = scan_folder(path.parent or Path("."), rejects_folder=rejects_folder)
            except OSError as exc:
                rows.append(ShotRow(str(given), problems=[exc.strerror or str(exc)]))
                continue
            match = next(
                (s for s in scan.shots if any(_same(path, p) for p in s.photo_paths)), None
            )
            if match is None:
                rows.append(ShotRow(str(given), problems=["could not be listed"]))
            else:
                add(match)
        else:
            raise UsageError(f"{given}: no such file or folder")
    return shots


def _same(a: Path, b: Path) -> bool:
    try:
        return a == b or os.path.samefile(a, b)
    except OSError:
        return False


def _check_folder_name(name: str) -> None:
    """--to-folder: a name beside each photo; an absolute path only where trash.py moves there."""
    from reviewer.core.trash import move_to_folder

    if not name.strip():
        raise UsageError("--to-folder needs a folder name")
    try:
        move_to_folder([], name)  # no shots: only checks that this destination is supported
    except ValueError as exc:
        if os.path.isabs(name) or os.sep in name:
            raise UsageError(
                f"--to-folder {name}: this version moves rejected shots only into a folder "
                "beside each photo; give a folder name such as _rejected"
            ) from None
        raise UsageError(f"--to-folder: {exc}") from None


def _score_shots(
    shots: Sequence[Shot], args: argparse.Namespace, err: TextIO
) -> dict[Path, PhotoResult] | None:
    """Score every shot's display file; None when interrupted."""
    from reviewer.core.batch import ScoringJob
    from reviewer.core.cull.score_cache import CacheWriter, open_catalog, read_catalog

    # the same score cache as `reviewer score` and the window: a scored shoot is not decoded
    catalog, notice = open_catalog()
    if notice:
        err.write(f"reviewer: {notice}\n")
    paths = [s.display_path for s in shots]
    cached, todo, _ = read_catalog(
        catalog, paths, args.method, args.threshold, use_scores=not args.no_cache
    )
    results: dict[Path, PhotoResult] = {r.path: r for r in cached}
    job = ScoringJob(todo, args.method, args.threshold, args.jobs)
    progress = Progress(len(todo), err)
    try:
        with CacheWriter(catalog) as cache:
            for result in job.results() if todo else ():
                results[result.path] = result
                cache.add(result)
                progress.step()
    except KeyboardInterrupt:
        job.cancel()
        progress.close()
        return None
    progress.close()
    return results


def _judge(rows: Sequence[ShotRow], args: argparse.Namespace) -> None:
    """Each scored shot's verdict in context: against its burst unless --context none."""
    from reviewer.core.judging.context import judge_results

    context = context_for(args.context, args.paths)
    scored = [r for r in rows if r.result is not None]
    judged = judge_results([r.result for r in scored if r.result is not None], context)
    for row, in_context in zip(scored, judged, strict=True):
        row.judgement = in_context.judgement
        row.group = in_context.group


def _write_xmp(row: ShotRow, args: argparse.Namespace) -> None:
    from reviewer.core.cull.sidecars import (
        DEFAULT_STYLE,
        marks_for_reject,
        read_recorded,
        write_shot_sidecars,
    )
    from reviewer.core.cull.xmp import ReviewerFields

    assert row.shot is not None and row.result is not None and row.result.score is not None
    score = row.result.score
    fields = ReviewerFields(
        score=score.value if math.isfinite(score.value) else None,
        scorer=row.result.method,
        verdict=row.verdict,
        threshold=score.threshold,
    )
    problems: list[tuple[Path, str]] = []
    marks = marks_for_reject(read_recorded(row.shot, problems)) if row.rejected else None
    report = write_shot_sidecars(
        row.shot, marks, args.xmp_style or DEFAULT_STYLE, reviewer=fields, dry_run=args.dry_run
    )
    verb = "would write" if args.dry_run else "wrote"
    for path in report.written:
        row.actions.append(f"{verb} {path.name}")
    for path in report.unchanged:
        row.actions.append(f"{path.name} already up to date")
    row.extra_files.extend(p for p in report.created if p not in row.shot.files)
    row.problems.extend(f"{p.name}: {reason}" for p, reason in report.failures)


def _move(rows: Sequence[ShotRow], args: argparse.Namespace) -> MoveBatch | None:
    from reviewer.core.trash import FileGroup, MoveJournal, move_to_folder, move_to_trash

    rejected = [r for r in rows if r.rejected and r.shot is not None]
    where = "the trash" if args.to_trash else args.to_folder
    if args.dry_run:
        for row in rejected:
            row.actions.append(f"would move to {where}")
        return None
    groups = []
    for row in rejected:
        assert row.shot is not None
        files = row.shot.files + tuple(p for p in row.extra_files if p.exists())
        groups.append(FileGroup(row.shot.stem, files))
    journal = MoveJournal()
    if args.to_trash:
        batch = move_to_trash(groups, journal)
    else:
        batch = move_to_folder(groups, args.to_folder, journal)
    failed: dict[Path, str] = {f.path: f.reason for f in batch.failures}
    for row, group in zip(rejected, groups, strict=True):
        reasons = [f"{p.name} not moved: {failed[p]}" for p in group.files if p in failed]
        if reasons:
            row.problems.extend(reasons)
        else:
            row.actions.append(f"moved to {where}")
    return batch


def _shown(path: Path) -> str:
    """A path relative to the current folder when it is inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _shot_name(shot: Shot) -> str:
    extras = [p.suffix.lstrip(".").upper() for p in shot.photo_paths[1:]]
    return _shown(shot.display_path) + "".join(f" + {e}" for e in extras)


def _print_rows(rows: Sequence[ShotRow], out: TextIO) -> None:
    width = min(60, max((len(r.name) for r in rows), default=0))
    for row in rows:
        if row.result is not None and row.result.score is not None:
            s = row.result.score
            value = f"{s.value:.2f}" if math.isfinite(s.value) else "inf"
            verdict = f"{value:>7}  {row.verdict:<7}"
            decision = "rejected" if row.rejected else "kept"
            if row.judgement is not None and row.judgement.reason:
                decision += f" ({row.judgement.reason})"
        else:
            verdict = f"{'':>7}  {'error':<7}"
            decision = ""
        parts = ([decision] if decision else []) + row.actions + row.problems
        out.write(f"{row.name:<{width}}  {verdict}  {'; '.join(parts)}".rstrip() + "\n")


def cull_command(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reviewer.core.catalog import DEFAULT_REJECTS_FOLDER

    args = _cull_parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.threshold is not None and not math.isfinite(args.threshold):
        raise UsageError("--threshold must be a number")
    if args.xmp_style is not None and not args.write_xmp:
        raise UsageError("--xmp-style goes with --write-xmp")
    if args.to_folder is not None:
        _check_folder_name(args.to_folder)

    error_rows: list[ShotRow] = []
    shots = _collect_shots(
        args.paths, args.recursive, args.to_folder or DEFAULT_REJECTS_FOLDER, error_rows
    )
    if not shots and not error_rows:
        err.write("reviewer: no photos found\n")
        return 0
    results = _score_shots(shots, args, err)
    if results is None:
        err.write("reviewer: interrupted (nothing was written or moved)\n")
        return 130

    rows = [ShotRow(_shot_name(s), s, results.get(s.display_path)) for s in shots]
    _judge(rows, args)
    for row in rows:
        if row.result is None:
            row.problems.append("was not scored")
        elif row.result.error:
            row.problems.append(row.result.error)
        elif args.write_xmp:
            _write_xmp(row, args)
    if args.to_trash or args.to_folder:
        _move(rows, args)

    all_rows = error_rows + rows
    _print_rows(all_rows, out)
    _print_summary(rows, all_rows, args, out)
    return 1 if any(r.problems for r in all_rows) else 0


def _print_summary(
    rows: Sequence[ShotRow], all_rows: Sequence[ShotRow], args: argparse.Namespace, out: TextIO
) -> None:
    scored = [r for r in rows if r.result is not None and r.result.score is not None]
    rejected = sum(1 for r in scored if r.rejected)
    unreadable = sum(1 for r in all_rows if r.problems and (r.result is None or r.result.error))
    shots = f"{len(rows)} shot{'' if len(rows) == 1 else 's'}"
    unsure = sum(1 for r in scored if r.verdict == "unsure")
    line = (
        f"{shots}: {rejected} rejected (blurry), {len(scored) - rejected} kept"
        + (f" ({unsure} unsure: look at these)" if unsure else "")
        + f", {unreadable} unreadable"
    )
    with_problems = sum(1 for r in all_rows if r.problems)
    if with_problems > unreadable:
        line += f", {with_problems - unreadable} with files not written or moved"
    if args.dry_run:
        line += " (dry run: nothing was changed)"
    out.write(line + "\n")
