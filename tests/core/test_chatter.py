"""Native decoder messages: captured from file descriptor 2, sorted into damage and notes."""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path

import pytest

from reviewer.core.chatter import captured_stderr, means_damage, summary, tidy
from reviewer.core.errors import PhotoError


def test_captures_what_native_code_writes_to_fd_2(capfd: pytest.CaptureFixture[str]) -> None:
    with captured_stderr() as lines:
        os.write(2, b"/x/a.nef: data corrupted at 1378\n")
    assert lines == ["/x/a.nef: data corrupted at 1378"]
    assert tidy(lines, "/x/a.nef") == ["data corrupted at 1378"]
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"  # fd 2 is back


def test_captures_nothing_when_other_threads_run(capfd: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with captured_stderr() as lines:
            os.write(2, b"visible\n")
    finally:
        stop.set()
        other.join()
    assert lines == [] and capfd.readouterr().err == "visible\n"


@pytest.mark.parametrize(
    ("line", "damage"),
    [
        ("Corrupt JPEG data: premature end of data segment", True),
        ("Corrupt JPEG data: 12 extraneous bytes before marker 0xd9", True),
        ("Premature end of JPEG file", True),
        ("data corrupted at 1378", True),
        ("Unexpected end of file", True),
        ("libpng error: Not enough image data", True),
        ("Corrupt EXIF data.  Expecting to read 2 bytes but only got 0.", False),
        ("libpng warning: iCCP: known incorrect sRGB profile", False),
        ("TIFFReadDirectory: Warning, Unknown field with tag 50341 (0xc4a5) encountered.", False),
    ],
)
def test_damage_or_note(line: str, damage: bool) -> None:
    assert means_damage([line]) is damage


def test_summary_is_short() -> None:
    assert len(summary(["x" * 1000])) == 300


def test_thumbnails_in_threads_print_nothing_for_damaged_jpegs(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # The window decodes thumbnails in threads, where fd 2 cannot be captured: they are decoded
    # by Pillow, which prints no libjpeg warnings (OpenCV printed "Corrupt JPEG data: ...").
    from concurrent.futures import ThreadPoolExecutor

    from reviewer.core.decode import load_thumbnail
    from tests.hostile_corpus import jpeg_damage

    damaged = dict(jpeg_damage(random.Random(3)))
    paths = []
    for name in ("eoi-in-scan-0.5", "overwritten-random-0.5", "overwritten-zero-0.5"):
        p = tmp_path / f"{name}.jpg"
        p.write_bytes(damaged[name])
        paths.append(p)

    def thumbnail(path: Path) -> str:
        try:
            return str(load_thumbnail(path).shape)
        except PhotoError as exc:
            return exc.reason

    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(thumbnail, paths))
    assert got == ["(240, 320, 3)", "corrupt JPEG data (broken data stream when reading image "
                   "file)", "(240, 320, 3)"]  # fmt: skip
    assert capfd.readouterr().err == ""


def test_pillow_warnings_are_captured_with_the_rest() -> None:
    import warnings

    import pytest

    from reviewer.core.chatter import can_capture, captured_stderr

    if not can_capture():
        pytest.skip("other threads run in this process: fd 2 is not redirected")
    with captured_stderr() as lines:
        warnings.warn(
            "Corrupt EXIF data.  Expecting to read 2 bytes but only got 0.",
            UserWarning,
            stacklevel=1,
        )
    assert lines == ["Corrupt EXIF data.  Expecting to read 2 bytes but only got 0."]
