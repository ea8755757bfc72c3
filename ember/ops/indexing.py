"""Indexing: x[...] (basic, advanced, boolean masks), setitem, gather, scatter, index_select,
masked_fill, nonzero."""

from __future__ import annotations

import re

import numpy as np

from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word, check_view_inplace_allowed, inplace, scalar_name, wrap_dim


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


def _index_error(e: Exception, shape: tuple, idx) -> IndexError:
    """NumPy's IndexError for a bad index, reworded with PyTorch's facts."""
    msg = str(e)
    parts = idx if isinstance(idx, tuple) else (idx,)
    if msg.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if msg.startswith("only integers, slices"):
        bad = next((type(p).__name__ for p in parts if not isinstance(p, _VALID_INDEX)), "object")
        return IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
            f"valid indices (got {bad})"
        )
    if msg.startswith("shape mismatch: indexing arrays"):
        shapes = ", ".join(
            "[" + ", ".join(d for d in m.split(",") if d) + "]"
            for m in re.findall(r"\(([^)]*)\)", msg)
        )
        return IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        )
    if msg.startswith("boolean index did not match"):
        mask_msg = _mask_mismatch(shape, parts)
        if mask_msg:
            return IndexError(mask_msg)
    return IndexError(msg.replace("axis", "dimension"))


_VALID_INDEX = (int, slice, type(None), type(Ellipsis), np.ndarray, np.integer, list)


def _mask_mismatch(shape: tuple, parts: tuple) -> str | None:
    dim = 0
    for p in parts:
        if p is Ellipsis:
            return None
        if p is None:
            continue
        if isinstance(p, np.ndarray) and p.dtype == np.bool_:
            for k, n in enumerate(p.shape):
                if dim + k >= len(shape) or shape[dim + k] != n:
                    return (
                        f"The shape of the mask {list(p.shape)} at index {k} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {dim + k}"
                    )
            dim += p.ndim
        else:
            dim += 1
    return None


class Index(Op):
    @staticmethod
    def forward(ctx, x, idx):
        ctx.shape, ctx.idx = x._data.shape, idx
        try:
            return np.asarray(x._data[idx])
        except IndexError as e:
            raise _index_error(e, x._data.shape, idx) from None

    @staticmethod
    def backward(ctx, g):
        return IndexPutAdd.apply(g, ctx.shape, ctx.idx), None

    def name(self) -> str:
        # PyTorch names the last view an index applies: x[0] Select, x[1:] Slice, x[None]
        # Unsqueeze; tensors or lists make it an advanced Index.
        if self._name:
            return self._name
        parts = self.idx if isinstance(self.idx, tuple) else (self.idx,)
        last = "AliasBackward0"
        for p in parts:
            if isinstance(p, slice):
                if p != slice(None) or last == "AliasBackward0":
                    last = "SliceBackward0"
            elif p is None:
                last = "UnsqueezeBackward0"
            elif isinstance(p, (int, np.integer)):
                last = "SelectBackward0"
            elif p is not Ellipsis:
                return "IndexBackward0"
        return last


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
    if (index.__class__ is int or index.__class__ is slice) and x._data.ndim:
        # The commonest index (a dataset's sample, a batch's rows) skips the general
        # translation below: 2.0 -> 1.2 us.
        idx, view = (index, Ellipsis), True
    else:
        idx = _general_index(x, index)
        view = idx.__class__ is tuple and _is_basic(idx)
    out = Index.apply(x, idx)
    if view:  # basic indexing gives a view, sharing the version counter
        out._base = x._base if x._base is not None else x
        out._vc = x._vc
    return out


def _general_index(x: Tensor, index):
    """``index`` as NumPy takes it; basic ones end in Ellipsis (see below)."""
    if x._data.ndim == 0 and index not in (None, Ellipsis, ()) and not isinstance(index, Tensor):
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    idx = _np_index(index)
    if _is_basic(idx):
        parts = idx if isinstance(idx, tuple) else (idx,)
        if not any(p is Ellipsis for p in parts):
            # NumPy copies when integers pick out one element; with a trailing Ellipsis it
            # returns a 0-d view, so x[0, 1] shares memory as in PyTorch.
            idx = parts + (Ellipsis,)
    return idx


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
            raise _index_error(e, out.shape, idx) from None
        except ValueError as e:
            if _is_basic(idx) and isinstance(value, Tensor):
                from .movement import expand

                expand(value, out[idx].shape)  # raises PyTorch's message for this case
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
    # PyTorch writes through a view of x, hence "a view of a leaf" even for x itself.
    check_view_inplace_allowed(x._base if x._base is not None else x)
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


def _check_index_dtype(index: Tensor, name: str, word: str) -> None:
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype {word} for index")


def _check_along(name: str, input: Tensor, d: int, index: Tensor, src=None) -> None:
    """PyTorch's shape and bounds checks for gather/scatter's index (no negative indices)."""
    x, ix = input._data, index._data
    if ix.ndim != x.ndim and ix.size:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {name} tensor")
    if ix.ndim == x.ndim:
        s = None if src is None else src._data.shape
        for k in range(x.ndim):
            if k != d and ix.shape[k] > x.shape[k] or (s is not None and ix.shape[k] > s[k]):
                if s is None:
                    raise RuntimeError(
                        f"Size does not match at dimension {k} expected index {list(ix.shape)} "
                        f"to be no larger than self {list(x.shape)} apart from dimension {d}"
                    )
                raise RuntimeError(
                    f"Expected index {list(ix.shape)} to be no larger than self {list(x.shape)} "
                    f"apart from dimension {d} and to be no larger size than src {list(s)}"
                )
    n = x.shape[d] if x.ndim else 1
    if ix.size:
        lo, hi = ix.min(), ix.max()
        if lo < 0 or hi >= n:
            raise RuntimeError(
                f"index {lo if lo < 0 else hi} is out of bounds for dimension {d} with size {n}"
            )


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad=False) -> Tensor:
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[i][index[i][j]]``."""
    d = wrap_dim(dim, input._data.ndim)
    _check_index_dtype(index, "gather", "int32/int64")
    _check_along("input", input, d, index)
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
            ctx.src_shape = s.shape
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
            if gs._data.shape != ctx.src_shape:
                # Only the leading part of a larger src was read: the rest gets zeros.
                part = tuple(slice(0, n) for n in gs._data.shape)
                gs = IndexPutAdd.apply(gs, ctx.src_shape, part)
        return gx, None, None, gs, None


def _check_scatter(input: Tensor, d: int, index: Tensor, src) -> None:
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_along("self", input, d, index, src if isinstance(src, Tensor) else None)


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
    """``input`` with ``src`` (a tensor or a number) written at ``index`` along ``dim``.

    ``reduce='add'`` adds instead; ``reduce='multiply'`` multiplies (not differentiable).
    """
    if src is None:
        src = value
    d = wrap_dim(dim, input._data.ndim)
    _check_scatter(input, d, index, src)
    if reduce is None or reduce == "add":
        return Scatter.apply(input, d, index, src, reduce == "add")
    if reduce != "multiply":
        raise RuntimeError("reduce argument must be either add or multiply.")
    if input._rg or (isinstance(src, Tensor) and src._rg):
        raise NotImplementedError("scatter(reduce='multiply') is not differentiable in ember")
    out = input._data.copy()
    s = src._data[tuple(slice(0, n) for n in index._data.shape)] if isinstance(src, Tensor) else src
    np.multiply.at(out, _along(index._data, d, out.ndim), s)
    return _make(out)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    d = wrap_dim(dim, input._data.ndim)
    _check_scatter(input, d, index, src)
    return Scatter.apply(input, d, index, src, True)


def scatter_(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
    return inplace(input, scatter, dim, index, src, value=value, reduce=reduce)


def scatter_add_(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return inplace(input, scatter_add, dim, index, src)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in the vector ``index``."""
    d = wrap_dim(dim, input._data.ndim)
    ix = index._data
    if ix.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if ix.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input._data.shape[d] if input._data.ndim else 1
    # Unlike x[index], negative positions are out of range here.
    if ix.size and (ix.min() < 0 or ix.max() >= n):
        raise IndexError("index out of range in self")
    if ix.ndim == 0:
        index = _make(ix.reshape(1))
    if input._data.ndim == 0:
        out = getitem(input.reshape(1), (index,)).reshape(())
    else:
        out = getitem(input, (slice(None),) * d + (index,))
    return named(out, "IndexSelectBackward0")


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``input`` with ``value`` where ``mask`` (bool, broadcast) is True."""

    if mask._data.dtype != np.bool_:
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{scalar_name(mask._data.dtype)}"
        )
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    from .elementwise import where

    v = value if isinstance(value, Tensor) else _make(np.asarray(value).astype(input._data.dtype))
    return named(where(mask, v.to(input.dtype), input), "MaskedFillBackward0")


def masked_fill_(input: Tensor, mask: Tensor, value) -> Tensor:
    return inplace(input, masked_fill, mask, value)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` (bool, broadcast) is True, as a 1-D tensor."""
    from .._array import broadcast_error
    from .movement import expand

    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    try:
        shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError as e:
        raise broadcast_error(e, (mask, input)) or e from None
    return getitem(expand(input, shape), np.broadcast_to(mask._data, shape))


def nonzero(input: Tensor, *, as_tuple: bool = False):
    d = input._data
    if d.ndim == 0:  # a 0-d tensor counts as one element with no dims to index
        hit = np.zeros(int(bool(d)), np.int64)
        return (_make(hit),) if as_tuple else _make(np.zeros((hit.size, 0), np.int64))
    nz = np.nonzero(d)
    if as_tuple:
        return tuple(_make(a.astype(np.int64)) for a in nz)
    return _make(np.stack(nz, axis=1).astype(np.int64) if nz else np.zeros((0, 0), np.int64))


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of ``input`` read as 1-D, at ``index`` (any shape; negative counts from the
    end); differentiable in ``input``."""
    if index._data.dtype != np.int64:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_type_word(index._data.dtype)}"
        )
    n, idx = input._data.size, index._data
    bad = idx[(idx >= n) | (idx < -n)]
    if bad.size:
        raise IndexError(
            f"out of range: tried to access index {int(bad.flat[0])} on a tensor of {n} elements."
        )
    from .movement import reshape

    return named(Index.apply(reshape(input, (n,)), (idx,)), "TakeBackward0")


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot rows: shape ``(*tensor.shape, num_classes)``; -1 infers max + 1."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(d.shape + (num_classes,), np.int64)
    np.put_along_axis(out, d[..., None], 1, axis=-1)
    return _make(out)
