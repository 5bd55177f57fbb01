#!/usr/bin/env python3
"""GUI benchmarks: start-up to first painted screen, event-loop stalls during a scan, memory.

    python bench/gui.py [--photos 1000] [--memory-photos 10000] [--work /tmp/reviewer-bench]

Builds (once, cached in --work) a folder of 24-MP JPEGs (6000x4000, camera-like: EXIF with an
embedded 160x120 thumbnail, q=90). To keep that quick, 24 distinct photos are encoded and the
rest of the folder are hard links to them: every path is a separate photo to the app (decoded
and scored on its own), but the disk holds 24 files. Not run in CI.

Measures, each in a fresh process:
  startup  time from process start to the first painted screen of thumbnails (target 1.5 s)
  stall    longest gap of a 5 ms QTimer while the folder is opened and scored (target 50 ms),
           from once the window is up, with a fresh catalog (never the user's); printed with
           the GUI thread's time working and waiting for a core in the longest stalls, and
           after an idle window's longest gap in the same run (the machine's own noise).
           --profile runs it under py-spy and prints what every thread ran in each stall
           (bench/stall_profile.py; py-spy from PyPI, not a dependency: --py-spy PATH)
  memory   peak RSS with --memory-photos loaded and the whole grid scrolled through (1 GB)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from stall_profile import STALL_LOG_ENV, SYNC_ENV, StallProbe, report, summary

T_START = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
DISTINCT = 24
IDLE_S = 15.0  # the idle baseline's length


def make_folder(folder: Path, count: int) -> Path:
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    base_dir = folder.parent / "_bases"
    base_dir.mkdir(exist_ok=True)
    src = [
        np.asarray(Image.open(p).convert("RGB"))
        for p in sorted((ROOT / "resources" / "demo").glob("*.*"))
        if p.suffix in (".png", ".jpg")
    ]
    bases = []
    for i in range(DISTINCT):
        path = base_dir / f"base_{i:02d}.jpg"
        if not path.exists():
            im = Image.fromarray(src[i % len(src)]).resize((6000, 4000), Image.BICUBIC)
            thumb = im.resize((160, 107))
            exif = Image.Exif()
            exif[0x0110] = "BENCH CAMERA"
            im.save(path, "JPEG", quality=90, exif=exif.tobytes())
            # Pillow cannot embed an EXIF thumbnail; photos then decode at reduced DCT scale
            del thumb
        bases.append(path)
    for i in range(count):
        dst = folder / f"DSC_{i:05d}.jpg"
        if not dst.exists():
            os.link(bases[i % DISTINCT], dst)
    return folder


def child(mode: str, folder: str) -> None:
    """Runs in a fresh process; prints one JSON line."""
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from reviewer.gui.main_window import MainWindow
    from reviewer.gui.settings import AppSettings
    from reviewer.gui.workers import prestart_worker_server

    prestart_worker_server()
    app = QApplication([])
    settings = AppSettings(
        QSettings(
            str(Path(os.environ.get("XDG_DATA_HOME", Path(folder).parent)) / f"{mode}.ini"),
            QSettings.Format.IniFormat,
        )
    )
    w = MainWindow(settings)
    w.resize(1400, 900)
    w.show()
    out: dict[str, float] = {}
    if mode == "startup":

        def check() -> None:
            # every painted cell has its thumbnail: the loader has nothing left to do
            if w.delegate.painted_cells and len(w.cache) and w.loader.is_idle():
                w.view.viewport().repaint()
                out["first_screen_s"] = time.perf_counter() - T_START
                app.quit()

        poll = QTimer(interval=5)
        poll.timeout.connect(check)
        poll.start()
        w.open_folder(Path(folder))
        app.exec()
    elif mode in ("stall", "idle"):
        # idle: the same window with no folder for IDLE_S, the machine's own noise (other
        # processes taking the cores) as a baseline for the scan's stalls in the same run
        clock = QElapsedTimer()
        gaps: list[int] = []
        last = [0]
        log_path = os.environ.get(STALL_LOG_ENV)
        probe = StallProbe()

        def tick() -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now
            probe.tick()

        # the clock starts once the window is up: its first paint (fonts, style) is start-up's
        # (measured by `startup`), not the scan's
        QTest.qWaitForWindowExposed(w)
        for _ in range(3):
            app.processEvents()
        timer = QTimer(interval=5)
        timer.timeout.connect(tick)
        probe.start(sync=bool(os.environ.get(SYNC_ENV)))
        t0 = time.perf_counter()
        w.scoringFinished.connect(lambda _: app.quit())
        clock.start()
        timer.start()
        if mode == "stall":
            w.open_folder(Path(folder))
        else:
            QTimer.singleShot(int(IDLE_S * 1000), app.quit)
        app.exec()
        out["scan_s"] = time.perf_counter() - t0
        out["worst_stall_ms"] = float(max(gaps[1:] or [0]))
        out["stalls_over_50ms"] = float(sum(1 for g in gaps[1:] if g > 50))
        out["scored"] = float(w.model.counts().scored)
        out.update(probe.worst())
        if log_path:
            probe.save(Path(log_path))
    elif mode == "memory":
        bar = w.view.verticalScrollBar()

        def scroll() -> None:
            if bar.value() >= bar.maximum() and w.model.rowCount():
                w.cancel_scoring()
                QTimer.singleShot(500, app.quit)
                return
            bar.setValue(bar.value() + w.view.viewport().height())

        w.folderLoaded.connect(lambda _: stepper.start())
        stepper = QTimer(interval=20)
        stepper.timeout.connect(scroll)
        w.open_folder(Path(folder))
        app.exec()
        out["photos"] = float(w.model.rowCount())
        out["thumbnails_cached"] = float(len(w.cache))
    w.close()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run_child(mode: str, folder: Path, profile: Path | None = None) -> dict[str, float]:
    """Run one measurement in a fresh process (its own session, cleaned up afterwards).
    With `profile` (a py-spy executable), the stall child runs under py-spy and each long stall
    is printed with the stacks of every thread in it (bench/stall_profile.py)."""
    import shutil
    import signal
    import tempfile

    work = folder.parent
    # A catalog of its own for each run, never the user's: with the user's, a folder scored
    # before comes back from the score cache, nothing is scored, and the stall run never ends.
    data = Path(tempfile.mkdtemp(prefix=f"{mode}-data-", dir=work))
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        REVIEWER_DATA_DIR=str(data / "reviewer"),
        XDG_DATA_HOME=str(data),
    )
    cmd = [sys.executable, __file__, "--child", mode, str(folder)]
    env[STALL_LOG_ENV] = str(work / f"{mode}-stalls.json")
    if profile is not None:
        env[SYNC_ENV] = "1"
        trace = work / "stalls-trace.json"
        cmd = [
            str(profile),
            "record",
            "--nonblocking",
            "--idle",
            "--threads",
            "-r",
            "200",
            "-f",
            "chrometrace",
            "-o",
            str(trace),
            "--",
            *cmd,
        ]
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=3600)
        finally:
            # anything the child left behind in its session (it should leave nothing)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        out.seek(0)
        text = out.read()
    shutil.rmtree(data, ignore_errors=True)
    lines = [ln for ln in text.splitlines() if ln.startswith("{")]
    if not lines:
        raise SystemExit(f"{mode} failed:\n{text[-3000:]}")
    if profile is not None:
        print(report(work / "stalls-trace.json", work / f"{mode}-stalls.json"))
    return dict(json.loads(lines[-1]))


def _waited(r: dict[str, float]) -> str:
    return f"{r['worst_waiting_ms']:.0f} ms" if "worst_waiting_ms" in r else "-"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=1000)
    ap.add_argument("--memory-photos", type=int, default=10_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/reviewer-bench"))
    ap.add_argument("--only", choices=["startup", "stall", "memory"])
    ap.add_argument(
        "--profile",
        action="store_true",
        help="stall: run under py-spy and print what every thread did in the longest stalls",
    )
    ap.add_argument("--py-spy", default="py-spy", help="the py-spy executable for --profile")
    a = ap.parse_args()
    scan = make_folder(a.work / f"jpeg24mp_{a.photos}", a.photos)
    rows = []
    if a.only in (None, "startup"):
        r = run_child("startup", scan)
        rows.append(
            (
                "first painted screen",
                f"{r['first_screen_s']:.2f} s",
                "<= 1.5 s",
                r["first_screen_s"] <= 1.5,
            )
        )
    if a.only in (None, "stall") and not a.profile:
        r = run_child("idle", scan)
        rows.append(
            (
                f"baseline: longest stall, idle window ({IDLE_S:.0f} s)",
                f"{r['worst_stall_ms']:.0f} ms",
                "(noise)",
                True,
            )
        )
        rows.append(("  of which the GUI thread waited for a core", _waited(r), "", True))
    if a.only in (None, "stall"):
        spy = None
        if a.profile:
            import shutil

            found = shutil.which(a.py_spy)
            if found is None:
                raise SystemExit(f"--profile needs py-spy (pip install py-spy); {a.py_spy}?")
            spy = Path(found)
        r = run_child("stall", scan, spy)
        rows.append(
            (
                f"longest stall, scan of {int(r['scored'])} ({r['scan_s']:.0f} s)",
                f"{r['worst_stall_ms']:.0f} ms",
                "<= 50 ms",
                r["worst_stall_ms"] <= 50,
            )
        )
        rows.append(("  of which the GUI thread waited for a core", _waited(r), "", True))
        rows.append(("  of which it worked", f"{r.get('worst_on_cpu_ms', 0):.0f} ms", "", True))
        rows.append(
            (
                "  stalls over 50 ms in the scan",
                f"{int(r['stalls_over_50ms'])}",
                "",
                True,
            )
        )
    if a.only in (None, "memory"):
        big = make_folder(a.work / f"jpeg24mp_{a.memory_photos}", a.memory_photos)
        r = run_child("memory", big)
        rows.append(
            (
                f"peak RSS, {int(r['photos'])} photos scrolled through",
                f"{r['peak_rss_mb']:.0f} MB",
                "<= 1024 MB",
                r["peak_rss_mb"] <= 1024,
            )
        )
    if a.only in (None, "stall"):
        print(summary(a.work / "stall-stalls.json"))
    print(f"{'measure':<48} {'result':>10} {'target':>12}  met")
    for name, value, target, ok in rows:
        met = "" if not target or target == "(noise)" else "yes" if ok else "NO"
        print(f"{name:<48} {value:>10} {target:>12}  {met}")


if __name__ == "__main__":
    main()
