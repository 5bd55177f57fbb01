"""File ▸ Export View (the rows of the grid as shown: its sort and filter) and the keepers'
copy or move to another folder.

The file work here is Qt-free and runs in a worker (copies) or is small (an export).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel

from reviewer.core.trash import MoveBatch, MoveJournal, ShotFiles, move_to_folder
from reviewer.gui.photo_model import PhotoRecord, Role

EXPORT_FIELDS = (
    "path",
    "files",
    "score",
    "method",
    "state",
    "decision",
    "rating",
    "label",
    "captured",
    "error",
)


def export_rows(view_model: QAbstractItemModel, threshold: float) -> list[dict[str, object]]:
    """The grid's rows in the order and filter shown (the proxy's rows)."""
    rows: list[dict[str, object]] = []
    for i in range(view_model.rowCount()):
        rec = view_model.index(i, 0).data(Role.RECORD)
        if not isinstance(rec, PhotoRecord):
            continue
        captured = rec.info.captured_at if rec.info is not None else None
        rows.append(
            {
                "path": str(rec.path),
                "files": len(rec.shot.files),
                "score": None if rec.score is None else round(float(rec.score.value), 3),
                "method": None if rec.score is None else rec.score.method,
                "state": rec.state(threshold),
                "decision": rec.decision or "",
                "rating": rec.rating,
                "label": rec.label or "",
                "captured": captured.isoformat() if isinstance(captured, datetime) else "",
                "error": rec.error or "",
            }
        )
    return rows


def write_rows(path: Path, rows: Sequence[dict[str, object]]) -> None:
    """CSV, or JSON when the file name ends in .json; written beside and renamed over."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        if path.suffix.lower() == ".json":
            json.dump(
                {"exported": datetime.now(UTC).isoformat(timespec="seconds"), "photos": rows},
                f,
                ensure_ascii=False,
                indent=1,
            )
        else:
            writer = csv.DictWriter(f, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if row.get(k) is None else row[k] for k in EXPORT_FIELDS})
    os.replace(tmp, path)


def keepers(records: Iterable[PhotoRecord]) -> list[PhotoRecord]:
    """The photos kept by hand (P); when none is, every photo not rejected."""
    records = list(records)
    kept = [r for r in records if r.decision == "keep"]
    return kept or [r for r in records if r.decision != "reject"]


@dataclass(slots=True)
class CopyReport:
    copied: list[tuple[Path, Path]] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    note: str = ""  # e.g. why a move became a copy


def copy_shots(shots: Iterable[ShotFiles], folder: Path) -> CopyReport:
    """Copy every file of each shot into `folder` (made when needed); a name already there is
    never overwritten (that file is reported)."""
    report = CopyReport()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        report.failures.append((folder, exc.strerror or str(exc)))
        return report
    for shot in shots:
        for src in shot.files:
            dst = folder / src.name
            try:
                with open(src, "rb") as fin, open(dst, "xb") as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)
                shutil.copystat(src, dst)
            except FileExistsError:
                report.failures.append((src, f"{dst} exists already; not overwritten"))
            except OSError as exc:
                report.failures.append((src, exc.strerror or str(exc)))
            else:
                report.copied.append((src, dst))
    return report


def move_or_copy(
    shots: Sequence[ShotFiles], folder: Path, journal: MoveJournal
) -> MoveBatch | CopyReport:
    """Move the shots into the absolute `folder` (journaled, undoable) when the move code
    takes an absolute destination; else copy them (the originals stay)."""
    try:
        return move_to_folder(shots, str(folder.absolute()), journal)
    except ValueError:
        report = copy_shots(shots, folder)
        report.note = "This version can only move into a folder beside the photos: copied."
        return report
