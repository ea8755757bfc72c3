"""Multi-layer, optionally bidirectional recurrent networks over a whole sequence.

``lstm``, ``gru``, ``rnn_tanh`` and ``rnn_relu`` are the functions behind ``nn.LSTM``,
``nn.GRU`` and ``nn.RNN`` (PyTorch's ``torch.lstm`` ...). Per layer and direction: one matmul
projects the input of every time step at once, one ``Unbind`` node hands out the steps, then
the Python loop runs one ``linear`` (h W_hh^T + b_hh) and one fused cell node per step, and one
``Stack`` node gathers the outputs.

A packed batch (``batch_sizes`` given) holds the sequences sorted by decreasing length, time
step after time step: step t has ``batch_sizes[t]`` rows, the first ones of the batch. The
forward direction drops the finished rows from the state as the batch shrinks (keeping their
final state for ``h_n``); the reverse direction starts with the longest-running rows and adds
rows, from the initial state, as it walks back to step 0.

``params`` lists, per layer and direction (layer 0, layer 0 reverse, layer 1, ...),
``w_ih, w_hh`` then ``b_ih, b_hh`` when ``has_biases``, then ``w_hr`` for an LSTM with
projections: the order of PyTorch's ``_flat_weights``.
"""

from __future__ import annotations

import numpy as np

from .. import random as _random
from ..tensor import Tensor, _make
from .linear import linear
from .movement import cat
from .rnn_cell import GruCell, LstmCell, RnnCell, split_rows, stack_steps, unbind_steps


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


def _walk(step, xs, h, c, reverse: bool):
    """Padded batch: every step has all rows. Returns (outputs by time, h_n, c_n)."""
    n = len(xs)
    outs = [None] * n
    for t in range(n - 1, -1, -1) if reverse else range(n):
        h, c = step(xs[t], h, c)
        outs[t] = h
    return outs, h, c


def _walk_packed(step, xs, h, c, reverse: bool, sizes):
    """Packed batch: step t has the first ``sizes[t]`` rows (sizes never grow with t)."""
    n = len(xs)
    outs = [None] * n
    if not reverse:
        cur = h._data.shape[0]
        done_h, done_c = [], []
        for t in range(n):
            bs = sizes[t]
            if bs < cur:  # rows bs..cur have ended: their state is final
                done_h.append(h[bs:cur])
                h = h[:bs]
                if c is not None:
                    done_c.append(c[bs:cur])
                    c = c[:bs]
                cur = bs
            h, c = step(xs[t], h, c)
            outs[t] = h
        if done_h:
            h = cat([h] + done_h[::-1], 0)
            if c is not None:
                c = cat([c] + done_c[::-1], 0)
        return outs, h, c
    h_all, c_all = h, c
    cur = sizes[n - 1] if n else 0
    if cur < h_all._data.shape[0]:
        h = h_all[:cur]
        c = None if c_all is None else c_all[:cur]
    for t in range(n - 1, -1, -1):
        bs = sizes[t]
        if bs > cur:  # rows cur..bs start here, from the initial state
            h = cat([h, h_all[cur:bs]], 0)
            if c is not None:
                c = cat([c, c_all[cur:bs]], 0)
            cur = bs
        h, c = step(xs[t], h, c)
        outs[t] = h
    return outs, h, c


def _dropout(x: Tensor, p: float) -> Tensor:
    """Inverted dropout between layers (the same draw as nn.functional.dropout)."""
    dt = x._data.dtype
    if p >= 1.0:
        return x * _make(np.zeros(x._data.shape, dt))
    draw = _random.rng(None).random(
        x._data.shape, dtype=np.float64 if dt == np.float64 else np.float32
    )
    return x * _make(((draw >= p) * dt.type(1.0 / (1.0 - p))).astype(dt, copy=False))


def _run(
    mode,
    input,
    hx,
    params,
    has_biases,
    num_layers,
    dropout,
    train,
    bidirectional,
    batch_first,
    batch_sizes,
):
    dirs = 2 if bidirectional else 1
    per = len(params) // (num_layers * dirs)
    has_proj = per - (4 if has_biases else 2) == 1
    lstm = mode == "LSTM"
    h0, c0 = (hx if hx is not None else (None, None)) if lstm else (hx, None)
    sizes = None if batch_sizes is None else [int(s) for s in np.asarray(_arr(batch_sizes))]
    time_dim = 1 if batch_first and sizes is None else 0
    batch = sizes[0] if sizes is not None else input._data.shape[1 - time_dim]
    dt = input._data.dtype

    def initial(state, k, width):
        if state is None:
            return _make(np.zeros((batch, width), dt))
        return state[k]

    h0s = unbind_steps(h0, 0) if h0 is not None else None
    c0s = unbind_steps(c0, 0) if c0 is not None else None
    x = input
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w = params[k * per : (k + 1) * per]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            w_hr = w[-1] if has_proj else None
            h_width = w[1]._data.shape[1]
            h = initial(h0s, k, h_width)
            c = initial(c0s, k, w[1]._data.shape[0] // 4) if lstm else None
            xg = linear(x, w[0], b_ih)
            step = _stepper(mode, w[1], b_hh, w_hr)
            if sizes is None:
                steps, h, c = _walk(step, unbind_steps(xg, time_dim), h, c, d == 1)
                outs.append(stack_steps(steps, time_dim))
            else:
                steps, h, c = _walk_packed(step, split_rows(xg, sizes), h, c, d == 1, sizes)
                outs.append(cat(steps, 0))
            hs.append(h)
            cs.append(c)
        x = outs[0] if dirs == 1 else cat(outs, -1)
        if dropout and train and layer < num_layers - 1:
            x = _dropout(x, dropout)
    h_n = stack_steps(hs, 0)
    if lstm:
        return x, h_n, stack_steps(cs, 0)
    return x, h_n


def _arr(x):
    return x._data if isinstance(x, Tensor) else x


def lstm(
    input,
    hx,
    params,
    has_biases=True,
    num_layers=1,
    dropout=0.0,
    train=True,
    bidirectional=False,
    batch_first=False,
    *,
    batch_sizes=None,
):
    """Multi-layer LSTM over a sequence. ``hx = (h0, c0)`` (each (layers * dirs, batch, size))
    or None for zeros. Returns ``(output, h_n, c_n)``."""
    return _run(
        "LSTM",
        input,
        hx,
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
        batch_sizes,
    )


def gru(
    input,
    hx,
    params,
    has_biases=True,
    num_layers=1,
    dropout=0.0,
    train=True,
    bidirectional=False,
    batch_first=False,
    *,
    batch_sizes=None,
):
    """Multi-layer GRU over a sequence. Returns ``(output, h_n)``."""
    return _run(
        "GRU",
        input,
        hx,
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
        batch_sizes,
    )


def rnn_tanh(
    input,
    hx,
    params,
    has_biases=True,
    num_layers=1,
    dropout=0.0,
    train=True,
    bidirectional=False,
    batch_first=False,
    *,
    batch_sizes=None,
):
    """Multi-layer Elman RNN with tanh. Returns ``(output, h_n)``."""
    return _run(
        "RNN_TANH",
        input,
        hx,
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
        batch_sizes,
    )


def rnn_relu(
    input,
    hx,
    params,
    has_biases=True,
    num_layers=1,
    dropout=0.0,
    train=True,
    bidirectional=False,
    batch_first=False,
    *,
    batch_sizes=None,
):
    """Multi-layer Elman RNN with relu. Returns ``(output, h_n)``."""
    return _run(
        "RNN_RELU",
        input,
        hx,
        params,
        has_biases,
        num_layers,
        dropout,
        train,
        bidirectional,
        batch_first,
        batch_sizes,
    )
