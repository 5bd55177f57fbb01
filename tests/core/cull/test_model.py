"""The Qt-free cull model: marks, ratings, labels, bulk actions and moves on one undo stack,
saved to the catalog as they are made."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.core.batch import PhotoResult
from reviewer.core.cull.catalog_db import Catalog, Marks
from reviewer.core.cull.model import UNDECIDED, CullModel, MoveCommand, ShotFilter
from reviewer.core.cull.score_cache import CacheWriter
from reviewer.core.scoring.base import Score


def make_shoot(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"IMG_{i}.jpg"
        p.write_bytes(os.urandom(200 + i))
        paths.append(p)
    return paths


@pytest.fixture
def setup(tmp_path: Path) -> tuple[CullModel, list[Path], Catalog]:
    cat = Catalog(tmp_path / "catalog.sqlite3")
    paths = make_shoot(tmp_path / "shoot", 5)
    model = CullModel(cat, threshold=50.0)
    model.load(paths)
    return model, paths, cat


def test_marks_are_saved_as_they_are_made_and_undone(
    setup: tuple[CullModel, list[Path], Catalog], tmp_path: Path
) -> None:
    model, paths, cat = setup
    seen: list[tuple[Path, ...]] = []
    history: list[None] = []
    model.events.marks.connect(seen.append)
    model.events.history.connect(history.append)
    assert model.mark(paths[:2], "reject") == 2
    assert model.rate([paths[0]], 4) == 1
    assert model.label([paths[1]], "red") == 1
    assert seen == [tuple(paths[:2]), (paths[0],), (paths[1],)]
    assert len(history) == 3
    assert cat.get_marks(paths) == {
        str(paths[0]): Marks("reject", 4),
        str(paths[1]): Marks("reject", 0, "red"),
    }
    assert model.history.undo_text == "Label red (1 photo)"
    assert model.undo() == "Label red (1 photo)"
    assert model.undo() == "Rate 4★ (1 photo)"
    assert model.marks(paths[0]) == Marks("reject")
    assert cat.get_marks([paths[0]]) == {str(paths[0]): Marks("reject")}
    assert model.redo() == "Rate 4★ (1 photo)"
    assert model.marks(paths[0]) == Marks("reject", 4)
    # a restart: a new catalog connection and model see the same marks
    cat.close()
    again = CullModel(Catalog(tmp_path / "catalog.sqlite3"))
    again.load(paths)
    assert again.marks(paths[0]) == Marks("reject", 4) and again.marks(paths[1]) == Marks("reject")
    assert again.marks(paths[2]) == Marks()


def test_reject_below_follows_verdicts_judged_against_the_burst(
    setup: tuple[CullModel, list[Path], Catalog],
) -> None:
    model, paths, _ = setup
    for p, v in zip(paths, (30.0, 45.0, 70.0, 40.0, 20.0), strict=True):
        model.set_score(p, v, "blurry" if v < 50 else "sharp")
    # in context at 50: 0 and 1 are as sharp as their burst's best (1); 2 is much blurrier
    # than its burst's best though above the threshold; 3 is unsure; 4 is blurry but its
    # burst's best frame
    model.set_verdicts(
        {
            paths[0]: "sharp",
            paths[1]: "sharp",
            paths[2]: "blurry",
            paths[3]: "unsure",
            paths[4]: "blurry",
        },
        50.0,
        best=[paths[1], paths[4]],
    )
    assert model.reject_below(50.0) == 1
    assert [s.decision for s in model.shots()] == [None, None, "reject", None, None]
    model.undo()
    # at another threshold the in-context verdicts do not hold: the scores decide again
    # (unsure still never taken)
    assert model.reject_below(60.0) == 3
    assert model.shot(paths[3]).decision is None
    model.undo()
    model.set_score(paths[2], 70.0, "sharp")  # a new score: judged alone again
    assert model.reject_below(50.0) == 0


def test_a_change_that_changes_nothing_is_not_an_undo_step(
    setup: tuple[CullModel, list[Path], Catalog],
) -> None:
    model, paths, _ = setup
    assert model.mark(paths[:1], None) == 0
    assert model.rate(paths[:1], 0) == 0
    assert not model.history.can_undo
    assert model.undo() is None and model.redo() is None
    with pytest.raises(ValueError):
        model.rate(paths, 6)
    with pytest.raises(ValueError):
        model.label(paths, "pink")  # type: ignore[arg-type]


def test_reject_below_threshold_leaves_unsure_error_and_decided_shots(
    setup: tuple[CullModel, list[Path], Catalog],
) -> None:
    model, paths, _ = setup
    model.set_score(paths[0], 10.0, "blurry")
    model.set_score(paths[1], 12.0, "unsure")
    model.set_score(paths[2], None, "error")
    model.set_score(paths[3], 20.0, "blurry")
    model.mark([paths[3]], "keep")  # kept by hand stays kept
    model.set_results([PhotoResult(paths[4], "focus", error="not a photo")])
    assert model.reject_below() == 1
    assert [s.decision for s in model.shots()] == ["reject", None, None, "keep", None]
    assert (model.shot(paths[4]).value, model.shot(paths[4]).verdict) == (None, "error")
    assert model.undo() == "Reject below threshold (1 photo)"
    assert model.shot(paths[0]).decision is None
    assert model.reject_below(threshold=25.0) == 1


def test_clear_all_marks(setup: tuple[CullModel, list[Path], Catalog]) -> None:
    model, paths, cat = setup
    model.mark(paths, "reject")
    model.rate(paths[:2], 3)
    assert model.clear_marks() == 5
    assert [s.marks for s in model.shots()][:2] == [Marks(rating=3)] * 2
    assert model.clear_marks(everything=True) == 2
    assert cat.counts()["marks"] == 0
    model.undo()
    model.undo()
    assert all(s.decision == "reject" for s in model.shots())


def test_moves_are_undoable_and_the_catalog_follows(
    setup: tuple[CullModel, list[Path], Catalog],
) -> None:
    model, paths, cat = setup
    model.mark([paths[1], paths[3]], "reject")
    shots_events: list[tuple[Path, ...]] = []
    model.events.shots.connect(shots_events.append)
    rejects = paths[0].parent / "_rejected"
    chosen = [paths[1], paths[3]]

    def do() -> list[tuple[Path, Path]]:
        rejects.mkdir(exist_ok=True)
        out = []
        for p in chosen:
            os.rename(p, rejects / p.name)
            out.append((p, rejects / p.name))
        return out

    def undo() -> list[tuple[Path, Path]]:
        out = []
        for p in chosen:  # in the same order as they left: the model still keeps its order
            os.rename(rejects / p.name, p)
            out.append((rejects / p.name, p))
        return out

    moved = model.move("Move 2 rejected to folder", do, undo)
    assert len(moved) == 2
    assert model.paths() == [paths[0], paths[2], paths[4]]
    assert cat.get_marks([rejects / paths[1].name]) == {
        str(rejects / paths[1].name): Marks("reject")
    }
    assert model.undo() == "Move 2 rejected to folder"
    assert model.paths() == paths
    assert model.shot(paths[3]).decision == "reject"
    assert model.redo() == "Move 2 rejected to folder"
    assert model.paths() == [paths[0], paths[2], paths[4]]
    assert len(shots_events) == 3
    assert model.move("nothing", list, list) == []
    assert model.history.undo_text == "Move 2 rejected to folder"


def test_cached_scores_load_without_decoding(
    setup: tuple[CullModel, list[Path], Catalog],
) -> None:
    model, paths, cat = setup
    with CacheWriter(cat) as w:
        for i, p in enumerate(paths[:3]):
            w.add(PhotoResult(p, "focus", Score("focus", 20.0 * i, 50.0), 100, 80))
    scored: list[tuple[Path, ...]] = []
    model.events.scores.connect(scored.append)
    assert model.load_cached_scores("focus", 30.0) == 3
    assert scored == [tuple(paths[:3])]
    assert [(s.value, s.verdict) for s in model.shots()][:4] == [
        (0.0, "blurry"),
        (20.0, "blurry"),
        (40.0, "sharp"),
        (None, None),
    ]
    # a folder reopened: marks and cached scores in one pass
    model.mark([paths[0]], "reject")
    again = CullModel(cat)
    assert again.load(paths, "focus", 30.0) == 3
    assert [(s.value, s.verdict, s.decision) for s in again.shots()][:4] == [
        (0.0, "blurry", "reject"),
        (20.0, "blurry", None),
        (40.0, "sharp", None),
        (None, None, None),
    ]


def test_a_catalog_that_cannot_save_is_reported_not_raised(
    setup: tuple[CullModel, list[Path], Catalog],
) -> None:
    model, paths, cat = setup
    problems: list[str] = []
    model.events.problem.connect(problems.append)
    cat.close()
    assert model.mark(paths[:1], "keep") == 1
    assert model.marks(paths[0]) == Marks("keep")
    assert problems and "could not be saved" in problems[0]


def test_a_move_from_before_a_restart_can_be_undone(tmp_path: Path) -> None:
    """The window rebuilds a move from the journal after a restart and puts it on the stack
    as already done; undoing it puts the files back and their marks follow."""
    db = tmp_path / "catalog.sqlite3"
    paths = make_shoot(tmp_path / "shoot", 3)
    rejects = tmp_path / "shoot" / "_rejected"
    model = CullModel(Catalog(db))
    model.load(paths)
    model.mark([paths[1]], "reject")
    rejects.mkdir()
    os.rename(paths[1], rejects / paths[1].name)
    assert model.catalog is not None
    model.catalog.record_moves([(paths[1], rejects / paths[1].name)])
    model.catalog.close()

    after = CullModel(Catalog(db))  # restarted: the folder shows two shots
    after.load([paths[0], paths[2]])

    def put_back() -> list[tuple[Path, Path]]:
        os.rename(rejects / paths[1].name, paths[1])
        return [(rejects / paths[1].name, paths[1])]

    def move_again() -> list[tuple[Path, Path]]:
        os.rename(paths[1], rejects / paths[1].name)
        return [(paths[1], rejects / paths[1].name)]

    after.add_done(MoveCommand("Move 1 rejected to folder", move_again, put_back))
    assert after.history.undo_text == "Move 1 rejected to folder"
    assert after.undo() == "Move 1 rejected to folder"
    assert paths[1].exists()
    assert after.catalog is not None
    assert after.catalog.get_marks([paths[1]]) == {str(paths[1]): Marks("reject")}


def test_filters_by_rating_label_and_decision(
    setup: tuple[CullModel, list[Path], Catalog],
) -> None:
    model, p, _ = setup
    model.rate(p[:3], 2)
    model.rate([p[0]], 5)
    model.label([p[0], p[3]], "red")
    model.label([p[1]], "green")
    model.mark([p[2]], "reject")
    model.mark([p[0]], "keep")
    assert model.matching(ShotFilter()) == p
    assert model.matching(ShotFilter(min_rating=2)) == p[:3]
    assert model.matching(ShotFilter(min_rating=3)) == [p[0]]
    assert model.matching(ShotFilter(labels=frozenset({"red"}))) == [p[0], p[3]]
    assert model.matching(ShotFilter(labels=frozenset({None}))) == [p[2], p[4]]
    assert model.matching(UNDECIDED) == [p[1], p[3], p[4]]
    assert model.matching(ShotFilter(min_rating=2, decisions=frozenset({None}))) == [p[1]]
