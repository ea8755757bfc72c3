"""Embedding lookup: rows of a weight matrix picked by integer indices.

The weight's gradient adds each output row's gradient into the row it came from. Dense, it is
an ``np.add.at`` into zeros (an op of its own, ``EmbeddingDenseBackward``, whose backward is a
lookup again, so double backward works). With ``sparse=True`` it is a ``SparseTensor`` holding
only the rows that were used (see ember/sparse.py).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.function import Op
from ..tensor import Tensor, _make


class Embedding(Op):
    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq, sparse):
        if ctx.inputs is not None:
            ctx.args = (idx, weight._data.shape[0], padding_idx, scale_grad_by_freq, sparse)
        return weight._data[idx]

    @staticmethod
    def backward(ctx, g):
        idx, n_rows, padding_idx, by_freq, sparse = ctx.args
        if sparse:
            return _sparse_grad(g._data, idx, n_rows, padding_idx, by_freq), None, None, None, None
        gw = EmbeddingDenseBackward.apply(g, idx, n_rows, padding_idx, by_freq)
        return gw, None, None, None, None


class EmbeddingDenseBackward(Op):
    @staticmethod
    def forward(ctx, g, idx, n_rows, padding_idx, by_freq):
        gd = g._data
        dim = gd.shape[-1]
        flat = idx.reshape(-1)
        rows = gd.reshape(-1, dim)
        if by_freq:
            rows = rows / _counts(flat, n_rows)[flat][:, None].astype(gd.dtype)
        if ctx.inputs is not None:
            ctx.args = (idx, padding_idx, by_freq, n_rows)
        out = np.zeros((n_rows, dim), gd.dtype)
        np.add.at(out, flat, rows)
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    @staticmethod
    def backward(ctx, gg):
        idx, padding_idx, by_freq, n_rows = ctx.args
        if padding_idx is not None or by_freq:
            scale = np.ones(n_rows, gg._data.dtype)
            if by_freq:
                scale /= np.maximum(_counts(idx.reshape(-1), n_rows), 1)
            if padding_idx is not None:
                scale[padding_idx] = 0
            gg = gg * _make(scale[:, None])
        return Embedding.apply(gg, idx, None, False, False), None, None, None, None


def _counts(flat: np.ndarray, n_rows: int) -> np.ndarray:
    return np.bincount(flat, minlength=n_rows)


def _sparse_grad(gd: np.ndarray, idx: np.ndarray, n_rows: int, padding_idx, by_freq):
    from ..sparse import SparseTensor

    dim = gd.shape[-1]
    flat = idx.reshape(-1)
    rows = gd.reshape(-1, dim)
    if by_freq:
        rows = rows / _counts(flat, n_rows)[flat][:, None].astype(gd.dtype)
    if padding_idx is not None:
        keep = flat != padding_idx
        flat, rows = flat[keep], rows[keep]
    return SparseTensor._build(flat[None, :], np.array(rows, copy=True), (n_rows, dim))


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale, in place, the used rows whose norm exceeds max_norm (embedding_renorm_)."""
    rows = np.unique(idx)
    w = weight._data
    sub = w[rows]
    if norm_type == np.inf:
        norms = np.abs(sub).max(axis=1)
    else:
        norms = (np.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] = sub[big] * scale[:, None]
        weight._vc[0] += 1


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, dim) at the integer ``input`` indices.

    Shape: input (*) -> (*, dim).
    """
    d = input._data
    if d.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {dtypes.legacy_type_name(input.dtype)} instead (while "
            "checking arguments for embedding)"
        )
    n_rows = weight._data.shape[0]
    if d.size and (d.min() < 0 or d.max() >= n_rows):
        raise IndexError("index out of range in self")
    if padding_idx is not None:
        if not -n_rows <= padding_idx < n_rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= n_rows
    if max_norm is not None:
        _renorm_(weight, d, max_norm, norm_type)
    return Embedding.apply(weight, d, padding_idx, scale_grad_by_freq, sparse)
