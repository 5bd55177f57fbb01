"""The loupe: the current photo alone, full screen, for culling at speed.

F or Enter on the grid opens it; arrows go to the next or previous photo at once (the
neighbours' screen-sized pictures are decoded ahead in the background); Z or a click shows 100 %
with the point under the cursor kept there (the file's own pixels, decoded on demand); P, X and U
decide through the window, exactly as on the grid; Esc, F or Enter close it.

The loupe follows the grid's current photo: it never keeps a list of its own, so sorting,
filtering and deciding behave as they do on the grid.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QCursor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.cull.catalog_db import Label
from reviewer.gui.cull_controller import LABEL_KEYS, CullController
from reviewer.gui.detail_view import ImageItem
from reviewer.gui.display_images import DisplayImage, DisplayImageLoader, display_edge
from reviewer.gui.photo_model import Decision, PhotoModel, PhotoRecord, Role
from reviewer.gui.sort_filter_proxy import PhotoFilterProxy
from reviewer.gui.thumbnails import ThumbnailCache
from reviewer.gui.workers import FullResolution, TaskRunner, load_full_resolution

MAX_ZOOM = 8.0
MIN_ZOOM = 0.02

# (slot, name, keys): the loupe's keys, also listed on Help ▸ Keyboard Shortcuts
LOUPE_KEYS: tuple[tuple[str, str, list[str]], ...] = (
    ("next", "Next photo", ["Right", "Down", "PgDown"]),
    ("previous", "Previous photo", ["Left", "Up", "PgUp"]),
    ("zoom", "100% / fit (about the pointer; or click)", ["Z"]),
    ("keep", "Keep", ["P"]),
    ("reject", "Reject", ["X"]),
    ("clear", "Clear decision", ["U"]),
    *((f"rate{n}", f"{n} stars", [str(n)]) for n in range(6)),
    *(
        (f"label-{name}", f"{name.title()} label", [key])
        for key, name in zip("6789", LABEL_KEYS, strict=True)
    ),
    ("close", "Close loupe", ["Esc", "F", "Return", "Enter"]),
)


def add_key_actions(
    view: QWidget,
    table: tuple[tuple[str, str, list[str]], ...],
    slots: dict[str, Callable[[], object]],
    decide: Callable[[Decision | None], object],
    rate: Callable[[int], object],
    set_label: Callable[[Label], object],
) -> list[QAction]:
    """One action per (name, text, keys) row of a full-window view's key table, active while
    the view has focus. The marking keys (keep, reject, clear, 0-5 stars, colour labels) call
    `decide`, `rate` and `set_label`; the rest come from `slots` by name."""
    slots = {
        "keep": lambda: decide("keep"),
        "reject": lambda: decide("reject"),
        "clear": lambda: decide(None),
        **{f"rate{n}": partial(rate, n) for n in range(6)},
        **{f"label-{label}": partial(set_label, label) for label in LABEL_KEYS},
        **slots,
    }
    actions = []
    for name, text, keys in table:
        action = QAction(text, view)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slots[name])
        view.addAction(action)
        actions.append(action)
    return actions


def return_to_grid(view: QWidget, host: CullingHost) -> None:
    """After a full-window view closes: the main window active again and the grid focused, so
    its keys work at once (done once `view` is gone: activating the parent while it is still
    shown leaves no window active)."""
    parent = view.parentWidget()
    if parent is not None and not view.isVisible():
        parent.activateWindow()
        host.view.setFocus()


class CullingHost(Protocol):
    """What the loupe and the compare view need of the window."""

    model: PhotoModel
    proxy: PhotoFilterProxy
    cache: ThumbnailCache
    cull: CullController  # marks of one photo (the compare view's active pane)

    @property
    def view(self) -> QAbstractItemView: ...

    def decide(self, decision: Decision | None) -> None: ...

    def rate(self, stars: int) -> None: ...

    def set_label(self, label: Label) -> None: ...

    def select_record(self, record: PhotoRecord | None) -> None: ...

    def current_record(self) -> PhotoRecord | None: ...


def record_caption(rec: PhotoRecord, threshold: float) -> str:
    """The line under a photo: name, score and verdict, the user's decision."""
    parts = [rec.shot.label()]
    if rec.error:
        parts.append(f"error: {rec.error}")
    elif rec.score is not None:
        verdict = "blurry" if rec.score.value < threshold else "sharp"
        parts.append(f"{rec.score.method} {rec.score.value:.1f} ({verdict})")
    else:
        parts.append("not scored yet")
    if rec.decision == "keep":
        parts.append("KEPT")
    elif rec.decision == "reject":
        parts.append("REJECTED")
    return " · ".join(parts)


def decision_color(decision: Decision | None) -> str:
    return {"keep": "#2ebe5a", "reject": "#e63232"}.get(decision or "", "#d0d0d0")


class PhotoCanvas(QGraphicsView):
    """One photo in the file's own pixel coordinates: fit, or 100 % about a point; drag pans,
    the wheel zooms about the cursor, a click toggles 100 % / fit at the clicked point."""

    clicked = Signal(QPoint)  # viewport position of a click that was not a drag
    zoomChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.picture = ImageItem()  # the screen-sized picture, or the thumbnail meanwhile
        self.full = ImageItem()  # the file's own pixels, once loaded, over the picture
        self.full.setZValue(1)
        for item in (self.picture, self.full):
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
            self.scene().addItem(item)
        self.fit = True
        self.zoom = 1.0
        self._press: QPoint | None = None
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setBackgroundBrush(Qt.GlobalColor.black)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(120, 90)

    # content ------------------------------------------------------------------------------
    def set_picture(self, image: QImage, scene_size: tuple[int, int]) -> None:
        """Show `image` stretched over a scene of the file's size (w, h); drops the full-size
        pixels of the previous photo."""
        centre = self.mapToScene(self.viewport().rect().center())
        self.full.set_image(QImage())
        self.picture.set_image(image)
        w, h = scene_size
        if image.isNull() or w <= 0 or h <= 0:
            self.scene().setSceneRect(QRectF())
            return
        self.picture.setTransform(QTransform.fromScale(w / image.width(), h / image.height()))
        self.scene().setSceneRect(QRectF(0, 0, w, h))
        # zoomed in, the next photo shows the same spot (a burst's focus, frame after frame)
        self.apply_zoom(None if self.fit else QPointF(centre))

    def set_full_image(self, image: QImage) -> None:
        rect = self.sceneRect()
        if image.isNull() or rect.isEmpty():
            return
        self.full.setTransform(
            QTransform.fromScale(rect.width() / image.width(), rect.height() / image.height())
        )
        self.full.set_image(image)

    @property
    def showing_full_resolution(self) -> bool:
        return not self.full.image.isNull()

    # zoom ---------------------------------------------------------------------------------
    def one_to_one(self) -> float:
        """The zoom at which one pixel of the file is one pixel of the screen."""
        return 1.0 / max(self.devicePixelRatioF(), 1.0)

    def fit_zoom(self) -> float:
        rect = self.sceneRect()
        vp = self.viewport().size()
        if rect.isEmpty() or vp.isEmpty():
            return 1.0
        return min(vp.width() / rect.width(), vp.height() / rect.height(), MAX_ZOOM)

    def apply_zoom(self, anchor: QPointF | None = None, at: QPoint | None = None) -> None:
        """Scale to the current zoom (the fit one when fitting); keep the scene point `anchor`
        at viewport position `at` (default: its centre)."""
        if self.fit:
            self.zoom = self.fit_zoom()
        self.resetTransform()
        self.scale(self.zoom, self.zoom)
        if anchor is not None:
            centre = QPointF(self.viewport().rect().center())
            where = QPointF(at) if at is not None else centre
            self.centerOn(anchor + (centre - where) / self.zoom)
        elif self.fit:
            self.centerOn(self.sceneRect().center())
        self.zoomChanged.emit()

    def zoom_100_at(self, at: QPoint) -> None:
        """100 %, with the scene point under `at` (viewport position) kept there."""
        anchor = self.mapToScene(at)
        self.fit = False
        self.zoom = self.one_to_one()
        self.apply_zoom(QPointF(anchor), at)

    def zoom_to_fit(self) -> None:
        self.fit = True
        self.apply_zoom()

    def toggle_zoom(self, at: QPoint | None = None) -> None:
        if self.fit:
            self.zoom_100_at(at if at is not None else self.viewport().rect().center())
        else:
            self.zoom_to_fit()

    def cursor_position(self) -> QPoint | None:
        """Where the mouse is over the picture, if it is."""
        pos = self.viewport().mapFromGlobal(QCursor.pos())
        return pos if self.viewport().rect().contains(pos) else None

    # input --------------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if not delta:
            return
        at = event.position().toPoint()
        anchor = self.mapToScene(at)
        self.fit = False
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom * (1.25 if delta > 0 else 0.8)))
        self.apply_zoom(QPointF(anchor), at)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position().toPoint()
        if (pos - press).manhattanLength() < QApplication.startDragDistance():
            self.clicked.emit(pos)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit:
            self.apply_zoom()


class Loupe(QWidget):
    """The full-screen loupe window. Opened by MainWindow.open_loupe."""

    shown = Signal(object)  # Path: its screen-sized picture is on screen
    fullResolutionShown = Signal(object)  # Path: 100 % now shows the file's own pixels

    def __init__(self, host: CullingHost, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.host = host
        self.setWindowTitle("Loupe — Reviewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.record: PhotoRecord | None = None
        self.fullscreen = True  # tests may show it as a normal window
        self.canvas = PhotoCanvas()
        self._shown: Path | None = None
        self.canvas.clicked.connect(self.canvas.toggle_zoom)
        self.canvas.zoomChanged.connect(self.zoom_changed)
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setContentsMargins(8, 4, 8, 4)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hint = QLabel(
            "←/→ previous/next · Z or click: 100% / fit · wheel: zoom · drag: pan · "
            "P keep · X reject · U clear · Esc close"
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #808080; background: black;")
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.hint)
        self.setStyleSheet("background: black;")
        self.images = DisplayImageLoader(parent=self)
        self.images.ready.connect(self._on_image)
        self.full_tasks = TaskRunner(threads=1, parent=self)
        self.full_tasks.done.connect(self._on_full)
        self._build_keys()
        host.view.selectionModel().currentChanged.connect(self._on_current_changed)
        host.model.dataChanged.connect(self._on_data_changed)

    def _build_keys(self) -> None:
        slots: dict[str, Callable[[], object]] = {
            "next": lambda: self.step(1),
            "previous": lambda: self.step(-1),
            "zoom": self.zoom_key,
            "close": self.close,
        }
        host = self.host
        self.key_actions = add_key_actions(
            self, LOUPE_KEYS, slots, host.decide, host.rate, host.set_label
        )

    # opening and closing ------------------------------------------------------------------
    def open(self) -> None:
        """Show the grid's current photo, alone (the selection narrows to it, so that P/X/U
        decide for this photo only)."""
        rec = self.host.current_record()
        if rec is None:
            return
        self.host.select_record(rec)
        screen = self.host.view.screen()
        if screen is not None:
            size = screen.geometry().size()
            self.images.long_edge = display_edge(
                size.width(), size.height(), screen.devicePixelRatio()
            )
            if not self.isVisible():
                self.setGeometry(screen.geometry())
        if self.fullscreen:
            self.showFullScreen()
        else:
            self.showMaximized()
        self.raise_()
        self.activateWindow()
        self.canvas.setFocus()
        self.canvas.fit = True
        self.show_record(rec)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.record = None
        self._shown = None
        self.images.clear()
        self.canvas.set_picture(QImage(), (0, 0))  # a full-size photo is ~100 MB: let it go
        super().closeEvent(event)
        # back to the grid, once this window is gone (activating it while this one is still
        # shown leaves no window active): its keys work again at once
        QTimer.singleShot(0, self._return_to_grid)

    def _return_to_grid(self) -> None:
        return_to_grid(self, self.host)

    def shutdown(self) -> None:
        self.images.shutdown()
        self.full_tasks.shutdown()

    # following the grid -------------------------------------------------------------------
    def step(self, delta: int) -> None:
        current = self.host.view.currentIndex()
        nxt = self.host.proxy.index(current.row() + delta, 0)
        rec = nxt.data(Role.RECORD) if nxt.isValid() else None
        if isinstance(rec, PhotoRecord):
            self.host.select_record(rec)  # the grid's current changes; the loupe follows

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not self.isVisible():
            return
        rec = current.data(Role.RECORD) if current.isValid() else None
        if not isinstance(rec, PhotoRecord):
            self.close()  # nothing left to show (the filter emptied the grid)
        elif rec is not self.record:
            self.show_record(rec)

    def _on_data_changed(
        self,
        first: QModelIndex | QPersistentModelIndex,
        last: QModelIndex | QPersistentModelIndex,
        roles: list[int],
    ) -> None:
        if self.isVisible() and self.record is not None:
            self._update_caption()

    def neighbours(self) -> list[Path]:
        """The photos to have ready: the next two, then the previous one."""
        row = self.host.view.currentIndex().row()
        out = []
        for delta in (1, -1, 2):
            rec = self.host.proxy.index(row + delta, 0).data(Role.RECORD)
            if isinstance(rec, PhotoRecord):
                out.append(rec.path)
        return out

    # showing ------------------------------------------------------------------------------
    def show_record(self, rec: PhotoRecord) -> None:
        """Show `rec` now: its picture if ready, else its thumbnail until the picture comes."""
        self.record = rec
        self.setWindowTitle(f"{rec.shot.label()} — Loupe — Reviewer")
        self._update_caption()
        item = self.images.get(rec.path)
        if item is not None and item.image is not None:
            self._show_image(item)
        else:
            thumb = self.host.cache.get(rec.path)
            image = thumb[0] if thumb is not None else QImage()
            if rec.width > 0 and rec.height > 0:
                size = (rec.width, rec.height)
            else:
                size = (image.width(), image.height())
            self._shown = None
            self.canvas.set_picture(image, size)
        self.images.want([rec.path, *self.neighbours()])

    @property
    def shown_path(self) -> Path | None:
        """The photo whose screen-sized picture is on screen."""
        return self._shown

    def _show_image(self, item: DisplayImage) -> None:
        assert item.image is not None
        self.canvas.set_picture(item.image, item.scene_size)
        self._shown = item.path
        self.shown.emit(item.path)

    def _on_image(self, item: DisplayImage) -> None:
        if self.record is None or item.path != self.record.path:
            return
        if item.image is None:
            self._shown = None
            self._update_caption()
            return
        if self._shown != item.path:
            self._show_image(item)
            if not self.canvas.fit:
                self._want_full()

    def _update_caption(self) -> None:
        rec = self.record
        if rec is None:
            return
        row = self.host.view.currentIndex().row()
        total = self.host.proxy.rowCount()
        text = f"{record_caption(rec, self.host.model.threshold)} · {row + 1} of {total}"
        item = self.images.get(rec.path)
        if item is not None and item.image is None:
            text += f" · cannot be shown: {item.error}"
        self.caption.setText(text)
        self.caption.setStyleSheet(
            f"color: {decision_color(rec.decision)}; background: black; font-weight: bold;"
        )

    # 100 % --------------------------------------------------------------------------------
    def _want_full(self) -> None:
        """At 100 %, load the file's own pixels when the picture is smaller than them."""
        item = self.images.get(self.record.path) if self.record is not None else None
        if item is None or item.image is None or self.canvas.showing_full_resolution:
            return
        w, h = item.scene_size
        if max(w, h) <= max(item.image.width(), item.image.height()):
            return
        path = item.path
        self.full_tasks.submit(
            ("full", path),
            lambda: (
                load_full_resolution(path)
                if self.record is not None and self.record.path == path
                else None
            ),
        )

    def _on_full(self, tag: object, result: object, error: object) -> None:
        assert isinstance(tag, tuple)
        if not isinstance(result, FullResolution) or result.image is None:
            return
        if self.record is None or result.path != self.record.path or self._shown != result.path:
            return
        self.canvas.set_full_image(result.image)
        self.fullResolutionShown.emit(result.path)

    def zoom_key(self) -> None:
        """Z: 100 % about the mouse pointer when it is over the photo (else the centre)."""
        self.canvas.toggle_zoom(self.canvas.cursor_position())

    def zoom_changed(self) -> None:
        if not self.canvas.fit:
            self._want_full()
