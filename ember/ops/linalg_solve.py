"""Inverses and solves (``torch.linalg``): inv, det, slogdet, logdet, solve, solve_triangular,
cholesky, matrix_power.

Forward by ``numpy.linalg`` (LAPACK, batched over leading dims); backward by the textbook
formulas written with ember's ops, so higher-order gradients work. Failures raise
``LinAlgError`` (a RuntimeError) with PyTorch's facts: which batch element, which pivot.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import return_types
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word


class LinAlgError(RuntimeError):
    """A matrix that a decomposition cannot handle (singular, not positive-definite)."""


# -- argument checks ------------------------------------------------------------------------------


def check_matrix(A: Tensor, fname: str, square: bool = True) -> None:
    """PyTorch's checks on a batch of matrices: >= 2 dims, floating point, square."""
    if A._data.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind != "f":
        raise RuntimeError(
            f"{fname}: Expected a floating point or complex tensor as input. Got "
            f"{_type_word(A._data.dtype)}"
        )
    m, n = A._data.shape[-2:]
    if square and m != n:
        raise RuntimeError(
            f"{fname}: A must be batches of square matrices, but they are {m} by {n} matrices"
        )


def _batch_prefix(d: np.ndarray, bad: int) -> str:
    return f"(Batch element {bad}): " if d.ndim > 2 else ""


def _zero_pivot(a: np.ndarray) -> int:
    """The 1-based index of the first zero pivot of LU with partial pivoting (LAPACK's info),
    or 0: which diagonal element of U is zero for a singular matrix."""
    a = a.astype(np.float64).copy()
    n = a.shape[0]
    first = 0
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            first = first or k + 1
            continue
        a[[k, p]] = a[[p, k]]
        a[k + 1 :, k:] -= np.outer(a[k + 1 :, k] / a[k, k], a[k, k:])
    return first


def _singular_error(d: np.ndarray, fname: str, what: str) -> LinAlgError:
    mats = d.reshape(-1, *d.shape[-2:])
    for b, a in enumerate(mats):
        k = _zero_pivot(a)
        if k:
            return LinAlgError(
                f"{fname}: {_batch_prefix(d, b)}The diagonal element {k} is zero, the {what} "
                "could not be completed because the input matrix is singular."
            )
    return LinAlgError(f"{fname}: The {what} could not be completed: the matrix is singular.")


# -- inv ------------------------------------------------------------------------------------------


class LinalgInv(Op):
    _name = "LinalgInvExBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, A):
        d = A._data
        try:
            return np.linalg.inv(d)
        except np.linalg.LinAlgError:
            raise _singular_error(d, "linalg.inv", "inversion") from None

    @staticmethod
    def backward(ctx, g):
        # d(A^-1) = -A^-1 dA A^-1, so dL/dA = -A^-T g A^-T.
        yt = ctx.output().mT
        return -(yt @ g @ yt)


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix in ``A``; singular ones raise LinAlgError."""
    check_matrix(A, "linalg.inv")
    return LinalgInv.apply(A)


inverse = inv


def inv_ex(A: Tensor, *, check_errors: bool = False):
    """``(inverse, info)``: info is 0, or for a singular matrix the 1-based index of its zero
    pivot (the inverse is then NaN), unless ``check_errors`` raises instead."""
    check_matrix(A, "linalg.inv_ex")
    d = A._data
    mats = d.reshape(-1, *d.shape[-2:])
    info = np.array([_zero_pivot(a) if np.linalg.det(a) == 0 else 0 for a in mats], np.int32)
    if not info.any():
        out = LinalgInv.apply(A)
    elif check_errors:
        raise _singular_error(d, "linalg.inv_ex", "inversion")
    else:
        good = np.where(info[:, None, None] == 0, mats, np.eye(d.shape[-1], dtype=d.dtype))
        res = np.linalg.inv(good)
        res[info > 0] = np.nan
        out = _make(res.reshape(d.shape))
    return return_types.linalg_inv_ex(out, _make(info.reshape(d.shape[:-2])))


# -- determinants ---------------------------------------------------------------------------------


def _cofactor(d: np.ndarray) -> np.ndarray:
    """The cofactor matrix det(A) A^-T, by the SVD so that it is defined for singular A too:
    with A = U diag(s) Vh it is det(U) det(Vh) U diag(prod_{j != i} s_j) Vh."""
    u, s, vh = np.linalg.svd(d)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return (u * others[..., None, :]) @ vh * sign[..., None, None]


class LinalgDet(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, A):
        if ctx.inputs is not None:
            ctx.save_for_backward(A)
        return np.asarray(np.linalg.det(A._data))

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        det = ctx.output()
        gd = (g * det).unsqueeze(-1).unsqueeze(-1)
        if (det._data != 0).all():
            # d det(A) = det(A) tr(A^-1 dA): the gradient is det(A) A^-T.
            return gd * inv(A).mT
        # NOTE: a singular A has no inverse; its cofactor matrix is the gradient (computed in
        # NumPy, so a second derivative through it is not available).
        return g.unsqueeze(-1).unsqueeze(-1) * _make(_cofactor(A._data).astype(A._data.dtype))


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix in ``A``."""
    check_matrix(A, "linalg.det")
    return LinalgDet.apply(A)


class LinalgSlogdet(Op):
    @staticmethod
    def forward(ctx, A):
        if ctx.inputs is not None:
            ctx.save_for_backward(A)
        sign, logabs = np.linalg.slogdet(A._data)
        return np.asarray(sign), np.asarray(logabs)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        (A,) = ctx.saved_tensors
        # d log|det A| = tr(A^-1 dA); the sign is piecewise constant.
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def slogdet(A: Tensor):
    """``(sign, logabsdet)`` with ``det(A) = sign * exp(logabsdet)``, without overflow."""
    check_matrix(A, "linalg.slogdet")
    return return_types.linalg_slogdet(*LinalgSlogdet.apply(A))


def _legacy_slogdet(A: Tensor):
    return return_types.slogdet(*slogdet(A))


def logdet(A: Tensor) -> Tensor:
    """``log(det(A))``: NaN for a negative determinant, -inf for a zero one."""
    check_matrix(A, "linalg.det")
    sign, logabs = LinalgSlogdet.apply(A)
    from .elementwise import log

    return named(logabs + log(_make(sign._data)), "LogdetBackward0")


# -- solve ----------------------------------------------------------------------------------------


class LinalgSolve(Op):
    """X with A X = B for matrices B (batch dims broadcast)."""

    _name = "LinalgSolveExBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, A, B):
        if ctx.inputs is not None:
            ctx.save_for_backward(A)
        try:
            return np.linalg.solve(A._data, B._data)
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        # dX = A^-1 (dB - dA X): dL/dB = A^-T g, dL/dA = -(dL/dB) X^T.
        gb = LinalgSolve.apply(A.mT, g)
        ga = -(gb @ ctx.output().mT) if ctx.needs_input_grad[0] else None
        return ga, gb


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """The solution X of ``A X = B`` (``X A = B`` with ``left=False``). ``B`` may be a batch
    of vectors (shape ``A.shape[:-1]``, or 1-D) or of matrices."""
    check_matrix(A, "linalg.solve")
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_type_word(A._data.dtype)} and B of type {_type_word(B._data.dtype)} instead"
        )
    if not left:
        return solve(A.mT, B.mT).mT
    n = A._data.shape[-1]
    sb = B._data.shape
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and sb == A._data.shape[:-1])
    rows = sb[-1] if vector else (sb[-2] if B._data.ndim >= 2 else sb[0])
    if rows != n:
        cols = 1 if vector else sb[-1]
        raise RuntimeError(
            "linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({n}x{n} and {rows}x{cols})"
        )
    if vector:
        return LinalgSolve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return LinalgSolve.apply(A, B)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """``(result, info)`` of ``solve``, info all 0: a singular matrix raises either way."""
    out = solve(A, B, left=left)
    return return_types.linalg_solve_ex(out, _make(np.zeros(A._data.shape[:-2], np.int32)))


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """X with ``A X = B`` for triangular ``A`` (only its upper or lower triangle is read; a
    unit diagonal is assumed with ``unitriangular``)."""
    from .diagonal import tril, triu

    check_matrix(A, "linalg.solve_triangular")
    T = triu(A) if upper else tril(A)
    if unitriangular:
        eye = _make(np.eye(A._data.shape[-1], dtype=bool))
        T = T.masked_fill(eye, 1.0)
    if not left:
        return LinalgSolve.apply(T.mT, B.mT).mT
    return LinalgSolve.apply(T, B)


# -- cholesky -------------------------------------------------------------------------------------


def _not_pd_error(d: np.ndarray, fname: str) -> LinAlgError:
    mats = d.reshape(-1, *d.shape[-2:])
    for b, a in enumerate(mats):
        for k in range(1, a.shape[-1] + 1):
            try:
                np.linalg.cholesky(a[:k, :k])
            except np.linalg.LinAlgError:
                return LinAlgError(
                    f"{fname}: {_batch_prefix(d, b)}The factorization could not be completed "
                    "because the input is not positive-definite (the leading minor of order "
                    f"{k} is not positive-definite)."
                )
    return LinAlgError(f"{fname}: the input is not positive-definite.")


class LinalgCholesky(Op):
    _name = "LinalgCholeskyExBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, A):
        try:
            return np.linalg.cholesky(A._data)
        except np.linalg.LinAlgError:
            raise _not_pd_error(A._data, "linalg.cholesky") from None

    @staticmethod
    def backward(ctx, g):
        from .diagonal import diagonal, tril

        L = ctx.output()
        # A = L L^T gives L^-1 dA L^-T = X + X^T with X = L^-1 dL lower triangular, so
        # dL = L Phi(L^-1 dA L^-T), Phi taking the lower triangle with the diagonal halved.
        # Its adjoint: dL/dA = L^-T Phi(L^T g) L^-1, symmetrized (A is symmetric).
        P = tril(L.mT @ g)
        P = P - _diag_embed(diagonal(P, 0, -2, -1) * 0.5)
        Li = inv(L)
        S = Li.mT @ P @ Li
        return (S + S.mT) * 0.5


def _diag_embed(v: Tensor) -> Tensor:
    from .diagonal import diag_embed

    return diag_embed(v)


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The Cholesky factor L (lower triangular, ``A = L L^T``) of symmetric positive-definite
    matrices; only the lower triangle of ``A`` is read. ``upper=True`` gives ``L^T``."""
    check_matrix(A, "linalg.cholesky")
    L = LinalgCholesky.apply(A)
    return L.mT if upper else L


_WARNED: set = set()


def warn_once(key: str, message: str) -> None:
    """A UserWarning the first time only, as PyTorch's TORCH_WARN_ONCE."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


def _legacy_cholesky(A: Tensor, upper: bool = False) -> Tensor:
    warn_once(
        "cholesky",
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
        "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
        "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs.",
    )
    return cholesky(A, upper=upper)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """``(L, info)``: info is 0, or the order of the first leading minor that is not
    positive-definite (L is then NaN), unless ``check_errors`` raises instead."""
    check_matrix(A, "linalg.cholesky_ex")
    try:
        L = cholesky(A, upper=upper)
        info = np.zeros(A._data.shape[:-2], np.int32)
        return return_types.linalg_cholesky_ex(L, _make(info))
    except LinAlgError:
        if check_errors:
            raise
    d = A._data
    mats = d.reshape(-1, *d.shape[-2:])
    info = np.zeros(len(mats), np.int32)
    out = np.full(mats.shape, np.nan, d.dtype)
    for b, a in enumerate(mats):
        try:
            out[b] = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            info[b] = next(k for k in range(1, a.shape[-1] + 1) if not _is_pd(a[:k, :k]))
    out = out.reshape(d.shape)
    if upper:
        out = np.swapaxes(out, -1, -2)
    return return_types.linalg_cholesky_ex(_make(out), _make(info.reshape(d.shape[:-2])))


def _is_pd(a: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(a)
        return True
    except np.linalg.LinAlgError:
        return False


# -- matrix_power ---------------------------------------------------------------------------------


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A`` multiplied by itself ``n`` times (by squaring); ``n = 0`` gives the identity and
    ``n < 0`` powers of the inverse."""
    _check_square(A)
    if n == 0:
        eye = np.broadcast_to(np.eye(A._data.shape[-1], dtype=A._data.dtype), A._data.shape)
        return _make(eye.copy())
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def _check_square(A: Tensor) -> None:
    if A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_power: The input tensor A must have at least 2 dimensions."
        )
    m, n = A._data.shape[-2:]
    if m != n:
        raise RuntimeError(
            "linalg.matrix_power: A must be batches of square matrices, but they are "
            f"{m} by {n} matrices"
        )
