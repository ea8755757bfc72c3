"""torch.linalg beyond the op table: second derivatives, result types, the non-differentiable
outputs (rank, info, residuals), singular inputs, the names ember leaves out, and the
``torch.linalg`` alias under ``ember run``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, to_torch, torch

import ember
from ember.autograd import gradgradcheck


def _t(rng, *shape):
    return ember.from_numpy(rng.uniform(-1, 1, shape)).requires_grad_()


def _well(a):
    return a + 3 * ember.eye(a.shape[-1], dtype=a.dtype)


def _spd(a):
    return a @ a.mT + ember.eye(a.shape[-1], dtype=a.dtype)


SECOND_ORDER = {
    "inv": (lambda a: ember.linalg.inv(_well(a)), [(3, 3)]),
    "det": (lambda a: ember.linalg.det(_well(a)), [(3, 3)]),
    "slogdet": (lambda a: ember.linalg.slogdet(_well(a)).logabsdet, [(3, 3)]),
    "solve": (lambda a, b: ember.linalg.solve(_well(a), b), [(3, 3), (3, 2)]),
    "cholesky": (lambda a: ember.linalg.cholesky(_spd(a)), [(3, 3)]),
    "qr": (lambda a: (lambda q, r: q.sum(0) + r.sum(0))(*ember.linalg.qr(a)), [(4, 3)]),
    "eigh": (lambda a: (lambda w, v: w + (v**2).sum(0))(*ember.linalg.eigh(a + a.mT)), [(3, 3)]),
    "svd": (
        lambda a: (lambda u, s, vh: s + (u**2 @ vh**2).sum(0))(*ember.linalg.svd(a, False)),
        [(4, 3)],
    ),
    "pinv": (lambda a: ember.linalg.pinv(a), [(4, 3)]),
    "cumprod_zeros": (
        lambda a: (a * ember.tensor([1.0, 0.0, 1.0, 1.0], dtype=a.dtype)).cumprod(0),
        [(4,)],
    ),
    "cdist": (lambda a, b: ember.cdist(a, b), [(3, 2), (4, 2)]),
    "cdist_p3": (lambda a, b: ember.cdist(a, b, 3), [(3, 2), (4, 2)]),
    "logcumsumexp": (lambda a: ember.logcumsumexp(a, 0), [(4,)]),
    "interpolate": (
        lambda a: ember.nn.functional.interpolate(a, scale_factor=1.5, mode="bicubic"),
        [(1, 1, 3, 3)],
    ),
    "erfinv": (lambda a: ember.erfinv(a * 0.5), [(4,)]),
    "lerp": (lambda a, b, w: ember.lerp(a, b, w) ** 2, [(3,), (3,), (3,)]),
    "atan2": (lambda a, b: ember.atan2(a, b), [(3,), (3,)]),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_gradgradcheck(name):
    fn, shapes = SECOND_ORDER[name]
    rng = np.random.default_rng(1)
    assert gradgradcheck(fn, [_t(rng, *s) for s in shapes])


@requires_torch
def test_result_types_and_fields():
    a = ember.randn(4, 3)
    assert type(ember.linalg.svd(a)).__name__ == "linalg_svd"
    assert ember.linalg.svd(a).Vh.shape == (3, 3)
    assert ember.svd(a).V.shape == (3, 3)
    assert ember.linalg.qr(a).R.shape == (3, 3)
    assert ember.linalg.qr(a, mode="complete").Q.shape == (4, 4)
    assert ember.linalg.qr(a, mode="r").Q.shape == (0,)
    s = ember.linalg.eigh(a.mT @ a)
    assert s.eigenvalues.shape == (3,) and s.eigenvectors.shape == (3, 3)
    sign, logabs = ember.linalg.slogdet(a[:3])
    assert repr(ember.slogdet(a[:3])).startswith("torch.return_types.slogdet(")
    assert sign.item() in (-1.0, 1.0) and logabs.dtype == ember.float32


@requires_torch
@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_lstsq_outputs_by_driver(driver, shape):
    rng = np.random.default_rng(0)
    A = rng.standard_normal(shape).astype(np.float32)
    B = rng.standard_normal((shape[0], 2)).astype(np.float32)
    want = torch.linalg.lstsq(torch.from_numpy(A), torch.from_numpy(B), driver=driver)
    got = ember.linalg.lstsq(ember.from_numpy(A), ember.from_numpy(B), driver=driver)
    assert_close(got.solution, want.solution, 1e-4, 1e-5)
    assert_close(got.residuals, want.residuals, 1e-3, 1e-4)
    assert_close(got.rank, want.rank)
    assert_close(got.singular_values, want.singular_values, 1e-4, 1e-5)


@requires_torch
@pytest.mark.parametrize(
    "kwargs", [{}, {"tol": 0.05}, {"atol": 0.05, "rtol": 0.0}, {"rtol": 0.05}, {"hermitian": True}]
)
def test_matrix_rank(kwargs):
    A = np.diag([1.0, -0.1, 0.01, 0.0]).astype(np.float32)
    want = torch.linalg.matrix_rank(torch.from_numpy(A), **kwargs)
    assert_close(ember.linalg.matrix_rank(ember.from_numpy(A), **kwargs), want)


@requires_torch
def test_pinv_cutoff_and_singular_gradients():
    for s in (1e-8, 2.3841858e-07, 2.39e-07):
        A = np.diag([1.0, s]).astype(np.float32)
        assert_close(ember.linalg.pinv(ember.from_numpy(A)), torch.linalg.pinv(torch.from_numpy(A)))
    # det of a singular matrix: the gradient is its cofactor matrix, not NaN.
    A = np.array([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])
    t, e = torch.from_numpy(A).requires_grad_(), ember.from_numpy(A).requires_grad_()
    torch.linalg.det(t).backward()
    ember.linalg.det(e).backward()
    assert_close(e.grad, t.grad, 1e-6, 1e-9)


@requires_torch
def test_svdvals_and_eigvalsh_of_repeated_values_have_finite_gradients():
    for fn in (lambda T, a: T.linalg.svdvals(a).sum(), lambda T, a: T.linalg.eigvalsh(a).sum()):
        t, e = torch.eye(3, requires_grad=True), ember.eye(3, requires_grad=True)
        fn(torch, t).backward()
        fn(ember, e).backward()
        assert_close(e.grad, t.grad)


@requires_torch
def test_ex_variants_report_failures():
    mats = np.stack([np.eye(3), -np.eye(3)]).astype(np.float32)
    for name in ("inv_ex", "cholesky_ex"):
        want = getattr(torch.linalg, name)(torch.from_numpy(mats))
        got = getattr(ember.linalg, name)(ember.from_numpy(mats))
        assert_close(got[1], want[1])
        assert_close(got[0][0], want[0][0])
    want = torch.linalg.solve_ex(torch.eye(2), torch.ones(2))
    got = ember.linalg.solve_ex(ember.eye(2), ember.ones(2))
    assert_close(got.result, want.result)
    assert_close(got.info, want.info)


@requires_torch
def test_legacy_names_warn_once_as_torch():
    A = ember.randn(3, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.qr(A)
        ember.qr(A)
        ember.cholesky(A @ A.mT + ember.eye(3))
    # Once per process: an earlier test may have used them already.
    assert len([x for x in w if "torch.qr is deprecated" in str(x.message)]) <= 1
    assert all(x.category is UserWarning for x in w)


def test_names_ember_leaves_out():
    with pytest.raises(NotImplementedError, match="torch.linalg.eig is not provided by ember"):
        ember.linalg.eig(ember.eye(2))
    with pytest.raises(NotImplementedError, match="eigvals"):
        ember.linalg.eigvals(ember.eye(2))
    with pytest.raises(AttributeError, match="lu_factor"):
        ember.linalg.lu_factor  # noqa: B018


def test_torch_linalg_alias():
    from ember.compat import TorchAlias

    with TorchAlias():
        import torch as t  # noqa: PLC0415 - the alias resolves it to ember
        import torch.linalg as la

        assert la is ember.linalg and t.linalg is ember.linalg
        from torch.linalg import norm

        assert norm is ember.linalg.norm
        with pytest.raises(AttributeError, match="torch.linalg.lu_factor is not provided"):
            t.linalg.lu_factor  # noqa: B018


@requires_torch
@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf")])
def test_matrix_norm_dims_and_keepdim(ord):
    x = torch.randn(2, 3, 4)
    for dim in ((0, 2), (-1, 0)):
        for keepdim in (False, True):
            want = torch.linalg.matrix_norm(x, ord, dim, keepdim)
            got = ember.linalg.matrix_norm(to_ember(x), ord, dim, keepdim)
            assert_close(got, want, 1e-4, 1e-5)


@requires_torch
def test_tensor_methods_match():
    a = torch.randn(3, 3) + 3 * torch.eye(3)
    e = to_ember(a)
    for name, args in [
        ("inverse", ()),
        ("det", ()),
        ("logdet", ()),
        ("matrix_power", (3,)),
        ("pinverse", ()),
        ("diag", ()),
        ("triu", (1,)),
    ]:
        assert_close(getattr(e, name)(*args), getattr(a, name)(*args), 1e-4, 1e-5)
    assert_close(e.slogdet()[1], a.slogdet()[1], 1e-4, 1e-5)
    assert_close(e.dist(e * 2, 3), a.dist(a * 2, 3), 1e-5, 1e-5)
    s = to_torch(e @ e.mT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Tensor.cholesky is deprecated (in both)
        assert_close((e @ e.mT).cholesky(), s.cholesky(), 1e-4, 1e-5)
