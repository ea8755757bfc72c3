"""Resizing images and signals: ``interpolate`` (nearest, nearest-exact, linear, bilinear,
bicubic, trilinear, area) and the deprecated ``upsample*`` names.

Every mode but area is separable: along each spatial dim, output position ``o`` reads a few
input positions with fixed weights. So the op is, per dim, a gather of whole slices along that
dim times a weight, summed over the taps. The source indices grow with ``o``, so each gather's
gradient is a sum over runs of equal indices (``np.add.reduceat``), not a scattered add.

Source positions follow PyTorch's kernels (in the input's float precision), so the results
agree to rounding.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_CUBIC_A = -0.75  # the cubic convolution kernel's parameter, as in PyTorch (and OpenCV)


class GatherAxis(Op):
    """Slices of ``x`` along ``axis`` at ``idx`` (non-decreasing): ``np.take``."""

    @staticmethod
    def forward(ctx, x, idx, axis):
        ctx.idx, ctx.axis, ctx.n = idx, axis, x._data.shape[axis]
        return np.take(x._data, idx, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return ScatterAxis.apply(g, ctx.idx, ctx.axis, ctx.n), None, None


class ScatterAxis(Op):
    """The gradient of GatherAxis: slices of ``g`` summed into the positions ``idx`` name."""

    @staticmethod
    def forward(ctx, g, idx, axis, n):
        ctx.idx, ctx.axis = idx, axis
        d = g._data
        shape = list(d.shape)
        shape[axis] = n
        out = np.zeros(shape, d.dtype)
        if idx.size == 0 or d.size == 0:
            return out
        # idx is sorted: each distinct value is a run, and each run sums in one reduceat.
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        sums = np.add.reduceat(d, starts, axis=axis)
        where = [slice(None)] * d.ndim
        where[axis] = idx[starts]
        out[tuple(where)] = sums
        return out

    @staticmethod
    def backward(ctx, gg):
        return GatherAxis.apply(gg, ctx.idx, ctx.axis), None, None, None


# -- source positions ----------------------------------------------------------------------------


def _scale(n_in: int, n_out: int, factor, ftype) -> np.floating:
    """Input steps per output step: 1 / scale_factor when it was given (and kept), else
    in / out; in the kernel's float type."""
    if factor is not None and factor > 0:
        return ftype(1.0 / factor)
    return ftype(n_in) / ftype(n_out)


def _nearest_taps(n_in: int, n_out: int, factor, exact: bool):
    s = _scale(n_in, n_out, factor, np.float32)  # nearest uses float math for every dtype
    dst = np.arange(n_out)
    if exact:
        src = np.floor(((dst + 0.5) * np.float64(s)).astype(np.float32))
    else:
        src = np.floor(dst.astype(np.float32) * s)
    return [(np.minimum(src.astype(np.int64), n_in - 1), None)]


def _linear_taps(n_in: int, n_out: int, factor, align: bool, cubic: bool, dtype):
    ftype = np.float64 if dtype == np.float64 else np.float32
    dst = np.arange(n_out).astype(ftype)
    if align:
        s = ftype(n_in - 1) / ftype(n_out - 1) if n_out > 1 else ftype(0)
        src = s * dst
    else:
        s = _scale(n_in, n_out, factor, ftype)
        src = s * (dst + ftype(0.5)) - ftype(0.5)
        if not cubic:
            src = np.maximum(src, ftype(0))
    if not cubic:
        i0 = src.astype(np.int64)
        lam = src - i0.astype(ftype)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return [(i0, ftype(1) - lam), (i1, lam)]
    base = np.floor(src)
    t = src - base
    a = ftype(_CUBIC_A)

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    i = base.astype(np.int64)
    return [(np.clip(i - 1 + k, 0, n_in - 1), w) for k, w in enumerate(weights)]


def _resize_axis(x: Tensor, axis: int, taps, dtype) -> Tensor:
    shape = [1] * x._data.ndim
    out = None
    for idx, w in taps:
        part = GatherAxis.apply(x, idx, axis)
        if w is not None:
            shape[axis] = w.size
            part = part * _make(w.astype(dtype).reshape(shape))
        out = part if out is None else out + part
    return out


# -- interpolate --------------------------------------------------------------------------------


def _as_list(v, k: int, what: str, spatial: list):
    if isinstance(v, (tuple, list)):
        if len(v) != k:
            raise ValueError(
                f"Input and {'output' if what == 'output size' else what} must have the same "
                "number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and {_what_name(what)} "
                f"{tuple(v)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                f"and {what} in {_fmt(what)} format."
            )
        return list(v)
    return [v] * k


def _what_name(what: str) -> str:
    return "output size of" if what == "output size" else "scale_factor of shape"


def _fmt(what: str) -> str:
    return "(o1, o2, ...,oK)" if what == "output size" else "(s1, s2, ...,sK)"


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims (all after N and C) to ``size``, or by ``scale_factor``
    (output ``floor(in * scale_factor)``).

    Modes: 'nearest', 'nearest-exact', 'linear' (3-D input), 'bilinear' and 'bicubic' (4-D),
    'trilinear' (5-D), 'area' (adaptive average pooling). With ``align_corners=True`` the
    corner pixels of input and output line up (linear modes only).
    """
    nd = input._data.ndim
    if mode not in _MODES or nd not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the modes: "
            "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
            f"(got {mode})"
        )
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if mode in _LINEAR and _LINEAR[mode] != nd:
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs {_LINEAR[mode]}D input")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not supported by ember yet")
    k = nd - 2
    spatial = list(input._data.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None:
        out_size = _as_list(size, k, "output size", spatial)
        for s in out_size:
            if not isinstance(s, (int, np.integer)):
                raise TypeError(
                    f"interpolate(): size must be a tuple of ints, but got {type(s).__name__}"
                )
        factors = [None] * k
    else:
        factors = [float(f) for f in _as_list(scale_factor, k, "scale_factor", spatial)]
        out_size = [int(math.floor(n * f)) for n, f in zip(spatial, factors)]
        if recompute_scale_factor:
            factors = [None] * k
    out_size = [int(s) for s in out_size]
    if any(s <= 0 for s in out_size):
        names = "DHW"[3 - k :]
        ins = ", ".join(f"{c}: {n}" for c, n in zip(names, spatial))
        outs = ", ".join(f"{c}: {n}" for c, n in zip(names, out_size))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({ins}) output "
            f"({outs})"
        )
    d = input._data.dtype
    if d.kind != "f":
        kind = {"nearest-exact": "nearest_exact"}.get(mode, mode)
        raise NotImplementedError(
            f"\"upsample_{kind}{k}d_channels_last\" not implemented for '{_type_word(d)}'"
        )
    if mode == "area":
        return _area(input, out_size)
    x = input
    for j, (n_in, n_out, f) in enumerate(zip(spatial, out_size, factors)):
        if mode in ("nearest", "nearest-exact"):
            if n_in == n_out:
                continue
            taps = _nearest_taps(n_in, n_out, f, mode == "nearest-exact")
        else:
            taps = _linear_taps(n_in, n_out, f, bool(align_corners), mode == "bicubic", d)
        x = _resize_axis(x, 2 + j, taps, d)
    if x is input:
        x = input.clone()
    return named(x, _grad_name(mode, k))


def _grad_name(mode: str, k: int) -> str:
    base = {
        "nearest": "Nearest",
        "nearest-exact": "NearestExact",
        "linear": "Linear",
        "bilinear": "Bilinear",
        "bicubic": "Bicubic",
        "trilinear": "Trilinear",
    }[mode]
    return f"Upsample{base}{k}DBackward0"


def _area(input: Tensor, out_size: list) -> Tensor:
    from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

    if len(out_size) == 1:
        return adaptive_avg_pool1d(input, out_size[0])
    if len(out_size) == 2:
        return adaptive_avg_pool2d(input, tuple(out_size))
    raise NotImplementedError("interpolate(mode='area') of 5-D input is not supported by ember yet")


def _deprecated(name: str) -> None:
    warnings.warn(
        f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.",
        UserWarning,
        stacklevel=3,
    )


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
