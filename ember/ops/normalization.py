"""Normalisation: batch_norm, layer_norm, group_norm over one fused primitive.

``Normalize`` maps x to (x - mean) / sqrt(var + eps) over some axes. Its backward is the
closed form dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), one pass instead of the dozen
nodes that composing mean/var/sqrt/div would record. The per-channel affine step stays two
broadcast ops, whose gradients the engine reduces.
"""

from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ..tensor import Size, Tensor, _make
from ._util import _type_word


def _moments(d: np.ndarray, axes: tuple, eps: float):
    mean = d.mean(axis=axes, keepdims=True)
    centred = d - mean
    var = np.mean(centred * centred, axis=axes, keepdims=True)
    rstd = 1 / np.sqrt(var + d.dtype.type(eps))
    return mean, var, centred, rstd


class Normalize(Op):
    """xhat = (x - mean) * rstd over ``axes`` (mean, rstd given, computed by the caller)."""

    @staticmethod
    def forward(ctx, x, axes, eps, centred, rstd):
        xhat = centred * rstd
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.axes, ctx.eps, ctx.xhat, ctx.rstd = axes, eps, xhat, rstd
        return xhat

    @staticmethod
    def backward(ctx, g):
        axes = ctx.axes
        if grad_mode.state.enabled:
            # create_graph: rebuild xhat from x with ember ops so the result differentiates.
            (x,) = ctx.saved_tensors
            mean = x.mean(axes, keepdim=True)
            c = x - mean
            rstd = ((c * c).mean(axes, keepdim=True) + ctx.eps).rsqrt()
            xhat = c * rstd
            gx = rstd * (
                g - g.mean(axes, keepdim=True) - xhat * (g * xhat).mean(axes, keepdim=True)
            )
            return gx, None, None, None, None
        gd, xhat = g._data, ctx.xhat
        gx = gd - gd.mean(axis=axes, keepdims=True)
        gx -= xhat * np.mean(gd * xhat, axis=axes, keepdims=True)
        gx *= ctx.rstd
        return _make(gx), None, None, None, None


def _normalize(x: Tensor, axes: tuple, eps: float):
    """(xhat, mean, biased var) of x over axes; mean and var are arrays with kept dims."""
    mean, var, centred, rstd = _moments(x._data, axes, eps)
    return Normalize.apply(x, axes, eps, centred, rstd), mean, var


def _check_float(x: Tensor, name: str) -> None:
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_type_word(x._data.dtype)}'")


def _channel_shape(x: Tensor, t: Tensor) -> Tensor:
    """A (C,) tensor viewed as (1, C, 1, ...) to broadcast against x's channel dim."""
    shape = [1] * x._data.ndim
    shape[1] = t._data.shape[0]
    return t.reshape(shape)


def _check_channel_vec(name: str, t, c: int) -> None:
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims.

    In training the batch statistics are used and the running ones updated in place
    (``running = (1 - momentum) * running + momentum * batch``, the variance unbiased);
    otherwise the running statistics are used.
    """
    _check_float(input, "batch_norm")
    nd = input._data.ndim
    c = input._data.shape[1] if nd > 1 else 0
    _check_channel_vec("running_mean", running_mean, c)
    _check_channel_vec("running_var", running_var, c)
    _check_channel_vec("weight", weight, c)
    _check_channel_vec("bias", bias, c)
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    axes = (0,) + tuple(range(2, nd))
    if training:
        n = input._data.size // max(c, 1)
        if n <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{Size(input._data.shape)}"
            )
        y, mean, var = _normalize(input, axes, eps)
        if running_mean is not None:
            _update_running(running_mean, mean, momentum)
        if running_var is not None:
            _update_running(running_var, var * (n / (n - 1)), momentum)
        if weight is not None:
            y = y * _channel_shape(input, weight)
        if bias is not None:
            y = y + _channel_shape(input, bias)
        return y
    # Evaluation: a per-channel affine map with the running statistics folded in.
    dt = input._data.dtype
    rstd = _make((1 / np.sqrt(running_var._data + dt.type(eps))).astype(dt, copy=False))
    scale = rstd if weight is None else weight * rstd
    shift = _make(-running_mean._data.astype(dt, copy=False)) * scale
    if bias is not None:
        shift = shift + bias
    return input * _channel_shape(input, scale) + _channel_shape(input, shift)


def _update_running(buf: Tensor, batch_stat: np.ndarray, momentum: float) -> None:
    d = buf._data
    d *= 1 - momentum
    d += momentum * batch_stat.reshape(d.shape).astype(d.dtype, copy=False)
    buf._vc[0] += 1


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift."""
    _check_float(input, "LayerNormKernelImpl")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    xs = input._data.shape
    if k == 0 or xs[len(xs) - k :] != shape or len(xs) < k:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size{list(xs)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t._data.shape)} and normalized_shape = {list(shape)}"
            )
    axes = tuple(range(len(xs) - k, len(xs)))
    y, _, _ = _normalize(input, axes, eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each group of channels (per sample), then scale and shift per channel."""
    _check_float(input, "group_norm")
    xs = input._data.shape
    if len(xs) < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {len(xs)}"
        )
    n, c = xs[0], xs[1]
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(xs)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.shape[0] != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t._data.shape)} and input of shape "
                f"{list(xs)}"
            )
    y, _, _ = _normalize(input.reshape(n, num_groups, -1), (2,), eps)
    y = y.reshape(xs)
    if weight is not None:
        y = y * _channel_shape(input, weight)
    if bias is not None:
        y = y + _channel_shape(input, bias)
    return y
