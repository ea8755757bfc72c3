"""nn.init: gains and fans as PyTorch's, distributions checked statistically (fixed seeds),
bounds exactly, and every layer's default initialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember import nn
from ember.nn import init


@requires_torch
@pytest.mark.parametrize(
    "nl,param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(nl, param):
    assert init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param))


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope a not a valid number"):
        init.calculate_gain("leaky_relu", "a")


@requires_torch
@pytest.mark.parametrize("shape", [(3, 4), (5, 3, 2, 2), (2, 7, 3)])
def test_fans_match_torch(shape):
    got = init._calculate_fan_in_and_fan_out(ember.empty(*shape))
    assert got == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fan_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ember.empty(3))
    with pytest.raises(ValueError, match=r"Mode x not supported, please use one of \['fan_in'"):
        init.kaiming_uniform_(ember.empty(3, 2), mode="x")
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ember.empty(0, 2))


def _stats(t):
    a = t.detach().numpy().astype(np.float64).ravel()
    return a.mean(), a.std(), a.min(), a.max()


def test_uniform_normal_constant():
    t = ember.empty(200, 500)
    mean, std, lo, hi = _stats(init.uniform_(t, -2.0, 3.0))
    assert -2 <= lo and hi < 3 and abs(mean - 0.5) < 0.02 and abs(std - 5 / math.sqrt(12)) < 0.02
    mean, std, *_ = _stats(init.normal_(t, 1.0, 0.5))
    assert abs(mean - 1) < 0.01 and abs(std - 0.5) < 0.01
    assert (init.constant_(t, 0.3).numpy() == np.float32(0.3)).all()
    assert (init.ones_(t).numpy() == 1).all() and (init.zeros_(t).numpy() == 0).all()
    assert t.dtype == ember.float32


def test_trunc_normal_bounds_and_moments():
    t = init.trunc_normal_(ember.empty(100000), mean=0.5, std=1.0, a=-1.0, b=2.0)
    mean, std, lo, hi = _stats(t)
    assert lo >= -1 and hi <= 2
    # Moments of N(0.5, 1) truncated to [-1.5, 1.5] std-units: symmetric, so the mean stays.
    assert abs(mean - 0.5) < 0.02 and 0.7 < std < 0.8


@pytest.mark.parametrize("fn", ["xavier_uniform_", "xavier_normal_"])
def test_xavier(fn):
    t = ember.empty(300, 500)
    getattr(init, fn)(t, gain=2.0)
    std = 2.0 * math.sqrt(2.0 / 800)
    mean, s, lo, hi = _stats(t)
    assert abs(mean) < 0.005 and abs(s - std) / std < 0.02
    if fn == "xavier_uniform_":
        assert max(-lo, hi) <= math.sqrt(3) * std


@pytest.mark.parametrize("fn", ["kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming(fn, mode):
    t = ember.empty(400, 100, 3)
    getattr(init, fn)(t, a=0.1, mode=mode, nonlinearity="leaky_relu")
    fan = 300 if mode == "fan_in" else 1200
    std = math.sqrt(2 / (1 + 0.01)) / math.sqrt(fan)
    mean, s, lo, hi = _stats(t)
    assert abs(mean) < 0.005 and abs(s - std) / std < 0.02
    if fn == "kaiming_uniform_":
        assert max(-lo, hi) <= math.sqrt(3) * std * (1 + 1e-6)


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 2, 5)])
def test_orthogonal(shape):
    t = init.orthogonal_(ember.empty(*shape), gain=2.0)
    m = t.numpy().reshape(shape[0], -1).astype(np.float64)
    small = m @ m.T if shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(small, 4 * np.eye(len(small)), atol=1e-5)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions"):
        init.orthogonal_(ember.empty(3))


def test_eye_dirac_sparse():
    np.testing.assert_array_equal(init.eye_(ember.empty(2, 3)).numpy(), np.eye(2, 3))
    # Two groups of two output channels: channel k of each group reads input channel k.
    w = init.dirac_(ember.empty(4, 2, 3, 3), groups=2).numpy()
    assert w.sum() == 4 and w[0, 0, 1, 1] == w[1, 1, 1, 1] == w[2, 0, 1, 1] == w[3, 1, 1, 1] == 1
    s = init.sparse_(ember.empty(10, 20), sparsity=0.3)
    assert ((s.numpy() == 0).sum(0) >= 3).all()


def test_generator_makes_init_reproducible():
    g1, g2 = ember.Generator().manual_seed(3), ember.Generator().manual_seed(3)
    a = init.kaiming_normal_(ember.empty(5, 5), generator=g1)
    b = init.kaiming_normal_(ember.empty(5, 5), generator=g2)
    assert a.equal(b)


def test_init_under_no_grad_on_parameters():
    p = nn.Parameter(ember.empty(3, 3))
    init.xavier_uniform_(p)
    assert p.requires_grad and p.grad_fn is None


# -- every layer's default initialisation ------------------------------------------------------


def test_linear_default_init_bounds():
    ember.manual_seed(0)
    fc = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = fc.weight.detach().numpy()
    b = fc.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(b).max() <= bound and fc.weight.dtype == ember.float32


def test_bilinear_embedding_norm_defaults():
    bl = nn.Bilinear(50, 30, 20)
    assert np.abs(bl.weight.detach().numpy()).max() <= 1 / math.sqrt(50)
    e = nn.Embedding(1000, 64, padding_idx=3)
    w = e.weight.detach().numpy()
    assert abs(w.std() - 1) < 0.02 and not w[3].any()
    for m in (nn.BatchNorm1d(5), nn.LayerNorm(5), nn.GroupNorm(1, 5)):
        assert (m.weight.detach().numpy() == 1).all() and not m.bias.detach().numpy().any()
    bn = nn.BatchNorm2d(4)
    assert not bn.running_mean.numpy().any() and (bn.running_var.numpy() == 1).all()
    assert bn.num_batches_tracked.item() == 0 and bn.num_batches_tracked.dtype == ember.int64
    assert (nn.PReLU(3).weight.detach().numpy() == np.float32(0.25)).all()


def test_dtype_argument():
    assert nn.Linear(2, 3, dtype=ember.float64).weight.dtype == ember.float64
    assert nn.LayerNorm(3, dtype=ember.float64).weight.dtype == ember.float64
