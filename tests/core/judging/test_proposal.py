"""The threshold proposed from the photographer's marks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewer.core.judging.proposal import (
    KEEP_LOST_WEIGHT,
    MIN_MARKS,
    missing_marks,
    propose_threshold,
)


def test_separable_marks_get_a_threshold_between_them() -> None:
    marks = [(s, True) for s in (10, 20, 28, 33)] + [(s, False) for s in (41, 55, 60, 72, 80)]
    p = propose_threshold(marks)
    assert p is not None
    assert 33 < p.threshold <= 41
    assert (p.rejects_caught, p.rejects, p.keeps_lost, p.keeps) == (4, 4, 0, 5)
    assert p.summary() == (
        f"Threshold {p.threshold:.1f} would have rejected 4 of your 4 rejects "
        "and 0 of your 5 keeps."
    )
    assert p.agreement == 1.0


def test_a_shoot_of_soft_keepers_gets_a_lower_threshold() -> None:
    # this photographer keeps frames scoring in the 30s (shallow depth of field): the
    # proposal follows the marks, not the default threshold
    marks = [(s, True) for s in (5, 9, 14, 18)] + [(s, False) for s in (31, 34, 38, 45, 52)]
    p = propose_threshold(marks)
    assert p is not None and 18 < p.threshold <= 31


def test_overlapping_marks_prefer_keeping_keepers() -> None:
    # one reject scores above two keeps: catching it would cost two keepers
    marks = [(s, True) for s in (10, 15, 20, 50)] + [(s, False) for s in (40, 45, 60, 70)]
    p = propose_threshold(marks)
    assert p is not None
    assert p.keeps_lost == 0 and p.rejects_caught == 3


def test_too_few_marks_say_what_is_missing() -> None:
    assert propose_threshold([(10, True), (80, False)]) is None
    assert (
        missing_marks(1, 1)
        == "Mark 3 more keeps and 3 more rejects by hand to get a threshold for this shoot."
    )
    assert missing_marks(8, 0) is not None
    assert missing_marks(4, 4) is None


@given(st.lists(st.tuples(st.floats(0, 100), st.booleans()), min_size=MIN_MARKS, max_size=60))
def test_no_threshold_does_better_than_the_proposal(marks: list[tuple[float, bool]]) -> None:
    p = propose_threshold(marks)
    if p is None:
        return

    def cost(t: float) -> float:
        missed = sum(1 for s, r in marks if r and s >= t)
        lost = sum(1 for s, r in marks if not r and s < t)
        return missed + KEEP_LOST_WEIGHT * lost

    every_cut = {0.0, 100.0} | {s for s, _ in marks} | {s + 1e-6 for s, _ in marks}
    assert cost(p.threshold) <= min(cost(t) for t in every_cut if 0 <= t <= 100) + 1e-9
