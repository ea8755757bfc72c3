"""Class-dimension losses, and the reduction helpers every loss shares.

- ``CrossEntropy`` (class indices): log_softmax and the pick in one node. Every variant
  (weights, ignore_index, label smoothing) is one formula: with A[n, c] the weight the loss puts
  on log p[n, c], loss_n = -sum_c A[n, c] log p[n, c] and d loss_n / dx[n, k] =
  p[n, k] * sum_c A[n, c] - A[n, k]. A = a_n * onehot(y_n) + valid_n * b_c, where
  a_n = (1 - eps) w[y_n] and b_c = eps / C * w_c, so it is never built densely.
- ``NllLoss``: the pick alone (the input already holds log-probabilities).
Backward formulas are ember ops (``create_graph`` works); when no graph is being built the
class-index paths compute their gradient in NumPy directly. The elementwise losses (MSE, L1,
Huber, BCE, KL divergence) live in ``loss_pointwise.py``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ..tensor import Tensor, _make

_REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce_array(loss: np.ndarray, reduction: str, denom=None) -> np.ndarray:
    if reduction == "none":
        return loss
    total = np.asarray(loss.sum(dtype=loss.dtype))
    if reduction == "sum":
        return total
    n = loss.size if denom is None else denom
    if n == 0:
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0/0 = nan (PyTorch)
            return np.asarray(total / loss.dtype.type(n))
    return np.asarray(total / loss.dtype.type(n))


def _rows(d: np.ndarray) -> np.ndarray:
    """(N, C, *) as (M, C) rows, one per position (a view for 2-D input)."""
    if d.ndim == 2:
        return d
    return np.moveaxis(d, 1, -1).reshape(-1, d.shape[1])


def _unrows(r: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of ``_rows``: (M, C) back to (N, C, *)."""
    if len(shape) == 2:
        return r
    return np.moveaxis(r.reshape((shape[0],) + shape[2:] + (shape[1],)), -1, 1)


def _log_softmax_rows(r: np.ndarray) -> np.ndarray:
    m = r.max(axis=1, keepdims=True)
    finite = np.isfinite(m).all()
    if not finite:  # rows holding infinities: keep d - m exact, an all -inf row gives -inf
        m = np.where(np.isfinite(m), m, 0).astype(r.dtype, copy=False)
    shifted = r - m
    total = np.exp(shifted).sum(axis=1, keepdims=True)
    if finite:  # the max contributes exp(0) = 1, so the log is safe
        shifted -= np.log(total)
    else:
        with np.errstate(divide="ignore"):
            shifted -= np.log(total)
    return shifted


class CrossEntropy(Op):
    """Cross-entropy of logits (N, C, *) against class indices (N, *), as (M, C) rows."""

    @staticmethod
    def forward(ctx, x, idx, a, valid, b, denom, reduction):
        shape = x._data.shape
        logp = _log_softmax_rows(_rows(x._data))
        rows = np.arange(idx.shape[0])
        loss = -(a * logp[rows, idx])
        if b is not None:
            loss -= valid * (logp @ b)
        if ctx.inputs is not None:
            ctx.logp, ctx.args = logp, (shape, rows, idx, a, valid, b, denom, reduction)
        if reduction == "none":
            loss = loss.reshape(shape[:1] + shape[2:])
        return _reduce_array(loss.astype(x._data.dtype, copy=False), reduction, denom)

    @staticmethod
    def backward(ctx, g):
        shape, rows, idx, a, valid, b, denom, reduction = ctx.args
        logp = ctx.logp
        if grad_mode.state.enabled:
            from .softmax import softmax

            dense = np.zeros_like(logp)
            dense[rows, idx] = a
            if b is not None:
                dense += valid[:, None] * b
            total = _unrows(dense.sum(axis=1, keepdims=True), shape[:1] + (1,) + shape[2:])
            gx = softmax(ctx.inputs[0], 1) * _make(total) - _make(_unrows(dense, shape))
            gs = g.unsqueeze(1) if reduction == "none" else g
            if reduction == "mean":
                gs = gs / denom
            return gx * gs, None, None, None, None, None, None
        total = a if b is None else a + valid * b.sum()
        gx = np.exp(logp)
        gx *= total[:, None]
        gx[rows, idx] -= a
        if b is not None:
            gx -= valid[:, None] * b
        gd = g._data
        if reduction == "none":
            gx *= gd.reshape(-1, 1) if len(shape) == 2 else _rows(gd[:, None])
        elif reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):  # denom 0: nan, as PyTorch
                gx *= gd / gd.dtype.type(denom)
        else:
            gx *= gd
        return _make(_unrows(gx, shape)), None, None, None, None, None, None


class NllLoss(Op):
    """Negative log-likelihood of log-probabilities (N, C, *) against class indices."""

    @staticmethod
    def forward(ctx, x, idx, a, denom, reduction):
        shape = x._data.shape
        rows = np.arange(idx.shape[0])
        loss = -(a * _rows(x._data)[rows, idx])
        if ctx.inputs is not None:
            ctx.args = (shape, rows, idx, a, denom, reduction)
        if reduction == "none":
            loss = loss.reshape(shape[:1] + shape[2:])
        return _reduce_array(loss.astype(x._data.dtype, copy=False), reduction, denom)

    @staticmethod
    def backward(ctx, g):
        shape, rows, idx, a, denom, reduction = ctx.args
        dense = np.zeros((idx.shape[0], shape[1]), g._data.dtype)
        dense[rows, idx] = -a
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                dense /= dense.dtype.type(denom)
        dense = _make(_unrows(dense, shape))
        # Linear in the input: the gradient is a constant times g (so double backward works).
        return dense * (g.unsqueeze(1) if reduction == "none" else g), None, None, None, None


def class_index_terms(target: np.ndarray, n_classes: int, weight, ignore_index: int, eps: float):
    """(safe indices, a_n, valid_n, b_c or None, denominator) for the class-index losses,
    flattened to one entry per position."""
    target = target.reshape(-1)
    if weight is None and not eps and target.size and not 0 <= ignore_index < n_classes:
        # The common case, every target a class and none ignored, told by two reductions
        # (the general masks below are six array ops: ~10 us on a batch of 64).
        if target.min() >= 0 and target.max() < n_classes:
            ones = np.ones(target.size, np.float32)
            return target.astype(np.intp, copy=False), ones, ones, None, float(target.size)
    valid = target != ignore_index
    idx = np.where(valid, target, 0).astype(np.intp, copy=False)
    bad = valid & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(target[bad].flat[0])} is out of bounds.")
    dt = weight.dtype if weight is not None else np.dtype(np.float32)
    validf = valid.astype(dt)
    w_y = validf if weight is None else weight[idx] * validf
    denom = w_y.sum(dtype=np.float64)
    a = w_y * dt.type(1 - eps) if eps else w_y
    b = None
    if eps:
        b = (
            np.full(n_classes, eps / n_classes, dt)
            if weight is None
            else weight * (eps / n_classes)
        )
    return idx, a, validf, b, denom


def cross_entropy_indices(x: Tensor, target: np.ndarray, weight, ignore_index, reduction, eps):
    idx, a, valid, b, denom = class_index_terms(target, x._data.shape[1], weight, ignore_index, eps)
    dt = x._data.dtype
    a, valid = a.astype(dt, copy=False), valid.astype(dt, copy=False)
    b = None if b is None else b.astype(dt, copy=False)
    return CrossEntropy.apply(x, idx, a, valid, b, float(denom), reduction)


def nll_indices(x: Tensor, target: np.ndarray, weight, ignore_index, reduction):
    idx, a, _, _, denom = class_index_terms(target, x._data.shape[1], weight, ignore_index, 0.0)
    return NllLoss.apply(x, idx, a.astype(x._data.dtype, copy=False), float(denom), reduction)


# -- helpers shared with loss_pointwise, then the functions nn.functional exports ---------------


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """Map PyTorch's deprecated ``size_average``/``reduce`` flags to ``reduction`` (warning)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else ("sum" if reduce else "none")
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return ret


def _word(x: Tensor) -> str:
    from ._util import _type_word

    return _type_word(x._data.dtype)


def _class_dim_input(input: Tensor, target: Tensor):
    """(N, C, *) input and (N, *) target arrays, plus whether a batch dim was added."""
    nd = input._data.ndim
    if nd == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if target._data.dtype not in (np.int64, np.uint8):
        hint = ""
        if target._data.dtype.kind == "f":
            shape = list(input._data.shape)
            hint = (
                f" (class-index targets must be integers: use target.long(); class-probability "
                f"targets must have the input's shape {shape})"
            )
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_word(target)}{hint}"
        )
    t = target._data
    if nd == 1:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(
                f"Expected input batch_size (1) to match target batch_size ({t.shape[0]})."
            )
        return input.unsqueeze(0), t.reshape(1), True
    if t.ndim == 0 or input._data.shape[0] != t.shape[0]:
        tb = t.shape[0] if t.ndim else 1
        raise ValueError(
            f"Expected input batch_size ({input._data.shape[0]}) to match target batch_size ({tb})."
        )
    if nd == 2 and t.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = (input._data.shape[0],) + input._data.shape[2:]
    if t.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    return input, t, False


def _class_weight(weight, n_classes: int, dtype):
    if weight is None:
        return None
    if weight._data.ndim != 1 or weight._data.shape[0] != n_classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight._data.shape)}"
        )
    return weight._data.astype(dtype, copy=False)


def _on_class_indices(loss, input, target, weight, ignore_index, reduction, *extra) -> Tensor:
    """``loss(x, t, w, ignore_index, reduction, *extra)`` on class-index targets, an unbatched
    (C,) input given a batch of one (dropped again from per-element losses)."""
    x, t, unbatched = _class_dim_input(input, target)
    w = _class_weight(weight, x._data.shape[1], x._data.dtype)
    out = loss(x, t, w, ignore_index, reduction, *extra)
    return out.squeeze(0) if unbatched and reduction == "none" else out


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits (N, C, *) or (C,) and class indices (N, *) or class
    probabilities (input's shape); log_softmax and the loss in one stable step."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"log_softmax_lastdim_kernel_impl\" not implemented for '{_word(input)}'"
        )
    if target._data.shape == input._data.shape and input._data.ndim >= 1:
        if target._data.dtype.kind != "f":
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{_word(target)}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        from .elementwise import _float_input

        return _cross_entropy_probs(input, _float_input(target), weight, reduction, label_smoothing)
    return _on_class_indices(
        cross_entropy_indices, input, target, weight, ignore_index, reduction, label_smoothing
    )


def _cross_entropy_probs(input, target, weight, reduction, eps):
    from .softmax import log_softmax

    c = input._data.shape[1] if input._data.ndim > 1 else input._data.shape[0]
    cdim = 1 if input._data.ndim > 1 else 0
    if target._data.dtype != input._data.dtype:
        from .. import dtypes

        d = dtypes.promote(input.dtype, target.dtype)
        input, target = input.to(d), target.to(d)
    logp = log_softmax(input, cdim)
    q = target * (1 - eps) + eps / c if eps else target
    terms = q * logp
    if weight is not None:
        _class_weight(weight, c, input._data.dtype)
        shape = [1] * input._data.ndim
        shape[cdim] = c
        terms = terms * weight.reshape(shape)
    loss = -terms.sum(cdim)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C, *) at class indices (N, *)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    return _on_class_indices(nll_indices, input, target, weight, ignore_index, reduction)
