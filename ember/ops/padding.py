"""``F.pad``: constant, reflect, replicate and circular padding of the last dims.

The non-constant modes gather from the input: along each padded dim, output position i reads
input position ``src[i]`` (``np.pad`` of ``arange(n)`` in that mode gives the map). Backward
adds each output gradient into the position it was read from, which is the same map used as a
scatter-add; the two ops are each other's backward, so higher derivatives work.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor

_NP_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class ConstantPadNd(Op):
    @staticmethod
    def forward(ctx, x, flat, value):
        d = x._data
        nd = d.ndim
        widths = [(0, 0)] * nd
        crop = [slice(None)] * nd
        for i in range(len(flat) // 2):
            dim, lo, hi = nd - 1 - i, flat[2 * i], flat[2 * i + 1]
            widths[dim] = (max(lo, 0), max(hi, 0))
            full = max(lo, 0) + d.shape[dim] + max(hi, 0)
            crop[dim] = slice(-min(lo, 0), full + min(hi, 0))
        ctx.flat = flat
        return np.pad(d, widths, mode="constant", constant_values=value)[tuple(crop)].copy()

    @staticmethod
    def backward(ctx, g):
        # The adjoint of padding by p is padding by -p: pads become crops and crops zero-pads.
        return pad(g, tuple(-p for p in ctx.flat)), None, None


def _index_maps(shape: tuple, pads: list, mode: str) -> list:
    """Per padded dim: (dim, index map from output positions to input positions)."""
    maps = []
    for dim, (lo, hi) in pads:
        maps.append((dim, np.pad(np.arange(shape[dim]), (lo, hi), mode=_NP_MODES[mode])))
    return maps


class GatherPad(Op):
    """Non-constant padding: out = x gathered along each padded dim by its index map."""

    @staticmethod
    def forward(ctx, x, maps):
        out = x._data
        for dim, m in maps:
            out = np.take(out, m, axis=dim)
        ctx.maps, ctx.shape = maps, x._data.shape
        return out

    @staticmethod
    def backward(ctx, g):
        return ScatterPad.apply(g, ctx.maps, ctx.shape), None


class ScatterPad(Op):
    """The adjoint of GatherPad: add each gradient into the position it was read from."""

    @staticmethod
    def forward(ctx, g, maps, shape):
        out = g._data
        for dim, m in reversed(maps):
            acc_shape = list(out.shape)
            acc_shape[dim] = shape[dim]
            acc = np.zeros(acc_shape, out.dtype)
            # Sum over output positions sharing a source: add.at along dim via moveaxis.
            np.add.at(np.moveaxis(acc, dim, 0), m, np.moveaxis(out, dim, 0))
            out = acc
        ctx.maps = maps
        return out

    @staticmethod
    def backward(ctx, gg):
        return GatherPad.apply(gg, ctx.maps), None, None


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)`` starting
    from the last dim. Negative constant padding crops."""
    pad = tuple(int(p) for p in pad)
    nd = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {nd}"
        )
    pads = [(nd - 1 - i, (pad[2 * i], pad[2 * i + 1])) for i in range(len(pad) // 2)]
    shape = input._data.shape
    if mode == "constant":
        return ConstantPadNd.apply(input, pad, 0 if value is None else value)
    if mode not in _NP_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    k = len(pad) // 2
    if not (k + 1 <= nd <= k + 2) or k > 3:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    for dim, (lo, hi) in pads:
        if mode == "reflect" and (lo >= shape[dim] or hi >= shape[dim]):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                f"{list(shape)}"
            )
        if mode == "circular" and (lo > shape[dim] or hi > shape[dim]):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    return GatherPad.apply(input, _index_maps(shape, pads, mode))
