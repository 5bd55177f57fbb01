"""The no-loss proof: random sequences of mark, move to the trash, move to a rejects folder
(beside the photos, or on "another drive"), undo, crash (a kill at a random filesystem step)
and restart (reconcile). After every step each original file exists exactly once, in place, in
the trash or in a rejects folder, with identical bytes, and no shot is split; undoing every batch
left in the journal returns all of them.

Steps: the "ci" profile runs >= 500 (checked at the end); REVIEWER_NO_LOSS_EXAMPLES raises it.
`bench/no_loss.py` runs 10,000 steps of the same world.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.core.cull.noloss import World

settings.register_profile(
    "no-loss-ci",
    max_examples=int(os.environ.get("REVIEWER_NO_LOSS_EXAMPLES", "14")),
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
    database=None,
)
STEPS: list[int] = []

crash_or_none = st.one_of(st.none(), st.integers(min_value=1, max_value=40))


class NoLoss(RuleBasedStateMachine):
    world: World

    @initialize(seed=st.integers(0, 2**16))
    def make_world(self, seed: int) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="noloss-")
        self.world = World(Path(self._tmp.name), random.Random(seed))

    def _step(self, violations: list[str]) -> None:
        STEPS.append(1)
        assert violations == []

    @precondition(lambda self: not self.world.crashed)
    @rule(picks=st.lists(st.integers(0, 99), min_size=1, max_size=5))
    def mark(self, picks: list[int]) -> None:
        self.world.mark(picks)
        self._step([])

    @precondition(lambda self: not self.world.crashed)
    @rule(where=st.sampled_from(["trash", "rejects", "elsewhere"]), crash_at=crash_or_none)
    def move(self, where: str, crash_at: int | None) -> None:
        self._step(self.world.move(where, crash_at))

    @precondition(lambda self: not self.world.crashed)
    @rule(where=st.sampled_from(["trash", "rejects", "elsewhere"]), fault_at=st.integers(1, 40))
    def move_on_a_full_disk(self, where: str, fault_at: int) -> None:
        self._step(self.world.move(where, fault_at=fault_at))

    @precondition(lambda self: not self.world.crashed)
    @rule(crash_at=crash_or_none)
    def undo(self, crash_at: int | None) -> None:
        self._step(self.world.undo(crash_at))

    @precondition(lambda self: self.world.crashed)
    @rule()
    def restart(self) -> None:
        self._step(self.world.restart())

    @invariant()
    def nothing_lost(self) -> None:
        if hasattr(self, "world"):
            assert self.world.check() == []

    def teardown(self) -> None:
        if hasattr(self, "world"):
            try:
                assert self.world.undo_all() == []
                assert self.world.check() == []
            finally:
                self._tmp.cleanup()


def test_no_photo_is_lost_split_or_duplicated() -> None:
    STEPS.clear()
    run_state_machine_as_test(NoLoss, settings=settings.get_profile("no-loss-ci"))
    assert len(STEPS) >= 500, f"only {len(STEPS)} steps ran"
