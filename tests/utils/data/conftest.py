"""Fixtures for the utils.data tests: comparing nested batches with PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close

import ember


def _same(e, t) -> None:
    """An ember batch equals a torch one: the same containers (list, dict, namedtuple...), and
    equal tensors (shape, dtype, values) and leaves."""
    if hasattr(t, "detach"):
        assert isinstance(e, ember.Tensor), f"{type(e).__name__} where torch has a tensor"
        assert_close(e, t, rtol=0, atol=0)
        return
    assert type(e).__name__ == type(t).__name__, f"{type(e).__name__} != {type(t).__name__}"
    if isinstance(t, dict):
        assert list(e) == list(t)
        for k in t:
            _same(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
    elif isinstance(t, np.ndarray):
        np.testing.assert_array_equal(e, t)
    else:
        assert e == t


@pytest.fixture
def assert_same():
    return _same
