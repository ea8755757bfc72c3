"""F.* functions not covered through their modules: pad, normalize, cosine_similarity,
one_hot, and the conv/pool names being reachable."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, torch

import ember
from ember.nn import functional as F

PADS = [
    ((1, 2), "constant", None),
    ((1, 2), "constant", 3.5),
    ((-1, 2, 3, -2), "constant", None),
    ((2, 2, 1, 3), "reflect", None),
    ((1, 2, 1, 1), "replicate", None),
    ((3, 1, 2, 2), "circular", None),
    ((1, 1, 1, 1, 1, 1), "replicate", None),
]


@requires_torch
@pytest.mark.parametrize("pad,mode,value", PADS)
def test_pad_matches_torch(pad, mode, value):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    e = ember.from_numpy(x.copy()).requires_grad_()
    t = torch.from_numpy(x.copy()).requires_grad_()
    ye, yt = F.pad(e, pad, mode=mode, value=value), torch.nn.functional.pad(t, pad, mode, value)
    assert_close(ye, yt)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    ye.backward(ember.from_numpy(g))
    yt.backward(torch.from_numpy(g))
    assert_close(e.grad, t.grad)


@pytest.mark.parametrize("pad,mode,value", PADS[:6])
def test_pad_gradgradcheck(pad, mode, value):
    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 4, 5)), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda a: F.pad(a, pad, mode=mode) ** 2, (x,))


def test_pad_errors():
    x = ember.zeros(1, 3, 4)
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="Padding length should be less than or equal to two"):
        F.pad(x, (1,) * 8)
    with pytest.raises(RuntimeError, match=r"padding \(4, 4\) at dimension 2 of input \[1, 3, 4\]"):
        F.pad(x, (4, 4), mode="reflect")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 1D input"):
        F.pad(ember.zeros(3), (1, 1), mode="reflect")


@requires_torch
def test_normalize_and_cosine_similarity():
    a = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    assert_close(
        F.normalize(ember.from_numpy(a)), torch.nn.functional.normalize(torch.from_numpy(a))
    )
    assert_close(
        F.normalize(ember.from_numpy(a), p=1, dim=0),
        torch.nn.functional.normalize(torch.from_numpy(a), p=1, dim=0),
    )
    assert_close(
        F.cosine_similarity(ember.from_numpy(a), ember.from_numpy(b)),
        torch.nn.functional.cosine_similarity(torch.from_numpy(a), torch.from_numpy(b)),
    )


def test_one_hot_and_conv_names():
    assert F.one_hot(ember.tensor([0, 2]), 3).tolist() == [[1, 0, 0], [0, 0, 1]]
    for name in (
        "conv1d",
        "conv2d",
        "conv_transpose2d",
        "max_pool2d",
        "avg_pool2d",
        "adaptive_avg_pool2d",
        "adaptive_max_pool2d",
    ):
        assert callable(getattr(F, name))
    assert set(F.__all__) <= set(dir(F))
