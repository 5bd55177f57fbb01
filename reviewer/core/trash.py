"""Compatibility shim: the move code lives in `reviewer.core.cull.moves` (moves, undo, the
trash) and `reviewer.core.cull.journal` (the move journal). Import from there in new code."""

from __future__ import annotations

from reviewer.core.cull.moves import *  # noqa: F403 - the same public names, one list of them
from reviewer.core.cull.moves import __all__ as __all__
