"""`reviewer score` output: rows written one at a time, as photos finish, in any format.

The columns are data (`Column`, listed in `reviewer.cli.COLUMNS`): each format writes the ones
meant for it, so a new column is one line in that list. Every string that is written goes
through `escape_text`, so the output is valid UTF-8 whatever the file names are.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TextIO

from reviewer.core.pathtext import escape_text

if TYPE_CHECKING:
    from reviewer.core.batch import PhotoResult

FORMATS = ("table", "csv", "json", "jsonl")


@dataclass(frozen=True, slots=True)
class Column:
    """One output column.

    text: the CSV/table cell ("" for nothing). json: the value in JSON (default: the text, or
    null when it is empty). csv/table: whether those formats show it. In the table, `right`
    aligns it right and `width` reserves that many characters (rows are written before all
    of them are known); `wide` columns (free text such as an error) go last.
    """

    name: str
    text: Callable[[PhotoResult], str] | None = None
    json: Callable[[PhotoResult], object] | None = None
    csv: bool = True
    table: bool = True
    right: bool = False
    width: int = 0
    wide: bool = False

    def cell(self, result: PhotoResult) -> str:
        return escape_text(self.text(result)) if self.text is not None else ""

    def value(self, result: PhotoResult) -> object:
        if self.json is not None:
            return escape_json(self.json(result))
        text = self.cell(result)
        return text if text else None


def escape_json(value: object) -> object:
    """`escape_text` on every string inside a JSON value."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, dict):
        return {escape_text(str(k)): escape_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_json(v) for v in value]
    return value


class RowWriter(Protocol):
    def row(self, result: PhotoResult) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    def __init__(self, columns: Sequence[Column], out: TextIO) -> None:
        self.columns = [c for c in columns if c.csv]
        self.out = out
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow([c.name for c in self.columns])
        out.flush()

    def row(self, result: PhotoResult) -> None:
        self.writer.writerow([c.cell(result) for c in self.columns])
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


class TableWriter:
    """Aligned columns, written as rows come: widths are fixed when the header is written
    (`fit` gives a column the width of its longest expected value, e.g. the paths)."""

    def __init__(
        self, columns: Sequence[Column], out: TextIO, fit: dict[str, Sequence[str]] | None = None
    ) -> None:
        shown = [c for c in columns if c.table]
        self.columns = [c for c in shown if not c.wide] + [c for c in shown if c.wide]
        self.out = out
        fit = fit or {}
        self.widths = {
            c.name: max([len(c.name), c.width] + [len(escape_text(v)) for v in fit.get(c.name, ())])
            for c in self.columns
        }
        self._line({c.name: c.name.replace("_", " ") for c in self.columns})

    def _line(self, cells: dict[str, str]) -> None:
        parts = [
            cells[c.name].rjust(self.widths[c.name])
            if c.right
            else cells[c.name].ljust(self.widths[c.name])
            for c in self.columns
        ]
        self.out.write("  ".join(parts).rstrip() + "\n")
        self.out.flush()

    def row(self, result: PhotoResult) -> None:
        self._line({c.name: c.cell(result) for c in self.columns})

    def close(self) -> None:
        self.out.flush()


class JsonWriter:
    """A JSON array (`lines=False`), valid once closed, or JSON Lines: one object a line."""

    def __init__(self, columns: Sequence[Column], out: TextIO, lines: bool = False) -> None:
        self.columns = list(columns)
        self.out = out
        self.lines = lines
        self.count = 0
        if not lines:
            out.write("[")
            out.flush()

    def record(self, result: PhotoResult) -> dict[str, object]:
        return {c.name: c.value(result) for c in self.columns}

    def row(self, result: PhotoResult) -> None:
        if self.lines:
            self.out.write(json.dumps(self.record(result), ensure_ascii=False) + "\n")
        else:
            text = json.dumps(self.record(result), ensure_ascii=False, indent=2)
            sep = "\n  " if self.count == 0 else ",\n  "
            self.out.write(sep + text.replace("\n", "\n  "))
        self.count += 1
        self.out.flush()

    def close(self) -> None:
        if not self.lines:
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()


def make_writer(
    fmt: str, columns: Sequence[Column], out: TextIO, paths: Sequence[str] = ()
) -> RowWriter:
    """The writer for `fmt` (one of FORMATS); it writes the header (if any) right away.
    `paths`: the paths to come, so the table's path column fits them."""
    if fmt == "csv":
        return CsvWriter(columns, out)
    if fmt == "table":
        return TableWriter(columns, out, {"path": paths})
    if fmt in ("json", "jsonl"):
        return JsonWriter(columns, out, lines=fmt == "jsonl")
    raise ValueError(f"unknown format {fmt!r}")
