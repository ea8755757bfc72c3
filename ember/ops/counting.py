"""Counting and searching: bincount, histc, count_nonzero, isin, argwhere, searchsorted,
bucketize. None of them is differentiable (their results are counts, masks and positions).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _make
from ._util import _type_word, as_tensor_operand, dims


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0..max occurs in a 1-D non-negative integer tensor (at least
    ``minlength`` bins); with ``weights``, the sum of the weights of each value."""
    d = input._data
    if d.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_type_word(d.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if d.ndim != 1 or (d.size and d.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _make(np.bincount(d, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != d.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # Float weights keep their dtype; any other weights count in float64, as in PyTorch.
    out_dtype = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return _make(np.bincount(d, weights=w, minlength=minlength).astype(out_dtype))


def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:
    """A histogram of ``bins`` equal bins over [min, max] (the data's range when both are 0);
    values outside are ignored, ``max`` itself falls in the last bin."""
    d = input._data
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_type_word(d.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and d.size:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_num(lo)}, {_num(hi)}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    x = d.reshape(-1)
    x = x[(x >= lo) & (x <= hi)]
    # NOTE: the bin straight from the linear map, in the input's dtype, as PyTorch's histc
    # computes it (no check against the edges, which round differently).
    pos = ((x - lo) * bins / (hi - lo)).astype(np.int64)
    return _make(np.bincount(np.clip(pos, 0, bins - 1), minlength=bins).astype(d.dtype))


def _num(v: float) -> str:
    if np.isnan(v):
        return "-nan"
    return str(int(v)) if v == int(v) else str(v)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """The number of non-zero elements, over ``dim`` (an int or a tuple) or all of them."""
    axes = dims(dim, input._data.ndim)
    return _make(np.asarray(np.count_nonzero(input._data, axis=axes)).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    """The indices of the non-zero elements, one row per element (``nonzero``)."""
    from .indexing import nonzero

    return nonzero(input)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """Whether each element of ``elements`` occurs in ``test_elements`` (either may be a
    number); a bool tensor of ``elements``'s shape."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(
            "isin() received an invalid combination of arguments - got "
            f"({type(elements).__name__}, {type(test_elements).__name__}), but expected one of "
            "(Tensor elements, Tensor test_elements), (Number element, Tensor test_elements), "
            "(Tensor elements, Number test_element)"
        )
    e, t = as_tensor_operand(elements), as_tensor_operand(test_elements)
    d = dtypes.result_type(e, t).np
    ea, ta = e._data.astype(d, copy=False), t._data.astype(d, copy=False)
    return _make(np.asarray(np.isin(ea, ta, assume_unique=assume_unique, invert=invert)))


def _side(right: bool, side) -> str:
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(
            f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
        )
    if right and side == "left":
        raise RuntimeError(
            "torch.searchsorted(): side and right can't be set to opposites, got side of left "
            "while right was True"
        )
    return side


def searchsorted(
    sorted_sequence: Tensor,
    input,
    *,
    out_int32: bool = False,
    right: bool = False,
    side=None,
    sorter=None,
) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` (sorted along
    its last dim) to keep it sorted: the first such place, or the last with ``right=True``.

    A sequence of more than one dim is searched row by row, its leading dims matching
    ``input``'s.
    """
    side = _side(right, side)
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    vals = np.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, axis=-1)
    if seq.ndim > 1 and (vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
        )
    common = np.result_type(seq.dtype, vals.dtype)
    seq, vals = seq.astype(common, copy=False), vals.astype(common, copy=False)
    if seq.ndim <= 1:
        out = np.searchsorted(seq.reshape(-1), vals, side=side)
    else:
        rows_s = seq.reshape(-1, seq.shape[-1])
        rows_v = vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(rows_s, rows_v)])
        out = out.reshape(vals.shape)
    return _make(np.asarray(out).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False):
    """The bucket of each value among 1-D ``boundaries``: ``i`` with
    ``boundaries[i-1] < x <= boundaries[i]`` (``<=`` and ``<`` swapped with ``right=True``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
