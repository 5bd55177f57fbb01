"""Move rejected shots out of the way, and back again. Nothing here ever deletes a photo.

Two destinations:

* the OS trash. On Linux (and other freedesktop systems) this is the freedesktop.org Trash
  specification 1.0: `$XDG_DATA_HOME/Trash` for files on the home filesystem, else the volume's
  `$topdir/.Trash/$uid` (when an administrator made a sticky `.Trash`) or `$topdir/.Trash-$uid`.
  The `info/NAME.trashinfo` file is created exclusively (O_EXCL), which reserves NAME; then the
  photo is renamed into `files/NAME`. A file manager can restore it from there too. When no
  trash can exist on a file's filesystem the file stays put, with a reason that offers the
  rejects folder instead.
* a rejects folder: a name (`_rejected` by default) made inside each shot's own folder, or an
  absolute path on any drive. Across filesystems a file is copied, fsync'ed, read back and
  compared byte for byte, and only then is the original removed.

A rename never replaces an existing file (renameat2 RENAME_NOREPLACE where the kernel offers it).
On a name clash the whole shot is renamed with one suffix (`IMG_1_2.JPG`, `IMG_1_2.CR2`,
`IMG_1_2.CR2.xmp`) so its files still pair up. A symlink is moved as a link, never its target;
with `root` (the opened folder) nothing outside it is moved.

Each shot moves whole or not at all: when one of its files cannot move, the ones already moved
are put back. Nothing raises for one file: the returned `MoveBatch` lists exactly what moved
and what did not, and why.

The journal (see `journal.py`) records each shot's plan before anything of it changes, so after
a crash `reconcile()` completes or rolls back the shot that was moving, removes the
`.trashinfo` files the crash left without a photo, and the moves stay undoable after a restart
(`recent_batches()`, `undo_batch()`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import stat
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol, cast
from urllib.parse import quote, unquote_to_bytes

from reviewer.core.cull import faults
from reviewer.core.cull.journal import (
    Destination,
    Failure,
    JournalError,
    Move,
    MoveBatch,
    MoveJournal,
    ShotRecord,
    default_journal_path,
    file_ident,
    in_effect,
)

__all__ = [
    "MAX_CLASH_SUFFIX",
    "Destination",
    "Failure",
    "FileGroup",
    "JournalError",
    "Move",
    "MoveBatch",
    "MoveJournal",
    "ReconcileReport",
    "RestoreReport",
    "ShotFiles",
    "TrashUnavailable",
    "default_journal_path",
    "describe_error",
    "display_path",
    "home_trash_dir",
    "mount_point",
    "move_to_folder",
    "move_to_trash",
    "recent_batches",
    "reconcile",
    "rename_no_replace",
    "restore",
    "startup_batches",
    "trash_dir_for",
    "undo_batch",
    "volume_trash_dir",
]

MAX_CLASH_SUFFIX = 9999
RECENT_BATCHES = 20
_CHUNK = 1 << 20


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


@dataclass(slots=True)
class RestoreReport:
    restored: list[Move] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


@dataclass(slots=True)
class ReconcileReport:
    """What a start-up reconcile found and did."""

    completed: list[Move] = field(default_factory=list)  # interrupted shots found fully moved
    rolled_back: list[Move] = field(default_factory=list)  # files of an interrupted shot put back
    orphans_removed: list[Path] = field(default_factory=list)  # .trashinfo / partial copies
    problems: list[Failure] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)  # neither at source nor destination
    skipped: bool = False  # another Reviewer is moving files right now
    compacted: bool = False  # the journal was rewritten to the moves still in effect


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
    faults.check("rename", src, dst)
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
    if isinstance(exc, TrashUnavailable | JournalError):
        return str(exc.strerror or exc)
    if isinstance(exc, FileNotFoundError):
        return "the file no longer exists (it was moved or deleted by something else)"
    if isinstance(exc, FileExistsError):
        return "another file already has this name there"
    if isinstance(exc, PermissionError):
        return "permission denied (is the folder read-only?)"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "the disk is full"
    if isinstance(exc, OSError) and exc.errno == errno.EROFS:
        return "the filesystem is read-only"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return f"{type(exc).__name__}: {exc}"


def display_path(path: Path | str) -> str:
    """A path as text any UI can show (bytes that are not UTF-8 become \\xNN escapes)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _remove_quietly(path: Path) -> bool:
    """Remove one of *our* bookkeeping files (.trashinfo, partial copy). Never a photo."""
    try:
        faults.check("unlink", path)
        os.unlink(path)
    except OSError:
        return False
    return True


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------- moving one file


def _partial(dst: Path) -> Path:
    """Where a copy across filesystems is written before it gets its real name."""
    return dst.with_name(f".{dst.name}.reviewer-partial")


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        sa, sb = os.lstat(a), os.lstat(b)
        if stat.S_ISLNK(sa.st_mode) or stat.S_ISLNK(sb.st_mode):
            return (
                stat.S_ISLNK(sa.st_mode)
                and stat.S_ISLNK(sb.st_mode)
                and os.readlink(a) == os.readlink(b)
            )
        if sa.st_size != sb.st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                ca, cb = fa.read(_CHUNK), fb.read(_CHUNK)
                if ca != cb:
                    return False
                if not ca:
                    return True
    except OSError:
        return False


def _copy_verified(src: Path, tmp: Path) -> None:
    """Copy src to the new file tmp (a symlink as a link), fsync it and compare the bytes."""
    st = os.lstat(src)
    if stat.S_ISLNK(st.st_mode):
        faults.check("copy-write", tmp)
        os.symlink(os.readlink(src), tmp)
    elif stat.S_ISREG(st.st_mode):
        fd_out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with open(src, "rb") as fin:
                while chunk := fin.read(_CHUNK):
                    view = memoryview(chunk)
                    while view:
                        faults.check("copy-write", tmp)
                        view = view[os.write(fd_out, view) :]
            faults.check("copy-fsync", tmp)
            os.fsync(fd_out)
            with contextlib.suppress(OSError, AttributeError):  # read back from the disk
                os.posix_fadvise(fd_out, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd_out)
        with contextlib.suppress(OSError):
            os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
    else:
        raise OSError(errno.EINVAL, "not a regular file; only files are copied across drives")
    faults.check("copy-verify", tmp)
    if not _same_bytes(src, tmp):
        raise OSError(errno.EIO, "the copy read back differs from the original")


def _copy_move(src: Path, dst: Path) -> None:
    """Move across filesystems: copy to a partial file, verify, name it dst, remove src."""
    tmp = _partial(dst)
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    if os.path.lexists(tmp):
        raise FileExistsError(errno.EEXIST, "a partial copy from an earlier move is in the way")
    try:
        _copy_verified(src, tmp)
        rename_no_replace(tmp, dst)
    except BaseException as exc:
        if not isinstance(exc, Exception):
            raise  # a simulated kill leaves everything as it is
        _remove_quietly(tmp)
        raise
    _fsync_dir(dst.parent)
    try:
        faults.check("unlink-source", src)
        os.unlink(src)
    except OSError:
        _remove_quietly(dst)  # our verified copy; the original stays where it was
        raise
    _fsync_dir(src.parent)


def _transfer(src: Path, dst: Path) -> None:
    """Move one file without ever replacing one: a rename, or a verified copy across drives."""
    try:
        rename_no_replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _copy_move(src, dst)


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


def _no_trash(topdir: Path, why: str) -> TrashUnavailable:
    return TrashUnavailable(
        errno.EACCES,
        f"no trash can exist on this drive ({display_path(topdir)}: {why}); "
        "move it to a rejects folder instead. Nothing was deleted.",
    )


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
            raise _no_trash(topdir, f"{candidate.name} belongs to another user")
        _ensure_private_dir(candidate / "files")
        _ensure_private_dir(candidate / "info")
    except TrashUnavailable as exc:
        if "no trash can exist" in str(exc.strerror):
            raise
        raise _no_trash(topdir, str(exc.strerror)) from exc
    except OSError as exc:
        raise _no_trash(topdir, describe_error(exc)) from exc
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
                exc.errno or errno.EACCES,
                f"cannot create the trash at {display_path(home)} ({describe_error(exc)}); "
                "move it to a rejects folder instead. Nothing was deleted.",
            ) from exc
        return home, None
    topdir = mount_point(path)
    return volume_trash_dir(topdir), topdir


def _trashinfo_text(original: Path, topdir: Path | None) -> bytes:
    shown = os.fsencode(original)
    if topdir is not None:
        with contextlib.suppress(ValueError):
            shown = os.fsencode(original.relative_to(topdir))
    stamp = datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    return f"[Trash Info]\nPath={quote(shown, safe='/')}\nDeletionDate={stamp}\n".encode()


def _is_our_trashinfo(info: Path, src: Path) -> bool:
    """Whether info is the .trashinfo we wrote for src (not somebody else's)."""
    try:
        with open(info, "rb") as f:
            text = f.read(1 << 16)
    except OSError:
        return False
    if not text:
        return True  # created but never written (killed, or the disk was full)
    for line in text.splitlines():
        if line.startswith(b"Path="):
            shown = unquote_to_bytes(line[5:].strip().decode("ascii", "replace"))
            full = os.fsencode(src.absolute())
            return shown == full or full.endswith(b"/" + shown.lstrip(b"/"))
    return False


def _write_exclusive(path: Path, data: bytes) -> None:
    """Create path with data; FileExistsError if it exists. fsync'ed before returning.

    On any failure after the file was created (a full disk), the file is removed again, so no
    empty or partial .trashinfo is left behind.
    """
    faults.check("info-create", path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            faults.check("info-write", path)
            view = view[os.write(fd, view) :]
        faults.check("info-fsync", path)
        os.fsync(fd)
    except BaseException as exc:
        os.close(fd)
        if isinstance(exc, Exception):
            _remove_quietly(path)
        raise
    os.close(fd)


# ---------------------------------------------------------------- planning names


def _renamed(name: str, stem: str, n: int) -> str:
    """name with the shot's stem suffixed by _n (n == 0: unchanged)."""
    if n == 0:
        return name
    if stem and name.casefold().startswith(stem.casefold()):
        return f"{name[: len(stem)]}_{n}{name[len(stem) :]}"
    root, ext = os.path.splitext(name)
    return f"{root}_{n}{ext}"


class _Planner(Protocol):
    destination: Destination

    def prepare(self, files: list[Path]) -> None: ...

    def names(self, stem: str, files: list[Path], n: int) -> list[Move]: ...

    def info_text(self, move: Move) -> bytes: ...


class _TrashPlanner:
    """Trash names for a shot; the mover reserves them by writing the .trashinfo files."""

    destination: Destination = "trash"

    def __init__(self, home_trash: Path | None) -> None:
        self.home_trash = home_trash
        self._where: dict[Path, tuple[Path, Path | None]] = {}

    def prepare(self, files: list[Path]) -> None:
        for path in files:
            self._where[path] = trash_dir_for(path, self.home_trash)

    def names(self, stem: str, files: list[Path], n: int) -> list[Move]:
        out = []
        for path in files:
            trash = self._where[path][0]
            name = _renamed(path.name, stem, n)
            out.append(Move(path, trash / "files" / name, trash / "info" / f"{name}.trashinfo"))
        return out

    def info_text(self, move: Move) -> bytes:
        return _trashinfo_text(move.src.absolute(), self._where[move.src][1])


class _FolderPlanner:
    """Names for a shot in `<its folder>/<folder_name>`, or in one absolute folder."""

    destination: Destination = "folder"

    def __init__(self, folder_name: str | Path) -> None:
        text = str(folder_name)
        self.absolute = Path(text) if os.path.isabs(text) else None
        if self.absolute is None and (not text or "/" in text or text in (".", "..")):
            raise ValueError(f"not a folder name: {folder_name!r}")
        self.folder_name = text
        self._dirs: dict[Path, tuple[Path, bool]] = {}

    def _dir_for(self, path: Path) -> Path:
        return self.absolute if self.absolute is not None else path.parent / self.folder_name

    def prepare(self, files: list[Path]) -> None:
        for path in files:
            d = self._dir_for(path)
            if self.absolute is not None:
                d.mkdir(parents=True, exist_ok=True)
                st = os.stat(d)
            else:
                with contextlib.suppress(FileExistsError):
                    d.mkdir()
                st = os.lstat(d)  # a symlink in place of the rejects folder is not followed
            if not stat.S_ISDIR(st.st_mode):
                raise NotADirectoryError(
                    errno.ENOTDIR, f"{display_path(d)} is not a folder", str(d)
                )
            self._dirs[path] = (d, st.st_dev != _device(path.parent))

    def names(self, stem: str, files: list[Path], n: int) -> list[Move]:
        out = []
        for p in files:
            d, copy = self._dirs[p]
            out.append(Move(p, d / _renamed(p.name, stem, n), None, copy))
        return out

    def info_text(self, move: Move) -> bytes:
        return b""


# ---------------------------------------------------------------- moving shots


def _inside(path: Path, root_real: str) -> bool:
    parent = os.path.realpath(path.parent)
    return parent == root_real or parent.startswith(root_real.rstrip("/") + "/")


class _Mover:
    def __init__(self, batch: MoveBatch, journal: MoveJournal | None, root: Path | None) -> None:
        self.batch = batch
        self.journal = journal
        self.root_real = os.path.realpath(root) if root is not None else None

    def _fail(self, paths: Iterable[Path], reason: str, kind: str = "") -> None:
        self.batch.failures.extend(Failure(p, reason, kind) for p in paths)

    def move_group(self, index: int, group: ShotFiles, plan: _Planner) -> None:
        """Move one shot whole, or leave it whole. Never raises (a kill simulated in tests may)."""
        moved_before = len(self.batch.moves)
        failed_before = len(self.batch.failures)
        try:
            self._move_group(str(index), group, plan)
        except Exception as exc:  # a bug or an error no branch foresaw: report it, go on
            del self.batch.failures[failed_before:]
            moved = {m.src for m in self.batch.moves[moved_before:]}
            self._fail([p for p in group.files if p not in moved], describe_error(exc))

    def _move_group(self, shot: str, group: ShotFiles, plan: _Planner) -> None:
        present: list[Path] = []
        outside = False
        for path in group.files:
            try:
                st = os.lstat(path)
            except OSError as exc:
                self._fail([path], describe_error(exc))
                continue
            if stat.S_ISDIR(st.st_mode):
                self._fail([path], "a folder, not a photo file")
            elif self.root_real is not None and not _inside(path, self.root_real):
                self._fail([path], "outside the opened folder; Reviewer moves nothing outside it")
                outside = True
            else:
                present.append(path)
        if outside:
            self._fail(present, "not moved: part of this shot is outside the opened folder")
            return
        if not present:
            return
        try:
            plan.prepare(present)
        except Exception as exc:
            kind = "no-trash" if isinstance(exc, TrashUnavailable) else ""
            self._fail(present, describe_error(exc), kind)
            return
        moves = self._reserve(shot, group.stem, present, plan)
        if moves is None:
            return
        done: list[Move] = []
        for move in moves:
            try:
                _transfer(move.src, move.dst)
            except Exception as exc:
                self._roll_back(shot, done, moves, move, describe_error(exc))
                return
            done.append(move)
        self.batch.moves.extend(done)
        if self.journal is not None:
            with contextlib.suppress(JournalError):  # the filesystem settles it on restart
                self.journal.shot_moved(self.batch.batch_id, shot)

    def _reserve(
        self, shot: str, stem: str, present: list[Path], plan: _Planner
    ) -> list[Move] | None:
        """Free destination names for the shot, recorded in the journal, .trashinfo written."""
        for n in range(MAX_CLASH_SUFFIX + 1):
            moves = [replace(m, group=shot) for m in plan.names(stem, present, n)]
            if any(
                os.path.lexists(m.dst)
                or os.path.lexists(_partial(m.dst))
                or (m.trashinfo is not None and os.path.lexists(m.trashinfo))
                for m in moves
            ):
                continue
            if self.journal is not None:
                try:
                    self.journal.plan(self.batch, shot, moves, [file_ident(p) for p in present])
                except JournalError as exc:
                    self._fail(
                        present, f"{describe_error(exc)}; the shot was not moved (safe to retry)"
                    )
                    return None
            created: list[Path] = []
            try:
                for m in moves:
                    if m.trashinfo is not None:
                        _write_exclusive(m.trashinfo, plan.info_text(m))
                        created.append(m.trashinfo)
            except FileExistsError:
                for info in created:
                    _remove_quietly(info)
                continue  # somebody took the name meanwhile: next suffix, new plan
            except Exception as exc:
                for info in created:
                    _remove_quietly(info)
                self._settle_journal(shot, [])
                trash = moves[0].dst.parent.parent
                self._fail(
                    present,
                    f"cannot write to the trash at {display_path(trash)}: {describe_error(exc)};"
                    " a rejects folder may still work. Nothing was deleted.",
                    "no-trash",
                )
                return None
            return moves
        self._fail(present, "too many files with this name at the destination")
        return None

    def _settle_journal(self, shot: str, still_moved: list[int]) -> None:
        if self.journal is None:
            return
        with contextlib.suppress(JournalError):
            if still_moved:
                self.journal.shot_moved(self.batch.batch_id, shot, only=still_moved)
            else:
                self.journal.shot_rolled_back(self.batch.batch_id, shot)

    def _roll_back(
        self, shot: str, done: list[Move], planned: list[Move], culprit: Move, reason: str
    ) -> None:
        """Put the shot's already-moved files back, so the shot stays together."""
        self.batch.failures.append(Failure(culprit.src, reason))
        sibling = f"not moved: {display_path(culprit.src.name)} of the same shot could not be"
        still: list[int] = []
        for move in reversed(done):
            try:
                _transfer(move.dst, move.src)
            except Exception as exc:  # extremely unlikely; keep it undoable
                self.batch.moves.append(move)
                still.append(planned.index(move))
                self.batch.failures.append(
                    Failure(
                        move.src,
                        f"moved to {display_path(move.dst)} but could not be put back: "
                        f"{describe_error(exc)}",
                    )
                )
                continue
            self.batch.failures.append(Failure(move.src, sibling))
        for move in planned:
            if move.trashinfo is not None and planned.index(move) not in still:
                _remove_quietly(move.trashinfo)
        for move in planned[len(done) + 1 :]:
            self.batch.failures.append(Failure(move.src, sibling))
        self._settle_journal(shot, sorted(still))


@contextlib.contextmanager
def _moving(journal: MoveJournal | None) -> Iterator[None]:
    """Hold a shared lock while moving, so another Reviewer's start-up leaves us alone."""
    if journal is None:
        yield
        return
    fd = _lock_fd(journal)
    try:
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _lock_fd(journal: MoveJournal) -> int | None:
    try:
        journal.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(journal.path.with_name(journal.path.name + ".lock"), os.O_RDWR | os.O_CREAT)
    except OSError:
        return None


def move_to_trash(
    shots: Iterable[ShotFiles],
    journal: MoveJournal | None = None,
    *,
    home_trash: Path | None = None,
    root: Path | None = None,
) -> MoveBatch:
    """Move every file of each shot to the trash. Never raises for a file: see batch.failures."""
    return _move_shots(shots, MoveBatch("trash"), _TrashPlanner(home_trash), journal, root)


def move_to_folder(
    shots: Iterable[ShotFiles],
    folder_name: str | Path = "_rejected",
    journal: MoveJournal | None = None,
    *,
    root: Path | None = None,
) -> MoveBatch:
    """Move every file of each shot into `folder_name` beside it (created when needed), or into
    `folder_name` itself when it is an absolute path (any drive). Never raises for a file;
    ValueError at once for a folder name that is neither (`..`, `a/b`, empty)."""
    planner = _FolderPlanner(folder_name)  # ValueError: not a folder name (no file touched)
    return _move_shots(shots, MoveBatch("folder"), planner, journal, root)


def _move_shots(
    shots: Iterable[ShotFiles],
    batch: MoveBatch,
    planner: _Planner,
    journal: MoveJournal | None,
    root: Path | None,
) -> MoveBatch:
    mover = _Mover(batch, journal, root)
    with _moving(journal):
        for i, shot in enumerate(shots):
            mover.move_group(i, shot, planner)
    return batch


# ---------------------------------------------------------------- undo


def restore(moves: MoveBatch | Sequence[Move], journal: MoveJournal | None = None) -> RestoreReport:
    """Put moved files back at their original paths, never over a file that is now there."""
    if isinstance(moves, MoveBatch):
        batch_id, items = moves.batch_id, list(moves.moves)
    else:
        batch_id, items = uuid.uuid4().hex, list(moves)
    report = RestoreReport()
    emptied: set[Path] = set()
    undo = uuid.uuid4().hex
    with _moving(journal):
        if journal is not None:
            # lets a restart finish an undo that a kill interrupted; a full disk must not stop
            # the undo itself (renames need no space), so it goes on without the record then
            with contextlib.suppress(JournalError):
                journal.undo_started(undo, batch_id, items)
        for group in _shot_groups(list(reversed(items))):
            _restore_group(group, batch_id, journal, report, emptied)
        if journal is not None:
            with contextlib.suppress(JournalError):
                journal.undo_finished(undo)
    for folder in emptied:  # a rejects folder we emptied goes away (rmdir: empty dirs only)
        with contextlib.suppress(OSError):
            folder.rmdir()
    return report


def _shot_groups(items: list[Move]) -> list[list[Move]]:
    groups: dict[str, list[Move]] = {}
    out: list[list[Move]] = []
    for m in items:
        if not m.group:
            out.append([m])
        elif m.group in groups:
            groups[m.group].append(m)
        else:
            groups[m.group] = [m]
            out.append(groups[m.group])
    return out


def _restore_group(
    group: list[Move],
    batch_id: str,
    journal: MoveJournal | None,
    report: RestoreReport,
    emptied: set[Path],
) -> None:
    """Put one shot's files back, all of them or (when one cannot come back) none."""
    back: list[Move] = []
    for move in group:
        try:
            _restore_one(move)
        except Exception as exc:
            if isinstance(exc, FileExistsError):
                reason = "another file now has this name; the photo stays at " + display_path(
                    move.dst
                )
            else:
                reason = describe_error(exc)
            report.failures.append(Failure(move.src, reason))
            sibling = f"not put back: {display_path(move.src.name)} of the same shot could not be"
            for m in reversed(back):  # the shot stays whole where it was moved to
                try:
                    _transfer(m.src, m.dst)
                    report.failures.append(Failure(m.src, sibling))
                except Exception:
                    report.restored.append(m)
                    _after_restore(m, batch_id, journal, emptied)
            for m in group[group.index(move) + 1 :]:
                report.failures.append(Failure(m.src, sibling))
            return
        back.append(move)
    for m in back:
        report.restored.append(m)
        _after_restore(m, batch_id, journal, emptied)


def _after_restore(
    move: Move, batch_id: str, journal: MoveJournal | None, emptied: set[Path]
) -> None:
    if journal is not None:
        with contextlib.suppress(JournalError):
            journal.restored(batch_id, move)
    if move.trashinfo is not None:
        _remove_quietly(move.trashinfo)
    elif move.dst.parent.parent == move.src.parent:
        emptied.add(move.dst.parent)  # a rejects folder beside the photos


def _restore_one(move: Move) -> None:
    if not os.path.lexists(move.dst):
        raise FileNotFoundError(errno.ENOENT, "no longer where it was moved to", str(move.dst))
    move.src.parent.mkdir(parents=True, exist_ok=True)
    _transfer(move.dst, move.src)


def recent_batches(
    journal: MoveJournal | None = None, limit: int = RECENT_BATCHES
) -> list[MoveBatch]:
    """The last `limit` batches whose moves are still in effect, oldest first (undo pops the end).

    Read from the journal, so this works after a restart."""
    return (journal or MoveJournal()).batches()[-limit:] if limit > 0 else []


def undo_batch(batch_id: str, journal: MoveJournal | None = None) -> RestoreReport:
    """Undo one batch found in the journal (e.g. after a restart)."""
    journal = journal or MoveJournal()
    for batch in journal.batches():
        if batch.batch_id == batch_id:
            return restore(batch, journal)
    report = RestoreReport()
    report.failures.append(Failure(Path(), f"no move {batch_id} left to undo"))
    return report


# ---------------------------------------------------------------- after a crash


def reconcile(journal: MoveJournal | None = None) -> ReconcileReport:
    """Settle what a crash (or a kill) left: call it at start-up, before any move.

    A shot that was moving when the process died is completed when all its files had moved,
    else rolled back whole; a copy across drives caught between "copied" and "original removed"
    keeps the original (the verified copy is removed); partial copies and the .trashinfo files
    of moves that did not happen are removed. Idempotent; never raises for a file.
    """
    journal = journal or MoveJournal()
    report = ReconcileReport()
    fd = _lock_fd(journal)
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                report.skipped = True  # another Reviewer is moving files right now
                return report
        shots, restored = journal.shots()
        for sr in shots:
            try:
                _reconcile_shot(journal, sr, restored, report)
            except Exception as exc:
                report.problems.extend(Failure(m.src, describe_error(exc)) for m in sr.moves)
        _finish_undos(journal, report)
        report.compacted = journal.compact()
    finally:
        if fd is not None:
            os.close(fd)
    return report


def _reconcile_shot(
    journal: MoveJournal,
    sr: ShotRecord,
    restored: set[tuple[str, str, str]],
    report: ReconcileReport,
) -> None:
    for m in sr.moves:  # partial copies are ours, from a copy that never finished
        for p in (_partial(m.dst), _partial(m.src)):
            if os.path.lexists(p) and _remove_quietly(p):
                report.orphans_removed.append(p)
    if sr.state == "planned":
        _settle_interrupted(journal, sr, report)
    else:
        claimed = sr.claimed()
        for m in claimed:
            if (sr.batch, str(m.src), str(m.dst)) in restored:
                continue
            src, dst = os.path.lexists(m.src), os.path.lexists(m.dst)
            # an undo copying back across drives was killed after the copy: finish it
            if src and dst and _same_bytes(m.src, m.dst) and _remove_quietly(m.dst):
                report.rolled_back.append(m)
                dst = False
            if src and not dst:
                with contextlib.suppress(JournalError):
                    journal.restored(sr.batch, m)
    live = {
        m
        for m in sr.claimed()
        if in_effect(sr, m) and (sr.batch, str(m.src), str(m.dst)) not in restored
    }
    for m in sr.moves:
        info = m.trashinfo
        if (
            info is not None
            and m not in live
            and not os.path.lexists(m.dst)
            and os.path.lexists(info)
            and _is_our_trashinfo(info, m.src)
            and _remove_quietly(info)
        ):
            report.orphans_removed.append(info)


def _settle_interrupted(journal: MoveJournal, sr: ShotRecord, report: ReconcileReport) -> None:
    state = [(os.path.lexists(m.src), os.path.lexists(m.dst), in_effect(sr, m)) for m in sr.moves]
    if all(ours for _src, _dst, ours in state):
        report.completed.extend(sr.moves)
        with contextlib.suppress(JournalError):
            journal.shot_moved(sr.batch, sr.shot)
        return
    still: list[int] = []
    for i, (m, (src, dst, ours)) in enumerate(zip(sr.moves, state, strict=True)):
        if ours:
            try:
                _transfer(m.dst, m.src)
            except Exception as exc:
                still.append(i)
                report.problems.append(
                    Failure(
                        m.src,
                        f"interrupted move could not be put back ({describe_error(exc)}); "
                        f"it stays at {display_path(m.dst)} and can be undone",
                    )
                )
                continue
            report.rolled_back.append(m)
        elif dst and src:
            if _same_bytes(m.src, m.dst) and _remove_quietly(m.dst):
                report.rolled_back.append(m)  # a verified copy whose original was not removed
            else:
                report.problems.append(
                    Failure(m.src, f"both it and {display_path(m.dst)} exist; both kept")
                )
        elif not src:  # moved on by something else since (or a stale plan): nothing to do
            report.missing.append(m.src)
    with contextlib.suppress(JournalError):
        if still:
            journal.shot_moved(sr.batch, sr.shot, only=still)
        else:
            journal.shot_rolled_back(sr.batch, sr.shot)


def _finish_undos(journal: MoveJournal, report: ReconcileReport) -> None:
    """An undo killed half-way is finished, so no shot stays half back."""
    pending = journal.pending_undos()
    if not pending:
        return
    live = {(b.batch_id, str(m.src), str(m.dst)): m for b in journal.batches() for m in b.moves}
    for undo, batch_id, pairs in pending:
        for src, dst in pairs:
            m = live.get((batch_id, src, dst))
            if m is None:
                continue
            try:
                _restore_one(m)
            except Exception as exc:
                report.problems.append(Failure(m.src, f"undo not finished: {describe_error(exc)}"))
                continue
            report.rolled_back.append(m)
            with contextlib.suppress(JournalError):
                journal.restored(batch_id, m)
            if m.trashinfo is not None:
                _remove_quietly(m.trashinfo)
        with contextlib.suppress(JournalError):
            journal.undo_finished(undo)


def startup_batches(
    journal: MoveJournal | None = None, limit: int = RECENT_BATCHES
) -> tuple[ReconcileReport, list[MoveBatch]]:
    """What a window does at start: reconcile after a crash, then the batches it can undo."""
    journal = journal or MoveJournal()
    try:
        report = reconcile(journal)
    except Exception as exc:  # a broken journal must not stop the app from starting
        report = ReconcileReport(problems=[Failure(journal.path, describe_error(exc))])
    try:
        return report, recent_batches(journal, limit)
    except Exception:
        return report, []


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes (tests and benchmarks check moves with it)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()
