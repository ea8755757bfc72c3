"""Diagonals and triangles: diagonal (a view), diag, diag_embed, diagflat, triu, tril,
fill_diagonal_, triu_indices, tril_indices.

Each primitive's backward is the other one's forward: the gradient of taking a diagonal is a
zero matrix with the gradient written on that diagonal, and back again, so higher orders work.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import dtypes
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import inplace, wrap_dim


def _diag_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """A writable strided view of the diagonal of ``a`` over dims d1, d2, placed last (NumPy's
    ``diagonal`` gives the same layout but read-only, and PyTorch's is writable)."""
    n1, n2 = a.shape[d1], a.shape[d2]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    rest = [k for k in range(a.ndim) if k not in (d1, d2)]
    shape = tuple(a.shape[k] for k in rest) + (length,)
    if length == 0 or a.size == 0:
        return np.zeros(shape, a.dtype)
    first = [slice(None)] * a.ndim
    first[d1] = slice(max(0, -offset), None)
    first[d2] = slice(max(0, offset), None)
    strides = tuple(a.strides[k] for k in rest) + (a.strides[d1] + a.strides[d2],)
    return as_strided(a[tuple(first)], shape, strides)


class Diagonal(Op):
    """The diagonal of dims (d1, d2) with ``offset``, as a view appended as the last dim."""

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.args = x._data.shape, (offset, d1, d2)
        return _diag_view(x._data, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        return DiagonalScatter.apply(g, ctx.shape, *ctx.args), None, None, None


class DiagonalScatter(Op):
    """Zeros of ``shape`` with ``g`` written on a diagonal (the backward of Diagonal)."""

    _name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, g._data.dtype)
        view = _diag_view(out, offset, d1, d2)
        if view.size:
            view[...] = g._data
        return out

    @staticmethod
    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args), None, None, None, None


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal over ``dim1`` and ``dim2`` as a view (writes go to ``input``), the other
    dims first. ``offset > 0`` is above the main diagonal, ``< 0`` below."""
    from .movement import _as_view

    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = Diagonal.apply(input, int(offset), d1, d2)
    if out._data.size and np.shares_memory(out._data, input._data):
        _as_view(out, input)
    return out


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor becomes a square matrix with it on the ``diagonal``-th diagonal; a matrix
    gives its ``diagonal``-th diagonal (a copy)."""
    n = input._data.ndim
    if n == 1:
        return named(diag_embed(input, diagonal, 0, 1), "DiagEmbedBackward0")
    if n == 2:
        return named(Diagonal.apply(input, int(diagonal), 0, 1).clone(), "DiagonalBackward0")
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with the last dim of ``input`` on a diagonal over the new dims (dim1, dim2)."""
    n = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = input._data.shape[-1] + abs(int(offset)) if input._data.ndim else 1
    rest = iter(input._data.shape[:-1])
    shape = tuple(size if k in (d1, d2) else next(rest) for k in range(n))
    x = input if input._data.ndim else input.reshape(1)
    return named(DiagonalScatter.apply(x, shape, int(offset), d1, d2), "DiagEmbedBackward0")


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """``diag`` of the flattened input."""
    return diag(input.reshape(-1), offset)


# -- triangles ------------------------------------------------------------------------------------


class Triu(Op):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x._data, k)

    @staticmethod
    def backward(ctx, g):
        return Triu.apply(g, ctx.k), None


class Tril(Op):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x._data, k)

    @staticmethod
    def backward(ctx, g):
        return Tril.apply(g, ctx.k), None


def _triangle(cls, name):
    def fn(input: Tensor, diagonal: int = 0) -> Tensor:
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return cls.apply(input, int(diagonal))

    fn.__name__ = name
    fn.__doc__ = (
        f"The {'upper' if name == 'triu' else 'lower'} triangle of the last two dims, from the "
        "``diagonal``-th diagonal on; the rest zero."
    )
    return fn


triu = _triangle(Triu, "triu")
tril = _triangle(Tril, "tril")


def triu_(input: Tensor, diagonal: int = 0) -> Tensor:
    return inplace(input, triu, diagonal)


def tril_(input: Tensor, diagonal: int = 0) -> Tensor:
    return inplace(input, tril, diagonal)


def _tri_indices(mask: np.ndarray, dtype) -> Tensor:
    d = dtypes.int64 if dtype is None else dtypes.to_dtype(dtype)
    return _make(np.stack(np.nonzero(mask)).astype(d.np))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the upper triangle of a row x col matrix, as a 2 x N tensor."""
    return _tri_indices(np.triu(np.ones((row, col), bool), offset), dtype)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the lower triangle of a row x col matrix, as a 2 x N tensor."""
    return _tri_indices(np.tril(np.ones((row, col), bool), offset), dtype)


# -- fill_diagonal_ -------------------------------------------------------------------------------


class FillDiagonal(Op):
    """``x`` with its main diagonal (all dims equal, or a tall matrix with ``wrap``) set to a
    number; the gradient is ``g`` with that diagonal zeroed."""

    _name = "FillBackward0"

    @staticmethod
    def forward(ctx, x, value, wrap):
        ctx.wrap = wrap
        out = x._data.copy()
        np.fill_diagonal(out, value, wrap=wrap)
        return out

    @staticmethod
    def backward(ctx, g):
        return FillDiagonal.apply(g, 0, ctx.wrap), None, None


def _fill_diagonal(input: Tensor, fill_value, wrap: bool = False) -> Tensor:
    return FillDiagonal.apply(input, fill_value, bool(wrap))


def fill_diagonal_(input: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` on the main diagonal in place. A tall matrix with ``wrap=True``
    starts the diagonal again every ``cols + 1`` rows."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return inplace(input, _fill_diagonal, fill_value, wrap)
