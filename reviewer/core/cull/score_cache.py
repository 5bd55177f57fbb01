"""The score cache: scores from the catalog instead of decoding a photo again.

`split_cached` splits a list of photos into results already in the catalog and photos still
to score; `CacheWriter` stores new results as they come (in batches). A cached result is the
same `PhotoResult` a fresh score gives, judged at the threshold asked for now; explanation maps
are not cached (the detail view computes them for one photo). Error rows are not cached: a
photo that could not be read is tried again next time.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import cast

import numpy as np

from reviewer.core.batch import PhotoResult
from reviewer.core.cull.catalog_db import Catalog, Marks, ScoreWriter, StoredScore
from reviewer.core.judging.groups import SIGNATURE_SIZE
from reviewer.core.judging.judge import JUDGING_VERSION, judgement_at
from reviewer.core.judging.verdict import Box, Judgement, RegionKind, Verdict
from reviewer.core.metadata import CaptureInfo
from reviewer.core.scoring import get_scorer
from reviewer.core.scoring.base import BlurKind, Exposure, Score

_INFO_FIELDS = ("camera", "lens", "focal_length_mm", "aperture", "shutter_s", "iso")


def to_stored(result: PhotoResult) -> StoredScore | None:
    """What the catalog keeps of a result; None for an error row (not cached)."""
    s = result.score
    if s is None or result.error:
        return None
    payload: dict[str, object] = {
        "exposure": s.exposure,
        "blur_kind": s.blur_kind,
        "details": {k: float(v) for k, v in s.details.items()},
        "width": result.width,
        "height": result.height,
    }
    if result.signature is not None:  # exact float32 bytes: bursts group the same way
        sig = np.ascontiguousarray(result.signature, dtype=np.float32)
        payload["signature"] = base64.b64encode(sig.tobytes()).decode("ascii")
    if result.af_points:
        payload["af_points"] = [[b.x, b.y, b.w, b.h] for b in result.af_points]
    if (j := result.judgement) is not None:  # judged at this threshold (the margin depends on it)
        payload["judgement"] = {
            "verdict": j.verdict,
            "reason": j.reason,
            "blur_px": j.blur_px,
            "region": j.region,
            "boxes": [[b.x, b.y, b.w, b.h] for b in j.boxes],
            "threshold": s.threshold,
            "follows_threshold": j.follows_threshold,
            "judging": JUDGING_VERSION,
        }
    if result.info is not None:
        i = result.info
        info: dict[str, object] = {f: getattr(i, f) for f in _INFO_FIELDS}
        info["captured_at"] = i.captured_at.isoformat() if i.captured_at else None
        info["orientation"] = i.orientation
        payload["info"] = info
    return StoredScore(s.method, float(s.value), payload)


def _opt(d: dict[str, object], key: str, kind: type | tuple[type, ...]) -> object:
    v = d.get(key)
    return v if isinstance(v, kind) and not isinstance(v, bool) else None


def from_stored(
    path: Path, stored: StoredScore, threshold: float | None = None
) -> PhotoResult | None:
    """The result a stored score stands for, judged at `threshold` (the scorer's default when
    None); None when the stored data is not usable."""
    p = stored.payload
    raw_judgement = p.get("judgement")
    if isinstance(raw_judgement, dict) and raw_judgement.get("judging") != JUDGING_VERSION:
        return None  # judged by another version: judge the pixels again
    try:
        value = float(stored.value)
        thr = threshold if threshold is not None else get_scorer(stored.method).default_threshold
        details_raw = p.get("details", {})
        details = (
            {str(k): float(cast(float, v)) for k, v in details_raw.items()}
            if isinstance(details_raw, dict)
            else {}
        )
        exposure = str(p.get("exposure", "ok"))
        blur_kind = str(p.get("blur_kind", "none"))
        width = int(cast(int, p.get("width", 0)))
        height = int(cast(int, p.get("height", 0)))
    except (TypeError, ValueError):
        return None
    if exposure not in ("ok", "dark", "bright", "dark+bright") or blur_kind not in (
        "none",
        "defocus",
        "motion",
    ):
        return None
    score = Score(
        stored.method,
        value,
        thr,
        cast(Exposure, exposure),
        cast(BlurKind, blur_kind),
        details,
    )
    info = None
    raw_info = p.get("info")
    if isinstance(raw_info, dict):
        when = raw_info.get("captured_at")
        captured = None
        if isinstance(when, str):
            try:
                captured = datetime.fromisoformat(when)
            except ValueError:
                captured = None
        orientation = raw_info.get("orientation", 1)
        info = CaptureInfo(
            camera=cast(str | None, _opt(raw_info, "camera", str)),
            lens=cast(str | None, _opt(raw_info, "lens", str)),
            focal_length_mm=cast(float | None, _opt(raw_info, "focal_length_mm", (int, float))),
            aperture=cast(float | None, _opt(raw_info, "aperture", (int, float))),
            shutter_s=cast(float | None, _opt(raw_info, "shutter_s", (int, float))),
            iso=cast(int | None, _opt(raw_info, "iso", int)),
            captured_at=captured,
            orientation=orientation if isinstance(orientation, int) else 1,
        )
    signature = None
    raw_sig = p.get("signature")
    if isinstance(raw_sig, str):
        try:
            signature = np.frombuffer(base64.b64decode(raw_sig), dtype=np.float32).copy()
        except ValueError:
            return None
        if signature.size != SIGNATURE_SIZE:  # made by another version of judging.groups
            return None
    af_points: list[Box] = []
    raw_af = p.get("af_points")
    if isinstance(raw_af, list):
        try:
            af_points = [Box(*(float(v) for v in b)) for b in raw_af]
        except (TypeError, ValueError):
            return None
    return PhotoResult(
        path,
        stored.method,
        score,
        width,
        height,
        info,
        signature=signature,
        af_points=tuple(af_points),
        judgement=_stored_judgement(p.get("judgement"), score),
    )


_VERDICTS = ("sharp", "blurry", "unsure", "error")
_REGIONS = ("af", "face", "subject", "sharpest", "frame")


def _stored_judgement(raw: object, score: Score) -> Judgement | None:
    """The stored verdict and reason, at `score`'s threshold: as stored when judged at it; at
    another, made again from the deciding radius or the score (judge.judgement_at)."""
    if not isinstance(raw, dict):
        return None
    verdict, region, reason = raw.get("verdict"), raw.get("region"), raw.get("reason")
    if verdict not in _VERDICTS or region not in _REGIONS or not isinstance(reason, str):
        return None
    judged_at, follows = raw.get("threshold"), raw.get("follows_threshold")
    if not isinstance(judged_at, int | float) or not isinstance(follows, bool):
        return None
    blur = raw.get("blur_px")
    try:
        boxes = tuple(Box(*(float(v) for v in b)) for b in raw.get("boxes") or [])
    except (TypeError, ValueError):
        return None
    stored = Judgement(
        cast(Verdict, verdict),
        reason,
        float(blur) if isinstance(blur, int | float) else None,
        cast(RegionKind, region),
        boxes,
        follows,
    )
    return judgement_at(score.at_threshold(float(judged_at)), stored, score.threshold)


def split_cached(
    catalog: Catalog | None,
    paths: Sequence[Path],
    method: str,
    threshold: float | None = None,
) -> tuple[list[PhotoResult], list[Path]]:
    """(results found in the catalog, photos still to score), each in the order given. With no
    catalog (or one that fails), everything is to score."""
    if catalog is None or not paths:
        return [], list(paths)
    try:
        catalog.purge_stale_scores(method)
        stored = catalog.cached_scores(paths, method)
    except sqlite3.Error:
        return [], list(paths)
    return split_stored(stored, paths, threshold)


def split_stored(
    stored: dict[str, StoredScore], paths: Sequence[Path], threshold: float | None = None
) -> tuple[list[PhotoResult], list[Path]]:
    """`split_cached` for scores already read (Catalog.cached_scores / state)."""
    cached: list[PhotoResult] = []
    todo: list[Path] = []
    for p in paths:
        s = stored.get(os.path.abspath(p))
        r = from_stored(p, s, threshold) if s is not None else None
        if r is None:
            todo.append(p)
        else:
            cached.append(r)
    return cached, todo


class CacheWriter:
    """Stores new results in the catalog in batches; errors are left out. Never raises for the
    catalog: a cache that cannot be written only costs speed."""

    def __init__(self, catalog: Catalog | None, batch: int = 256, seconds: float = 2.0) -> None:
        self._writer: ScoreWriter | None = (
            catalog.writer(batch, seconds) if catalog is not None else None
        )

    def add(self, result: PhotoResult) -> None:
        if self._writer is None:
            return
        stored = to_stored(result)
        if stored is not None:
            self._writer.add(result.path, stored)

    def add_all(self, results: Iterable[PhotoResult]) -> None:
        for r in results:
            self.add(r)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def __enter__(self) -> CacheWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_catalog(path: Path | None = None) -> tuple[Catalog | None, str | None]:
    """The user's catalog and a notice to show once (set aside, not saved), or (None, why)
    when even an in-memory one cannot be made. Never raises."""
    try:
        catalog = Catalog(path)
    except Exception as exc:  # the catalog is an aid: scoring goes on without it
        return None, f"the catalog cannot be used ({exc}); nothing is cached"
    return catalog, catalog.take_notice()


def _mark_texts(marks: dict[str, Marks]) -> dict[str, dict[str, str]]:
    return {
        k: {"decision": m.decision or "", "rating": str(m.rating), "label": m.label or ""}
        for k, m in marks.items()
    }


def mark_fields(catalog: Catalog | None, paths: Sequence[Path]) -> dict[str, dict[str, str]]:
    """decision / rating / label of each photo as text ('' when unmarked), by abspath."""
    if catalog is None:
        return {}
    try:
        return _mark_texts(catalog.get_marks(paths))
    except sqlite3.Error:
        return {}


def read_catalog(
    catalog: Catalog | None,
    paths: Sequence[Path],
    method: str,
    threshold: float | None = None,
    use_scores: bool = True,
) -> tuple[list[PhotoResult], list[Path], dict[str, dict[str, str]]]:
    """`split_cached` and `mark_fields` in one pass over the files (what `reviewer score`
    needs): (cached results, photos to score, marks as text by abspath). Without
    `use_scores` (--no-cache) every photo is to score."""
    if catalog is None or not paths:
        return [], list(paths), {}
    try:
        if not use_scores:
            return [], list(paths), mark_fields(catalog, paths)
        catalog.purge_stale_scores(method)
        marks, stored = catalog.state(paths, method)
    except sqlite3.Error:
        return [], list(paths), {}
    cached, todo = split_stored(stored, paths, threshold)
    return cached, todo, _mark_texts(marks)
