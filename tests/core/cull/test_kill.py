"""A real `kill -9` of a process in the middle of moving 300 files to the trash, then the
start-up reconcile: nothing lost or duplicated, no shot split, no orphan .trashinfo, and undo
from the journal alone brings every file back byte for byte."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reviewer.core.cull.journal import MoveJournal
from reviewer.core.cull.moves import home_trash_dir, startup_batches, undo_batch
from tests.core.cull.shots import make_shot

REPO = Path(__file__).resolve().parents[3]

CHILD = """
import sys, time
from pathlib import Path
from reviewer.core.cull import faults
from reviewer.core.cull.journal import MoveJournal
from reviewer.core.cull.moves import FileGroup, move_to_trash

shoot, journal = Path(sys.argv[1]), MoveJournal(Path(sys.argv[2]))
shots = {}
for p in sorted(shoot.iterdir()):
    shots.setdefault(p.name.split(".")[0], []).append(p)
groups = [FileGroup(stem, tuple(files)) for stem, files in sorted(shots.items())]

def slow(op, path, other):  # widen the window a little; the kill itself is real
    if op == "rename":
        time.sleep(0.002)

with faults.installed(slow):
    move_to_trash(groups, journal, root=shoot)
print("finished")
"""


def test_kill_9_mid_move_then_restart(tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shots = [make_shot(shoot, f"IMG_{i:03d}", size=500) for i in range(100)]
    originals = {hashlib.sha256(p.read_bytes()).hexdigest(): p for s in shots for p in s.files}
    journal = MoveJournal(tmp_path / "state" / "moves.jsonl")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(shoot), str(journal.path)],
        env=env,
        stdout=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if journal.path.exists() and journal.path.read_bytes().count(b'"e":"moved"') >= 20:
            break
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the mover finished before it could be killed"

    report, batches = startup_batches(journal)

    trash = home_trash_dir()
    found: dict[str, list[Path]] = {}
    for root in (shoot, trash / "files"):
        for p in root.iterdir():
            found.setdefault(hashlib.sha256(p.read_bytes()).hexdigest(), []).append(p)
    assert set(found) == set(originals)  # nothing lost, nothing unknown
    assert all(len(v) == 1 for v in found.values())  # nothing duplicated
    for s in shots:
        assert len({p.exists() for p in s.files}) == 1, f"{s.stem} split"
    infos = {p.name[: -len(".trashinfo")] for p in (trash / "info").iterdir()}
    assert infos == {p.name for p in (trash / "files").iterdir()}  # no orphan .trashinfo
    moved = sum(len(b.moves) for b in batches)
    assert 60 <= moved < 300
    for b in batches:
        assert undo_batch(b.batch_id, journal).failures == []
    for h, p in originals.items():
        assert hashlib.sha256(p.read_bytes()).hexdigest() == h
    assert list((trash / "info").iterdir()) == []
    assert report.problems == []
