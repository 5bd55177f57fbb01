"""`reviewer score --context burst|none`: a group column, verdicts revised against the burst."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reviewer.cli import score_command
from reviewer.core.batch import PhotoResult, score_file
from reviewer.core.judging.context import judge_results, single_judgement, threshold_px
from reviewer.core.judging.groups import SIGNATURE_SIZE
from reviewer.core.judging.verdict import Judgement
from reviewer.core.metadata import read_capture_info
from reviewer.core.scoring.base import Score
from tests.imagegen import dead_leaves, defocus

T0 = datetime(2026, 6, 1, 10, 0, 0)


def save(rgb: np.ndarray, path: Path, when: datetime | None, **tags: object) -> None:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Reviewer", "Test Camera"
    sub = exif.get_ifd(0x8769)
    if when is not None:
        sub[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
        sub[0x9291] = f"{when.microsecond // 1000:03d}"
    for tag, value in tags.items():
        sub[int(tag[1:], 16)] = value
    Image.fromarray(rgb).save(path, "JPEG", quality=92, exif=exif)


@pytest.fixture(scope="module")
def shoot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two bursts of three frames (0.3 s apart, two minutes between bursts); the second
    frame of the first burst is mildly defocused, and a lone frame ends the shoot."""
    folder = tmp_path_factory.mktemp("shoot")
    when = T0
    for b, seed in enumerate((11, 12)):
        scene = dead_leaves(960, 640, seed=seed)
        for k in range(3):
            rgb = defocus(scene, 3.0) if (b, k) == (0, 1) else scene
            save(rgb, folder / f"IMG_{b}{k}.jpg", when)
            when += timedelta(seconds=0.3)
        when += timedelta(minutes=2)
    save(dead_leaves(960, 640, seed=13), folder / "IMG_90.jpg", when + timedelta(minutes=5))
    return folder


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = score_command(list(argv), out, err)
    return code, out.getvalue()


def test_score_prints_groups_and_judges_against_the_burst(shoot: Path) -> None:
    code, text = run(str(shoot), "--format", "csv", "--jobs", "1")
    assert code == 0
    rows = {Path(r["path"]).name: r for r in csv.DictReader(io.StringIO(text))}
    groups = [rows[f"IMG_{b}{k}.jpg"]["group"] for b in (0, 1) for k in range(3)]
    assert groups[:3] == [groups[0]] * 3 and groups[3:] == [groups[3]] * 3
    assert groups[0] and groups[3] and groups[0] != groups[3]
    assert rows["IMG_90.jpg"]["group"] == ""
    blurred = rows["IMG_01.jpg"]
    assert blurred["verdict"] == "blurry"
    assert "blurrier than the best frame of its burst" in blurred["reason"]
    assert all(rows[f"IMG_1{k}.jpg"]["verdict"] == "sharp" for k in range(3))


def test_context_none_judges_each_file_alone(shoot: Path) -> None:
    code, text = run(str(shoot), "--format", "json", "--jobs", "1", "--context", "none")
    assert code == 0
    records = json.loads(text)
    assert len(records) == 7
    assert all(r["group"] == "" for r in records)
    assert all(r["verdict"] in ("sharp", "blurry") and r["reason"] for r in records)


def test_files_given_by_name_default_to_no_context(shoot: Path) -> None:
    files = [str(shoot / "IMG_00.jpg"), str(shoot / "IMG_01.jpg")]
    _, text = run(*files, "--format", "csv", "--jobs", "1")
    assert [r["group"] for r in csv.DictReader(io.StringIO(text))] == ["", ""]
    _, text = run(*files, "--format", "csv", "--jobs", "1", "--context", "burst")
    assert len({r["group"] for r in csv.DictReader(io.StringIO(text))} - {""}) == 1
    _, table = run(*files, "--jobs", "1", "--context", "burst")
    assert table.splitlines()[0].split()[:3] == ["path", "score", "verdict"]
    assert "group" in table.splitlines()[0].split()


def test_scored_photos_carry_their_signature(shoot: Path) -> None:
    result = score_file(shoot / "IMG_00.jpg")
    assert result.signature is not None and result.signature.shape == (SIGNATURE_SIZE,)


def test_error_rows_and_results_without_signatures(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8 not a jpeg")
    result = score_file(bad)
    assert result.error and result.signature is None
    ok = PhotoResult(tmp_path / "a.jpg", "focus", Score("focus", 80.0, 50.0))
    judged = judge_results([result, ok, ok], "burst")
    assert judged[0].judgement.verdict == "error" and judged[0].group == ""
    assert single_judgement(ok).verdict == "sharp"
    assert judge_results([], "burst") == []


def test_a_judgement_attached_to_the_result_is_the_single_frame_verdict() -> None:
    class Judged(PhotoResult):  # a result the judging step filled
        judgement: Judgement | None = None

    r = Judged(Path("a.jpg"), "focus", Score("focus", 10.0, 50.0))
    assert single_judgement(r).verdict == "blurry"
    r.judgement = Judgement("unsure", "nothing sharp to judge")
    assert single_judgement(r) == Judgement("unsure", "nothing sharp to judge")


def test_threshold_radius_follows_the_score_threshold() -> None:
    at = [PhotoResult(Path("a"), "focus", Score("focus", 50.0, t)) for t in (50.0, 30.0, 70.0)]
    radii = [threshold_px(r) for r in at]
    assert radii[0] == pytest.approx(2.75)
    assert radii[1] > radii[0] > radii[2]


def test_capture_info_reads_bracket_and_focus_tags(tmp_path: Path) -> None:
    path = tmp_path / "b.jpg"
    save(
        dead_leaves(64, 48),
        path,
        T0 + timedelta(microseconds=120_000),
        x9204=-0.7,
        x9206=0.45,
        xA402=2,
    )
    info = read_capture_info(path)
    assert info.exposure_mode == 2
    assert info.exposure_bias_ev == pytest.approx(-0.7)
    assert info.subject_distance_m == pytest.approx(0.45)
    assert info.captured_at == T0 + timedelta(microseconds=120_000)
    plain = tmp_path / "p.jpg"
    save(dead_leaves(64, 48), plain, T0)
    none = read_capture_info(plain)
    assert (none.exposure_mode, none.exposure_bias_ev, none.subject_distance_m) == (None,) * 3
