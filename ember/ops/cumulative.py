"""Running reductions along a dim: cumprod, cummax, cummin, logcumsumexp, and diff.

cumsum lives with the reductions (reduction.py); its in-place form is here.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes, return_types
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word, inplace, wrap_dim
from .reduction import _sum_dtype
from .sorting import _TakeAlong


def _flip(x: Tensor, axis: int) -> Tensor:
    from .movement import flip

    return flip(x, axis)


def _rev_cumsum(x: Tensor, axis: int) -> Tensor:
    """Sums from each position to the end along ``axis``."""
    from .reduction import cumsum

    return _flip(cumsum(_flip(x, axis), axis), axis)


def _along(n: int, axis: int, ndim: int) -> np.ndarray:
    """0..n-1 shaped to broadcast along ``axis`` of an ``ndim``-dim array."""
    shape = [1] * ndim
    shape[axis] = n
    return np.arange(n).reshape(shape)


class Cumprod(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.axis = axis
        return np.cumprod(x._data, axis=axis)

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where

        (x,) = ctx.saved_tensors
        axis, d = ctx.axis, x._data
        y = ctx.output()
        zero = d == 0
        if not zero.any():
            # y_j / x_i is the product of the others: dL/dx_i = sum_{j >= i} g_j y_j / x_i.
            return _rev_cumsum(g * y, axis) / x, None
        # With zeros no division is safe. Let z be the first zero of a line: before it the
        # formula above holds (y is 0 from z on, so the sum is exact); at z the product of the
        # others is the running product with x_z taken as 1; after z every product holds x_z = 0.
        n = d.shape[axis]
        pos = _along(n, axis, d.ndim)
        any_zero = zero.any(axis=axis, keepdims=True)
        first = np.where(any_zero, zero.argmax(axis=axis, keepdims=True), n)
        before, at = _make(pos < first), _make(pos == first)
        ones = _make(np.ones((), d.dtype))
        x_safe = where(before, x, ones)
        y_at = Cumprod.apply(where(at, ones, x), axis)
        g_before = _rev_cumsum(g * y, axis) / x_safe
        g_at = _rev_cumsum(g * y_at, axis)
        zeros = _make(np.zeros((), d.dtype))
        return where(before, g_before, where(at, g_at, zeros)), None


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running products along ``dim``; integers and bools accumulate in int64 as in PyTorch."""
    dt = _sum_dtype(input, dtype)
    if dt is not None and input._data.dtype != dt:
        input = input.to(dtypes.from_numpy(np.dtype(dt)))
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return named(input.clone(), "CumprodBackward0")
    return Cumprod.apply(input, d)


def cumprod_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return inplace(input, cumprod, dim, dtype=dtype)


def cumsum_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    from .reduction import cumsum

    return inplace(input, cumsum, dim, dtype=dtype)


# -- cummax / cummin ------------------------------------------------------------------------------


class Cummax(_TakeAlong):
    """Running max values; the gradient goes to the position each one came from."""


class Cummin(_TakeAlong):
    """Running min values, as Cummax."""


def _cum_extreme(cls, ufunc, input: Tensor, dim: int, kind: str):
    d = input._data
    axis = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        out = cls.apply(input.reshape(1), np.zeros(1, np.int64), 0).reshape(())
        return getattr(return_types, kind)(out, _make(np.zeros((), np.int64)))
    run = ufunc.accumulate(d, axis=axis) if d.size else d.copy()
    # A position holds the running extreme when it equals it (ties take the latest position,
    # as in PyTorch) or is NaN (NaN propagates, and each new NaN takes over).
    record = d == run
    if d.dtype.kind == "f":
        record |= np.isnan(d)
    pos = np.where(record, _along(d.shape[axis], axis, d.ndim), 0)
    idx = np.maximum.accumulate(pos, axis=axis) if d.size else pos
    idx = idx.astype(np.int64, copy=False)
    return getattr(return_types, kind)(cls.apply(input, idx, axis), _make(idx))


def cummax(input: Tensor, dim: int):
    """Running maximum along ``dim`` and the index each value came from."""
    return _cum_extreme(Cummax, np.maximum, input, dim, "cummax")


def cummin(input: Tensor, dim: int):
    """Running minimum along ``dim`` and the index each value came from."""
    return _cum_extreme(Cummin, np.minimum, input, dim, "cummin")


# -- logcumsumexp ---------------------------------------------------------------------------------


class Logcumsumexp(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.axis = axis
        return np.logaddexp.accumulate(x._data, axis=axis)

    @staticmethod
    def backward(ctx, g):
        from ..autograd import grad_mode
        from .elementwise import exp, log, relu

        (x,) = ctx.saved_tensors
        axis, y = ctx.axis, ctx.output()
        # dL/dx_i = sum_{j >= i} g_j exp(x_i - y_j).
        if grad_mode.state.enabled:
            # create_graph: a form that stays differentiable, shifted by the last (largest)
            # output of each line; it overflows only when a line's outputs span ~700.
            c = _make(np.take(y._data, [-1], axis=axis))
            return exp(x - c) * _rev_cumsum(g * exp(c - y), axis), None
        # Otherwise each sign of g is summed in log space (log 0 = -inf drops out), so
        # nothing overflows.
        out = None
        for part, sgn in ((relu(g), 1.0), (relu(-g), -1.0)):
            s = _flip(logcumsumexp(_flip(log(part) - y, axis), axis), axis)
            term = exp(x + s) * sgn
            out = term if out is None else out + term
        return out, None


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``dim``, computed without overflow."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{_type_word(input._data.dtype)}'"
        )
    axis = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return named(input.clone(), "LogcumsumexpBackward0")
    return Logcumsumexp.apply(input, axis)


# -- diff -----------------------------------------------------------------------------------------


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (``x[1:] - x[:-1]``, repeated), after
    joining ``prepend`` and ``append``; bools give ``!=`` of neighbours."""
    from .comparison import logical_xor
    from .movement import cat, narrow

    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    axis = wrap_dim(dim, input._data.ndim)
    parts = []
    for extra in (prepend, input, append):
        if extra is None:
            continue
        if extra is not input and extra._data.ndim != input._data.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        parts.append(extra)
    x = cat(parts, axis) if len(parts) > 1 else input
    for _ in range(n):
        length = x._data.shape[axis]
        if length == 0:
            break
        hi, lo = narrow(x, axis, 1, length - 1), narrow(x, axis, 0, length - 1)
        x = logical_xor(hi, lo) if x._data.dtype == np.bool_ else hi - lo
    return x
