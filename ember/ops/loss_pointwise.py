"""Pointwise losses: input and target of one shape (or broadcast), compared element by element.

- ``MseLoss``, ``BceWithLogits``, ``Bce``: one node each; BCE-with-logits uses
  softplus(x) = max(x, 0) + log1p(exp(-|x|)), which never overflows.
- L1, smooth L1, Huber and KL divergence are compositions of elementwise ops.
The class-dimension losses (cross-entropy, NLL) and the reduction helpers are in ``loss.py``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor, _make
from .loss import _REDUCTIONS, _reduce_array, _word, check_reduction, legacy_reduction


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
