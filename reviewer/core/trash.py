"""Move rejected shots out of the way, and back again. Nothing here ever deletes a photo.

Two destinations:

* the OS trash. On Linux (and other freedesktop systems) this is the freedesktop.org Trash
  specification 1.0: `$XDG_DATA_HOME/Trash` for files on the home filesystem, else the volume's
  `$topdir/.Trash/$uid` (when an administrator made a sticky `.Trash`) or `$topdir/.Trash-$uid`.
  The `info/NAME.trashinfo` file is created first, exclusively (O_EXCL), which reserves NAME;
  then the photo is renamed into `files/NAME`. A file manager can restore it from there too.
* a rejects folder (`_rejected` by default) inside each shot's own folder.

Only same-filesystem renames are used, never copy + delete; a rename never replaces an existing
file (renameat2 RENAME_NOREPLACE where the kernel offers it). On a name clash the whole shot is
renamed with one suffix (`IMG_1_2.JPG`, `IMG_1_2.CR2`, `IMG_1_2.CR2.xmp`) so its files still
pair up. The files of one shot move together: when one cannot move, the ones already moved are
put back and every file of that shot is reported.

Each move is written to a journal (JSON lines, fsync'ed) before it happens and after it
succeeds, so `restore()` can put files back at their exact original paths and a crash between
the two leaves a trace that `MoveJournal.reconcile()` resolves.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import stat
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, cast
from urllib.parse import quote

Destination = Literal["trash", "folder"]
MAX_CLASH_SUFFIX = 9999


class ShotFiles(Protocol):
    """What a move needs to know of a shot (catalog.Shot has it)."""

    @property
    def stem(self) -> str: ...

    @property
    def files(self) -> tuple[Path, ...]: ...


@dataclass(frozen=True, slots=True)
class FileGroup:
    """A plain ShotFiles: a stem and the files that move with it."""

    stem: str
    files: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class Move:
    src: Path  # where the file was
    dst: Path  # where it is now
    trashinfo: Path | None = None  # the .trashinfo written for it (trash moves only)


@dataclass(frozen=True, slots=True)
class Failure:
    path: Path
    reason: str


@dataclass(slots=True)
class MoveBatch:
    """What one "move rejected" did: the moves to undo, and the files that stayed put."""

    destination: Destination
    batch_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    moves: list[Move] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def moved_bytes(self) -> int:
        total = 0
        for m in self.moves:
            with contextlib.suppress(OSError):
                total += m.dst.stat().st_size
        return total


@dataclass(slots=True)
class RestoreReport:
    restored: list[Move] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


class TrashUnavailable(OSError):
    """There is no usable trash for a file (e.g. a read-only volume)."""


# ---------------------------------------------------------------- renaming without replacing

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_renameat2_lock = threading.Lock()
_renameat2: Callable[..., int] | None = None
_renameat2_tried = False


def _get_renameat2() -> Callable[..., int] | None:
    global _renameat2, _renameat2_tried
    with _renameat2_lock:
        if not _renameat2_tried:
            _renameat2_tried = True
            if sys.platform.startswith("linux"):
                try:
                    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
                    fn = libc.renameat2
                    fn.argtypes = [
                        ctypes.c_int,
                        ctypes.c_char_p,
                        ctypes.c_int,
                        ctypes.c_char_p,
                        ctypes.c_uint,
                    ]
                    fn.restype = ctypes.c_int
                    _renameat2 = cast(Callable[..., int], fn)
                except (OSError, AttributeError):
                    _renameat2 = None
        return _renameat2


def rename_no_replace(src: Path, dst: Path) -> None:
    """Rename src to dst on the same filesystem; FileExistsError if dst exists.

    Atomic on Linux filesystems that support RENAME_NOREPLACE; elsewhere a check then rename.
    """
    fn = _get_renameat2()
    if fn is not None:
        rc = fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE)
        if rc == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), str(src), None, str(dst))
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)


def describe_error(exc: BaseException) -> str:
    """A short reason for a person, from an OS error."""
    if isinstance(exc, TrashUnavailable):
        return str(exc.strerror or exc)
    if isinstance(exc, FileNotFoundError):
        return "the file no longer exists (it was moved or deleted by something else)"
    if isinstance(exc, PermissionError):
        return "permission denied (is the folder read-only?)"
    if isinstance(exc, OSError) and exc.errno == errno.EXDEV:
        return "on another filesystem than its destination (Reviewer never copies + deletes)"
    if isinstance(exc, OSError) and exc.errno == errno.EROFS:
        return "the filesystem is read-only"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


# ---------------------------------------------------------------- the journal


def default_journal_path() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "reviewer" / "moves.jsonl"


class MoveJournal:
    """An append-only, fsync'ed log of every move: intent before, outcome after."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_journal_path()
        self._lock = threading.Lock()

    def _append(self, record: dict[str, object]) -> None:
        record["time"] = time.time()
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def intent(self, batch: str, move: Move) -> None:
        self._append(
            {
                "batch": batch,
                "event": "intent",
                "src": str(move.src),
                "dst": str(move.dst),
                "info": str(move.trashinfo) if move.trashinfo else None,
            }
        )

    def done(self, batch: str, move: Move) -> None:
        self._append({"batch": batch, "event": "moved", "src": str(move.src), "dst": str(move.dst)})

    def failed(self, batch: str, move: Move, reason: str) -> None:
        self._append(
            {
                "batch": batch,
                "event": "failed",
                "src": str(move.src),
                "dst": str(move.dst),
                "reason": reason,
            }
        )

    def restored(self, batch: str, move: Move) -> None:
        self._append(
            {"batch": batch, "event": "restored", "src": str(move.src), "dst": str(move.dst)}
        )

    def records(self) -> list[dict[str, object]]:
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return []
        out: list[dict[str, object]] = []
        for line in text.splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line after a crash
            if isinstance(rec, dict):
                out.append(rec)
        return out

    def batches(self) -> list[MoveBatch]:
        """Moves still in effect (moved, not restored), grouped by batch, oldest first."""
        state: dict[tuple[str, str, str], dict[str, object]] = {}
        order: list[str] = []
        for rec in self.records():
            batch, src, dst = str(rec.get("batch")), str(rec.get("src")), str(rec.get("dst"))
            key = (batch, src, dst)
            if rec.get("event") == "intent":
                state[key] = dict(rec)
                if batch not in order:
                    order.append(batch)
            elif key in state:
                state[key]["event"] = rec.get("event")
        out: dict[str, MoveBatch] = {}
        for (batch, src, dst), rec in state.items():
            if rec["event"] != "moved":
                continue
            info = rec.get("info")
            dest: Destination = "trash" if info else "folder"
            b = out.setdefault(batch, MoveBatch(dest, batch_id=batch))
            b.moves.append(Move(Path(src), Path(dst), Path(str(info)) if info else None))
        return [out[b] for b in order if b in out]

    def reconcile(self) -> list[Move]:
        """Settle moves interrupted by a crash (intent with no outcome). Returns the ones found.

        If the file reached its destination, the move is recorded as done; otherwise as failed,
        and an orphan .trashinfo written for it is removed (it describes no file).
        """
        pending: dict[tuple[str, str, str], dict[str, object]] = {}
        for rec in self.records():
            key = (str(rec.get("batch")), str(rec.get("src")), str(rec.get("dst")))
            if rec.get("event") == "intent":
                pending[key] = rec
            else:
                pending.pop(key, None)
        settled: list[Move] = []
        for (batch, src, dst), rec in pending.items():
            info = rec.get("info")
            move = Move(Path(src), Path(dst), Path(str(info)) if info else None)
            if os.path.lexists(dst) and not os.path.lexists(src):
                self.done(batch, move)
            else:
                if move.trashinfo is not None and not os.path.lexists(dst):
                    _remove_quietly(move.trashinfo)
                self.failed(batch, move, "interrupted before the move")
            settled.append(move)
        return settled


def _remove_quietly(path: Path) -> None:
    """Remove one of *our* bookkeeping files (.trashinfo). Never used on a photo."""
    with contextlib.suppress(OSError):
        path.unlink()


# ---------------------------------------------------------------- freedesktop trash


def home_trash_dir() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "Trash"


def _device(path: Path) -> int:
    """st_dev of path, or of its nearest existing ancestor."""
    p = path
    while True:
        try:
            return os.lstat(p).st_dev
        except FileNotFoundError:
            if p.parent == p:
                raise
            p = p.parent


def mount_point(path: Path) -> Path:
    """The top directory of the filesystem holding `path`."""
    p = path.resolve().parent if not path.is_dir() else path.resolve()
    dev = os.lstat(p).st_dev
    while p.parent != p and os.lstat(p.parent).st_dev == dev:
        p = p.parent
    return p


def _ensure_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise TrashUnavailable(errno.ENOTDIR, f"{path} is not a directory")


def volume_trash_dir(topdir: Path) -> Path:
    """The trash directory for files on the volume mounted at `topdir` (spec, section 'Trash
    directories'), created if needed. Raises TrashUnavailable when none can be used."""
    uid = os.getuid()
    admin = topdir / ".Trash"
    try:
        st = os.lstat(admin)
        usable = (
            stat.S_ISDIR(st.st_mode)
            and not stat.S_ISLNK(st.st_mode)
            and bool(st.st_mode & stat.S_ISVTX)
        )
    except OSError:
        usable = False
    if usable:
        candidate = admin / str(uid)
        try:
            _ensure_private_dir(candidate)
            _ensure_private_dir(candidate / "files")
            _ensure_private_dir(candidate / "info")
            return candidate
        except OSError:
            pass  # fall through to $topdir/.Trash-$uid, as the spec says
    candidate = topdir / f".Trash-{uid}"
    try:
        _ensure_private_dir(candidate)
        st = os.lstat(candidate)
        if st.st_uid != uid:
            raise TrashUnavailable(errno.EPERM, f"{candidate} belongs to another user")
        _ensure_private_dir(candidate / "files")
        _ensure_private_dir(candidate / "info")
    except TrashUnavailable:
        raise
    except OSError as exc:
        raise TrashUnavailable(
            exc.errno or errno.EACCES, f"no trash on that filesystem ({topdir} is not writable)"
        ) from exc
    return candidate


def trash_dir_for(path: Path, home_trash: Path | None = None) -> tuple[Path, Path | None]:
    """(trash directory, topdir) for `path`; topdir is None for the home trash."""
    home = home_trash or home_trash_dir()
    if _device(path.parent) == _device(home):
        try:
            for sub in (home, home / "files", home / "info"):
                _ensure_private_dir(sub)
        except OSError as exc:
            raise TrashUnavailable(
                exc.errno or errno.EACCES, f"cannot create the trash at {home}"
            ) from exc
        return home, None
    topdir = mount_point(path)
    return volume_trash_dir(topdir), topdir


def _trashinfo_text(original: Path, topdir: Path | None) -> bytes:
    if topdir is not None:
        try:
            shown = str(original.relative_to(topdir))
        except ValueError:
            shown = str(original)
    else:
        shown = str(original)
    stamp = datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    return f"[Trash Info]\nPath={quote(shown, safe='/')}\nDeletionDate={stamp}\n".encode()


def _write_exclusive(path: Path, data: bytes) -> None:
    """Create path with data; FileExistsError if it exists. fsync'ed before returning."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- moving shots


def _renamed(name: str, stem: str, n: int) -> str:
    """name with the shot's stem suffixed by _n (n == 0: unchanged)."""
    if n == 0:
        return name
    if stem and name.casefold().startswith(stem.casefold()):
        return f"{name[: len(stem)]}_{n}{name[len(stem) :]}"
    root, ext = os.path.splitext(name)
    return f"{root}_{n}{ext}"


class _Mover:
    def __init__(self, batch: MoveBatch, journal: MoveJournal | None) -> None:
        self.batch = batch
        self.journal = journal

    def move_group(self, group: ShotFiles, plan: _Planner) -> None:
        present: list[Path] = []
        for path in group.files:
            if os.path.lexists(path):
                present.append(path)
            else:
                self.batch.failures.append(Failure(path, describe_error(FileNotFoundError())))
        if not present:
            return
        try:
            planned = plan(group.stem, present)
        except OSError as exc:
            reason = describe_error(exc)
            self.batch.failures.extend(Failure(p, reason) for p in present)
            return
        done: list[Move] = []
        for move in planned:
            if self.journal is not None:
                self.journal.intent(self.batch.batch_id, move)
            try:
                rename_no_replace(move.src, move.dst)
            except OSError as exc:
                reason = describe_error(exc)
                if self.journal is not None:
                    self.journal.failed(self.batch.batch_id, move, reason)
                self._roll_back(done, planned, move, reason)
                return
            if self.journal is not None:
                self.journal.done(self.batch.batch_id, move)
            done.append(move)
        self.batch.moves.extend(done)

    def _roll_back(self, done: list[Move], planned: list[Move], culprit: Move, reason: str) -> None:
        """Put the shot's already-moved files back, so the shot stays together."""
        self.batch.failures.append(Failure(culprit.src, reason))
        for move in reversed(done):
            try:
                rename_no_replace(move.dst, move.src)
            except OSError as exc:  # extremely unlikely; keep it undoable
                self.batch.moves.append(move)
                self.batch.failures.append(
                    Failure(
                        move.src,
                        f"moved to {move.dst} but could not be put back: {describe_error(exc)}",
                    )
                )
                continue
            if self.journal is not None:
                self.journal.restored(self.batch.batch_id, move)
            if move.trashinfo is not None:
                _remove_quietly(move.trashinfo)
            self.batch.failures.append(
                Failure(move.src, f"not moved: {culprit.src.name} of the same shot could not be")
            )
        for move in planned[len(done) + 1 :]:
            if move.trashinfo is not None:
                _remove_quietly(move.trashinfo)
            self.batch.failures.append(
                Failure(move.src, f"not moved: {culprit.src.name} of the same shot could not be")
            )
        if culprit.trashinfo is not None:
            _remove_quietly(culprit.trashinfo)


class _Planner(Protocol):
    def __call__(self, stem: str, files: list[Path]) -> list[Move]: ...


class _TrashPlanner:
    """Reserves trash names for a shot by writing its .trashinfo files exclusively."""

    def __init__(self, home_trash: Path | None) -> None:
        self.home_trash = home_trash

    def __call__(self, stem: str, files: list[Path]) -> list[Move]:
        targets: list[tuple[Path, Path, Path | None]] = []
        for path in files:
            trash, topdir = trash_dir_for(path, self.home_trash)
            targets.append((path, trash, topdir))
        for n in range(MAX_CLASH_SUFFIX + 1):
            reserved: list[Move] = []
            clash = False
            for path, trash, topdir in targets:
                name = _renamed(path.name, stem, n)
                info = trash / "info" / f"{name}.trashinfo"
                dst = trash / "files" / name
                if os.path.lexists(dst):
                    clash = True
                    break
                try:
                    _write_exclusive(info, _trashinfo_text(path.absolute(), topdir))
                except FileExistsError:
                    clash = True
                    break
                except OSError as exc:
                    for m in reserved:
                        if m.trashinfo is not None:
                            _remove_quietly(m.trashinfo)
                    raise TrashUnavailable(
                        exc.errno or errno.EACCES,
                        f"cannot write to the trash at {trash}: {describe_error(exc)}",
                    ) from exc
                reserved.append(Move(path, dst, info))
            if not clash:
                return reserved
            for m in reserved:
                if m.trashinfo is not None:
                    _remove_quietly(m.trashinfo)
        raise FileExistsError(errno.EEXIST, "too many files with this name in the trash")


class _FolderPlanner:
    """Picks free names for a shot in `<its folder>/<folder_name>`."""

    def __init__(self, folder_name: str) -> None:
        if not folder_name or "/" in folder_name or folder_name in (".", ".."):
            raise ValueError(f"not a folder name: {folder_name!r}")
        self.folder_name = folder_name

    def __call__(self, stem: str, files: list[Path]) -> list[Move]:
        dests = []
        for path in files:
            dest_dir = path.parent / self.folder_name
            dest_dir.mkdir(exist_ok=True)
            dests.append((path, dest_dir))
        for n in range(MAX_CLASH_SUFFIX + 1):
            moves = [Move(p, d / _renamed(p.name, stem, n)) for p, d in dests]
            if not any(os.path.lexists(m.dst) for m in moves):
                return moves
        raise FileExistsError(errno.EEXIST, "too many files with this name in the folder")


def move_to_trash(
    shots: Iterable[ShotFiles],
    journal: MoveJournal | None = None,
    *,
    home_trash: Path | None = None,
) -> MoveBatch:
    """Move every file of each shot to the trash. Never raises for a file: see batch.failures."""
    return _move_shots(shots, MoveBatch("trash"), _TrashPlanner(home_trash), journal)


def move_to_folder(
    shots: Iterable[ShotFiles],
    folder_name: str = "_rejected",
    journal: MoveJournal | None = None,
) -> MoveBatch:
    """Move every file of each shot into `folder_name` beside it (created when needed)."""
    return _move_shots(shots, MoveBatch("folder"), _FolderPlanner(folder_name), journal)


def _move_shots(
    shots: Iterable[ShotFiles],
    batch: MoveBatch,
    planner: _Planner,
    journal: MoveJournal | None,
) -> MoveBatch:
    mover = _Mover(batch, journal)
    for shot in shots:
        mover.move_group(shot, planner)
    return batch


def restore(moves: MoveBatch | Sequence[Move], journal: MoveJournal | None = None) -> RestoreReport:
    """Put moved files back at their original paths, never over a file that is now there."""
    if isinstance(moves, MoveBatch):
        batch_id, items = moves.batch_id, list(moves.moves)
    else:
        batch_id, items = uuid.uuid4().hex, list(moves)
    report = RestoreReport()
    emptied: set[Path] = set()
    for move in reversed(items):
        try:
            move.src.parent.mkdir(parents=True, exist_ok=True)
            rename_no_replace(move.dst, move.src)
        except FileExistsError:
            report.failures.append(
                Failure(move.src, f"another file now has this name; the photo stays at {move.dst}")
            )
            continue
        except OSError as exc:
            report.failures.append(Failure(move.src, describe_error(exc)))
            continue
        if journal is not None:
            journal.restored(batch_id, move)
        if move.trashinfo is not None:
            _remove_quietly(move.trashinfo)
        else:
            emptied.add(move.dst.parent)
        report.restored.append(move)
    for folder in emptied:  # a rejects folder we emptied goes away (rmdir: empty dirs only)
        with contextlib.suppress(OSError):
            folder.rmdir()
    return report
