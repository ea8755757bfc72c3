"""Decompositions (``torch.linalg``): qr, eigh, eigvalsh, svd, svdvals, and what is built on
them: pinv, matrix_rank, lstsq, cond.

Forward by ``numpy.linalg`` (the same LAPACK routines as PyTorch's CPU build, so the signs of
Q, U, V and eigenvectors agree); backward by the textbook formulas, written with ember's ops.
"""

from __future__ import annotations

import weakref

import numpy as np

from .. import return_types
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word
from .diagonal import diag_embed, diagonal, tril
from .elementwise import where
from .linalg_solve import check_matrix, inv, warn_once


def _eye_like(n: int, like: Tensor) -> Tensor:
    return _make(np.eye(n, dtype=like._data.dtype))


def _off_diagonal_recip(d: Tensor) -> Tensor:
    """F with F[i, j] = 1 / d[i, j] off the diagonal and 0 on it (d's diagonal is 0)."""
    n = d._data.shape[-1]
    eye = _make(np.eye(n, dtype=bool))
    return where(eye, 0.0, 1.0 / where(eye, 1.0, d))


# -- qr -------------------------------------------------------------------------------------------


class LinalgQr(Op):
    @staticmethod
    def forward(ctx, A, mode):
        ctx.mode = mode
        if ctx.inputs is not None:
            ctx.save_for_backward(A)
        q, r = np.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
        if mode == "r":
            return np.zeros((0,), A._data.dtype), r
        return q, r

    @staticmethod
    def backward(ctx, gQ, gR):
        (A,) = ctx.saved_tensors
        m, n = A._data.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        Q, R = _outputs(ctx)
        if m >= n:
            return _qr_grad(Q, R, gQ, gR), None
        # Wide A = [X | Y] with X square: X = Q U and Y = Q V, so V's gradient folds into Q's.
        from .movement import cat

        Y = A[..., :, m:]
        gU, gV = gR[..., :, :m], gR[..., :, m:]
        gX = _qr_grad(Q, R[..., :, :m], gQ + Y @ gV.mT, gU)
        return cat([gX, Q @ gV], -1), None


def _qr_grad(Q: Tensor, R: Tensor, gQ: Tensor, gR: Tensor) -> Tensor:
    """dL/dA for A = Q R (A tall or square): with M = R gR^T - gQ^T Q,
    dL/dA = (gQ + Q sym(M)) R^-T, sym copying M's lower triangle onto its upper one."""
    M = R @ gR.mT - gQ.mT @ Q
    low = tril(M, -1)
    sym = low + low.mT + diag_embed(diagonal(M, 0, -2, -1))
    return (gQ + Q @ sym) @ inv(R).mT


def qr(A: Tensor, mode: str = "reduced"):
    """``(Q, R)`` with Q orthonormal columns and R upper triangular, ``A = Q R``. ``mode`` is
    'reduced' (Q m x k), 'complete' (Q m x m) or 'r' (R only; Q empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    check_matrix(A, "linalg.qr", square=False)
    return return_types.linalg_qr(*_with_outputs(LinalgQr, A, mode))


def _legacy_qr(A: Tensor, some: bool = True):
    warn_once(
        "qr",
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete')",
    )
    return return_types.qr(*qr(A, "reduced" if some else "complete"))


# -- eigh -----------------------------------------------------------------------------------------


class LinalgEigh(Op):
    @staticmethod
    def forward(ctx, A, uplo):
        w, v = np.linalg.eigh(A._data, UPLO=uplo)
        return w, v

    @staticmethod
    def backward(ctx, gw, gV):
        w, V = _outputs(ctx)
        # dw_i = v_i^T dA v_i and dV = V (F o V^T dA V), F_ij = 1 / (w_j - w_i) off the
        # diagonal: dL/dA = V (diag(gw) + F o V^T gV) V^T, symmetrized (A is symmetric).
        inner = diag_embed(gw)
        if gV._data.any():
            # Only then: F is infinite for repeated eigenvalues (eigvalsh of the identity).
            F = _off_diagonal_recip(w.unsqueeze(-2) - w.unsqueeze(-1))
            inner = inner + F * (V.mT @ gV)
        gA = V @ inner @ V.mT
        return (gA + gA.mT) * 0.5, None


def _check_uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A: Tensor, UPLO: str = "L"):
    """``(eigenvalues, eigenvectors)`` of symmetric matrices, eigenvalues ascending; only the
    lower (``UPLO='L'``) or upper triangle is read."""
    _check_uplo(UPLO)
    check_matrix(A, "linalg.eigh")
    return return_types.linalg_eigh(*_with_outputs(LinalgEigh, A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric matrices, ascending."""
    _check_uplo(UPLO)
    check_matrix(A, "linalg.eigvalsh")
    return named(_with_outputs(LinalgEigh, A, UPLO)[0], "LinalgEighBackward0")


def _with_outputs(cls, *args):
    """Apply a multi-output op whose backward reads its own outputs (see _outputs)."""
    outs = cls.apply(*args)
    node = outs[0].grad_fn
    if node is not None:
        # Weak links, as save_output keeps: a strong one would be a cycle through grad_fn.
        node.out_refs = [weakref.ref(o) for o in outs]
        node.out_arrays = [o._data for o in outs]
    return outs


def _outputs(ctx) -> tuple:
    """The op's outputs in its backward: the live tensors, so that create_graph=True
    differentiates through them, or the values of one already freed, as a constant."""
    return tuple(r() if r() is not None else _make(a) for r, a in zip(ctx.out_refs, ctx.out_arrays))


# -- svd ------------------------------------------------------------------------------------------


class LinalgSvd(Op):
    @staticmethod
    def forward(ctx, A, full_matrices):
        u, s, vh = np.linalg.svd(A._data, full_matrices=full_matrices)
        return u, s, vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = _outputs(ctx)
        k = S._data.shape[-1]
        m, n = U._data.shape[-2], Vh._data.shape[-1]
        # Gradients of the columns beyond min(m, n) of a full U or V are ignored, as in PyTorch.
        U, gU = U[..., :, :k], gU[..., :, :k]
        Vh, gVh = Vh[..., :k, :], gVh[..., :k, :]
        V, gV = Vh.mT, gVh.mT
        # Townsend, "Differentiating the singular value decomposition" (2016), for A = U S V^T:
        # dL/dA = U [ (F o (U^T gU - gU^T U)) S + diag(gS) + S (F o (V^T gV - gV^T V)) ] V^T
        #         + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T),
        # with F_ij = 1 / (s_j^2 - s_i^2) off the diagonal.
        # The terms of U and V only where they have a gradient: F is infinite for repeated
        # singular values, which svdvals alone (a matrix 2-norm) must not turn into NaN.
        core = diag_embed(gS)
        has_u, has_v = bool(gU._data.any()), bool(gV._data.any())
        if has_u or has_v:
            S2 = S * S
            F = _off_diagonal_recip(S2.unsqueeze(-2) - S2.unsqueeze(-1))
        if has_u:
            UtgU = U.mT @ gU
            core = core + F * (UtgU - UtgU.mT) * S.unsqueeze(-2)
        if has_v:
            VtgV = V.mT @ gV
            core = core + S.unsqueeze(-1) * (F * (VtgV - VtgV.mT))
        gA = U @ core @ Vh
        if m > k and has_u:
            gA = gA + ((gU - U @ UtgU) / S.unsqueeze(-2)) @ Vh
        if n > k and has_v:
            gA = gA + U @ ((gV - V @ VtgV) / S.unsqueeze(-2)).mT
        return gA, None


def _check_float(A: Tensor, fname: str) -> None:
    check_matrix(A, fname, square=False)


def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending. With
    ``full_matrices`` U is m x m and Vh n x n; otherwise k = min(m, n) columns/rows."""
    _check_float(A, "linalg.svd")
    return return_types.linalg_svd(*_with_outputs(LinalgSvd, A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """The singular values, descending."""
    _check_float(A, "linalg.svdvals")
    return named(_with_outputs(LinalgSvd, A, False)[1], "LinalgSvdBackward0")


def _legacy_svd(A: Tensor, some: bool = True, compute_uv: bool = True):
    """``torch.svd``: ``(U, S, V)`` with V (not its transpose); ``some=False`` gives square
    U and V, ``compute_uv=False`` zero U and V."""
    U, S, Vh = svd(A, full_matrices=not some)
    if not compute_uv:
        m, n = A._data.shape[-2:]
        batch = A._data.shape[:-2]
        zu = np.zeros(batch + ((m, m) if not some else (m, min(m, n))), A._data.dtype)
        zv = np.zeros(batch + ((n, n) if not some else (n, min(m, n))), A._data.dtype)
        return return_types.svd(_make(zu), S, _make(zv))
    return return_types.svd(U, S, Vh.mT)


# -- pinv, matrix_rank, lstsq, cond ---------------------------------------------------------------


def _cutoff(s: np.ndarray, atol, rtol, m: int, n: int) -> np.ndarray:
    """PyTorch's threshold for "zero" singular values: max(atol, rtol * s_max), rtol by
    default eps * max(m, n) when atol is not given either (else 0)."""
    if rtol is None:
        rtol = 0.0 if atol not in (None, 0) else np.finfo(s.dtype).eps * max(m, n)
    smax = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    return np.maximum(0.0 if atol is None else atol, rtol * smax)


def _tol_value(t):
    if isinstance(t, Tensor):
        return t._data[..., None]
    return t


class LinalgPinv(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        if ctx.inputs is not None:
            ctx.save_for_backward(A)
        d = A._data
        m, n = d.shape[-2:]
        if hermitian:
            w, v = np.linalg.eigh(d)
            order = np.argsort(-np.abs(w), axis=-1)
            cut = _cutoff(np.take_along_axis(np.abs(w), order, -1), atol, rtol, m, n)
            keep = np.abs(w) > cut
            inv_w = np.where(keep, 1 / np.where(keep, w, 1), 0).astype(d.dtype)
            return (v * inv_w[..., None, :]) @ np.swapaxes(v, -1, -2)
        u, s, vh = np.linalg.svd(d, full_matrices=False)
        keep = s > _cutoff(s, atol, rtol, m, n)
        inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(d.dtype)
        return (np.swapaxes(vh, -1, -2) * inv_s[..., None, :]) @ np.swapaxes(u, -1, -2)

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        X = ctx.output()
        m, n = A._data.shape[-2:]
        # Golub & Pereyra: dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X, whose
        # adjoint is the gradient below (valid where the rank does not change).
        Im, In = _eye_like(m, A), _eye_like(n, A)
        return (
            -(X.mT @ g @ X.mT) + (Im - A @ X) @ g.mT @ X @ X.mT + X.mT @ X @ g.mT @ (In - X @ A),
            None,
            None,
            None,
        )


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse (singular values at or below
    ``max(atol, rtol * s_max)`` count as zero)."""
    if A._data.ndim < 2 or A._data.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.pinv({_type_word(A._data.dtype)}{{{list(A._data.shape)}}}): expected a "
            "tensor with 2 or more dimensions of float, double, cfloat or cdouble types"
        )
    return LinalgPinv.apply(A, _tol_value(atol), _tol_value(rtol), bool(hermitian))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    return named(pinv(input, rtol=rcond), "PinverseBackward0")


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None) -> Tensor:
    """How many singular values exceed ``max(atol, rtol * s_max)`` (an int64 tensor)."""
    check_matrix(A, "linalg.matrix_rank", square=False)
    if tol is not None:  # the legacy argument: an absolute tolerance
        atol, rtol = tol, 0.0
    d = A._data
    if hermitian:
        s = -np.sort(-np.abs(np.linalg.eigvalsh(d)), axis=-1)
    else:
        s = np.linalg.svd(d, compute_uv=False)
    cut = _cutoff(s, _tol_value(atol), _tol_value(rtol), *d.shape[-2:])
    return _make(np.asarray(np.sum(s > cut, axis=-1)).astype(np.int64))


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least-squares solutions X minimising ``||A X - B||`` (the minimum-norm one when A is
    rank deficient), as ``(solution, residuals, rank, singular_values)``.

    What the last three hold depends on ``driver`` as in PyTorch (CPU default 'gelsy':
    residuals and singular values empty).
    """
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    check_matrix(A, "torch.linalg.lstsq", square=False)
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {_type_word(A._data.dtype)} and other's dtype "
            f"{_type_word(B._data.dtype)}"
        )
    m, n = A._data.shape[-2:]
    vector = B._data.ndim == A._data.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm._data.shape[-2] != m:
        raise RuntimeError(
            "torch.linalg.lstsq: input.size(-2) should match other.size(-2) "
            f"(got {m} and {Bm._data.shape[-2]})"
        )
    eps = np.finfo(A._data.dtype).eps
    r = eps * max(m, n) if rcond is None or rcond < 0 else rcond
    X = pinv(A, rtol=r) @ Bm
    d = A._data
    s = np.linalg.svd(d, compute_uv=False)
    rank = np.sum(s > r * s[..., :1], axis=-1).astype(np.int64)
    empty = _make(np.zeros((0,), d.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and (rank == n).all():
        res = Bm - A @ X
        residuals = (res * res).sum(-2)
        if vector:
            residuals = residuals.squeeze(-1)
    rank_t = _make(np.zeros((0,), np.int64)) if driver == "gels" else _make(np.asarray(rank))
    sv = _make(s) if driver in ("gelsd", "gelss") else empty
    sol = X.squeeze(-1) if vector else X
    return return_types.linalg_lstsq(named(sol, "LinalgLstsqBackward0"), residuals, rank_t, sv)


def cond(A: Tensor, p=None) -> Tensor:
    """The condition number ``norm(A, p) * norm(inv(A), p)``; with p None (or 2), the ratio
    of the largest to the smallest singular value."""
    from .linalg_norms import matrix_norm

    if p is None or p in (2, -2):
        check_matrix(A, "linalg.cond", square=False)
        s = svdvals(A)
        hi, lo = s[..., 0], s[..., -1]
        return hi / lo if p != -2 else lo / hi
    check_matrix(A, f"linalg.cond(ord={p})")
    return matrix_norm(A, p) * matrix_norm(inv(A), p)
