"""Start the window: `run_app` (called by the CLI) and the bundled demo folder."""

from __future__ import annotations

import gc
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from reviewer.app_log import start_log_file
from reviewer.gui.first_run import show_first_run
from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import APPLICATION, ORGANIZATION, AppSettings
from reviewer.gui.theme import apply_theme, as_theme
from reviewer.gui.window_state import DEFAULT_SIZE
from reviewer.gui.workers import prestart_worker_server

SCREENSHOT_TIMEOUT_MS = 180_000
SETTLE_MS = 300  # let the last thumbnails and repaints land before grabbing
DESKTOP_ID = "org.reviewerapp.Reviewer"  # the .desktop file's name: docks match windows by it
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

log = logging.getLogger("reviewer.app")


def resource_dir(name: str) -> Path:
    """A folder of `resources/`: at the root of a source checkout (beside the `reviewer`
    package), else `reviewer/resources/NAME` inside an installed package (the wheel's
    package-data). Raises FileNotFoundError when neither exists."""
    package = Path(__file__).resolve().parents[1]
    candidates = [package.parent / "resources" / name, package / "resources" / name]
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError(
        f"resources/{name} is missing: looked in " + ", ".join(str(c) for c in candidates)
    )


def app_icon() -> QIcon:
    """The app icon at every size it ships (an empty icon when the files are missing)."""
    icon = QIcon()
    try:
        icons = resource_dir("icons")
    except FileNotFoundError:
        return icon
    for size in ICON_SIZES:
        png = icons / f"reviewer-{size}.png"
        if png.is_file():
            icon.addFile(str(png))
    return icon


def demo_folder() -> Path:
    """The bundled demo photos.

    Looked up, in order: $REVIEWER_DEMO_DIR; `resources/demo` at the root of a source checkout
    (beside the `reviewer` package); `reviewer/resources/demo` inside an installed package (the
    wheel's package-data). Raises FileNotFoundError when none exists.
    """
    if (env := os.environ.get("REVIEWER_DEMO_DIR")) and Path(env).is_dir():
        return Path(env)
    return resource_dir("demo")


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication(sys.argv[:1])
    QGuiApplication.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(app_icon())
    return app


def exception_hook(
    parent: Callable[[], QWidget | None], log_path: Path | None
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """An excepthook that logs an unexpected exception and tells the user where the log is,
    instead of the window vanishing or the error going only to a terminal nobody sees."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        text = "".join(traceback.format_exception(kind, exc, tb))
        log.error("unexpected error\n%s", text)
        sys.stderr.write(text)
        where = (
            f"The details are in the log:\n{log_path}"
            if log_path
            else "No log file could be written."
        )
        box = QMessageBox(parent())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Reviewer: unexpected error")
        box.setText(
            f"Something went wrong: {kind.__name__}: {exc}\n\n"
            "Your photos and decisions are safe; you can go on working.\n" + where
        )
        box.setDetailedText(text)
        box.exec()

    return hook


def split_start_path(path: Path | None) -> tuple[Path | None, Path | None]:
    """(folder to open, photo to select): a photo opens its folder with it selected, as a file
    manager's "Open with Reviewer" expects."""
    if path is None or path.is_dir():
        return path, None
    return path.parent, path


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
    folder, selected = split_start_path(Path(folder) if folder is not None else None)
    if folder is not None and not folder.is_dir():
        print(f"reviewer: not a folder or photo: {folder}", file=sys.stderr)
        return 2
    prestart_worker_server()  # fork the worker server while this process is still small
    log_path = start_log_file()
    app = _application()
    settings = AppSettings()
    apply_theme(app, as_theme(settings.theme()))
    window = MainWindow(settings, method=method)
    if screenshot is not None:  # the same picture whatever the screen (there may be none)
        window.resize(DEFAULT_SIZE)
    start = _start_folder(folder, settings)
    if selected is not None:
        window.folderLoaded.connect(lambda _n: _select_path(window, selected))
    window.show()
    gc.collect()
    gc.freeze()  # start-up objects never become garbage; keep them out of later collections
    if start is not None:
        # without --recursive, the saved Include Subfolders choice applies
        window.open_folder(start, recursive=True if recursive else None)
    if screenshot is None:
        log.info("window started (log %s)", log_path)
        show_first_run(window, settings)  # once: a short tour of the window
        previous = sys.excepthook
        sys.excepthook = exception_hook(lambda: window, log_path)
        try:
            return int(app.exec())
        finally:
            sys.excepthook = previous

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


def _select_path(window: MainWindow, path: Path) -> None:
    for record in window.model.records:
        if path in record.shot.photo_paths:
            window.select_record(record)
            return


def _blurriest(window: MainWindow) -> object:
    scored = [r for r in window.model.records if r.score is not None]
    if not scored:
        return window.current_record()
    return min(scored, key=lambda r: r.score.value if r.score else 0.0)
