"""The move journal: an append-only log of every move, one verified record a line.

Each line is ``<JSON>\\t<crc32 of the JSON, 8 hex digits>\\n``. JSON is written with
``ensure_ascii`` so a file name that is not valid UTF-8 (held by Python as lone surrogates) is
stored as ``\\udcXX`` escapes and read back to the same name. A record is trusted only when its
line is complete and its checksum matches: a torn tail (a crash or a full disk during the write)
is ignored, and the move it describes is settled from the filesystem by `moves.reconcile`.

A failed append truncates the file back to where it was, so it leaves no torn tail behind it;
and an append after a torn tail starts on a fresh line, so a torn record never swallows the next.

Records (``e`` is the event):

* ``plan``: a shot is about to move: batch ``b``, shot index ``s``, destination ``d`` and its
  moves ``m`` (``[src, dst, trashinfo or null, copy]``). Written (and fsync'ed) before any file
  of the shot moves and before any ``.trashinfo`` is created. A later plan for the same
  (batch, shot) replaces an earlier one (a name clash made the mover pick other names).
* ``moved``: every file of the shot moved (``only``: the indices that stayed moved when a roll
  back could not put some back).
* ``rolled-back``: no file of the shot is moved (it failed, or a restart put it back).
* ``restored``: one moved file (``src``, ``dst``) was put back by an undo.

The older format (plain JSON lines with ``event`` intent/moved/failed/restored, one file each)
is still read.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reviewer.core.cull import faults

Destination = Literal["trash", "folder"]
ShotState = Literal["planned", "moved", "rolled-back"]


@dataclass(frozen=True, slots=True)
class Move:
    src: Path  # where the file was
    dst: Path  # where it is now
    trashinfo: Path | None = None  # the .trashinfo written for it (trash moves only)
    copy: bool = False  # across filesystems: copied, verified, then the source removed
    group: str = ""  # the shot it belongs to in its batch: an undo puts a shot back whole


@dataclass(frozen=True, slots=True)
class Failure:
    path: Path
    reason: str
    kind: str = ""  # "no-trash": no trash can exist there (offer the rejects folder)


@dataclass(slots=True)
class MoveBatch:
    """What one "move rejected" did: the moves to undo, and the files that stayed put."""

    destination: Destination
    batch_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    moves: list[Move] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    time: float = 0.0

    @property
    def moved_bytes(self) -> int:
        total = 0
        for m in self.moves:
            with contextlib.suppress(OSError):
                total += m.dst.stat().st_size
        return total

    @property
    def failed_paths(self) -> list[Path]:
        return [f.path for f in self.failures]


@dataclass(slots=True)
class ShotRecord:
    """What the journal says of one shot of one batch."""

    batch: str
    shot: str
    destination: Destination
    moves: list[Move]
    state: ShotState = "planned"
    only: list[int] | None = None  # with state "moved": the moves still in effect
    time: float = 0.0
    idents: list[tuple[int, int] | None] = field(default_factory=list)  # (size, mtime_ns)

    def ident(self, move: Move) -> tuple[int, int] | None:
        i = self.moves.index(move)
        return self.idents[i] if i < len(self.idents) else None

    def claimed(self) -> list[Move]:
        """The moves the journal says are in effect (before undo records are applied)."""
        if self.state == "rolled-back":
            return []
        if self.state == "moved" and self.only is not None:
            return [self.moves[i] for i in self.only if 0 <= i < len(self.moves)]
        return list(self.moves)


def in_effect(sr: ShotRecord, m: Move) -> bool:
    """Whether the file of this move is (still) at its destination and not back at its source:
    the filesystem has the last word over the records (a full disk may have eaten some)."""
    if os.path.lexists(m.src):
        return False
    now = file_ident(m.dst)
    if now is None:
        return False
    want = sr.ident(m)
    return want is None or want == now


COMPACT_ABOVE = 4 << 20  # bytes: a start-up rewrites a longer journal to what is still moved


class JournalError(OSError):
    """The journal could not be written (e.g. its disk is full). Nothing is half-written."""


def default_journal_path() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "reviewer" / "moves.jsonl"


def encode_record(record: dict[str, object]) -> bytes:
    payload = json.dumps(record, ensure_ascii=True, separators=(",", ":"))
    crc = zlib.crc32(payload.encode("ascii")) & 0xFFFFFFFF
    return f"{payload}\t{crc:08x}\n".encode("ascii")


def decode_line(line: bytes) -> dict[str, object] | None:
    """The record on one complete line, or None when it is torn or corrupt."""
    payload, tab, crc = line.rpartition(b"\t")
    if tab:
        try:
            ok = int(crc, 16) == zlib.crc32(payload) & 0xFFFFFFFF and len(crc) == 8
        except ValueError:
            ok = False
        if not ok:
            return None
    else:
        payload = line  # the older format: plain JSON lines
    try:
        rec = json.loads(payload.decode("ascii" if tab else "utf-8", "surrogateescape"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(rec, dict):
        return None
    if not tab and "event" not in rec:
        return None
    return rec


def file_ident(path: Path) -> tuple[int, int] | None:
    """(size, mtime in ns) of a file (not following a symlink); None when it does not exist.

    A rename and Reviewer's verified copy both keep them, so a journal record only claims a file
    at its destination when it is still the file that was moved there."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return (st.st_size, 0)  # a link's own time is not kept by a copy
    return (st.st_size, st.st_mtime_ns)


def _path(value: object) -> Path:
    return Path(str(value))


def _idents(value: object) -> list[tuple[int, int] | None]:
    out: list[tuple[int, int] | None] = []
    if isinstance(value, list):
        for item in value:
            ok = isinstance(item, list) and len(item) == 2
            out.append((int(item[0]), int(item[1])) if ok else None)
    return out


def _moves(value: object, group: str) -> list[Move]:
    out: list[Move] = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, list) and len(item) == 4:
                src, dst, info, copy = item
                info_path = _path(info) if info else None
                out.append(Move(_path(src), _path(dst), info_path, bool(copy), group))
    return out


class MoveJournal:
    """An append-only, fsync'ed, checksummed log of every move."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_journal_path()
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- writing
    def append(self, record: dict[str, object]) -> None:
        """Append one record durably, or raise JournalError leaving the file as it was."""
        record.setdefault("t", round(time.time(), 3))
        data = encode_record(record)
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise JournalError(
                    exc.errno, f"cannot open the move journal: {exc.strerror}"
                ) from exc
            try:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_EX)  # another Reviewer appending at once
                end = os.lseek(fd, 0, os.SEEK_END)
                if end > 0 and os.pread(fd, 1, end - 1) != b"\n":
                    data = b"\n" + data  # after a torn tail: start a fresh line
                try:
                    view = memoryview(data)
                    pos = end
                    while view:
                        faults.check("journal-write", self.path)
                        n = os.pwrite(fd, view, pos)
                        view, pos = view[n:], pos + n
                    faults.check("journal-fsync", self.path)
                    os.fsync(fd)
                except OSError as exc:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, end)  # leave no torn record behind
                    why = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror
                    raise JournalError(
                        exc.errno, f"the move journal could not be written ({why or exc})"
                    ) from exc
            finally:
                os.close(fd)

    def plan(
        self,
        batch: MoveBatch,
        shot: str,
        moves: list[Move],
        idents: list[tuple[int, int] | None] | None = None,
    ) -> None:
        self.append(
            {
                "e": "plan",
                "b": batch.batch_id,
                "s": shot,
                "d": batch.destination,
                "m": [
                    [str(m.src), str(m.dst), str(m.trashinfo) if m.trashinfo else None, m.copy]
                    for m in moves
                ],
                "id": [list(i) if i else None for i in (idents or [])],
            }
        )

    def undo_started(self, undo: str, batch_id: str, moves: list[Move]) -> None:
        """An undo of these moves begins (a restart finishes it if the process dies)."""
        self.append(
            {"e": "undo", "u": undo, "b": batch_id, "m": [[str(m.src), str(m.dst)] for m in moves]}
        )

    def undo_finished(self, undo: str) -> None:
        self.append({"e": "undone", "u": undo})

    def shot_moved(self, batch_id: str, shot: str, only: list[int] | None = None) -> None:
        rec: dict[str, object] = {"e": "moved", "b": batch_id, "s": shot}
        if only is not None:
            rec["only"] = only
        self.append(rec)

    def shot_rolled_back(self, batch_id: str, shot: str) -> None:
        self.append({"e": "rolled-back", "b": batch_id, "s": shot})

    def restored(self, batch_id: str, move: Move) -> None:
        self.append({"e": "restored", "b": batch_id, "src": str(move.src), "dst": str(move.dst)})

    # ---------------------------------------------------------------- reading
    def records(self) -> list[dict[str, object]]:
        """Every verified record, oldest first. Torn or corrupt lines are skipped."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError:
            return []
        lines = data.split(b"\n")
        lines.pop()  # the text after the last newline: empty, or a torn tail
        out: list[dict[str, object]] = []
        for line in lines:
            rec = decode_line(line)
            if rec is not None:
                out.append(rec)
        return out

    def shots(self) -> tuple[list[ShotRecord], set[tuple[str, str, str]]]:
        """Every shot the journal knows, in order, and the (batch, src, dst) put back by undo."""
        by_key: dict[tuple[str, str], ShotRecord] = {}
        restored: set[tuple[str, str, str]] = set()
        for rec in self.records():
            e = rec.get("e")
            b = str(rec.get("b", ""))
            if e == "plan":
                key = (b, str(rec.get("s")))
                dest: Destination = "trash" if rec.get("d") == "trash" else "folder"
                t_raw = rec.get("t")
                t = float(t_raw) if isinstance(t_raw, int | float) else 0.0
                by_key.pop(key, None)  # a newer plan for the same shot replaces the older
                by_key[key] = ShotRecord(
                    b,
                    key[1],
                    dest,
                    _moves(rec.get("m"), key[1]),
                    time=t,
                    idents=_idents(rec.get("id")),
                )
            elif e in ("moved", "rolled-back"):
                sr = by_key.get((b, str(rec.get("s"))))
                if sr is not None:
                    sr.state = "moved" if e == "moved" else "rolled-back"
                    only = rec.get("only")
                    sr.only = [int(i) for i in only] if isinstance(only, list) else None
            elif e == "restored":
                restored.add((b, str(rec.get("src")), str(rec.get("dst"))))
            elif "event" in rec:  # the older one-file-a-record format
                self._legacy(rec, by_key, restored)
        return list(by_key.values()), restored

    @staticmethod
    def _legacy(
        rec: dict[str, object],
        by_key: dict[tuple[str, str], ShotRecord],
        restored: set[tuple[str, str, str]],
    ) -> None:
        b, src, dst = str(rec.get("batch")), str(rec.get("src")), str(rec.get("dst"))
        event = rec.get("event")
        key = (b, f"legacy:{src}:{dst}")
        if event == "intent":
            info = rec.get("info")
            move = Move(_path(src), _path(dst), _path(info) if info else None)
            by_key[key] = ShotRecord(b, key[1], "trash" if info else "folder", [move])
        elif event == "moved" and key in by_key:
            by_key[key].state = "moved"
        elif event == "failed" and key in by_key:
            by_key[key].state = "rolled-back"
        elif event == "restored":
            restored.add((b, src, dst))

    def compact(self, min_bytes: int = COMPACT_ABOVE) -> bool:
        """Rewrite the journal keeping only the shots with files still moved, when it is larger
        than min_bytes. Call with no move or undo running (`moves.reconcile` holds the lock).
        The new file is written beside it, fsync'ed and renamed over it: a crash leaves the old
        or the new journal, never a mix. Never touches a photo."""
        try:
            if self.path.stat().st_size <= min_bytes:
                return False
        except OSError:
            return False
        if self.pending_undos():
            return False
        shots, restored = self.shots()
        lines: list[bytes] = []
        for sr in shots:
            if sr.state == "planned":
                return False  # not settled yet: keep everything
            live = [
                i
                for i, m in enumerate(sr.moves)
                if m in sr.claimed()
                and (sr.batch, str(m.src), str(m.dst)) not in restored
                and in_effect(sr, m)
            ]
            if not live:
                continue
            plan: dict[str, object] = {
                "e": "plan",
                "b": sr.batch,
                "s": sr.shot,
                "d": sr.destination,
                "m": [
                    [str(m.src), str(m.dst), str(m.trashinfo) if m.trashinfo else None, m.copy]
                    for m in sr.moves
                ],
                "id": [list(i) if i else None for i in sr.idents],
                "t": sr.time,
            }
            done: dict[str, object] = {"e": "moved", "b": sr.batch, "s": sr.shot, "t": sr.time}
            if len(live) < len(sr.moves):
                done["only"] = live
            lines += [encode_record(plan), encode_record(done)]
        tmp = self.path.with_name(self.path.name + ".compact")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                view = memoryview(b"".join(lines))
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return False
        with contextlib.suppress(OSError):
            dfd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        return True

    def pending_undos(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """Undos that began and never finished: (undo id, batch id, [(src, dst)])."""
        pending: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
        for rec in self.records():
            if rec.get("e") == "undo":
                u = str(rec.get("u"))
                pairs = rec.get("m")
                moves = [
                    (str(p[0]), str(p[1]))
                    for p in (pairs if isinstance(pairs, list) else [])
                    if isinstance(p, list) and len(p) == 2
                ]
                pending[u] = (u, str(rec.get("b")), moves)
            elif rec.get("e") == "undone":
                pending.pop(str(rec.get("u")), None)
        return list(pending.values())

    def batches(self) -> list[MoveBatch]:
        """Moves still in effect (moved, not put back), grouped by batch, oldest first.

        The filesystem has the last word: a move is in effect only while its file is at the
        destination and not back at its source, so a record lost to a crash or a full disk
        never makes undo move the wrong file.
        """
        shots, restored = self.shots()
        out: dict[str, MoveBatch] = {}
        for sr in shots:
            for m in sr.claimed():
                if (sr.batch, str(m.src), str(m.dst)) in restored:
                    continue
                if not in_effect(sr, m):
                    continue
                b = out.get(sr.batch)
                if b is None:
                    b = out[sr.batch] = MoveBatch(sr.destination, batch_id=sr.batch, time=sr.time)
                b.moves.append(m)
        return list(out.values())
