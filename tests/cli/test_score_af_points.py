"""`reviewer score --format json` gives each photo's in-focus AF boxes (`af_points`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.imagegen import dead_leaves


def test_score_json_has_af_points(tmp_path: Path) -> None:
    scene = Image.fromarray(dead_leaves(1200, 800, seed=5))
    exif = Image.Exif()
    exif[0x0112] = 6  # Rotate 90 CW
    exif.get_ifd(0x8769)[0x9214] = (300, 200, 120, 100)  # SubjectArea: centre, width, height
    scene.save(tmp_path / "a_focus.jpg", exif=exif.tobytes(), quality=90)
    scene.save(tmp_path / "b_plain.jpg", quality=90)
    (tmp_path / "c_broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "score", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    records = {Path(r["path"]).name: r for r in json.loads(proc.stdout)}
    (box,) = records["a_focus.jpg"]["af_points"]
    # stored centre (0.25, 0.25) of 1200x800, turned 90 degrees clockwise -> (0.75, 0.25)
    x, y, w, h = box
    assert (x + w / 2, y + h / 2) == pytest.approx((0.75, 0.25), abs=1e-3)
    assert (w, h) == pytest.approx((100 / 800, 120 / 1200), abs=1e-3)
    assert records["b_plain.jpg"]["af_points"] == []
    assert records["c_broken.jpg"]["af_points"] == [] and records["c_broken.jpg"]["error"]
