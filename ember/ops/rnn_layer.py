"""One recurrent layer in one direction over a whole sequence, as a single node.

``RecurrentLayer`` takes the input projections of every step (``xg``, one matmul made by the
caller), the initial state and the recurrent weights, and runs the time loop in NumPy: per
step one matmul and the gate arithmetic, no graph bookkeeping. Backward runs the loop in
reverse (backpropagation through time) and finds the weight gradients with one matmul over all
steps at the end (dW_hh = dZ^T H_prev) instead of one per step. Against a loop of per-step
nodes (``layer_steps``) this is 2-3x less time for an LSTM training step.

Under ``create_graph`` the backward instead rebuilds the layer from per-step nodes
(``ember.ops.rnn_cell``), whose backward is made of ember ops, and differentiates that, so
higher-order gradients are exact.

Layouts: padded time-major (T, B, G) (``time_dim=0``), batch-first (B, T, G) (``time_dim=1``),
or packed (N, G) (``time_dim=None``) where step t holds the first ``sizes[t]`` rows of the
batch. Internally the saved per-step arrays are stacked step after step ("step-major", the
packed layout), so the final weight-gradient matmuls see one contiguous block. The state keeps
all B rows: a step updates its first ``sizes[t]`` rows, so rows of sequences that ended (or,
in the reverse direction, have not started) keep their final (initial) state.
"""

from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ..tensor import _make
from .linear import linear
from .movement import cat
from .rnn_cell import (
    GruCell,
    LstmCell,
    RnnCell,
    _lstm_const,
    _sigmoid_np,
    split_rows,
    stack_steps,
    unbind_steps,
)

_state = grad_mode.state


# -- the per-step reference: one node per step (cells, and the create_graph path) ------------


def _stepper(mode: str, w_hh, b_hh, w_hr):
    """The function ``(xg_t, h, c) -> (h', c')`` of one time step."""
    if mode == "LSTM":

        def step(xg, h, c):
            h, c = LstmCell.apply(xg, linear(h, w_hh, b_hh), c)
            return (h if w_hr is None else linear(h, w_hr)), c

    elif mode == "GRU":

        def step(xg, h, c):
            return GruCell.apply(xg, linear(h, w_hh, b_hh), h), None

    else:
        relu = mode == "RNN_RELU"

        def step(xg, h, c):
            return RnnCell.apply(xg, linear(h, w_hh, b_hh), relu), None

    return step


def layer_steps(mode, xg, h, c, w_hh, b_hh, w_hr, reverse, time_dim, sizes):
    """The layer as per-step nodes; returns (output, h_n, c_n) (c_n None but for an LSTM)."""
    step = _stepper(mode, w_hh, b_hh, w_hr)
    xs = unbind_steps(xg, time_dim) if time_dim is not None else split_rows(xg, sizes)
    n = len(xs)
    batch = h._data.shape[0]
    outs = [None] * n
    for t in range(n - 1, -1, -1) if reverse else range(n):
        bs = sizes[t]
        if bs == batch:
            h, c = step(xs[t], h, c)
            outs[t] = h
        else:  # only the first bs rows take this step; the others keep their state
            h_new, c_new = step(xs[t], h[:bs], None if c is None else c[:bs])
            h = cat([h_new, h[bs:]], 0)
            c = None if c is None else cat([c_new, c[bs:]], 0)
            outs[t] = h_new
    out = stack_steps(outs, time_dim) if time_dim is not None else cat(outs, 0)
    return out, h, c


# -- the fused layer --------------------------------------------------------------------------


class _Plan:
    """Where step t lives: its rows in step-major storage and its view of the layout."""

    __slots__ = ("time_dim", "sizes", "offsets", "order", "rows", "batch", "steps")

    def __init__(self, time_dim, sizes, reverse):
        self.time_dim, self.sizes = time_dim, sizes
        self.steps = len(sizes)
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
        self.rows = int(sum(sizes))
        self.batch = sizes[0] if sizes else 0
        self.order = range(self.steps - 1, -1, -1) if reverse else range(self.steps)

    def walk(self, backward=False):
        """(t, batch size, rows in step-major storage) of each step, in the direction's order
        (its reverse for backward)."""
        for t in reversed(self.order) if backward else self.order:
            bs = self.sizes[t]
            yield t, bs, slice(self.offsets[t], self.offsets[t] + bs)

    def views(self, arr):
        if self.time_dim is None:
            return [arr[o : o + s] for o, s in zip(self.offsets, self.sizes)]
        if self.time_dim == 0:
            return list(arr)
        return [arr[:, t] for t in range(arr.shape[1])]

    def empty_like_layout(self, arr, width):
        return np.empty(arr.shape[:-1] + (width,), arr.dtype)

    def to_layout(self, step_major):
        if self.time_dim is None:
            return step_major
        a = step_major.reshape(self.steps, self.batch, step_major.shape[-1])
        return a if self.time_dim == 0 else a.transpose(1, 0, 2)


def _keep(state, new, bs):
    """The next full state: ``new`` for the first bs rows, the rest unchanged."""
    return new if bs == state.shape[0] else np.concatenate((new, state[bs:]))


def _lstm_forward(plan, x, h, c, w, b, w_r, save):
    hidden = c.shape[1]
    dt = x.dtype
    half, offset, _ = _lstm_const(hidden, dt)
    # The 1/2 inside sigmoid(v) = tanh(v / 2) / 2 + 1/2 goes into the weights and the input
    # projections once, so each step needs one tanh call over its four gates and no scaling.
    wt = np.ascontiguousarray(w.T * half)
    xb = x + b if b is not None else x.copy()
    xb *= half
    wrt = None if w_r is None else np.ascontiguousarray(w_r.T)
    out = plan.empty_like_layout(x, h.shape[1])
    xs, outs = plan.views(xb), plan.views(out)
    n = plan.rows
    act = np.empty((n, 4 * hidden), dt) if save else None
    gates = np.empty((n, 4 * hidden), dt) if save else None
    tcs = np.empty((n, hidden), dt) if save else None
    cps = np.empty((n, hidden), dt) if save else None
    hps = np.empty((n, h.shape[1]), dt) if save else None
    raws = np.empty((n, hidden), dt) if save and wrt is not None else None
    for t, bs, r in plan.walk():
        hp, cp = (h, c) if bs == h.shape[0] else (h[:bs], c[:bs])
        z = np.matmul(hp, wt, out=act[r]) if save else np.matmul(hp, wt)
        z += xs[t]
        np.tanh(z, out=z)
        y = np.multiply(z, half, out=gates[r]) if save else z * half
        y += offset  # (i, f, g, o)
        c_new = y[:, hidden : 2 * hidden] * cp
        c_new += y[:, :hidden] * y[:, 2 * hidden : 3 * hidden]
        tc = np.tanh(c_new)
        h_raw = y[:, 3 * hidden :] * tc
        h_new = h_raw if wrt is None else np.matmul(h_raw, wrt)
        outs[t][...] = h_new
        if save:
            tcs[r], cps[r], hps[r] = tc, cp, hp
            if raws is not None:
                raws[r] = h_raw
        h, c = _keep(h, h_new, bs), _keep(c, c_new, bs)
    return out, h, c, (act, gates, tcs, cps, hps, raws)


def _lstm_backward(plan, saved, g_out, g_h, g_c, w, w_r):
    act, gates, tcs, cps, hps, raws = saved
    hidden = tcs.shape[1]
    slope = _lstm_const(hidden, act.dtype)[2]
    g_outs = plan.views(g_out)
    dz_all = np.empty_like(act)
    dh_all = np.empty_like(hps) if w_r is not None else None
    dh, dc = g_h, g_c
    for t, bs, r in plan.walk(backward=True):
        dh_t = (dh if bs == dh.shape[0] else dh[:bs]) + g_outs[t]
        dc_t = dc if bs == dc.shape[0] else dc[:bs]
        if w_r is not None:
            dh_all[r] = dh_t
            dh_t = np.matmul(dh_t, w_r)  # through h = h_raw W_hr^T
        ta, tc, cp, y = act[r], tcs[r], cps[r], gates[r]
        i, f, g, o = (y[:, k * hidden : (k + 1) * hidden] for k in range(4))
        dcn = 1 - tc * tc
        dcn *= o
        dcn *= dh_t
        dcn += dc_t
        dz = dz_all[r]
        np.multiply(dcn, g, out=dz[:, :hidden])
        np.multiply(dcn, cp, out=dz[:, hidden : 2 * hidden])
        np.multiply(dcn, i, out=dz[:, 2 * hidden : 3 * hidden])
        np.multiply(dh_t, tc, out=dz[:, 3 * hidden :])
        deriv = 1 - ta * ta  # d gate / d pre-activation: slope * (1 - tanh^2)
        deriv *= slope
        dz *= deriv
        dh = _keep(dh, np.matmul(dz, w), bs)
        dc = _keep(dc, dcn * f, bs)
    dw_r = None if w_r is None else np.matmul(dh_all.T, raws)
    return dz_all, dz_all, dh, dc, dw_r


def _gru_forward(plan, x, h, c, w, b, w_r, save):
    hidden = h.shape[1]
    dt = x.dtype
    wt = np.ascontiguousarray(w.T)
    out = plan.empty_like_layout(x, hidden)
    xs, outs = plan.views(x), plan.views(out)
    n = plan.rows
    hgs = np.empty((n, 3 * hidden), dt) if save else None
    rzs = np.empty((n, 2 * hidden), dt) if save else None
    ns = np.empty((n, hidden), dt) if save else None
    hps = np.empty((n, hidden), dt) if save else None
    for t, bs, r in plan.walk():
        hp = h if bs == h.shape[0] else h[:bs]
        hg = np.matmul(hp, wt, out=hgs[r]) if save else np.matmul(hp, wt)
        if b is not None:
            hg += b
        xt = xs[t]
        rz = _sigmoid_np(xt[:, : 2 * hidden] + hg[:, : 2 * hidden])
        nn = rz[:, :hidden] * hg[:, 2 * hidden :]
        nn += xt[:, 2 * hidden :]
        np.tanh(nn, out=nn)
        h_new = hp - nn
        h_new *= rz[:, hidden:]
        h_new += nn
        outs[t][...] = h_new
        if save:
            rzs[r], ns[r], hps[r] = rz, nn, hp
        h = _keep(h, h_new, bs)
    return out, h, None, (hgs, rzs, ns, hps)


def _gru_backward(plan, saved, g_out, g_h, g_c, w, w_r):
    hgs, rzs, ns, hps = saved
    hidden = ns.shape[1]
    g_outs = plan.views(g_out)
    dx_all = np.empty_like(hgs)
    dhg_all = np.empty_like(hgs)
    dh = g_h
    for t, bs, r in plan.walk(backward=True):
        dh_t = (dh if bs == dh.shape[0] else dh[:bs]) + g_outs[t]
        rz, nn, hp = rzs[r], ns[r], hps[r]
        z = rz[:, hidden:]
        dn = (1 - z) * dh_t
        dn *= 1 - nn * nn
        dx, dhg = dx_all[r], dhg_all[r]
        np.multiply(dn, hgs[r][:, 2 * hidden :], out=dx[:, :hidden])
        np.multiply(dh_t, hp - nn, out=dx[:, hidden : 2 * hidden])
        dx[:, : 2 * hidden] *= rz * (1 - rz)
        dx[:, 2 * hidden :] = dn
        dhg[:, : 2 * hidden] = dx[:, : 2 * hidden]
        np.multiply(dn, rz[:, :hidden], out=dhg[:, 2 * hidden :])
        dh_prev = np.matmul(dhg, w)
        dh_prev += dh_t * z
        dh = _keep(dh, dh_prev, bs)
    return dx_all, dhg_all, dh, None, None


def _rnn_forward(plan, x, h, c, w, b, w_r, save, relu):
    hidden = h.shape[1]
    wt = np.ascontiguousarray(w.T)
    out = plan.empty_like_layout(x, hidden)
    xs, outs = plan.views(x), plan.views(out)
    ys = np.empty((plan.rows, hidden), x.dtype) if save else None
    hps = np.empty((plan.rows, hidden), x.dtype) if save else None
    for t, bs, r in plan.walk():
        hp = h if bs == h.shape[0] else h[:bs]
        z = np.matmul(hp, wt, out=ys[r]) if save else np.matmul(hp, wt)
        z += xs[t]
        if b is not None:
            z += b
        if relu:
            np.maximum(z, 0, out=z)
        else:
            np.tanh(z, out=z)
        outs[t][...] = z
        if save:
            hps[r] = hp
        h = _keep(h, z, bs)
    # The final state must not share memory with what backward reads.
    return out, (h.copy() if save else h), None, (ys, hps)


def _rnn_backward(plan, saved, g_out, g_h, g_c, w, w_r, relu):
    ys, hps = saved
    g_outs = plan.views(g_out)
    dz_all = np.empty_like(ys)
    dh = g_h
    for t, bs, r in plan.walk(backward=True):
        dh_t = (dh if bs == dh.shape[0] else dh[:bs]) + g_outs[t]
        y = ys[r]
        dz = dz_all[r]
        if relu:
            np.multiply(dh_t, y > 0, out=dz)
        else:
            np.multiply(dh_t, 1 - y * y, out=dz)
        dh = _keep(dh, np.matmul(dz, w), bs)
    return dz_all, dz_all, dh, None, None


class RecurrentLayer(Op):
    """(xg, h0, c0, w_hh, b_hh, w_hr) -> (output, h_n[, c_n]) for one layer and direction."""

    _name = "RecurrentLayerBackward"

    @staticmethod
    def forward(ctx, xg, h0, c0, w_hh, b_hh, w_hr, mode, reverse, time_dim, sizes):
        plan = _Plan(time_dim, sizes, reverse)
        save = ctx.inputs is not None
        args = (
            plan,
            xg._data,
            h0._data,
            None if c0 is None else c0._data,
            w_hh._data,
            None if b_hh is None else b_hh._data,
            None if w_hr is None else w_hr._data,
            save,
        )
        if mode == "LSTM":
            out, h, c, saved = _lstm_forward(*args)
        elif mode == "GRU":
            out, h, c, saved = _gru_forward(*args)
        else:
            out, h, c, saved = _rnn_forward(*args, mode == "RNN_RELU")
        if save:
            ctx.save_for_backward(xg, h0, c0, w_hh, b_hh, w_hr)
            ctx.plan, ctx.saved_arrays, ctx.mode = plan, saved, mode
            ctx.options = (mode, reverse, time_dim, sizes)
        if h is h0._data:  # cannot happen with >= 1 step; never alias an input
            h = h.copy()
        return (out, h, c) if mode == "LSTM" else (out, h)

    @staticmethod
    def backward(ctx, g_out, g_h, g_c=None):
        if _state.enabled:
            return _layer_backward_graph(ctx, g_out, g_h, g_c)
        xg, h0, c0, w_hh, b_hh, w_hr = ctx.saved_tensors
        plan, saved, mode = ctx.plan, ctx.saved_arrays, ctx.mode
        gc = None if g_c is None else g_c._data
        w = w_hh._data
        if mode == "LSTM":
            wr = None if w_hr is None else w_hr._data
            dx, dz, dh, dc, dw_r = _lstm_backward(plan, saved, g_out._data, g_h._data, gc, w, wr)
        elif mode == "GRU":
            dx, dz, dh, dc, dw_r = _gru_backward(plan, saved, g_out._data, g_h._data, gc, w, None)
        else:
            relu = mode == "RNN_RELU"
            dx, dz, dh, dc, dw_r = _rnn_backward(
                plan, saved, g_out._data, g_h._data, gc, w, None, relu
            )
        need = ctx.needs_input_grad
        h_prev = saved[-1] if mode != "LSTM" else saved[4]
        return (
            _make(plan.to_layout(dx)) if need[0] else None,
            _make(dh) if need[1] else None,
            _make(dc) if need[2] and dc is not None else None,
            _make(np.matmul(dz.T, h_prev)) if need[3] else None,
            _make(dz.sum(0)) if need[4] else None,
            _make(dw_r) if need[5] else None,
        )


class _Boundary(Op):
    """An identity node marking where the create_graph backward's inner pass stops."""

    @staticmethod
    def forward(ctx, x):
        return x._data.view()

    @staticmethod
    def backward(ctx, g):
        return g


def _layer_backward_graph(ctx, g_out, g_h, g_c):
    """create_graph: rebuild the layer from per-step nodes on the saved inputs and
    differentiate that (recording), stopping at the inputs."""
    from ..autograd import engine

    inputs = list(ctx.saved_tensors)
    mode, reverse, time_dim, sizes = ctx.options
    targets, nodes = [], []
    for k, t in enumerate(inputs):
        if t is not None and ctx.needs_input_grad[k]:
            inputs[k] = _Boundary.apply(t)
            targets.append(k)
            nodes.append(inputs[k].grad_fn)
    xg, h0, c0, w_hh, b_hh, w_hr = inputs
    out, h, c = layer_steps(mode, xg, h0, c0, w_hh, b_hh, w_hr, reverse, time_dim, sizes)
    outs, grads = [out, h], [g_out, g_h]
    if c is not None:
        outs.append(c)
        grads.append(g_c if g_c is not None else _make(np.zeros_like(c._data)))
    # The inner pass must not run on into the graph that made the inputs: the boundary
    # nodes say they need no input gradient while it runs.
    for node in nodes:
        node.needs_input_grad = (False,)
    try:
        found = engine.run(outs, grads, True, True, [inputs[k] for k in targets], False, True)
    finally:
        for node in nodes:
            node.needs_input_grad = (True,)
    result = [None] * 6
    for k, g in zip(targets, found):
        result[k] = g
    return tuple(result)


def recurrent_layer(mode, xg, h0, c0, w_hh, b_hh, w_hr, reverse, time_dim, sizes):
    """Run one layer-direction; returns (output, h_n, c_n) with c_n None but for an LSTM."""
    out = RecurrentLayer.apply(
        xg, h0, c0, w_hh, b_hh, w_hr, mode, reverse, time_dim, tuple(int(s) for s in sizes)
    )
    return (out[0], out[1], out[2]) if mode == "LSTM" else (out[0], out[1], None)
