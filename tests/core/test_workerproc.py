"""Workers import this copy of Reviewer, whatever folder the app is started from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from reviewer.core.workerproc import package_root, worker_sys_path
from tests.imagegen import dead_leaves

DRIVER = """
import sys
from reviewer.core.batch import score_files
if __name__ == "__main__":
    if sys.argv[1] == "window":  # as the window does at start-up
        from reviewer.gui.workers import prestart_worker_server
        prestart_worker_server()
    for r in score_files(sys.argv[2:], jobs=2):
        print(r.path.name, r.verdict, r.error)
"""


@pytest.mark.parametrize("started_by", ["window", "cli"])
def test_scoring_works_from_a_folder_holding_a_reviewer_directory(
    tmp_path: Path, started_by: str
) -> None:
    cwd = tmp_path / "home"
    bogus = cwd / "reviewer"  # another copy of the project, of another version
    (bogus / "core").mkdir(parents=True)
    (bogus / "__init__.py").write_text("")
    (bogus / "core" / "__init__.py").write_text("")
    for name in ("batch", "decode"):
        (bogus / "core" / f"{name}.py").write_text("from reviewer import __version__\n")
    photo = cwd / "a.jpg"
    cv2.imwrite(str(photo), dead_leaves(320, 240, seed=1)[:, :, ::-1])
    driver = tmp_path / "bin" / "driver.py"  # like a console script: not in the cwd
    driver.parent.mkdir()
    driver.write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": str(package_root()), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONSAFEPATH", None)
    out = subprocess.run(
        [sys.executable, str(driver), started_by, str(photo)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["a.jpg", "sharp", "None"], out.stdout + out.stderr


def test_worker_sys_path_drops_the_current_directory(tmp_path: Path) -> None:
    root = str(package_root())
    here = str(tmp_path)
    assert worker_sys_path(["", here, "/usr/lib/python3"], here) == [root, "/usr/lib/python3"]
    # Started from the source tree itself, its path stays.
    assert worker_sys_path(["", root], root) == [root]
