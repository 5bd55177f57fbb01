"""Coverage-guided fuzzing of the photo readers with atheris (libFuzzer), beside the hypothesis
fuzz in tests/core/test_fuzz_readers.py. The contract: decoders raise only PhotoError, the
metadata readers never raise; any other exception is a crash libFuzzer reports (exit != 0).

    PYTHONPATH=. .venv/bin/python bench/atheris_fuzz.py jpeg -runs=100000   (a long run)
    formats: the keys of tests.hostile_corpus.seeds() (jpeg, png, tiff, webp, dng, ...)
tests/core/test_atheris.py runs a short one in CI.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from reviewer.core.decode import load_thumbnail, load_working_image, read_image_size
    from reviewer.core.errors import PhotoError
    from reviewer.core.metadata import parse_exif, read_capture_info

from tests.hostile_corpus import seeds

TMP = Path(tempfile.mkdtemp(prefix="reviewer-atheris-"))


def main() -> None:
    key = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "jpeg"
    ext, seed = seeds()[key]
    corpus = TMP / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "seed").write_bytes(seed)
    path = TMP / f"fuzz{ext}"

    def one_input(data: bytes) -> None:
        path.write_bytes(data)
        for read in (load_working_image, load_thumbnail, read_image_size):
            with contextlib.suppress(PhotoError):  # the documented error
                read(path)
        read_capture_info(path)
        parse_exif(data)

    args = [a for a in sys.argv if a != key] + [str(corpus)]
    atheris.Setup(args, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
