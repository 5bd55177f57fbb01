#!/usr/bin/env python3
"""Loupe benchmark: is the next photo ready before the user asks for it?

    PYTHONPATH=. python bench/loupe.py [--photos 12] [--edge 2560] [--work DIR]

Builds (once, cached in --work) 24-MP JPEGs (6000x4000, q=90) from the demo photos. Measures, in
one run, with the loupe on the offscreen platform:
  decode   the background decode of one screen-sized picture (a neighbour being prefetched)
  step     the GUI thread's work for an arrow key when the next picture is prefetched: from the
           key to the new photo painted (the user sees this)
  cold     the same step when nothing was prefetched: key to the new photo painted (decode
           included), what the loupe would cost without prefetching
Target: a prefetched step at most 1/10 of a cold one (prefetching hides the decode), a ratio
measured in the same run, so a loaded machine slows both alike. The decode time is printed for
reference: it is how long the user must dwell on a photo for the next to be ready. Not run in
CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_folder(folder: Path, count: int) -> Path:
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    src = [
        np.asarray(Image.open(p).convert("RGB"))
        for p in sorted((ROOT / "resources" / "demo").glob("*.*"))
        if p.suffix in (".png", ".jpg")
    ]
    for i in range(count):
        path = folder / f"DSC_{i:05d}.jpg"
        if not path.exists():
            im = Image.fromarray(src[i % len(src)]).resize((6000, 4000), Image.BICUBIC)
            im.save(path, "JPEG", quality=90)
    return folder


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=12)
    ap.add_argument("--edge", type=int, default=2560)
    ap.add_argument("--work", type=Path, default=Path("/tmp/reviewer-bench-loupe"))
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = make_folder(args.work / "photos", args.photos)

    import tempfile

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from reviewer.gui.display_images import load_display_image
    from reviewer.gui.main_window import MainWindow
    from reviewer.gui.settings import AppSettings

    app = QApplication(sys.argv[:1])
    tmp = tempfile.TemporaryDirectory()
    window = MainWindow(
        AppSettings(QSettings(str(Path(tmp.name) / "s.ini"), QSettings.Format.IniFormat))
    )
    window.show()

    def wait(cond: object, timeout: float = 120.0) -> None:
        end = time.perf_counter() + timeout
        while not cond():  # type: ignore[operator]
            app.processEvents()
            if time.perf_counter() > end:
                raise SystemExit("timed out")
            time.sleep(0.001)

    window.open_folder(folder)
    wait(lambda: window.model.rowCount() == args.photos)
    window.cancel_scoring()
    wait(lambda: not window.scoring_active)
    paths = [r.path for r in window.model.records]

    decodes = []
    for path in paths[:4]:
        t = time.perf_counter()
        load_display_image(path, args.edge)
        decodes.append(time.perf_counter() - t)

    window.select_record(window.model.records[0])
    window.open_loupe()
    loupe = window.loupe
    assert loupe is not None
    loupe.images.long_edge = args.edge
    canvas = loupe.canvas

    def shown_and_painted(path: Path) -> None:
        wait(lambda: loupe.shown_path == path)
        canvas.viewport().repaint()  # the paint of the new picture, at the loupe's size

    steps, colds = [], []
    for i in range(1, len(paths) - 2):
        # warm: the neighbours were prefetched while the user looked at this photo
        wait(lambda i=i: loupe.images.get(paths[i]) is not None)
        t = time.perf_counter()
        loupe.step(1)
        shown_and_painted(paths[i])
        steps.append(time.perf_counter() - t)
    # cold: nothing prefetched (the cache emptied before each step)
    window.select_record(window.model.records[0])
    for i in range(1, min(len(paths), 6)):
        wait(lambda: not loupe.images._pending)
        loupe.images.clear()
        t = time.perf_counter()
        loupe.step(1)
        shown_and_painted(paths[i])
        colds.append(time.perf_counter() - t)
    loupe.close()
    window.close()
    tmp.cleanup()

    step, cold, decode = (statistics.median(x) * 1000 for x in (steps, colds, decodes))
    rows = [
        ("step, prefetched", f"{step:.1f} ms", "<= cold / 10", step <= cold / 10),
        ("step, cold", f"{cold:.0f} ms", "(reference)", None),
        ("decode (background)", f"{decode:.0f} ms", "(reference)", None),
    ]
    print(f"loupe, {args.photos} photos 6000x4000, screen-sized edge {args.edge} px (medians)")
    print(f"{'measure':24} {'value':>10}  {'target':14} result")
    for name, value, target, ok in rows:
        result = "" if ok is None else "MET" if ok else "NOT MET"
        print(f"{name:24} {value:>10}  {target:14} {result}")
    print(f"prefetching makes a step {cold / max(step, 1e-6):.0f}x faster than a cold one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
