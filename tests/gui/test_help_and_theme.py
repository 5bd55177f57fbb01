"""Help ▸ Keyboard Shortcuts lists every key, About, and the dark/light/system themes."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.gui.help import ShortcutSheet, action_name, shortcut_rows
from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings
from reviewer.gui.theme import apply_theme, as_theme, dark_palette


def test_shortcut_sheet_lists_every_action_with_a_key(window: MainWindow, qtbot: QtBot) -> None:
    window.show_shortcuts()
    sheet = window.shortcut_sheet
    assert isinstance(sheet, ShortcutSheet)
    listed = dict(sheet.listed())
    keyed = [a for a in window.all_actions() if not a.shortcut().isEmpty()]
    assert keyed, "the window has keyboard actions"
    for action in keyed:
        name = action_name(action)
        assert name in listed, name
        assert action.shortcut().toString(QKeySequence.SequenceFormat.NativeText) in listed[name]
    assert listed["Keep"] == "P" and listed["Reject"] == "X"
    sheet.close()


def test_a_new_action_appears_on_the_sheet(window: MainWindow) -> None:
    extra = QAction("&Frobnicate…", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+F"))
    window.addAction(extra)
    assert ("Frobnicate", "Ctrl+Alt+F") in shortcut_rows(window.all_actions())


def test_help_menu_has_shortcuts_and_about(window: MainWindow) -> None:
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    help_texts = [a.text() for a in menus["&Help"].actions()]
    assert "&Keyboard Shortcuts" in help_texts and "&About Reviewer" in help_texts
    assert window.shortcuts_action.shortcut().toString() == "F1"


def test_dark_theme_is_neutral_grey() -> None:
    palette = dark_palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Text):
        c = palette.color(role)
        assert c.red() == c.green() == c.blue(), role
    assert palette.color(QPalette.ColorRole.Window).lightness() < 80


def test_theme_choice_is_applied_and_remembered(
    window: MainWindow, settings: AppSettings, qapp: QApplication
) -> None:
    before, style = qapp.palette(), qapp.style().name()
    try:
        window.set_theme("dark")
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert settings.theme() == "dark"
        window.set_theme("light")
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 150
        assert settings.theme() == "light" and window.theme_actions["light"].isChecked()
        assert apply_theme(qapp, "system") in ("dark", "light")
    finally:
        qapp.setStyle(style)
        qapp.setPalette(before)


def test_unknown_theme_falls_back_to_dark() -> None:
    assert as_theme("neon") == "dark"
    assert as_theme("light") == "light"


def test_toolbar_actions_have_icons_and_say_their_keys(window: MainWindow) -> None:
    actions = [a for a in window.toolbar.actions() if not a.isSeparator()]
    assert window.keep_action in actions and window.reject_action in actions
    for action in actions:
        assert not action.icon().isNull(), action.text()
        assert action.toolTip()
    assert window.keep_action.toolTip() == "Keep (P)"
