"""Train the `learned` scorer's network on the patches of build_dataset.py; export it to ONNX.

    python -m training.train --data training/out/patches.npz \
        --out resources/models/learned_blur.onnx [--epochs 16] [--seed 0]

numpy only, one thread, seeded: the same data and seed give the same model, byte for byte.
A tenth of the bases (whole photos, never single patches) is held out for validation; the
model kept is that of the epoch with the best validation ROC AUC (the last epoch without a
validation split). The figures are printed and written beside the model as JSON (OUT with .json).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # deterministic sums, and fair to a shared machine

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reviewer.core.scoring.learned import normalise_patches  # noqa: E402
from training.nn import ARCH, Adam, Params, backward, bce_grad, forward, init_params  # noqa: E402
from training.onnx_export import export  # noqa: E402

F32 = npt.NDArray[np.float32]
VALIDATION_SHARE = 0.1
BATCH = 64


def roc_auc(scores: F32, labels: npt.NDArray[np.uint8]) -> float:
    s, b = scores[labels == 1], scores[labels == 0]
    if not len(s) or not len(b):
        return float("nan")
    order = np.argsort(np.concatenate([s, b]), kind="stable")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    return float((ranks[: len(s)].sum() - len(s) * (len(s) + 1) / 2) / (len(s) * len(b)))


def predict(p: Params, x: F32, batch: int = 256) -> F32:
    return np.concatenate(
        [forward(p, x[i : i + batch])[0] for i in range(0, len(x), batch)] or [np.zeros(0)]
    ).astype(np.float32)


def copy_params(p: Params) -> Params:
    return Params(
        [w.copy() for w in p.conv_w],
        [b.copy() for b in p.conv_b],
        p.dense_w.copy(),
        p.dense_b.copy(),
    )


def augment(x: F32, rng: np.random.Generator) -> F32:
    """Random flips and 90-degree turns (blur has no preferred direction)."""
    if rng.random() < 0.5:
        x = x[:, :, :, ::-1]
    if rng.random() < 0.5:
        x = x[:, :, ::-1, :]
    if rng.random() < 0.5:
        x = x.transpose(0, 1, 3, 2)
    return np.ascontiguousarray(x)


def split(base: npt.NDArray[np.int32], seed: int) -> tuple[npt.NDArray[np.bool_], int]:
    bases = np.unique(base)
    rng = np.random.default_rng([seed, 1])
    n_val = max(1, round(len(bases) * VALIDATION_SHARE)) if len(bases) > 1 else 0
    val_bases = rng.choice(bases, size=n_val, replace=False) if n_val else np.zeros(0, np.int32)
    return np.isin(base, val_bases), n_val


def train(
    data: dict[str, npt.NDArray[np.generic]],
    *,
    epochs: int,
    seed: int,
    lr: float = 3e-3,
    log: bool = True,
) -> tuple[Params, dict[str, float]]:
    x = normalise_patches(np.asarray(data["patches"], np.float32))
    y = np.asarray(data["labels"], np.float32)
    is_val, n_val = split(np.asarray(data["base"], np.int32), seed)
    xt, yt = x[~is_val], y[~is_val]
    xv, yv = x[is_val], np.asarray(data["labels"], np.uint8)[is_val]
    params = init_params(seed)
    opt = Adam(params, lr)
    rng = np.random.default_rng([seed, 2])
    steps_per_epoch = max(1, len(xt) // BATCH)
    total = epochs * steps_per_epoch
    t0 = time.perf_counter()
    history: dict[str, float] = {}
    best: tuple[float, Params, dict[str, float]] | None = None
    for epoch in range(epochs):
        order = rng.permutation(len(xt))
        losses = []
        for step in range(steps_per_epoch):
            # cosine decay of the learning rate over the whole run
            done = (epoch * steps_per_epoch + step) / total
            opt.lr = lr * 0.5 * (1 + np.cos(np.pi * done))
            idx = order[step * BATCH : (step + 1) * BATCH]
            xb = augment(xt[idx], rng)
            logits, cache = forward(params, xb, keep=True)
            loss, dlogits = bce_grad(logits, yt[idx])
            opt.step(params, backward(params, cache, dlogits))
            losses.append(loss)
        history = {"epoch": epoch + 1, "train_loss": float(np.mean(losses))}
        if len(xv):
            lv = predict(params, xv)
            history["val_accuracy"] = float(((lv >= 0) == (yv == 1)).mean())
            history["val_auc"] = roc_auc(lv, yv)
        history["seconds"] = time.perf_counter() - t0
        if log:
            print(json.dumps(history), flush=True)
        if len(xv) and (best is None or history["val_auc"] > best[0]):
            best = (history["val_auc"], copy_params(params), dict(history))
    if best is not None:
        params, history = best[1], best[2] | {"epochs_run": float(epochs)}
    history.update(
        {
            "train_patches": float(len(xt)),
            "val_patches": float(len(xv)),
            "val_bases": float(n_val),
        }
    )
    return params, history


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "training" / "out" / "patches.npz")
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "models" / "learned_blur.onnx")
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args(argv)
    with np.load(args.data) as f:
        data = {k: f[k] for k in f.files}
    params, history = train(data, epochs=args.epochs, seed=args.seed, lr=args.lr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    patch = int(data["patches"].shape[-1])
    doc = f"reviewer learned blur scorer; arch {ARCH}; seed {args.seed}; epochs {args.epochs}"
    export(params, patch, args.out, doc)
    history |= {"seed": args.seed, "epochs": args.epochs, "lr": args.lr}
    args.out.with_suffix(".json").write_text(json.dumps(history, indent=1) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
