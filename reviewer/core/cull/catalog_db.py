"""The catalog: one SQLite database per user holding every photo's scores and marks.

What it keeps, per file: the scores each scorer gave it (the score cache) and the
photographer's marks (decision, rating 0-5, colour label). It lives in the platform's per-user
data directory (`platformdirs.user_data_dir("reviewer")`; `REVIEWER_DATA_DIR` overrides it).

How a file is recognised:

* by its path, while its device, inode, size and mtime are unchanged (no read at all);
* a file that changed on disk (size or mtime) keeps its marks but loses its scores, so it is
  scored again;
* a file moved or renamed keeps its row: Reviewer's own moves are recorded (`record_moves`),
  and a file that turns up at a new path is matched by (device, inode, size, mtime), or by
  (size, a fingerprint of its first and last 64 KB) when it was copied across devices, provided
  the path the row remembers no longer exists.

A scorer's version (its `version` attribute, "1" when it has none) is stored with each score:
a bump invalidates that scorer's rows only.

Safe with several processes at once (two windows, a window and `reviewer score`): WAL mode, a
busy timeout, short `BEGIN IMMEDIATE` write transactions; scores from a run are written in
batches by `ScoreWriter`. A database that is corrupt is renamed aside (never deleted) and a new
one built; one that cannot be opened at all (permissions, a newer schema) is replaced by an
in-memory one for the session. Either way `take_notice()` returns a message once, for the
window or the command line to show; the catalog never stops the app.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal, TypeVar, cast

DB_NAME = "catalog.sqlite3"
ENV_DATA_DIR = "REVIEWER_DATA_DIR"
FINGERPRINT_CHUNK = 64 * 1024
BUSY_TIMEOUT_S = 10.0
# Lookups and writes go to SQLite in chunks of this many rows (one statement per row, one
# transaction per chunk: a lock is never held for long).
CHUNK = 500

Decision = Literal["keep", "reject"]
DECISIONS: tuple[Decision, ...] = ("keep", "reject")
Label = Literal["red", "yellow", "green", "blue", "purple"]
LABELS: tuple[Label, ...] = ("red", "yellow", "green", "blue", "purple")

T = TypeVar("T")

# SQLite's primary result codes for a damaged database.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def default_data_dir() -> Path:
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("reviewer", appauthor=False))


def default_catalog_path() -> Path:
    return default_data_dir() / DB_NAME


def scorer_version(method: str) -> str:
    """The version of a scorer's numbers; stored scores of another version are stale."""
    from reviewer.core.scoring import get_scorer

    return str(getattr(get_scorer(method), "version", "1"))


def fingerprint(path: Path, size: int | None = None) -> str:
    """A cheap content fingerprint: hash of the size and the first and last 64 KB."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        if size is None:
            size = os.fstat(f.fileno()).st_size
        h.update(str(size).encode())
        h.update(f.read(FINGERPRINT_CHUNK))
        if size > FINGERPRINT_CHUNK:
            f.seek(max(FINGERPRINT_CHUNK, size - FINGERPRINT_CHUNK))
            h.update(f.read(FINGERPRINT_CHUNK))
    return h.hexdigest()


_BYTES_KEY = "\0bytes:"  # a name that is not valid UTF-8 (SQLite text must be UTF-8)


def _key(path: Path | str) -> str:
    """The absolute path as stored: as is, or for a name that is not valid UTF-8 its bytes in
    hex behind a prefix no real path has (so it round-trips and never collides)."""
    absolute = os.path.abspath(path)
    try:
        absolute.encode("utf-8")
    except UnicodeEncodeError:
        return _BYTES_KEY + os.fsencode(absolute).hex()
    return absolute


def _path_of(key: str) -> str:
    """The file system path of a stored key (the inverse of `_key`)."""
    if key.startswith(_BYTES_KEY):
        return os.fsdecode(bytes.fromhex(key[len(_BYTES_KEY) :]))
    return key


# ------------------------------------------------------------------------ schema migrations


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction (executescript would
    commit it first)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _migrate_1(conn: sqlite3.Connection) -> None:
    """Files and the score cache."""
    _execute_script(
        conn,
        """
        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            dev INTEGER,
            ino INTEGER,
            size INTEGER,
            mtime_ns INTEGER,
            fingerprint TEXT
        );
        CREATE INDEX files_inode ON files (dev, ino);
        CREATE INDEX files_size ON files (size);
        CREATE TABLE scores (
            file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
            method TEXT NOT NULL,
            scorer_version TEXT NOT NULL,
            value REAL,
            payload TEXT NOT NULL,
            scored_at REAL NOT NULL,
            PRIMARY KEY (file_id, method)
        );
        """,
    )


def _migrate_2(conn: sqlite3.Connection) -> None:
    """The photographer's marks: decision, rating and colour label, with when they changed."""
    _execute_script(
        conn,
        """
        CREATE TABLE marks (
            file_id INTEGER PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
            decision TEXT CHECK (decision IN ('keep', 'reject')),
            rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
            label TEXT,
            changed_at REAL NOT NULL
        );
        """,
    )


# MIGRATIONS[i] takes a database from schema version i to i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_1, _migrate_2)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring `conn` (autocommit mode) forward to `target` in one transaction; returns the
    version found. Raises NewerSchema when the database is newer than this code."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise NewerSchema(found)
        for version in range(found, target):
            MIGRATIONS[version](conn)
        if target > found:
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return found


class NewerSchema(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(f"schema version {version} is newer than this Reviewer's")
        self.version = version


def is_corruption(exc: BaseException) -> bool:
    """A damaged or foreign file, as opposed to a lock or a permission problem."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


# ------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Marks:
    """What the photographer said about a photo."""

    decision: Decision | None = None
    rating: int = 0
    label: Label | None = None

    def __post_init__(self) -> None:
        if self.decision is not None and self.decision not in DECISIONS:
            raise ValueError(f"unknown decision {self.decision!r}")
        if not 0 <= self.rating <= 5:
            raise ValueError(f"rating {self.rating} is not 0-5")
        if self.label is not None and self.label not in LABELS:
            raise ValueError(f"unknown colour label {self.label!r}")

    @property
    def empty(self) -> bool:
        return self.decision is None and self.rating == 0 and self.label is None


NO_MARKS = Marks()


@dataclass(frozen=True, slots=True)
class StoredScore:
    """A score as the catalog keeps it: the value and whatever the scorer reported with it
    (`payload`, JSON-able); the threshold is not part of it (a verdict is re-judged)."""

    method: str
    value: float
    payload: dict[str, object] = field(default_factory=dict)


# by Path, by str, or either
ScoreMap = Mapping[Path, StoredScore] | Mapping[str, StoredScore] | Mapping[Path | str, StoredScore]
MarksMap = Mapping[Path, Marks] | Mapping[str, Marks] | Mapping[Path | str, Marks]


@dataclass(slots=True)
class _Stat:
    dev: int
    ino: int
    size: int
    mtime_ns: int


def _stat(key: str) -> _Stat | None:
    try:
        st = os.stat(_path_of(key))
    except (OSError, ValueError):
        return None
    return _Stat(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


# ------------------------------------------------------------------------------- catalog


class Catalog:
    """The per-user catalog. Thread-safe (one connection behind a lock)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_catalog_path()
        self._lock = threading.RLock()
        self._notice: str | None = None
        self.set_aside: Path | None = None  # where a corrupt database was moved
        self.in_memory = False
        self._opened: tuple[int, int] | None = None  # (device, inode) of the file opened
        self._conn = self._open()

    # ------------------------------------------------------------ opening and recovery

    def _connect(self, target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            found = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if found > SCHEMA_VERSION:  # before anything that writes (journal_mode does)
                raise NewerSchema(found)
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                # FULL: a mark survives a power cut too, not only a crash (one fsync a commit)
                conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({row})")
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _file_id(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect(str(self.path))
            self._opened = self._file_id()
            return conn
        except NewerSchema as exc:
            return self._memory(
                f"The catalog {self.path} was written by a newer Reviewer ({exc}); it is left "
                "as it is, and this session's marks and scores are not saved."
            )
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                return self._rebuild(str(exc))
            return self._memory(
                f"The catalog {self.path} cannot be opened ({exc}); this session's marks and "
                "scores are not saved."
            )
        except OSError as exc:
            return self._memory(
                f"The catalog folder {self.path.parent} cannot be used "
                f"({exc.strerror or exc}); this session's marks and scores are not saved."
            )

    def _memory(self, notice: str) -> sqlite3.Connection:
        self._notice = notice
        self.in_memory = True
        return self._connect(":memory:")

    def _rebuild(self, reason: str) -> sqlite3.Connection:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            os.rename(self.path, aside)
            for suffix in ("-wal", "-shm"):  # the journal belongs with the damaged file
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.rename(side, aside.with_name(aside.name + suffix))
        except OSError as exc:
            return self._memory(
                f"The catalog {self.path} is damaged ({reason}) and could not be set aside "
                f"({exc.strerror or exc}); this session's marks and scores are not saved."
            )
        self.set_aside = aside
        self._notice = (
            f"The catalog was damaged ({reason}); it was kept as {aside} and a new one "
            "started. Scores will be recomputed; earlier marks are in the old file."
        )
        try:
            conn = self._connect(str(self.path))
            self._opened = self._file_id()
            return conn
        except (sqlite3.Error, OSError, NewerSchema) as exc:
            return self._memory(self._notice + f" The new catalog cannot be opened ({exc}).")

    def take_notice(self) -> str | None:
        """A message for the user about the catalog (set aside, not saved), given once."""
        with self._lock:
            notice, self._notice = self._notice, None
            return notice

    def _run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run `op`; when the database turns out to be damaged, set it aside and run again."""
        with self._lock:
            try:
                return op(self._conn)
            except sqlite3.DatabaseError as exc:
                if not is_corruption(exc) or self.in_memory:
                    raise
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                if self._file_id() not in (None, self._opened):
                    # another process already set the damaged file aside: use its new one
                    self._conn = self._open()
                else:
                    self._conn = self._rebuild(str(exc))
                return op(self._conn)

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    @contextlib.contextmanager
    def _write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # ------------------------------------------------------------ recognising files

    def _find(self, conn: sqlite3.Connection, key: str, st: _Stat, create: bool) -> int | None:
        """The row of the file at `key` (stat `st`), reconciling moves and changes. Writes,
        so call it inside a write transaction."""
        row = conn.execute(
            "SELECT id, dev, ino, size, mtime_ns, fingerprint FROM files WHERE path = ?", (key,)
        ).fetchone()
        if row is not None:
            fid, dev, ino, size, mtime_ns, fp = row
            if size == st.size and mtime_ns == st.mtime_ns:
                if (dev, ino) != (st.dev, st.ino):  # copied back, restored from a backup...
                    conn.execute(
                        "UPDATE files SET dev = ?, ino = ? WHERE id = ?", (st.dev, st.ino, fid)
                    )
                return int(fid)
            # changed on disk: the marks stay, the scores go
            conn.execute(
                "UPDATE files SET dev = ?, ino = ?, size = ?, mtime_ns = ?, fingerprint = NULL "
                "WHERE id = ?",
                (st.dev, st.ino, st.size, st.mtime_ns, fid),
            )
            conn.execute("DELETE FROM scores WHERE file_id = ?", (fid,))
            return int(fid)
        moved = self._moved_from(conn, key, st)
        if moved is not None:
            conn.execute(
                "UPDATE files SET path = ?, dev = ?, ino = ?, size = ?, mtime_ns = ? WHERE id = ?",
                (key, st.dev, st.ino, st.size, st.mtime_ns, moved),
            )
            return moved
        if not create:
            return None
        cur = conn.execute(
            "INSERT INTO files (path, dev, ino, size, mtime_ns) VALUES (?, ?, ?, ?, ?)",
            (key, st.dev, st.ino, st.size, st.mtime_ns),
        )
        return int(cast(int, cur.lastrowid))

    def _moved_from(self, conn: sqlite3.Connection, key: str, st: _Stat) -> int | None:
        """A row whose file is gone from its path and is this file (moved or renamed)."""
        for fid, old in conn.execute(
            "SELECT id, path FROM files WHERE dev = ? AND ino = ? AND size = ? AND mtime_ns = ?",
            (st.dev, st.ino, st.size, st.mtime_ns),
        ).fetchall():
            if not os.path.lexists(old):
                return int(fid)
        candidates = conn.execute(
            "SELECT id, path, fingerprint FROM files WHERE size = ?", (st.size,)
        ).fetchall()
        gone = [(fid, fp) for fid, old, fp in candidates if not os.path.lexists(old)]
        if not gone:
            return None
        try:
            mine = fingerprint(Path(key), st.size)
        except OSError:
            return None
        for fid, fp in gone:
            if fp == mine:
                return int(fid)
        return None

    def _fill_fingerprints(self, ids: list[tuple[Path | str, str, int | None]]) -> None:
        """Fingerprint the rows that have none (to find the file after a copy elsewhere).
        The files are read outside any transaction: a slow card never holds the lock."""
        wanted = [fid for _, _, fid in ids if fid is not None]
        if not wanted:
            return

        def missing(conn: sqlite3.Connection) -> list[tuple[int, str]]:
            q = ",".join("?" * len(wanted))
            return [
                (int(fid), _path_of(str(path)))
                for fid, path in conn.execute(
                    f"SELECT id, path FROM files WHERE fingerprint IS NULL AND id IN ({q})",
                    tuple(wanted),
                )
            ]

        found = []
        for fid, path in self._run(missing):
            with contextlib.suppress(OSError):
                found.append((fingerprint(Path(path)), fid))
        if found:
            self._run(partial(self._fingerprints_op, found))

    def _fingerprints_op(self, found: list[tuple[str, int]], conn: sqlite3.Connection) -> None:
        with self._write(conn):
            conn.executemany(
                "UPDATE files SET fingerprint = ? WHERE id = ? AND fingerprint IS NULL", found
            )

    def _ids(
        self, paths: Iterable[Path | str], create: bool
    ) -> Iterator[tuple[Path | str, str, int | None]]:
        """(path, key, row id) per path, in chunks of one write transaction each."""
        items = [(p, _key(p)) for p in paths]
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            stats = [_stat(k) for _, k in chunk]
            yield from self._run(partial(self._ids_op, chunk, stats, create))

    def _ids_op(
        self,
        chunk: list[tuple[Path | str, str]],
        stats: list[_Stat | None],
        create: bool,
        conn: sqlite3.Connection,
    ) -> list[tuple[Path | str, str, int | None]]:
        with self._write(conn):
            return self._rows_in(conn, chunk, stats, create)

    def _rows_in(
        self,
        conn: sqlite3.Connection,
        chunk: list[tuple[Path | str, str]],
        stats: list[_Stat | None],
        create: bool,
    ) -> list[tuple[Path | str, str, int | None]]:
        """The rows of these files, inside the caller's write transaction."""
        out: list[tuple[Path | str, str, int | None]] = []
        for (p, k), st in zip(chunk, stats, strict=True):
            if st is None:  # not on disk (any more): the path alone identifies it
                row = conn.execute("SELECT id FROM files WHERE path = ?", (k,)).fetchone()
                fid = int(row[0]) if row else None
                if fid is None and create:
                    cur = conn.execute("INSERT INTO files (path) VALUES (?)", (k,))
                    fid = int(cast(int, cur.lastrowid))
            else:
                fid = self._find(conn, k, st, create)
            out.append((p, k, fid))
        return out

    # ------------------------------------------------------------ scores

    def _known(self, paths: Iterable[Path | str]) -> list[tuple[str, int]]:
        return [(k, fid) for _, k, fid in self._ids(paths, create=False) if fid is not None]

    def cached_scores(self, paths: Iterable[Path | str], method: str) -> dict[str, StoredScore]:
        """Scores of `method` at its current version for the files that have one, by
        absolute path (os.path.abspath). Files changed on disk have none."""
        return self._scores_of(self._known(paths), method)

    def state(
        self, paths: Iterable[Path | str], method: str
    ) -> tuple[dict[str, Marks], dict[str, StoredScore]]:
        """`get_marks` and `cached_scores` in one pass over the files (a folder reopening)."""
        known = self._known(paths)
        return self._marks_of(known), self._scores_of(known, method)

    def _scores_of(self, pairs: list[tuple[str, int]], method: str) -> dict[str, StoredScore]:
        version = scorer_version(method)
        out: dict[str, StoredScore] = {}

        def op(conn: sqlite3.Connection) -> None:
            for start in range(0, len(pairs), CHUNK):
                chunk = pairs[start : start + CHUNK]
                by_id = {fid: k for k, fid in chunk}
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT file_id, value, payload FROM scores WHERE method = ? AND "
                    f"scorer_version = ? AND file_id IN ({marks})",
                    (method, version, *by_id),
                ).fetchall()
                for fid, value, payload in rows:
                    try:
                        data = json.loads(payload)
                    except ValueError:
                        continue
                    if not isinstance(data, dict):
                        continue
                    v = data.get("value", value)
                    out[by_id[fid]] = StoredScore(
                        method, float(v) if v is not None else float("nan"), data
                    )

        self._run(op)
        return out

    def store_scores(self, scores: ScoreMap) -> None:
        """Store scores (one transaction per CHUNK files)."""
        items: list[tuple[Path | str, StoredScore]] = list(scores.items())
        versions = {m: scorer_version(m) for m in {s.method for _, s in items}}
        for start in range(0, len(items), CHUNK):
            chunk = dict(items[start : start + CHUNK])
            keyed = [(p, _key(p)) for p in chunk]
            stats = [_stat(k) for _, k in keyed]  # outside the transaction, as files are read
            ids = self._run(partial(self._store_op, chunk, keyed, stats, versions))
            self._fill_fingerprints(ids)

    def _store_op(
        self,
        chunk: dict[Path | str, StoredScore],
        keyed: list[tuple[Path | str, str]],
        stats: list[_Stat | None],
        versions: dict[str, str],
        conn: sqlite3.Connection,
    ) -> list[tuple[Path | str, str, int | None]]:
        now = time.time()
        with self._write(conn):
            ids = self._rows_in(conn, keyed, stats, create=True)
            for p, _, fid in ids:
                if fid is None:
                    continue
                s = chunk[p]
                payload = dict(s.payload)
                payload["value"] = s.value
                conn.execute(
                    "INSERT OR REPLACE INTO scores (file_id, method, scorer_version, value, "
                    "payload, scored_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (fid, s.method, versions[s.method], s.value, json.dumps(payload), now),
                )
        return ids

    def purge_stale_scores(self, method: str) -> int:
        """Drop `method`'s scores of other versions than the current one; returns how many."""
        version = scorer_version(method)

        def op(conn: sqlite3.Connection) -> int:
            with self._write(conn):
                cur = conn.execute(
                    "DELETE FROM scores WHERE method = ? AND scorer_version != ?",
                    (method, version),
                )
                return int(cur.rowcount)

        return self._run(op)

    def writer(self, batch: int = 256, seconds: float = 2.0) -> ScoreWriter:
        return ScoreWriter(self, batch, seconds)

    # ------------------------------------------------------------ marks

    def get_marks(self, paths: Iterable[Path | str]) -> dict[str, Marks]:
        """Marks of the files that have any, by absolute path."""
        return self._marks_of(self._known(paths))

    def marks_changed_at(self, paths: Iterable[Path | str]) -> dict[str, float]:
        """When each file's marks were last changed (Unix time), for the files with marks:
        to tell whether the catalog or a sidecar is newer."""
        pairs = self._known(paths)
        out: dict[str, float] = {}

        def op(conn: sqlite3.Connection) -> None:
            for start in range(0, len(pairs), CHUNK):
                by_id = {fid: k for k, fid in pairs[start : start + CHUNK]}
                q = ",".join("?" * len(by_id))
                for fid, when in conn.execute(
                    f"SELECT file_id, changed_at FROM marks WHERE file_id IN ({q})", tuple(by_id)
                ):
                    out[by_id[fid]] = float(when)

        self._run(op)
        return out

    def _marks_of(self, pairs: list[tuple[str, int]]) -> dict[str, Marks]:
        out: dict[str, Marks] = {}

        def op(conn: sqlite3.Connection) -> None:
            for start in range(0, len(pairs), CHUNK):
                chunk = pairs[start : start + CHUNK]
                by_id = {fid: k for k, fid in chunk}
                q = ",".join("?" * len(chunk))
                for fid, decision, rating, label in conn.execute(
                    f"SELECT file_id, decision, rating, label FROM marks WHERE file_id IN ({q}) "
                    "AND NOT (decision IS NULL AND rating = 0 AND label IS NULL)",
                    tuple(by_id),
                ):
                    with contextlib.suppress(ValueError, TypeError):
                        out[by_id[fid]] = Marks(decision, int(rating), label)

        self._run(op)
        return out

    def set_marks(self, marks: MarksMap, changed_at: float | None = None) -> None:
        """Save marks, in one transaction per CHUNK files (empty marks stay as an empty row
        with their time: a clear is a change a newer-wins comparison must see).
        `changed_at` (a Unix time, default now) is when they were made: a sidecar's time when
        they come from one."""
        items: list[tuple[Path | str, Marks]] = list(marks.items())
        for start in range(0, len(items), CHUNK):
            chunk = dict(items[start : start + CHUNK])
            keyed = [(p, _key(p)) for p in chunk]
            stats = [_stat(k) for _, k in keyed]
            ids = self._run(partial(self._marks_op, chunk, keyed, stats, changed_at))
            self._fill_fingerprints(ids)

    def _marks_op(
        self,
        chunk: dict[Path | str, Marks],
        keyed: list[tuple[Path | str, str]],
        stats: list[_Stat | None],
        changed_at: float | None,
        conn: sqlite3.Connection,
    ) -> list[tuple[Path | str, str, int | None]]:
        now = time.time() if changed_at is None else changed_at
        with self._write(conn):
            ids = self._rows_in(conn, keyed, stats, create=True)
            for p, _, fid in ids:
                if fid is None:
                    continue
                m = chunk[p]
                # marks cleared are kept as an empty row with their time: "cleared here at T"
                # must beat an older sidecar that still says rejected (newer wins)
                conn.execute(
                    "INSERT OR REPLACE INTO marks (file_id, decision, rating, label, "
                    "changed_at) VALUES (?, ?, ?, ?, ?)",
                    (fid, m.decision, m.rating, m.label, now),
                )
        return ids

    # ------------------------------------------------------------ moves

    def record_moves(self, moves: Iterable[tuple[Path | str, Path | str]]) -> None:
        """Files Reviewer moved (src, dst): their rows follow them."""
        pairs = [(_key(s), _key(d)) for s, d in moves]
        for start in range(0, len(pairs), CHUNK):
            self._run(partial(self._moves_op, pairs[start : start + CHUNK]))

    def _moves_op(self, pairs: list[tuple[str, str]], conn: sqlite3.Connection) -> None:
        with self._write(conn):
            for src, dst in pairs:
                row = conn.execute("SELECT id FROM files WHERE path = ?", (src,)).fetchone()
                if row is None:
                    continue
                # a row left at the destination is of a file no longer there
                conn.execute("DELETE FROM files WHERE path = ? AND id != ?", (dst, row[0]))
                st = _stat(dst)
                if st is None:
                    conn.execute("UPDATE files SET path = ? WHERE id = ?", (dst, row[0]))
                else:
                    conn.execute(
                        "UPDATE files SET path = ?, dev = ?, ino = ? WHERE id = ?",
                        (dst, st.dev, st.ino, row[0]),
                    )

    # ------------------------------------------------------------ inspection

    def counts(self) -> dict[str, int]:
        def op(conn: sqlite3.Connection) -> dict[str, int]:
            counts = {
                t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
                for t in ("files", "scores")
            }
            counts["marks"] = int(
                conn.execute(
                    "SELECT COUNT(*) FROM marks "
                    "WHERE NOT (decision IS NULL AND rating = 0 AND label IS NULL)"
                ).fetchone()[0]
            )
            return counts

        return self._run(op)


class ScoreWriter:
    """Buffers scores and writes them `batch` at a time (or every `seconds`): scoring 1,000
    photos is a handful of transactions, not 1,000 commits. Call `close()` (or use `with`)."""

    def __init__(self, catalog: Catalog, batch: int = 256, seconds: float = 2.0) -> None:
        self.catalog = catalog
        self.batch = batch
        self.seconds = seconds
        self._pending: dict[Path | str, StoredScore] = {}
        self._last = time.monotonic()
        self.flushes = 0
        self.errors: list[str] = []

    def add(self, path: Path | str, score: StoredScore) -> None:
        self._pending[path] = score
        if len(self._pending) >= self.batch or time.monotonic() - self._last >= self.seconds:
            self.flush()

    def flush(self) -> None:
        self._last = time.monotonic()
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            self.catalog.store_scores(pending)
        except sqlite3.Error as exc:  # a cache that cannot be written costs speed, not results
            self.errors.append(str(exc))
        self.flushes += 1

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> ScoreWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
