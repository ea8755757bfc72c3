"""Rearranging elements: rot90, block_diag, repeat_interleave, pixel_shuffle / pixel_unshuffle.

All compose movement and indexing ops (flip, transpose, cat, index_select, reshape, permute),
so their gradients come from those.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.function import named
from ..tensor import Tensor, _make
from ._util import wrap_dim
from .movement import cat, flip, permute, reshape, transpose


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first dim towards
    the second."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return flip(transpose(input, d0, d1), d1)
    return input.clone()


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-, 1- or 2-d) as blocks on the diagonal of one 2-d tensor, zeros
    elsewhere; a 1-d tensor is one row, a 0-d one a 1x1 block."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t._data.ndim} dimensions"
            )
    if not tensors:
        return _make(np.zeros((1, 0), dtypes.get_default_dtype().np))
    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = dtypes.promote_types(dt, t.dtype)
    blocks = [t.to(dt).reshape(1, -1) if t._data.ndim < 2 else t.to(dt) for t in tensors]
    total = sum(b._data.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b._data.shape
        parts = [
            _make(np.zeros((r, left), dt.np)),
            b,
            _make(np.zeros((r, total - left - c), dt.np)),
        ]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


def _repeat_counts(repeats, n: int) -> np.ndarray:
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.ndim == 1 and r.size != n:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got repeats.size(0) = "
                f"{r.size} and input.size(0) = {n}"
            )
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        return np.broadcast_to(r.astype(np.int64), (n,))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    return np.full(n, int(repeats), np.int64)


def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place: ``[1, 2]``
    twice is ``[1, 1, 2, 2]``. ``repeat_interleave(counts)`` alone gives
    ``arange(len(counts))`` repeated by ``counts``."""
    from .indexing import index_select

    if repeats is None:  # the index form: input holds the counts
        counts = _repeat_counts(input, input._data.size)
        return _make(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    x = input.reshape(-1) if dim is None else input
    axis = 0 if dim is None else wrap_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        x = x.reshape(1)
    counts = _repeat_counts(repeats, x._data.shape[axis])
    idx = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    return named(index_select(x, axis, _make(idx)), "RepeatInterleaveBackward0")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r
    block of pixels."""
    r = upscale_factor
    shape = _check_pixel(input, r, "pixel_shuffle", "upscale_factor")
    *batch, c, h, w = shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    nb = len(batch)
    x = reshape(input, (*batch, c // (r * r), r, r, h, w))
    x = permute(x, (*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2))
    return reshape(x, (*batch, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse of pixel_shuffle."""
    r = downscale_factor
    shape = _check_pixel(input, r, "pixel_unshuffle", "downscale_factor")
    *batch, c, h, w = shape
    for name, size, at in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({at})={size} is not divisible by {r}"
            )
    nb = len(batch)
    x = reshape(input, (*batch, c, h // r, r, w // r, r))
    x = permute(x, (*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3))
    return reshape(x, (*batch, c * r * r, h // r, w // r))


def _check_pixel(input: Tensor, r: int, name: str, arg: str) -> tuple:
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(
            f"{name} expects input to have at least 3 dimensions, but got input with "
            f"{len(shape)} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"{name} expects a positive {arg}, but got {r}")
    return shape
