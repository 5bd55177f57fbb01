"""What the app remembers between runs: recent folders, thresholds, sizes, names."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from reviewer.core.catalog import DEFAULT_REJECTS_FOLDER

ORGANIZATION = "Reviewer"
APPLICATION = "Reviewer"
MAX_RECENT = 10
DEFAULT_THUMBNAIL_SIZE = 200
MIN_THUMBNAIL_SIZE = 96
MAX_THUMBNAIL_SIZE = 320


def default_qsettings() -> QSettings:
    """The user's settings file. On Linux it is looked up now (not cached by Qt), so a changed
    XDG_CONFIG_HOME (as in the tests) is honoured."""
    if sys.platform.startswith("linux"):
        base = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.GenericConfigLocation
        )
        return QSettings(
            str(Path(base) / ORGANIZATION / f"{APPLICATION}.conf"), QSettings.Format.IniFormat
        )
    return QSettings(ORGANIZATION, APPLICATION)


class AppSettings:
    """Typed access to the QSettings store."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else default_qsettings()

    def _get(self, key: str, default: object) -> object:
        value = self.store.value(key, default)
        return default if value is None else value

    # recent folders -----------------------------------------------------------------------
    def recent_folders(self) -> list[Path]:
        raw = self._get("recent/folders", "[]")
        try:
            items = json.loads(str(raw))
        except json.JSONDecodeError:
            return []
        return [Path(p) for p in items if isinstance(p, str)][:MAX_RECENT]

    def add_recent_folder(self, folder: Path) -> None:
        folder = folder.absolute()
        items = [p for p in self.recent_folders() if p != folder]
        items.insert(0, folder)
        self.store.setValue("recent/folders", json.dumps([str(p) for p in items[:MAX_RECENT]]))

    def clear_recent_folders(self) -> None:
        self.store.setValue("recent/folders", "[]")

    # scoring ------------------------------------------------------------------------------
    def threshold(self, method: str) -> float | None:
        raw = self.store.value(f"threshold/{method}")
        try:
            return None if raw is None else float(str(raw))
        except ValueError:
            return None

    def set_threshold(self, method: str, value: float) -> None:
        self.store.setValue(f"threshold/{method}", float(value))

    def method(self) -> str | None:
        raw = self.store.value("scoring/method")
        return None if raw is None else str(raw)

    def set_method(self, method: str) -> None:
        self.store.setValue("scoring/method", method)

    # view ---------------------------------------------------------------------------------
    def thumbnail_size(self) -> int:
        try:
            size = int(str(self._get("view/thumbnail_size", DEFAULT_THUMBNAIL_SIZE)))
        except ValueError:
            size = DEFAULT_THUMBNAIL_SIZE
        return max(MIN_THUMBNAIL_SIZE, min(MAX_THUMBNAIL_SIZE, size))

    def set_thumbnail_size(self, size: int) -> None:
        self.store.setValue("view/thumbnail_size", int(size))

    def window_geometry(self) -> bytes:
        raw = self.store.value("window/geometry")
        if isinstance(raw, QByteArray):
            return bytes(raw.data())
        return raw if isinstance(raw, bytes) else b""

    def set_window_geometry(self, geometry: bytes) -> None:
        self.store.setValue("window/geometry", QByteArray(geometry))

    def splitter_sizes(self) -> list[int]:
        try:
            sizes = json.loads(str(self._get("window/splitter", "[]")))
        except json.JSONDecodeError:
            return []
        if not isinstance(sizes, list):
            return []
        return [int(s) for s in sizes if isinstance(s, int)]

    def set_splitter_sizes(self, sizes: list[int]) -> None:
        self.store.setValue("window/splitter", json.dumps([int(s) for s in sizes]))

    def first_run_done(self) -> bool:
        return str(self._get("help/first_run_done", "false")).lower() == "true"

    def set_first_run_done(self, done: bool) -> None:
        self.store.setValue("help/first_run_done", "true" if done else "false")

    def sort_reversed(self) -> bool:
        return str(self._get("view/sort_reversed", "false")).lower() == "true"

    def set_sort_reversed(self, on: bool) -> None:
        self.store.setValue("view/sort_reversed", "true" if on else "false")

    def collapse_bursts(self) -> bool:
        return str(self._get("view/collapse_bursts", "false")).lower() == "true"

    def set_collapse_bursts(self, on: bool) -> None:
        self.store.setValue("view/collapse_bursts", "true" if on else "false")

    def theme(self) -> str:
        return str(self._get("view/theme", "dark"))

    def set_theme(self, theme: str) -> None:
        self.store.setValue("view/theme", theme)

    def recursive(self) -> bool:
        return str(self._get("scan/recursive", "false")).lower() == "true"

    def set_recursive(self, on: bool) -> None:
        self.store.setValue("scan/recursive", "true" if on else "false")

    # moving -------------------------------------------------------------------------------
    def rejects_folder(self) -> str:
        """A folder name made beside each photo, or an absolute path (any drive)."""
        name = str(self._get("moves/rejects_folder", DEFAULT_REJECTS_FOLDER)).strip()
        if os.path.isabs(name):
            return name
        return (
            name if name and "/" not in name and name not in (".", "..") else DEFAULT_REJECTS_FOLDER
        )

    def move_destination(self) -> str:
        """Where "Move Rejected" (Ctrl+Delete) sends rejects: "trash" or "folder"."""
        value = str(self._get("moves/destination", "trash"))
        return value if value in ("trash", "folder") else "trash"

    def set_move_destination(self, destination: str) -> None:
        self.store.setValue("moves/destination", destination)

    def set_rejects_folder(self, name: str) -> None:
        self.store.setValue("moves/rejects_folder", name)

    # sidecars -----------------------------------------------------------------------------
    def sidecar_style(self) -> str:
        style = str(self._get("sidecars/style", "adobe"))
        return style if style in ("adobe", "darktable") else "adobe"

    def set_sidecar_style(self, style: str) -> None:
        self.store.setValue("sidecars/style", style)

    def auto_write_sidecars(self) -> bool:
        return str(self._get("sidecars/auto_write", "false")).lower() == "true"

    def set_auto_write_sidecars(self, on: bool) -> None:
        self.store.setValue("sidecars/auto_write", "true" if on else "false")

    def sync(self) -> None:
        self.store.sync()
