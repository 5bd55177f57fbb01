"""Scan a folder into shots: one item per photographed frame.

A shot is every photo file sharing a stem in one folder (case-insensitive): `IMG_1.CR2` and
`IMG_1.JPG` are one shot, shown and scored from the JPEG. Sidecars (`IMG_1.xmp`,
`IMG_1.CR2.xmp`, `IMG_1.pp3`, `IMG_1.CR2.pp3`, ...) belong to the shot of their stem, so a shot
always moves as a whole. Sidecars without a photo are left alone.

Nothing here reads pixels: a scan of 10,000 files is one `os.scandir` per folder plus one
`stat` per file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.core.formats import PHOTO_EXTENSIONS, RAW_EXTENSIONS, SIDECAR_EXTENSIONS

DEFAULT_REJECTS_FOLDER = "_rejected"
JPEG_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts IMG_2 before IMG_10 and ignores case."""
    parts = _DIGITS.split(name.casefold())
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in parts if p)


@dataclass(frozen=True, slots=True)
class Shot:
    """One frame: its photo files (display file first) and sidecars, with their sizes."""

    stem: str  # as spelled by the display file, e.g. "IMG_0001"
    display_path: Path  # the file shown and scored: the JPEG when there is one
    photo_paths: tuple[Path, ...]  # display_path first, then partners (RAW, other renditions)
    sidecar_paths: tuple[Path, ...] = ()
    size_bytes: int = 0  # every file of the shot, sidecars included
    mtime: float = 0.0  # of the display file

    @property
    def folder(self) -> Path:
        return self.display_path.parent

    @property
    def name(self) -> str:
        return self.display_path.name

    @property
    def files(self) -> tuple[Path, ...]:
        """Everything that moves together when the shot is rejected."""
        return self.photo_paths + self.sidecar_paths

    @property
    def raw_path(self) -> Path | None:
        return next((p for p in self.photo_paths if p.suffix.lower() in RAW_EXTENSIONS), None)

    @property
    def is_raw_pair(self) -> bool:
        """A RAW file with a JPEG (or other rendition) beside it."""
        return self.raw_path is not None and len(self.photo_paths) > 1

    def label(self) -> str:
        """'IMG_1.JPG + CR2' for a pair, the file name otherwise."""
        extras = [p.suffix.lstrip(".").upper() for p in self.photo_paths[1:]]
        return self.name + "".join(f" + {e}" for e in extras)


@dataclass(slots=True)
class CatalogScan:
    """The result of a scan: shots in natural name order, and what could not be read."""

    folder: Path
    shots: list[Shot] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(s.size_bytes for s in self.shots)


def _display_rank(path: Path) -> int:
    ext = path.suffix.lower()
    if ext in JPEG_EXTENSIONS:
        return 0
    if ext in RAW_EXTENSIONS:
        return 2
    return 1  # HEIF, TIFF, PNG...: a rendition, better to show than a RAW


def sidecar_stem(name: str) -> str | None:
    """The photo stem a sidecar file belongs to ('IMG_1.CR2.xmp' -> 'IMG_1'), else None."""
    root, ext = os.path.splitext(name)
    if ext.lower() not in SIDECAR_EXTENSIONS or not root:
        return None
    inner_root, inner_ext = os.path.splitext(root)
    if inner_ext.lower() in PHOTO_EXTENSIONS and inner_root:
        return inner_root
    return root


def _iter_folders(
    folder: Path, recursive: bool, skip_names: frozenset[str], problems: list[tuple[Path, str]]
) -> Iterator[tuple[Path, list[os.DirEntry[str]]]]:
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError as exc:
            if current == folder:
                raise
            problems.append((current, exc.strerror or str(exc)))
            continue
        files: list[os.DirEntry[str]] = []
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden files, AppleDouble ._ files, .Trash-1000, ...
            try:
                if entry.is_dir(follow_symlinks=False):
                    if recursive and entry.name.casefold() not in skip_names:
                        subdirs.append(Path(entry.path))
                elif entry.is_file():
                    files.append(entry)
            except OSError as exc:
                problems.append((Path(entry.path), exc.strerror or str(exc)))
        yield current, files
        pending.extend(sorted(subdirs, key=lambda p: natural_key(p.name), reverse=True))


def _group_folder(files: list[os.DirEntry[str]], problems: list[tuple[Path, str]]) -> list[Shot]:
    photos: dict[str, list[tuple[Path, int, float]]] = {}
    sidecars: dict[str, list[tuple[Path, int]]] = {}
    for entry in files:
        path = Path(entry.path)
        ext = path.suffix.lower()
        try:
            if ext in PHOTO_EXTENSIONS:
                st = entry.stat()
                photos.setdefault(path.stem.casefold(), []).append((path, st.st_size, st.st_mtime))
            else:
                stem = sidecar_stem(path.name)
                if stem is not None:
                    sidecars.setdefault(stem.casefold(), []).append((path, entry.stat().st_size))
        except OSError as exc:  # vanished between scandir and stat, or unreadable
            problems.append((path, exc.strerror or str(exc)))
    shots: list[Shot] = []
    for key, members in photos.items():
        members.sort(key=lambda m: (_display_rank(m[0]), natural_key(m[0].name)))
        display, _, mtime = members[0]
        side = sorted(sidecars.get(key, []), key=lambda s: natural_key(s[0].name))
        size = sum(m[1] for m in members) + sum(s[1] for s in side)
        shots.append(
            Shot(
                stem=display.stem,
                display_path=display,
                photo_paths=tuple(m[0] for m in members),
                sidecar_paths=tuple(s[0] for s in side),
                size_bytes=size,
                mtime=mtime,
            )
        )
    shots.sort(key=lambda s: natural_key(s.name))
    return shots


def scan_folder(
    folder: str | Path,
    *,
    recursive: bool = False,
    rejects_folder: str = DEFAULT_REJECTS_FOLDER,
) -> CatalogScan:
    """List the shots in `folder` (and its subfolders with `recursive`).

    Hidden files and folders and the rejects folder are skipped. Raises OSError only when
    `folder` itself cannot be listed; unreadable subfolders and files go to `problems`.
    """
    root = Path(folder)
    scan = CatalogScan(root)
    skip = frozenset({rejects_folder.casefold()})
    for _, files in _iter_folders(root, recursive, skip, scan.problems):
        scan.shots.extend(_group_folder(files, scan.problems))
    return scan
