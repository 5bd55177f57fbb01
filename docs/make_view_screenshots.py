"""Screenshots of the loupe and the compare view on the bundled demo folder, for the README.

    PYTHONPATH=. python docs/make_view_screenshots.py [OUT_DIR]   (default: docs/)

Writes screenshot-loupe.png and screenshot-compare.png (1280 x 800). Runs without a display
(Qt's offscreen platform) unless QT_QPA_PLATFORM says otherwise; settings go to a temporary
file, never the user's. The grid and the detail view come from `reviewer FOLDER --screenshot`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

SIZE = (1280, 800)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.gui.app import demo_folder
    from reviewer.gui.main_window import MainWindow
    from reviewer.gui.settings import AppSettings
    from reviewer.gui.theme import apply_theme

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    apply_theme(app, "dark")
    tmp = tempfile.TemporaryDirectory()
    settings = AppSettings(QSettings(str(Path(tmp.name) / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings)
    window.show()
    done = {"code": 1}

    def by_name(name: str) -> int:
        for row in range(window.proxy.rowCount()):
            if window.proxy.index(row, 0).data().startswith(name):
                return row
        raise SystemExit(f"{name} is not in the demo folder")

    def loupe() -> None:
        window.set_sort_key("name", by_user=True)
        window.view.setCurrentIndex(window.proxy.index(by_name("chelsea_soft"), 0))
        window.open_loupe()
        view = window.loupe
        assert view is not None
        view.showNormal()  # a window of the pictures' size rather than the whole screen
        view.resize(*SIZE)
        view.shown.connect(lambda _p: QTimer.singleShot(400, grab_loupe))

    def grab_loupe() -> None:
        assert window.loupe is not None
        window.loupe.grab().save(str(out / "screenshot-loupe.png"))
        window.loupe.close()
        selection = QItemSelection()
        for name in ("rocket.jpg", "rocket_shake", "rocket_soft"):
            idx = window.proxy.index(by_name(name), 0)
            selection.select(idx, idx)
        window.view.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        window.open_compare()
        view = window.compare
        assert view is not None
        view.showNormal()
        view.resize(*SIZE)
        view.loaded.connect(lambda: QTimer.singleShot(400, grab_compare))

    def grab_compare() -> None:
        view = window.compare
        assert view is not None
        group = view.group
        assert group is not None
        view.decide("keep")  # the sharp frame, kept; its shaken twin rejected
        view.set_active(1)
        view.decide("reject")
        view.set_active(0)
        group.zoom_by(2.5)
        view.grab().save(str(out / "screenshot-compare.png"))
        done["code"] = 0
        view.close()
        window.close()
        app.quit()

    window.scoringFinished.connect(lambda _c: QTimer.singleShot(300, loupe))
    window.open_folder(demo_folder())
    QTimer.singleShot(180_000, app.quit)
    app.exec()
    tmp.cleanup()
    return done["code"]


if __name__ == "__main__":
    sys.exit(main())
