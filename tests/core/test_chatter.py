"""Native decoder messages: captured from file descriptor 2, sorted into damage and notes."""

from __future__ import annotations

import os
import threading

import pytest

from reviewer.core.chatter import captured_stderr, means_damage, summary, tidy


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
