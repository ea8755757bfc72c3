"""Test helpers: the real PyTorch (when installed), conversions, and comparisons."""

from __future__ import annotations

import os

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - CI installs torch
    torch = None

requires_torch = pytest.mark.skipif(
    torch is None and os.environ.get("EMBER_REQUIRE_TORCH") != "1",
    reason="the real PyTorch is not installed",
)


def to_torch(x, requires_grad=None):
    """An ember tensor (or array) as a torch tensor with the same values and dtype."""
    arr = x.detach().numpy() if isinstance(x, ember.Tensor) else np.asarray(x)
    t = torch.from_numpy(np.array(arr, copy=True))
    rg = x.requires_grad if requires_grad is None and isinstance(x, ember.Tensor) else requires_grad
    if rg:
        t.requires_grad_(True)
    return t


def to_ember(t, requires_grad=None):
    e = ember.from_numpy(t.detach().numpy().copy())
    rg = t.requires_grad if requires_grad is None else requires_grad
    if rg:
        e.requires_grad_(True)
    return e


def assert_close(e, t, rtol=1e-5, atol=1e-6, check_dtype=True):
    """An ember result equals a torch one: shape, dtype and values."""
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            assert_close(a, b, rtol, atol, check_dtype)
        return
    if not hasattr(t, "detach"):
        assert e == pytest.approx(t, rel=rtol, abs=atol)
        return
    ea = e.detach().numpy()
    ta = t.detach().numpy()
    assert ea.shape == ta.shape, f"shape {ea.shape} != torch {ta.shape}"
    if check_dtype:
        assert str(e.dtype) == str(t.dtype), f"dtype {e.dtype} != torch {t.dtype}"
    np.testing.assert_allclose(ea.astype(np.float64), ta.astype(np.float64), rtol=rtol, atol=atol)
