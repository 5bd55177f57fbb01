"""Photo-level validation of the `learned` scorer on the training split's validation photos.

    python -m training.photo_val --data training/out/patches.npz \
        --model resources/models/learned_blur.onnx [--seed 0]

The validation photos of training.train (whole photos never trained on) are degraded again, as
whole frames, by the same blur family (build_dataset.base_variants, another seed), and the model
scores each frame as the app does (its MAX_TILES most detailed tiles). Printed: the photo-level
ROC AUC under several ways of turning the tile logits into the photo's (a high percentile, the
mean of the top k). This is how the aggregation is chosen without looking at any benchmark.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reviewer.core.scoring.learned import MAX_TILES, extract_patches, tile_candidates  # noqa: E402
from training import build_dataset as bd  # noqa: E402
from training.train import roc_auc, split  # noqa: E402

F32 = npt.NDArray[np.float32]


def aggregations(z: F32) -> dict[str, float]:
    s = np.sort(z)[::-1]
    out = {f"p{q}": float(np.percentile(z, q)) for q in (75, 90, 95)}
    out["max"] = float(s[0])
    for k in (3, 5, 8):
        out[f"top{k}"] = float(s[:k].mean())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "training" / "out" / "patches.npz")
    ap.add_argument(
        "--model", type=Path, default=ROOT / "resources" / "models" / "learned_blur.onnx"
    )
    ap.add_argument("--cache", type=Path, default=ROOT / "training" / "out" / "packages")
    ap.add_argument("--bases", type=Path, help="a folder of photos instead of the packages")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with np.load(args.data) as f:
        base, names = f["base"], f["names"]
    is_val, _ = split(base, args.seed)
    val_names = {str(names[b]) for b in np.unique(base[is_val])}
    cache = args.cache
    every = (
        bd.load_folder(args.bases)
        if args.bases
        else bd.gcompris_photos(cache)
        + bd.opencv_photos(cache)
        + bd.tuxpaint_photos(cache)
        + bd.stellarium_photos(cache)
    )
    bases = [(n, g) for n, g in every if n in val_names]
    net = cv2.dnn.readNetFromONNX(str(args.model))
    rows: list[tuple[int, dict[str, float]]] = []
    for name, gray in bases:
        rng = bd.base_rng(args.seed + 1000, name)
        lin = bd.to_linear(bd.prepare_base(gray, rng))
        variants = [(1, bd.finish(bd.sharp_variant(lin, i % 4, rng), rng)) for i in range(8)]
        variants += [
            (0, bd.finish(bd.convolve(lin, bd.blur_psf(k, rng)), rng)) for k in bd.BLUR_KINDS
        ]
        for label, img in variants:
            tiles = tile_candidates(img, MAX_TILES)
            if tiles.size == 0:
                continue
            net.setInput(extract_patches(img, tiles))
            rows.append((label, aggregations(np.asarray(net.forward(), np.float32).reshape(-1))))
    labels = np.array([r[0] for r in rows], np.uint8)
    print(f"{len(bases)} validation photos, {len(rows)} frames ({int(labels.sum())} sharp)")
    for key in rows[0][1]:
        scores = np.array([r[1][key] for r in rows], np.float32)
        print(f"  {key:6} photo-level ROC AUC {roc_auc(scores, labels):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
