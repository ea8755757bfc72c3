"""Shared fixtures. The differential tests need the real PyTorch: they skip without it, and fail
instead when EMBER_REQUIRE_TORCH=1 (CI sets it)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import ember


@pytest.fixture(autouse=True)
def _seed():
    ember.manual_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("EMBER_REQUIRE_TORCH") == "1":
        import torch  # noqa: F401  (fails loudly when torch is missing in CI)
