"""Bad input to the ops of ember/ops beyond the core (diagonal, cumulative, counting,
pointwise, products, distance, linalg_*, resize) raises PyTorch's exception class with
PyTorch's message facts; ``exact`` cases match PyTorch's first line word for word.

The protocol of tests/error_cases.py: facts are checked on ember always and on PyTorch when it
is installed. LinAlgError is checked as a RuntimeError (PyTorch's is a private subclass).
"""

from __future__ import annotations

import pytest
from error_cases import Case, error_tests

import ember


def _F(T):
    return T.nn.functional


def _img(T):
    return T.ones(1, 2, 3, 5)


SINGULAR = "the inversion could not be completed because the input matrix is singular"
SQUARE = "A must be batches of square matrices, but they are 2 by 3 matrices"

CASES = [
    # -- diagonal.py
    Case("diag_3d", lambda T: T.diag(T.ones(2, 3, 4)), RuntimeError, ("Got 3D",)),
    Case("diag_0d", lambda T: T.diag(T.tensor(1.0)), RuntimeError, ("Got 0D",)),
    Case("diagonal_same", lambda T: T.diagonal(T.ones(2, 3), 0, 1, 1), RuntimeError, ("1, 1",)),
    Case("diagonal_dim", lambda T: T.ones(2, 3).diagonal(0, 0, 3), IndexError, ("got 3",)),
    Case("triu_1d", lambda T: T.triu(T.ones(3)), RuntimeError, ("at least 2 dimensions",)),
    Case("tril_1d", lambda T: T.ones(3).tril_(), RuntimeError, ("tril: input tensor",)),
    Case("fill_diag_1d", lambda T: T.zeros(3).fill_diagonal_(1), RuntimeError, ("larger than 1",)),
    Case(
        "fill_diag_unequal",
        lambda T: T.zeros(2, 3, 2).fill_diagonal_(1),
        RuntimeError,
        ("all dimensions of input must be of equal length",),
    ),
    # -- cumulative.py
    Case("cumprod_dim", lambda T: T.ones(2, 3).cumprod(2), IndexError, ("got 2",)),
    Case("cummax_dim", lambda T: T.cummax(T.ones(3), 1), IndexError, ("got 1",)),
    Case("diff_0d", lambda T: T.diff(T.tensor(1.0)), RuntimeError, ("at least one-dimensional",)),
    Case("diff_order", lambda T: T.diff(T.ones(3), n=-1), RuntimeError, ("got -1",)),
    Case(
        "diff_prepend_dims",
        lambda T: T.diff(T.ones(2, 3), prepend=T.zeros(3)),
        RuntimeError,
        ("same dimension as input",),
    ),
    Case(
        "logcumsumexp_int", lambda T: T.logcumsumexp(T.arange(3), 0), NotImplementedError, ("Long",)
    ),
    # -- counting.py and take
    Case("bincount_neg", lambda T: T.bincount(T.tensor([-1, 2])), RuntimeError, ("non-negative",)),
    Case("bincount_2d", lambda T: T.bincount(T.tensor([[1, 2]])), RuntimeError, ("1-d",)),
    Case("bincount_float", lambda T: T.bincount(T.ones(2)), NotImplementedError, ("'Float'",)),
    Case(
        "bincount_weights",
        lambda T: T.bincount(T.tensor([0, 2, 2]), weights=T.ones(2)),
        RuntimeError,
        ("same length as input",),
    ),
    Case(
        "bincount_minlength",
        lambda T: T.bincount(T.tensor([1]), minlength=-1),
        RuntimeError,
        (">= 0",),
    ),
    Case("histc_int", lambda T: T.histc(T.tensor([1, 2])), NotImplementedError, ("'Long'",)),
    Case("histc_bins", lambda T: T.histc(T.ones(2), bins=0), RuntimeError, ("bins must be > 0",)),
    Case(
        "histc_range", lambda T: T.histc(T.ones(2), 3, 3, 1), RuntimeError, ("max must be larger",)
    ),
    Case(
        "histc_nan", lambda T: T.histc(T.tensor([1.0, float("nan")])), RuntimeError, ("not finite",)
    ),
    Case("isin_numbers", lambda T: T.isin(1, 2), TypeError, ("isin()", "(int, int)"), False),
    Case(
        "take_index_dtype", lambda T: T.take(T.ones(3), T.tensor([1.0])), RuntimeError, ("Float",)
    ),
    Case(
        "take_range",
        lambda T: T.take(T.ones(2, 3), T.tensor([6])),
        IndexError,
        ("index 6", "6 elements"),
    ),
    Case(
        "searchsorted_shapes",
        lambda T: T.searchsorted(T.ones(2, 3), T.ones(1, 3)),
        RuntimeError,
        ("[2, 3]", "[1, 3]"),
    ),
    Case(
        "searchsorted_side",
        lambda T: T.searchsorted(T.ones(3), T.ones(1), side="foo"),
        RuntimeError,
        ("'left' or 'right' but got foo",),
    ),
    Case(
        "searchsorted_opposite",
        lambda T: T.searchsorted(T.ones(3), T.ones(1), right=True, side="left"),
        RuntimeError,
        ("can't be set to opposites",),
    ),
    Case("bucketize_2d", lambda T: T.bucketize(T.ones(1), T.ones(1, 2)), RuntimeError, ("dim(2)",)),
    # -- pointwise.py
    Case("atan2_number", lambda T: T.atan2(T.ones(1), 2.0), TypeError, ("'other' (position 2)",)),
    Case(
        "lerp_dtype",
        lambda T: T.lerp(T.ones(1), T.ones(1, dtype=T.float64), 0.5),
        RuntimeError,
        ("expected dtype float for `end` but got dtype double",),
    ),
    Case(
        "lerp_int",
        lambda T: T.lerp(T.ones(1).long(), T.ones(1).long(), 0.5),
        NotImplementedError,
        ("'Long'",),
    ),
    # -- products.py
    Case(
        "addmm_1d",
        lambda T: T.addmm(T.ones(5), T.ones(3), T.ones(3, 5)),
        RuntimeError,
        ("mat1 must be a matrix",),
    ),
    Case(
        "addmm_shapes",
        lambda T: T.addmm(T.ones(3), T.ones(2, 3), T.ones(2, 3)),
        RuntimeError,
        ("(2x3 and 2x3)",),
    ),
    Case(
        "addmm_input",
        lambda T: T.addmm(T.ones(3), T.ones(2, 3), T.ones(3, 5)),
        RuntimeError,
        ("expanded size of the tensor (5)", "existing size (3)"),
    ),
    Case(
        "baddbmm_2d",
        lambda T: T.baddbmm(T.ones(5), T.ones(3, 4), T.ones(2, 4, 5)),
        RuntimeError,
        ("batch1 must be a 3D tensor",),
    ),
    Case("kron_none", lambda T: T.kron(T.ones(2), None), (AttributeError, TypeError), (), False),
    Case(
        "cross_no3",
        lambda T: T.cross(T.ones(2, 4), T.ones(2, 4)),
        RuntimeError,
        ("no dimension of size 3",),
    ),
    Case(
        "linalg_cross_len",
        lambda T: T.linalg.cross(T.ones(2, 2), T.ones(2, 2)),
        RuntimeError,
        ("dimension -1 must have length 3. Got 2 and 2",),
    ),
    Case(
        "tensordot_sizes",
        lambda T: T.tensordot(T.ones(2, 3), T.ones(4, 5), dims=1),
        RuntimeError,
        ("size 3", "size 4"),
    ),
    Case(
        "meshgrid_indexing",
        lambda T: T.meshgrid(T.ones(2), indexing="foo"),
        RuntimeError,
        ("received: foo",),
    ),
    Case(
        "meshgrid_dtype",
        lambda T: T.meshgrid(T.ones(2), T.arange(2), indexing="ij"),
        RuntimeError,
        ("same dtype",),
    ),
    Case(
        "meshgrid_2d",
        lambda T: T.meshgrid(T.ones(2, 2), indexing="ij"),
        RuntimeError,
        ("Expected 0D or 1D tensor",),
        False,
    ),
    # -- distance.py
    Case("cdist_1d", lambda T: T.cdist(T.ones(3), T.ones(3)), RuntimeError, ("X1 got: 1D",)),
    Case(
        "cdist_cols", lambda T: T.cdist(T.ones(2, 3), T.ones(2, 4)), RuntimeError, ("X1: 3 X2: 4",)
    ),
    Case(
        "cdist_int",
        lambda T: T.cdist(T.ones(2, 3).long(), T.ones(2, 3).long()),
        RuntimeError,
        ("X1 got: Long",),
    ),
    Case(
        "cdist_p",
        lambda T: T.cdist(T.ones(2, 3), T.ones(2, 3), p=-1),
        RuntimeError,
        ("non-negative p",),
    ),
    Case(
        "cdist_mode",
        lambda T: T.cdist(T.ones(2, 3), T.ones(2, 3), compute_mode="foo"),
        ValueError,
        ("foo is not a valid",),
    ),
    # -- linalg
    Case(
        "inv_singular",
        lambda T: T.linalg.inv(T.zeros(3, 3)),
        RuntimeError,
        ("diagonal element 1", SINGULAR),
    ),
    Case(
        "inv_singular_batch",
        lambda T: T.linalg.inv(T.stack([T.eye(3), T.tensor([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])])),
        RuntimeError,
        ("(Batch element 1)", "diagonal element 3", SINGULAR),
    ),
    Case("inv_square", lambda T: T.inverse(T.ones(2, 3)), RuntimeError, (SQUARE,)),
    Case("inv_1d", lambda T: T.linalg.inv(T.ones(3)), RuntimeError, ("at least 2 dimensions",)),
    Case("inv_int", lambda T: T.linalg.inv(T.eye(3).long()), RuntimeError, ("Got Long",)),
    Case("det_square", lambda T: T.det(T.ones(2, 3)), RuntimeError, ("linalg.det: " + SQUARE,)),
    Case(
        "cholesky_not_pd",
        lambda T: T.linalg.cholesky(T.tensor([[1.0, 2], [2, 1]])),
        RuntimeError,
        ("not positive-definite", "leading minor of order 2"),
    ),
    Case(
        "cholesky_batch",
        lambda T: T.linalg.cholesky(T.stack([T.eye(2), -T.eye(2)])),
        RuntimeError,
        ("(Batch element 1)", "order 1"),
    ),
    Case(
        "solve_singular",
        lambda T: T.linalg.solve(T.zeros(3, 3), T.ones(3)),
        RuntimeError,
        ("singular",),
    ),
    Case(
        "solve_shapes",
        lambda T: T.linalg.solve(T.eye(3), T.ones(4, 2)),
        RuntimeError,
        ("(3x3 and 4x2)",),
    ),
    Case(
        "solve_dtype",
        lambda T: T.linalg.solve(T.eye(3), T.ones(3, dtype=T.float64)),
        RuntimeError,
        ("A of type Float and B of type Double",),
    ),
    Case("eigh_uplo", lambda T: T.linalg.eigh(T.eye(2), UPLO="X"), RuntimeError, ("but got X",)),
    Case(
        "eigh_square",
        lambda T: T.linalg.eigh(T.ones(2, 3)),
        RuntimeError,
        ("linalg.eigh: " + SQUARE,),
    ),
    Case("svd_int", lambda T: T.linalg.svd(T.eye(2).long()), RuntimeError, ("Got Long",)),
    Case(
        "qr_mode",
        lambda T: T.linalg.qr(T.eye(2), mode="foo"),
        RuntimeError,
        ("unrecognized mode 'foo'",),
    ),
    Case("pinv_int", lambda T: T.linalg.pinv(T.eye(2).long()), RuntimeError, ("Long{[2, 2]}",)),
    Case(
        "matrix_power_square",
        lambda T: T.linalg.matrix_power(T.ones(2, 3), 2),
        RuntimeError,
        (SQUARE,),
    ),
    Case(
        "matrix_norm_ord",
        lambda T: T.linalg.matrix_norm(T.ones(2, 3), 3),
        RuntimeError,
        ("Order 3 not supported",),
    ),
    Case(
        "matrix_norm_1d",
        lambda T: T.linalg.matrix_norm(T.ones(3)),
        RuntimeError,
        ("at least 2 dimensions",),
    ),
    Case(
        "vector_norm_int", lambda T: T.linalg.vector_norm(T.arange(3)), RuntimeError, ("Got Long",)
    ),
    Case(
        "norm_3d_ord",
        lambda T: T.linalg.norm(T.ones(2, 2, 2), 2),
        RuntimeError,
        ("must be 1D or 2D. Got 3D",),
    ),
    Case(
        "norm_fro_dim",
        lambda T: T.linalg.norm(T.ones(2, 3), "fro", dim=1),
        RuntimeError,
        ("2-tuple",),
    ),
    Case(
        "cond_square",
        lambda T: T.linalg.cond(T.ones(2, 3), 1),
        RuntimeError,
        ("linalg.cond(ord=1)",),
    ),
    Case("multi_dot_one", lambda T: T.linalg.multi_dot([T.ones(2, 2)]), RuntimeError, ("got 1",)),
    Case(
        "vander_n",
        lambda T: T.linalg.vander(T.ones(3), N=1),
        RuntimeError,
        ("N must be greater than 1.",),
    ),
    # -- resize.py
    Case(
        "interp_ac_nearest",
        lambda T: _F(T).interpolate(_img(T), scale_factor=2, align_corners=True),
        ValueError,
        ("linear | bilinear",),
    ),
    Case(
        "interp_linear_4d",
        lambda T: _F(T).interpolate(_img(T), scale_factor=2, mode="linear"),
        NotImplementedError,
        ("Got 4D input, but linear mode needs 3D input",),
    ),
    Case(
        "interp_both",
        lambda T: _F(T).interpolate(_img(T), size=2, scale_factor=2),
        ValueError,
        ("only one of size or scale_factor",),
    ),
    Case(
        "interp_neither",
        lambda T: _F(T).interpolate(_img(T)),
        ValueError,
        ("either size or scale_factor",),
    ),
    Case(
        "interp_mode",
        lambda T: _F(T).interpolate(_img(T), scale_factor=2, mode="foo"),
        NotImplementedError,
        ("(got foo)",),
    ),
    Case(
        "interp_2d",
        lambda T: _F(T).interpolate(T.ones(3, 4), scale_factor=2),
        NotImplementedError,
        ("(got 2D)",),
    ),
    Case(
        "interp_size_len",
        lambda T: _F(T).interpolate(_img(T), size=(2, 2, 2)),
        ValueError,
        ("spatial dimensions of [3, 5]",),
    ),
    Case(
        "interp_int",
        lambda T: _F(T).interpolate(_img(T).long(), scale_factor=2),
        NotImplementedError,
        ("'Long'",),
    ),
    Case(
        "interp_zero",
        lambda T: _F(T).interpolate(_img(T), size=(0, 2)),
        RuntimeError,
        ("(H: 3, W: 5) output (H: 0, W: 2)",),
    ),
    Case(
        "upsample_no_size",
        lambda T: T.nn.Upsample()(_img(T)),
        ValueError,
        ("either size or scale_factor",),
    ),
]

test_ember_raises, test_torch_agrees = error_tests(CASES, subclasses=True)


def test_linalg_errors_are_linalg_errors():
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky(-ember.eye(2))
