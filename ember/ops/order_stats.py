"""Order statistics: median, nanmedian, kthvalue, mode, quantile, nanquantile, aminmax.

The selecting ones (median/kthvalue/mode along a dim) find their indices in NumPy and take the
values with sorting._TakeAlong, so the gradient goes back to the selected element. quantile is
composed of sort, gather and arithmetic, so its gradient (and second derivative) comes from
those ops.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from .._array import as_array
from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._util import wrap_dim
from .reduction import amax, amin
from .sorting import _TakeAlong


class MedianBackward1(_TakeAlong):
    pass


class KthvalueBackward0(_TakeAlong):
    pass


class ModeBackward0(_TakeAlong):
    pass


class _EvenSelect(Op):
    """One value picked from all elements; the gradient is shared evenly among its ties (as
    PyTorch does for ``median()`` without a dim)."""

    @staticmethod
    def forward(ctx, x, value):
        d = x._data
        if ctx.inputs is not None:
            hit = (d == value) | (np.isnan(d) & np.isnan(value))
            ctx.weight = (hit / max(int(hit.sum()), 1)).astype(d.dtype)
        return as_array(np.asarray(value, d.dtype))

    @staticmethod
    def backward(ctx, g):
        return g * _make(ctx.weight.astype(g._data.dtype, copy=False)), None


def _nan_count(d: np.ndarray, axis: int) -> np.ndarray:
    if d.dtype.kind != "f":
        return np.zeros(d.shape[:axis] + (1,) + d.shape[axis + 1 :], np.int64)
    return np.isnan(d).sum(axis=axis, keepdims=True)


def _select_positions(d: np.ndarray, axis: int, kind: str, k: int = 0) -> np.ndarray:
    """Indices (keepdims) along ``axis`` of the selected order statistic of each slice.

    A stable argsort puts NaN last, in their original order, so the first NaN of a slice sits
    at position ``n - nan_count``.
    """
    order = np.argsort(d, axis=axis, kind="stable")
    n = d.shape[axis]
    valid = n - _nan_count(d, axis)
    if kind == "median":  # a slice with NaN has median NaN: its first NaN
        pos = np.where(valid < n, valid, (n - 1) // 2)
    elif kind == "nanmedian":  # the lower median of the non-NaN values (an all-NaN slice: 0)
        pos = np.maximum((valid - 1) // 2, 0)
    else:  # kthvalue: the k-th smallest, NaN counted as the largest
        pos = np.full(valid.shape, k - 1)
    return np.take_along_axis(order, pos, axis=axis)


def _select(cls, input: Tensor, dim, keepdim: bool, name: str, kind: str, k: int = 0):
    d = input._data
    result = getattr(return_types, name)
    if d.ndim == 0:
        wrap_dim(dim, 0)
        return result(cls.apply(input.reshape(1), np.zeros(1, np.int64), 0).reshape(()), _zero())
    axis = wrap_dim(dim, d.ndim)
    if d.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    idx = _select_positions(d, axis, kind, k)
    vals = cls.apply(input, idx, axis)
    if not keepdim:
        vals, idx = vals.squeeze(axis), idx.squeeze(axis)
    return result(vals, _make(idx.astype(np.int64, copy=False)))


def _zero() -> Tensor:
    return _make(np.zeros((), np.int64))


def _median_all(input: Tensor, kind: str) -> Tensor:
    d = input._data
    if d.size == 0:
        return _make(np.full((), np.nan, d.dtype))
    flat = d.reshape(-1)
    idx = _select_positions(flat, 0, kind)
    return _EvenSelect.apply(input, flat[idx[0]])


def median(input: Tensor, dim=None, keepdim: bool = False):
    """The lower median (of an even count, the smaller of the middle two); NaN if any is NaN.

    With ``dim``: ``(values, indices)`` along it.
    """
    if dim is None:
        return _median_all(input, "median")
    return _select(MedianBackward1, input, dim, keepdim, "median", "median")


def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """median ignoring NaN (NaN only where a slice is all NaN)."""
    if dim is None:
        return _median_all(input, "nanmedian")
    return _select(MedianBackward1, input, dim, keepdim, "nanmedian", "nanmedian")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest value along ``dim`` (1-based) and its index."""
    d = input._data
    axis = wrap_dim(dim, d.ndim)
    n = d.shape[axis] if d.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    return _select(KthvalueBackward0, input, dim, keepdim, "kthvalue", "kth", k)


def _mode_positions(d: np.ndarray, axis: int) -> np.ndarray:
    """Index of each slice's mode: the smallest of the most frequent values, at its last
    occurrence (as PyTorch's CPU kernel answers)."""
    a = np.moveaxis(d, axis, -1)
    shape = a.shape
    a = a.reshape(-1, shape[-1])
    n = shape[-1]
    order = np.argsort(a, axis=-1, kind="stable")
    s = np.take_along_axis(a, order, axis=-1)
    start = np.ones(s.shape, bool)
    start[:, 1:] = s[:, 1:] != s[:, :-1]
    last = np.ones(s.shape, bool)
    last[:, :-1] = start[:, 1:]
    pos = np.arange(n)
    run_start = np.maximum.accumulate(np.where(start, pos, 0), axis=-1)
    run_end = np.minimum.accumulate(np.where(last, pos, n)[:, ::-1], axis=-1)[:, ::-1]
    best = np.argmax(run_end - run_start, axis=-1)  # the first longest run: the smallest value
    end = run_end[np.arange(len(s)), best]
    idx = order[np.arange(len(s)), end].reshape(shape[:-1] + (1,))
    return np.moveaxis(idx, -1, axis)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest on a tie) and an index of it."""
    d = input._data
    if d.ndim == 0:
        return _select(ModeBackward0, input, dim, keepdim, "mode", "kth", 1)
    axis = wrap_dim(dim, d.ndim)
    if d.shape[axis] == 0:
        raise IndexError(f"mode(): Expected reduction dim {axis} to have non-zero size.")
    idx = _mode_positions(d, axis)
    vals = ModeBackward0.apply(input, idx, axis)
    if not keepdim:
        vals, idx = vals.squeeze(axis), idx.squeeze(axis)
    return return_types.mode(vals, _make(idx.astype(np.int64, copy=False)))


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``(min, max)`` over all elements or one ``dim``."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(
            "aminmax() received an invalid combination of arguments - got (Tensor, dim=tuple), "
            "but expected (Tensor input, *, int dim, bool keepdim)"
        )
    if input._data.size == 0 and dim is None:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity."
        )
    d = () if dim is None else dim
    return return_types.aminmax(amin(input, d, keepdim), amax(input, d, keepdim))


# -- quantiles ------------------------------------------------------------------------------------

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _q_values(input: Tensor, q, name: str):
    """``q`` as a 1-D float64 array, and whether it was a scalar."""
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs, scalar = q._data.astype(np.float64).reshape(-1), q._data.ndim == 0
    else:
        qs, scalar = np.asarray([float(q)]), True
        if not 0 <= qs[0] <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    if qs.size and not ((qs >= 0) & (qs <= 1)).all():
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    return qs, scalar


def _quantile(input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool):
    from .indexing import gather
    from .movement import movedim
    from .sorting import sort

    name = "nanquantile" if ignore_nan else "quantile"
    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _MODES:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    qs, scalar = _q_values(input, q, name)
    if d.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    ndim = d.ndim
    if dim is None:
        x, axis = input.reshape(-1), 0
    else:
        axis = wrap_dim(dim, ndim)
        x = input.reshape(1) if ndim == 0 else input
    s = movedim(sort(x, axis).values, axis, -1)  # NaN sort last
    n = s._data.shape[-1]
    nans = np.isnan(s._data).sum(axis=-1, keepdims=True)
    # Rank of each quantile in each slice, (..., Q): a slice with NaN answers NaN (its last
    # element) unless NaN are ignored, and then ranks run over the non-NaN values only.
    valid = n - nans if ignore_nan else np.where(nans > 0, 1, n)
    ranks = qs * np.maximum(valid - 1, 0)
    if not ignore_nan:
        ranks = np.where(nans > 0, n - 1, ranks)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)  # half to even, as PyTorch
    lo = np.floor(ranks).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    v_lo = gather(s, -1, _make(lo))
    if interpolation in ("lower", "higher", "nearest"):
        out = v_lo
    else:
        v_hi = gather(s, -1, _make(hi))
        w = ranks - lo if interpolation == "linear" else np.full(ranks.shape, 0.5)
        w = np.where(ranks == lo, 0.0, w) if interpolation == "midpoint" else w
        out = v_lo + (v_hi - v_lo) * _make(w.astype(d.dtype))
    # (..., Q) -> the reduced shape, the quantiles first (PyTorch's layout).
    out = movedim(out, -1, 0)
    if dim is None:
        if keepdim:
            out = out.reshape((out.shape[0],) + (1,) * ndim)
        else:
            out = out.reshape(out.shape[0])
    elif keepdim and ndim:
        out = out.unsqueeze(axis + 1)
    elif ndim == 0:
        out = out.reshape(out.shape[0])
    return out.squeeze(0) if scalar else out


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """The ``q``-th quantiles along ``dim`` (of all elements when None), interpolating between
    the two nearest ranks (``linear``, ``lower``, ``higher``, ``midpoint``, ``nearest``).

    A tensor ``q`` of Q values puts a leading dim of size Q on the result.
    """
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(
    input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"
):
    """quantile ignoring NaN (NaN only where a slice is all NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)
