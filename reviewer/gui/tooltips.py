"""A tooltip for every control of the main window, in one place."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

TOOLTIPS = {
    "filter_combo": "Which photos the grid shows",
    "sort_combo": "The order of the grid (the button beside it reverses it)",
    "reverse_sort_button": "Reverse the sort order: sharpest, newest or last name first",
    "method_combo": "How sharpness is measured; changing it scores the folder again",
    "size_slider": "Thumbnail size (Ctrl+wheel over the grid)",
    "threshold_spin": "Photos scoring below this are counted blurry (drag the line on the "
    "histogram, or type a value)",
    "histogram": "How the scores spread: drag the line to set the threshold",
    "reject_below_button": "Mark every photo below the threshold rejected (photos you kept "
    "by hand stay kept)",
    "trash_button": "Move the rejected photos, with their RAW partners and sidecars, to the "
    "system Trash (Ctrl+Z puts them back)",
    "folder_button": "Move the rejected photos, with their RAW partners and sidecars, to a "
    "folder beside them (Ctrl+Z puts them back)",
    "cancel_button": "Stop scoring (scores so far are kept)",
    "progress": "Photos scored so far",
    "folder_label": "The open folder",
}


def apply_tooltips(window: QWidget) -> None:
    """Set the tooltip of each of the window's controls named above that has none yet."""
    for name, text in TOOLTIPS.items():
        widget = getattr(window, name, None)
        if isinstance(widget, QWidget) and not widget.toolTip():
            widget.setToolTip(text)
