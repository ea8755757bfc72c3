"""Reductions: sum, mean, prod, max/min (values and indices), argmax, all/any, cumsum,
sum_to_size. Statistics (var, std, norm) live in statistics.py, softmax and logsumexp in
softmax.py."""

from __future__ import annotations

import numpy as np

from .. import dtypes, return_types
from .._array import as_array, broadcast_view, sum_to
from ..autograd import grad_mode
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import dims, wrap_dim


def _keep_shape(shape: tuple, axes: tuple | None) -> tuple:
    """The reduced shape with size-1 dims kept, used to broadcast gradients back."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _expand_back(g: Tensor, shape: tuple, axes, keepdim: bool) -> Tensor:
    from .movement import expand, reshape

    if not keepdim:
        g = reshape(g, _keep_shape(shape, axes))
    return expand(g, shape)


class Sum(Op):
    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        if ctx.inputs is not None:
            ctx.shape, ctx.axes, ctx.keepdim = x._data.shape, axes, keepdim
        # NOTE: the method, not np.sum: np.sum's Python dispatch costs ~2.7 us more.
        return as_array(x._data.sum(axis=axes, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, g):
        if not grad_mode.state.enabled:
            # No graph: the view straight in NumPy (a reshape and an expand op cost ~12 us).
            gd = g._data
            if not ctx.keepdim and gd.size != 1:  # one element broadcasts from any shape
                gd = gd.reshape(_keep_shape(ctx.shape, ctx.axes))
            return _make(broadcast_view(gd, ctx.shape)), None, None, None
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim), None, None, None

    def name(self) -> str:
        return self._name or ("SumBackward0" if self.axes is None else "SumBackward1")


def _sum_dtype(x: Tensor, dtype):
    if dtype is not None:
        return dtypes.to_dtype(dtype).np
    # Integer and bool sums accumulate in int64, as in PyTorch.
    return np.int64 if x._data.dtype.kind in "biu" else None


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum over ``dim`` (all dims when None)."""
    if dim is None and dtype is None and input._data.dtype.kind == "f":
        return Sum.apply(input, None, keepdim, None)  # loss.sum(): no dims to normalise
    axes = dims(dim, input._data.ndim)
    if axes == ():  # an empty dim list reduces every dim, as in PyTorch 2
        axes = None
    return Sum.apply(input, axes, keepdim, _sum_dtype(input, dtype))


def _floating(input: Tensor, dtype, message: str) -> Tensor:
    """``input``, cast to ``dtype`` when given, which must then be floating; else a
    RuntimeError: ``message`` with ``{}`` standing for its dtype."""
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(message.format(_word(input)))
    return input


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    input = _floating(
        input,
        dtype,
        "mean(): could not infer output dtype. Input dtype must be either a floating point "
        "or complex dtype. Got: {}",
    )
    axes = dims(dim, input._data.ndim) or None
    n = input._data.size if axes is None else int(np.prod([input._data.shape[a] for a in axes]))
    s = Sum.apply(input, axes, keepdim, None)
    return named(s / n if n else s / 0.0, "MeanBackward0" if dim is None else "MeanBackward1")


def _word(x: Tensor) -> str:
    from ._util import _type_word

    return _type_word(x._data.dtype)


class SumToSize(Op):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.src = x._data.shape
        return sum_to(x._data, shape)

    @staticmethod
    def backward(ctx, g):
        from .movement import expand

        return expand(g, ctx.src), None


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum broadcast dims away so the result has ``size`` (the reverse of ``expand``)."""
    shape = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    shape = tuple(shape)
    if input._data.shape == shape:
        return input
    return SumToSize.apply(input, shape)


class AmaxAmin(Op):
    """Max or min over dims; the gradient is shared evenly among tied extremes."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_max):
        d = x._data
        out = (np.amax if is_max else np.amin)(d, axis=axes, keepdims=True)
        if ctx.inputs is not None:
            mask = d == out
            ctx.weight = mask / mask.sum(axis=axes, keepdims=True).astype(d.dtype)
            ctx.shape, ctx.axes, ctx.keepdim = d.shape, axes, keepdim
        if not keepdim:
            out = out.reshape(_reduced(d.shape, axes))
        return as_array(out)

    @staticmethod
    def backward(ctx, g):
        gx = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim) * _make(
            ctx.weight.astype(g._data.dtype, copy=False)
        )
        return gx, None, None, None

    def name(self) -> str:
        return self._name or ("AmaxBackward0" if self.inputs[3] else "AminBackward0")


def _reduced(shape, axes):
    if axes is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _check_nonempty(x: Tensor, name: str, axes):
    """PyTorch refuses max-like reductions over nothing (there is no identity to return)."""
    if x._data.size:
        return
    if axes is None:
        msg = f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
        if name.startswith("arg"):
            raise IndexError(msg)
        raise RuntimeError(msg + " Specify the reduction dim with the 'dim' argument.")
    for a in axes:
        if x._data.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    axes = dims(dim, input._data.ndim) or None
    _check_nonempty(input, "amax", axes)
    return AmaxAmin.apply(input, axes, keepdim, True)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    axes = dims(dim, input._data.ndim) or None
    _check_nonempty(input, "amin", axes)
    return AmaxAmin.apply(input, axes, keepdim, False)


class MaxMinDim(Op):
    """max/min along one dim: values take the gradient at the returned index."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, is_max):
        d = x._data
        idx = (np.argmax if is_max else np.argmin)(d, axis=dim, keepdims=True)
        vals = np.take_along_axis(d, idx, axis=dim)
        ctx.idx, ctx.shape, ctx.dim, ctx.keepdim = idx, d.shape, dim, keepdim
        if not keepdim:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        ctx.indices = idx
        return vals

    @staticmethod
    def backward(ctx, g):
        from .indexing import scatter
        from .movement import unsqueeze

        if not ctx.keepdim:
            g = unsqueeze(g, ctx.dim)
        zeros = _make(np.zeros(ctx.shape, g._data.dtype))
        return scatter(zeros, ctx.dim, _make(ctx.idx), g), None, None, None

    def name(self) -> str:
        return self._name or ("MaxBackward0" if self.inputs[3] else "MinBackward0")


def _max_min(input, dim, keepdim, is_max, other):
    name = "max" if is_max else "min"
    if isinstance(dim, (tuple, list)):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (tuple), but expected "
            "one of: (Tensor input), (Tensor input, int dim, bool keepdim), (Tensor input, "
            "Tensor other)"
        )
    if isinstance(dim, Tensor) or other is not None:
        from .elementwise import maximum, minimum

        return (maximum if is_max else minimum)(input, dim if other is None else other)
    if dim is None:
        _check_nonempty(input, name, None)
        return named(amax(input) if is_max else amin(input), f"{name.title()}Backward1")
    d = wrap_dim(dim, input._data.ndim)
    result = return_types.max if is_max else return_types.min
    if input._data.ndim == 0:
        return result(input.clone(), _make(np.zeros((), np.int64)))
    _check_nonempty(input, name, (d,))
    vals = MaxMinDim.apply(input, d, keepdim, is_max)
    idx = _make(
        vals.grad_fn.indices
        if vals.grad_fn is not None
        else (np.argmax if is_max else np.argmin)(input._data, axis=d, keepdims=keepdim)
    )
    return result(vals, idx.to(dtypes.int64))


def max(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    """``max(x)`` the largest value; ``max(x, dim)`` (values, indices); ``max(x, y)`` maximum."""
    return _max_min(input, dim, keepdim, True, other)


def min(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    return _max_min(input, dim, keepdim, False, other)


def _arg(input: Tensor, dim, keepdim, fn, name):
    d = input._data
    if dim is None:
        _check_nonempty(input, name, None)
        out = fn(d.reshape(-1))
        return _make(np.asarray(out, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ()))
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return _make(np.zeros((), np.int64))
    _check_nonempty(input, name, (ax,))
    return _make(as_array(fn(d, axis=ax, keepdims=keepdim)).astype(np.int64, copy=False))


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(input, dim, keepdim, np.argmax, "argmax")


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(input, dim, keepdim, np.argmin, "argmin")


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _make(as_array(np.all(input._data, axis=dims(dim, input._data.ndim), keepdims=keepdim)))


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _make(as_array(np.any(input._data, axis=dims(dim, input._data.ndim), keepdims=keepdim)))


# -- products and cumulative sums ----------------------------------------------------------------


class Prod(Op):
    """Product over one dim (or all). d out / d x_i is the product of the other elements."""

    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.axis, ctx.keepdim = axis, keepdim
        return as_array(np.prod(x._data, axis=axis, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        axes = None if ctx.axis is None else (ctx.axis,)
        g = _expand_back(g, x._data.shape, axes, ctx.keepdim)
        if not (x._data == 0).any():
            out = _expand_back(ctx.output(), x._data.shape, axes, ctx.keepdim)
            return g * out / x, None, None
        # out / x is 0/0 at a zero: use the product of the other elements, from exclusive
        # products to the left and to the right (exact with one zero, 0 with more).
        # NOTE: this branch treats those products as constants, so a second derivative
        # through a product containing zeros is not exact.
        return g * _make(_others_product(x._data, ctx.axis)), None, None


def _others_product(d: np.ndarray, axis) -> np.ndarray:
    a = d.reshape(-1) if axis is None else np.moveaxis(d, axis, -1)
    ones = np.ones(a.shape[:-1] + (1,), a.dtype)
    left = np.cumprod(np.concatenate([ones, a[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, a[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    out = left * right
    return out.reshape(d.shape) if axis is None else np.moveaxis(out, -1, axis)


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of all elements, or along one ``dim``; integers multiply in int64."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(
            "prod() received an invalid combination of arguments - got (dim=tuple), but "
            "expected one of: (Tensor input, *, dtype), (Tensor input, int dim, bool keepdim, "
            "*, dtype)"
        )
    dt = _sum_dtype(input, dtype)
    if dt is not None and input._data.dtype != dt:
        input = input.to(dtypes.from_numpy(np.dtype(dt)))
    axis = None if dim is None or input._data.ndim == 0 else wrap_dim(dim, input._data.ndim)
    if dim is not None and input._data.ndim == 0:
        wrap_dim(dim, 0)
    return Prod.apply(input, axis, keepdim and dim is not None)


class Cumsum(Op):
    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return np.cumsum(x._data, axis=axis)

    @staticmethod
    def backward(ctx, g):
        from .movement import flip

        # Each input feeds every later output: the gradient is a cumulative sum from the end.
        return flip(cumsum(flip(g, ctx.axis), ctx.axis), ctx.axis), None


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sums along ``dim``; integers accumulate in int64, as in PyTorch."""
    dt = _sum_dtype(input, dtype)
    if dt is not None and input._data.dtype != dt:
        input = input.to(dtypes.from_numpy(np.dtype(dt)))
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return input.clone()
    return Cumsum.apply(input, d)
