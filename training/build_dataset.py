"""Build the training patches of the `learned` scorer from photos the package registries hold.

    python -m training.build_dataset --out training/out/patches.npz [--seed 0]

1. Fetch the source packages with `apt-get download` into --cache and unpack them (dpkg -x):
   gcompris-qt-data (photographs of animals and monuments inside Qt resource files, read
   with PySide6's QResource) and opencv-doc (OpenCV's sample photographs). None of them is a
   base of a dev or held-out benchmark set (bench/make_*_set.sh) or under ../shared/photos;
   EXCLUDED lists the few files that are, or show the same scene, and they are skipped.
2. Each photo becomes a grey base at most SCORING_LONG_EDGE px (never upsampled), shrunk by a
   random factor so the scale of detail varies.
3. Each base is degraded into sharp and blurry variants (the blur family below, in linear
   light), then sensor noise and JPEG; PATCHES_PER_VARIANT patches are drawn from the tiles the
   scorer itself would pick (reviewer.core.scoring.learned.tile_candidates).

Sharp: untouched, a slight blur (Gaussian sigma <= 0.35 px or disk radius <= 0.5 px: a lens at
its best), exposure changes, sharpening. Blurry (all sizes at the scoring size, 1280 px): disk
defocus (radius 0.9-8 px), soft defocus (Gaussian sigma 0.7-5 px), straight shake (2.5-25 px,
twice as often), random-walk shake (3-25 px of path), doubled image (two exposures 3-15 px
apart), shake and defocus together, and a slight blur (disk 0.9-1.8 px or straight shake
2-5 px). Output: an .npz of uint8 patches, labels (1 sharp) and the base of each patch.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reviewer.core.scoring.focus import SCORING_LONG_EDGE, to_scoring_size  # noqa: E402
from reviewer.core.scoring.learned import (  # noqa: E402
    PATCH,
    tile_candidates,
    tile_grid,
)

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

PACKAGES = ("gcompris-qt-data", "opencv-doc", "tuxpaint-stamps-default", "stellarium-data")
# gcompris activities whose pictures are photographs (the rest are drawings)
GCOMPRIS_ACTIVITIES = (
    "erase",
    "explore_monuments",
    "explore_world_animals",
    "explore_farm_animals",
)
OPENCV_DATA = "usr/share/doc/opencv-doc/examples/data"
OPENCV_PHOTOS = (
    "apple.jpg", "baboon.jpg", "board.jpg", "building.jpg", "butterfly.jpg", "chicky_512.png",
    "ela_original.jpg", "fruits.jpg", "graf1.png", "home.jpg", "leuvenA.jpg", "messi5.jpg",
    "orange.jpg", "pca_test1.jpg", "squirrel_cls.jpg", "stuff.jpg", "left01.jpg",
)  # fmt: skip
# tuxpaint-stamps-default: the stamps that are photographs (cut out, on a transparent ground),
# not the drawings; only those at least MIN_LONG_EDGE px long.
TUXPAINT_STAMPS = "usr/share/tuxpaint/stamps"
TUXPAINT_PHOTOS = (
    "animals/birds/albino_peahen", "animals/birds/helmeted_guineafowl", "animals/birds/peacock",
    "animals/fish/lobster", "animals/insects/Brown_slug", "animals/insects/Woodlouse",
    "animals/insects/bee", "animals/insects/mantis", "animals/mammals/bovines/indian_blackbuck",
    "animals/mammals/cats/tiger_sumatran", "food/fruit/Apricot_whole", "food/fruit/Cherry_Stella",
    "food/fruit/Strawberry2", "food/fruit/avocado", "food/fruit/cherimoya",
    "food/fruit/orange_seville", "food/spices/ginger", "hobbies/music/string/guitar2",
    "household/Lightbulb", "household/cylinder", "household/dishes/glass",
    "household/tools/cementmixer", "household/tools/spade", "medical/syringe",
    "military/final-roll-call", "military/vehicles/bradley", "military/vehicles/f22_raptor",
    "military/vehicles/infantry-stryker", "naturalforces/explosion", "naturalforces/fire",
    "people/fireman200b", "plants/flowers/anemone_red", "plants/flowers/daffodil",
    "plants/trees/liberia-palm", "plants/trees/tree336", "seasonal/candle",
    "town/monuments/inukshuk-photo", "vehicles/emergency/firetruck", "vehicles/flight/balloon360",
    "vehicles/flight/planes/747", "vehicles/garbagetruck", "vehicles/race/indycar",
    "vehicles/wheel_tractor",
)  # fmt: skip
# stellarium-data: the landscape panoramas that are sharp photographs (a rapeseed field at
# Garching, the Apollo 17 site); the others are soft, small or drawn.
STELLARIUM_LANDSCAPES = "usr/share/stellarium/landscapes"
STELLARIUM_PHOTOS = (
    "garching/garching-gl1.png", "garching/garching-gl2.png", "garching/garching-gl3.png",
    "garching/garching-gl4.png", "moon/apollo17.png",
)  # fmt: skip
# Benchmark bases and the same scenes: never trained on. aloeL.jpg is a held-out base
# (bench/make_holdout_set.sh); aloeR.jpg is the same aloe from the stereo pair's other eye.
EXCLUDED = ("aloeL.jpg", "aloeR.jpg", "aloeGT.png")
MIN_LONG_EDGE = 400  # smaller photos are thumbnails
SHARP_VARIANTS = 12  # three of each kind of sharp_variant
# Weighted toward the blurs that are hard to see: a slight blur just past a lens at its best
# ("slight": a disk of radius 0.9-1.8 px or a straight shake of 2-5 px) and straight shake
# (twice: it leaves the edges along it crisp, so a tile of such edges looks sharp).
# "shake" is a hand's shake as cameras record it (shake_points: drifting, jerking, uneven speed).
BLUR_KINDS = (
    "disk", "gauss", "line", "walk", "double", "walk+disk", "slight", "line", "shake",
) * 2  # fmt: skip
PATCHES_PER_VARIANT = {"sharp": 16, "blurry": 11}  # about equal patches per class over a base
# Patches come from this many of the most detailed tiles: those decide a photo's score (the
# sharpest region decides), and in a shallow depth-of-field photo the tiles further down the
# list lie in the blurred background, which a "sharp" label would teach wrong.
CANDIDATE_TILES = 16


# ------------------------------------------------------------------ fetching the photos
def fetch(cache: Path) -> Path:
    """Download and unpack PACKAGES into cache/NAME (once each)."""
    cache.mkdir(parents=True, exist_ok=True)
    for pkg in PACKAGES:
        dest = cache / pkg
        if dest.is_dir():
            continue
        subprocess.run(["apt-get", "download", pkg], cwd=cache, check=True)
        deb = sorted(cache.glob(f"{pkg}_*.deb"))[-1]
        subprocess.run(["dpkg", "-x", deb.name, pkg], cwd=cache, check=True)
    return cache


def gcompris_photos(cache: Path) -> list[tuple[str, U8]]:
    """The photographs inside gcompris-qt-data's Qt resource files, as grey images."""
    from PySide6.QtCore import QCoreApplication, QDirIterator, QResource
    from PySide6.QtGui import QImage

    _app = QCoreApplication.instance() or QCoreApplication([])
    rcc_dir = cache / "gcompris-qt-data" / "usr" / "share" / "gcompris-qt" / "rcc"
    for rcc in sorted(rcc_dir.glob("*.rcc")):
        if any(rcc.stem == a for a in GCOMPRIS_ACTIVITIES):
            QResource.registerResource(str(rcc))
    found = []
    it = QDirIterator(":/gcompris/src/activities", QDirIterator.IteratorFlag.Subdirectories)
    while it.hasNext():
        path = it.next()
        parts = path.split("/")
        if (
            len(parts) > 4
            and parts[4] in GCOMPRIS_ACTIVITIES
            and path.lower().endswith((".jpg", ".jpeg", ".png", ".webp"))
        ):
            found.append(path)
    out = []
    for path in sorted(found):
        img = QImage(path).convertToFormat(QImage.Format.Format_Grayscale8)
        if img.isNull() or max(img.width(), img.height()) < MIN_LONG_EDGE:
            continue
        w, h, bpl = img.width(), img.height(), img.bytesPerLine()
        gray = np.frombuffer(img.constBits(), np.uint8).reshape(h, bpl)[:, :w].copy()
        name = "gcompris_" + "_".join(parts for parts in path.split("/")[4:])
        out.append((Path(name).stem, gray))
    return out


def opencv_photos(cache: Path) -> list[tuple[str, U8]]:
    data = cache / "opencv-doc" / OPENCV_DATA
    out = []
    for name in OPENCV_PHOTOS:
        if name in EXCLUDED:
            continue
        gray = cv2.imread(str(data / name), cv2.IMREAD_GRAYSCALE)
        if gray is not None and max(gray.shape) >= MIN_LONG_EDGE:
            out.append(("opencv_" + Path(name).stem, np.asarray(gray, np.uint8)))
    return out


def flatten_alpha(img: npt.NDArray[Any]) -> U8:
    """A grey image; a transparent ground becomes mid grey (flat: no tile is drawn from it)."""
    if img.dtype == np.uint16:
        img = np.asarray(img >> 8, np.uint8)
    if img.ndim == 2:
        return np.asarray(img, np.uint8)
    if img.shape[2] == 4:
        a = img[:, :, 3:4].astype(np.float32) / 255.0
        img = np.rint(img[:, :, :3] * a + 128.0 * (1.0 - a)).astype(np.uint8)
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), np.uint8)


def tuxpaint_photos(cache: Path) -> list[tuple[str, U8]]:
    data = cache / "tuxpaint-stamps-default" / TUXPAINT_STAMPS
    out = []
    for name in TUXPAINT_PHOTOS:
        img = cv2.imread(str(data / f"{name}.png"), cv2.IMREAD_UNCHANGED)
        if img is not None and max(img.shape[:2]) >= MIN_LONG_EDGE:
            out.append(("tuxpaint_" + Path(name).name, flatten_alpha(img)))
    return out


def stellarium_photos(cache: Path) -> list[tuple[str, U8]]:
    data = cache / "stellarium-data" / STELLARIUM_LANDSCAPES
    out = []
    for name in STELLARIUM_PHOTOS:
        img = cv2.imread(str(data / name), cv2.IMREAD_UNCHANGED)
        if img is not None and max(img.shape[:2]) >= MIN_LONG_EDGE:
            out.append(("stellarium_" + Path(name).stem, flatten_alpha(img)))
    return out


def load_folder(folder: Path) -> list[tuple[str, U8]]:
    """Grey bases from a folder of images (the CI smoke test's tiny set)."""
    out = []
    for p in sorted(folder.iterdir()):
        gray = cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)
        if gray is not None:
            out.append((p.stem, np.asarray(gray, np.uint8)))
    return out


# ------------------------------------------------------------------ the blur family
_LUT = np.arange(256, dtype=np.float32) / 255.0
SRGB_TO_LINEAR = np.where(_LUT <= 0.04045, _LUT / 12.92, ((_LUT + 0.055) / 1.055) ** 2.4).astype(
    np.float32
)


def to_linear(gray: U8) -> F32:
    return np.asarray(SRGB_TO_LINEAR[gray], np.float32)


def to_srgb_u8(lin: F32) -> U8:
    x = np.clip(lin, 0.0, 1.0)
    s = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.clip(np.rint(s * 255.0), 0, 255).astype(np.uint8)


def disk_psf(radius: float, ss: int = 8) -> F32:
    half = int(np.ceil(radius)) + 1
    n = 2 * half + 1
    c = (np.arange(n * ss) + 0.5) / ss - half - 0.5
    inside = (c[None, :] ** 2 + c[:, None] ** 2) <= radius**2
    k = inside.reshape(n, ss, n, ss).mean(axis=(1, 3)).astype(np.float32)
    if k.sum() == 0:
        k[half, half] = 1.0
    return np.asarray(k / k.sum(), np.float32)


def path_psf(points: F32) -> F32:
    """A PSF from a camera path (x, y points, px), bilinear splats, centred on its mean."""
    pts = points - points.mean(axis=0)
    half = int(np.ceil(np.abs(pts).max())) + 2
    n = 2 * half + 1
    k = np.zeros((n, n), np.float32)
    x, y = pts[:, 0] + half, pts[:, 1] + half
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    for dx, dy, w in (
        (0, 0, (1 - fx) * (1 - fy)),
        (1, 0, fx * (1 - fy)),
        (0, 1, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        np.add.at(k, (y0 + dy, x0 + dx), w.astype(np.float32))
    return np.asarray(k / k.sum(), np.float32)


def line_points(length: float, angle: float) -> F32:
    t = np.linspace(-length / 2, length / 2, max(2, int(np.ceil(length * 8)) + 1))
    return np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1).astype(np.float32)


def walk_points(length: float, rng: np.random.Generator) -> F32:
    """A random walk with momentum (a hand's shake) of the given path length."""
    steps = max(8, int(length * 8))
    heading = rng.uniform(0, 2 * np.pi)
    turn = rng.normal(0, 0.35, steps).cumsum() * rng.uniform(0.2, 1.0)
    d = np.stack([np.cos(heading + turn), np.sin(heading + turn)], axis=1)
    pts = np.concatenate([[[0.0, 0.0]], np.cumsum(d * (length / steps), axis=0)])
    return pts.astype(np.float32)


def shake_points(length: float, rng: np.random.Generator) -> F32:
    """A hand's shake as it is held: a path of the given length whose direction drifts and
    now and then jerks back (tremor), run at an uneven speed, so that the PSF is brightest
    where the hand lingered (often an end) and faint where it rushed. Points are equally
    spaced in time."""
    steps = max(32, int(length * 16))
    heading = rng.uniform(0, 2 * np.pi)
    turn = rng.normal(0, rng.uniform(0.02, 0.3), steps)
    jerks = rng.random(steps) < rng.uniform(0.0, 3.0) / steps
    turn[jerks] += rng.choice([-1.0, 1.0], int(jerks.sum())) * rng.uniform(
        2.0, np.pi, int(jerks.sum())
    )
    angle = heading + np.cumsum(turn)
    noise = rng.standard_normal(steps + 64).astype(np.float32)
    smooth = np.asarray(cv2.GaussianBlur(noise[None, :], (0, 0), sigmaX=steps / 10), np.float32)
    smooth = smooth[0, 32 : 32 + steps]
    smooth = smooth / max(float(smooth.std()), 1e-6)
    speed = np.exp(rng.uniform(0.3, 1.2) * smooth)
    d = np.stack([np.cos(angle), np.sin(angle)], axis=1) * speed[:, None]
    d *= length / float(speed.sum())
    pts = np.concatenate([[[0.0, 0.0]], np.cumsum(d, axis=0)])
    return pts.astype(np.float32)


def double_psf(distance: float, angle: float, rng: np.random.Generator) -> F32:
    """Two exposures `distance` px apart (a shake that stopped halfway): a doubled image."""
    w = rng.uniform(0.3, 0.7)
    pts = np.array([[0, 0], [distance * np.cos(angle), distance * np.sin(angle)]], np.float32)
    many = np.repeat(pts, [max(1, round(64 * w)), max(1, round(64 * (1 - w)))], axis=0)
    return path_psf(many)


def log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def blur_psf(kind: str, rng: np.random.Generator) -> F32:
    angle = rng.uniform(0, np.pi)
    if kind == "disk":
        return disk_psf(log_uniform(rng, 0.9, 8.0))
    if kind == "slight":
        pick = rng.random()
        if pick < 1 / 3:
            return disk_psf(rng.uniform(0.9, 1.8))
        if pick < 2 / 3:
            return path_psf(line_points(rng.uniform(2.0, 5.0), angle))
        return path_psf(shake_points(rng.uniform(2.5, 6.0), rng))
    if kind == "gauss":
        sigma = log_uniform(rng, 0.7, 5.0)
        g = cv2.getGaussianKernel(2 * int(np.ceil(3 * sigma)) + 1, sigma).astype(np.float32)
        return np.asarray(g @ g.T, np.float32)
    if kind == "line":
        return path_psf(line_points(log_uniform(rng, 2.5, 25.0), angle))
    if kind == "walk":
        return path_psf(walk_points(log_uniform(rng, 3.0, 25.0), rng))
    if kind == "shake":
        return path_psf(shake_points(log_uniform(rng, 3.0, 25.0), rng))
    if kind == "double":
        return double_psf(log_uniform(rng, 3.0, 15.0), angle, rng)
    if kind == "walk+disk":
        walk = path_psf(walk_points(log_uniform(rng, 3.0, 15.0), rng))
        return np.asarray(cv2.filter2D(walk, -1, disk_psf(rng.uniform(0.8, 3.0))), np.float32)
    raise ValueError(kind)


def convolve(lin: F32, psf: F32) -> F32:
    pad = max(psf.shape) // 2 + 1
    big = cv2.copyMakeBorder(lin, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    out = cv2.filter2D(big, -1, psf[::-1, ::-1].copy())
    return np.asarray(out[pad:-pad, pad:-pad], np.float32)


def sharp_variant(lin: F32, i: int, rng: np.random.Generator) -> F32:
    """Variant i of the sharp class: 0 untouched, 1 a lens at its best, 2 exposure, 3 sharpened."""
    if i == 1:
        if rng.random() < 0.5:
            sigma = rng.uniform(0.15, 0.35)
            return np.asarray(cv2.GaussianBlur(lin, (0, 0), sigma), np.float32)
        return convolve(lin, disk_psf(rng.uniform(0.2, 0.5)))
    if i == 2:
        return np.asarray(lin * log_uniform(rng, 0.3, 1.8), np.float32)
    if i == 3:
        amount = rng.uniform(0.3, 1.2)
        soft = cv2.GaussianBlur(lin, (0, 0), rng.uniform(0.6, 1.5))
        return np.asarray(lin + amount * (lin - soft), np.float32)
    return lin


def finish(lin: F32, rng: np.random.Generator) -> U8:
    """Sensor noise (read + shot, in linear light) and, mostly, JPEG."""
    read = rng.uniform(0.0, 0.012)
    shot = rng.uniform(0.0, 0.02)
    noise = rng.standard_normal(lin.shape).astype(np.float32)
    lin = lin + noise * np.sqrt(read**2 + shot**2 * np.clip(lin, 0, 1))
    u8 = to_srgb_u8(lin)
    if rng.random() < 0.8:
        quality = int(rng.integers(60, 98))
        ok, buf = cv2.imencode(".jpg", u8, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        u8 = np.asarray(cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE), np.uint8)
    return u8


# ------------------------------------------------------------------ patches
def base_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def prepare_base(gray: U8, rng: np.random.Generator) -> U8:
    """At most the scoring size, then shrunk by a random factor (detail at varied scales)."""
    gray = to_scoring_size(gray)
    factor = rng.uniform(0.55, 1.0)
    h, w = gray.shape
    size = (max(PATCH, round(w * factor)), max(PATCH, round(h * factor)))
    return np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), np.uint8)


def sample_patches(img: U8, count: int, rng: np.random.Generator) -> list[U8]:
    """`count` of the tiles the scorer would pick, on a randomly shifted grid."""
    dy, dx = (int(v) for v in rng.integers(0, PATCH, 2))
    shifted = img[dy:, dx:]
    tiles = tile_candidates(shifted, max(count, CANDIDATE_TILES))
    if tiles.size == 0:
        return []
    pick = rng.choice(tiles, size=min(count, tiles.size), replace=False)
    _, cols, y0, x0 = tile_grid(shifted)
    out = []
    for t in np.sort(pick):
        r, c = divmod(int(t), cols)
        y, x = y0 + r * PATCH, x0 + c * PATCH
        out.append(shifted[y : y + PATCH, x : x + PATCH].copy())
    return out


def base_patches(name: str, gray: U8, seed: int) -> tuple[list[U8], list[int]]:
    rng = base_rng(seed, name)
    base = prepare_base(gray, rng)
    lin = to_linear(base)
    patches: list[U8] = []
    labels: list[int] = []
    for i in range(SHARP_VARIANTS):
        img = finish(sharp_variant(lin, i % 4, rng), rng)
        got = sample_patches(img, PATCHES_PER_VARIANT["sharp"], rng)
        patches += got
        labels += [1] * len(got)
    for kind in BLUR_KINDS:
        img = finish(convolve(lin, blur_psf(kind, rng)), rng)
        got = sample_patches(img, PATCHES_PER_VARIANT["blurry"], rng)
        patches += got
        labels += [0] * len(got)
    return patches, labels


def build(bases: list[tuple[str, U8]], seed: int) -> dict[str, npt.NDArray[np.generic]]:
    patches: list[U8] = []
    labels: list[int] = []
    base_ids: list[int] = []
    names = []
    for b, (name, gray) in enumerate(bases):
        p, lab = base_patches(name, gray, seed)
        patches += p
        labels += lab
        base_ids += [b] * len(p)
        names.append(name)
        print(f"\r{b + 1}/{len(bases)} bases, {len(patches)} patches", end="", file=sys.stderr)
    print(file=sys.stderr)
    return {
        "patches": np.stack(patches)[:, None] if patches else np.zeros((0, 1, PATCH, PATCH)),
        "labels": np.asarray(labels, np.uint8),
        "base": np.asarray(base_ids, np.int32),
        "names": np.asarray(names),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "out" / "patches.npz")
    ap.add_argument("--cache", type=Path, default=ROOT / "training" / "out" / "packages")
    ap.add_argument("--bases", type=Path, help="a folder of photos instead of the packages")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="use only this many bases (0: all)")
    args = ap.parse_args(argv)
    if args.bases:
        bases = load_folder(args.bases)
    else:
        cache = fetch(args.cache)
        bases = (
            gcompris_photos(cache)
            + opencv_photos(cache)
            + tuxpaint_photos(cache)
            + stellarium_photos(cache)
        )
    bases = [(n, g) for n, g in bases if not any(n.endswith(Path(e).stem) for e in EXCLUDED)]
    if args.limit:
        bases = bases[: args.limit]
    print(f"{len(bases)} bases (long edge <= {SCORING_LONG_EDGE} px)", file=sys.stderr)
    data = build(bases, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **data)
    n = len(data["labels"])
    print(f"wrote {args.out}: {n} patches, {int(data['labels'].sum())} sharp")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
