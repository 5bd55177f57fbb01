"""The app's colours: neutral dark grey by default (photos are judged against neutral grey, as in
Lightroom and darktable), a light theme, or the desktop's own choice."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Theme = Literal["dark", "light", "system"]
THEMES: dict[Theme, str] = {"dark": "Dark grey", "light": "Light", "system": "As the desktop"}
DEFAULT_THEME: Theme = "dark"

# Neutral greys: equal R, G and B, so no tint colours the judgement of a photo's colours.
_DARK = {
    QPalette.ColorRole.Window: "#323232",
    QPalette.ColorRole.WindowText: "#dcdcdc",
    QPalette.ColorRole.Base: "#262626",
    QPalette.ColorRole.AlternateBase: "#2e2e2e",
    QPalette.ColorRole.ToolTipBase: "#3c3c3c",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#8c8c8c",
    QPalette.ColorRole.Text: "#dcdcdc",
    QPalette.ColorRole.Button: "#3a3a3a",
    QPalette.ColorRole.ButtonText: "#dcdcdc",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Light: "#4a4a4a",
    QPalette.ColorRole.Midlight: "#404040",
    QPalette.ColorRole.Mid: "#2a2a2a",
    QPalette.ColorRole.Dark: "#1e1e1e",
    QPalette.ColorRole.Shadow: "#141414",
    QPalette.ColorRole.Highlight: "#4f6f94",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7fa7d6",
    QPalette.ColorRole.LinkVisited: "#a58fd0",
}
_DARK_DISABLED = {
    QPalette.ColorRole.WindowText: "#7a7a7a",
    QPalette.ColorRole.Text: "#7a7a7a",
    QPalette.ColorRole.ButtonText: "#7a7a7a",
    QPalette.ColorRole.Highlight: "#444444",
}


def as_theme(value: object) -> Theme:
    text = str(value)
    return text if text in THEMES else DEFAULT_THEME  # type: ignore[return-value]


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


def effective_theme(theme: Theme) -> Literal["dark", "light"]:
    """The theme to paint with: 'system' follows the desktop's colour scheme (dark when the
    desktop does not say)."""
    if theme != "system":
        return theme
    scheme = QGuiApplication.styleHints().colorScheme()
    return "light" if scheme == Qt.ColorScheme.Light else "dark"


def apply_theme(app: QApplication, theme: Theme) -> Literal["dark", "light"]:
    """Paint the whole app in `theme`; returns the theme actually used."""
    used = effective_theme(theme)
    # Fusion draws every control from the palette, so the greys are the same on every desktop.
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if used == "dark" else app.style().standardPalette())
    return used
