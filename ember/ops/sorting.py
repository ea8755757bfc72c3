"""Ordering: sort, argsort, topk, unique.

sort and topk return ``(values, indices)`` named tuples; the values are differentiable (the
gradient goes back to the positions the indices name), the indices are not.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._util import wrap_dim


def _order(d: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices that sort ``d`` along ``axis``, stable, NaN counted as the largest value."""
    if not descending:
        return np.argsort(d, axis=axis, kind="stable")
    # Descending and still stable: sort the reversed array ascending and reverse the result,
    # which keeps equal elements in their original order (negating would break for unsigned
    # and bool dtypes, and would move NaN).
    n = d.shape[axis]
    rev = np.argsort(np.flip(d, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(rev, axis)


class _TakeAlong(Op):
    """Values at precomputed indices along one dim; the gradient is scattered back there."""

    @staticmethod
    def forward(ctx, x, idx, axis):
        ctx.shape, ctx.idx, ctx.axis = x._data.shape, idx, axis
        return np.take_along_axis(x._data, idx, axis=axis)

    @staticmethod
    def backward(ctx, g):
        from .indexing import scatter_add

        zeros = _make(np.zeros(ctx.shape, g._data.dtype))
        return scatter_add(zeros, ctx.axis, _make(ctx.idx), g), None, None


class Sort(_TakeAlong):
    pass


class Topk(_TakeAlong):
    pass


def _values(cls, x: Tensor, idx: np.ndarray, axis: int) -> Tensor:
    if x._data.ndim == 0:
        return cls.apply(x.reshape(1), idx.reshape(1), 0).reshape(())
    return cls.apply(x, idx, axis)


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """Sorted values along ``dim`` and the indices they came from.

    Ties keep their original order (as ``stable=True`` promises; PyTorch leaves the order of
    ties unspecified otherwise, and the stable order is one it may give).
    """
    axis = wrap_dim(dim, input._data.ndim)
    d = input._data
    idx = _order(d.reshape(1) if d.ndim == 0 else d, 0 if d.ndim == 0 else axis, descending)
    vals = _values(Sort, input, idx, axis)
    return return_types.sort(vals, _make(idx.reshape(d.shape).astype(np.int64, copy=False)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """The indices that sort ``input`` along ``dim``."""
    return sort(input, dim, descending, stable).indices


def msort(input: Tensor) -> Tensor:
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    axis = wrap_dim(dim, input._data.ndim)
    d = input._data
    n = d.shape[axis] if d.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    flat = d.reshape(1) if d.ndim == 0 else d
    ax = 0 if d.ndim == 0 else axis
    idx = np.take(_order(flat, ax, largest), np.arange(k), axis=ax)
    vals = _values(Topk, input, idx, axis)
    if d.ndim == 0:
        idx = idx.reshape(())
    return return_types.topk(vals, _make(idx.astype(np.int64, copy=False)))


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim=None,
):
    """The distinct values (sorted), optionally with the inverse map and the counts.

    With ``dim``, the distinct slices along that dim. Not differentiable.
    """
    d = input._data
    axis = None if dim is None else wrap_dim(dim, d.ndim)
    vals, inv, counts = np.unique(d, return_inverse=True, return_counts=True, axis=axis)
    out = _make(vals)
    if not (return_inverse or return_counts):
        return out
    res = [out]
    if return_inverse:
        inv = inv.reshape(d.shape if axis is None else (d.shape[axis],))
        res.append(_make(inv.astype(np.int64, copy=False)))
    if return_counts:
        res.append(_make(counts.astype(np.int64, copy=False)))
    return tuple(res)
