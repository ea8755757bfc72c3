"""Activations, as modules and as ``F.*``, against PyTorch; float64 gradient checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import assert_close, requires_torch, torch

import ember
from ember import nn
from ember.nn import functional as F

# (module name, args, kwargs); the functional twin is checked through the module.
MODULES = [
    ("ReLU", (), {}),
    ("ReLU6", (), {}),
    ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2,), {}),
    ("ELU", (), {}),
    ("ELU", (0.5,), {}),
    ("CELU", (0.7,), {}),
    ("SELU", (), {}),
    ("GELU", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}),
    ("Mish", (), {}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("Softplus", (), {}),
    ("Softplus", (2.0, 1.0), {}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2.0, 0.5), {}),
    ("Threshold", (0.1, -3.0), {}),
    ("Hardsigmoid", (), {}),
    ("Hardswish", (), {}),
    ("LogSigmoid", (), {}),
    ("Softsign", (), {}),
    ("Tanhshrink", (), {}),
    ("GLU", (), {}),
    ("Softmax", (1,), {}),
    ("Softmax", (-1,), {}),
    ("LogSoftmax", (1,), {}),
    ("Softmin", (0,), {}),
]
IDS = [f"{n}-{i}" for i, (n, *_) in enumerate(MODULES)]


def _x(shape=(4, 6), scale=3.0, seed=0, dtype=np.float32):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


@requires_torch
@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=IDS)
def test_module_matches_torch(check_module, name, args, kwargs):
    check_module(
        getattr(torch.nn, name)(*args, **kwargs),
        getattr(nn, name)(*args, **kwargs),
        [_x()],
        rtol=1e-5,
        atol=1e-6,
    )


@requires_torch
@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=IDS)
def test_repr_matches_torch(name, args, kwargs):
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(
        getattr(torch.nn, name)(*args, **kwargs)
    )


INPLACE = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "SiLU", "Hardtanh", "Mish", "Hardswish"]


@requires_torch
@pytest.mark.parametrize("name", INPLACE)
def test_inplace_modules(name):
    x = _x()
    e = ember.from_numpy(x.copy())
    t = torch.from_numpy(x.copy())
    out = getattr(nn, name)(inplace=True)(e)
    getattr(torch.nn, name)(inplace=True)(t)
    assert out is e
    assert_close(e, t, 1e-5, 1e-6)
    assert repr(getattr(nn, name)(inplace=True)) == repr(getattr(torch.nn, name)(inplace=True))


@requires_torch
def test_inplace_on_non_leaf_backprops():
    x = ember.tensor(_x(), requires_grad=True)
    xt = torch.tensor(_x(), requires_grad=True)
    F.relu(x * 2, inplace=True).sum().backward()
    torch.nn.functional.relu(xt * 2, inplace=True).sum().backward()
    assert_close(x.grad, xt.grad)


@requires_torch
def test_prelu_per_channel_4d(check_module):
    tm, em = torch.nn.PReLU(3), nn.PReLU(3)
    with torch.no_grad():
        tm.weight.copy_(torch.tensor([0.1, -0.5, 2.0]))
    check_module(tm, em, [_x((2, 3, 4, 4))])


@requires_torch
@pytest.mark.parametrize("fn", ["gelu", "softplus", "silu", "elu", "logsigmoid", "mish"])
def test_extremes_are_finite_and_match(fn):
    x = np.array([-1e4, -100.0, -30.0, -5.0, 0.0, 5.0, 30.0, 100.0, 1e4], np.float32)
    e = ember.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ye, yt = getattr(F, fn)(e), getattr(torch.nn.functional, fn)(t)
    ye.sum().backward()
    yt.sum().backward()
    assert_close(ye, yt, 1e-5, 1e-6)
    assert_close(e.grad, t.grad, 1e-5, 1e-6)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_accuracy_over_a_wide_range(dtype, approximate):
    """At least as close to the truth (math.erfc, float64) as PyTorch in the same dtype.

    (PyTorch's erf form, 0.5 x (1 + erf(x / sqrt 2)), cancels in the lower tail; ember computes
    Phi(x) through erfc there and stays accurate.)
    """
    x = np.linspace(-12, 12, 20001).astype(dtype)
    x64 = x.astype(np.float64)
    if approximate == "none":
        ref = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x64])
    ye = F.gelu(ember.from_numpy(x), approximate=approximate).numpy().astype(np.float64)
    yt = torch.nn.functional.gelu(torch.from_numpy(x), approximate=approximate).numpy()
    if approximate == "tanh":  # the same float formula on both sides: compare directly
        np.testing.assert_allclose(ye, yt, rtol=1e-5, atol=1e-6 if dtype == np.float32 else 1e-14)
        return
    eps = np.finfo(dtype).eps
    slack = 64 * eps * np.abs(ref)
    assert np.all(np.abs(ye - ref) <= np.abs(yt.astype(np.float64) - ref) + slack)


FLOAT64_FNS = [
    lambda x: F.gelu(x),
    lambda x: F.gelu(x, approximate="tanh"),
    lambda x: F.elu(x, 0.7),
    lambda x: F.selu(x),
    lambda x: F.celu(x, 1.3),
    lambda x: F.silu(x),
    lambda x: F.softplus(x, 2.0, 3.0),
    lambda x: F.mish(x),
    lambda x: F.leaky_relu(x, 0.3),
    lambda x: F.logsigmoid(x),
    lambda x: F.hardswish(x),
    lambda x: F.softmax(x, 1),
    lambda x: F.log_softmax(x, 0),
    lambda x: F.glu(x, 1),
]


@pytest.mark.parametrize("fn", FLOAT64_FNS, ids=range(len(FLOAT64_FNS)))
def test_gradcheck_and_gradgradcheck(fn):
    # Away from the kinks of the piecewise functions, where finite differences are invalid.
    x = _x((3, 4), 1.0, seed=3, dtype=np.float64)
    x[np.abs(x) < 0.05] = 0.3
    x[np.abs(np.abs(x) - 3) < 0.05] = 2.5
    t = ember.tensor(x, requires_grad=True)
    assert ember.autograd.gradcheck(fn, (t,))
    assert ember.autograd.gradgradcheck(fn, (t,))


def test_dtype_kept_float32():
    x = ember.randn(3, 4)
    for fn in (F.gelu, F.silu, F.elu, F.softplus, F.mish, F.leaky_relu, F.hardtanh):
        assert fn(x).dtype == ember.float32, fn


def test_errors():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(ember.randn(2), approximate="erf")
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        F.gelu(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        nn.PReLU(3)(ember.randn(2, 4))
    with pytest.raises(ValueError, match="max_val must be greater than min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(ember.randn(2, 3))


def test_softmax_without_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = nn.Softmax()(ember.randn(2, 3))
    np.testing.assert_allclose(y.sum(1).numpy(), 1, rtol=1e-6)
