"""A threshold for this shoot, proposed from the photographer's own marks.

Once enough photos are marked by hand, the threshold that best agrees with those marks is
proposed with how well it agrees ("would have rejected 9 of your 10 rejects and 0 of your 14
keeps"). Missing a reject costs the user a look; rejecting a keeper can cost a photo, so a
wrongly rejected keeper weighs more, and among equally good thresholds the lowest is taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MIN_KEEPS = 4
MIN_REJECTS = 4
MIN_MARKS = 8
KEEP_LOST_WEIGHT = 3.0  # one keeper rejected weighs as much as three rejects missed


@dataclass(frozen=True, slots=True)
class Proposal:
    threshold: float
    rejects_caught: int  # marked rejects scoring below the threshold
    rejects: int
    keeps_lost: int  # marked keeps scoring below it (would have been rejected)
    keeps: int

    def summary(self) -> str:
        return (
            f"Threshold {self.threshold:.1f} would have rejected {self.rejects_caught} of your "
            f"{self.rejects} rejects and {self.keeps_lost} of your {self.keeps} keeps."
        )

    @property
    def agreement(self) -> float:
        total = self.rejects + self.keeps
        right = self.rejects_caught + (self.keeps - self.keeps_lost)
        return right / total if total else 0.0


def missing_marks(keeps: int, rejects: int) -> str | None:
    """Why no proposal can be made yet, in words; None when there are enough marks."""
    if keeps + rejects >= MIN_MARKS and keeps >= MIN_KEEPS and rejects >= MIN_REJECTS:
        return None
    need = []
    if keeps < MIN_KEEPS:
        need.append(f"{MIN_KEEPS - keeps} more keep{'s' if MIN_KEEPS - keeps > 1 else ''}")
    if rejects < MIN_REJECTS:
        need.append(
            f"{MIN_REJECTS - rejects} more reject{'s' if MIN_REJECTS - rejects > 1 else ''}"
        )
    if not need:
        need.append(f"{MIN_MARKS - keeps - rejects} more marks")
    return "Mark " + " and ".join(need) + " by hand to get a threshold for this shoot."


def propose_threshold(
    marked: Iterable[tuple[float, bool]], *, lo: float = 0.0, hi: float = 100.0
) -> Proposal | None:
    """The threshold in [lo, hi] that best separates the marks: (score, rejected) pairs.

    A photo is rejected by a threshold when its score is below it. Candidates are the midpoints
    between neighbouring marked scores (and the ends); the cost is missed rejects plus
    KEEP_LOST_WEIGHT × rejected keeps. Returns None with too few marks of either kind.
    """
    pairs = sorted((float(s), bool(r)) for s, r in marked)
    rejects = sum(1 for _, r in pairs if r)
    keeps = len(pairs) - rejects
    if missing_marks(keeps, rejects) is not None:
        return None
    scores = [s for s, _ in pairs]
    candidates = {lo, hi}
    for a, b in zip(scores, scores[1:], strict=False):
        if a != b:
            candidates.add((a + b) / 2)
    candidates.update(s for s in scores if lo <= s <= hi)
    best: tuple[float, float, Proposal] | None = None
    for t in sorted(c for c in candidates if lo <= c <= hi):
        caught = sum(1 for s, r in pairs if r and s < t)
        lost = sum(1 for s, r in pairs if not r and s < t)
        cost = (rejects - caught) + KEEP_LOST_WEIGHT * lost
        proposal = Proposal(t, caught, rejects, lost, keeps)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, t, proposal)
    return None if best is None else best[2]
