"""The no-loss world: a temp folder of RAW+JPEG+sidecar shots that moves, undo, crashes and
restarts are played on, with a check that no photo is ever lost, duplicated or split.

Shared by the hypothesis state machine (tests/core/cull/test_no_loss.py) and the long run
(bench/no_loss.py). A crash is a BaseException raised from the fault-injection boundary at a
chosen filesystem step, so nothing after it runs (no roll back, no journal record), as with
`kill -9`; a restart is `reconcile()` on the journal, as the window does at start-up.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.core.cull import faults
from reviewer.core.cull.journal import MoveBatch, MoveJournal
from reviewer.core.cull.moves import (
    FileGroup,
    move_to_folder,
    move_to_trash,
    recent_batches,
    reconcile,
    restore,
)

BAD = os.fsdecode(b"bad\xff")  # a file name that is not valid UTF-8
SHOTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("", "IMG_0001", (".CR2", ".JPG", ".CR2.xmp")),
    ("", "IMG_0002", (".NEF", ".JPG", ".XMP")),
    ("", BAD, (".jpg", ".xmp")),
    ("", "DSC 5", (".JPG",)),
    ("", "IMG_0003", (".ARW", ".ARW.xmp", ".JPG")),
    ("sub", "IMG_0001", (".CR2", ".JPG", ".CR2.XMP")),  # clashes with the first in the trash
    ("sub", "IMG_0004", (".DNG",)),
]


class Crash(BaseException):
    """The process dies here (not an Exception: no handler of the code under test sees it)."""


@dataclass
class Counts:
    steps: int = 0
    moves: int = 0
    undos: int = 0
    crashes: int = 0
    faults: int = 0
    restarts: int = 0
    files_moved: int = 0


@dataclass
class World:
    base: Path
    rng: random.Random
    shots: list[FileGroup] = field(default_factory=list)
    originals: dict[str, Path] = field(default_factory=dict)  # sha256 -> original path
    marked: set[int] = field(default_factory=set)
    crashed: bool = False
    counts: Counts = field(default_factory=Counts)

    def __post_init__(self) -> None:
        self.shoot = self.base / "shoot"
        self.trash = self.base / "home" / "Trash"
        self.elsewhere = self.base / "elsewhere" / "rejects"  # "another drive" (EXDEV)
        self.journal = MoveJournal(self.base / "journal" / "moves.jsonl")
        for sub, stem, exts in SHOTS:
            folder = self.shoot / sub if sub else self.shoot
            folder.mkdir(parents=True, exist_ok=True)
            files = []
            for ext in exts:
                p = folder / f"{stem}{ext}"
                data = self.rng.randbytes(self.rng.randint(1, 3000)) + os.fsencode(p)
                p.write_bytes(data)
                self.originals[hashlib.sha256(data).hexdigest()] = p
                files.append(p)
            self.shots.append(FileGroup(stem, tuple(files)))

    # ---------------------------------------------------------------- the faults
    def _hook(self, crash_at: int | None, fault_at: int | None) -> faults.Hook:
        seen = [0]
        faulted = [False]
        elsewhere = str(self.elsewhere)

        def hook(op: str, path: Path, other: Path | None) -> None:
            # the absolute rejects folder is on "another drive": a rename there fails EXDEV
            inside = str(path).startswith(elsewhere)
            if op == "rename" and other is not None and inside != str(other).startswith(elsewhere):
                raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(path))
            seen[0] += 1
            if crash_at is not None and seen[0] == crash_at:
                self.crashed = True
                self.counts.crashes += 1
                raise Crash(f"killed at {op} {path}")
            # a full disk: the first write at or after that step fails (never an unlink)
            if fault_at is not None and seen[0] >= fault_at and "unlink" not in op:
                if faulted[0]:
                    return
                faulted[0] = True
                self.counts.faults += 1
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

        return hook

    def _run(self, fn: object, crash_at: int | None, fault_at: int | None) -> object:
        assert callable(fn)
        with faults.installed(self._hook(crash_at, fault_at)):
            try:
                return fn()
            except Crash:
                return None

    # ---------------------------------------------------------------- the steps
    def in_place(self) -> list[int]:
        return [i for i, s in enumerate(self.shots) if all(p.exists() for p in s.files)]

    def mark(self, picks: list[int]) -> None:
        here = self.in_place()
        self.marked = {here[i % len(here)] for i in picks} if here else set()

    def move(
        self, where: str, crash_at: int | None = None, fault_at: int | None = None
    ) -> list[str]:
        assert not self.crashed
        chosen = [self.shots[i] for i in sorted(self.marked) if i in self.in_place()]
        self.marked = set()
        if not chosen:
            return []
        self.counts.moves += 1
        if where == "trash":
            fn = lambda: move_to_trash(  # noqa: E731
                chosen, self.journal, home_trash=self.trash, root=self.shoot
            )
        elif where == "rejects":
            fn = lambda: move_to_folder(chosen, "_rejected", self.journal, root=self.shoot)  # noqa: E731
        else:
            fn = lambda: move_to_folder(chosen, self.elsewhere, self.journal, root=self.shoot)  # noqa: E731
        batch = self._run(fn, crash_at, fault_at)
        if batch is None:
            return []
        assert isinstance(batch, MoveBatch)
        self.counts.files_moved += len(batch.moves)
        return self._check_report(batch, chosen, faulty=fault_at is not None)

    def _check_report(self, batch: MoveBatch, chosen: list[FileGroup], faulty: bool) -> list[str]:
        bad: list[str] = []
        moved = {m.src for m in batch.moves}
        failed = {f.path for f in batch.failures}
        for m in batch.moves:
            if m.src.exists() or not os.path.lexists(m.dst):
                bad.append(f"reported moved but is not: {m.src}")
        for p in failed:
            if not p.exists():
                bad.append(f"reported not moved but is gone: {p}")
        for s in chosen:
            files = set(s.files)
            if files - moved - failed:
                bad.append(f"neither moved nor failed: {files - moved - failed}")
            if files & moved and files & failed:
                bad.append(f"shot split by a move: {s.stem}")
        if failed and not faulty:
            bad.append(f"failures without a fault: {batch.failures}")
        return bad

    def undo(self, crash_at: int | None = None, fault_at: int | None = None) -> list[str]:
        assert not self.crashed
        batches = recent_batches(self.journal)
        if not batches:
            return []
        self.counts.undos += 1
        report = self._run(lambda: restore(batches[-1], self.journal), crash_at, fault_at)
        if report is None or fault_at is not None:
            return []
        return [f"undo failed: {f.path}: {f.reason}" for f in report.failures]  # type: ignore[attr-defined]

    def restart(self) -> list[str]:
        self.counts.restarts += 1
        report = reconcile(self.journal)
        if self.rng.random() < 0.5:  # as if the journal had grown past the start-up limit
            self.journal.compact(min_bytes=0)
        self.crashed = False
        return [f"reconcile: {p.path}: {p.reason}" for p in report.problems]

    def undo_all(self) -> list[str]:
        bad: list[str] = []
        if self.crashed:
            bad += self.restart()
        for _ in range(1000):
            batches = recent_batches(self.journal)
            if not batches:
                break
            report = restore(batches[-1], self.journal)
            bad += [f"undo failed: {f.path}: {f.reason}" for f in report.failures]
            if report.failures:
                break
        for h, p in self.originals.items():
            if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != h:
                bad.append(f"not back after undoing everything: {p}")
        return bad

    # ---------------------------------------------------------------- the invariant
    def _files(self) -> Iterator[Path]:
        for root in (self.shoot, self.trash / "files", self.elsewhere):
            for dirpath, _dirs, names in os.walk(root):
                for n in names:
                    yield Path(dirpath) / n

    def check(self) -> list[str]:
        """Each original file exists exactly once (in place, in the trash or a rejects folder)
        with identical bytes; no shot is split; no orphan .trashinfo; nothing unknown."""
        bad: list[str] = []
        where: dict[str, list[Path]] = {h: [] for h in self.originals}
        for p in self._files():
            if p.name.endswith(".reviewer-partial"):
                if not self.crashed:
                    bad.append(f"partial copy left: {p}")
                continue
            h = hashlib.sha256(p.read_bytes()).hexdigest()
            if h not in where:
                bad.append(f"unknown or altered file: {p}")
                continue
            where[h].append(p)
        for h, found in where.items():
            original = self.originals[h]
            if not found:
                bad.append(f"LOST: {original}")
            elif len(found) > 1 and not self.crashed:  # a killed cross-drive copy: until restart
                bad.append(f"DUPLICATED: {original} at {found}")
        if not self.crashed:
            for s in self.shots:
                places = set()
                for p in s.files:
                    h = next(k for k, v in self.originals.items() if v == p)
                    places.update(self._place(f) for f in where[h])
                if len(places) > 1:
                    bad.append(f"shot split: {s.stem} in {sorted(places)}")
            info = self.trash / "info"
            if info.is_dir():
                for i in info.iterdir():
                    if not os.path.lexists(self.trash / "files" / i.name[: -len(".trashinfo")]):
                        bad.append(f"orphan .trashinfo: {i.name}")
        return bad

    def _place(self, p: Path) -> str:
        if p.is_relative_to(self.trash):
            return "trash"
        if p.is_relative_to(self.elsewhere) or "_rejected" in p.parts:
            return "rejects"
        return "in place"

    # ---------------------------------------------------------------- a random driver (bench)
    def random_step(self) -> list[str]:
        """One random step, as the hypothesis machine would take it; returns violations."""
        r = self.rng
        self.counts.steps += 1
        self.last = ""
        if self.crashed:
            bad = self.restart()
        else:
            k = r.random()
            crash = r.randint(1, 40) if r.random() < 0.25 else None
            fault = r.randint(1, 40) if crash is None and r.random() < 0.15 else None
            self.last = f"k={k:.2f} crash={crash} fault={fault} marked={sorted(self.marked)}"
            if k < 0.3:
                self.mark([r.randrange(100) for _ in range(r.randint(1, 4))])
                bad = []
            elif k < 0.75:
                bad = self.move(r.choice(["trash", "rejects", "elsewhere"]), crash, fault)
            else:
                bad = self.undo(crash, fault)
        return bad + self.check()
