"""Hostile input: a bounded sample of the generated corpus (bench/hostile.py runs all of it),
and the defects hostile testing found: card damage scored as if nothing were wrong, decoder
chatter on stderr, image-less RAWs, memory taken by decompression bombs and huge files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reviewer.core.batch import score_file
from reviewer.core.decode import (
    MAX_FILE_BYTES,
    load_thumbnail,
    load_working_image,
    read_image_size,
)
from reviewer.core.errors import PhotoError
from tests.hostile_corpus import (
    Case,
    cases,
    jpeg_damage,
    png_bomb,
    sample,
    tiff_bomb,
    tiny_dng,
    write_case,
)

# Damaged input makes Pillow warn ("Corrupt EXIF data"): expected here, and in the app those
# messages go into the photo's row (reviewer/core/chatter.py), not to the terminal.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


SAMPLE = sample(110)
MUST_READ = ("valid", "odd-name")


def test_the_corpus_is_big_and_covers_every_class() -> None:
    everything = list(cases())
    assert len(everything) >= 1000
    kinds = {c.kind for c in everything}
    assert {"truncated", "bomb", "card-damage", "hostile-exif", "garbage-raw", "special",
            "odd-name", "wrong-extension", "no-image-data"} <= kinds  # fmt: skip
    assert len({c.kind for c in SAMPLE}) == len(kinds) and 90 <= len(SAMPLE) <= 130


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: f"{c.kind}-{c.name[:40]!r}")
def test_every_reader_gives_pixels_or_photo_error(case: Case, tmp_path: Path) -> None:
    path = write_case(tmp_path, case)
    scored = False
    for read in (load_working_image, load_thumbnail, read_image_size):
        try:
            read(path)
            scored = scored or read is load_working_image
        except PhotoError as exc:
            assert exc.reason and exc.path == path
    if case.must_fail:
        assert not scored, f"{case.name!r} ({case.kind}) must not be scored"
    if case.kind in MUST_READ:
        assert scored, f"{case.name!r} is a valid photo"


# --------------------------------------------------------------------------------------------
# Card damage (defect 7)

DAMAGE = dict(jpeg_damage(__import__("random").Random(3)))


@pytest.mark.parametrize(
    "name",
    ["eoi-in-scan-0.5", "overwritten-random-0.5", "overwritten-zero-0.5",
     "header-15000x15000-over-1600x1200", "header-3200x2400-over-1600x1200"],
)  # fmt: skip
def test_card_damage_is_an_error_row(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(DAMAGE[name])
    row = score_file(path)
    assert row.verdict == "error" and row.score is None
    assert row.error is not None and row.error.startswith("damaged file: Corrupt JPEG data")


def test_decoder_chatter_goes_in_the_row_not_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.jpg"
    path.write_bytes(DAMAGE["eoi-in-scan-0.3"])
    row = score_file(path)
    err = capfd.readouterr().err
    assert "Corrupt JPEG" not in err and "premature end" not in err
    assert row.error is not None and "premature end of data segment" in row.error


def test_a_png_whose_data_stops_early_is_damaged(tmp_path: Path) -> None:
    # Pillow decodes it without a word and leaves the missing rows black.
    path = tmp_path / "short.png"
    path.write_bytes(png_bomb(1200, 900, 2, 8, rows=300))
    with pytest.raises(PhotoError, match="damaged file: its image data stops 33 %"):
        load_working_image(path)


@pytest.mark.parametrize(("w", "h", "n"), [(6000, 4000, 0), (3516, 2328, 4096)])
def test_a_raw_of_headers_only_holds_no_image_data(w: int, h: int, n: int, tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.dng"
    path.write_bytes(tiny_dng(w, h, bytes(n), strip_bytes=w * h * 2))
    row = score_file(path)
    assert row.verdict == "error"
    assert row.error is not None and row.error.startswith("the file holds no image data")


def test_a_raw_with_a_blank_sensor_holds_no_image_data(tmp_path: Path) -> None:
    path = tmp_path / "blank.dng"
    path.write_bytes(tiny_dng(640, 480, bytes(640 * 480 * 2)))
    with pytest.raises(PhotoError, match="the file holds no image data"):
        load_working_image(path)
    ok = tmp_path / "ok.dng"
    ok.write_bytes(tiny_dng(640, 480))
    assert load_working_image(ok).source == "raw demosaic"


# --------------------------------------------------------------------------------------------
# Memory (defect 6)


def test_bombs_are_refused_from_the_header_with_the_figures(tmp_path: Path) -> None:
    png = tmp_path / "bomb.png"
    png.write_bytes(png_bomb(16000, 15000))
    with pytest.raises(PhotoError) as e:
        load_working_image(png)
    assert e.value.reason.startswith("image is 240 MP (16000 x 15000): decoding it would take")
    assert "limit for one photo" in e.value.reason
    tif = tmp_path / "bomb.tif"
    tif.write_bytes(tiff_bomb(15000, 16000))
    with pytest.raises(PhotoError, match="image is 240 MP"):
        load_working_image(tif)


def test_thumbnails_have_a_smaller_budget(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png_bomb(12000, 8000, 2, 8, rows=8000))  # all of its data is there
    with pytest.raises(PhotoError, match="limit for a thumbnail"):
        load_thumbnail(path)


def test_a_huge_file_is_never_read(tmp_path: Path) -> None:
    path = tmp_path / "six-gigabytes.jpg"
    with open(path, "wb") as f:  # sparse: takes no disk space
        f.write(DAMAGE["eoi-in-scan-0.5"][:4096])
        f.truncate(6 * 1024**3)
    with pytest.raises(PhotoError) as e:
        load_working_image(path)
    assert e.value.reason.startswith("file is 6.4 GB: too big to be a photo")
    assert os.path.getsize(path) > MAX_FILE_BYTES


WORKERS = """
import resource, sys
from reviewer.core.batch import score_files

if __name__ == "__main__":
    rows = list(score_files(sys.argv[1:], jobs=2))
    for r in sorted(rows, key=lambda r: r.path.name):
        print(r.path.name, r.verdict)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def test_no_worker_goes_above_1_gb(tmp_path: Path) -> None:
    # On main, each of the first two took 2.5-2.8 GB and the last was read whole.
    (tmp_path / "a.png").write_bytes(png_bomb(16000, 15000))
    (tmp_path / "b.tif").write_bytes(tiff_bomb(15000, 16000, rows_per_strip=16000))
    with open(tmp_path / "c.jpg", "wb") as f:
        f.write(DAMAGE["eoi-in-scan-0.5"][:4096])
        f.truncate(3 * 1024**3)
    script = tmp_path / "run.py"
    script.write_text(WORKERS)
    out = subprocess.run(
        [sys.executable, str(script), *(str(tmp_path / n) for n in ("a.png", "b.tif", "c.jpg"))],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    *rows, peak_mb = out.stdout.split("\n")[:-1]
    assert rows == ["a.png error", "b.tif error", "c.jpg error"]
    assert int(peak_mb) < 1024


@pytest.mark.parametrize("shape", [(6, 8, 1), (6, 8, 2), (6, 8), (6, 8, 4)])
def test_any_decoder_output_becomes_three_channels(shape: tuple[int, ...]) -> None:
    # bench/fuzz.py found a damaged RAW that LibRaw decodes to one channel: the scorer's colour
    # conversion then raised an OpenCV error instead of a row.
    from reviewer.core.decode import _finish

    out = _finish(np.zeros(shape, np.uint8))
    assert out.shape == (6, 8, 3) and out.flags.c_contiguous and out.flags.writeable


def test_big_thumbnail_decodes_take_turns_and_release(tmp_path: Path) -> None:
    from reviewer.core import decode

    big = tmp_path / "big.png"
    big.write_bytes(png_bomb(5000, 3000, 2, 8, rows=3000))  # 60 MB decoded: over 50 MB
    cut = tmp_path / "cut.png"
    cut.write_bytes(png_bomb(5000, 3000, 2, 8, rows=100))
    for _ in range(2):  # a leaked turn would block the second call forever
        assert load_thumbnail(big).shape == (192, 320, 3)
        with pytest.raises(PhotoError, match="damaged file"):
            load_thumbnail(cut)
    assert not decode._big_thumbnail.locked()
