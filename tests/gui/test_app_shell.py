"""The app around the window: icon and desktop id, opening a photo, the log, the error dialog."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from reviewer import app_log
from reviewer.gui.app import app_icon, exception_hook, resource_dir, split_start_path


def test_app_icon_has_every_shipped_size(qapp: object) -> None:
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert {16, 48, 256} <= sizes
    assert resource_dir("icons").is_dir()


def test_a_photo_opens_its_folder_with_it_selected(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_1.jpg"
    photo.write_bytes(b"x")
    assert split_start_path(photo) == (tmp_path, photo)
    assert split_start_path(tmp_path) == (tmp_path, None)
    assert split_start_path(None) == (None, None)


def test_log_file_rotates_in_the_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_LOG_DIR", str(tmp_path / "logs"))
    root = logging.getLogger("reviewer")
    before = list(root.handlers)
    try:
        path = app_log.start_log_file()
        assert path == tmp_path / "logs" / app_log.LOG_NAME
        assert app_log.start_log_file() == path  # once per process
        logging.getLogger("reviewer.test").warning("x" * 2000)
        for _ in range(app_log.MAX_BYTES // 2000 + 5):
            logging.getLogger("reviewer.test").warning("y" * 2000)
        assert (tmp_path / "logs" / f"{app_log.LOG_NAME}.1").is_file()
        assert path.stat().st_size <= app_log.MAX_BYTES
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def test_unreadable_log_dir_does_not_stop_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("REVIEWER_LOG_DIR", str(blocker / "logs"))
    assert app_log.start_log_file() is None


def test_unexpected_exception_shows_the_log_path(
    qapp: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown: list[str] = []
    # the dialog is modal; record what it would say instead of blocking the test
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    hook = exception_hook(lambda: None, tmp_path / "reviewer.log")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        hook(*sys.exc_info())  # type: ignore[arg-type]
    assert len(shown) == 1
    assert "RuntimeError: boom" in shown[0]
    assert str(tmp_path / "reviewer.log") in shown[0]
    assert "Traceback" in capsys.readouterr().err
