"""One photo at 24 MP, 11 MP and 6 MP, read through the real decoder: nearly the same score."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from reviewer.core.batch import score_file
from tests.imagegen import dead_leaves, defocus


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("res")
    big = dead_leaves(6000, 4000, seed=21, discs=9000)
    # disk radius 6 px at 3000 px: k = 4 at the 2048 px reference, clearly soft at any size
    soft = defocus(cv2.resize(big, (3000, 2000), interpolation=cv2.INTER_AREA), 6)
    out = {}
    for name, img in (
        ("24mp", big),
        ("11mp", cv2.resize(big, (4000, 2667), interpolation=cv2.INTER_AREA)),
        ("6mp", cv2.resize(big, (3000, 2000), interpolation=cv2.INTER_AREA)),
        ("6mp_soft", soft),
        ("24mp_soft", cv2.resize(soft, (6000, 4000), interpolation=cv2.INTER_CUBIC)),
    ):
        out[name] = folder / f"{name}.jpg"
        cv2.imwrite(
            str(out[name]), np.ascontiguousarray(img[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 95]
        )
    return out


def test_same_photo_same_verdict_at_any_resolution(versions: dict[str, Path]) -> None:
    r = {k: score_file(p) for k, p in versions.items()}
    assert all(x.score is not None for x in r.values()), {k: x.error for k, x in r.items()}
    sharp = [r[k].score.value for k in ("24mp", "11mp", "6mp")]  # type: ignore[union-attr]
    assert all(v >= 50 for v in sharp), sharp
    assert max(sharp) - min(sharp) < 12, sharp
    soft = [r[k].score.value for k in ("6mp_soft", "24mp_soft")]  # type: ignore[union-attr]
    assert all(v < 50 for v in soft), soft
    assert r["24mp"].width == 6000 and r["6mp"].width == 3000  # full size is reported
