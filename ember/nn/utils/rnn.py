"""Variable-length sequences for the recurrent layers: padding and packing.

A ``PackedSequence`` holds a batch of sequences sorted by decreasing length, stored time step
after time step: ``data`` has the rows of step 0 (one per sequence), then those of step 1 (one
per sequence still running), ...; ``batch_sizes[t]`` counts the rows of step t. The recurrent
layers then do no work on padding. ``sorted_indices`` remembers the order the batch had before
sorting (None when it was sorted already), ``unsorted_indices`` undoes it.

Every function is differentiable in the sequences' values: rows move through one gather node
(``ember.ops.rnn_cell.take_rows``) whose backward writes them back.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ...ops.movement import cat
from ...ops.rnn_cell import take_rows
from ...tensor import Tensor, _make

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]

_Fields = namedtuple(
    "PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"]
)


def _long(values) -> Tensor:
    return _make(np.asarray(values, dtype=np.int64))


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _make(out)


class PackedSequence(_Fields):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``; make one with
    ``pack_padded_sequence`` or ``pack_sequence``, not by hand."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if batch_sizes is None:  # PyTorch also accepts the fields as one tuple
            data, batch_sizes, *rest = data
            sorted_indices = rest[0] if rest else None
            unsorted_indices = rest[1] if len(rest) > 1 else None
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> PackedSequence:
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data.to(...)``; the index tensors stay int64 on the CPU."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self._with_data(self.data.cpu(*args, **kwargs))

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self._with_data(self.data.cuda(*args, **kwargs))

    def double(self) -> PackedSequence:
        return self._with_data(self.data.double())

    def float(self) -> PackedSequence:
        return self._with_data(self.data.float())

    def half(self) -> PackedSequence:
        return self._with_data(self.data.half())

    def long(self) -> PackedSequence:
        return self._with_data(self.data.long())

    def int(self) -> PackedSequence:
        return self._with_data(self.data.int())

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray([int(v) for v in lengths], dtype=np.int64)


def pack_padded_sequence(
    input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of sequences with the
    given ``lengths``. With ``enforce_sorted`` the lengths must be decreasing; otherwise the
    batch is sorted here and the order is remembered."""
    lens = _lengths_array(lengths)
    shape = input._data.shape
    steps, batch = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    if lens.size != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
            f"(batch_size={batch})"
        )
    if enforce_sorted:
        if np.any(lens[:-1] < lens[1:]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _long(order)
    if lens.size and lens.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if lens.size and lens.max() > steps:
        raise RuntimeError(
            f"a sequence length ({int(lens.max())}) exceeds the padded length ({steps}) of the "
            "input"
        )
    sorted_lens = lens[order]
    # running[t, k]: the k-th longest sequence has a step t (row-major: step after step).
    running = np.arange(int(sorted_lens[0]) if lens.size else 0)[:, None] < sorted_lens
    t, k = np.nonzero(running)
    b = order[k]
    rows = b * steps + t if batch_first else t * batch + b
    flat = input.reshape((steps * batch,) + shape[2:])
    batch_sizes = running.sum(axis=1)
    return PackedSequence(take_rows(flat, rows), _long(batch_sizes), sorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: ``(padded, lengths)``, in the batch's original order."""
    data, batch_sizes, sorted_indices, _ = sequence
    sizes = batch_sizes._data.astype(np.int64)
    steps = len(sizes)
    batch = int(sizes[0]) if steps else 0
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps_out = total_length
    else:
        steps_out = steps
    order = sorted_indices._data if sorted_indices is not None else np.arange(batch)
    sorted_lens = np.count_nonzero(sizes[:, None] > np.arange(batch), axis=0)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    t, k = np.nonzero(np.arange(steps)[:, None] < sorted_lens)
    b = order[k]
    pos = b * steps_out + t if batch_first else t * batch + b
    index = np.full(steps_out * batch, -1, dtype=np.intp)
    index[pos] = offsets[t] + k
    out = take_rows(data, index, padding_value)
    lead = (batch, steps_out) if batch_first else (steps_out, batch)
    out = out.reshape(lead + tuple(data._data.shape[1:]))
    lengths = np.empty(batch, dtype=np.int64)
    lengths[order] = sorted_lens
    return out, _make(lengths)


def pad_sequence(
    sequences,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences (L_i, *) into (T, B, *) (or (B, T, *)), padding with ``padding_value``
    after each (``padding_side='right'``) or before it (``'left'``)."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    tail = seqs[0]._data.shape[1:]
    for s in seqs[1:]:
        other = s._data.shape[1:]
        if other != tail:
            dim = next((i for i, (a, b) in enumerate(zip(other, tail), 1) if a != b), len(tail) + 1)
            first = tail[dim - 1] if dim - 1 < len(tail) else 1
            this = other[dim - 1] if dim - 1 < len(other) else 1
            raise RuntimeError(
                f"The size of tensor a ({first}) must match the size of tensor b ({this}) at "
                f"non-singleton dimension {dim}"
            )
    lens = np.array([s._data.shape[0] if s._data.ndim else 1 for s in seqs], dtype=np.int64)
    seqs = [s.reshape(1) if s._data.ndim == 0 else s for s in seqs]
    batch, steps = len(seqs), int(lens.max())
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    t, b = np.nonzero(np.arange(steps)[:, None] < lens)
    src = starts[b] + t
    if padding_side == "left":
        t = t + (steps - lens[b])
    pos = b * steps + t if batch_first else t * batch + b
    index = np.full(steps * batch, -1, dtype=np.intp)
    index[pos] = src
    out = take_rows(cat(seqs, 0), index, padding_value)
    lead = (batch, steps) if batch_first else (steps, batch)
    return out.reshape(lead + tuple(seqs[0]._data.shape[1:]))


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The sequences of a padded batch, each cut to its length."""
    lens = _lengths_array(lengths)
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[i, : int(n)] for i, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) directly."""
    lengths = [s._data.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences a PackedSequence holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
