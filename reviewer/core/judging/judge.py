"""One frame's verdict - sharp, blurry or unsure - with a short reason.

A scorer measures; this decides, the way a photographer looks at a frame:

1. Is there anything to judge? A flat, black or blown frame, a frame of fine texture with no
   edge strong enough to measure, or a tiny image: `unsure`, "nothing sharp to judge", never a
   score of 0 among the rejects.
2. Where to look (regions.py): the camera's AF points when known, else a face, else the
   in-focus subject, else the sharpest region (the scorer's own figure). With the `focus`
   method, AF points and faces are measured on their own; an AF area that is blurred while the
   rest of the frame is sharp is `unsure` (focus and recompose, or a missed focus: look).
3. Camera shake the edge measure misses (shake.py: a smear along one direction, or a doubled
   image) makes the frame `blurry`.
4. Evidence within a margin of the threshold is `unsure`: one frame often cannot tell an
   in-focus soft subject from a slightly blurred crisp one, and a rejected good frame costs a
   photographer more than a kept soft one, so the margin reaches further on the blurry side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from reviewer.core.image import DecodedPhoto
from reviewer.core.judging.regions import (
    AF_ENLARGE,
    AF_MIN_SIDE,
    FACE_ENLARGE,
    Region,
    candidate_regions,
    crop,
    enlarge,
    union,
)
from reviewer.core.judging.shake import Shake, analyse
from reviewer.core.judging.verdict import Box, Judgement, Verdict
from reviewer.core.scoring.base import Score
from reviewer.core.scoring.common import luma_u8
from reviewer.core.scoring.focus import (
    MIN_EDGES,
    RADIUS_AT_THRESHOLD,
    SCORE_STEEPNESS,
    measure,
    to_scoring_size,
)

U8 = npt.NDArray[np.uint8]

# `focus`: the blur radius (px at 2048) is unsure from the threshold's radius divided by
# MARGIN_SHARP up to it times MARGIN_BLURRY. At the default threshold (2.75 px): 2.5-3.4 px,
# scores 57-34. Ordinary camera JPEGs of crisp subjects read 2.3-2.6 px, so the blurry side
# reaches further.
MARGIN_SHARP = 1.1
MARGIN_BLURRY = 1.25
# Other methods: their score's unsure band, as factors of the threshold (the variance of the
# Laplacian falls with the square of the blur, hence its wider band).
SCORE_MARGINS: dict[str, tuple[float, float]] = {
    "laplacian": (0.65, 1.2),
    "edge-ratio": (0.85, 1.1),
}
DEFAULT_SCORE_MARGIN = (0.8, 1.1)
# Bumped whenever the same pixels could be judged differently: stored judgements of another
# version are stale, and the score cache scores those photos again (2: faces; 3: a verdict
# records whether it follows the threshold).
JUDGING_VERSION = 3
MIN_SIDE = 64  # px: a smaller image is too small to judge
MIN_LONG_EDGE = 160
FLAT_STD = 2.0  # grey levels: a frame this even has nothing to judge
EXPOSURE_UNJUDGEABLE = 0.97  # share of the frame crushed or clipped
# A texture-only frame: the finest band holds this many times the noise's energy, yet no edge
# clears the noise floor.
TEXTURE_ENERGY = 4.0
MIN_REGION_EDGES = MIN_EDGES  # a region with fewer strong edges cannot decide
MIN_REGION_PX = 48  # px at the scoring size: the smallest region side measured
# grey levels: a region with this much contrast but no measurable edge is blurred, not plain
REGION_CONTENT_STD = 10.0
# A blur this many times the default threshold's radius, while the gradient stays correlated
# over no more than CRISP_CORRELATION_PX (scoring px) in some direction, is implausible (see
# judge()). Sharp camera frames measure 0.6-2.1 px there; frames blurred in every direction 2-6.
IMPLAUSIBLE_BLUR = 4.0
# A frame whose edges run this much one way (structure-tensor coherence; natural scenes measure
# about 0.2, frames shaken 20 px up to 0.86) cannot tell a smear from its own stripes.
ONE_WAY_COHERENCE = 0.9
CRISP_CORRELATION_PX = 1.5
REFERENCE_OVER_SCORING = 2048.0 / 1280.0  # shake lengths are measured at the scoring size


def threshold_radius(threshold: float) -> float:
    """The blur radius (px at 2048) at which `focus` scores `threshold`."""
    t = min(max(threshold, 1e-6), 100.0 - 1e-6)
    return float(RADIUS_AT_THRESHOLD * (100.0 / t - 1.0) ** (1.0 / SCORE_STEEPNESS))


def fmt_px(radius: float) -> str:
    return f"{radius:.1f} px"


@dataclass(frozen=True, slots=True)
class _Band:
    """Where evidence is sharp, unsure or blurry, in the units of `value` (higher = sharper)."""

    sharp_from: float
    blurry_below: float

    def call(self, value: float) -> Verdict:
        if value >= self.sharp_from:
            return "sharp"
        if value < self.blurry_below:
            return "blurry"
        return "unsure"


def _radius_call(radius: float, threshold: float) -> Verdict:
    r_t = threshold_radius(threshold)
    if radius <= r_t / MARGIN_SHARP:
        return "sharp"
    if radius > r_t * MARGIN_BLURRY:
        return "blurry"
    return "unsure"


def nothing_to_judge(gray: U8, score: Score | None = None) -> str | None:
    """Why this frame (luma at the scoring size) has nothing to judge, or None."""
    h, w = gray.shape
    if min(h, w) < MIN_SIDE or max(h, w) < MIN_LONG_EDGE:
        return f"too small to judge ({w}x{h} px)"
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(np.float64) / gray.size
    crushed, clipped = float(hist[:7].sum()), float(hist[250:].sum())
    if crushed >= EXPOSURE_UNJUDGEABLE:
        return "too dark: nothing sharp to judge"
    if clipped >= EXPOSURE_UNJUDGEABLE:
        return "blown out: nothing sharp to judge"
    if crushed + clipped >= EXPOSURE_UNJUDGEABLE:
        return "crushed and clipped: nothing sharp to judge"
    if float(cv2.meanStdDev(gray)[1][0, 0]) < FLAT_STD:  # a tenth of numpy's std
        return "flat frame: nothing sharp to judge"
    if score is not None and score.method == "focus":
        radius = score.details.get("blur_radius_px", math.inf)
        edges = score.details.get("edges_used", 0.0)
        if math.isfinite(radius) and edges >= MIN_EDGES:
            return None
    elif _has_edges(gray):
        return None
    if _fine_texture(gray):
        return "only fine texture, no edge to judge"
    return "nothing sharp to judge"


def _noise_sd(gray: U8) -> float:
    """Immerkaer's noise estimate (CVIU 1996): one 3x3 kernel, grey levels."""
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    resp = cv2.filter2D(gray.astype(np.float32), -1, kernel)[1:-1, 1:-1]
    return float(math.sqrt(math.pi / 2) * np.mean(np.abs(resp)) / 6.0)


def _has_edges(gray: U8) -> bool:
    """At least MIN_EDGES edge pixels well above the noise (for methods without their own
    edge count)."""
    smooth = cv2.GaussianBlur(gray.astype(np.float32), (7, 7), 1.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, scale=0.125)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, scale=0.125)
    mag = cv2.magnitude(gx, gy)
    floor = max(3.0, 6.0 * 0.3 * _noise_sd(gray))
    return int(np.count_nonzero(mag > floor)) >= 4 * MIN_EDGES


def _fine_texture(gray: U8) -> bool:
    """Detail in the finest band well above what the noise alone gives."""
    g = gray.astype(np.float32)
    fine = g - cv2.GaussianBlur(g, (7, 7), 1.0)
    noise = max(_noise_sd(gray), 0.5)
    # white noise of SD s leaves about 0.6 s in this band
    return float(fine.std()) >= TEXTURE_ENERGY * 0.6 * noise


def _region_radius(gray: U8, region: Region) -> tuple[float, bool]:
    """The blur radius (px at 2048) measured over a region (AF areas enlarged), inf when the
    region has too few edges to decide; and whether it holds detail at all (contrast): a
    region with contrast but no edge is blurred, one without is plain (a sky)."""
    if region.kind == "af":
        boxes = tuple(enlarge(b, AF_ENLARGE, AF_MIN_SIDE) for b in region.boxes)
    elif region.kind == "face":
        boxes = tuple(enlarge(b, FACE_ENLARGE) for b in region.boxes)
    else:
        boxes = region.boxes
    area = crop(gray, union(boxes))
    if min(area.shape[:2], default=0) < MIN_REGION_PX:
        area = crop(gray, enlarge(union(boxes), 1.0, MIN_REGION_PX / min(gray.shape)))
    if min(area.shape[:2], default=0) < MIN_REGION_PX:
        return math.inf, False
    m = measure(np.ascontiguousarray(area))
    if m.edges_used < MIN_REGION_EDGES or not math.isfinite(m.radius):
        return math.inf, float(area.std()) >= REGION_CONTENT_STD
    return float(m.radius), True


def _shake_reason(shake: Shake) -> str:
    length = shake.length_px * REFERENCE_OVER_SCORING
    if shake.kind == "double":
        return f"camera shake: doubled image ({length:.0f} px apart)"
    return f"camera shake: smeared {length:.0f} px at {shake.angle_deg:.0f}°"


def judge(
    score: Score,
    gray: U8 | None = None,
    *,
    af_boxes: Sequence[Box] = (),
    faces: Sequence[Box] | None = None,
    rgb: U8 | None = None,
    check_shake: bool = True,
) -> Judgement:
    """Judge one scored frame. `gray`: its luma (any size; resampled to the scoring size);
    without it only the score and its margin decide. `af_boxes`: the camera's in-focus AF
    areas as fractions of the displayed frame. `faces`: face boxes from elsewhere, or None to
    detect them here (only where `rgb`, the frame in colour, shows skin, when it is given)."""
    if gray is None:
        return _by_score(score)
    gray = to_scoring_size(gray)
    empty = nothing_to_judge(gray, score)
    if empty is not None:
        return Judgement("unsure", empty, None, "frame")
    focus = score.method == "focus"
    j = _by_regions(score, gray, af_boxes, faces, rgb) if focus else _by_score(score)
    implausible = (
        j.verdict == "blurry"
        and j.blur_px is not None
        and j.blur_px > IMPLAUSIBLE_BLUR * RADIUS_AT_THRESHOLD
    )
    if not check_shake or (j.verdict == "blurry" and not implausible):
        return j  # blurry already: shake would add nothing
    corr = analyse(gray)
    if (
        corr.shake is not None
        and corr.shake.kind == "smear"
        and corr.coherence >= ONE_WAY_COHERENCE
        and j.verdict != "blurry"
    ):
        # Nearly all edges run one way (stripes, slats, a graphic): their own run along the
        # stripes reads as a smear. Shake cannot be told from the pattern: look, do not reject.
        return Judgement(
            "unsure",
            f"edges run one way: {_shake_reason(corr.shake)}, or the pattern?",
            j.blur_px,
            j.region,
            j.boxes,
        )
    if corr.shake is not None and j.verdict != "blurry":
        blur = corr.shake.length_px * REFERENCE_OVER_SCORING
        return Judgement("blurry", _shake_reason(corr.shake), max(blur, j.blur_px or 0.0), "frame")
    if implausible and corr.shake is None and corr.shortest_px <= CRISP_CORRELATION_PX:
        # The edge measure finds a huge blur, yet edges across some direction stay crisp and
        # no shake explains it (a photo of a screen: its pixel grid and moire confuse the
        # re-blur ratios). Two measures this far apart: look, do not reject.
        return Judgement(
            "unsure",
            f"measures disagree: edges {fmt_px(j.blur_px or math.inf)} but crisp detail",
            j.blur_px,
            j.region,
            j.boxes,
        )
    return j


def _by_score(score: Score) -> Judgement:
    """Any method: the score against its threshold, with a margin of unsure around it."""
    if score.method == "focus":
        radius = score.details.get("blur_radius_px", math.inf)
        if not math.isfinite(radius):
            return Judgement("unsure", "nothing sharp to judge")
        return _radius_judgement(radius, score.threshold, "sharpest region", "sharpest", ())
    if not math.isfinite(score.value):
        return Judgement("unsure", "nothing to judge")
    lo, hi = SCORE_MARGINS.get(score.method, DEFAULT_SCORE_MARGIN)
    verdict = _Band(score.threshold * hi, score.threshold * lo).call(score.value)
    reasons = {
        "sharp": f"score {score.value:.3g} — sharp",
        "blurry": f"score {score.value:.3g} — blurry",
        "unsure": f"score {score.value:.3g}: within the margin of the threshold",
    }
    return Judgement(verdict, reasons[verdict], follows_threshold=True)


def _radius_judgement(
    radius: float, threshold: float, what: str, kind: str, boxes: tuple[Box, ...]
) -> Judgement:
    verdict = _radius_call(radius, threshold)
    if verdict == "sharp":
        reason = f"{what} {fmt_px(radius)} — sharp"
    elif verdict == "blurry":
        reason = f"{what} {fmt_px(radius)} blurred"
    else:
        reason = f"{what} {fmt_px(radius)}: within the margin of the threshold"
    return Judgement(verdict, reason, radius, kind, boxes, True)  # type: ignore[arg-type]


def judgement_at(score: Score, judgement: Judgement | None, threshold: float) -> Judgement | None:
    """The frame's judgement at another threshold than `score`'s, without its pixels.

    A verdict that is the deciding blur radius (the AF point's, the face's, the subject's...) or
    the score against the threshold's band is made again at `threshold`, with the same unsure
    margin a fresh judgement would have there. Every other verdict (nothing to judge, camera
    shake, a region at odds with the frame, error) holds at any threshold. None stays None."""
    if judgement is None or not judgement.follows_threshold or score.threshold == threshold:
        return judgement
    radius = judgement.blur_px
    if score.method == "focus" and radius is not None and math.isfinite(radius):
        what = _NAMES.get(judgement.region, "sharpest region")
        return _radius_judgement(radius, threshold, what, judgement.region, judgement.boxes)
    return _by_score(score.at_threshold(threshold))


_NAMES = {"af": "AF point", "face": "face", "subject": "subject", "sharpest": "sharpest region"}


def _by_regions(
    score: Score,
    gray: U8,
    af_boxes: Sequence[Box],
    faces: Sequence[Box] | None,
    rgb: U8 | None,
) -> Judgement:
    frame_radius = score.details.get("blur_radius_px", math.inf)
    frame = _radius_judgement(frame_radius, score.threshold, "sharpest region", "sharpest", ())
    for region in candidate_regions(gray, af_boxes, faces, rgb):
        name = _NAMES[region.kind]
        if region.kind == "subject":
            # The subject mask is drawn around the frame's sharpest edges: the frame's figure
            # is the subject's; the mask shows where it is.
            what = f"subject {fmt_px(frame_radius)}"
            reason = frame.reason.replace(f"sharpest region {fmt_px(frame_radius)}", what)
            return replace(frame, reason=reason, region="subject", boxes=region.boxes)
        if region.kind == "face" and len(region.boxes) > 1:
            # A group: the photographer focused on one of the faces (in a shallow depth of
            # field the others blur): the sharpest face decides.
            region = min(
                (Region("face", (b,)) for b in region.boxes),
                key=lambda r: _region_radius(gray, r)[0],
            )
        radius, content = _region_radius(gray, region)
        if math.isfinite(radius):
            here = _radius_judgement(radius, score.threshold, name, region.kind, region.boxes)
            blur = fmt_px(radius)
        elif content:  # detail, but no edge left in it: blurred beyond measure
            blur = "blurred beyond measure"
            here = Judgement("blurry", f"{name} {blur}", None, region.kind, region.boxes)
        else:
            continue  # a plain area (a sky behind the AF point): look elsewhere
        if here.verdict == "blurry" and frame.verdict == "sharp":
            return Judgement(
                "unsure",
                f"{name} {blur}, sharp elsewhere (recomposed or missed focus?)",
                here.blur_px,
                region.kind,
                region.boxes,
            )
        if here.verdict == "sharp" and frame.verdict == "blurry":
            # The region is sharp but the frame as a whole reads blurred: the region's own
            # measure misses what the whole frame shows (shake across it, a wide blur).
            return Judgement(
                "unsure",
                f"{name} {fmt_px(radius)} sharp, frame {fmt_px(frame_radius)} blurred",
                radius,
                region.kind,
                region.boxes,
            )
        return here
    return frame


def judge_photo(
    photo: DecodedPhoto,
    score: Score,
    *,
    af_boxes: Sequence[Box] = (),
    faces: Sequence[Box] | None = None,
) -> Judgement:
    """judge() on a decoded photo."""
    gray = to_scoring_size(luma_u8(photo.rgb))
    return judge(score, gray, af_boxes=af_boxes, faces=faces, rgb=photo.rgb)
