"""Recurrent cells: one time step of RNN (tanh / relu), LSTM and GRU as fused primitives.

A step takes the two gate pre-activations, ``xg = x W_ih^T + b_ih`` and ``hg = h W_hh^T +
b_hh`` (both one matmul, done by ``linear``), and applies all of the gate arithmetic in one
node: an LSTM step is ~10 NumPy calls forward and ~15 back instead of ~25 recorded ops each
way. These nodes serve nn.RNNCell / LSTMCell / GRUCell, and the create_graph backward of the
whole-sequence layers (rnn_layer.py), which walk the steps with ``Unbind`` / ``Stack`` (one
node each, not one per step).

Gate order is PyTorch's: LSTM (i, f, g, o), GRU (r, z, n) with ``b_hn`` inside ``r * (...)``.

Backward without ``create_graph`` is straight NumPy on what forward kept; with it, the step is
recomputed from the saved inputs with ember's ops, so higher-order gradients are exact.
"""

from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ..tensor import Tensor, _make
from .elementwise import relu, sigmoid, tanh
from .linear import linear
from .movement import cat

_state = grad_mode.state

# Per (gates, hidden, dtype): the constants that turn one tanh call into the LSTM activations,
# sigmoid(z) = 0.5 * tanh(z / 2) + 0.5 (exact, and stable for any z).
_LSTM_CONST: dict = {}


def _lstm_const(hidden: int, dtype):
    key = (hidden, dtype)
    c = _LSTM_CONST.get(key)
    if c is None:
        half = np.full(4 * hidden, 0.5, dtype)
        half[2 * hidden : 3 * hidden] = 1.0  # the g gate is a plain tanh
        offset = np.where(half == 0.5, 0.5, 0.0).astype(dtype)
        # d act / dz = slope * (1 - tanh^2): 1/4 for the sigmoids, 1 for tanh.
        slope = (half * half).astype(dtype)
        c = _LSTM_CONST[key] = (half, offset, slope)
    return c


def _sigmoid_np(z: np.ndarray) -> np.ndarray:
    t = np.tanh(z * z.dtype.type(0.5))
    t *= 0.5
    t += 0.5
    return t


class LstmCell(Op):
    """(xg, hg, c) -> (h', c'): c' = f c + i g, h' = o tanh(c') with (i, f, g, o) from xg + hg."""

    _name = "LstmCellBackward"

    @staticmethod
    def forward(ctx, xg, hg, c):
        cd = c._data
        hidden = cd.shape[-1]
        half, offset, _ = _lstm_const(hidden, cd.dtype)
        z = np.add(xg._data, hg._data)
        z *= half
        t = np.tanh(z, out=z)
        y = t * half
        y += offset
        i, f, g, o = (y[..., k * hidden : (k + 1) * hidden] for k in range(4))
        c_new = f * cd
        c_new += i * g
        tc = np.tanh(c_new)
        h = o * tc
        if ctx.inputs is not None:
            ctx.save_for_backward(xg, hg, c)
            ctx.arrays = (t, y, tc, cd)
        return h, c_new

    @staticmethod
    def backward(ctx, gh, gc):
        if _state.enabled:
            return _lstm_backward_graph(ctx, gh, gc)
        t, y, tc, cd = ctx.arrays
        hidden = cd.shape[-1]
        i, f, g, o = (y[..., k * hidden : (k + 1) * hidden] for k in range(4))
        ghd = gh._data
        # dL/dc' collects the direct gradient and the one through h' = o tanh(c').
        dc = 1 - tc * tc
        dc *= o
        dc *= ghd
        dc += gc._data
        dy = np.empty_like(y)
        np.multiply(dc, g, out=dy[..., :hidden])
        np.multiply(dc, cd, out=dy[..., hidden : 2 * hidden])
        np.multiply(dc, i, out=dy[..., 2 * hidden : 3 * hidden])
        np.multiply(ghd, tc, out=dy[..., 3 * hidden :])
        dz = 1 - t * t
        dz *= _lstm_const(hidden, cd.dtype)[2]
        dz *= dy
        gz = _make(dz)
        gcp = _make(dc * f) if ctx.needs_input_grad[2] else None
        return gz, gz, gcp


def _lstm_backward_graph(ctx, gh, gc):
    """The LSTM step's gradients as recorded ember ops (create_graph=True)."""
    xg, hg, c = ctx.saved_tensors
    z = xg + hg
    zi, zf, zg, zo = z.chunk(4, -1)
    i, f, g, o = sigmoid(zi), sigmoid(zf), tanh(zg), sigmoid(zo)
    c_new = f * c + i * g
    tc = tanh(c_new)
    dc = gh * o * (1 - tc * tc) + gc
    dz = cat(
        [
            dc * g * i * (1 - i),
            dc * c * f * (1 - f),
            dc * i * (1 - g * g),
            gh * tc * o * (1 - o),
        ],
        -1,
    )
    return dz, dz, (dc * f if ctx.needs_input_grad[2] else None)


class GruCell(Op):
    """(xg, hg, h) -> h' = (1 - z) n + z h, n = tanh(x_n + r * hg_n), (r, z) = sigmoid(xg + hg)."""

    _name = "GruCellBackward"

    @staticmethod
    def forward(ctx, xg, hg, h):
        hd = h._data
        hidden = hd.shape[-1]
        xd, hgd = xg._data, hg._data
        rz = _sigmoid_np(xd[..., : 2 * hidden] + hgd[..., : 2 * hidden])
        r, z = rz[..., :hidden], rz[..., hidden:]
        hn = hgd[..., 2 * hidden :]
        n = r * hn
        n += xd[..., 2 * hidden :]
        np.tanh(n, out=n)
        out = hd - n
        out *= z
        out += n
        if ctx.inputs is not None:
            ctx.save_for_backward(xg, hg, h)
            ctx.arrays = (rz, n, hn, hd)
        return out

    @staticmethod
    def backward(ctx, g):
        if _state.enabled:
            return _gru_backward_graph(ctx, g)
        rz, n, hn, hd = ctx.arrays
        hidden = hd.shape[-1]
        r, z = rz[..., :hidden], rz[..., hidden:]
        gd = g._data
        dn = (1 - z) * gd
        dn *= 1 - n * n  # now d/d(n's pre-activation)
        drz = np.empty_like(rz)
        np.multiply(dn, hn, out=drz[..., :hidden])
        np.multiply(gd, hd - n, out=drz[..., hidden:])
        drz *= rz * (1 - rz)
        gx = np.concatenate([drz, dn], axis=-1)
        ghg = np.concatenate([drz, dn * r], axis=-1)
        gh = _make(gd * z) if ctx.needs_input_grad[2] else None
        return _make(gx), _make(ghg), gh


def _gru_backward_graph(ctx, g):
    xg, hg, h = ctx.saved_tensors
    hidden = h._data.shape[-1]
    xr, xz, xn = xg.split(hidden, -1)
    hr, hz, hn = hg.split(hidden, -1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = tanh(xn + r * hn)
    dn = g * (1 - z) * (1 - n * n)
    dr = dn * hn * r * (1 - r)
    dz = g * (h - n) * z * (1 - z)
    gx = cat([dr, dz, dn], -1)
    ghg = cat([dr, dz, dn * r], -1)
    return gx, ghg, (g * z if ctx.needs_input_grad[2] else None)


class RnnCell(Op):
    """(xg, hg) -> tanh(xg + hg) or relu(xg + hg)."""

    _name = "RnnCellBackward"
    saves_output = True

    @staticmethod
    def forward(ctx, xg, hg, use_relu):
        z = np.add(xg._data, hg._data)
        if ctx.inputs is not None:
            ctx.save_for_backward(xg, hg)
            ctx.use_relu = use_relu
        if use_relu:
            return np.maximum(z, 0, out=z)
        return np.tanh(z, out=z)

    @staticmethod
    def backward(ctx, g):
        if _state.enabled:
            xg, hg = ctx.saved_tensors
            y = relu(xg + hg) if ctx.use_relu else tanh(xg + hg)
            dz = g * (y > 0) if ctx.use_relu else g * (1 - y * y)
            return dz, dz, None
        y = ctx.output()._data
        dz = g._data * (y > 0) if ctx.use_relu else g._data * (1 - y * y)
        gz = _make(dz)
        return gz, gz, None


# -- walking the time steps: one node to split a sequence, one to gather it -----------------


class Unbind(Op):
    """The slices of ``x`` along ``dim`` (views); backward stacks their gradients."""

    _name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        d = x._data
        lead = (slice(None),) * dim
        return tuple(d[lead + (k,)] for k in range(d.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(ctx.dim, *grads), None


class Stack(Op):
    """Tensors of one shape joined along a new ``dim``; backward unbinds the gradient."""

    _name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack([x._data for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None,) + Unbind.apply(g, ctx.dim)


class SplitRows(Op):
    """Consecutive row blocks of ``x`` of the given sizes (a packed batch's time steps)."""

    _name = "SplitWithSizesBackward0"

    @staticmethod
    def forward(ctx, x, sizes):
        ends = np.cumsum(sizes)
        return tuple(x._data[e - s : e] for s, e in zip(sizes, ends))

    @staticmethod
    def backward(ctx, *grads):
        return cat(list(grads), 0), None


def unbind_steps(x: Tensor, dim: int) -> tuple:
    out = Unbind.apply(x, dim)
    return out if isinstance(out, tuple) else (out,)


def stack_steps(xs, dim: int) -> Tensor:
    return Stack.apply(dim, *xs)


def split_rows(x: Tensor, sizes) -> tuple:
    out = SplitRows.apply(x, tuple(int(s) for s in sizes))
    return out if isinstance(out, tuple) else (out,)


# -- the cell functions (torch.lstm_cell, torch.gru_cell, torch.rnn_tanh_cell, ...) ----------


def lstm_cell(input: Tensor, hx, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """One LSTM step: returns ``(h', c')`` from ``hx = (h, c)``."""
    h, c = hx
    return LstmCell.apply(linear(input, w_ih, b_ih), linear(h, w_hh, b_hh), c)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """One GRU step: returns ``h'``."""
    return GruCell.apply(linear(input, w_ih, b_ih), linear(hx, w_hh, b_hh), hx)


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """One Elman step: ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return RnnCell.apply(linear(input, w_ih, b_ih), linear(hx, w_hh, b_hh), False)


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None):
    """One Elman step with relu."""
    return RnnCell.apply(linear(input, w_ih, b_ih), linear(hx, w_hh, b_hh), True)


__all__ = [
    "GruCell",
    "LstmCell",
    "RnnCell",
    "gru_cell",
    "lstm_cell",
    "rnn_relu_cell",
    "rnn_tanh_cell",
    "split_rows",
    "stack_steps",
    "take_rows",
    "unbind_steps",
]


# -- rows in and out of a packed batch (nn.utils.rnn's pack / pad) --------------------------


class TakeRows(Op):
    """``out[k] = x[index[k]]``, or ``fill`` where ``index[k] < 0``.

    Each row of ``x`` is taken at most once, so backward writes rows back by assignment instead
    of the scatter-add a general index needs.
    """

    _name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, index, fill):
        ctx.n, ctx.index = x._data.shape[0], index
        valid = index >= 0
        if valid.all():
            return x._data[index]
        out = np.full((len(index),) + x._data.shape[1:], fill, x._data.dtype)
        out[valid] = x._data[index[valid]]
        return out

    @staticmethod
    def backward(ctx, g):
        return PutRows.apply(g, ctx.index, ctx.n), None, None


class PutRows(Op):
    """The adjoint of TakeRows: zeros of ``n`` rows with row ``index[k]`` set to ``g[k]``."""

    @staticmethod
    def forward(ctx, g, index, n):
        ctx.index = index
        valid = index >= 0
        out = np.zeros((n,) + g._data.shape[1:], g._data.dtype)
        out[index[valid]] = g._data[valid]
        return out

    @staticmethod
    def backward(ctx, gg):
        return TakeRows.apply(gg, ctx.index, 0), None, None


def take_rows(x: Tensor, index: np.ndarray, fill=0) -> Tensor:
    return TakeRows.apply(x, np.asarray(index, dtype=np.intp), fill)
