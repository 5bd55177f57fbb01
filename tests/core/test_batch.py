"""Batch scoring in worker processes: rows for every photo, a crash costs only its own row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import Future, ProcessPoolExecutor
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


def _crashing_score_file(
    path: Path, method: str, threshold: float | None, explain: bool
) -> PhotoResult:
    """Stands in for a native decoder that segfaults on one particular file."""
    if "crash" in path.name:
        os.kill(os.getpid(), signal.SIGSEGV)
    return score_file(path, method, threshold, explain)


class CrashingJob(ScoringJob):
    def _submit(self, ex: ProcessPoolExecutor, path: Path) -> Future[PhotoResult]:
        return ex.submit(_crashing_score_file, path, self.method, self.threshold, self.explain)


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


def test_a_crashing_decoder_loses_only_its_own_row(photos: list[Path], tmp_path: Path) -> None:
    crash = tmp_path / "crash.jpg"
    crash.write_bytes(photos[0].read_bytes())
    paths = [*photos[:3], crash, *photos[3:]]
    results = list(CrashingJob(paths, jobs=2).results())
    assert sorted(r.path for r in results) == sorted(paths)
    by_path = {r.path: r for r in results}
    assert by_path[crash].verdict == "error" and "crashed" in (by_path[crash].error or "")
    assert all(by_path[p].score is not None for p in photos)


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
    import multiprocessing
    import threading

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
