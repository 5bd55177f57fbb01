"""Paints one grid cell: thumbnail, score badge, exposure / blur marks, state tint and frame."""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from reviewer.gui.photo_model import PhotoRecord, Role
from reviewer.gui.settings import DEFAULT_THUMBNAIL_SIZE
from reviewer.gui.thumbnails import ThumbnailLoader

PADDING = 6
LABEL_GAP = 4
LABEL_BOTTOM = 2

SHARP_COLOR = QColor(46, 160, 67)
BLURRY_COLOR = QColor(207, 34, 46)
NEAR_COLOR = QColor(210, 150, 20)
KEEP_COLOR = QColor(46, 190, 90)
REJECT_COLOR = QColor(230, 50, 50)
BELOW_TINT = QColor(160, 20, 20, 90)
REJECT_TINT = QColor(20, 20, 20, 140)
ERROR_COLOR = QColor(140, 140, 140)
BEST_COLOR = QColor(40, 110, 200)  # the best frame of a burst
PLACEHOLDER = QColor(60, 60, 64)
# Colour labels as Lightroom shows them.
LABEL_COLORS = {
    "red": QColor(214, 48, 49),
    "yellow": QColor(232, 196, 36),
    "green": QColor(56, 170, 70),
    "blue": QColor(45, 110, 220),
    "purple": QColor(150, 80, 190),
}
STAR_COLOR = QColor(255, 210, 60)
ELSEWHERE_COLOR = QColor(70, 150, 230)


class ThumbnailDelegate(QStyledItemDelegate):
    """Draws from the thumbnail cache and asks the loader for what is missing."""

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.thumbnail_size = DEFAULT_THUMBNAIL_SIZE
        self.painted_cells = 0  # since the last reset; the window uses it to know the grid drew
        # Fonts and their metrics by what they are made from: made once, not for every cell of
        # every paint (a grid paint made four of them per cell).
        self._fonts: dict[tuple[str, int], tuple[QFont, QFontMetrics]] = {}

    def _font(self, base: QFont, pixel_size: int = 0) -> tuple[QFont, QFontMetrics]:
        """`base`, bold at `pixel_size` when that is given, and its metrics."""
        key = (base.key(), pixel_size)
        made = self._fonts.get(key)
        if made is None:
            font = QFont(base)
            if pixel_size:
                font.setBold(True)
                font.setPixelSize(pixel_size)
            if len(self._fonts) > 16:
                self._fonts.clear()
            made = self._fonts[key] = (font, QFontMetrics(font))
        return made

    def set_thumbnail_size(self, size: int) -> None:
        self.thumbnail_size = size

    def cell_size(self, option_font: QFont | None = None) -> QSize:
        """The cell: the square thumbnail area, then the label's line (with its descenders and
        a margin below, so that the last row's labels are never cut at the grid's edge)."""
        fm = QFontMetrics(option_font or QFont())
        side = self.thumbnail_size + 2 * PADDING
        return QSize(side, side + LABEL_GAP + max(fm.height(), fm.lineSpacing()) + LABEL_BOTTOM)

    def label_rect(self, rect: QRect, font: QFont) -> QRect:
        """Where a cell's label goes, within the cell `rect`."""
        fm = self._font(font)[1]
        return QRect(
            rect.left() + PADDING,
            rect.top() + PADDING + self.thumbnail_size + LABEL_GAP,
            rect.width() - 2 * PADDING,
            max(fm.height(), fm.lineSpacing()),
        )

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return self.cell_size(option.font)  # type: ignore[attr-defined]

    # painting -----------------------------------------------------------------------------
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rec = index.data(Role.RECORD)
        if not isinstance(rec, PhotoRecord):
            return
        self.painted_cells += 1
        rect: QRect = option.rect  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        below = bool(index.data(Role.BELOW))
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            cell = rect.adjusted(2, 2, -2, -2)
            if state & QStyle.StateFlag.State_Selected:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(palette.highlight())
                painter.drawRoundedRect(QRectF(cell), 6, 6)
            area = QRect(
                rect.left() + PADDING,
                rect.top() + PADDING,
                self.thumbnail_size,
                self.thumbnail_size,
            )
            image_rect = self._draw_thumbnail(painter, rec, area)
            self._draw_state(painter, rec, image_rect, below)
            self._draw_badge(painter, rec, image_rect, below)
            self._draw_marks(painter, rec, image_rect)
            draw_rating_and_label(painter, rec, image_rect)
            self._draw_label(painter, option, rec, rect, area)
            if state & QStyle.StateFlag.State_HasFocus:
                pen = QPen(palette.highlight().color().lighter(140), 2)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(QRectF(cell).adjusted(1, 1, -1, -1), 6, 6)
        finally:
            painter.restore()

    def _draw_thumbnail(self, painter: QPainter, rec: PhotoRecord, area: QRect) -> QRect:
        cached = self.loader.cache.get(rec.path)
        if cached is None or cached[1] < 1:
            self.loader.request(rec.path)
        if cached is None:
            painter.fillRect(area, PLACEHOLDER)
            if rec.path in self.loader.failed or rec.error:
                self._draw_error_mark(painter, area)
            return area
        image = cached[0]
        w, h = image.width(), image.height()
        scale = min(area.width() / max(w, 1), area.height() / max(h, 1))
        tw, th = max(1, round(w * scale)), max(1, round(h * scale))
        target = QRect(
            area.left() + (area.width() - tw) // 2, area.top() + (area.height() - th) // 2, tw, th
        )
        painter.drawImage(target, image)
        return target

    def _draw_state(self, painter: QPainter, rec: PhotoRecord, r: QRect, below: bool) -> None:
        if rec.decision == "reject":
            painter.fillRect(r, REJECT_TINT)
            self._frame(painter, r, REJECT_COLOR, 4)
            self._draw_cross(painter, r)
        elif rec.decision == "keep":
            self._frame(painter, r, KEEP_COLOR, 4)
            self._draw_tick(painter, r)
        elif rec.unsure and rec.error is None:
            self._frame(painter, r, NEAR_COLOR, 2, dashed=True)  # look at it: no tint, no verdict
        elif below:
            painter.fillRect(r, BELOW_TINT)
            self._frame(painter, r, BLURRY_COLOR, 2, dashed=True)
        if rec.error:
            painter.fillRect(r, QColor(0, 0, 0, 120))
            self._draw_error_mark(painter, r)

    @staticmethod
    def _frame(
        painter: QPainter, r: QRect, color: QColor, width: int, dashed: bool = False
    ) -> None:
        pen = QPen(color, width)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = width / 2
        painter.drawRect(QRectF(r).adjusted(half, half, -half, -half))

    def _corner_disc(self, painter: QPainter, r: QRect, color: QColor) -> QRectF:
        d = max(16.0, min(26.0, self.thumbnail_size / 7))
        disc = QRectF(r.right() - d - 4, r.top() + 4, d, d)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(disc)
        return disc

    def _draw_cross(self, painter: QPainter, r: QRect) -> None:
        disc = self._corner_disc(painter, r, REJECT_COLOR)
        painter.setPen(QPen(Qt.GlobalColor.white, max(2.0, disc.width() / 9)))
        m = disc.width() * 0.3
        painter.drawLine(
            QPointF(disc.left() + m, disc.top() + m), QPointF(disc.right() - m, disc.bottom() - m)
        )
        painter.drawLine(
            QPointF(disc.right() - m, disc.top() + m), QPointF(disc.left() + m, disc.bottom() - m)
        )

    def _draw_tick(self, painter: QPainter, r: QRect) -> None:
        disc = self._corner_disc(painter, r, KEEP_COLOR)
        painter.setPen(QPen(Qt.GlobalColor.white, max(2.0, disc.width() / 9)))
        w = disc.width()
        path = QPainterPath(QPointF(disc.left() + w * 0.27, disc.top() + w * 0.52))
        path.lineTo(QPointF(disc.left() + w * 0.44, disc.top() + w * 0.7))
        path.lineTo(QPointF(disc.left() + w * 0.75, disc.top() + w * 0.32))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    @staticmethod
    def _draw_error_mark(painter: QPainter, r: QRect) -> None:
        d = min(r.width(), r.height()) * 0.3
        c = QPointF(r.center())
        tri = QPainterPath(QPointF(c.x(), c.y() - d / 2))
        tri.lineTo(QPointF(c.x() + d / 2, c.y() + d / 2))
        tri.lineTo(QPointF(c.x() - d / 2, c.y() + d / 2))
        tri.closeSubpath()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(230, 170, 20))
        painter.drawPath(tri)
        painter.setPen(QPen(QColor(30, 30, 30), max(2.0, d / 10)))
        painter.drawLine(QPointF(c.x(), c.y() - d / 6), QPointF(c.x(), c.y() + d / 6))
        painter.drawPoint(QPointF(c.x(), c.y() + d / 3))

    def _draw_badge(self, painter: QPainter, rec: PhotoRecord, r: QRect, below: bool) -> None:
        if rec.error:
            text, color = "error", ERROR_COLOR
        elif rec.score is None:
            text, color = "…", QColor(90, 90, 96, 200)
        else:
            v = rec.score.value
            text = f"{v:.0f}" if abs(v) >= 10 or v == 0 else f"{v:.1f}"
            color = BLURRY_COLOR if below else SHARP_COLOR
            if rec.unsure:
                text, color = f"{text} ?", NEAR_COLOR
        # sized by the cell, not the picture: alike on portrait and landscape thumbnails
        font, fm = self._font(painter.font(), max(10, min(15, self.thumbnail_size // 12)))
        painter.setFont(font)
        w = fm.horizontalAdvance(text) + 10
        h = fm.height() + 2
        badge = QRectF(r.left() + 4, r.bottom() - h - 3, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(badge, h / 2, h / 2)
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        stack = stack_text(rec)
        if stack:  # one of a burst: its size, and "best" on the burst's best frame
            sw = fm.horizontalAdvance(stack) + 10
            box = QRectF(badge.right() + 4, badge.top(), sw, h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(BEST_COLOR if rec.group_best else QColor(0, 0, 0, 170))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, stack)

    def _draw_marks(self, painter: QPainter, rec: PhotoRecord, r: QRect) -> None:
        """Small icons at the bottom right: blur kind and exposure problems."""
        if rec.score is None:
            return
        s = max(12.0, min(20.0, self.thumbnail_size / 10))
        x = r.right() - 4 - s
        y = r.bottom() - 3 - s
        marks: list[str] = []
        if rec.score.blur_kind != "none":
            marks.append(rec.score.blur_kind)
        if rec.score.exposure in ("dark", "dark+bright"):
            marks.append("dark")
        if rec.score.exposure in ("bright", "dark+bright"):
            marks.append("bright")
        for mark in marks:
            box = QRectF(x, y, s, s)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.drawRoundedRect(box, 3, 3)
            self._icon(painter, mark, box.adjusted(2.5, 2.5, -2.5, -2.5))
            x -= s + 3

    @staticmethod
    def _icon(painter: QPainter, kind: str, b: QRectF) -> None:
        white = QColor(255, 255, 255)
        pen = QPen(white, max(1.2, b.width() / 9))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        c = b.center()
        if kind == "motion":  # speed lines
            for i, frac in enumerate((0.25, 0.5, 0.75)):
                y = b.top() + b.height() * frac
                x0 = b.left() + (b.width() * 0.25 if i != 1 else 0)
                painter.drawLine(QPointF(x0, y), QPointF(b.right(), y))
        elif kind == "defocus":  # soft rings
            painter.drawEllipse(c, b.width() / 2, b.height() / 2)
            painter.drawEllipse(c, b.width() / 4, b.height() / 4)
        elif kind == "dark":  # moon-ish half disc
            painter.setBrush(white)
            painter.drawChord(b, 90 * 16, 180 * 16)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(b)
        elif kind == "bright":  # sun
            rr = b.width() / 4.5
            painter.setBrush(white)
            painter.drawEllipse(c, rr, rr)
            for k in range(8):
                a = k * math.pi / 4
                painter.drawLine(
                    QPointF(c.x() + math.cos(a) * rr * 1.5, c.y() + math.sin(a) * rr * 1.5),
                    QPointF(
                        c.x() + math.cos(a) * b.width() / 2, c.y() + math.sin(a) * b.width() / 2
                    ),
                )

    def _draw_label(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rec: PhotoRecord,
        rect: QRect,
        area: QRect,
    ) -> None:
        font, fm = self._font(option.font)  # type: ignore[attr-defined]
        painter.setFont(font)
        text_rect = self.label_rect(rect, font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        label = rec.shot.label()
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(label, Qt.TextElideMode.ElideMiddle, text_rect.width()),
        )


def stack_text(rec: PhotoRecord) -> str:
    """The stack badge of a frame of a burst ("▣ 5", "▣ 5 best"); "" for a frame alone."""
    if rec.group_size < 2:
        return ""
    return f"▣ {rec.group_size}" + (" best" if rec.group_best else "")


def draw_rating_and_label(painter: QPainter, rec: PhotoRecord, r: QRect) -> None:
    """Top left of the photo: its colour label (a disc), its stars, and a blue "↻" when its
    marks were last changed in another program (a newer sidecar)."""
    h = max(14, min(20, r.width() // 10))
    x = r.left() + 4
    y = r.top() + 4
    color = LABEL_COLORS.get(rec.label or "")
    if color is not None:
        painter.setPen(QPen(QColor(255, 255, 255, 200), 1.5))
        painter.setBrush(color)
        painter.drawEllipse(QRectF(x, y, h, h))
        x += h + 4
    texts: list[tuple[str, QColor]] = []
    if rec.rating:
        texts.append(("★" * rec.rating, STAR_COLOR))
    if rec.changed_elsewhere:
        texts.append(("↻", ELSEWHERE_COLOR))
    if not texts:
        return
    font = QFont(painter.font())
    font.setPixelSize(h - 2)
    font.setBold(True)
    painter.setFont(font)
    fm = QFontMetrics(font)
    for text, fg in texts:
        w = fm.horizontalAdvance(text) + 8
        box = QRectF(x, y, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 160))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(fg)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        x += w + 4
