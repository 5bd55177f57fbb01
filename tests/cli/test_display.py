"""The window's platform choice: friendly without a display, offscreen for screenshots."""

from __future__ import annotations

import os
import subprocess
import sys

from reviewer.gui.display import NO_DISPLAY, choose_platform


def test_chosen_platform_is_kept() -> None:
    env = {"QT_QPA_PLATFORM": "wayland"}
    assert choose_platform(env, screenshot=False) is None
    assert env["QT_QPA_PLATFORM"] == "wayland"


def test_display_present_leaves_qt_to_choose() -> None:
    env = {"DISPLAY": ":0"}
    assert choose_platform(env, screenshot=False) is None
    assert "QT_QPA_PLATFORM" not in env


def test_screenshot_without_display_renders_offscreen() -> None:
    env: dict[str, str] = {}
    assert choose_platform(env, screenshot=True) is None
    assert env["QT_QPA_PLATFORM"] == "offscreen"


def test_window_without_display_says_so_in_one_line() -> None:
    env: dict[str, str] = {}
    assert choose_platform(env, screenshot=False) == NO_DISPLAY
    assert "\n" not in NO_DISPLAY


def _headless_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    return env


def test_cli_without_display_exits_1_with_the_message(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", str(tmp_path)],
        env=_headless_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == NO_DISPLAY


def test_screenshot_works_without_display_or_platform_variable(tmp_path) -> None:
    shot = tmp_path / "grid.png"
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", str(tmp_path), "--screenshot", str(shot)],
        env=_headless_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 0
