"""F.unfold (im2col: sliding blocks as columns) and F.fold (col2im: columns summed back into an
image). Each is the other's adjoint, so each one's backward is the other.

unfold reuses the convolution kernel of _im2col (one group, the batch-outer layout).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from ._im2col import OUTER, Geometry, im2col


def _pair(v, name: str) -> tuple:
    if isinstance(v, int):
        return (v, v)
    v = tuple(v)
    if len(v) == 1:
        return (v[0], v[0])
    if len(v) != 2:
        raise RuntimeError(f"{name} must be an int or a pair of ints, got {v}")
    return v


def _geometry(kernel_size, dilation, padding, stride) -> Geometry:
    (ph, pw) = _pair(padding, "padding")
    return Geometry(
        _pair(kernel_size, "kernel_size"),
        _pair(stride, "stride"),
        (ph, ph, pw, pw),
        _pair(dilation, "dilation"),
        1,
        False,
    )


def _col2im(cols: np.ndarray, geom: Geometry, hw: tuple, blocks: tuple) -> np.ndarray:
    """Columns (N, C*kh*kw, L) summed into (N, C, H, W): the adjoint of im2col."""
    n = cols.shape[0]
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    pt, pb, pl, pr = geom.pad
    h, w = hw
    bh, bw = blocks
    c = cols.shape[1] // (kh * kw)
    cols = cols.reshape(n, c, kh, kw, bh, bw)
    out = np.zeros((n, c, h + pt + pb, w + pl + pr), cols.dtype)
    hspan, wspan = sh * (bh - 1) + 1, sw * (bw - 1) + 1
    for i in range(kh):
        for j in range(kw):
            r, q = i * dh, j * dw
            out[:, :, r : r + hspan : sh, q : q + wspan : sw] += cols[:, :, i, j]
    return np.ascontiguousarray(out[:, :, pt : pt + h, pl : pl + w])


class Im2Col(Op):
    @staticmethod
    def forward(ctx, x, geom, blocks):
        ctx.geom, ctx.hw, ctx.blocks = geom, x._data.shape[2:], blocks
        cols = im2col(x._data, geom, OUTER, blocks)
        return cols.reshape(cols.shape[0], -1, cols.shape[-1])

    @staticmethod
    def backward(ctx, g):
        return Col2Im.apply(g, ctx.geom, ctx.hw, ctx.blocks), None, None


class Col2Im(Op):
    @staticmethod
    def forward(ctx, cols, geom, hw, blocks):
        ctx.geom, ctx.blocks = geom, blocks
        return _col2im(cols._data, geom, hw, blocks)

    @staticmethod
    def backward(ctx, g):
        return Im2Col.apply(g, ctx.geom, ctx.blocks), None, None, None


def _describe(geom: Geometry) -> str:
    return (
        f"kernel_size={geom.kernel}, dilation={geom.dilation}, padding={(geom.pad[0], geom.pad[2])}"
    )


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding blocks of (N, C, H, W) (or (C, H, W)) as columns: (N, C*kh*kw, L), L the number
    of blocks."""
    nd = input._data.ndim
    if nd not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {nd}D)")
    geom = _geometry(kernel_size, dilation, padding, stride)
    x = input.unsqueeze(0) if nd == 3 else input
    h, w = x._data.shape[2:]
    blocks = geom.out_size(h, w)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), {_describe(geom)}, calculated shape of "
            f"the array of sliding blocks as {blocks}, but its components must be at least one."
        )
    out = Im2Col.apply(x, geom, blocks)
    return out.squeeze(0) if nd == 3 else out


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Columns (N, C*kh*kw, L) summed back into an image (N, C, H, W), ``output_size`` (H, W);
    overlapping blocks add up."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
            f"(got {nd}D)"
        )
    geom = _geometry(kernel_size, dilation, padding, stride)
    hw = _pair(output_size, "output_size")
    x = input.unsqueeze(0) if nd == 2 else input
    k = geom.kernel[0] * geom.kernel[1]
    rows, length = x._data.shape[1:]
    if rows % k:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={rows} and kernel_size={geom.kernel}."
        )
    blocks = geom.out_size(*hw)
    if blocks[0] * blocks[1] != length:
        raise RuntimeError(
            f"Given output_size={hw}, {_describe(geom)}, stride={geom.stride}, expected size of "
            f"input's dimension 2 to match the calculated number of sliding blocks "
            f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={length}."
        )
    out = Col2Im.apply(x, geom, hw, blocks)
    return out.squeeze(0) if nd == 2 else out
