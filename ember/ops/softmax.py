"""softmax, log_softmax and logsumexp: stable primitives (the max is subtracted before exp).

log_softmax is its own primitive rather than ``log(softmax(x))``, which underflows to -inf for
very negative logits; nn.functional and the losses build on these.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.function import Op
from ..tensor import Tensor
from ._util import _type_word, dims, wrap_dim
from .reduction import _expand_back, _reduced


def _finite_max(d: np.ndarray, axis) -> np.ndarray:
    """The max along ``axis`` (kept), with +-inf replaced by 0 so that ``d - m`` stays exact
    where a row holds infinities (an all -inf row then gives exp(-inf) = 0, not nan)."""
    m = np.amax(d, axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0).astype(d.dtype, copy=False)


class Logsumexp(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.axes, ctx.keepdim = axes, keepdim
        d = x._data
        if d.size == 0:
            out = np.log(np.sum(np.exp(d), axis=axes, keepdims=True))
        else:
            m = _finite_max(d, axes)
            with np.errstate(divide="ignore"):  # log(0) = -inf for an all -inf row
                out = np.log(np.sum(np.exp(d - m), axis=axes, keepdims=True)) + m
        return out if keepdim else out.reshape(_reduced(d.shape, axes))

    @staticmethod
    def backward(ctx, g):
        from .elementwise import exp

        (x,) = ctx.saved_tensors
        shape = x._data.shape
        out = _expand_back(ctx.output(), shape, ctx.axes, ctx.keepdim)
        return _expand_back(g, shape, ctx.axes, ctx.keepdim) * exp(x - out), None, None


def _float(input: Tensor) -> Tensor:
    if input._data.dtype.kind != "f":
        return input.to(dtypes.get_default_dtype())
    return input


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x), dim))``, computed without overflow; integers give the default float."""
    input = _float(input)
    return Logsumexp.apply(input, dims(dim, input._data.ndim) or None, keepdim)


class Softmax(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        d = x._data
        # An all -inf row gives nan (-inf - -inf), as in PyTorch, and silently.
        with np.errstate(invalid="ignore"):
            e = np.exp(d - np.amax(d, axis=axis, keepdims=True))
            return e / np.sum(e, axis=axis, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output()
        # dx = y * (g - sum(g * y)): the Jacobian diag(y) - y y^T applied to g.
        return y * (g - (g * y).sum(ctx.axis, keepdim=True)), None


class LogSoftmax(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        d = x._data
        with np.errstate(invalid="ignore"):
            shifted = d - np.amax(d, axis=axis, keepdims=True)
            return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        from .elementwise import exp

        y = ctx.output()
        # dx = g - softmax(x) * sum(g), with softmax(x) = exp(log_softmax(x)).
        return g - exp(y) * g.sum(ctx.axis, keepdim=True), None


def _softmax_args(input: Tensor, dim, dtype, name: str):
    if dim is None:
        raise TypeError(f"{name}() missing 1 required positional argument: 'dim'")
    if dtype is not None:
        input = input.to(dtype)
    nd = input._data.ndim
    axis = wrap_dim(dim, nd)
    if input._data.dtype.kind != "f":
        kernel = "softmax_lastdim_kernel_impl" if axis == nd - 1 else "softmax_kernel_impl"
        if name == "log_softmax":
            kernel = "log_" + kernel
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_type_word(input._data.dtype)}'"
        )
    # NumPy cannot reduce axis 0 of a 0-d array; None means "the whole (single) element".
    return input, (axis if nd else None)


def _empty(input: Tensor) -> Tensor:
    """An empty input has an empty result (NumPy's max would refuse to reduce it)."""
    return input.clone()


def softmax(input: Tensor, dim=None, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``, stable for large logits. ``dtype`` casts the input first."""
    input, axis = _softmax_args(input, dim, dtype, "softmax")
    return Softmax.apply(input, axis) if input._data.size else _empty(input)


def log_softmax(input: Tensor, dim=None, dtype=None) -> Tensor:
    """``x - logsumexp(x, dim)``: the log of softmax without its underflow."""
    input, axis = _softmax_args(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(input, axis) if input._data.size else _empty(input)
