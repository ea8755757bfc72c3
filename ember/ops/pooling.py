"""Pooling: max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool1d/2d, adaptive_max_pool1d/2d.

The kernels (windows as strided slices, first-maximum masks) live in ``_pool_window``. Each
backward here is an op whose own backward is the forward's kind again (scatter <-> gather), so
``create_graph=True`` works. 1-D pools run as 2-D pools over a height of 1.
"""

from __future__ import annotations

import numpy as np

from .. import _parallel
from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._pool_window import (
    Window,
    adaptive_bounds,
    avg_divisor,
    avg_gather,
    avg_scatter,
    batch_slices,
    crop,
    first_max_hits,
    max_forward,
    max_indices,
    mean_matrix,
    out_len,
    pad,
)
from ._util import int_tuple
from .linalg import matmul

# -- max pooling ------------------------------------------------------------------------------


class MaxPool2DWithIndices(Op):
    """Max over each window; outputs (values, flat indices) when ``with_indices``."""

    @staticmethod
    def forward(ctx, x, win, with_indices):
        xp, out = max_forward(x._data, win)
        if ctx.inputs is not None:
            # A copy of the maxima: the output may be changed in place (relu_) before backward.
            padded = _make(xp) if xp is not x._data else None
            ctx.save_for_backward(x, _make(out.copy()), padded)
            ctx.win = win
        if with_indices:
            return out, max_indices(xp, out, win)
        return out

    @staticmethod
    def backward(ctx, g, *_):
        x, out, padded = ctx.saved_tensors
        xp = x._data if padded is None else padded._data
        return _MaxPoolScatter.apply(g, (xp, out._data, ctx.win)), None, None


def _keep_state(ctx, state) -> None:
    """Save (padded input, maxima, window) so that backward frees them like saved tensors."""
    xp, out, win = state
    ctx.save_for_backward(_make(xp), _make(out))
    ctx.win = win


def _state(ctx) -> tuple:
    xp, out = ctx.saved_tensors
    return xp._data, out._data, ctx.win


class _MaxPoolScatter(Op):
    """dx: each window's gradient added at its first maximum (the backward of max pooling)."""

    @staticmethod
    def forward(ctx, g, state):
        xp, out, win = state
        ga = g._data
        # NOTE: when the windows tile the input, every element is written below: np.empty
        # saves a pass over dx.
        dxp = (np.empty if win.tiles() else np.zeros)(xp.shape, ga.dtype)
        disjoint = win.disjoint()

        def run(sl):
            d, g = dxp[sl], ga[sl]
            for ix, hit in first_max_hits(xp[sl], out[sl], win):
                if disjoint:
                    np.multiply(g, hit, out=d[ix])
                else:
                    d[ix] += g * hit

        _parallel.map(run, batch_slices(xp))
        if ctx.inputs is not None:
            _keep_state(ctx, state)
        return crop(dxp, win)

    @staticmethod
    def backward(ctx, gg):
        return _MaxPoolGather.apply(gg, _state(ctx)), None

    def name(self) -> str:
        return "MaxPool2DWithIndicesBackwardBackward0"


class _MaxPoolGather(Op):
    """Each window's value at its first maximum (the adjoint of _MaxPoolScatter)."""

    @staticmethod
    def forward(ctx, gx, state):
        xp, out, win = state
        gp = pad(gx._data, win, 0)
        res = np.zeros(out.shape, gp.dtype)
        for ix, hit in first_max_hits(xp, out, win):
            res += gp[ix] * hit
        if ctx.inputs is not None:
            _keep_state(ctx, state)
        return res

    @staticmethod
    def backward(ctx, g):
        return _MaxPoolScatter.apply(g, _state(ctx)), None


# -- average pooling --------------------------------------------------------------------------


class AvgPool2D(Op):
    """Mean over each window: the sum of the k*k offset slices over the divisor."""

    @staticmethod
    def forward(ctx, x, win, div):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)  # only for its shape, and so a second backward raises
            ctx.win, ctx.div = win, div
        return avg_gather(x._data, win, div)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _AvgPoolScatter.apply(g, ctx.win, ctx.div, x._data.shape), None, None


class _AvgPoolScatter(Op):
    """The backward of average pooling; its own backward is average pooling again."""

    @staticmethod
    def forward(ctx, g, win, div, shape):
        if ctx.inputs is not None:
            ctx.win, ctx.div = win, div
        return avg_scatter(g._data, win, div, shape)

    @staticmethod
    def backward(ctx, gg):
        return AvgPool2D.apply(gg, ctx.win, ctx.div), None, None, None

    def name(self) -> str:
        return "AvgPool2DBackwardBackward0"


# -- adaptive pooling -------------------------------------------------------------------------


class AdaptiveAvgPool2D(Op):
    """Adaptive windows are rectangles, so the mean is separable: A_h @ x @ A_w^T with
    averaging matrices (two BLAS calls; handles overlapping uneven windows exactly)."""

    @staticmethod
    def forward(ctx, x, ah, aw):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)  # so that a second backward raises, as in PyTorch
            ctx.ah, ctx.aw = ah, aw
        return np.matmul(np.matmul(ah, x._data), aw.T)

    @staticmethod
    def backward(ctx, g):
        ctx.saved_tensors  # noqa: B018 - raises after the graph was freed
        # Written with ember's matmul so that it is differentiable again.
        return matmul(matmul(_make(ctx.ah.T), g), _make(ctx.aw)), None, None


class AdaptiveMaxPool2D(Op):
    """Max over uneven (possibly overlapping) adaptive windows, one window at a time."""

    @staticmethod
    def forward(ctx, x, out_hw):
        xa = x._data
        n, c, h, w = xa.shape
        oh, ow = out_hw
        (hs, he), (ws, we) = adaptive_bounds(h, oh), adaptive_bounds(w, ow)
        out = np.empty((n, c, oh, ow), xa.dtype)
        idx = np.empty((n, c, oh, ow), np.int64)
        for i in range(oh):
            for j in range(ow):
                region = xa[:, :, hs[i] : he[i], ws[j] : we[j]]
                flat = region.reshape(n, c, -1)
                a = flat.argmax(-1)  # the first maximum, as PyTorch picks among ties
                out[:, :, i, j] = np.take_along_axis(flat, a[..., None], -1)[..., 0]
                rw = we[j] - ws[j]
                idx[:, :, i, j] = (hs[i] + a // rw) * w + ws[j] + a % rw
        if ctx.inputs is not None:
            ctx.save_for_backward(x, _make(idx))
        return out, idx

    @staticmethod
    def backward(ctx, g, *_):
        x, idx = ctx.saved_tensors
        return _IndexScatter.apply(g, idx._data, x._data.shape), None


class _IndexScatter(Op):
    """dx[n, c, idx[n, c, k]] += g[n, c, k]: the backward of adaptive max pooling."""

    @staticmethod
    def forward(ctx, g, idx, shape):
        n, c = shape[:2]
        rows = np.arange(n * c)
        flat_idx = idx.reshape(n * c, -1)
        ga = g._data.reshape(n * c, -1)
        dx = np.zeros((n * c, shape[2] * shape[3]), ga.dtype)
        # Within one output position the (n, c) rows differ, so each += has no collisions;
        # windows may overlap, so positions are summed one output at a time.
        for k in range(flat_idx.shape[1]):
            dx[rows, flat_idx[:, k]] += ga[:, k]
        if ctx.inputs is not None:
            ctx.save_for_backward(_make(idx))
        return dx.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        (idx,) = ctx.saved_tensors
        return _IndexGather.apply(gg, idx._data), None, None


class _IndexGather(Op):
    @staticmethod
    def forward(ctx, gx, idx):
        n, c = idx.shape[:2]
        flat = gx._data.reshape(n * c, -1)
        if ctx.inputs is not None:
            ctx.save_for_backward(_make(idx))
            ctx.shape = gx._data.shape
        return np.take_along_axis(flat, idx.reshape(n * c, -1), 1).reshape(idx.shape)

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return _IndexScatter.apply(g, idx._data, ctx.shape), None


class _AdaptiveMaxPoolUniform(MaxPool2DWithIndices):
    """Adaptive max pooling whose windows tile the input evenly: a plain k == stride pool."""

    def name(self) -> str:
        return "AdaptiveMaxPool2DBackward0"


# -- argument checks and the functions users call ---------------------------------------------


def _pair(v, name: str, what: str, n: int = 2) -> tuple:
    return int_tuple(v, n, lambda _: f"{name}: {what}")


# PyTorch words the size errors of 1-D pools per function and argument.
_ONE_INT = {
    "kernel_size": "an int, list of ints or tuple of ints",
    "stride": "None, an int, list of ints, or tuple of ints",
    "padding": "an int, list of ints, or tuple of ints",
    "dilation": "an int, list of ints or tuple of ints",
}


def _one(v, name: str, arg: str) -> tuple:
    """A 1-D pool's option as a 1-tuple, with PyTorch's message for another length."""
    if name == "avg_pool1d":
        return int_tuple(
            v,
            1,
            lambda got: f"avg_pool1d() argument '{arg}' should contain one int (got {len(got)})",
        )
    return int_tuple(
        v,
        1,
        lambda got: f"{name}() {arg} must be {_ONE_INT[arg]} of size 1 but got size {len(got)}",
    )


def _no_stride(stride) -> bool:
    """PyTorch's pools take None or an empty list for "stride = kernel_size"."""
    return stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)


def _sz(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _window(x, nd, name, kernel_size, stride, padding, dilation, ceil_mode, lead=None) -> Window:
    """Validate the options of a 1-D/2-D pool over ``x`` (N, C, *spatial) and build its Window
    (2-D, H == 1 for 1-D pools), with PyTorch's messages."""
    if nd == 1:
        k = _one(kernel_size, name, "kernel_size")
        s = k if _no_stride(stride) else _one(stride, name, "stride")
        p, d = _one(padding, name, "padding"), _one(dilation, name, "dilation")
    else:
        k = _pair(
            kernel_size, name, "kernel_size must either be a single int, or a tuple of two ints"
        )
        s = (
            k
            if _no_stride(stride)
            else _pair(
                stride, name, "stride must either be omitted, a single int, or a tuple of two ints"
            )
        )
        p = _pair(padding, name, "padding must either be a single int, or a tuple of two ints")
        d = _pair(dilation, name, "dilation must be either a single int, or a tuple of two ints")
    if min(s) == 0:
        raise RuntimeError("stride should not be zero")
    if min(k) <= 0 or min(s) < 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[-1]}"
        )
    if min(d) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[-1]}"
        )
    if min(p) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    for kk, pp, dd in zip(k, p, d):
        if 2 * pp > dd * (kk - 1) + 1:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={pp}, "
                f"kernel_size={kk} and dilation={dd}"
            )
        if 2 * pp > kk:
            raise RuntimeError(
                f"pad should be smaller than or equal to half of kernel size, but got "
                f"padW = {p[-1]}, padH = {p[0]}, kW = {k[-1]}, kH = {k[0]}"
            )
    spatial = x._data.shape[2:]
    out = tuple(out_len(*a, ceil_mode) for a in zip(spatial, k, s, p, d))
    if min(out) <= 0:
        c = x._data.shape[1]
        given = "x".join(str(v) for v in (c,) + (1,) * (2 - nd) + spatial)
        calc = "x".join(str(v) for v in (c,) + (1,) * (2 - nd) + out)
        raise RuntimeError(
            f"Given input size: ({given}). Calculated output size: ({calc}). Output size is too "
            "small"
        )
    if nd == 1:
        return Window((1,) + k, (1,) + s, (0,) + p, (1,) + d, (1,) + spatial, (1,) + out)
    return Window(k, s, p, d, spatial, out)


def _batched(x, nd: int, fn):
    """Run ``fn`` on (N, C, *spatial) input; unbatched input gains and loses a batch dim."""
    if x._data.ndim == nd + 2:
        return fn(x)
    out = fn(x.unsqueeze(0))
    if isinstance(out, tuple):
        return tuple(o.squeeze(0) for o in out)
    return out.squeeze(0)


def _as2d(x, fn):
    """A 1-D pool as a 2-D one over a height of 1."""
    out = fn(x.unsqueeze(-2))
    if isinstance(out, tuple):
        return tuple(o.squeeze(-2) for o in out)
    return out.squeeze(-2)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
    return_indices=False,
):  # fmt: skip
    """Max over k x k windows of (N, C, H, W) or (C, H, W) input; stride defaults to the kernel.

    With ``return_indices`` also returns each maximum's flat index (h * W + w) in its plane.
    Ties go to the first maximum in the window, as in PyTorch.
    """
    shape = input._data.shape
    if input._data.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if 0 in shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{_sz(shape)}"
        )

    def run(x):
        win = _window(x, 2, "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode)
        return MaxPool2DWithIndices.apply(x, win, return_indices)

    return _batched(input, 2, run)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):  # fmt: skip
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
    return_indices=False,
):  # fmt: skip
    """Max over windows of (N, C, L) or (C, L) input."""
    shape = input._data.shape
    if input._data.ndim not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{_sz(shape)}"
        )
    k = _one(kernel_size, "max_pool1d", "kernel_size")
    p = _one(padding, "max_pool1d", "padding")
    if 2 * p[0] > k[0]:
        raise RuntimeError(
            "max_pool1d() padding should be at most half of kernel size, but got "
            f"padding={p[0]} and kernel_size={k[0]}"
        )

    def run(x):
        win = _window(x, 1, "max_pool1d", k, stride, p, dilation, ceil_mode)
        return _as2d(x, lambda x2: MaxPool2DWithIndices.apply(x2, win, return_indices))

    try:
        return _batched(input, 1, run)
    except RuntimeError as e:
        if "Output size is too small" not in str(e):
            raise
        size = out_len(shape[-1], k[0], *_1d_opts(stride, k, p, dilation), ceil_mode)
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {size}") from None


def _1d_opts(stride, k, p, dilation):
    s = k if _no_stride(stride) else _one(stride, "max_pool1d", "stride")
    return s[0], p[0], _one(dilation, "max_pool1d", "dilation")[0]


def avg_pool2d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
    divisor_override=None,
):  # fmt: skip
    """Mean over k x k windows of (N, C, H, W) or (C, H, W) input.

    ``count_include_pad`` counts zero padding in the divisor; ``divisor_override`` replaces it.
    """
    nd = input._data.ndim
    if nd < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got -3)"
        )
    if nd > 4 or 0 in input._data.shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{_sz(input._data.shape)}"
        )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")

    def run(x):
        win = _window(x, 2, "avg_pool2d", kernel_size, stride, padding, 1, ceil_mode)
        div = avg_divisor(win, count_include_pad, divisor_override, x._data.dtype)
        return AvgPool2D.apply(x, win, div)

    return _batched(input, 2, run)


def avg_pool1d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
):  # fmt: skip
    """Mean over windows of (N, C, L) or (C, L) input."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {nd}-dimensional tensor for argument #1 "
            "'self' (while checking arguments for avg_pool1d)"
        )

    def run(x):
        win = _window(x, 1, "avg_pool1d", kernel_size, stride, padding, 1, ceil_mode)
        div = avg_divisor(win, count_include_pad, None, x._data.dtype)
        return _as2d(x, lambda x2: AvgPool2D.apply(x2, win, div))

    return _batched(input, 1, run)


def _adaptive_size(input, output_size, name: str, nd: int) -> tuple:
    shape = input._data.shape
    if input._data.ndim not in (nd + 1, nd + 2):
        sep = ": " if "max" in name and nd == 2 else " "
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{sep}{_sz(shape)}"
        )
    if input._data.dtype.kind != "f":
        from ._util import _type_word

        raise NotImplementedError(
            f"\"{name}\" not implemented for '{_type_word(input._data.dtype)}'"
        )
    for i, s in enumerate(shape[1:] if input._data.ndim == nd + 2 else shape):
        if s == 0:
            d = i + (1 if input._data.ndim == nd + 2 else 0)
            raise RuntimeError(
                f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_sz(shape)} with dimension {d} being empty"
            )
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    out = tuple(shape[-nd + i] if o is None else int(o) for i, o in enumerate(output_size))
    if min(out) < 0:
        raise RuntimeError(
            f"{name}: elements of output_size must be greater than or equal to 0 but received "
            "{" + ", ".join(str(o) for o in out) + "}"
        )
    return out


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Mean over adaptive windows giving an (oh, ow) output; None keeps that input size."""
    oh, ow = _adaptive_size(input, output_size, "adaptive_avg_pool2d", 2)
    h, w = input._data.shape[-2:]
    dt = input._data.dtype
    return AdaptiveAvgPool2D.apply(input, mean_matrix(h, oh, dt), mean_matrix(w, ow, dt))


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    (ol,) = _adaptive_size(input, output_size, "adaptive_avg_pool1d", 1)
    dt = input._data.dtype
    ones = np.ones((1, 1), dt)
    return _as2d(
        input, lambda x: AdaptiveAvgPool2D.apply(x, ones, mean_matrix(x._data.shape[-1], ol, dt))
    )


def _adaptive_max(x, out_hw, return_indices: bool):
    h, w = x._data.shape[-2:]
    oh, ow = out_hw
    if oh and ow and h % oh == 0 and w % ow == 0:
        k = (h // oh, w // ow)
        win = Window(k, k, (0, 0), (1, 1), (h, w), (oh, ow))
        res = _AdaptiveMaxPoolUniform.apply(x, win, return_indices)
    else:
        res = AdaptiveMaxPool2D.apply(x, (oh, ow))
        if not return_indices:
            res = res[0]
    return res


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over adaptive windows giving an (oh, ow) output; optionally with flat indices."""
    out_hw = _adaptive_size(input, output_size, "adaptive_max_pool2d", 2)
    return _batched(input, 2, lambda x: _adaptive_max(x, out_hw, return_indices))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    (ol,) = _adaptive_size(input, output_size, "adaptive_max_pool1d", 1)
    return _batched(
        input, 1, lambda x: _as2d(x, lambda x2: _adaptive_max(x2, (1, ol), return_indices))
    )
