"""Fuzzing every reader with hypothesis: damaged JPEG, PNG, TIFF, WebP, HEIF and RAW files and
raw EXIF/MakerNote blocks. The documented contract: the decoders raise nothing but PhotoError
(reviewer/core/errors.py), the metadata readers never raise.

A short run here (REVIEWER_FUZZ_EXAMPLES per reader, 30 by default); `bench/fuzz.py` runs
thousands of cases in worker processes and also counts hangs, crashes and memory.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.core.decode import load_thumbnail, load_working_image, read_image_size
from reviewer.core.errors import PhotoError
from reviewer.core.formats import ByteSource, TiffReader, iter_boxes, parse_jpeg_header
from reviewer.core.metadata import parse_exif, read_capture_info
from tests.hostile_corpus import exif_block, seeds

# Damaged input makes Pillow warn ("Corrupt EXIF data"): expected here, and in the app those
# messages go into the photo's row (reviewer/core/chatter.py), not to the terminal.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


EXAMPLES = int(os.environ.get("REVIEWER_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # no wall-clock asserts: a 2-core machine shared by many runs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every CI run; bench/fuzz.py explores further
)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with some of: bytes overwritten, a run inserted, a run deleted, the tail cut."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(out) - 1))
        out[i] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(out)))
        out[i:i] = draw(st.binary(min_size=1, max_size=64))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(out) - 1))
        del out[i : i + draw(st.integers(1, 256))]
    if draw(st.booleans()):
        del out[draw(st.integers(0, len(out))) :]
    return bytes(out)


def _read_all(data: bytes, ext: str) -> None:
    """Every decoder entry point on a file of `data`: pixels or PhotoError, nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{ext}"
        path.write_bytes(data)
        for read in (load_working_image, load_thumbnail, read_image_size):
            try:
                read(path)
            except PhotoError as exc:
                assert exc.reason
        read_capture_info(path)  # never raises


def _seed(key: str) -> tuple[str, bytes]:
    found = seeds().get(key)
    if found is None:
        pytest.skip(f"no {key} encoder here")
    return found


@pytest.mark.parametrize(
    "key", ["jpeg", "jpeg-progressive", "png", "tiff", "webp", "bmp", "heif", "dng"]
)
def test_decoders_raise_only_photo_error(key: str) -> None:
    ext, data = _seed(key)

    @FUZZ
    @given(mutated(data))
    def run(fuzzed: bytes) -> None:
        _read_all(fuzzed, ext)

    run()


@pytest.mark.parametrize("ext", [".nef", ".cr2", ".arw", ".raf", ".cr3", ".orf"])
def test_raw_readers_raise_only_photo_error(ext: str) -> None:
    # A DNG's TIFF structure under other RAW names, damaged: LibRaw and our own preview finder.
    data = _seed("dng")[1]

    @FUZZ
    @given(mutated(data))
    def run(fuzzed: bytes) -> None:
        _read_all(fuzzed, ext)

    run()


@FUZZ
@given(mutated(exif_block()))
def test_exif_and_makernote_parsing_never_raises(block: bytes) -> None:
    parse_exif(block)
    parse_exif(b"Exif\x00\x00" + block)
    try:
        tiff = TiffReader(ByteSource(block))
    except ValueError:
        return
    chain = tiff.ifd_chain(limit=8)  # cycle-safe, bounded
    for ifd in chain:
        tiff.sub_ifd(ifd, 0x8769)
        tiff.sub_ifd(ifd, 0x927C)


@FUZZ
@given(st.binary(max_size=4096))
def test_exif_parsing_of_any_bytes_never_raises(block: bytes) -> None:
    parse_exif(block)
    parse_exif(b"II*\x00" + block)
    parse_exif(b"MM\x00*" + block)


@FUZZ
@given(st.binary(max_size=2048))
def test_container_parsers_raise_only_value_errors(block: bytes) -> None:
    src = ByteSource(b"\xff\xd8" + block)
    with contextlib.suppress(ValueError, struct.error):
        parse_jpeg_header(src)
    boxes = iter_boxes(ByteSource(block), 0, len(block))
    assert all(b.start < b.end <= len(block) for b in boxes)
