"""Behaviour of the ops in diagonal.py, cumulative.py, pointwise.py and products.py that the
op table cannot show: views and in-place writes, NaN and ties, special values, warnings,
dtypes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember


def _both(fn, *arrays):
    got = fn(ember, *[ember.from_numpy(np.array(a)) for a in arrays])
    want = fn(torch, *[torch.from_numpy(np.array(a)) for a in arrays])
    assert_close(got, want)


def test_diagonal_is_a_writable_view():
    a = ember.arange(9.0).reshape(3, 3)
    d = a.diagonal()
    d.zero_()
    assert a.tolist() == [[0, 1, 2], [3, 0, 5], [6, 7, 0]]
    a.diagonal(1).fill_(-1)
    assert a[0, 1].item() == -1 and a[1, 2].item() == -1
    assert ember.diagonal(ember.ones(2, 3, 4), 7, 1, 2).shape == (2, 0)


@requires_torch
@pytest.mark.parametrize("shape,wrap", [((5, 3), True), ((5, 3), False), ((3, 3, 3), False)])
def test_fill_diagonal(shape, wrap):
    _both(lambda T, a: a.clone().fill_diagonal_(2, wrap=wrap), np.zeros(shape, np.float32))


@requires_torch
def test_cummax_nan_ties_and_dtypes():
    _both(lambda T, a: T.cummax(a, 0), np.array([1.0, np.nan, 3.0, np.nan, 5.0], np.float32))
    _both(lambda T, a: T.cummin(a, 0), np.array([3.0, 1.0, 1.0, 2.0, 1.0, 0.0], np.float32))
    _both(lambda T, a: T.cummax(a, 0), np.array([False, True, False]))
    _both(lambda T, a: T.cumprod(a, 0), np.array([1, 3, 2], np.int32))
    _both(lambda T, a: T.cumprod(a, 0, dtype=T.float32), np.array([1, 3, 2]))
    _both(lambda T, a: T.diff(a), np.array([True, False, False]))
    _both(lambda T, a: T.diff(a, n=5), np.array([1.0, 2.0], np.float32))


def test_erfinv_accuracy():
    x = np.concatenate([np.linspace(-1, 1, 2001)[1:-1], 1 - np.logspace(-15, -1, 50)])
    y = ember.erfinv(ember.from_numpy(x)).numpy()
    from ember.ops import _special

    np.testing.assert_allclose(_special.erf(y), x, rtol=1e-14, atol=1e-15)
    edges = ember.erfinv(ember.tensor([1.0, -1.0, 1.5, 0.0])).tolist()
    assert edges[:2] == [float("inf"), float("-inf")] and np.isnan(edges[2]) and edges[3] == 0


@requires_torch
def test_pointwise_dtypes_and_special_values():
    _both(lambda T, a: T.erf(a), np.array([0, 1]))
    _both(lambda T, a, b: T.atan2(a, b), np.array([1, 0]), np.array([0, -1]))
    _both(lambda T, a, b: T.atan2(a, b), np.array([1.0], np.float32), np.array([2.0]))
    for dtype in (np.float16, np.float32, np.float64):
        _both(lambda T, a: T.nan_to_num(a), np.array([np.nan, np.inf, -np.inf, 1.0], dtype))
    _both(lambda T, a: T.nan_to_num(a), np.array([1, 2]))
    _both(lambda T, a, b: T.lerp(a, b, 1.5), np.array([1.0], np.float32), np.array([3.0], "f4"))
    t = torch.zeros(2, requires_grad=True)
    e = ember.zeros(2, requires_grad=True)
    torch.atan2(t, t).sum().backward()
    ember.atan2(e, e).sum().backward()
    assert_close(e.grad, t.grad)


@requires_torch
def test_meshgrid_views_and_warning_once():
    a, b = ember.arange(3), ember.arange(2)
    gx, gy = ember.meshgrid(a, b, indexing="xy")
    assert gx.shape == (2, 3) and not gx.is_contiguous()
    import ember.ops.products as products

    products._MESHGRID_WARNED = False
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.meshgrid(a, b)
        ember.meshgrid(a, b)
    assert [str(x.message) for x in w] == [
        "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."
    ]
    _both(lambda T, a: T.meshgrid(a, indexing="ij"), np.arange(3))


@requires_torch
def test_addmm_beta_zero_ignores_nan_and_gives_zero_grad():
    c = np.full(5, np.nan, np.float32)
    m1 = np.ones((2, 3), np.float32)
    m2 = np.ones((3, 5), np.float32)
    t, e = torch.from_numpy(c).requires_grad_(), ember.from_numpy(c).requires_grad_()
    yt = torch.addmm(t, torch.from_numpy(m1), torch.from_numpy(m2), beta=0)
    ye = ember.addmm(e, ember.from_numpy(m1), ember.from_numpy(m2), beta=0)
    assert_close(ye, yt)
    yt.sum().backward()
    ye.sum().backward()
    assert_close(e.grad, t.grad)
    assert ye.grad_fn.name() == yt.grad_fn.name()


@requires_torch
def test_where_with_int_scalar_keeps_float32():
    x = torch.randn(3)
    assert ember.where(to_ember(x) > 0, to_ember(x), 0).dtype == ember.float32
    assert_close(ember.where(ember.tensor(False), 1, 0), torch.where(torch.tensor(False), 1, 0))


@requires_torch
def test_apply_and_map():
    for lib in (torch, ember):
        x = lib.tensor([1.0, 2.0, 3.0])
        assert x.apply_(lambda v: v * 2) is x
        assert x.tolist() == [2.0, 4.0, 6.0]
        assert lib.tensor([1, 2]).apply_(lambda v: v / 3).tolist() == [0, 0]
        y = lib.tensor([1.0, 2.0]).map_(lib.tensor([10.0, 20.0]), lambda a, b: a + b)
        assert y.tolist() == [11.0, 22.0]
        with pytest.raises(TypeError, match="must be real number, not str"):
            lib.tensor([1.0]).apply_(lambda v: "a")
        with pytest.raises(RuntimeError, match=r"Can't call apply_\(\) on Variable that requires"):
            lib.ones(2, requires_grad=True).apply_(lambda v: v)


@requires_torch
def test_tensor_methods_exist_as_in_torch():
    names = (
        "diag diagonal diag_embed diagflat triu tril triu_ tril_ fill_diagonal_ cumprod cumprod_ "
        "cumsum_ cummax cummin logcumsumexp diff bincount histc count_nonzero argwhere take lerp "
        "lerp_ addmm addmm_ addmv addbmm baddbmm addr kron cross erf erfc erfinv atan2 arctan2 "
        "asin acos atan sinh cosh asinh acosh atanh nan_to_num nan_to_num_ inverse det logdet "
        "slogdet pinverse cholesky qr svd matrix_power apply_ map_ dist"
    ).split()
    for n in names:
        assert hasattr(torch.Tensor, n) and hasattr(ember.Tensor, n), n
