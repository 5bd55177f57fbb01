"""The desktop integration files pass the freedesktop validators and agree with each other."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "org.reviewerapp.Reviewer"
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: packaging/bootstrap.sh installs it for the tests")
        pytest.skip(f"{name} is not installed (./test.sh installs it)")
    return found


def test_desktop_file_passes_desktop_file_validate() -> None:
    done = subprocess.run(
        [_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_metainfo_passes_appstreamcli_validate() -> None:
    done = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", "--pedantic", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    # pedantic notes are allowed; warnings and errors are not (exit code 3 = pedantic only)
    assert done.returncode in (0, 3), done.stdout + done.stderr


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_opens_folders_photos_and_raws() -> None:
    entry = _desktop_entry()
    types = set(entry["MimeType"].strip(";").split(";"))
    assert {"inode/directory", "image/jpeg", "image/x-canon-cr2", "image/x-nikon-nef"} <= types
    assert entry["Exec"].startswith("reviewer ") and "%f" in entry["Exec"]
    assert entry["Icon"] == APP_ID


def test_metainfo_launches_the_desktop_file() -> None:
    tree = ET.parse(METAINFO)
    assert tree.findtext("id") == APP_ID
    assert tree.findtext("launchable") == DESKTOP.name


def test_icon_ships_as_svg_and_every_hicolor_size() -> None:
    assert (ICONS / "reviewer.svg").read_text(encoding="utf-8").lstrip().startswith("<")
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        with Image.open(ICONS / f"reviewer-{size}.png") as im:
            assert im.size == (size, size)
            assert im.mode == "RGBA"


def test_install_desktop_puts_everything_under_xdg_data_home(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    exe = fake_bin / "reviewer"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "PATH": f"{fake_bin}:/usr/bin:/bin",
    }
    script = ROOT / "packaging" / "install-desktop.sh"
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
    installed = tmp_path / "share" / "applications" / f"{APP_ID}.desktop"
    assert f"Exec={exe} %f" in installed.read_text()
    assert (tmp_path / "share/icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()
    subprocess.run(["bash", str(script), "--remove"], env=env, check=True, capture_output=True)
    assert not installed.exists()
