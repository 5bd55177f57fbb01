"""What native decoders print while they work (libjpeg, libpng, libtiff, LibRaw), captured.

libjpeg reports a damaged JPEG ("Corrupt JPEG data: premature end of data segment") only as a
warning on the process's standard error, and still returns pixels; LibRaw prints "data corrupted
at 1378" or "Unexpected end of file". Left alone, these lines scroll past in a terminal, or
nowhere, while the damaged photo gets a score. `captured_stderr` redirects file descriptor 2 to
a temporary file around a decode so the text can go into that photo's row instead.

File descriptor 2 belongs to the whole process: it is only redirected when the calling thread is
the process's only Python thread (a scoring worker). Elsewhere (the window's thumbnail threads)
the block runs as is and nothing is captured.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

# At most this much of a decoder's output is kept (a broken file can make LibRaw print a line
# per row).
MAX_CAPTURED = 64 * 1024
MAX_REPORTED = 300

# Messages that mean the file's data is damaged, not merely unusual.
_DAMAGE = re.compile(
    r"corrupt|premature end|unexpected end|data error|huffman|truncat|inconsistent progression"
    r"|invalid sos|bad (?:jpeg|data)|not enough (?:data|image data)|end of file|crc error"
    r"|decompression error|too few|short read",
    re.IGNORECASE,
)


def can_capture() -> bool:
    """True if this thread may redirect file descriptor 2: it is the process's only thread."""
    return threading.active_count() == 1 and threading.current_thread() is threading.main_thread()


@contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Collect the lines written to file descriptor 2 inside the block (the list is filled when
    the block ends). Captures nothing unless this is the process's only Python thread."""
    lines: list[str] = []
    if not can_capture():
        yield lines
        return
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all
        yield lines
        return
    with suppress(Exception):
        sys.stderr.flush()
    try:
        # Pillow speaks through Python warnings ("Corrupt EXIF data"): those are the decoder's
        # messages too. catch_warnings is process-wide, safe here as this is the only thread.
        with tempfile.TemporaryFile() as sink, warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            os.dup2(sink.fileno(), 2)
            try:
                yield lines
            finally:
                with suppress(Exception):
                    sys.stderr.flush()
                os.dup2(saved, 2)
            sink.seek(0)
            text = sink.read(MAX_CAPTURED).decode("utf-8", "replace")
            lines.extend(line.strip() for line in text.splitlines() if line.strip())
            lines.extend(str(w.message).strip() for w in said if str(w.message).strip())
    finally:
        os.close(saved)


def tidy(lines: list[str], path: str | Path | None = None) -> list[str]:
    """Lines without the file name LibRaw prefixes them with, each once, in order."""
    prefix = f"{os.fspath(path)}: " if path is not None else None
    out: list[str] = []
    for line in lines:
        if prefix and line.startswith(prefix):
            line = line[len(prefix) :]
        if line not in out:
            out.append(line)
    return out


# Complaints about metadata (Pillow: "Corrupt EXIF data", "Possibly corrupt EXIF MakerNote
# data"): sloppy writers cause them too, and the pixels are not affected.
_METADATA = re.compile(r"exif|makernote|metadata|xmp|iptc|icc|\bsrgb\b|iccp|tag", re.IGNORECASE)


def means_damage(lines: list[str]) -> bool:
    """True if a decoder's messages say the image data it read was damaged."""
    return any(_DAMAGE.search(line) and not _METADATA.search(line) for line in lines)


def summary(lines: list[str]) -> str:
    """The messages as one short line for a row."""
    text = "; ".join(lines)
    if len(text) > MAX_REPORTED:
        text = text[: MAX_REPORTED - 1] + "…"
    return text
