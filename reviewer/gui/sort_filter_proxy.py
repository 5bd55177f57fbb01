"""Sorting (sharpness, capture time, name) and filtering (all/below/rejected/kept/undecided/
errors, and by rating and colour label as in Lightroom's filter bar)."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel

from reviewer.gui.photo_model import PhotoModel, Role, SortKey

FilterMode = Literal["all", "below", "unsure", "rejected", "kept", "undecided", "errors"]

SORT_KEYS: dict[SortKey, str] = {
    "sharpness": "Sharpness (blurriest first)",
    "time": "Capture time",
    "name": "File name",
}
FILTER_MODES: dict[FilterMode, str] = {
    "all": "All photos",
    "below": "Below threshold",
    "unsure": "Unsure",
    "rejected": "Rejected",
    "kept": "Kept",
    "undecided": "Undecided",
    "errors": "Errors",
}


class PhotoFilterProxy(QSortFilterProxyModel):
    """Filters rows; the order is the source model's (PhotoModel.sort_by sorts fast).

    The proxy itself never sorts (sort column -1): a QSortFilterProxyModel sort calls the
    Python data() for every comparison, too slow for 10,000 photos.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mode: FilterMode = "all"
        self._min_rating = 0  # show photos with at least this many stars
        self._label: str | None = None  # show photos with this colour label ("none": none)
        self._collapse = False  # bursts collapsed: only each burst's best frame
        self.setDynamicSortFilter(True)
        # a threshold change emits STATE, so rows are re-filtered when they cross it
        self.setFilterRole(Role.STATE)
        self.sort(-1)

    def photo_model(self) -> PhotoModel:
        model = self.sourceModel()
        assert isinstance(model, PhotoModel)
        return model

    @property
    def filter_mode(self) -> FilterMode:
        return self._mode

    def set_filter_mode(self, mode: FilterMode) -> None:
        if mode == self._mode:
            return
        self.beginFilterChange()
        self._mode = mode
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def min_rating(self) -> int:
        return self._min_rating

    @property
    def label_filter(self) -> str | None:
        return self._label

    def set_mark_filter(self, min_rating: int, label: str | None) -> None:
        """At least `min_rating` stars (0: any) and colour label `label` (None: any,
        "none": photos without a label)."""
        if (min_rating, label) == (self._min_rating, self._label):
            return
        self.beginFilterChange()
        self._min_rating, self._label = min_rating, label
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def collapse_bursts(self) -> bool:
        return self._collapse

    def set_collapse_bursts(self, on: bool) -> None:
        """Show each burst as its best frame alone (on), or every frame (off)."""
        if on == self._collapse:
            return
        self.beginFilterChange()
        self._collapse = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def sort_key(self) -> SortKey:
        return self.photo_model().sort_key

    def set_sort_key(self, key: SortKey) -> None:
        self.photo_model().sort_by(key)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        marks = self._min_rating > 0 or self._label is not None
        if self._mode == "all" and not marks and not self._collapse:
            return True  # fast path: called for every row on each threshold change
        model = self.photo_model()
        rec = model.record(source_row)
        if self._collapse and rec.group_size > 1 and not rec.group_best:
            return False  # a burst's other frames, collapsed under its best
        if marks:
            if rec.rating < self._min_rating:
                return False
            if self._label is not None and (rec.label or "none") != self._label:
                return False
        if self._mode == "all":
            return True
        if self._mode == "below":
            return rec.is_below(model.threshold)
        if self._mode == "unsure":
            return rec.error is None and rec.unsure
        if self._mode == "rejected":
            return rec.decision == "reject"
        if self._mode == "kept":
            return rec.decision == "keep"
        if self._mode == "undecided":
            return rec.decision is None
        return rec.error is not None
