"""A shot's XMP sidecars: which file to write, writing marks into it, reading them back.

Naming styles:

* ``adobe``: one ``IMG_0001.xmp`` per shot (Lightroom, Bridge, Capture One, Photo Mechanic);
* ``darktable``: ``IMG_0001.CR2.xmp`` beside the RAW, or ``IMG_0001.JPG.xmp`` for a JPEG-only
  shot (darktable, digiKam).

The default is to update the XMP sidecars a shot already has (all of them, so every tool that
reads one sees the same decision), else to create one in the chosen style. A RAW+JPEG pair is
one shot and gets one new sidecar. Only ``.xmp`` files are ever written: no photo file is
rewritten, and a sidecar that cannot be parsed is reported and left untouched.

Reading: the newest readable XMP sidecar of a shot, else the XMP embedded in its JPEG.
`newer_wins` settles a disagreement between the catalog and what was recorded elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from reviewer.core.cull.xmp import (
    ReviewerFields,
    XmpData,
    XmpError,
    XmpMarks,
    atomic_write,
    merge_packet,
    new_packet,
    parse_xmp,
    read_jpeg_xmp,
    read_packet,
    serialize_packet,
)
from reviewer.core.formats import RAW_EXTENSIONS

SidecarStyle = Literal["adobe", "darktable"]
SIDECAR_STYLES: tuple[SidecarStyle, ...] = ("adobe", "darktable")
DEFAULT_STYLE: SidecarStyle = "adobe"
XMP_SUFFIX = ".xmp"
_JPEG_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})


class ShotLike(Protocol):
    """What sidecar handling needs of a shot (catalog.Shot has it)."""

    @property
    def stem(self) -> str: ...

    @property
    def display_path(self) -> Path: ...

    @property
    def photo_paths(self) -> tuple[Path, ...]: ...

    @property
    def sidecar_paths(self) -> tuple[Path, ...]: ...


@dataclass(slots=True)
class SidecarReport:
    """What writing one shot's sidecars did."""

    written: list[Path] = field(default_factory=list)  # changed or created (or would be)
    created: list[Path] = field(default_factory=list)  # the subset that did not exist before
    unchanged: list[Path] = field(default_factory=list)  # already said the same
    failures: list[tuple[Path, str]] = field(default_factory=list)  # left untouched, and why

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a shot's sidecar (or embedded XMP) says, and when that file last changed."""

    data: XmpData
    path: Path  # the sidecar, or the JPEG for embedded XMP
    mtime: float
    embedded: bool = False

    @property
    def marks(self) -> XmpMarks:
        return self.data.marks


@dataclass(frozen=True, slots=True)
class Resolution:
    """Which marks a shot has after comparing the catalog with its sidecar."""

    marks: XmpMarks | None
    source: Literal["catalog", "sidecar", "none"]
    changed_elsewhere: bool = False  # the sidecar was newer and differed: show it
    sidecar_stale: bool = False  # the catalog is newer: the sidecar needs writing


def _is_xmp(path: Path) -> bool:
    return path.suffix.lower() == XMP_SUFFIX


def existing_sidecars(shot: ShotLike) -> list[Path]:
    """The shot's XMP sidecars that exist now (both naming styles)."""
    found = [p for p in shot.sidecar_paths if _is_xmp(p) and os.path.lexists(p)]
    # One created since the folder was scanned (by us, or by another tool) counts too.
    for candidate in (new_sidecar_path(shot, "adobe"), new_sidecar_path(shot, "darktable")):
        # the same name in another case is the same file on a case-insensitive filesystem
        if any(p.name.casefold() == candidate.name.casefold() for p in found):
            continue
        if candidate.is_file():
            found.append(candidate)
    return found


def new_sidecar_path(shot: ShotLike, style: SidecarStyle) -> Path:
    """Where a new sidecar of `style` goes: IMG_1.xmp, or IMG_1.CR2.xmp beside the RAW."""
    if style == "adobe":
        return shot.display_path.with_name(f"{shot.stem}{XMP_SUFFIX}")
    if style == "darktable":
        raw = next((p for p in shot.photo_paths if p.suffix.lower() in RAW_EXTENSIONS), None)
        primary = raw or shot.display_path
        return primary.with_name(primary.name + XMP_SUFFIX)
    raise ValueError(f"unknown sidecar style {style!r} (choose from {', '.join(SIDECAR_STYLES)})")


def sidecar_targets(shot: ShotLike, style: SidecarStyle = DEFAULT_STYLE) -> list[Path]:
    """The sidecars a write updates: those the shot has, else one new one of `style`."""
    return existing_sidecars(shot) or [new_sidecar_path(shot, style)]


def _refuse_reason(shot: ShotLike, path: Path) -> str | None:
    """Why `path` must not be written: only ever an .xmp file that is not one of the photos."""
    if not _is_xmp(path):
        return "not an .xmp sidecar"
    if path in shot.photo_paths:
        return "a photo file (never rewritten)"
    if os.path.lexists(path) and not path.is_file():
        return "not a regular file"
    return None


def write_sidecar(
    path: Path,
    *,
    marks: XmpMarks | None = None,
    reviewer: ReviewerFields | None = None,
    dry_run: bool = False,
) -> bool:
    """Merge marks / Reviewer's fields into the sidecar at `path` (created if missing).

    Returns False when it already said that (nothing written). Raises XmpError for a sidecar
    that cannot be parsed (left untouched) and OSError for one that cannot be read or
    written."""
    try:
        existing: bytes | None = path.read_bytes()
    except FileNotFoundError:
        existing = None
    packet = new_packet() if existing is None else parse_xmp(existing)
    before = read_packet(packet) if existing is not None else None
    merge_packet(packet, marks=marks, reviewer=reviewer)
    if before is not None and read_packet(packet) == before:
        return False
    if not dry_run:
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        atomic_write(target, serialize_packet(packet))
    return True


def write_shot_sidecars(
    shot: ShotLike,
    marks: XmpMarks | None = None,
    style: SidecarStyle = DEFAULT_STYLE,
    *,
    reviewer: ReviewerFields | None = None,
    dry_run: bool = False,
) -> SidecarReport:
    """Write a shot's marks (None: leave them) and Reviewer's fields to its sidecars.

    Never raises for a file: what failed is in the report, and a broken sidecar stays as it
    was. With dry_run, the report says what would be written."""
    report = SidecarReport()
    for path in sidecar_targets(shot, style):
        reason = _refuse_reason(shot, path)
        if reason is not None:
            report.failures.append((path, reason))
            continue
        existed = os.path.lexists(path)
        try:
            changed = write_sidecar(path, marks=marks, reviewer=reviewer, dry_run=dry_run)
        except XmpError as exc:
            report.failures.append((path, f"broken sidecar, left untouched: {exc}"))
            continue
        except OSError as exc:
            report.failures.append((path, exc.strerror or str(exc)))
            continue
        if changed:
            report.written.append(path)
            if not existed:
                report.created.append(path)
        else:
            report.unchanged.append(path)
    return report


def read_recorded(
    shot: ShotLike, problems: list[tuple[Path, str]] | None = None
) -> Recorded | None:
    """What was recorded for the shot outside the catalog: the newest readable XMP sidecar
    that says something, else the XMP embedded in its JPEG; None if nothing.

    Unreadable or broken files are skipped and, with `problems`, listed there."""

    def problem(path: Path, reason: str) -> None:
        if problems is not None:
            problems.append((path, reason))

    best: Recorded | None = None
    for path in existing_sidecars(shot):
        try:
            mtime = os.stat(path).st_mtime
            data = read_packet(parse_xmp(path.read_bytes()))
        except XmpError as exc:
            problem(path, f"broken sidecar: {exc}")
            continue
        except OSError as exc:
            problem(path, exc.strerror or str(exc))
            continue
        if best is None or mtime > best.mtime:
            best = Recorded(data, path, mtime)
    if best is not None:
        return best
    for photo in shot.photo_paths:
        if photo.suffix.lower() not in _JPEG_SUFFIXES:
            continue
        try:
            embedded = read_jpeg_xmp(photo)
            mtime = os.stat(photo).st_mtime
        except XmpError as exc:
            problem(photo, f"embedded XMP unreadable: {exc}")
            continue
        except OSError as exc:
            problem(photo, exc.strerror or str(exc))
            continue
        if embedded is not None:
            return Recorded(embedded, photo, mtime, embedded=True)
    return None


def newer_wins(
    catalog_marks: XmpMarks | None,
    catalog_time: float | None,
    recorded: Recorded | None,
) -> Resolution:
    """Catalog against sidecar: equal, or one side silent, is no conflict; otherwise the side
    changed last wins, and a newer sidecar marks the shot as changed elsewhere."""
    said = recorded is not None and recorded.data.has_marks
    if recorded is None or not said:
        if catalog_marks is None:
            return Resolution(None, "none")
        return Resolution(catalog_marks, "catalog", sidecar_stale=True)
    if catalog_marks is None:
        return Resolution(recorded.marks, "sidecar")
    if recorded.marks == catalog_marks:
        return Resolution(catalog_marks, "catalog")
    if catalog_time is None or recorded.mtime > catalog_time:
        return Resolution(recorded.marks, "sidecar", changed_elsewhere=True)
    return Resolution(catalog_marks, "catalog", sidecar_stale=True)


def marks_for_reject(recorded: Recorded | None) -> XmpMarks:
    """The marks of a rejected shot, keeping the label it had."""
    label = recorded.marks.label if recorded is not None else None
    return XmpMarks(0, label, rejected=True)


__all__ = [
    "DEFAULT_STYLE",
    "SIDECAR_STYLES",
    "Recorded",
    "Resolution",
    "SidecarReport",
    "SidecarStyle",
    "existing_sidecars",
    "marks_for_reject",
    "new_sidecar_path",
    "newer_wins",
    "read_recorded",
    "sidecar_targets",
    "write_sidecar",
    "write_shot_sidecars",
]
