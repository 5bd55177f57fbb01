"""Why this score: the photo and its re-blurred copy, their edge maps, a focus heatmap, the
numbers in words and the capture metadata. All panes zoom and pan together, in the coordinates
of the file's own pixels: 100 % shows the photo pane at full resolution (loaded in the
background), the analysis panes enlarged from the working size they were computed at."""

from __future__ import annotations

import html
import math

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QShowEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.judging.verdict import Box
from reviewer.core.metadata import CaptureInfo
from reviewer.core.scoring import get_scorer
from reviewer.core.scoring.base import Score
from reviewer.core.scoring.focus import DIRECTIONAL_LOSS_ONSET
from reviewer.gui.heatmap_legend import HeatmapLegend
from reviewer.gui.thumbnails import qimage_from_rgb
from reviewer.gui.workers import Analysis, FullResolution

HEATMAP_ALPHA = 120
MAX_ZOOM = 8.0


def edge_map_rgb(edges: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """An edge-strength map (0..1) as grey pixels; sqrt lifts faint edges, same for both maps."""
    return (np.sqrt(np.clip(np.nan_to_num(edges), 0.0, 1.0)) * 255.0 + 0.5).astype(np.uint8)


def heatmap_rgba(sharpness: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """Per-region sharpness (0..100, NaN unknown) as red -> yellow -> green, NaN transparent."""
    v = np.clip(np.nan_to_num(sharpness, nan=0.0) / 100.0, 0.0, 1.0)
    r = np.where(v < 0.5, 1.0, 2.0 * (1.0 - v))
    g = np.where(v < 0.5, 2.0 * v, 1.0)
    b = np.zeros_like(v)
    a = np.where(np.isnan(sharpness), 0.0, HEATMAP_ALPHA / 255.0)
    return (np.stack([r, g, b, a], axis=-1) * 255.0 + 0.5).astype(np.uint8)


def explain_score(score: Score, threshold: float) -> list[str]:
    """The numbers behind a score, in words."""
    d = score.details
    lines: list[str] = []
    verdict = "below" if score.value < threshold else "at or above"
    lines.append(
        f"{score.method} score {score.value:.1f}: {verdict} the threshold "
        f"{threshold:g}, so {'blurry' if score.value < threshold else 'sharp'}."
    )
    if "edge_energy" in d and "edge_energy_reblurred" in d:
        e0, e1 = d["edge_energy"], d["edge_energy_reblurred"]
        drop = (1 - e1 / e0) * 100 if e0 > 0 else 0.0
        lines.append(
            f"Edge energy {e0:.2f} → {e1:.2f} after re-blur ({drop:.0f}% lost). "
            "A sharp photo loses much of its edge energy to a small re-blur; "
            "a blurry one has little left to lose."
        )
    if "blur_radius_px" in d and math.isfinite(d["blur_radius_px"]):
        line = (
            f"Estimated blur of the sharpest region: a radius of {d['blur_radius_px']:.2f} px "
            "at a 2048 px long edge"
        )
        lines.append(line + ".")
        lines += _raised_because(d)
    if "edges_used" in d:
        lines.append(
            f"{d['edges_used']:.0f} edge points judged"
            + (
                f"; {d['sharp_area'] * 100:.0f}% of the frame is sharp."
                if "sharp_area" in d
                else "."
            )
        )
    if "tiles_scored" in d and "sharp_tiles" in d:
        lines.append(
            f"The network judged the {d['tiles_scored']:.0f} most detailed tiles; "
            f"{d['sharp_tiles']:.0f} look sharp. The sharpest of them decide."
        )
    if "laplacian_variance" in d:
        lines.append(f"Variance of the Laplacian: {d['laplacian_variance']:.1f}.")
    if score.blur_kind == "motion":
        lines.append("The blur is directional: camera shake or subject motion.")
    elif score.blur_kind == "defocus":
        lines.append("The blur is the same in every direction: missed focus.")
    if score.exposure != "ok":
        crushed = d.get("crushed", 0.0) * 100
        clipped = d.get("clipped", 0.0) * 100
        lines.append(
            f"Exposure: {score.exposure} ({crushed:.0f}% crushed blacks, "
            f"{clipped:.0f}% clipped highlights); edges there are not trusted."
        )
    return lines


def _raised_because(d: dict[str, float]) -> list[str]:
    """Why the focus radius is larger than its sharpest edges alone measure, if it is."""
    edges = d.get("edge_blur_radius_px", math.inf)
    if not math.isfinite(edges):
        return []
    lines: list[str] = []
    half = d.get("half_size_blur_radius_px", 0.0)
    if half > edges:
        lines.append(
            f"The edges alone measure {edges:.2f} px; measured at half size, where grain and "
            f"sharpening no longer hide a wide blur, the photo counts as {half:.2f} px."
        )
    loss = d.get("directional_loss", 1.0)
    if loss > DIRECTIONAL_LOSS_ONSET:
        lines.append(
            f"Raised because the finest detail is lost {loss:.1f}× more in one direction than "
            "in another, as camera shake leaves it."
        )
    return lines


def metadata_rows(info: CaptureInfo | None) -> list[tuple[str, str]]:
    info = info or CaptureInfo()
    shutter = "—"
    if info.shutter_s:
        s = info.shutter_s
        shutter = f"1/{round(1 / s)} s" if s < 0.5 else f"{s:g} s"
    return [
        ("Camera", info.camera or "—"),
        ("Lens", info.lens or "—"),
        ("Focal length", f"{info.focal_length_mm:g} mm" if info.focal_length_mm else "—"),
        ("Aperture", f"f/{info.aperture:g}" if info.aperture else "—"),
        ("Shutter", shutter),
        ("ISO", str(info.iso) if info.iso else "—"),
        ("Captured", info.captured_at.strftime("%Y-%m-%d %H:%M:%S") if info.captured_at else "—"),
    ]


AF_BOX_COLOR = QColor(60, 200, 255)
REGION_BOX_COLOR = QColor(255, 200, 40)
REGION_NAMES = {
    "af": "the camera's AF point",
    "face": "a face",
    "subject": "the in-focus subject",
    "sharpest": "the sharpest region",
    "frame": "the whole frame",
}


def verdict_line(analysis: Analysis) -> str:
    """The verdict, its reason and what decided, as the first line of the explanation."""
    j = analysis.judgement
    if j is None:
        return ""
    where = REGION_NAMES.get(j.region, j.region)
    af = ""
    if analysis.af_points and j.region != "af":
        af = " The camera's AF points are outlined in blue."
    elif analysis.af_points:
        af = " (outlined in blue)"
    return f"<b>{j.verdict.capitalize()}</b>: {html.escape(j.reason)}. Judged on {where}{af}<br>"


def region_boxes(analysis: Analysis) -> list[tuple[Box, QColor]]:
    """AF points in blue; the region that decided (a face, the subject) in amber."""
    boxes = [(b, AF_BOX_COLOR) for b in analysis.af_points]
    j = analysis.judgement
    if j is not None and j.region != "af":
        boxes += [(b, REGION_BOX_COLOR) for b in j.boxes]
    return boxes


def scene_size(w: int, h: int, original: tuple[int, int]) -> tuple[int, int]:
    """The panes' common coordinates: the file's own size when the analysed picture (w x h) is
    that photo scaled down; else the picture's size (the file's header told another shape)."""
    ow, oh = original
    if ow >= w and oh >= h and w > 0 and h > 0 and abs(ow / oh - w / h) <= 0.01 * (w / h):
        return ow, oh
    return w, h


class ImageItem(QGraphicsItem):
    """Paints a QImage as it is, only the part in view: a 24 MP photo never becomes a QPixmap,
    so the GUI thread does no conversion of its pixels."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()

    def set_image(self, image: QImage) -> None:
        self.prepareGeometryChange()
        self.image = image
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.image.width(), self.image.height())

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.image.isNull():
            return
        exposed = option.exposedRect.intersected(self.boundingRect()).toAlignedRect()
        painter.drawImage(exposed.topLeft(), self.image, exposed)


class ZoomPane(QGraphicsView):
    """One image pane; wheel zooms (about the cursor), drag pans."""

    zoomRequested = Signal(float, object)  # factor, scene point under the cursor

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setScene(QGraphicsScene(self))
        self.image_item = QGraphicsPixmapItem()
        self.image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.overlay_item = QGraphicsPixmapItem(self.image_item)
        # tiles stay visible as tiles: the heatmap is per region, not per pixel
        self.overlay_item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.overlay_item.setVisible(False)
        self.overlay_item.setZValue(2)
        # the file's own pixels, over the working-size picture once they are loaded
        self.full_item = ImageItem(self.image_item)
        self.full_item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.full_item.setZValue(1)
        self.scene().addItem(self.image_item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setBackgroundBrush(Qt.GlobalColor.black)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # no scroll bars: panes stay the same size (so they pan in step); drag or wheel instead
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(160, 120)

    def set_image(self, pixmap: QPixmap, full_size: tuple[int, int] | None = None) -> None:
        """Show a picture; full_size (w, h) is the size of the photo it was made from, in whose
        pixels the scene is laid out (defaults to the picture's own size)."""
        self.full_item.set_image(QImage())
        self.image_item.setPixmap(pixmap)
        if pixmap.isNull():
            self.scene().setSceneRect(QRectF())
            return
        w, h = full_size if full_size else (pixmap.width(), pixmap.height())
        self.image_item.setTransform(QTransform.fromScale(w / pixmap.width(), h / pixmap.height()))
        self.scene().setSceneRect(QRectF(0, 0, w, h))

    def set_boxes(self, boxes: list[tuple[Box, QColor]]) -> None:
        """Outline regions of the photo (fractions of the displayed frame), e.g. the camera's
        AF points and the region that decided the verdict."""
        for item in getattr(self, "box_items", []):
            self.scene().removeItem(item)
        self.box_items: list[QGraphicsRectItem] = []
        frame = self.scene().sceneRect()
        for box, colour in boxes:
            rect = QRectF(
                frame.width() * box.x,
                frame.height() * box.y,
                frame.width() * box.w,
                frame.height() * box.h,
            )
            item = QGraphicsRectItem(rect)
            pen = QPen(colour, 2)
            pen.setCosmetic(True)  # the same width at every zoom
            item.setPen(pen)
            item.setZValue(3)
            self.scene().addItem(item)
            self.box_items.append(item)

    def set_full_image(self, image: QImage) -> None:
        """Lay the file's own pixels over the picture (same scene, so nothing moves)."""
        pixmap = self.image_item.pixmap()
        if pixmap.isNull() or image.isNull():
            return
        rect = self.sceneRect()
        # undo the picture's enlargement, then fit the full image to the scene
        to_item = self.image_item.transform().inverted()[0]
        self.full_item.setTransform(
            QTransform.fromScale(rect.width() / image.width(), rect.height() / image.height())
            * to_item
        )
        self.full_item.set_image(image)

    @property
    def showing_full_resolution(self) -> bool:
        return not self.full_item.image.isNull()

    def set_overlay(self, pixmap: QPixmap | None, scale_x: float, scale_y: float) -> None:
        if pixmap is None:
            self.overlay_item.setPixmap(QPixmap())
            return
        self.overlay_item.setPixmap(pixmap)
        self.overlay_item.setTransform(QTransform.fromScale(scale_x, scale_y))

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoomRequested.emit(
                1.25 if delta > 0 else 0.8, self.mapToScene(event.position().toPoint())
            )
            event.accept()


class PaneGroup:
    """Keeps panes on one zoom and one scroll position."""

    def __init__(self, panes: list[ZoomPane]) -> None:
        self.panes = panes
        self.zoom = 1.0
        self.fit = True
        self._syncing = False
        for pane in panes:
            pane.horizontalScrollBar().valueChanged.connect(
                lambda v, p=pane: self._sync(p, horizontal=True)
            )
            pane.verticalScrollBar().valueChanged.connect(
                lambda v, p=pane: self._sync(p, horizontal=False)
            )
            pane.zoomRequested.connect(self.zoom_by)

    def _sync(self, source: ZoomPane, horizontal: bool) -> None:
        """Show the same part of the picture in every pane (panes may differ by a pixel)."""
        if self._syncing:
            return
        self._syncing = True
        try:
            centre = source.mapToScene(source.viewport().rect().center())
            for pane in self.panes:
                if pane is not source:
                    pane.centerOn(centre)
        finally:
            self._syncing = False

    def fit_zoom(self) -> float:
        pane = self.panes[0]
        rect = pane.sceneRect()
        vp = pane.viewport().size()
        if rect.isEmpty() or vp.isEmpty():
            return 1.0
        return min(vp.width() / rect.width(), vp.height() / rect.height(), MAX_ZOOM)

    def set_zoom(self, zoom: float, anchor: object = None) -> None:
        self.zoom = max(min(zoom, MAX_ZOOM), 0.02)
        for pane in self.panes:
            pane.resetTransform()
            pane.scale(self.zoom, self.zoom)
            if anchor is not None:
                pane.centerOn(anchor)  # type: ignore[arg-type]
        self._sync(self.panes[0], True)
        self._sync(self.panes[0], False)

    def zoom_to_fit(self) -> None:
        self.fit = True
        self.set_zoom(self.fit_zoom())

    def zoom_100(self, anchor: object = None) -> None:
        self.fit = False
        self.set_zoom(1.0, anchor)

    def zoom_by(self, factor: float, anchor: object = None) -> None:
        self.fit = False
        self.set_zoom(self.zoom * factor, anchor)

    def visible_centres(self) -> list[tuple[float, float]]:
        """The scene point at the centre of each pane."""
        out = []
        for p in self.panes:
            c = p.mapToScene(p.viewport().rect().center())
            out.append((c.x(), c.y()))
        return out


class DetailDialog(QDialog):
    """The 'why this score' window for the current photo. P/X/U and ←/→ work here too."""

    decisionRequested = Signal(str)  # "keep" | "reject" | "clear"
    ratingRequested = Signal(int)  # 0-5 stars
    labelRequested = Signal(str)  # "red" | "yellow" | "green" | "blue" (6-9)
    navigateRequested = Signal(int)  # -1 previous, +1 next

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why this score")
        self.resize(1200, 860)
        self.analysis: Analysis | None = None
        self.threshold = 50.0

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.photo_pane = ZoomPane("Photo")
        self.reblurred_pane = ZoomPane("Re-blurred copy")
        self.edges_pane = ZoomPane("Edges of the photo")
        self.edges_reblurred_pane = ZoomPane("Edges after re-blur")
        self.panes = PaneGroup(
            [self.photo_pane, self.reblurred_pane, self.edges_pane, self.edges_reblurred_pane]
        )
        grid = QGridLayout()
        grid.setSpacing(4)
        for i, pane in enumerate(self.panes.panes):
            box = QVBoxLayout()
            box.setSpacing(2)
            caption = QLabel(pane.title)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(caption)
            box.addWidget(pane, 1)
            grid.addLayout(box, i // 2, i % 2)

        self.heatmap_box = QCheckBox("Focus &heatmap")
        self.heatmap_box.setToolTip("Overlay the per-region sharpness on the photo (H)")
        self.heatmap_box.toggled.connect(self.set_heatmap_visible)
        self.fit_button = QPushButton("&Fit")
        self.fit_button.clicked.connect(self.panes.zoom_to_fit)
        self.zoom_button = QPushButton("100% (Z)")
        self.zoom_button.clicked.connect(
            lambda: self.panes.zoom_100(
                self.photo_pane.mapToScene(self.photo_pane.viewport().rect().center())
            )
        )
        self.status = QLabel()
        self.heatmap_legend = HeatmapLegend()
        self.heatmap_legend.setVisible(False)
        self.heatmap_box.toggled.connect(self.heatmap_legend.setVisible)
        self.fit_button.setToolTip("Fit the photo to the panes")
        self.zoom_button.setToolTip("The file's own pixels, one to one (Z; again for fit)")
        tools = QHBoxLayout()
        for w in (self.fit_button, self.zoom_button, self.heatmap_box):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the photo, not the buttons
            tools.addWidget(w)
        tools.addWidget(self.heatmap_legend)
        tools.addStretch(1)
        tools.addWidget(self.status)

        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QFormLayout()
        self.meta_labels: dict[str, QLabel] = {}
        for key, _ in metadata_rows(None):
            label = QLabel("—")
            self.meta_labels[key] = label
            self.meta.addRow(key + ":", label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.explanation, 3)
        meta_box = QWidget()
        meta_box.setLayout(self.meta)
        bottom.addWidget(meta_box, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(tools)
        layout.addLayout(grid, 1)
        layout.addLayout(bottom)
        hint = QLabel(
            "Wheel: zoom · drag: pan · Z: 100%/fit · H: heatmap · "
            "←/→: previous/next · P keep · X reject · U clear · Esc: close"
        )
        hint.setEnabled(False)
        layout.addWidget(hint)
        self._build_keys()

    # content ------------------------------------------------------------------------------
    def show_loading(self, name: str) -> None:
        self.analysis = None
        self.title.setText(name)
        self.status.setText("Analysing…")
        self.explanation.setText("")
        for pane in self.panes.panes:
            pane.set_image(QPixmap())
            pane.set_overlay(None, 1, 1)

    def set_analysis(self, analysis: Analysis, threshold: float, title: str) -> None:
        """Show an analysis. Called on the GUI thread: QImages and QPixmaps are made here."""
        self.analysis = analysis
        self.threshold = threshold
        self.title.setText(title)
        for key, value in metadata_rows(analysis.info):
            self.meta_labels[key].setText(value)
        if analysis.error is not None or analysis.rgb is None or analysis.score is None:
            self.status.setText("")
            self.explanation.setText(f"This photo could not be scored: {analysis.error}")
            return
        score = analysis.score
        scorer = get_scorer(score.method)
        w, h = analysis.original_size
        decoded = f"{analysis.rgb.shape[1]}×{analysis.rgb.shape[0]}"
        measured = decoded
        if score.maps is not None:  # a scorer may measure at its own, smaller size
            measured = f"{score.maps.edges.shape[1]}×{score.maps.edges.shape[0]}"
        origin = f"from {w}×{h}, {analysis.source or 'decoded'}"
        self.status.setText(
            f"{measured} px analysed ({origin})"
            if measured == decoded
            else f"{measured} px analysed (decoded at {decoded} {origin})"
        )
        self.explanation.setText(
            verdict_line(analysis)
            + "<br>".join(explain_score(score, threshold))
            + f"<br><i>{scorer.description}</i>"
        )
        size = scene_size(analysis.rgb.shape[1], analysis.rgb.shape[0], analysis.original_size)
        self.photo_pane.set_image(QPixmap.fromImage(qimage_from_rgb(analysis.rgb)), size)
        maps = score.maps
        if maps is not None:
            if maps.reblurred_rgb is not None:
                self.reblurred_pane.set_image(
                    QPixmap.fromImage(qimage_from_rgb(maps.reblurred_rgb)), size
                )
            self.edges_pane.set_image(
                QPixmap.fromImage(qimage_from_rgb(edge_map_rgb(maps.edges))), size
            )
            self.edges_reblurred_pane.set_image(
                QPixmap.fromImage(qimage_from_rgb(edge_map_rgb(maps.edges_reblurred))), size
            )
            self._set_heatmap(maps.sharpness, maps.edges.shape[1], maps.edges.shape[0])
        self.photo_pane.set_boxes(region_boxes(analysis))
        if self.panes.fit:
            self.panes.zoom_to_fit()
        else:
            self.panes.set_zoom(self.panes.zoom)

    def set_full_resolution(self, full: FullResolution) -> None:
        """The file's own pixels have been decoded: show them in the photo pane at 100 %."""
        analysis = self.analysis
        if analysis is None or analysis.path != full.path or analysis.rgb is None:
            return
        if full.image is None:
            self.status.setText(self.status.text() + f" · full size not available: {full.error}")
            return
        image = full.image
        rect = self.photo_pane.sceneRect()
        if (round(rect.width()), round(rect.height())) != (image.width(), image.height()):
            # the header's size was not the decoded one (a RAW's preview): lay out anew
            centre = self.photo_pane.mapToScene(self.photo_pane.viewport().rect().center())
            sx, sy = image.width() / max(rect.width(), 1), image.height() / max(rect.height(), 1)
            for pane in self.panes.panes:
                pane.set_image(pane.image_item.pixmap(), (image.width(), image.height()))
            self.panes.set_zoom(
                self.panes.fit_zoom() if self.panes.fit else self.panes.zoom,
                QPointF(centre.x() * sx, centre.y() * sy),
            )
        self.photo_pane.set_full_image(image)
        self.status.setText(
            self.status.text() + f" · 100 % shows all {image.width()}×{image.height()} px"
        )

    def _set_heatmap(self, sharpness: npt.NDArray[np.float32] | None, w: int, h: int) -> None:
        """Lay the per-region map over the photo and its edge map. Its tiles are square in the
        w x h frame the scorer measured at (the maps' size), so each pane scales them by its own
        picture's size against that frame: the photo may be larger than what was measured."""
        if sharpness is None or sharpness.size == 0:
            self.heatmap_box.setEnabled(False)
            self.heatmap_box.setToolTip("This scoring method has no per-region map")
            for pane in (self.photo_pane, self.edges_pane):
                pane.set_overlay(None, 1, 1)
            return
        self.heatmap_box.setEnabled(True)
        ty, tx = sharpness.shape
        tile = max(math.ceil(w / tx), math.ceil(h / ty))  # square tiles; the last ones partial
        pixmap = QPixmap.fromImage(qimage_from_rgb(heatmap_rgba(sharpness)))
        for pane in (self.photo_pane, self.edges_pane):
            picture = pane.image_item.pixmap()
            pane.set_overlay(pixmap, tile * picture.width() / w, tile * picture.height() / h)
            pane.overlay_item.setVisible(self.heatmap_box.isChecked())

    def set_heatmap_visible(self, on: bool) -> None:
        for pane in (self.photo_pane, self.edges_pane):
            pane.overlay_item.setVisible(on and not pane.overlay_item.pixmap().isNull())

    # input --------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.panes.fit:
            self.panes.zoom_to_fit()

    def resizeEvent(self, event: object) -> None:  # type: ignore[override]
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.panes.fit:
            self.panes.zoom_to_fit()

    def _build_keys(self) -> None:
        """The dialog's keys as actions: they work whichever control has the focus (arrows on a
        focused button would otherwise move the focus instead of the photo)."""

        def key(text: str, keys: list[str], slot: object) -> QAction:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)  # type: ignore[arg-type]
            self.addAction(action)
            return action

        self.key_actions = [
            key("Keep", ["P"], lambda: self.decisionRequested.emit("keep")),
            key("Reject", ["X"], lambda: self.decisionRequested.emit("reject")),
            key("Clear decision", ["U"], lambda: self.decisionRequested.emit("clear")),
            key("Next photo", ["Right", "Down"], lambda: self.navigateRequested.emit(1)),
            key("Previous photo", ["Left", "Up"], lambda: self.navigateRequested.emit(-1)),
            key("Focus heatmap", ["H"], self.heatmap_box.toggle),
            key("100% / fit", ["Z"], self.toggle_zoom),
            key("Close", ["Space", "Return", "Enter"], self.close),
        ]
        for n in range(6):
            self.key_actions.append(
                key(f"{n} stars", [str(n)], lambda _=False, n=n: self.ratingRequested.emit(n))
            )
        for k, name in zip("6789", ("red", "yellow", "green", "blue"), strict=True):
            self.key_actions.append(
                key(f"{name} label", [k], lambda _=False, lb=name: self.labelRequested.emit(lb))
            )

    def toggle_zoom(self) -> None:
        """Z: 100% at the centre of the view, or back to fit (as in Lightroom's loupe)."""
        if self.panes.fit:
            self.zoom_button.click()
        else:
            self.panes.zoom_to_fit()
