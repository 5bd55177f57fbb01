"""A small convolutional network in numpy: forward, backward, Adam. Deterministic on one thread.

The network is fixed by ARCH: valid convolutions at stride 2 with ReLU (the first 4x4, so
that every pixel reaches it: no fine detail is skipped), a global average pool and one dense
unit giving the logit of "sharp". The same layers are written to ONNX by
training/onnx_export.py and run in the app by OpenCV's DNN module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]

# (in_channels, out_channels, kernel, stride) per convolution
ARCH: tuple[tuple[int, int, int, int], ...] = (
    (1, 8, 4, 2),
    (8, 32, 3, 2),
    (32, 64, 3, 2),
)


@dataclass
class Params:
    conv_w: list[F32]  # (out, in, k, k)
    conv_b: list[F32]  # (out,)
    dense_w: F32  # (1, last_channels)
    dense_b: F32  # (1,)

    def arrays(self) -> list[F32]:
        return [*self.conv_w, *self.conv_b, self.dense_w, self.dense_b]


def init_params(seed: int) -> Params:
    rng = np.random.default_rng(seed)
    ws, bs = [], []
    for cin, cout, k, _ in ARCH:
        fan_in = cin * k * k
        ws.append(
            (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        )
        bs.append(np.zeros(cout, np.float32))
    last = ARCH[-1][1]
    dw = (rng.standard_normal((1, last)) * np.sqrt(1.0 / last)).astype(np.float32)
    return Params(ws, bs, dw, np.zeros(1, np.float32))


def output_size(size: int) -> int:
    for _, _, k, s in ARCH:
        size = (size - k) // s + 1
    return size


def _im2col(x: F32, k: int, s: int) -> tuple[F32, int, int]:
    """(N, C, H, W) -> (N*Ho*Wo, C*k*k) patches of a valid convolution at stride s."""
    n, c, h, w = x.shape
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    win = win[:, :, :ho, :wo]  # N, C, Ho, Wo, k, k
    cols = np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(n * ho * wo, c * k * k)
    return cols, ho, wo


def _col2im(dcols: F32, shape: tuple[int, ...], k: int, s: int, ho: int, wo: int) -> F32:
    n, c, h, w = shape
    d = dcols.reshape(n, ho, wo, c, k, k).transpose(0, 3, 4, 5, 1, 2)  # N, C, k, k, Ho, Wo
    dx = np.zeros(shape, np.float32)
    for i in range(k):
        for j in range(k):
            dx[:, :, i : i + s * ho : s, j : j + s * wo : s] += d[:, :, i, j]
    return dx


def forward(p: Params, x: F32, *, keep: bool = False) -> tuple[F32, list[object]]:
    """Logits (N,) for patches x (N, 1, H, W); with keep=True also what backward needs."""
    cache: list[object] = []
    a = x
    for w, b, (_, cout, k, s) in zip(p.conv_w, p.conv_b, ARCH, strict=True):
        cols, ho, wo = _im2col(a, k, s)
        z = cols @ w.reshape(cout, -1).T + b
        out = np.maximum(z, 0.0)
        if keep:
            cache.append((a.shape, cols, z, ho, wo))
        a = out.reshape(a.shape[0], ho, wo, cout).transpose(0, 3, 1, 2)
    pooled = a.mean(axis=(2, 3))  # N, C
    logits = pooled @ p.dense_w[0] + p.dense_b[0]
    if keep:
        cache.append((a.shape, pooled))
    return logits.astype(np.float32), cache


def backward(p: Params, cache: list[object], dlogits: F32) -> Params:
    """Gradients of the loss given its gradient with respect to the logits."""
    a_shape, pooled = cache[-1]  # type: ignore[misc]
    n, c, ho, wo = a_shape
    g_dw = (dlogits @ pooled)[None, :].astype(np.float32)
    g_db = np.array([dlogits.sum()], np.float32)
    da = np.broadcast_to((dlogits[:, None] * p.dense_w[0] / (ho * wo))[:, :, None, None], a_shape)
    gws: list[F32] = [np.zeros(0, np.float32)] * len(ARCH)
    gbs: list[F32] = [np.zeros(0, np.float32)] * len(ARCH)
    for li in range(len(ARCH) - 1, -1, -1):
        in_shape, cols, z, lho, lwo = cache[li]  # type: ignore[misc]
        _, cout, k, s = ARCH[li]
        dz = da.transpose(0, 2, 3, 1).reshape(-1, cout) * (z > 0)
        w = p.conv_w[li]
        gws[li] = (dz.T @ cols).reshape(w.shape).astype(np.float32)
        gbs[li] = dz.sum(axis=0).astype(np.float32)
        if li:
            dcols = dz @ w.reshape(cout, -1)
            da = _col2im(dcols.astype(np.float32), in_shape, k, s, lho, lwo)
    return Params(gws, gbs, g_dw, g_db)


def bce_grad(logits: F32, labels: F32, weights: F32 | None = None) -> tuple[float, F32]:
    """Mean binary cross-entropy (labels 1 = sharp) and its gradient w.r.t. the logits."""
    prob = 1.0 / (1.0 + np.exp(-logits))
    w = np.ones_like(labels) if weights is None else weights
    loss = np.logaddexp(0.0, logits) - labels * logits
    total = float((w * loss).sum() / w.sum())
    return total, ((prob - labels) * w / w.sum()).astype(np.float32)


class Adam:
    def __init__(self, params: Params, lr: float, weight_decay: float = 1e-4) -> None:
        self.lr = lr
        self.wd = weight_decay
        self.m = [np.zeros_like(a) for a in params.arrays()]
        self.v = [np.zeros_like(a) for a in params.arrays()]
        self.t = 0

    def step(self, params: Params, grads: Params) -> None:
        self.t += 1
        b1, b2 = 0.9, 0.999
        for a, g, m, v in zip(params.arrays(), grads.arrays(), self.m, self.v, strict=True):
            g = g + self.wd * a if a.ndim > 1 else g
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            mh = m / (1 - b1**self.t)
            vh = v / (1 - b2**self.t)
            a -= (self.lr * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
