"""Qt-free engine: decoding, scoring, catalog, trash, sidecars.

Nothing under this package may import Qt (enforced by tests/core/test_boundary.py).
"""
