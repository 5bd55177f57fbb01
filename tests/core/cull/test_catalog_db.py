"""The catalog database: migrations, recognising moved and changed files, scorer versions,
damaged databases, two processes at once, batched writes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from reviewer.core.cull import catalog_db
from reviewer.core.cull.catalog_db import (
    SCHEMA_VERSION,
    Catalog,
    Marks,
    StoredScore,
    default_catalog_path,
    migrate,
)
from reviewer.core.scoring import get_scorer


def make_files(folder: Path, n: int, size: int = 1000) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"IMG_{i:04d}.jpg"
        p.write_bytes(os.urandom(size))
        out.append(p)
    return out


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def score(value: float, method: str = "focus") -> StoredScore:
    return StoredScore(method, value, {"exposure": "ok"})


@pytest.fixture
def cat(tmp_path: Path) -> Catalog:
    c = Catalog(tmp_path / "data" / "catalog.sqlite3")
    yield c
    c.close()


# ------------------------------------------------------------------------------ migrations


def test_migration_0_to_1_creates_files_and_scores(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    assert migrate(conn, target=1) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert {"files", "scores"} <= tables(conn)
    assert "marks" not in tables(conn)


def test_migration_1_to_2_adds_marks_and_keeps_scores(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    migrate(conn, target=1)
    conn.execute("INSERT INTO files (id, path, size) VALUES (1, '/x/a.jpg', 10)")
    conn.execute("INSERT INTO scores VALUES (1, 'focus', '1', 42.0, '{\"value\": 42.0}', 0)")
    assert migrate(conn) == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert "marks" in tables(conn)
    assert conn.execute("SELECT value FROM scores").fetchall() == [(42.0,)]
    conn.execute("INSERT INTO marks VALUES (1, 'reject', 3, 'red', 0)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO marks VALUES (1, 'maybe', 3, NULL, 0)")


def test_a_current_database_is_left_as_it_is(tmp_path: Path) -> None:
    Catalog(tmp_path / "c.db").close()
    conn = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    assert migrate(conn) == SCHEMA_VERSION


def test_a_newer_schema_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    c = Catalog(path)
    assert c.in_memory
    notice = c.take_notice()
    assert notice is not None and "newer" in notice
    assert c.take_notice() is None
    c.set_marks({tmp_path / "x.jpg": Marks("keep")})  # still works, for this session
    c.close()
    assert path.read_bytes() == before


def test_default_location_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(catalog_db.ENV_DATA_DIR, raising=False)
    assert str(default_catalog_path()).startswith(os.environ["XDG_DATA_HOME"])
    monkeypatch.setenv(catalog_db.ENV_DATA_DIR, str(tmp_path / "mine"))
    assert default_catalog_path() == tmp_path / "mine" / "catalog.sqlite3"


# ------------------------------------------------------------------------ recognising files


def test_scores_round_trip_by_path(cat: Catalog, tmp_path: Path) -> None:
    a, b = make_files(tmp_path / "shoot", 2)
    cat.store_scores({a: score(10.0), b: score(float("inf"))})
    got = cat.cached_scores([a, b, tmp_path / "missing.jpg"], "focus")
    assert got[str(a)].value == 10.0 and got[str(a)].payload["exposure"] == "ok"
    assert got[str(b)].value == float("inf")
    assert len(got) == 2
    assert cat.cached_scores([a], "laplacian") == {}


def test_a_file_changed_on_disk_loses_its_score_not_its_marks(cat: Catalog, tmp_path: Path) -> None:
    (a,) = make_files(tmp_path / "shoot", 1)
    cat.store_scores({a: score(10.0)})
    cat.set_marks({a: Marks("reject", 2, "red")})
    a.write_bytes(os.urandom(2000))  # edited: new size and mtime
    assert cat.cached_scores([a], "focus") == {}
    assert cat.get_marks([a]) == {str(a): Marks("reject", 2, "red")}


def test_same_size_new_mtime_counts_as_changed(cat: Catalog, tmp_path: Path) -> None:
    (a,) = make_files(tmp_path / "shoot", 1)
    cat.store_scores({a: score(10.0)})
    st = a.stat()
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert cat.cached_scores([a], "focus") == {}


def test_a_renamed_file_keeps_its_state(cat: Catalog, tmp_path: Path) -> None:
    (a,) = make_files(tmp_path / "shoot", 1)
    cat.store_scores({a: score(10.0)})
    cat.set_marks({a: Marks("keep", 5)})
    moved = tmp_path / "elsewhere" / "renamed.jpg"
    moved.parent.mkdir()
    os.rename(a, moved)  # by another program: found again by device and inode
    assert cat.cached_scores([moved], "focus")[str(moved)].value == 10.0
    assert cat.get_marks([moved]) == {str(moved): Marks("keep", 5)}
    assert cat.counts()["files"] == 1


def test_a_copied_then_removed_file_is_found_by_fingerprint(cat: Catalog, tmp_path: Path) -> None:
    a, b = make_files(tmp_path / "shoot", 2, size=300_000)
    cat.store_scores({a: score(10.0)})
    cat.set_marks({a: Marks("reject"), b: Marks("keep")})  # b is marked, never scored
    (tmp_path / "other-drive").mkdir()
    for f in (a, b):
        shutil.copyfile(f, tmp_path / "other-drive" / f.name)  # new inode and mtime
        f.unlink()
    other_a, other_b = (tmp_path / "other-drive" / f.name for f in (a, b))
    assert cat.get_marks([other_a, other_b]) == {
        str(other_a): Marks("reject"),
        str(other_b): Marks("keep"),
    }
    assert cat.counts()["files"] == 2
    for _ in range(2):  # its score too, the same bytes: and it stays found at the new path
        assert cat.cached_scores([other_a], "focus")[str(other_a)].value == 10.0


def test_a_copy_beside_the_original_does_not_take_its_state(cat: Catalog, tmp_path: Path) -> None:
    (a,) = make_files(tmp_path / "shoot", 1)
    cat.set_marks({a: Marks("reject")})
    copy = tmp_path / "shoot" / "copy.jpg"
    shutil.copy2(a, copy)
    assert cat.get_marks([copy]) == {}
    assert cat.get_marks([a]) == {str(a): Marks("reject")}


def test_recorded_moves_carry_the_state(cat: Catalog, tmp_path: Path) -> None:
    a, b = make_files(tmp_path / "shoot", 2)
    cat.store_scores({a: score(10.0), b: score(20.0)})
    cat.set_marks({a: Marks("reject")})
    dst = tmp_path / "shoot" / "_rejected" / a.name
    dst.parent.mkdir()
    os.rename(a, dst)
    cat.record_moves([(a, dst)])
    assert cat.get_marks([dst]) == {str(dst): Marks("reject")}
    os.rename(dst, a)
    cat.record_moves([(dst, a)])
    assert cat.get_marks([a]) == {str(a): Marks("reject")}
    assert cat.cached_scores([a, b], "focus")[str(a)].value == 10.0


def test_marks_remember_when_they_changed(cat: Catalog, tmp_path: Path) -> None:
    a, b = make_files(tmp_path / "shoot", 2)
    cat.set_marks({a: Marks("keep")}, changed_at=1_000_000.0)  # e.g. read from a sidecar
    cat.set_marks({b: Marks(rating=3)})
    when = cat.marks_changed_at([a, b])
    assert when[str(a)] == 1_000_000.0
    assert when[str(b)] > 1_700_000_000


def test_cleared_marks_read_as_none_but_keep_their_time(cat: Catalog, tmp_path: Path) -> None:
    (a,) = make_files(tmp_path / "shoot", 1)
    cat.set_marks({a: Marks("keep", 1, "blue")}, changed_at=100.0)
    cat.set_marks({a: Marks()}, changed_at=200.0)
    assert cat.get_marks([a]) == {}
    assert cat.counts()["marks"] == 0
    # when they were cleared is kept: a sidecar older than that must not bring them back
    assert list(cat.marks_changed_at([a]).values()) == [200.0]
    with pytest.raises(ValueError):
        Marks(rating=6)
    with pytest.raises(ValueError):
        Marks(label="pink")  # type: ignore[arg-type]


def test_a_scorer_version_bump_invalidates_only_its_rows(
    cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = make_files(tmp_path / "shoot", 2)
    cat.store_scores({a: score(10.0, "focus"), b: score(10.0, "focus")})
    cat.store_scores({a: score(30.0, "laplacian")})
    monkeypatch.setattr(type(get_scorer("focus")), "version", "2", raising=False)
    assert cat.cached_scores([a, b], "focus") == {}
    assert cat.cached_scores([a], "laplacian")[str(a)].value == 30.0
    assert cat.purge_stale_scores("focus") == 2
    assert cat.purge_stale_scores("laplacian") == 0
    assert cat.counts()["scores"] == 1


# ------------------------------------------------------------------------ damage and access


def test_a_corrupt_database_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    garbage = b"this is not a database at all" * 100
    path.write_bytes(garbage)
    c = Catalog(path)
    assert not c.in_memory
    assert c.set_aside is not None and c.set_aside.read_bytes() == garbage
    notice = c.take_notice()
    assert notice is not None and str(c.set_aside) in notice
    assert c.take_notice() is None  # told once
    (a,) = make_files(tmp_path / "shoot", 1)
    c.set_marks({a: Marks("keep")})
    c.close()
    again = Catalog(path)
    assert again.take_notice() is None
    assert again.get_marks([a]) == {str(a): Marks("keep")}


def test_a_database_with_damaged_pages_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    files = make_files(tmp_path / "shoot", 50)
    c = Catalog(path)
    c.store_scores({p: score(float(i)) for i, p in enumerate(files)})
    c.close()
    size = path.stat().st_size
    with open(path, "r+b") as f:  # the header stays valid; the pages after it do not
        f.seek(4096)
        f.write(b"\xff" * (size - 4096))
    damaged = path.read_bytes()
    c = Catalog(path)
    assert c.set_aside is not None and c.set_aside.read_bytes() == damaged
    assert c.take_notice() is not None
    c.set_marks({files[0]: Marks("reject")})
    assert c.get_marks([files[0]]) == {str(files[0]): Marks("reject")}


def test_damage_found_while_open_sets_the_database_aside(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    c = Catalog(path)
    calls: list[int] = []

    def op(conn: sqlite3.Connection) -> int:
        calls.append(1)
        if len(calls) == 1:  # what SQLite raises when it reads a damaged page
            raise sqlite3.DatabaseError("database disk image is malformed")
        return int(conn.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    assert c._run(op) == 0
    assert c.set_aside is not None and c.set_aside.exists() and path.exists()
    assert c.take_notice() is not None

    def locked(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(sqlite3.OperationalError):  # not damage: nothing is set aside
        c._run(locked)


def test_damage_another_process_already_set_aside_is_not_set_aside_twice(
    tmp_path: Path,
) -> None:
    path = tmp_path / "catalog.sqlite3"
    first, second = Catalog(path), Catalog(path)
    calls: list[int] = []

    def op(conn: sqlite3.Connection) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return int(conn.execute("SELECT COUNT(*) FROM marks").fetchone()[0])

    first._run(op)  # sets the file aside and starts a new one
    (a,) = make_files(tmp_path / "shoot", 1)
    first.set_marks({a: Marks("keep")})
    calls.clear()
    assert second._run(op) == 1  # the same damage seen later: joins the new file
    assert second.set_aside is None and second.take_notice() is None
    aside = [p for p in tmp_path.glob("*.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert aside == [first.set_aside]


def test_an_unusable_folder_gives_an_in_memory_catalog(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    c = Catalog(blocker / "catalog.sqlite3")
    assert c.in_memory
    assert c.take_notice() is not None
    (a,) = make_files(tmp_path / "shoot", 1)
    c.set_marks({a: Marks("keep")})
    assert c.get_marks([a]) == {str(a): Marks("keep")}


# ------------------------------------------------------------------------ concurrency, batches


def _writer_process(db: str, folder: str, tag: int, n: int) -> None:
    c = Catalog(Path(db))
    paths = sorted(Path(folder).iterdir())
    for i, p in enumerate(paths[:n]):
        # many small transactions, interleaving with the other process
        c.store_scores({p: score(float(tag * 1000 + i), "focus" if tag == 0 else "laplacian")})
        c.set_marks({p: Marks("keep" if tag == 0 else "reject", tag + 1)})
    c.close()


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    files = make_files(tmp_path / "shoot", 60)
    db = tmp_path / "catalog.sqlite3"
    Catalog(db).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_writer_process, args=(str(db), str(tmp_path / "shoot"), t, 60))
        for t in (0, 1)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    c = Catalog(db)
    assert c.take_notice() is None
    assert len(c.cached_scores(files, "focus")) == 60
    assert len(c.cached_scores(files, "laplacian")) == 60
    assert c.counts() == {"files": 60, "scores": 120, "marks": 60}


def test_the_writer_batches_commits(cat: Catalog, tmp_path: Path) -> None:
    files = make_files(tmp_path / "shoot", 1000, size=64)
    with cat.writer(batch=256, seconds=3600) as w:
        for i, p in enumerate(files):
            w.add(p, score(float(i)))
        assert w.flushes == 3
    assert w.flushes == 4
    assert len(cat.cached_scores(files, "focus")) == 1000


def test_a_cached_result_is_the_result_scored(cat: Catalog, tmp_path: Path) -> None:
    """Everything `reviewer score` prints or judges with survives the catalog exactly."""
    from datetime import datetime

    import numpy as np

    from reviewer.core.batch import PhotoResult
    from reviewer.core.cull.score_cache import from_stored, split_cached, to_stored
    from reviewer.core.judging.verdict import Box
    from reviewer.core.metadata import CaptureInfo
    from reviewer.core.scoring.base import Score

    (a,) = make_files(tmp_path / "shoot", 1)
    from reviewer.core.judging.groups import SIGNATURE_SIZE

    sig = np.random.default_rng(1).random(SIGNATURE_SIZE).astype(np.float32)
    info = CaptureInfo("CAM", "LENS", 35.0, 1.8, 1 / 250, 400, datetime(2026, 1, 2, 3, 4, 5), 6)
    result = PhotoResult(
        a,
        "focus",
        Score("focus", 61.25, 50.0, "dark", "motion", {"x": 0.1, "inf": float("inf")}),
        6000,
        4000,
        info,
        signature=sig,
        af_points=(Box(0.1, 0.2, 0.05, 0.07),),
    )
    stored = to_stored(result)
    assert stored is not None
    cat.store_scores({a: stored})
    (back,), todo = split_cached(cat, [a], "focus", 70.0)
    assert todo == []
    assert back.score is not None and result.score is not None
    assert back.score.value == 61.25 and back.score.threshold == 70.0
    assert back.verdict == "blurry"
    assert back.score.details == result.score.details
    assert (back.score.exposure, back.score.blur_kind) == ("dark", "motion")
    assert (back.width, back.height, back.info, back.af_points) == (
        6000,
        4000,
        info,
        result.af_points,
    )
    assert back.signature is not None and back.signature.dtype == np.float32
    assert np.array_equal(back.signature, sig)
    assert to_stored(PhotoResult(a, "focus", error="unreadable")) is None
    broken = StoredScore("focus", 1.0, {"signature": "@@not base64@@"})
    assert from_stored(a, broken) is None
    old_layout = np.zeros(SIGNATURE_SIZE + 3, np.float32).tobytes()
    import base64

    stale = StoredScore("focus", 1.0, {"signature": base64.b64encode(old_layout).decode()})
    assert from_stored(a, stale) is None  # scored again rather than grouped wrongly


def test_a_judgement_of_another_judging_version_is_judged_again(tmp_path: Path) -> None:
    from reviewer.core.batch import PhotoResult
    from reviewer.core.cull.score_cache import from_stored, to_stored
    from reviewer.core.judging.verdict import Judgement
    from reviewer.core.scoring.base import Score

    (a,) = make_files(tmp_path / "shoot", 1)
    score = Score("focus", 61.25, 50.0, "ok", "none", {"blur_radius_px": 1.5})
    judged = Judgement("sharp", "face 1.5 px — sharp", 1.5, "face", ())
    stored = to_stored(PhotoResult(a, "focus", score, 600, 400, judgement=judged))
    assert stored is not None
    back = from_stored(a, stored, 50.0)
    assert back is not None and back.judgement == judged
    older = dict(stored.payload["judgement"])  # type: ignore[arg-type]
    del older["judging"]  # stored before faces were judged
    stale = StoredScore("focus", 61.25, {**stored.payload, "judgement": older})
    assert from_stored(a, stale) is None


def test_a_cached_judgement_read_at_another_threshold_is_made_again_there(
    tmp_path: Path,
) -> None:
    """The window reopens a folder after the threshold moved: a verdict within the margin
    follows the threshold as a fresh judgement would; camera shake stays blurry."""
    from reviewer.core.batch import PhotoResult
    from reviewer.core.cull.score_cache import from_stored, to_stored
    from reviewer.core.judging.judge import judgement_at
    from reviewer.core.judging.verdict import Judgement
    from reviewer.core.scoring.base import Score

    (a,) = make_files(tmp_path / "shoot", 1)
    score = Score("focus", 45.0, 50.0, "ok", "none", {"blur_radius_px": 3.0})
    margin = Judgement("unsure", "AF point 3.0 px: within the margin", 3.0, "af", (), True)
    shake = Judgement("blurry", "camera shake: smeared 9 px at 10°", 9.0, "frame")
    verdicts = {}
    for judged in (margin, shake):
        stored = to_stored(PhotoResult(a, "focus", score, 600, 400, judgement=judged))
        assert stored is not None
        for threshold in (20.0, 50.0, 90.0):
            back = from_stored(a, stored, threshold)
            assert back is not None and back.judgement is not None
            assert back.judgement == judgement_at(score, judged, threshold)
            verdicts[judged.reason, threshold] = back.judgement.verdict
    assert [verdicts[margin.reason, t] for t in (20.0, 50.0, 90.0)] == ["sharp", "unsure", "blurry"]
    assert {verdicts[shake.reason, t] for t in (20.0, 50.0, 90.0)} == {"blurry"}
