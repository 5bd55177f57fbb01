"""Compare: 2-4 selected frames side by side, zoomed and panned together (as Lightroom's
Compare/Survey), to pick the sharpest of a burst.

C on the grid opens it with the selected photos. One pane is active (click it, or Tab / the
arrows); P, X and U decide for the active pane's photo; Z is 100 % / fit for all panes (the
files' own pixels, decoded in the background); the wheel zooms and a drag pans every pane at
once; Esc or C close it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QCursor, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from reviewer.core.cull.catalog_db import Label
from reviewer.gui.cull_controller import LABEL_KEYS
from reviewer.gui.detail_view import PaneGroup, ZoomPane
from reviewer.gui.display_images import DisplayImage, DisplayImageLoader, display_edge
from reviewer.gui.loupe import (
    CullingHost,
    add_key_actions,
    decision_color,
    record_caption,
    return_to_grid,
)
from reviewer.gui.photo_model import Decision, PhotoRecord
from reviewer.gui.workers import FullResolution, TaskRunner, load_full_resolution

MIN_FRAMES = 2
MAX_FRAMES = 4
ACTIVE_BORDER = "#3d8ee6"

# (slot, name, keys): the compare view's keys, also listed on Help ▸ Keyboard Shortcuts
COMPARE_KEYS: tuple[tuple[str, str, list[str]], ...] = (
    ("next", "Next pane", ["Tab", "Right", "Down"]),
    ("previous", "Previous pane", ["Shift+Tab", "Backtab", "Left", "Up"]),
    ("keep", "Keep the active pane's photo", ["P"]),
    ("reject", "Reject the active pane's photo", ["X"]),
    ("clear", "Clear its decision", ["U"]),
    *((f"rate{n}", f"{n} stars for it", [str(n)]) for n in range(6)),
    *(
        (f"label-{name}", f"{name.title()} label for it (again: none)", [key])
        for key, name in zip("6789", LABEL_KEYS, strict=True)
    ),
    ("zoom", "100% / fit, every pane", ["Z"]),
    ("close", "Close compare", ["Esc", "C"]),
)


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) for n panes: side by side up to 3, 2 x 2 for 4."""
    return (2, 2) if n == 4 else (1, max(n, 1))


class ComparePane(QFrame):
    """A ZoomPane with its caption; the active one is framed."""

    def __init__(self, record: PhotoRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.setObjectName("comparePane")
        self.zoom = ZoomPane(record.shot.label())
        self.zoom.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # a long caption is cut, not a reason for the window to outgrow the screen
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full_requested = False
        self.loaded = False
        self.error: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(2)
        layout.addWidget(self.zoom, 1)
        layout.addWidget(self.caption)
        self.set_active(False)

    def set_active(self, on: bool) -> None:
        self.active = on
        border = ACTIVE_BORDER if on else "transparent"
        self.setStyleSheet(f"#comparePane {{ border: 3px solid {border}; }}")

    def update_caption(self, threshold: float) -> None:
        text = record_caption(self.record, threshold)
        if self.error:
            text += f" · cannot be shown: {self.error}"
        self.caption.setText(text)
        weight = "bold" if self.active else "normal"
        self.caption.setStyleSheet(
            f"color: {decision_color(self.record.decision)}; font-weight: {weight};"
        )


class CompareView(QWidget):
    """The compare window. Opened by MainWindow.open_compare."""

    loaded = Signal()  # every pane shows its photo
    fullResolutionShown = Signal(object)  # Path

    def __init__(self, host: CullingHost, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.host = host
        self.setWindowTitle("Compare — Reviewer")
        self.fullscreen = True
        self.panes: list[ComparePane] = []
        self.group: PaneGroup | None = None
        self.active = 0
        self._shown_paths: frozenset[Path] = frozenset()
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        hint = QLabel(
            "Click or Tab / ←/→: active photo · P keep · X reject · U clear · "
            "Z: 100% / fit · wheel: zoom · drag: pan · Esc close"
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setEnabled(False)
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.grid, 1)
        layout.addWidget(hint)
        self.images = DisplayImageLoader(capacity=MAX_FRAMES, parent=self)
        self.images.ready.connect(self._on_image)
        self.full_tasks = TaskRunner(threads=2, parent=self)
        self.full_tasks.done.connect(self._on_full)
        self._build_keys()
        host.model.dataChanged.connect(self._on_data_changed)

    def _build_keys(self) -> None:
        slots: dict[str, Callable[[], object]] = {
            "next": lambda: self.set_active(self.active + 1),
            "previous": lambda: self.set_active(self.active - 1),
            "zoom": self.toggle_zoom,
            "close": self.close,
        }
        self.key_actions = add_key_actions(
            self, COMPARE_KEYS, slots, self.decide, self.rate, self.set_label
        )

    # opening ------------------------------------------------------------------------------
    def open(self, records: list[PhotoRecord]) -> bool:
        """Show 2-4 photos, in grid order; False (nothing shown) for another number."""
        if not MIN_FRAMES <= len(records) <= MAX_FRAMES:
            return False
        host = self.host

        def row(rec: PhotoRecord) -> int:
            return host.proxy.mapFromSource(host.model.index_of(rec)).row()

        records = sorted(records, key=row)
        self._clear()
        rows, cols = grid_shape(len(records))
        for i, rec in enumerate(records):
            pane = ComparePane(rec)
            pane.zoom.viewport().installEventFilter(self)
            pane.zoom.zoomRequested.connect(lambda *_: self._after_zoom())
            self.grid.addWidget(pane, i // cols, i % cols)
            self.panes.append(pane)
        for r in range(rows):
            self.grid.setRowStretch(r, 1)
        for c in range(cols):
            self.grid.setColumnStretch(c, 1)
        self.group = PaneGroup([p.zoom for p in self.panes])
        screen = host.view.screen()
        if screen is not None:
            size = screen.geometry().size()
            self.images.long_edge = display_edge(
                size.width() // cols, size.height() // rows, screen.devicePixelRatio()
            )
            if not self.isVisible():
                self.setGeometry(screen.geometry())
        if self.fullscreen:
            self.showFullScreen()
        else:
            self.showMaximized()
        self.raise_()
        self.activateWindow()
        self.setFocus()
        self.set_active(0)
        for pane in self.panes:
            item = self.images.get(pane.record.path)
            if item is not None:
                self._show(pane, item)
        self._shown_paths = frozenset(p.record.path for p in self.panes)
        self.images.want([p.record.path for p in self.panes])
        self._check_loaded()
        return True

    def _clear(self) -> None:
        for pane in self.panes:
            self.grid.removeWidget(pane)
            pane.deleteLater()
        self.panes = []
        self.group = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self._shown_paths = frozenset()
        self.images.clear()
        self._clear()  # the panes' pictures and full-size photos go with them
        super().closeEvent(event)
        # back to the grid, once this window is gone (activating it while this one is still
        # shown leaves no window active): its keys work again at once
        QTimer.singleShot(0, self._return_to_grid)

    def _return_to_grid(self) -> None:
        return_to_grid(self, self.host)

    def shutdown(self) -> None:
        self.images.shutdown()
        self.full_tasks.shutdown()

    # panes --------------------------------------------------------------------------------
    @property
    def records(self) -> list[PhotoRecord]:
        return [p.record for p in self.panes]

    @property
    def active_record(self) -> PhotoRecord | None:
        return self.panes[self.active].record if self.panes else None

    def set_active(self, index: int) -> None:
        if not self.panes:
            return
        self.active = index % len(self.panes)
        for i, pane in enumerate(self.panes):
            pane.set_active(i == self.active)
        self._update_captions()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress:
            for i, pane in enumerate(self.panes):
                if watched is pane.zoom.viewport():
                    self.set_active(i)
        return super().eventFilter(watched, event)

    def decide(self, decision: Decision | None) -> None:
        rec = self.active_record
        if rec is not None:
            self.host.model.set_decision([rec], decision)

    def rate(self, stars: int) -> None:
        rec = self.active_record
        if rec is not None:
            self.host.cull.rate([rec], stars)

    def set_label(self, label: Label) -> None:
        rec = self.active_record
        if rec is not None:
            self.host.cull.toggle_label([rec], label)

    def _on_data_changed(
        self,
        first: QModelIndex | QPersistentModelIndex,
        last: QModelIndex | QPersistentModelIndex,
        roles: list[int],
    ) -> None:
        if self.isVisible():
            self._update_captions()

    def _update_captions(self) -> None:
        for pane in self.panes:
            pane.update_caption(self.host.model.threshold)

    # pictures -----------------------------------------------------------------------------
    def _on_image(self, item: DisplayImage) -> None:
        for pane in self.panes:
            if pane.record.path == item.path:
                self._show(pane, item)
        self._check_loaded()

    def _show(self, pane: ComparePane, item: DisplayImage) -> None:
        if item.image is None:
            pane.error = item.error or "no picture"
            pane.loaded = True
            pane.update_caption(self.host.model.threshold)
            return
        # four screen-sized pictures at most: made into pixmaps here, on the GUI thread
        pane.zoom.set_image(QPixmap.fromImage(item.image), item.scene_size)
        pane.loaded = True
        if self.group is not None:
            if self.group.fit:
                self.group.zoom_to_fit()
            else:
                self.group.set_zoom(self.group.zoom)

    def _check_loaded(self) -> None:
        if self.panes and all(p.loaded for p in self.panes):
            if self.group is not None and self.group.fit:
                self.group.zoom_to_fit()
            self.loaded.emit()

    # zoom ---------------------------------------------------------------------------------
    def toggle_zoom(self) -> None:
        """Z: 100 % about the point under the pointer (or the active pane's centre), or fit."""
        group = self.group
        if group is None or not self.panes:
            return
        if not group.fit:
            group.zoom_to_fit()
            return
        pane = self.panes[self.active].zoom
        for p in self.panes:
            pos = p.zoom.viewport().mapFromGlobal(QCursor.pos())
            if p.zoom.viewport().rect().contains(pos):
                pane = p.zoom
                break
        else:
            pos = pane.viewport().rect().center()
        anchor: QPointF = pane.mapToScene(pos)
        group.fit = False  # 100 %: one pixel of the files to one of the screen (at 2x too)
        group.set_zoom(1.0 / max(pane.devicePixelRatioF(), 1.0), anchor)
        self._after_zoom()

    def _after_zoom(self) -> None:
        """Zoomed in: decode the files' own pixels for panes whose picture is smaller."""
        if self.group is None or self.group.fit:
            return
        for pane in self.panes:
            item = self.images.get(pane.record.path)
            if pane.full_requested or item is None or item.image is None:
                continue
            if max(item.scene_size) <= max(item.image.width(), item.image.height()):
                continue
            pane.full_requested = True
            path = pane.record.path
            self.full_tasks.submit(("full", path), self._full_decoder(path))

    def _full_decoder(self, path: Path) -> Callable[[], FullResolution | None]:
        def decode() -> FullResolution | None:
            # reads an attribute on the worker: no widget is touched off the GUI thread
            return load_full_resolution(path) if path in self._shown_paths else None

        return decode

    def _on_full(self, tag: object, result: object, error: object) -> None:
        if not isinstance(result, FullResolution) or result.image is None:
            return
        for pane in self.panes:
            if pane.record.path == result.path:
                pane.zoom.set_full_image(result.image)
                self.fullResolutionShown.emit(result.path)
