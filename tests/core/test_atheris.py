"""A short coverage-guided fuzz of the readers with atheris (bench/atheris_fuzz.py runs long
ones): decoders raise only PhotoError and metadata readers never raise, on inputs libFuzzer
mutates from a valid JPEG and DNG."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("REVIEWER_ATHERIS_RUNS", "300"))


@pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None,
    reason="atheris has no wheel for this platform (pyproject's test extra installs it where "
    "one exists)",
)
@pytest.mark.parametrize("fmt", ["jpeg", "png", "tiff", "dng"])
def test_atheris_finds_no_escape(fmt: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "atheris_fuzz.py"), fmt, f"-runs={RUNS}"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Done {RUNS} runs" in done.stderr
