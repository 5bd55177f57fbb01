"""Guards against Qt-binding bugs that would crash the app, whatever PySide6 gets installed."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt


class _NoneModel(QAbstractListModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 4

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        return None  # what every model returns for roles it does not serve


def test_model_data_returning_none_keeps_none_alive(qapp: object) -> None:
    # PySide6 6.12.0 drops a reference to None on each such call: the grid's painting would
    # abort the interpreter ("deallocating None") after a few thousand calls.
    model = _NoneModel()
    index = model.index(1, 0)
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(2000):
        index.data(Qt.ItemDataRole.DisplayRole)
    gc.collect()
    assert abs(sys.getrefcount(None) - before) < 100
