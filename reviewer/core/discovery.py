"""Which files a `reviewer score PATH...` run scores: every named or found photo-like entry.

Nothing is dropped silently. A name given on the command line is always scored (a missing file,
a dangling symbolic link or a FIFO gets a row with the reason, from the worker's
`stat_photo_file`); in a folder, every entry with a photo extension is taken whatever it is
(regular file, broken or looping link, FIFO, link to a device), except hidden ones. Nothing here
opens a file: a folder is read with `os.scandir`, which does not follow links or open entries.
Symbolic links to folders are not followed when walking subfolders (no loops).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.core.formats import is_photo_path, os_error_reason


@dataclass(slots=True)
class Discovery:
    """The photos to score, in a stable order, and the folders that could not be listed."""

    photos: list[Path] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()  # follows a named link to a folder, as the user meant
    except OSError:  # e.g. a name too long; the worker's stat reports it
        return False


def _list_folder(root: Path, recursive: bool, problems: list[tuple[Path, str]]) -> list[Path]:
    found: list[Path] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            problems.append((folder, f"cannot list this folder: {os_error_reason(exc)}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden files and folders, .Trash-1000, AppleDouble ._ files
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if recursive:
                    pending.append(Path(entry.path))
            elif is_photo_path(entry.name):
                found.append(Path(entry.path))
    found.sort()
    return found


def find_photos(paths: Iterable[Path], recursive: bool = False) -> Discovery:
    """The photos named by `paths`: files as they are, folders listed (sorted by path; with
    `recursive`, their subfolders too). Each photo appears once, in the order first met."""
    result = Discovery()
    seen: set[Path] = set()
    for path in paths:
        files = _list_folder(path, recursive, result.problems) if _is_folder(path) else [path]
        for f in files:
            if f not in seen:
                seen.add(f)
                result.photos.append(f)
    return result
