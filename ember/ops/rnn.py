"""Multi-layer, optionally bidirectional recurrent networks over a whole sequence.

``lstm``, ``gru``, ``rnn_tanh`` and ``rnn_relu`` are the functions behind ``nn.LSTM``,
``nn.GRU`` and ``nn.RNN`` (PyTorch's ``torch.lstm`` ...). Per layer and direction: one matmul
projects the input of every time step at once, then one ``RecurrentLayer`` node
(``rnn_layer.py``) runs the time loop; the directions' outputs are joined along the features
and, in training, dropout applies between layers.

A packed batch (``batch_sizes`` given) holds the sequences sorted by decreasing length, time
step after time step: step t has ``batch_sizes[t]`` rows, the first ones of the batch.

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
from .rnn_cell import stack_steps, unbind_steps
from .rnn_layer import recurrent_layer


def _dropout(x: Tensor, p: float) -> Tensor:
    """Inverted dropout between layers (the same draw as nn.functional.dropout)."""
    dt = x._data.dtype
    if p >= 1.0:
        return x * _make(np.zeros(x._data.shape, dt))
    draw = _random.rng(None).random(
        x._data.shape, dtype=np.float64 if dt == np.float64 else np.float32
    )
    return x * _make(((draw >= p) * dt.type(1.0 / (1.0 - p))).astype(dt, copy=False))


def _arr(x):
    return x._data if isinstance(x, Tensor) else x


def _network(mode: str, doc: str):
    """The public function for one ``mode`` (the four networks share signature and loop)."""

    def network(
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
        dirs = 2 if bidirectional else 1
        per = len(params) // (num_layers * dirs)
        has_proj = per - (4 if has_biases else 2) == 1
        is_lstm = mode == "LSTM"
        h0, c0 = (hx if hx is not None else (None, None)) if is_lstm else (hx, None)
        if batch_sizes is None:
            time_dim = 1 if batch_first else 0
            steps, batch = input._data.shape[time_dim], input._data.shape[1 - time_dim]
            sizes = [batch] * steps
        else:
            time_dim = None
            sizes = [int(s) for s in np.asarray(_arr(batch_sizes))]
            batch = sizes[0]
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
                c = initial(c0s, k, w[1]._data.shape[0] // 4) if is_lstm else None
                xg = linear(x, w[0], b_ih)
                out, h, c = recurrent_layer(
                    mode, xg, h, c, w[1], b_hh, w_hr, d == 1, time_dim, sizes
                )
                outs.append(out)
                hs.append(h)
                cs.append(c)
            x = outs[0] if dirs == 1 else cat(outs, -1)
            if dropout and train and layer < num_layers - 1:
                x = _dropout(x, dropout)
        h_n = stack_steps(hs, 0)
        if is_lstm:
            return x, h_n, stack_steps(cs, 0)
        return x, h_n

    network.__name__ = network.__qualname__ = mode.lower()
    network.__doc__ = doc
    return network


lstm = _network(
    "LSTM",
    """Multi-layer LSTM over a sequence. ``hx = (h0, c0)`` (each (layers * dirs, batch, size))
    or None for zeros. Returns ``(output, h_n, c_n)``.""",
)
gru = _network("GRU", "Multi-layer GRU over a sequence. Returns ``(output, h_n)``.")
rnn_tanh = _network("RNN_TANH", "Multi-layer Elman RNN with tanh. Returns ``(output, h_n)``.")
rnn_relu = _network("RNN_RELU", "Multi-layer Elman RNN with relu. Returns ``(output, h_n)``.")
