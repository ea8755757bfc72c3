"""Op-table rows of the ops learners reach for beyond the core: diagonals and triangles,
running reductions, pointwise special functions, composite products, distances,
``torch.linalg`` and ``F.interpolate``.

Kept apart from op_table.py for size; op_table.py appends EXTRA_ROWS to OPS.
"""

from __future__ import annotations

import warnings

import numpy as np
from op_table import BINARY, UNARY, Op

# Linear algebra compares float32 forward passes of LAPACK routines: looser tolerances.
LA = {"rtol": 1e-4, "atol": 1e-5}
INF = float("inf")


def _with_zeros(k):
    """Random values with zeros at ``k`` places of each row (cumprod's special cases)."""

    def make(rng, shape):
        a = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)
        for row in a.reshape(-1, shape[-1]):
            row[rng.choice(shape[-1], k, replace=False)] = 0.0
        return a

    return make


def _non_finite(rng, shape):
    a = rng.uniform(-2, 2, size=shape)
    flat = a.reshape(-1)
    flat[:3] = [np.nan, np.inf, -np.inf]
    return a


def _ints(lo, hi):
    return lambda rng, shape: rng.integers(lo, hi, size=shape).astype("int64")


def _spd(T, a):
    """A symmetric positive-definite matrix from any square one."""
    return a @ a.mT + T.eye(a.shape[-1], dtype=a.dtype)


def _well(T, a):
    """A well-conditioned square matrix (diagonally dominant)."""
    return a + 4 * T.eye(a.shape[-1], dtype=a.dtype)


def _interp(**kw):
    return lambda T, x: T.nn.functional.interpolate(x, **kw)


def _legacy_qr(T, a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch.qr is deprecated (in both)
        return T.qr(a)[0]


def _fill_diagonal_nonleaf(T, a):
    y = a * 2.0
    y.fill_diagonal_(0.5)
    return y * a


def _triu_inplace_nonleaf(T, a):
    y = a * 1.0
    y.tril_(-1)
    return y + a.triu(1)


def _diagonal_view_write(T, a, b):
    y = a * 1.0
    y.diagonal().mul_(b)
    return y


EXTRA_ROWS = [
    # -- diagonals and triangles
    Op("diag_vector", lambda T, a: T.diag(a), [[(4,)]]),
    Op("diag_vector_offset", lambda T, a: a.diag(-2), [[(3,)]]),
    Op("diag_matrix", lambda T, a: T.diag(a, 1), [[(3, 4)], [(5, 2)]]),
    Op("diagonal", lambda T, a: T.diagonal(a), [[(3, 4)]]),
    Op("diagonal_dims_offset", lambda T, a: a.diagonal(-1, 0, 2), [[(3, 2, 4)]]),
    Op("diagonal_view_write", _diagonal_view_write, [[(3, 3), (3,)]]),
    Op("diag_embed", lambda T, a: T.diag_embed(a, 1, 0, 2), [[(2, 3)]]),
    Op("diagflat", lambda T, a: T.diagflat(a), [[(2, 2)]]),
    Op("triu", lambda T, a: T.triu(a), [[(3, 4)], [(2, 4, 3)]]),
    Op("tril_offset", lambda T, a: a.tril(1), [[(4, 3)], [(2, 3, 3)]]),
    Op("triu_neg_offset", lambda T, a: T.triu(a, -1), [[(4, 4)]]),
    Op("tril_inplace_nonleaf", _triu_inplace_nonleaf, [[(3, 4)]]),
    Op("fill_diagonal_nonleaf", _fill_diagonal_nonleaf, [[(3, 3)], [(5, 2)]]),
    Op(
        "triu_int",
        lambda T, a: T.triu(a, 1) + T.tril_indices(3, 4).sum() + T.triu_indices(3, 4, 1).sum(),
        [[(3, 4)]],
        grad=False,
        special={0: _ints(-5, 5)},
    ),
    # -- running reductions
    Op("cumprod", lambda T, a: T.cumprod(a, 1), [[(3, 4)], [(2, 3, 4)]], domain=(0.5, 1.5)),
    Op("cumprod_neg", lambda T, a: a.cumprod(-1), [[(2, 5)]]),
    Op("cumprod_one_zero", lambda T, a: a.cumprod(1), [[(3, 5)]], special={0: _with_zeros(1)}),
    Op("cumprod_two_zeros", lambda T, a: a.cumprod(1), [[(3, 5)]], special={0: _with_zeros(2)}),
    Op("cumprod_dim0_zero", lambda T, a: a.cumprod(0), [[(4, 3)]], special={0: _with_zeros(1)}),
    Op("cumprod_0d", lambda T, a: a.cumprod(0), [[()]]),
    Op("cumprod_int", lambda T, a: a.cumprod(0), [[(4, 3)]], grad=False, special={0: _ints(-3, 4)}),
    Op("cummax", lambda T, a: T.cummax(a, 1).values, [[(3, 5)], [(2, 3, 4)]]),
    Op("cummax_indices", lambda T, a: a.cummax(0)[1], [[(5, 3)]], grad=False),
    Op("cummin", lambda T, a: a.cummin(-1).values, [[(3, 5)]]),
    Op("cummin_0d", lambda T, a: T.cummin(a, 0).values, [[()]]),
    Op("logcumsumexp", lambda T, a: T.logcumsumexp(a * 3, 1), [[(3, 5)], [(2, 3, 4)]]),
    Op("diff", lambda T, a: T.diff(a), [[(3, 5)], [(6,)]]),
    Op("diff_n2_dim0", lambda T, a: a.diff(2, 0), [[(5, 3)]]),
    Op(
        "diff_prepend_append",
        lambda T, a, b, c: T.diff(a, dim=1, prepend=b, append=c),
        [[(3, 4), (3, 1), (3, 2)]],
    ),
    Op("cumsum_inplace", lambda T, a: (a * 1.0).cumsum_(1), [[(3, 4)]]),
    # -- indexing and counting
    Op(
        "take",
        lambda T, a, i: T.take(a, i),
        [[(3, 4), (2, 3)], [(3, 4), ()]],
        special={1: _ints(-12, 12)},
    ),
    Op(
        "bincount",
        lambda T, a: T.bincount(a, minlength=7),
        [[(9,)]],
        grad=False,
        special={0: _ints(0, 5)},
    ),
    Op(
        "bincount_weights",
        lambda T, a, w: T.bincount(a, w),
        [[(9,), (9,)]],
        grad=False,
        special={0: _ints(0, 5)},
    ),
    Op("histc", lambda T, a: T.histc(a, 7), [[(50,)]], grad=False),
    Op("histc_range", lambda T, a: a.histc(5, -1, 1), [[(6, 7)]], grad=False),
    Op("count_nonzero", lambda T, a: T.count_nonzero(a.round(), 1), [[(3, 4)]], grad=False),
    Op("argwhere", lambda T, a: T.argwhere(a > 0), [[(3, 4)]], grad=False),
    Op(
        "isin",
        lambda T, a, b: T.isin(a, b),
        [[(3, 4), (5,)]],
        grad=False,
        special={0: _ints(0, 8), 1: _ints(0, 8)},
    ),
    Op(
        "searchsorted",
        lambda T, s, v: T.searchsorted(s.sort().values, v),
        [[(6,), (3, 4)], [(3, 6), (3, 4)]],
        grad=False,
    ),
    Op(
        "bucketize_right",
        lambda T, v, b: T.bucketize(v, b.sort().values, right=True),
        [[(3, 4), (5,)]],
        grad=False,
        special={0: _ints(0, 6), 1: _ints(0, 6)},
    ),
    # -- pointwise special functions
    Op("erf", lambda T, a: T.erf(a), list(UNARY)),
    Op("erfc", lambda T, a: a.erfc(), list(UNARY)),
    Op("erfinv", lambda T, a: T.erfinv(a), list(UNARY), domain=(-0.95, 0.95)),
    Op("asin", lambda T, a: T.asin(a), list(UNARY), domain=(-0.9, 0.9)),
    Op("acos", lambda T, a: a.acos(), list(UNARY), domain=(-0.9, 0.9)),
    Op("atan", lambda T, a: T.atan(a), list(UNARY)),
    Op("sinh", lambda T, a: T.sinh(a), list(UNARY)),
    Op("cosh", lambda T, a: a.cosh(), list(UNARY)),
    Op("asinh", lambda T, a: T.asinh(a), list(UNARY)),
    Op("acosh", lambda T, a: T.acosh(a), list(UNARY), domain=(1.2, 3.0)),
    Op("atanh", lambda T, a: a.atanh(), list(UNARY), domain=(-0.9, 0.9)),
    Op("atan2", lambda T, a, b: T.atan2(a, b), list(BINARY)),
    Op("lerp_scalar", lambda T, a, b: T.lerp(a, b, 0.3), list(BINARY)),
    Op("lerp_tensor", lambda T, a, b, w: a.lerp(b, w), [[(3, 4), (4,), (3, 1)]]),
    Op(
        "nan_to_num", lambda T, a: T.nan_to_num(a, posinf=5.0), [[(3, 4)]], special={0: _non_finite}
    ),
    Op(
        "nan_to_num_defaults",
        lambda T, a: a.nan_to_num(),
        [[(3, 4)]],
        special={0: _non_finite},
        grad=False,
    ),
    # -- composite products
    Op(
        "addmm",
        lambda T, c, a, b: T.addmm(c, a, b),
        [[(5,), (2, 3), (3, 5)], [(2, 5), (2, 3), (3, 5)]],
    ),
    Op(
        "addmm_scaled",
        lambda T, c, a, b: c.addmm(a, b, beta=0.5, alpha=2),
        [[(2, 1), (2, 3), (3, 5)]],
    ),
    Op("addmm_beta0", lambda T, c, a, b: T.addmm(c, a, b, beta=0), [[(5,), (2, 3), (3, 5)]]),
    Op("addmv", lambda T, c, a, b: T.addmv(c, a, b, alpha=-1), [[(3,), (3, 4), (4,)]]),
    Op("addr", lambda T, c, a, b: T.addr(c, a, b), [[(3, 4), (3,), (4,)]]),
    Op(
        "baddbmm",
        lambda T, c, a, b: T.baddbmm(c, a, b, beta=0.1, alpha=0.2),
        [[(5,), (2, 3, 4), (2, 4, 5)]],
    ),
    Op("addbmm", lambda T, c, a, b: T.addbmm(c, a, b), [[(3, 5), (2, 3, 4), (2, 4, 5)]]),
    Op("kron", lambda T, a, b: T.kron(a, b), [[(2, 3), (3, 2)], [(2, 3), (2,)], [(2,), (3,)]]),
    Op("tensordot", lambda T, a, b: T.tensordot(a, b), [[(2, 3, 4), (3, 4, 5)]]),
    Op(
        "tensordot_dims",
        lambda T, a, b: T.tensordot(a, b, ([0, 2], [2, 0])),
        [[(2, 3, 4), (4, 5, 2)]],
    ),
    Op("cross", lambda T, a, b: T.cross(a, b, dim=1), [[(2, 3), (2, 3)], [(4, 3), (1, 3)]]),
    Op("linalg_cross", lambda T, a, b: T.linalg.cross(a, b), [[(2, 3), (1, 3)]]),
    Op("meshgrid", lambda T, a, b: T.stack(T.meshgrid(a, b, indexing="xy")).sum(0), [[(3,), (3,)]]),
    Op("meshgrid_ij", lambda T, a, b: T.meshgrid([a, b], indexing="ij")[1] * 2, [[(3,), (4,)]]),
    Op("cartesian_prod", lambda T, a, b: T.cartesian_prod(a, b), [[(3,), (2,)]]),
    # -- distances
    Op("cdist", lambda T, a, b: T.cdist(a, b), [[(4, 3), (5, 3)], [(2, 4, 3), (5, 3)]]),
    Op("cdist_mm_path", lambda T, a, b: T.cdist(a, b), [[(30, 3), (4, 3)]], rtol=1e-4, atol=1e-5),
    Op("cdist_p1", lambda T, a, b: T.cdist(a, b, p=1), [[(4, 3), (5, 3)]]),
    Op("cdist_p3", lambda T, a, b: T.cdist(a, b, 3), [[(4, 3), (5, 3)]]),
    Op("cdist_p_half", lambda T, a, b: T.cdist(a, b, 0.5), [[(4, 3), (5, 3)]], rtol=1e-4),
    Op("cdist_inf", lambda T, a, b: T.cdist(a, b, INF), [[(4, 3), (2, 5, 3)]]),
    Op("cdist_p0", lambda T, a, b: T.cdist(a, b, 0), [[(4, 3), (5, 3)]], gradcheck=False),
    Op(
        "pairwise_distance",
        lambda T, a, b: T.nn.functional.pairwise_distance(a, b),
        [[(4, 3), (4, 3)], [(4, 3), (3,)]],
    ),
    Op("dist", lambda T, a, b: T.dist(a, b, 3), [[(3, 4), (4,)]]),
    Op("cosine_similarity_top", lambda T, a, b: T.cosine_similarity(a, b), [[(4, 3), (4, 3)]]),
    # -- linalg: inverses, determinants, solves
    Op("inv", lambda T, a: T.linalg.inv(_well(T, a)), [[(3, 3)], [(2, 4, 4)]], **LA),
    Op("inverse", lambda T, a: T.inverse(_well(T, a)), [[(3, 3)]], **LA),
    Op("det", lambda T, a: T.linalg.det(a), [[(3, 3)], [(2, 4, 4)]], **LA),
    Op("det_method", lambda T, a: a.det(), [[(2, 2)]], **LA),
    Op("slogdet", lambda T, a: T.linalg.slogdet(a).logabsdet, [[(3, 3)], [(2, 4, 4)]], **LA),
    Op("slogdet_sign", lambda T, a: T.slogdet(a)[0], [[(3, 3)]], grad=False),
    Op("logdet", lambda T, a: T.logdet(_spd(T, a)), [[(3, 3)]], **LA),
    Op(
        "solve",
        lambda T, a, b: T.linalg.solve(_well(T, a), b),
        [[(3, 3), (3, 2)], [(2, 3, 3), (3,)]],
        **LA,
    ),
    Op(
        "solve_batch_vector",
        lambda T, a, b: T.linalg.solve(_well(T, a), b),
        [[(2, 3, 3), (2, 3)]],
        **LA,
    ),
    Op(
        "solve_right",
        lambda T, a, b: T.linalg.solve(_well(T, a), b, left=False),
        [[(3, 3), (4, 3)]],
        **LA,
    ),
    Op(
        "solve_triangular",
        lambda T, a, b: T.linalg.solve_triangular(_well(T, a), b, upper=False),
        [[(3, 3), (3, 2)]],
        **LA,
    ),
    Op("cholesky", lambda T, a: T.linalg.cholesky(_spd(T, a)), [[(3, 3)], [(2, 3, 3)]], **LA),
    Op("cholesky_upper", lambda T, a: T.linalg.cholesky(_spd(T, a), upper=True), [[(3, 3)]], **LA),
    Op("matrix_power", lambda T, a: T.linalg.matrix_power(a, 3), [[(3, 3)]], **LA),
    Op(
        "matrix_power_neg",
        lambda T, a: a.matrix_power(-2),
        [[(3, 3)]],
        special={0: lambda rng, s: rng.uniform(-1, 1, s) + 3 * np.eye(s[-1])},
        **LA,
    ),
    # -- linalg: decompositions (sign-invariant functions of U, V, Q and eigenvectors)
    Op(
        "qr",
        lambda T, a: (lambda q, r: q * 2 + r.sum(0))(*T.linalg.qr(a)),
        [[(5, 3)], [(2, 3, 3)]],
        **LA,
    ),
    Op("qr_wide", lambda T, a: T.linalg.qr(a).R, [[(3, 5)]], **LA),
    Op("qr_legacy", _legacy_qr, [[(4, 3)]], **LA),
    Op(
        "eigh_values",
        lambda T, a: T.linalg.eigh(a + a.mT).eigenvalues,
        [[(4, 4)], [(2, 3, 3)]],
        **LA,
    ),
    Op("eigh_vectors", lambda T, a: T.linalg.eigh(a + a.mT)[1] ** 2, [[(4, 4)]], **LA),
    Op("eigvalsh", lambda T, a: T.linalg.eigvalsh(a @ a.mT), [[(3, 3)]], **LA),
    Op(
        "svd",
        lambda T, a: (lambda u, s, vh: (u**2) @ (vh**2) + s.sum())(
            *T.linalg.svd(a, full_matrices=False)
        ),
        [[(5, 3)], [(3, 5)], [(2, 3, 3)]],
        **LA,
    ),
    Op(
        "svd_full",
        lambda T, a: (lambda u, s, vh: (u[:, :3] ** 2) @ (vh**2))(*T.linalg.svd(a)),
        [[(5, 3)]],
        **LA,
    ),
    Op(
        "svd_legacy",
        lambda T, a: (lambda u, s, v: (u**2) @ (v.mT**2) * s.sum())(*T.svd(a)),
        [[(4, 3)]],
        **LA,
    ),
    Op("svdvals", lambda T, a: T.linalg.svdvals(a), [[(5, 3)], [(2, 3, 4)]], **LA),
    Op("pinv", lambda T, a: T.linalg.pinv(a), [[(5, 3)], [(3, 5)]], **LA),
    Op("pinv_hermitian", lambda T, a: T.linalg.pinv(_spd(T, a), hermitian=True), [[(3, 3)]], **LA),
    Op("pinverse", lambda T, a: a.pinverse(), [[(4, 3)]], **LA),
    Op(
        "lstsq",
        lambda T, a, b: T.linalg.lstsq(a, b).solution,
        [[(5, 3), (5, 2)], [(5, 3), (5,)]],
        **LA,
    ),
    Op("matrix_rank", lambda T, a: T.linalg.matrix_rank(a[:, :2] @ a[:2]), [[(3, 3)]], grad=False),
    # -- linalg: norms
    Op("vector_norm", lambda T, a: T.linalg.vector_norm(a, 3, dim=(0, 1)), [[(3, 4)], [(2, 3, 4)]]),
    Op("vector_norm_all", lambda T, a: T.linalg.vector_norm(a), list(UNARY)),
    Op("matrix_norm_fro", lambda T, a: T.linalg.matrix_norm(a), [[(3, 4)], [(2, 3, 4)]]),
    Op("matrix_norm_nuc", lambda T, a: T.linalg.matrix_norm(a, "nuc"), [[(3, 4)]], **LA),
    Op("matrix_norm_2", lambda T, a: T.linalg.matrix_norm(a, 2, keepdim=True), [[(2, 3, 4)]], **LA),
    Op("matrix_norm_neg2", lambda T, a: T.linalg.matrix_norm(a, -2), [[(4, 3)]], **LA),
    Op(
        "matrix_norm_1_inf",
        lambda T, a: T.linalg.matrix_norm(a, 1) + T.linalg.matrix_norm(a, -INF),
        [[(3, 4)]],
    ),
    Op("linalg_norm", lambda T, a: T.linalg.norm(a) + T.linalg.norm(a, INF), [[(3, 4)]]),
    Op("linalg_norm_dim", lambda T, a: T.linalg.norm(a, dim=1), [[(3, 4)]]),
    Op("cond", lambda T, a: T.linalg.cond(a), [[(3, 3)], [(3, 5)]], **LA),
    Op("multi_dot", lambda T, a, b, c: T.linalg.multi_dot([a, b, c]), [[(3,), (3, 4), (4, 2)]]),
    Op("vecdot", lambda T, a, b: T.linalg.vecdot(a, b), [[(3, 4), (4,)]]),
    # -- interpolate
    Op("interp_nearest_2x", _interp(scale_factor=2), [[(2, 3, 4, 5)]]),
    Op("interp_nearest_size", _interp(size=(3, 7)), [[(1, 2, 5, 4)]]),
    Op("interp_nearest_exact", _interp(size=(3, 7), mode="nearest-exact"), [[(1, 2, 5, 4)]]),
    Op("interp_nearest_1d", _interp(scale_factor=1.5), [[(2, 3, 5)]]),
    Op("interp_bilinear", _interp(scale_factor=2, mode="bilinear"), [[(2, 3, 4, 5)]]),
    Op(
        "interp_bilinear_align",
        _interp(size=(7, 3), mode="bilinear", align_corners=True),
        [[(1, 2, 4, 5)]],
    ),
    Op("interp_bilinear_down", _interp(scale_factor=0.6, mode="bilinear"), [[(1, 2, 6, 7)]]),
    Op("interp_bicubic", _interp(scale_factor=1.5, mode="bicubic"), [[(1, 2, 4, 5)]], rtol=1e-4),
    Op("interp_linear", _interp(size=9, mode="linear", align_corners=True), [[(2, 3, 5)]]),
    Op(
        "interp_trilinear",
        _interp(scale_factor=(2, 1.5, 0.5), mode="trilinear"),
        [[(1, 2, 3, 4, 4)]],
    ),
    Op("interp_area", _interp(size=(2, 3), mode="area"), [[(1, 2, 5, 7)]]),
    Op(
        "upsample_module",
        lambda T, x: T.nn.Upsample(scale_factor=2, mode="bilinear")(x),
        [[(1, 2, 3, 3)]],
    ),
    Op(
        "upsampling_nearest2d",
        lambda T, x: T.nn.UpsamplingNearest2d(size=(5, 6))(x),
        [[(1, 2, 3, 3)]],
    ),
    Op(
        "upsampling_bilinear2d",
        lambda T, x: T.nn.UpsamplingBilinear2d(scale_factor=2)(x),
        [[(1, 2, 3, 3)]],
    ),
]
