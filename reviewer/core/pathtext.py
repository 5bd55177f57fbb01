"""File names as text that is always valid UTF-8 and converts back to the exact bytes.

Linux file names are bytes. Python decodes them with the file system encoding and keeps each
byte that is not valid UTF-8 as a lone surrogate (U+DC80..U+DCFF, "surrogateescape"); such a
string cannot be written as UTF-8. `escape_text` writes those bytes as `\\xNN` backslash
escapes, and also control characters (a newline in a name would split a row) and the backslash
itself (as `\\\\`), so that the escaped text is unambiguous:

    b"bad\\xff.jpg"   ->  bad\\xff.jpg      (the 4 characters \\ x f f)
    b"a\\\\b.jpg"       ->  a\\\\b.jpg          (a real backslash is doubled)
    b"line\\nbreak"   ->  line\\x0abreak

`unescape_bytes` reverses it: `unescape_bytes(escape_text(os.fsdecode(b))) == b` for every
name `b`. Every other character (accents, CJK, emoji...) is written as it is.
"""

from __future__ import annotations

import os
import re

# Characters that get an escape: the backslash, C0 controls and DEL, and the surrogates that
# stand for undecodable bytes (any other lone surrogate too, so the result always encodes).
_NEEDS_ESCAPE = re.compile(r"[\\\x00-\x1f\x7f\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def _escape_one(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\\":
        return "\\\\"
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return f"\\x{code:02x}"
    # A lone surrogate that is not an escaped byte (never made by os.fsdecode on POSIX):
    # written as its UTF-8-like bytes would be, which unescape gives back as those bytes.
    return "".join(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))


def escape_text(text: str) -> str:
    """`text` with undecodable bytes, control characters and backslashes escaped: the result
    encodes to valid UTF-8 and `unescape_bytes` gives the original bytes back."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(_escape_one, text)


def path_text(path: str | os.PathLike[str]) -> str:
    """A path as printable, valid-UTF-8 text (see `escape_text`)."""
    return escape_text(os.fspath(path))


def unescape_bytes(text: str) -> bytes:
    """The original bytes of a name written by `escape_text` (`\\xNN` and `\\\\` decoded, every
    other character as UTF-8)."""
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(text):
        out += text[pos : m.start()].encode("utf-8", "surrogateescape")
        esc = m.group(1)
        out += b"\\" if esc == "\\" else bytes([int(esc[1:], 16)])
        pos = m.end()
    out += text[pos:].encode("utf-8", "surrogateescape")
    return bytes(out)


def unescape_path(text: str) -> bytes:
    """The bytes path to open for a path printed by `reviewer score` (alias of unescape_bytes)."""
    return unescape_bytes(text)
