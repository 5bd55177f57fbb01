"""Names that are not valid UTF-8 are written with escapes that give the original bytes back."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reviewer.core.pathtext import escape_text, path_text, unescape_bytes, unescape_path


def test_examples() -> None:
    assert escape_text(os.fsdecode(b"bad\xff.jpg")) == "bad\\xff.jpg"
    assert escape_text("a\\b.jpg") == "a\\\\b.jpg"
    assert escape_text("line\nbreak\t.jpg") == "line\\x0abreak\\x09.jpg"
    assert escape_text("IMG_0001 é 日本.jpg") == "IMG_0001 é 日本.jpg"  # left as it is
    assert unescape_bytes("bad\\xff.jpg") == b"bad\xff.jpg"
    assert unescape_bytes("a\\\\xff") == b"a\\xff"  # an escaped backslash, then text


@given(st.binary(min_size=1, max_size=64).filter(lambda b: b"/" not in b and b"\0" not in b))
def test_every_byte_name_round_trips_through_valid_utf8(name: bytes) -> None:
    text = path_text(os.fsdecode(name))
    text.encode("utf-8")  # strict: never raises
    assert not any(ch in text for ch in "\n\r\x00")
    assert unescape_bytes(text) == name


def test_a_real_file_with_a_bad_name_is_found_again(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9 \\ \x01.jpg")  # latin-1 e-acute
    with open(raw, "wb") as f:
        f.write(b"data")
    listed = next(Path(tmp_path).iterdir())  # how the scan sees it (surrogateescape)
    printed = path_text(listed)
    printed.encode("utf-8")
    assert unescape_path(printed) == raw
    with open(unescape_path(printed), "rb") as f:
        assert f.read() == b"data"
