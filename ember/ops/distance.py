"""Distances between sets of points: cdist (every pair of rows), pairwise_distance (matching
rows). cosine_similarity lives in nn.functional."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word

_INF = float("inf")
_MODES = (
    "use_mm_for_euclid_dist_if_necessary",
    "use_mm_for_euclid_dist",
    "donot_use_mm_for_euclid_dist",
)


def _euclid_mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances by one matrix product, |a|^2 + |b|^2 - 2 a.b, as PyTorch computes
    them for large sets (fast, but close points lose digits to cancellation)."""
    sq = (
        np.sum(a * a, axis=-1)[..., :, None]
        + np.sum(b * b, axis=-1)[..., None, :]
        - 2 * (a @ np.swapaxes(b, -1, -2))
    )
    return np.sqrt(np.maximum(sq, a.dtype.type(1e-30)))


def _direct(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    diff = np.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 0:
        return np.sum(diff != 0, axis=-1).astype(a.dtype)
    if p == 1:
        return np.sum(diff, axis=-1)
    if p == 2:
        return np.sqrt(np.sum(diff * diff, axis=-1))
    if p == _INF:
        return np.amax(diff, axis=-1) if diff.shape[-1] else np.zeros(diff.shape[:-1], a.dtype)
    return np.sum(diff**p, axis=-1) ** (1.0 / p)


class Cdist(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x1, x2, p, use_mm):
        if ctx.inputs is not None:
            ctx.save_for_backward(x1, x2)
            ctx.p = p
        a, b = x1._data, x2._data
        out = _euclid_mm(a, b) if use_mm else _direct(a, b, p)
        return np.asarray(out).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        from .elementwise import abs, sign, where

        x1, x2 = ctx.saved_tensors
        p, d = ctx.p, ctx.output()
        if p == 0:
            return x1 * 0.0, x2 * 0.0, None, None
        if p == 2:
            # d_ij = |x1_i - x2_j|: dL/dx1_i = sum_j W_ij (x1_i - x2_j) with W = g / d (0 where
            # d is 0, or where the product form clamped it), written as products so that no
            # P x R x M difference is built.
            tiny = d._data <= np.sqrt(np.finfo(d._data.dtype).tiny)
            zero = _make(tiny)
            W = where(zero, 0.0, g / where(zero, 1.0, d))
            g1 = W.sum(-1, keepdim=True) * x1 - W @ x2
            g2 = W.mT.sum(-1, keepdim=True) * x2 - W.mT @ x1
            return g1, g2, None, None
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        if p == 1:
            coef = sign(diff)
        elif p == _INF:
            # Every coordinate that attains the maximum takes the full gradient (PyTorch).
            hit = _make((np.abs(diff._data) == d._data[..., None]).astype(d._data.dtype))
            coef = sign(diff) * hit
        else:
            ad, dd = abs(diff), d.unsqueeze(-1)
            nz = _make((diff._data != 0) & (dd._data != 0))
            coef = where(nz, sign(diff) * (where(nz, ad, 1.0) / where(nz, dd, 1.0)) ** (p - 1), 0.0)
        w = g.unsqueeze(-1) * coef
        return w.sum(-2), -w.sum(-3), None, None


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = _MODES[0]) -> Tensor:
    """The p-norm distance between each row of ``x1`` (..., P, M) and each row of ``x2``
    (..., R, M): shape (..., P, R), the batch dims broadcasting."""
    for name, x in (("X1", x1), ("X2", x2)):
        if x._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if x._data.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: "
                f"{_type_word(x._data.dtype)}"
            )
    c1, c2 = x1._data.shape[-1], x2._data.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(
            f"expected scalar type {_type_word(x1._data.dtype)} but found "
            f"{_type_word(x2._data.dtype)}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    P, R = x1._data.shape[-2], x2._data.shape[-2]
    use_mm = p == 2 and (
        compute_mode == _MODES[1] or (compute_mode == _MODES[0] and (P > 25 or R > 25))
    )
    return Cdist.apply(x1, x2, float(p), use_mm)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """The p-norm of ``x1 - x2 + eps`` over the last dim (rows matched, broadcasting)."""
    from .linalg_norms import vector_norm

    return named(vector_norm(x1 - x2 + eps, p, -1, keepdim), "NormBackward1")
