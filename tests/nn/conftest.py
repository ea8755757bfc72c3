"""Differential checks of modules against PyTorch: same weights in, same outputs, input
gradients, parameter gradients and buffers out."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, to_ember, torch

import ember


def _copy_weights(tmod, emod) -> None:
    """Load torch's state_dict into the ember module (also exercising load_state_dict)."""
    result = emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys


def _check_module(tmod, emod, inputs, rtol=1e-5, atol=1e-6, grad_inputs=True, seed=1):
    """Run both modules on ``inputs`` (numpy arrays) and compare everything observable."""
    _copy_weights(tmod, emod)
    tin, ein = [], []
    for a in inputs:
        float_in = a.dtype.kind == "f" and grad_inputs
        tin.append(torch.from_numpy(a.copy()).requires_grad_(float_in))
        ein.append(ember.from_numpy(a.copy()).requires_grad_(float_in))
    yt = tmod(*tin)
    ye = emod(*ein)
    assert_close(ye, yt, rtol, atol)
    assert list(emod.state_dict()) == list(tmod.state_dict())
    if yt.requires_grad:
        g = (
            np.random.default_rng(seed)
            .standard_normal(tuple(yt.shape))
            .astype(yt.detach().numpy().dtype)
        )
        yt.backward(torch.from_numpy(g))
        ye.backward(ember.from_numpy(g.copy()))
        for a, b in zip(ein, tin):
            if b.requires_grad:
                assert_close(a.grad, b.grad, rtol, atol)
        tparams = dict(tmod.named_parameters())
        for name, p in emod.named_parameters():
            tp = tparams[name]
            if tp.grad is None:
                assert p.grad is None, name
            else:
                assert_close(p.grad, tp.grad, rtol, atol)
    for (name, b), (tname, tb) in zip(emod.named_buffers(), tmod.named_buffers()):
        assert name == tname
        assert_close(b, tb, rtol, atol)
    return ye, yt


@pytest.fixture
def copy_weights():
    return _copy_weights


@pytest.fixture
def check_module():
    return _check_module
