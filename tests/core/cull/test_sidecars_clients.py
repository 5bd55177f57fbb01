"""Real XMP clients, not only our own parser: ExifTool and Exiv2 read what we write, and we read
what they write. Under CI (CI=true) both tools must be installed (packaging/bootstrap.sh installs
them); elsewhere a missing tool skips its tests with the reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from reviewer.core.catalog import scan_folder
from reviewer.core.cull.sidecars import read_recorded, write_shot_sidecars
from reviewer.core.cull.xmp import ReviewerFields, XmpMarks, read_jpeg_xmp, read_xmp
from tests.core.cull.test_sidecars_xmp import DARKTABLE_SIDECAR

TIMEOUT = 60


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{name} is required under CI (Debian package {package})")
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return path


@pytest.fixture
def exiftool() -> str:
    return _tool("exiftool", "libimage-exiftool-perl")


@pytest.fixture
def exiv2() -> str:
    return _tool("exiv2", "exiv2")


def _run(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


def _exiftool_tags(exiftool: str, path: Path) -> dict[str, object]:
    out = json.loads(_run(exiftool, "-j", "-G1", "-n", "-struct", str(path)))
    assert isinstance(out, list) and len(out) == 1
    tags = out[0]
    assert isinstance(tags, dict)
    return tags


def _exiv2_tags(exiv2: str, path: Path) -> dict[str, str]:
    tags: dict[str, str] = {}
    for line in _run(exiv2, "-px", str(path)).splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4:
            tags[parts[0]] = parts[3]
        elif len(parts) == 3:
            tags[parts[0]] = ""
    return tags


def _jpeg(path: Path) -> None:
    Image.new("RGB", (16, 16), (90, 120, 150)).save(path, quality=90)


FIELDS = ReviewerFields(score=12.345, scorer="focus", verdict="blurry", threshold=25.0)


def _reviewed_shoot(folder: Path, sidecar: bytes | None = None) -> Path:
    _jpeg(folder / "IMG_1.JPG")
    (folder / "IMG_1.CR2").write_bytes(b"II*\x00raw")
    if sidecar is not None:
        (folder / "IMG_1.CR2.xmp").write_bytes(sidecar)
    shot = scan_folder(folder).shots[0]
    report = write_shot_sidecars(shot, XmpMarks(0, "Red", rejected=True), reviewer=FIELDS)
    assert report.ok and len(report.written) == 1
    return report.written[0]


def test_exiftool_reads_our_sidecar(tmp_path: Path, exiftool: str) -> None:
    sidecar = _reviewed_shoot(tmp_path)
    tags = _exiftool_tags(exiftool, sidecar)
    assert tags["XMP-xmp:Rating"] == -1
    assert tags["XMP-xmp:Label"] == "Red"
    assert tags["XMP-reviewer:Score"] == 12.35
    assert tags["XMP-reviewer:Threshold"] == 25
    assert tags["XMP-reviewer:Scorer"] == "focus"
    assert tags["XMP-reviewer:Verdict"] == "blurry"


def test_exiv2_reads_our_sidecar(tmp_path: Path, exiv2: str) -> None:
    sidecar = _reviewed_shoot(tmp_path)
    tags = _exiv2_tags(exiv2, sidecar)
    assert tags["Xmp.xmp.Rating"] == "-1"
    assert tags["Xmp.xmp.Label"] == "Red"
    assert tags["Xmp.reviewer.Score"] == "12.35"
    assert tags["Xmp.reviewer.Scorer"] == "focus"
    assert tags["Xmp.reviewer.Verdict"] == "blurry"


def test_clients_still_see_foreign_fields_after_our_merge(
    tmp_path: Path, exiftool: str, exiv2: str
) -> None:
    sidecar = _reviewed_shoot(tmp_path, DARKTABLE_SIDECAR)
    assert sidecar.name == "IMG_1.CR2.xmp"
    tags = _exiftool_tags(exiftool, sidecar)
    assert tags["XMP-xmp:Rating"] == -1
    assert tags["XMP-dc:Subject"] == ["bird", "a & b"]
    assert tags["XMP-dc:Title"] == "Morning"
    assert float(str(tags["XMP-crs:Exposure2012"])) == 0.35
    history = tags["XMP-darktable:History"]
    assert isinstance(history, list) and history[0]["Operation"] == "exposure"
    x2 = _exiv2_tags(exiv2, sidecar)
    assert x2["Xmp.darktable.xmp_version"] == "5"
    assert x2["Xmp.reviewer.Verdict"] == "blurry"


def test_we_read_sidecars_exiftool_writes(tmp_path: Path, exiftool: str) -> None:
    side = tmp_path / "IMG_2.xmp"
    _run(
        exiftool,
        "-q",
        "-o",
        str(side),
        "-XMP-xmp:Rating=-1",
        "-XMP-xmp:Label=Green",
        "-XMP-dc:Subject=owl",
    )
    got = read_xmp(side.read_bytes())
    assert got.marks == XmpMarks(0, "Green", rejected=True)
    # ... and a rating change by exiftool in a sidecar we wrote keeps our fields
    ours = _reviewed_shoot(tmp_path)
    _run(exiftool, "-q", "-overwrite_original", "-XMP-xmp:Rating=4", str(ours))
    back = read_xmp(ours.read_bytes())
    assert back.marks == XmpMarks(4, "Red")
    assert back.reviewer == ReviewerFields(12.35, "focus", "blurry", 25.0)


def test_we_read_xmp_exiftool_embeds_in_a_jpeg(tmp_path: Path, exiftool: str) -> None:
    photo = tmp_path / "IMG_3.JPG"
    _jpeg(photo)
    _run(
        exiftool,
        "-q",
        "-overwrite_original",
        "-XMP-xmp:Rating=5",
        "-XMP-xmp:Label=Blue",
        str(photo),
    )
    got = read_jpeg_xmp(photo)
    assert got is not None and got.marks == XmpMarks(5, "Blue")
    recorded = read_recorded(scan_folder(tmp_path).shots[0])
    assert recorded is not None and recorded.embedded and recorded.marks == XmpMarks(5, "Blue")


def test_we_read_sidecars_exiv2_writes(tmp_path: Path, exiv2: str) -> None:
    photo = tmp_path / "IMG_4.jpg"
    _jpeg(photo)
    _run(
        exiv2,
        "-M",
        "set Xmp.xmp.Rating -1",
        "-M",
        "set Xmp.xmp.Label Purple",
        "-M",
        "set Xmp.dc.subject bird",
        str(photo),
    )
    _run(exiv2, "-eX", "ex", str(photo))  # writes IMG_4.xmp, an Exiv2-authored sidecar
    side = tmp_path / "IMG_4.xmp"
    assert read_xmp(side.read_bytes()).marks == XmpMarks(0, "Purple", rejected=True)
    # Exiv2 editing a sidecar we wrote keeps our fields, and we read its change
    ours = _reviewed_shoot(tmp_path)
    _run(exiv2, "-M", "set Xmp.xmp.Label Yellow", "-M", "set Xmp.xmp.Rating 2", str(ours))
    back = read_xmp(ours.read_bytes())
    assert back.marks == XmpMarks(2, "Yellow")
    assert back.reviewer is not None and back.reviewer.verdict == "blurry"
