"""Indexing: x[...] (basic, advanced, boolean masks), setitem, gather, scatter, index_select,
masked_fill, nonzero."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._util import inplace, wrap_dim


def _np_index(index):
    """Translate an index into what NumPy understands (tensors become arrays)."""
    if isinstance(index, tuple):
        return tuple(_np_index(i) for i in index)
    if isinstance(index, Tensor):
        arr = index._data
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr.astype(bool) if arr.dtype == np.uint8 else arr
    if isinstance(index, list):
        if any(isinstance(i, Tensor) for i in index):
            return np.array([_np_index(i) for i in index])
        return np.asarray(index) if index and not isinstance(index[0], slice) else index
    return index


def _is_basic(idx) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice, np.integer)) for p in parts)


def _index_error(e: Exception) -> IndexError:
    msg = str(e).replace("axis", "dimension")
    return IndexError(msg)


class Index(Op):
    @staticmethod
    def forward(ctx, x, idx):
        ctx.shape, ctx.idx = x._data.shape, idx
        try:
            return np.asarray(x._data[idx])
        except IndexError as e:
            raise _index_error(e) from None

    @staticmethod
    def backward(ctx, g):
        return IndexPutAdd.apply(g, ctx.shape, ctx.idx), None


class IndexPutAdd(Op):
    """zeros(shape) with ``g`` added at ``idx`` (repeated indices accumulate)."""

    @staticmethod
    def forward(ctx, g, shape, idx):
        ctx.idx = idx
        out = np.zeros(shape, g._data.dtype)
        if _is_basic(idx):
            out[idx] = g._data
        else:
            np.add.at(out, idx, g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Index.apply(gg, ctx.idx), None, None


def getitem(x: Tensor, index) -> Tensor:
    if x._data.ndim == 0 and index not in (None, Ellipsis, ()) and not isinstance(index, Tensor):
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    idx = _np_index(index)
    basic = _is_basic(idx)
    if basic:
        parts = idx if isinstance(idx, tuple) else (idx,)
        if not any(p is Ellipsis for p in parts):
            # NumPy copies when integers pick out one element; with a trailing Ellipsis it
            # returns a 0-d view, so x[0, 1] shares memory as in PyTorch.
            idx = parts + (Ellipsis,)
    out = Index.apply(x, idx)
    if basic:
        out._base = x._base if x._base is not None else x
        out._vc = x._vc
    return out


class IndexPut(Op):
    """x with ``value`` written at ``idx`` (out of place; setitem writes it back in place)."""

    @staticmethod
    def forward(ctx, x, value, idx):
        ctx.idx = idx
        out = x._data.copy()
        v = value._data if isinstance(value, Tensor) else value
        try:
            out[idx] = v
        except IndexError as e:
            raise _index_error(e) from None
        except ValueError as e:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast "
                f"to indexing result of shape {list(out[idx].shape)}"
            ) from e
        ctx.vshape = np.shape(v)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = IndexPut.apply(g, 0.0, ctx.idx)
        if ctx.needs_input_grad[1]:
            gv = Index.apply(g, ctx.idx)
        return gx, gv, None


def setitem(x: Tensor, index, value) -> None:
    idx = _np_index(index)
    if isinstance(value, Tensor):
        if value._data.dtype != x._data.dtype:
            value = value.to(x.dtype)
    elif isinstance(value, np.ndarray):
        value = _make(value.astype(x._data.dtype))
    inplace(x, _index_put, value, idx)


def _index_put(x, value, idx):
    return IndexPut.apply(x, value, idx)


def index_put_(x: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    idx = tuple(_np_index(i) for i in indices)
    if accumulate:
        np.add.at(x._data, idx, values._data)
        x._vc[0] += 1
        return x
    setitem(x, idx, values)
    return x


# -- gather / scatter -------------------------------------------------------------------------


def _along(index: np.ndarray, dim: int, ndim: int):
    """Fancy-index tuple selecting ``index`` along ``dim`` (np.take_along_axis semantics)."""
    grids = list(np.ogrid[tuple(slice(s) for s in index.shape)])
    grids[dim] = index
    return tuple(grids)


class Gather(Op):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x._data.shape, dim, index
        return (
            np.take_along_axis(x._data, index._data, axis=dim)
            if index._data.shape == x._data.shape
            else x._data[_along(index._data, dim, x._data.ndim)]
        )

    @staticmethod
    def backward(ctx, g):
        zeros = _make(np.zeros(ctx.shape, g._data.dtype))
        return scatter_add(zeros, ctx.dim, ctx.index, g), None, None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad=False) -> Tensor:
    d = wrap_dim(dim, input._data.ndim)
    if index._data.dtype != np.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    if index._data.ndim != input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    n = input._data.shape[d]
    if index._data.size and (index._data.max() >= n or index._data.min() < -n):
        bad = index._data.max() if index._data.max() >= n else index._data.min()
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    return Gather.apply(input, d, index)


class Scatter(Op):
    """Out-of-place scatter: ``x`` with ``src`` written (or added) at ``index`` along ``dim``."""

    @staticmethod
    def forward(ctx, x, dim, index, src, add):
        ctx.dim, ctx.index, ctx.add = dim, index, add
        out = x._data.copy()
        pos = _along(index._data, dim, out.ndim)
        s = src._data if isinstance(src, Tensor) else src
        if isinstance(src, Tensor):
            s = s[tuple(slice(0, n) for n in index._data.shape)]
        if add:
            np.add.at(out, pos, s)
        else:
            out[pos] = s
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = g if ctx.add else Scatter.apply(g, ctx.dim, ctx.index, 0.0, False)
        if ctx.needs_input_grad[3]:
            gs = Gather.apply(g, ctx.dim, ctx.index)
        return gx, None, None, gs, None


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
    if src is None:
        src = value
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported by ember yet")
    return Scatter.apply(input, wrap_dim(dim, input._data.ndim), index, src, False)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return Scatter.apply(input, wrap_dim(dim, input._data.ndim), index, src, True)


def scatter_(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
    return inplace(input, scatter, dim, index, src, value=value, reduce=reduce)


def scatter_add_(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return inplace(input, scatter_add, dim, index, src)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    d = wrap_dim(dim, input._data.ndim)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    return getitem(input, (slice(None),) * d + (index,))


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    if mask._data.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype.name}"
        )
    from .elementwise import where

    v = value if isinstance(value, Tensor) else _make(np.asarray(value, input._data.dtype))
    return where(mask, v.to(input.dtype), input)


def masked_fill_(input: Tensor, mask: Tensor, value) -> Tensor:
    return inplace(input, masked_fill, mask, value)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    from .movement import expand

    shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    return getitem(expand(input, shape), np.broadcast_to(mask._data, shape))


def nonzero(input: Tensor, *, as_tuple: bool = False):
    nz = np.nonzero(input._data)
    if as_tuple:
        return tuple(_make(a.astype(np.int64)) for a in nz)
    return _make(np.stack(nz, axis=1).astype(np.int64) if nz else np.zeros((0, 0), np.int64))
