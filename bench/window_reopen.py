"""Reopening a scored folder in the window: every score shown at once, from the catalog.

    PYTHONPATH=$PWD .venv/bin/python bench/window_reopen.py [--count 1000] [--keep]

Builds COUNT small JPEGs (copies of the bundled demo photos made unique by bytes after their
end-of-image marker, which decoders ignore, so each copy scores as its source), scores each
demo photo once for real and stores that score for each of its copies in a fresh catalog
(REVIEWER_DATA_DIR), as a first scoring run would. Then, in this one run, with the window
offscreen:

  listing only   the window opens the folder with an empty catalog: the grid filled, unscored;
  reopen         the window opens the folder again with the catalog: the grid filled, every
                 photo scored from the cache (no decoding), marks shown.

Each time is from open_folder() to folderLoaded. Target: reopen <= 1 s for the whole grid
scored; the ratio reopen / listing only says what reading the cache adds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REOPEN_TARGET_S = 1.0


def make_folder(folder: Path, count: int) -> dict[Path, Path]:
    """COUNT photos; returns each one's source demo photo."""
    sources = sorted((ROOT / "resources" / "demo").glob("*.jpg"))
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in range(count):
        src = sources[i % len(sources)]
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(src.read_bytes() + f"reviewer-bench-{i}".encode())
        out[path] = src
    return out


def open_timed(window: object, folder: Path, app: object) -> float:
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    window.folderLoaded.connect(loop.quit)  # type: ignore[attr-defined]
    start = time.perf_counter()
    window.open_folder(folder)  # type: ignore[attr-defined]
    loop.exec()
    elapsed = time.perf_counter() - start
    window.folderLoaded.disconnect(loop.quit)  # type: ignore[attr-defined]
    window.cancel_scoring()  # type: ignore[attr-defined]
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="reviewer-window-reopen-"))
    os.environ["REVIEWER_DATA_DIR"] = str(tmp / "data")
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    os.environ["XDG_DATA_HOME"] = str(tmp / "share")
    try:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from reviewer.core.batch import score_file
        from reviewer.core.cull.catalog_db import Catalog, Marks
        from reviewer.core.cull.score_cache import CacheWriter
        from reviewer.core.scoring import DEFAULT_METHOD
        from reviewer.gui.main_window import MainWindow
        from reviewer.gui.settings import AppSettings

        app = QApplication.instance() or QApplication(sys.argv)
        folder = tmp / "shoot"
        source_of = make_folder(folder, args.count)
        settings = AppSettings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))

        # listing only: an empty catalog
        w = MainWindow(settings, jobs=1)
        t_list = open_timed(w, folder, app)
        listed = w.model.rowCount()
        w.close()

        # what a first scoring run leaves in the catalog (one real score per demo photo)
        import dataclasses

        scored = {src: score_file(src, DEFAULT_METHOD) for src in set(source_of.values())}
        catalog = Catalog(tmp / "data" / "catalog.sqlite3")
        with CacheWriter(catalog) as cache:
            for path, src in source_of.items():
                cache.add(dataclasses.replace(scored[src], path=path))
        catalog.set_marks({p: Marks("reject") for p in list(source_of)[::10]})
        catalog.close()

        w = MainWindow(settings, jobs=1)
        t_reopen = open_timed(w, folder, app)
        counts = w.model.counts()
        w.close()

        ok = counts.scored == args.count and counts.rejected == len(list(source_of)[::10])
        rows = [
            (f"listing only ({listed} shots, none scored)", f"{t_list * 1000:.0f} ms", "", ""),
            (
                f"reopen ({counts.photos} shots, {counts.scored} scored, "
                f"{counts.rejected} rejected)",
                f"{t_reopen * 1000:.0f} ms",
                f"<= {REOPEN_TARGET_S:g} s, all scored",
                "MET" if t_reopen <= REOPEN_TARGET_S and ok else "NOT MET",
            ),
            ("reopen / listing only", f"{t_reopen / t_list:.2f}x", "", ""),
        ]
        print(f"{args.count} photos, method {DEFAULT_METHOD}, folder {folder}")
        header = ("measure", "value", "target", "status")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        for r in [header, *rows]:
            print("  ".join(c.ljust(wd) for c, wd in zip(r, widths, strict=True)).rstrip())
        return 0 if t_reopen <= REOPEN_TARGET_S and ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
