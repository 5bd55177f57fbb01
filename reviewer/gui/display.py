"""Which Qt platform the window can use, decided before Qt starts (Qt aborts without a display)."""

from __future__ import annotations

from collections.abc import MutableMapping

NO_DISPLAY = (
    "reviewer: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). "
    "Headless: `reviewer score FOLDER`, or `reviewer FOLDER --screenshot out.png`."
)


def choose_platform(env: MutableMapping[str, str], *, screenshot: bool) -> str | None:
    """Set up `env` for Qt; return a one-line message when the window cannot be shown.

    A platform the user chose (QT_QPA_PLATFORM) is kept. A screenshot needs no screen, so
    without one it renders offscreen.
    """
    if env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    if screenshot:
        env["QT_QPA_PLATFORM"] = "offscreen"
        return None
    return NO_DISPLAY
