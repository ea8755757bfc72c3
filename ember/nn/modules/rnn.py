"""Recurrent layers: RNN, LSTM, GRU and their single-step cells.

The modules hold the weights, with PyTorch's names, shapes and order (``weight_ih_l0``,
``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``weight_hr_l0`` for an LSTM projection, then
``..._reverse`` for the second direction), so state_dicts move between the two libraries; and
they check and reshape what comes in (unbatched input, ``batch_first``, a PackedSequence, the
initial state). The math is in ``ember.ops.rnn`` (whole sequences) and ``ember.ops.rnn_cell``
(one step).
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ... import dtypes
from ...creation import empty
from ...device import check as _check_device
from ...ops import rnn as _rnn
from ...ops import rnn_cell as _cell
from ...tensor import Tensor, _make
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_FUNCTIONS = {
    "LSTM": _rnn.lstm,
    "GRU": _rnn.gru,
    "RNN_TANH": _rnn.rnn_tanh,
    "RNN_RELU": _rnn.rnn_relu,
}


def _factory(device, dtype) -> dict:
    _check_device(device)
    return {"dtype": dtypes.to_dtype(dtype) if dtype is not None else None}


def _check_type(name: str, value, kind) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")


class RNNBase(Module):
    """The shared body of RNN, LSTM and GRU: weights per layer and direction, input checks."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                UserWarning,
                stacklevel=3,
            )
        _check_type("bias", bias, bool)
        _check_type("batch_first", batch_first, bool)
        _check_type("input_size", input_size, int)
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        _check_type("hidden_size", hidden_size, int)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        kw = _factory(device, dtype)
        gate_size = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * dirs
            for direction in range(dirs):
                shapes = [
                    ("weight_ih", (gate_size, layer_input)),
                    ("weight_hh", (gate_size, out_size)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                suffix = "_reverse" if direction == 1 else ""
                names = [f"{base}_l{layer}{suffix}" for base, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(empty(*shape, **kw)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Nothing to do: the weights are never packed into one buffer here (cuDNN's need)."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- forward --------------------------------------------------------------------------

    def _dims_name(self) -> str:
        return type(self).__name__

    def forward(self, input, hx=None):
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        weights = self._flat_weights
        batch_sizes = sorted_indices = unsorted_indices = None
        batched = True
        if packed:
            input, batch_sizes, sorted_indices, unsorted_indices = input
            if hx is not None and sorted_indices is not None:
                hx = self._permute(hx, sorted_indices)
        else:
            nd = input.dim()
            if nd not in (2, 3):
                what = "tensor instead" if self.mode.startswith("RNN") else "instead"
                raise ValueError(
                    f"{self._dims_name()}: Expected input to be 2D or 3D, got {nd}D {what}"
                )
            batched = nd == 3
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            if hx is not None:
                hx = self._batch_hidden(hx, batched)
        self._check_input(input, batch_sizes, weights[0])
        if hx is not None:
            self._check_hidden(input, batch_sizes, hx)
        out = _FUNCTIONS[self.mode](
            input,
            hx,
            weights,
            self.bias,
            self.num_layers,
            self.dropout,
            self.training,
            self.bidirectional,
            self.batch_first,
            batch_sizes=batch_sizes,
        )
        output, hidden = out[0], (out[1], out[2]) if lstm else out[1]
        if packed:
            output = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                hidden = self._permute(hidden, unsorted_indices)
        elif not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            hidden = tuple(h.squeeze(1) for h in hidden) if lstm else hidden.squeeze(1)
        return output, hidden

    def _permute(self, hx, order: Tensor):
        if isinstance(hx, tuple):
            return tuple(h.index_select(1, order) for h in hx)
        return hx.index_select(1, order)

    def _batch_hidden(self, hx, batched: bool):
        """Check the initial state's dims against the input's, and add the batch dim."""
        want = 3 if batched else 2
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if self.mode == "LSTM":
            h, c = hx
            if h.dim() != want or c.dim() != want:
                raise RuntimeError(
                    f"For {kind} input, hx and cx should also be {want}-D but got "
                    f"({h.dim()}-D, {c.dim()}-D) tensors"
                )
            return (h, c) if batched else (h.unsqueeze(1), c.unsqueeze(1))
        if hx.dim() != want:
            raise RuntimeError(
                f"For {kind} input, hx should also be {want}-D but got {hx.dim()}-D tensor"
            )
        return hx if batched else hx.unsqueeze(1)

    def _check_input(self, input: Tensor, batch_sizes, weight: Tensor) -> None:
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        want = 2 if batch_sizes is not None else 3
        if input.dim() != want:
            raise RuntimeError(f"input must have {want} dimensions, got {input.dim()}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.shape[-1]}"
            )
        if batch_sizes is None and input.shape[1 if self.batch_first else 0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")

    def _check_hidden(self, input: Tensor, batch_sizes, hx) -> None:
        if batch_sizes is not None:
            batch = int(batch_sizes._data[0])
        else:
            batch = input.shape[0 if self.batch_first else 1]
        dirs = 2 if self.bidirectional else 1
        expected = (self.num_layers * dirs, batch, self.proj_size or self.hidden_size)
        if self.mode == "LSTM":
            cell = (self.num_layers * dirs, batch, self.hidden_size)
            _check_size(hx[0], expected, "Expected hidden[0] size {}, got {}")
            _check_size(hx[1], cell, "Expected hidden[1] size {}, got {}")
        else:
            _check_size(hx, expected, "Expected hidden size {}, got {}")


def _check_size(hx: Tensor, expected: tuple, msg: str) -> None:
    if tuple(hx.shape) != expected:
        raise RuntimeError(msg.format(expected, list(hx.shape)))


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    Args:
        input_size, hidden_size: features of x_t and h_t.
        num_layers: stacked layers (default 1). nonlinearity: 'tanh' or 'relu'.
        bias, batch_first, dropout (between layers, in training), bidirectional.

    Shape: input (T, N, input_size) ((N, T, ...) with batch_first, or unbatched (T, ...)),
    h_0 (num_layers * dirs, N, hidden_size) -> output (T, N, dirs * hidden_size), h_n.
    A PackedSequence input gives a PackedSequence output.

    Example:
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(ember.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: gates (i, f, g, o) from x_t and h_{t-1}; c_t = f c_{t-1} + i g,
    h_t = o tanh(c_t) (then h_t W_hr^T with ``proj_size`` > 0).

    Returns ``output, (h_n, c_n)``; shapes as RNN's, with h sized ``proj_size`` when set.

    Example:
        >>> lstm = nn.LSTM(10, 20, batch_first=True)
        >>> output, (h_n, c_n) = lstm(ember.randn(3, 5, 10))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: r, z = sigmoid(...), n = tanh(x W_in + b_in + r (h W_hn + b_hn)),
    h_t = (1 - z) n + z h_{t-1}. Returns ``output, h_n`` as RNN does."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# -- single steps ----------------------------------------------------------------------------


class RNNCellBase(Module):
    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, **kw))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _prepare(self, input: Tensor, states, name: str):
        """Validate; add the batch dim to unbatched input. Returns (input, states, batched)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[1]} expected "
                f"{self.input_size}"
            )
        batch = input.shape[0]
        out = []
        for k, h in enumerate(states):
            if h is None:
                h = _make(np.zeros((batch, self.hidden_size), input._data.dtype))
            elif not batched:
                h = h.unsqueeze(0)
            if h.shape[0] != batch:
                raise RuntimeError(
                    f"Input batch size {batch} doesn't match hidden{k} batch size {h.shape[0]}"
                )
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(
                    f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected "
                    f"{self.hidden_size}"
                )
            out.append(h)
        return input, out, batched

    def _weights(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


def _check_hidden_dims(name: str, states, label: str) -> None:
    for idx, h in enumerate(states):
        if h is not None and h.dim() not in (1, 2):
            which = f"hx[{idx}]" if label == "hx" else "hidden"
            raise ValueError(f"{name}: Expected {which} to be 1D or 2D, got {h.dim()}D instead")


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Shape: input (N, input_size) or (input_size,), hx like h' (N, hidden_size); hx defaults
    to zeros.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        _check_hidden_dims("RNNCell", [hx], "hidden")
        input, (h,), batched = self._prepare(input, [hx], "RNNCell")
        if self.nonlinearity == "tanh":
            out = _cell.rnn_tanh_cell(input, h, *self._weights())
        elif self.nonlinearity == "relu":
            out = _cell.rnn_relu_cell(input, h, *self._weights())
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: ``(h', c') = cell(x, (h, c))``; (h, c) default to zeros."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx=None):
        if hx is not None:
            _check_hidden_dims("LSTMCell", hx, "hx")
        states = [None, None] if hx is None else list(hx)
        input, (h, c), batched = self._prepare(input, states, "LSTMCell")
        h, c = _cell.lstm_cell(input, (h, c), *self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: ``h' = cell(x, h)``; h defaults to zeros."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        _check_hidden_dims("GRUCell", [hx], "hidden")
        input, (h,), batched = self._prepare(input, [hx], "GRUCell")
        out = _cell.gru_cell(input, h, *self._weights())
        return out if batched else out.squeeze(0)
