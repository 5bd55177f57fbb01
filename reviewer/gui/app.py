"""Start the window: `run_app` (called by the CLI) and the bundled demo folder."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import APPLICATION, ORGANIZATION, AppSettings
from reviewer.gui.workers import prestart_worker_server

SCREENSHOT_TIMEOUT_MS = 180_000
SETTLE_MS = 300  # let the last thumbnails and repaints land before grabbing


def demo_folder() -> Path:
    """The bundled demo photos.

    Looked up, in order: $REVIEWER_DEMO_DIR; `resources/demo` at the root of a source checkout
    (beside the `reviewer` package); `reviewer/resources/demo` inside an installed package (the
    wheel's package-data). Raises FileNotFoundError when none exists.
    """
    candidates = []
    if env := os.environ.get("REVIEWER_DEMO_DIR"):
        candidates.append(Path(env))
    package = Path(__file__).resolve().parents[1]
    candidates += [package.parent / "resources" / "demo", package / "resources" / "demo"]
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError(
        "the demo folder is missing: looked in " + ", ".join(str(c) for c in candidates)
    )


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    return QApplication(sys.argv[:1])


def _start_folder(folder: Path | None, settings: AppSettings) -> Path | None:
    if folder is not None:
        return folder
    for recent in settings.recent_folders():
        if recent.is_dir():
            return recent
    try:
        return demo_folder()
    except FileNotFoundError:
        return None


def run_app(
    folder: Path | None,
    *,
    recursive: bool = False,
    screenshot: Path | None = None,
    method: str | None = None,
    detail_screenshot: Path | None = None,
) -> int:
    """Open the window on `folder` (else the last folder, else the demo) and run the app.

    With `screenshot`, render the window once every photo is scored, save it as PNG and exit
    (exit code 0, or 1 when scoring did not finish in time). With `detail_screenshot` too, the
    detail view of the blurriest photo is saved as well.
    """
    prestart_worker_server()  # fork the worker server while this process is still small
    app = _application()
    settings = AppSettings()
    if folder is not None and not Path(folder).is_dir():
        print(f"reviewer: not a folder: {folder}", file=sys.stderr)
        return 2
    window = MainWindow(settings, method=method)
    start = _start_folder(Path(folder) if folder is not None else None, settings)
    window.show()
    gc.collect()
    gc.freeze()  # start-up objects never become garbage; keep them out of later collections
    if start is not None:
        window.open_folder(start, recursive=recursive)
    if screenshot is None:
        code = app.exec()
        return int(code)

    outcome = {"code": 1}

    def grab_detail() -> None:
        if detail_screenshot is not None and window.detail is not None:
            window.detail.grab().save(str(detail_screenshot))
        outcome["code"] = 0
        window.close()
        app.quit()

    def grab() -> None:
        window.grab().save(str(screenshot))
        if detail_screenshot is None:
            outcome["code"] = 0
            window.close()
            app.quit()
            return
        window.select_record(_blurriest(window))
        window.detailLoaded.connect(lambda _: QTimer.singleShot(SETTLE_MS, grab_detail))
        window.open_detail()
        if window.detail is not None:
            window.detail.heatmap_box.setChecked(True)

    def when_scored(completed: bool) -> None:
        QTimer.singleShot(SETTLE_MS, grab)

    def give_up() -> None:
        print(
            "reviewer: scoring did not finish in time; saving the window as it is", file=sys.stderr
        )
        window.grab().save(str(screenshot))
        window.close()
        app.quit()

    window.scoringFinished.connect(when_scored)
    window.folderLoaded.connect(lambda n: n == 0 and QTimer.singleShot(SETTLE_MS, grab))
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, give_up)
    app.exec()
    return outcome["code"]


def _blurriest(window: MainWindow) -> object:
    scored = [r for r in window.model.records if r.score is not None]
    if not scored:
        return window.current_record()
    return min(scored, key=lambda r: r.score.value if r.score else 0.0)
