"""Batch scoring in worker processes: rows for every photo, a crash costs only its own row."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import pytest

from reviewer.core.batch import (
    PhotoResult,
    ScoringJob,
    init_background_worker,
    init_worker,
    score_file,
    score_files,
)
from tests.imagegen import dead_leaves, defocus


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("photos")
    scene = dead_leaves(640, 480, seed=2)
    out = []
    for i in range(6):
        p = folder / f"p{i}.jpg"
        cv2.imwrite(str(p), (scene if i % 2 == 0 else defocus(scene, 5))[:, :, ::-1])
        out.append(p)
    return out


def test_every_photo_gets_a_row(photos: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "empty.jpg"
    bad.write_bytes(b"")
    results = list(score_files([*photos, bad], jobs=2))
    assert sorted(r.path for r in results) == sorted([*photos, bad])
    by_path = {r.path: r for r in results}
    assert by_path[bad].verdict == "error" and by_path[bad].error
    assert [by_path[p].verdict for p in photos] == ["sharp", "blurry"] * 3


def test_a_worker_that_dies_loses_only_its_own_row(
    photos: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # REVIEWER_TEST_KILL_ON stands in for a native decoder that crashes on one file (or the
    # OOM killer): its worker is SIGKILLed when it gets that file
    crash = tmp_path / "crash.jpg"
    crash.write_bytes(photos[0].read_bytes())
    monkeypatch.setenv("REVIEWER_TEST_KILL_ON", crash.name)
    paths = [*photos[:3], crash, *photos[3:]]
    results = list(ScoringJob(paths, jobs=2).results())
    assert sorted(r.path for r in results) == sorted(paths)
    by_path = {r.path: r for r in results}
    assert by_path[crash].verdict == "error"
    assert "worker died" in (by_path[crash].error or "")
    assert "SIGKILL" in (by_path[crash].error or "")
    assert all(by_path[p].score is not None for p in photos)
    assert multiprocessing.active_children() == []


def test_the_pool_recovers_from_a_worker_death_on_every_worker(
    photos: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same file three times over (three names, one per worker life): every death is
    # replaced and every other photo still scored
    monkeypatch.setenv("REVIEWER_TEST_KILL_ON", "crash.jpg")
    crashes = []
    for i in range(3):
        (tmp_path / str(i)).mkdir()
        crash = tmp_path / str(i) / "crash.jpg"
        crash.write_bytes(b"never read")
        crashes.append(crash)
    paths = [crashes[0], *photos[:2], crashes[1], crashes[2], *photos[2:]]
    results = list(ScoringJob(paths, jobs=1).results())
    assert [r.path for r in results] == paths  # one worker: in order
    assert [r.verdict == "error" for r in results] == [p in crashes for p in paths]


def test_a_hung_read_times_out_and_its_worker_is_replaced(
    photos: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # REVIEWER_TEST_HANG_ON makes the worker's read of that file block for ever, as on a dead
    # device: no CPU time, no bytes read. The watchdog stops it after the read timeout.
    hung = tmp_path / "hung.jpg"
    hung.write_bytes(photos[0].read_bytes())
    monkeypatch.setenv("REVIEWER_TEST_HANG_ON", hung.name)
    paths = [photos[0], hung, *photos[1:]]
    job = ScoringJob(paths, jobs=2, read_timeout=1.0)
    results = list(job.results())
    assert sorted(r.path for r in results) == sorted(paths)
    by_path = {r.path: r for r in results}
    assert "timed out reading" in (by_path[hung].error or "")
    assert all(by_path[p].score is not None for p in photos)
    assert multiprocessing.active_children() == []


def test_special_files_are_refused_before_any_open(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jpg"
    zero.symlink_to("/dev/zero")
    dangling = tmp_path / "dangling.jpg"
    dangling.symlink_to(tmp_path / "nowhere.jpg")
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    folder = tmp_path / "folder.jpg"
    folder.mkdir()
    # score_file would block for ever on the FIFO if it opened it: run it on a daemon thread
    # and give up waiting after a minute (on today's main it never returns)
    errors: dict[str, str] = {}

    def score_all() -> None:
        for p in (fifo, zero, dangling, loop, folder):
            errors[p.name] = score_file(p).error or ""

    thread = threading.Thread(target=score_all, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), f"score_file blocked after {sorted(errors)}"
    assert "FIFO" in errors["pipe.jpg"]
    assert "character device" in errors["zero.jpg"]
    assert "broken symbolic link" in errors["dangling.jpg"]
    assert "symbolic link loop" in errors["loop.jpg"]
    assert "directory" in errors["folder.jpg"]


def test_cancel_stops_early(photos: list[Path]) -> None:
    job = ScoringJob(photos * 5, jobs=1)
    seen = []
    for r in job.results():
        seen.append(r)
        job.cancel()
    assert 1 <= len(seen) < len(photos) * 5
    assert job.cancelled


def test_prioritize_moves_queued_photos_first(photos: list[Path]) -> None:
    job = ScoringJob(photos, jobs=1)
    job.prioritize([photos[5], photos[4]])
    assert list(job._queue)[:2] == [photos[5], photos[4]]


def test_queue_keeps_the_callers_paths_and_takes_strings(photos: list[Path]) -> None:
    # a window hands over thousands of Path objects on its GUI thread: they are queued as they
    # are, not parsed again (Path(a_path) costs 2-3 ms per 1,000)
    job = ScoringJob([photos[0], str(photos[1])], jobs=1)
    queued = list(job._queue)
    assert queued[0] is photos[0]
    assert queued[1] == photos[1] and isinstance(queued[1], Path)


def test_background_jobs_start_idle_workers_and_the_command_line_plain_ones(
    photos: list[Path],
) -> None:
    # the window's event loop stays responsive only with idle-class workers (background=True)
    assert ScoringJob(photos, jobs=1, background=True).initializer is init_background_worker
    assert ScoringJob(photos, jobs=1).initializer is init_worker


def test_unknown_method_fails_early(photos: list[Path]) -> None:
    with pytest.raises(ValueError, match="unknown scoring method"):
        ScoringJob(photos, method="nope")


def test_cancel_from_another_thread_leaves_no_worker_process(photos: list[Path]) -> None:
    job = ScoringJob(photos * 10, jobs=2)
    first = threading.Event()
    seen: list[PhotoResult] = []

    def consume() -> None:
        for r in job.results():
            seen.append(r)
            first.set()

    thread = threading.Thread(target=consume)
    thread.start()
    assert first.wait(60)
    job.cancel()
    thread.join(30)
    assert not thread.is_alive()
    # once results() has returned, its worker processes are gone, not merely told to go
    assert multiprocessing.active_children() == []
    assert len(seen) < len(photos) * 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_workers_reuse_the_memory_of_the_previous_photo(tmp_path: Path) -> None:
    # Each in a fresh interpreter, so that the test process's allocator is left as it is: score
    # one photo, then count the page faults of scoring the next ones. Without keep_freed_memory
    # glibc hands every image plane back to the OS and faults it in again (~10,000 faults a
    # photo); with it the planes are reused.
    photo = tmp_path / "big.jpg"
    cv2.imwrite(str(photo), dead_leaves(3000, 2000, seed=4), [cv2.IMWRITE_JPEG_QUALITY, 92])
    code = (
        "import resource, sys\n"
        "from reviewer.core.batch import keep_freed_memory, score_file\n"
        "if sys.argv[1] == 'keep':\n"
        "    assert keep_freed_memory()\n"
        "score_file(sys.argv[2], 'focus', None, False)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(3):\n"
        "    score_file(sys.argv[2], 'focus', None, False)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )

    def faults(mode: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", code, mode, str(photo)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return int(out.stdout.strip())

    kept, default = faults("keep"), faults("default")
    assert kept * 5 < default, (kept, default)
