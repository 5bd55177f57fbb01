"""Sorting (sharpness, capture time, name) and filtering (all/below/rejected/kept/errors)."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel

from reviewer.gui.photo_model import PhotoModel, Role, SortKey

FilterMode = Literal["all", "below", "rejected", "kept", "errors"]

SORT_KEYS: dict[SortKey, str] = {
    "sharpness": "Sharpness (blurriest first)",
    "time": "Capture time",
    "name": "File name",
}
FILTER_MODES: dict[FilterMode, str] = {
    "all": "All photos",
    "below": "Below threshold",
    "rejected": "Rejected",
    "kept": "Kept",
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
    def sort_key(self) -> SortKey:
        return self.photo_model().sort_key

    def set_sort_key(self, key: SortKey) -> None:
        self.photo_model().sort_by(key)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self._mode == "all":
            return True  # fast path: called for every row on each threshold change
        model = self.photo_model()
        rec = model.record(source_row)
        if self._mode == "below":
            return rec.is_below(model.threshold)
        if self._mode == "rejected":
            return rec.decision == "reject"
        if self._mode == "kept":
            return rec.decision == "keep"
        return rec.error is not None
