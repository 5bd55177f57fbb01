"""Shots on disk for the move tests: RAW + JPEG + sidecars with distinct random bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reviewer.core.cull.moves import FileGroup

BAD = os.fsdecode(b"bad\xff")  # `printf 'bad\xff.jpg'`: a name that is not valid UTF-8


def make_shot(
    folder: Path,
    stem: str,
    exts: tuple[str, ...] = (".NEF", ".JPG", ".NEF.xmp"),
    size: int = 2000,
) -> FileGroup:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, ext in enumerate(exts):
        p = folder / f"{stem}{ext}"
        p.write_bytes(os.urandom(size + i))
        files.append(p)
    return FileGroup(stem, tuple(files))


def digests(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under root (symlinks as their target text)."""
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            data = (
                os.readlink(p).encode("utf-8", "surrogateescape")
                if p.is_symlink()
                else (p.read_bytes())
            )
            out[str(p.relative_to(root))] = hashlib.sha256(data).hexdigest()
    return out
