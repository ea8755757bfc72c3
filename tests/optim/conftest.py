"""Fixtures shared by the optimizer tests."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import torch

import ember


@pytest.fixture
def compare_state_dicts():
    """Check that ember's optimizer state dict has torch's layout and values."""
    return _compare_state_dicts


def _compare_state_dicts(esd, tsd, rtol=1e-4, atol=1e-6):
    """Same layout (ids, keys, option values, tensor dtypes and shapes) and equal state values
    (``rtol=None``: the layout only)."""
    assert list(esd) == ["state", "param_groups"]
    assert esd["param_groups"] == tsd["param_groups"]
    assert list(esd["state"]) == list(tsd["state"])
    for k, tstate in tsd["state"].items():
        estate = esd["state"][k]
        assert list(estate) == list(tstate)
        for key, tv in tstate.items():
            compare_values(estate[key], tv, rtol, atol)


def compare_values(ev, tv, rtol, atol):
    if isinstance(tv, torch.Tensor):
        assert isinstance(ev, ember.Tensor)
        assert str(ev.dtype) == str(tv.dtype)
        assert tuple(ev.shape) == tuple(tv.shape)
        if rtol is not None:
            np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=rtol, atol=atol)
    elif isinstance(tv, list):
        assert isinstance(ev, list) and len(ev) == len(tv)
        for a, b in zip(ev, tv):
            compare_values(a, b, rtol, atol)
    elif isinstance(tv, float):
        assert isinstance(ev, float)
        if rtol is not None:
            assert ev == pytest.approx(tv, rel=rtol, abs=atol)
    else:
        assert ev == tv
