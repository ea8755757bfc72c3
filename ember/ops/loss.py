"""Losses: fused, numerically stable primitives for the hot ones, compositions for the rest.

- ``CrossEntropy`` (class indices): log_softmax and the pick in one node. Every variant
  (weights, ignore_index, label smoothing) is one formula: with A[n, c] the weight the loss puts
  on log p[n, c], loss_n = -sum_c A[n, c] log p[n, c] and d loss_n / dx[n, k] =
  p[n, k] * sum_c A[n, c] - A[n, k]. A = a_n * onehot(y_n) + valid_n * b_c, where
  a_n = (1 - eps) w[y_n] and b_c = eps / C * w_c, so it is never built densely.
- ``NllLoss``: the pick alone (the input already holds log-probabilities).
- ``MseLoss``, ``BceWithLogits``, ``Bce``: one node each; BCE-with-logits uses
  softplus(x) = max(x, 0) + log1p(exp(-|x|)), which never overflows.
Backward formulas are ember ops (``create_graph`` works); when no graph is being built the
class-index paths compute their gradient in NumPy directly.
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


class MseLoss(Op):
    @staticmethod
    def forward(ctx, x, t, reduction):
        diff = np.subtract(x._data, t._data)
        if ctx.inputs is not None:
            ctx.save_for_backward(x, t)
            ctx.reduction, ctx.n = reduction, diff.size
        return _reduce_array(diff * diff, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        scale = 2.0 / ctx.n if ctx.reduction == "mean" else 2.0
        gx = (x - t) * (g * scale)
        return gx, (-gx if ctx.needs_input_grad[1] else None), None


def _softplus_np(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class BceWithLogits(Op):
    """l = w * (pw * t * softplus(-x) + (1 - t) * softplus(x)); pw = 1 without pos_weight."""

    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        xd, td = x._data, t._data
        sp_pos = _softplus_np(xd)  # -log(1 - sigmoid(x))
        sp_neg = sp_pos - xd  # softplus(-x) = softplus(x) - x: -log(sigmoid(x))
        loss = (1 - td) * sp_pos + (td if pw is None else pw._data * td) * sp_neg
        if w is not None:
            loss = loss * w._data
        if ctx.inputs is not None:
            ctx.save_for_backward(x, t, w, pw)
            ctx.reduction, ctx.n = reduction, loss.size
        return _reduce_array(loss.astype(xd.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        from .activation import softplus
        from .elementwise import sigmoid

        x, t, w, pw = ctx.saved_tensors
        if ctx.reduction == "mean":
            g = g / ctx.n
        s = sigmoid(x)
        pt = t if pw is None else pw * t
        # d/dx = w * ((1 - t) * s - pw * t * (1 - s))
        gx = ((1 - t) * s - pt * (1 - s)) * g
        if w is not None:
            gx = gx * w
        gt = None
        if ctx.needs_input_grad[1]:
            pwv = 1.0 if pw is None else pw
            gt = (softplus(-x) * pwv - softplus(x)) * g
            if w is not None:
                gt = gt * w
        return gx, gt, None, None, None


class Bce(Op):
    """l = -w * (t log x + (1 - t) log(1 - x)), each log clamped at -100 as in PyTorch."""

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        xd, td = x._data, t._data
        with np.errstate(divide="ignore"):
            lx = np.maximum(np.log(xd), -100)
            l1x = np.maximum(np.log1p(-xd), -100)
        loss = -(td * lx + (1 - td) * l1x)
        if w is not None:
            loss = loss * w._data
        if ctx.inputs is not None:
            ctx.save_for_backward(x, t, w)
            ctx.reduction, ctx.n = reduction, loss.size
        return _reduce_array(loss.astype(xd.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        if ctx.reduction == "mean":
            g = g / ctx.n
        # (x - t) / (x (1 - x)), the denominator floored at 1e-12 as PyTorch does.
        gx = (x - t) / (x * (1 - x)).clamp(min=1e-12) * g
        if w is not None:
            gx = gx * w
        gt = None
        if ctx.needs_input_grad[1]:
            from .elementwise import log

            gt = (log(1 - x).clamp(min=-100) - log(x).clamp(min=-100)) * g
            if w is not None:
                gt = gt * w
        return gx, gt, None, None


# -- the functions nn.functional exports --------------------------------------------------------


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


def _same_size_warning(input: Tensor, target: Tensor) -> None:
    if target._data.shape != input._data.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def _promote_regression(input: Tensor, target: Tensor, name: str):
    from .. import dtypes

    d = dtypes.promote(input.dtype, target.dtype)
    if not d.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_word(input)}'")
    return input.to(d), target.to(d)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: (input - target)^2, reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _same_size_warning(input, target)
    input, target = _promote_regression(input, target, "mse_cpu")
    if weight is not None:
        return _reduce((input - target) ** 2 * weight, reduction)
    return MseLoss.apply(input, target, reduction)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |input - target|, reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _same_size_warning(input, target)
    input, target = _promote_regression(input, target, "abs_cpu")
    loss = (input - target).abs()
    return _reduce(loss if weight is None else loss * weight, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _same_size_warning(input, target)
    input, target = _promote_regression(input, target, "smooth_l1_cpu")
    d = input - target
    a = d.abs()
    if beta == 0:
        return _reduce(a, reduction)
    from .elementwise import where

    return _reduce(where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _same_size_warning(input, target)
    input, target = _promote_regression(input, target, "huber_cpu")
    from .elementwise import where

    d = input - target
    a = d.abs()
    loss = where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta)
    return _reduce(loss if weight is None else loss * weight, reduction)


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
) -> Tensor:
    """-w (t log x + (1 - t) log(1 - x)) for probabilities x in [0, 1]."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {_word(target)} but expected {_word(input)}")
    d = input._data
    if d.size and (np.nanmin(d) < 0 or np.nanmax(d) > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None:
        np.broadcast_shapes(weight._data.shape, d.shape)
    return Bce.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction="mean",
    pos_weight=None,
) -> Tensor:
    """BCE on logits, stable for any magnitude; ``pos_weight`` scales the positive term."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    if target._data.dtype != input._data.dtype:
        if target._data.dtype.kind != "f":
            raise RuntimeError(
                f"result type {_word(input)} can't be cast to the desired output type "
                f"{_word(target)}"
            )
        target = target.to(input.dtype)
    for extra in (weight, pos_weight):
        if extra is not None:
            np.broadcast_shapes(extra._data.shape, input._data.shape)
    return BceWithLogits.apply(input, target, weight, pos_weight, reduction)


def kl_div(
    input, target, size_average=None, reduce=None, reduction="mean", log_target=False
) -> Tensor:
    """KL(target || exp(input)) pointwise: target * (log target - input), summed per reduction.

    ``input`` holds log-probabilities; ``log_target=True`` means target does too.
    """
    from .elementwise import exp, log, where

    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    if log_target:
        loss = exp(target) * (target - input)
    else:
        # 0 * log 0 = 0 (xlogy), so zero targets contribute nothing.
        pos = _make(target._data > 0)
        safe = where(pos, target, _make(np.ones((), target._data.dtype)))
        loss = where(pos, target * (log(safe) - input), _make(np.zeros((), input._data.dtype)))
    if reduction == "batchmean":
        n = input._data.shape[0] if input._data.ndim else 1
        return loss.sum() / n
    return _reduce(loss, reduction)
