"""Writing along an index: index_add, index_copy, index_fill, masked_scatter, and their
in-place forms.

index_add and index_copy are primitives (the source's gradient is the output gradient read
back at the index); index_fill composes ``where`` with a mask of the indexed slices, so a
0-d tensor value is differentiable too.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word, inplace, wrap_dim


def _slices_mask(shape: tuple, axis: int, idx: np.ndarray) -> np.ndarray:
    """A bool array of ``shape``, True on the slices along ``axis`` that ``idx`` names."""
    hit = np.zeros(shape[axis], bool)
    hit[idx] = True
    view = [1] * len(shape)
    view[axis] = shape[axis]
    return np.broadcast_to(hit.reshape(view), shape)


def _check_index(
    name: str, x: Tensor, axis: int, index: Tensor, prefix: str = "", cls=IndexError
) -> np.ndarray:
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(
            f"{name}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{_type_word(idx.dtype)} and size: {list(idx.shape)}"
        )
    idx = idx.reshape(-1)
    n = x._data.shape[axis] if x._data.ndim else 1
    bad = (idx >= n) | (idx < -n)
    if bad.any():
        raise cls(
            f"{prefix}index {int(idx[bad][0])} is out of bounds for dimension {axis} with size {n}"
        )
    return np.where(idx < 0, idx + n, idx).astype(np.int64)


class IndexAdd(Op):
    @staticmethod
    def forward(ctx, x, src, axis, idx, alpha):
        ctx.axis, ctx.idx, ctx.alpha = axis, idx, alpha
        out = x._data.copy()
        s = src._data if alpha == 1 else src._data * alpha
        np.add.at(np.moveaxis(out, axis, 0), idx, np.moveaxis(s, axis, 0))
        return out

    @staticmethod
    def backward(ctx, g):
        from .indexing import index_select

        gs = index_select(g, ctx.axis, _make(ctx.idx))
        if ctx.alpha != 1:
            gs = gs * ctx.alpha
        return g, gs, None, None, None


class IndexCopy(Op):
    @staticmethod
    def forward(ctx, x, src, axis, idx):
        ctx.axis, ctx.idx = axis, idx
        out = x._data.copy()
        np.moveaxis(out, axis, 0)[idx] = np.moveaxis(src._data, axis, 0)
        return out

    @staticmethod
    def backward(ctx, g):
        from .indexing import index_select

        gx = g * _make(~_slices_mask(g._data.shape, ctx.axis, ctx.idx))
        return gx, index_select(g, ctx.axis, _make(ctx.idx)), None, None


def _add_axis(name: str, x: Tensor, dim: int, index: Tensor) -> int:
    axis = wrap_dim(dim, x._data.ndim)
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}(): Expected dtype int32/int64 for index but got: "
            f"{_type_word(index._data.dtype)}"
        )
    return axis


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """``input`` with ``alpha * source[i]`` added to slice ``index[i]`` along ``dim``
    (repeated indices accumulate)."""
    name = "index_add_"
    axis = _add_axis(name, input, dim, index)
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            f"{name}(): self ({_type_word(input._data.dtype)}) and source "
            f"({_type_word(source._data.dtype)}) must have the same scalar type"
        )
    n_src = source._data.shape[axis] if source._data.ndim else 1
    if index._data.size != n_src and index._data.ndim <= 1:
        raise RuntimeError(
            f"{name}(): Number of indices ({index._data.size}) should be equal to "
            f"source.size(dim): ({n_src}), for dim: {axis}"
        )
    idx = _check_index(name, input, axis, index, cls=RuntimeError)
    if idx.size != n_src:
        raise RuntimeError(
            f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
            f"({n_src}), for dim: {axis}"
        )
    x, src = _at_least_1d(input, source)
    out = IndexAdd.apply(x, src, axis, idx, alpha)
    return out.reshape(()) if input._data.ndim == 0 else out


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with slice ``index[i]`` along ``dim`` replaced by ``source[i]``."""
    name = "index_copy_"
    axis = wrap_dim(dim, input._data.ndim)
    if index._data.dtype != np.int64:
        raise RuntimeError(
            f"{name}(): Expected a long tensor for index, but got {_type_word(index._data.dtype)}"
        )
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            f"{name}(): self and source expected to have the same dtype, but got (self) "
            f"{_type_word(input._data.dtype)} and (source) {_type_word(source._data.dtype)}"
        )
    n_src = source._data.shape[axis] if source._data.ndim else 1
    if index._data.size != n_src:
        raise IndexError(
            f"{name}(): Number of indices ({index._data.size}) should be equal to "
            f"source.size(dim) ({n_src})"
        )
    idx = _check_index(name, input, axis, index, f"{name}(): ")
    x, src = _at_least_1d(input, source)
    out = IndexCopy.apply(x, src, axis, idx)
    return out.reshape(()) if input._data.ndim == 0 else out


def _at_least_1d(x: Tensor, src: Tensor):
    if x._data.ndim == 0:
        return x.reshape(1), src.reshape(1)
    return x, src


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """``input`` with the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d
    tensor, differentiable)."""
    from .elementwise import where

    name = "index_fill_"
    axis = wrap_dim(dim, input._data.ndim)
    if index._data.dtype != np.int64:
        raise IndexError(f"{name}(): Expected dtype int64 for index.")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                f"{name} only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        value = value.to(input.dtype)
    idx = _check_index(name, input, axis, index)
    if input._data.ndim == 0:
        mask = np.asarray(idx.size > 0)
    else:
        mask = _slices_mask(input._data.shape, axis, idx)
    return named(where(_make(mask), value, input), "IndexFillBackward0")


class MaskedScatter(Op):
    @staticmethod
    def forward(ctx, x, src, mask):
        ctx.mask, ctx.src_shape = mask, src._data.shape
        out = x._data.copy()
        k = int(mask.sum())
        out[mask] = src._data.reshape(-1)[:k]
        return out

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where
        from .indexing import masked_select
        from .padding import pad

        m = _make(ctx.mask)
        gx = where(m, 0.0, g)
        taken = masked_select(g, m)
        n = int(np.prod(ctx.src_shape))
        gs = pad(taken, (0, n - taken._data.size)).reshape(ctx.src_shape)
        return gx, gs, None


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the positions where ``mask`` is True filled, in order, by the first
    elements of ``source``."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            f"{_type_word(mask._data.dtype)}"
        )
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_type_word(input._data.dtype)} and {_type_word(source._data.dtype)}"
        )
    shape = _broadcast(mask._data.shape, input._data.shape)
    if shape != input._data.shape:
        input = input.expand(shape)
    m = np.broadcast_to(mask._data, shape)
    if int(m.sum()) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, source, np.ascontiguousarray(m))


def _broadcast(a: tuple, b: tuple) -> tuple:
    for i in range(1, min(len(a), len(b)) + 1):
        if a[-i] != b[-i] and 1 not in (a[-i], b[-i]):
            raise RuntimeError(
                f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) at "
                f"non-singleton dimension {max(len(a), len(b)) - i}"
            )
    return np.broadcast_shapes(a, b)


def index_add_(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    return inplace(input, index_add, dim, index, source, alpha=alpha)


def index_copy_(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    return inplace(input, index_copy, dim, index, source)


def index_fill_(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    return inplace(input, index_fill, dim, index, value)


def masked_scatter_(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    return inplace(input, masked_scatter, mask, source)
