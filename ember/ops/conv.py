"""Convolution: conv1d, conv2d, conv_transpose1d/2d.

Three primitives, closed under differentiation, so ``create_graph=True`` works to any order:

- ``Convolution``   y = conv(x, w) + b
- ``ConvTranspose`` x = conv^T(y, w) + b, the adjoint of conv in its input (its input gradient)
- ``ConvWeight``    dw = conv_weight(x, dy), conv's weight gradient (bilinear in x and dy)

Each one's backward is written with the other two: conv's input gradient is a transposed conv
of dY, its weight gradient a ConvWeight of (x, dY), and so on round the triangle. On the
first-order path those calls run without recording, and ConvWeight reuses the columns the
forward pass built, so nothing is computed twice. The kernels live in ``_im2col``.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.function import Op
from ..tensor import Tensor, _make
from . import _im2col as k
from ._im2col import Geometry, as4d
from ._util import int_tuple, scalar_name


def _bias_dims(ndim: int) -> tuple:
    return (0, 2, 3) if ndim == 4 else (0, 2)


def _out_shape(a: np.ndarray, one_d: bool) -> np.ndarray:
    return a.reshape(a.shape[0], a.shape[1], a.shape[3]) if one_d else a


class Convolution(Op):
    """y = conv(x, w) + b. ``out_hw`` (normally None) keeps only the first output pixels."""

    @staticmethod
    def forward(ctx, x, w, b, geom, out_hw=None):
        xa = as4d(x._data)
        n = xa.shape[0]
        if out_hw is None:
            out_hw = geom.out_size(xa.shape[2], xa.shape[3])
        layout = geom.layout(n, *out_hw)
        y, cols = k.conv_forward(xa, as4d(w._data), geom, layout, out_hw)
        if b is not None:
            y += b._data.reshape(-1, 1, 1)
        if ctx.inputs is not None:
            # The columns are the costly part of the weight gradient: keep them for it (saved
            # like tensors, so they are freed after backward).
            ctx.save_for_backward(x, w, _make(cols) if ctx.needs_input_grad[1] else None)
            ctx.geom, ctx.layout = geom, layout
        return _out_shape(y, geom.one_d)

    @staticmethod
    def backward(ctx, gy):
        x, w, cols = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        gx = gw = gb = None
        if need[0]:
            gx = ConvTranspose.apply(gy, w, None, geom, as4d(x._data).shape[2:])
        if need[1]:
            gw = ConvWeight.apply(x, gy, geom, w._data.shape, (ctx.layout, cols._data))
        if need[2]:
            gb = gy.sum(_bias_dims(gy._data.ndim))
        return gx, gw, gb


class ConvTranspose(Op):
    """x = conv^T(y, w) + b, of spatial size ``out_hw`` (the adjoint of conv in its input)."""

    @staticmethod
    def forward(ctx, y, w, b, geom, out_hw):
        ya, wa = as4d(y._data), as4d(w._data)
        n, ho, wo = ya.shape[0], ya.shape[2], ya.shape[3]
        shape = (n, wa.shape[1] * geom.groups) + tuple(out_hw)
        x = k.conv_input(ya, wa, geom, geom.layout(n, ho, wo), shape)
        if b is not None:
            x += b._data.reshape(-1, 1, 1)
        if ctx.inputs is not None:
            ctx.save_for_backward(y, w)
            ctx.geom = geom
        return _out_shape(x, geom.one_d)

    @staticmethod
    def backward(ctx, gx):
        y, w = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        gy = gw = gb = None
        if need[0]:
            gy = Convolution.apply(gx, w, None, geom, as4d(y._data).shape[2:])
        if need[1]:
            gw = ConvWeight.apply(gx, y, geom, w._data.shape, None)
        if need[2]:
            gb = gx.sum(_bias_dims(gx._data.ndim))
        return gy, gw, gb

    def name(self) -> str:
        return "ConvolutionBackward0"


class ConvWeight(Op):
    """dw = conv_weight(x, dy): the gradient of <dy, conv(x, w)> with respect to w.

    ``cols`` is (layout, columns of x) from the forward pass, or None to build them.
    """

    @staticmethod
    def forward(ctx, x, gy, geom, wshape, cols):
        xa, ga = as4d(x._data), as4d(gy._data)
        if cols is None:
            layout, arr = geom.layout(ga.shape[0], ga.shape[2], ga.shape[3]), None
        else:
            layout, arr = cols
        w4 = wshape if len(wshape) == 4 else (wshape[0], wshape[1], 1, wshape[2])
        dw = k.conv_weight(xa, ga, geom, layout, w4, arr)
        if ctx.inputs is not None:
            ctx.save_for_backward(x, gy)
            ctx.geom = geom
        return dw.reshape(wshape)

    @staticmethod
    def backward(ctx, gw):
        x, gy = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        gx = ggy = None
        if need[0]:
            gx = ConvTranspose.apply(gy, gw, None, geom, as4d(x._data).shape[2:])
        if need[1]:
            ggy = Convolution.apply(x, gw, None, geom, as4d(gy._data).shape[2:])
        return gx, ggy

    def name(self) -> str:
        return "ConvolutionBackwardBackward0"


# -- argument checks and the functions users call ---------------------------------------------


def _tuple(v, n: int, what: str) -> tuple:
    return int_tuple(
        v,
        n,
        lambda got: (
            f"expected {what} to be a single integer value or a list of {n} values to "
            f"match the convolution dimensions, but got {what}={got}"
        ),
    )


def _sz(shape) -> str:
    return f"[{', '.join(str(s) for s in shape)}]"


def _check_dtypes(input: Tensor, weight: Tensor, bias) -> None:
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"Input type ({dtypes.legacy_type_name(input.dtype)}) and weight type "
            f"({dtypes.legacy_type_name(weight.dtype)}) should be the same"
        )
    if bias is not None and bias._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Input type ({scalar_name(input._data.dtype)}) and bias type "
            f"({scalar_name(bias._data.dtype)}) should be the same"
        )


def _channels_hint(input: Tensor, expected: int, nd: int) -> str:
    """A clearer word than PyTorch's for the two usual mistakes: channels-last images
    (N, H, W, C), and a batch of single-channel images without its channel dim (N, H, W)."""
    s = input._data.shape
    batched = len(s) == nd + 2
    if s[-1] == expected:
        perm, layout, want = {
            (2, True): ("(0, 3, 1, 2)", "(N, H, W, C)", "(N, C, H, W)"),
            (2, False): ("(2, 0, 1)", "(H, W, C)", "(C, H, W)"),
            (1, True): ("(0, 2, 1)", "(N, L, C)", "(N, C, L)"),
            (1, False): ("(1, 0)", "(L, C)", "(C, L)"),
        }[nd, batched]
        return (
            f". The input looks channels-last {layout}, but convolutions take {want}: "
            f"use x.permute{perm}"
        )
    if not batched and expected == 1:
        return (
            f". A {len(s)}-D input is one unbatched sample; if {s[0]} is the batch size, add the "
            "channel dimension: x.unsqueeze(1)"
        )
    return ""


def _ndim_hint(input: Tensor, nd: int) -> str:
    if nd == 2 and input._data.ndim == 2:
        return (
            ". conv2d takes images (N, C, H, W); flat rows need a reshape first, e.g. "
            "x.view(x.size(0), C, H, W)"
        )
    return ""


def _check_common(input, weight, bias, nd: int, name: str, transposed: bool, groups: int):
    dim = input._data.ndim
    if dim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_sz(input._data.shape)}" + _ndim_hint(input, nd)
        )
    ws = weight._data.shape
    if weight._data.ndim != nd + 2:
        what = "(in_channels, out_channels/groups, " if transposed else "(out_channels, "
        what += ("" if transposed else "in_channels/groups, ") + ("kL)" if nd == 1 else "kH, kW)")
        raise RuntimeError(
            f"{name}: expected a {nd + 2}-D weight {what}, but got weight of size {_sz(ws)}"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if ws[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {_sz(ws)} instead"
        )
    _check_dtypes(input, weight, bias)
    shape = input._data.shape if dim == nd + 2 else (1,) + input._data.shape
    c_in = ws[0] if transposed else ws[1] * groups
    if shape[1] != c_in:
        t = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(
            f"Given {t}, weight of size {_sz(ws)}, expected input{_sz(shape)} to have {c_in} "
            f"channels, but got {shape[1]} channels instead" + _channels_hint(input, c_in, nd)
        )
    c_out = ws[1] * groups if transposed else ws[0]
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != c_out):
        t = "transposed=1, weight" if transposed else "weight"
        raise RuntimeError(
            f"Given {t} of size {_sz(ws)}, expected bias to be 1-dimensional with {c_out} "
            f"elements, but got bias of size {_sz(bias._data.shape)} instead"
        )


def _check_positive(stride, dilation) -> None:
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")


def _geometry(kernel, stride, pads, dilation, groups, nd) -> Geometry:
    """A 2-D Geometry from per-dim options; 1-D ones become H == 1 with a 1-row kernel."""
    if nd == 1:
        return Geometry(
            (1, kernel[0]), (1, stride[0]), (0, 0) + pads[0], (1, dilation[0]), groups, True
        )
    return Geometry(kernel, stride, pads[0] + pads[1], dilation, groups, False)


def _conv(input, weight, bias, stride, padding, dilation, groups, nd: int, name: str) -> Tensor:
    _check_common(input, weight, bias, nd, name, False, groups)
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    _check_positive(stride, dilation)
    kernel = weight._data.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # An even kernel pads one more after than before, as PyTorch does.
            tot = [d * (kk - 1) for d, kk in zip(dilation, kernel)]
            pads = tuple((t // 2, t - t // 2) for t in tot)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _tuple(padding, nd, "padding")
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((v, v) for v in p)
    batched = input._data.ndim == nd + 2
    spatial = input._data.shape[-nd:]
    padded = [s + a + b for s, (a, b) in zip(spatial, pads)]
    span = [d * (kk - 1) + 1 for d, kk in zip(dilation, kernel)]
    if any(p < s for p, s in zip(padded, span)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater than "
            "actual input size"
        )
    geom = _geometry(kernel, stride, pads, dilation, groups, nd)
    if not batched:
        return Convolution.apply(input.unsqueeze(0), weight, bias, geom).squeeze(0)
    return Convolution.apply(input, weight, bias, geom)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution (cross-correlation) over (N, C, L) or unbatched (C, L) input.

    Args: weight (out_channels, in_channels/groups, kL); padding an int, a tuple, 'valid' or
    'same'. Returns (N, out_channels, L_out).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution (cross-correlation) over (N, C, H, W) or unbatched (C, H, W) input.

    Args: weight (out_channels, in_channels/groups, kH, kW); stride, dilation an int or a pair;
    padding an int, a pair, 'valid' or 'same'. Returns (N, out_channels, H_out, W_out).

    Example: ``conv2d(x, w, b, padding=2)`` with x (64, 1, 28, 28), w (6, 1, 5, 5).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_t(input, weight, bias, stride, padding, output_padding, groups, dilation, nd, name):
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    _check_common(input, weight, bias, nd, name, True, groups)
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    _check_positive(stride, dilation)
    pad = _tuple(padding, nd, "padding")
    if any(v < 0 for v in pad):
        raise RuntimeError("negative padding is not supported")
    opad = _tuple(output_padding, nd, "output_padding")
    if any(o >= s and o >= d for o, s, d in zip(opad, stride, dilation)) or min(opad) < 0:
        hw = ("height", "width") if nd == 2 else ("width",)
        facts = [f"output_padding_{a}: {o}" for a, o in zip(hw, opad)]
        facts += [f"stride_{a}: {s}" for a, s in zip(hw, stride)]
        facts += [f"dilation_{a}: {d}" for a, d in zip(hw, dilation)]
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(facts)
        )
    kernel = weight._data.shape[2:]
    spatial = input._data.shape[-nd:]
    out = [
        (i - 1) * s - 2 * p + d * (kk - 1) + o + 1
        for i, s, p, d, kk, o in zip(spatial, stride, pad, dilation, kernel, opad)
    ]
    if min(out) < 1:
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, spatial))}). Calculated output "
            f"size per channel: ({' x '.join(map(str, out))}). Output size is too small"
        )
    geom = _geometry(kernel, stride, tuple((p, p) for p in pad), dilation, groups, nd)
    out_hw = tuple(out) if nd == 2 else (1, out[0])
    if input._data.ndim == nd + 1:
        return ConvTranspose.apply(input.unsqueeze(0), weight, bias, geom, out_hw).squeeze(0)
    return ConvTranspose.apply(input, weight, bias, geom, out_hw)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """1-D transposed convolution; weight (in_channels, out_channels/groups, kL)."""
    return _conv_t(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
        "conv_transpose1d",
    )  # fmt: skip


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """2-D transposed convolution (the gradient of conv2d with respect to its input).

    Args: weight (in_channels, out_channels/groups, kH, kW); output_padding adds rows/columns
    on one side (smaller than stride or dilation). Returns (N, out_channels, H_out, W_out) with
    H_out = (H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1.
    """
    return _conv_t(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
        "conv_transpose2d",
    )  # fmt: skip
