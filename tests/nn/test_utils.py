"""nn.utils: gradient clipping and parameter vectors against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember


def _model(lib):
    m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Linear(4, 2))
    return m


@requires_torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    t = _model(torch)
    e = _model(ember)
    e.load_state_dict({k: to_ember(v) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    (t(torch.from_numpy(x)) ** 2).sum().backward()
    (e(ember.from_numpy(x)) ** 2).sum().backward()
    nt = torch.nn.utils.clip_grad_norm_(t.parameters(), max_norm, norm_type)
    ne = ember.nn.utils.clip_grad_norm_(e.parameters(), max_norm, norm_type)
    assert_close(ne, nt, 1e-5, 1e-6)
    for (_, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        assert_close(pe.grad, pt.grad, 1e-5, 1e-6)


def test_clip_grad_value_and_errors():
    p = ember.nn.Parameter(ember.zeros(3))
    p.grad = ember.tensor([-2.0, 0.5, 3.0])
    ember.nn.utils.clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]
    p.grad = ember.tensor([float("inf"), 0.0, 0.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        ember.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert ember.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_parameters_vector_round_trip():
    m = _model(ember)
    v = ember.nn.utils.parameters_to_vector(m.parameters())
    assert v.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    ember.nn.utils.vector_to_parameters(v * 0 + 1, m.parameters())
    assert all((p.detach().numpy() == 1).all() for p in m.parameters())
