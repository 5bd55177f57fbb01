"""The Preferences dialog: every choice is used at once and restored on the next start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog
from pytestqt.qtbot import QtBot

from reviewer.gui.main_window import MainWindow
from reviewer.gui.preferences import PreferencesDialog, load_preferences, valid_rejects_folder
from reviewer.gui.settings import AppSettings


@pytest.fixture
def keep_app_looks(qapp: QApplication) -> Iterator[None]:
    """The dialog sets the light theme on the application: put its looks back after."""
    before, style = qapp.palette(), qapp.style().name()
    yield
    qapp.setStyle(style)
    qapp.setPalette(before)


@pytest.mark.usefixtures("keep_app_looks")
def test_preferences_apply_and_are_restored(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = str(tmp_path / "settings.ini")
    settings = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
    w = MainWindow(settings, jobs=1)
    qtbot.addWidget(w)
    rejects = tmp_path / "elsewhere" / "rejects"
    rejects.mkdir(parents=True)
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(rejects))
    )

    def fill() -> None:
        d = getattr(w, "preferences_dialog", None)
        if not isinstance(d, PreferencesDialog) or not d.isVisible():
            QTimer.singleShot(10, fill)
            return
        d.method_combo.setCurrentIndex(d.method_combo.findData("laplacian"))
        d.threshold_spin.setValue(123.0)
        d.style_combo.setCurrentIndex(d.style_combo.findData("darktable"))
        d.auto_write_box.setChecked(True)
        d.choose_button.click()  # the folder chooser: an absolute path
        d.size_spin.setValue(160)
        d.recursive_box.setChecked(True)
        d.theme_combo.setCurrentIndex(d.theme_combo.findData("light"))
        d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, fill)
    w.preferences_action.trigger()
    assert w.method == "laplacian" and w.model.threshold == 123.0
    assert w.delegate.thumbnail_size == 160
    assert w.recursive and w.recursive_action.isChecked()
    assert w.theme_actions["light"].isChecked()
    w.close()

    again = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
    prefs = load_preferences(again, again.method() or "")
    assert prefs.method == "laplacian" and prefs.threshold == 123.0
    assert prefs.sidecar_style == "darktable" and prefs.auto_write_sidecars
    assert prefs.move_destination == "folder" and prefs.rejects_folder == str(rejects)
    assert (prefs.thumbnail_size, prefs.recursive, prefs.theme) == (160, True, "light")
    w2 = MainWindow(again, jobs=1)
    qtbot.addWidget(w2)
    assert w2.method == "laplacian" and w2.model.threshold == 123.0
    assert w2.delegate.thumbnail_size == 160 and w2.recursive
    w2.close()


def test_rejects_folder_must_be_a_name_or_an_absolute_path(qtbot: QtBot, tmp_path: Path) -> None:
    assert valid_rejects_folder("_rejected") and valid_rejects_folder(str(tmp_path))
    assert not valid_rejects_folder("a/b") and not valid_rejects_folder("..")
    assert not valid_rejects_folder("  ")
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    d = PreferencesDialog(load_preferences(settings, "focus"))
    qtbot.addWidget(d)
    ok = d.buttons.button(QDialogButtonBox.StandardButton.Ok)
    d.folder_edit.setText("a/b")
    assert not ok.isEnabled()
    d.folder_edit.setText(str(tmp_path))
    assert ok.isEnabled()
    settings.set_rejects_folder(str(tmp_path))
    assert settings.rejects_folder() == str(tmp_path)  # no longer silently ignored
