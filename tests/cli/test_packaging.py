"""The installed package, not only the source checkout, carries what the app needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_the_demo_folder_where_the_app_looks(tmp_path: Path) -> None:
    # built from a copy: setuptools leaves build/ and egg-info behind in the tree it builds
    source = tmp_path / "source"
    junk = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "out", "*.egg-info", "__pycache__", ".*_cache"
    )
    shutil.copytree(ROOT, source, ignore=junk)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("reviewer-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    # pyproject.toml lists the packages by hand: every one in the checkout must be in the wheel
    in_checkout = {p.parent.relative_to(ROOT) for p in (ROOT / "reviewer").rglob("__init__.py")}
    in_wheel = {p.parent.relative_to(site) for p in (site / "reviewer").rglob("__init__.py")}
    assert in_checkout <= in_wheel, in_checkout - in_wheel
    shipped = sorted(p.name for p in (site / "reviewer" / "resources" / "demo").iterdir())
    assert shipped == sorted(p.name for p in (ROOT / "resources" / "demo").iterdir())
    # run from the unpacked wheel, away from the checkout: demo_folder() finds its own copy
    code = "from reviewer.gui.app import demo_folder; print(demo_folder())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert Path(out.stdout.strip()) == site / "reviewer" / "resources" / "demo"
    # the learned scorer's model ships too, and the installed copy finds it
    models = sorted(p.name for p in (site / "reviewer" / "resources" / "models").iterdir())
    assert models == sorted(p.name for p in (ROOT / "resources" / "models").iterdir())
    code = "from reviewer.core.scoring.learned import model_path; print(model_path())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert (
        Path(out.stdout.strip()) == site / "reviewer" / "resources" / "models" / "learned_blur.onnx"
    )
