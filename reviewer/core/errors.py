"""The one error type for a photo that cannot be read or scored."""

from __future__ import annotations

from pathlib import Path


class PhotoError(Exception):
    """A photo could not be read: carries the path and a human-readable reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
