"""Norms and small helpers of ``torch.linalg``: vector_norm, matrix_norm, norm, vecdot,
multi_dot, diagonal, vander, and ``torch.dist``.

Composed from the vector-norm primitive (statistics.py), reductions and the singular values
(linalg_decomp.py), so their gradients come from those.
"""

from __future__ import annotations

from .. import dtypes
from ..autograd.function import named
from ..tensor import Tensor
from ._util import _type_word, dims, wrap_dim
from .statistics import LinalgVectorNorm

_INF = float("inf")


def _float_input(A: Tensor, dtype, fname: str) -> Tensor:
    if A._data.dtype.kind != "f":
        raise RuntimeError(
            f"{fname}: Expected a floating point or complex tensor as input. Got "
            f"{_type_word(A._data.dtype)}"
        )
    if dtype is not None:
        A = A.to(dtypes.to_dtype(dtype))
    return A


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements when None); ord may be inf
    (max |x|), -inf (min |x|) or 0 (the count of non-zeros)."""
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    x = _float_input(x, dtype, "linalg.vector_norm")
    axes = dims(dim, x._data.ndim)
    if axes == ():
        axes = None
    return LinalgVectorNorm.apply(x, float(ord), axes, keepdim)


def _two_dims(dim, ndim: int) -> tuple:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        got = len(dim) if isinstance(dim, (tuple, list)) else 1
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
    d0, d1 = (wrap_dim(d, ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):
    """A matrix norm over the two dims ``dim``: 'fro' (Frobenius), 'nuc' (sum of singular
    values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min column sum of
    ``|A|``), inf / -inf (max / min row sum)."""
    if A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    A = _float_input(A, dtype, "linalg.matrix_norm")
    d0, d1 = _two_dims(dim, A._data.ndim)
    if ord == "fro":
        return LinalgVectorNorm.apply(A, 2.0, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        from .linalg_decomp import svdvals

        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    if ord in (1, -1, _INF, -_INF):
        # 1: the largest column sum (sum over rows, then the extreme over columns); inf: rows.
        inner, outer = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(inner, keepdim=True)
        out = sums.amax(outer, keepdim=True) if ord > 0 else sums.amin(outer, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a
    2-D input with ``ord`` given); with neither ord nor dim, the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            if isinstance(ord, str):
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got 1")
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    n = A._data.ndim
    if n not in (1, 2):
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {n}D."
        )
    if n == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot product of vectors along ``dim`` (the other dims broadcasting)."""
    return (x * y).sum(dim)


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices; the first and last may be vectors."""
    from .linalg import matmul

    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast), over all elements."""
    return named(vector_norm(input - other, p), "DistBackward0")


def linalg_diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of a batch of matrices (by default over the last two dims), as a view."""
    from .diagonal import diagonal

    return diagonal(A, offset, dim1, dim2)


def vander(x: Tensor, N: int | None = None) -> Tensor:
    """The Vandermonde matrix of the last dim: ``x[..., None] ** arange(N)``, powers
    increasing."""
    from ..creation import arange

    n = (x._data.shape[-1] if x._data.ndim else 0) if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    return x.unsqueeze(-1) ** arange(n, dtype=x.dtype)
