"""The window's thumbnails: full decodes of big images happen in a helper process."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.core import thumbproc
from reviewer.core.decode import FullDecodeNeeded, load_thumbnail
from reviewer.core.errors import PhotoError
from tests.hostile_corpus import png_bomb, seeds


@pytest.fixture(autouse=True)
def _stop_helper() -> Iterator[None]:
    yield
    thumbproc.shutdown()


def test_big_full_decodes_are_not_done_in_this_process(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(png_bomb(6000, 4000, 2, 8, rows=4000))  # 96 MB to decode, all data there
    with pytest.raises(FullDecodeNeeded):
        load_thumbnail(big, 320, full_decode_limit=thumbproc.ISOLATE_ABOVE)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rgb = thumbproc.load_thumbnail_isolated(big, 320)
    assert rgb.shape == (213, 320, 3)
    # This process never held the image (the helper did): its peak did not grow by 96 MB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 48 * 1024


def test_errors_come_back_as_photo_errors(tmp_path: Path) -> None:
    cut = tmp_path / "cut.png"
    cut.write_bytes(png_bomb(6000, 4000, 2, 8, rows=100))
    with pytest.raises(PhotoError, match="damaged file"):
        thumbproc.load_thumbnail_isolated(cut)


def test_small_and_jpeg_thumbnails_stay_in_process(tmp_path: Path) -> None:
    for key in ("jpeg", "png", "jpeg-progressive"):
        ext, data = seeds()[key]
        p = tmp_path / f"a{ext}"
        p.write_bytes(data)
        assert thumbproc.load_thumbnail_isolated(p, 160).shape == (120, 160, 3)
    assert thumbproc._pool is None  # no helper was needed
