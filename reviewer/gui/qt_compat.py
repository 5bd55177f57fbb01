"""Work-arounds for bugs in the Qt binding.

PySide6 6.12.0: `SignalInstance.emit()` returns `True` without taking a reference to it, so
every emit from Python drops the refcount of `True` by one; after a few hundred emits Python
aborts with "bool_dealloc: deallocating True or False". `emit()` below restores the reference
when (and only when) the running binding has the bug, detected once at first use. Use it for
every emit in this package. Pinning PySide6 != 6.12.0 makes it a no-op.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_LEAKS: bool | None = None


class _Probe(QObject):
    ping = Signal(int)


def _emit_leaks_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        result = probe.ping.emit(0)
        del result
    delta = sys.getrefcount(True) - before
    if delta < 0:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))  # give back what the probe took
        for _ in range(-delta - 1):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return delta < 0


def emit(signal: Any, *args: Any) -> None:
    """signal.emit(*args), without the PySide6 6.12.0 refcount bug."""
    global _LEAKS
    if _LEAKS is None:
        _LEAKS = _emit_leaks_true()
    result = signal.emit(*args)
    if _LEAKS and (result is True or result is False):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


# PySide6 6.12.0 also drops a reference to None each time C++ receives None from a Python
# QAbstractItemModel.data() override (any role a model does not serve): after some thousands of
# paints Python aborts with "deallocating None". Models return `no_data()` instead of None.
_NONE_LEAKS: bool | None = None


def _model_none_leaks() -> bool:
    from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex

    class Probe(QAbstractListModel):
        def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
            return 1

        def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
            return None

    probe = Probe()
    index = probe.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(8):
        index.data(0)
    delta = sys.getrefcount(None) - before
    for _ in range(max(0, -delta)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return delta < 0


def no_data() -> None:
    """What a model's data() returns for 'nothing here', safe on PySide6 6.12.0."""
    global _NONE_LEAKS
    if _NONE_LEAKS is None:
        _NONE_LEAKS = _model_none_leaks()
    if _NONE_LEAKS:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return None
