"""ember.backends: the cuDNN / cuBLAS / MPS switches read and write as in a CPU-only PyTorch."""

from __future__ import annotations

import pytest
from helpers import requires_torch, torch

import ember
from ember.compat import TorchAlias

FLAGS = [
    ("cudnn", "enabled"),
    ("cudnn", "deterministic"),
    ("cudnn", "benchmark"),
    ("cudnn", "allow_tf32"),
    ("cudnn", "benchmark_limit"),
    ("mkldnn", "enabled"),
]


@requires_torch
@pytest.mark.parametrize("module, flag", FLAGS)
def test_flag_defaults_match_torch(module, flag):
    want = getattr(getattr(torch.backends, module), flag)
    assert getattr(getattr(ember.backends, module), flag) == want


@requires_torch
def test_availability_matches_a_cpu_build():
    assert ember.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert ember.backends.cudnn.version() is torch.backends.cudnn.version() is None
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ember.backends.mps.is_built() is False
    assert ember.backends.cuda.is_built() is torch.backends.cuda.is_built() is False
    m = ember.backends.cuda.matmul
    assert m.allow_tf32 is torch.backends.cuda.matmul.allow_tf32


def test_flags_are_settable():
    cudnn = ember.backends.cudnn
    old = cudnn.deterministic, cudnn.benchmark
    try:
        cudnn.deterministic, cudnn.benchmark = True, True
        assert ember.backends.cudnn.deterministic is True and cudnn.benchmark is True
        ember.backends.cuda.matmul.allow_tf32 = True
        assert ember.backends.cuda.matmul.allow_tf32 is True
    finally:
        cudnn.deterministic, cudnn.benchmark = old
        ember.backends.cuda.matmul.allow_tf32 = False


@requires_torch
def test_use_deterministic_algorithms():
    assert ember.are_deterministic_algorithms_enabled() is False
    try:
        ember.use_deterministic_algorithms(True, warn_only=True)
        assert ember.are_deterministic_algorithms_enabled() is True
        assert ember.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        ember.use_deterministic_algorithms(False)
    assert ember.are_deterministic_algorithms_enabled() is False
    with pytest.raises(TypeError) as want:
        torch.use_deterministic_algorithms(1)
    with pytest.raises(TypeError) as got:
        ember.use_deterministic_algorithms(1)
    assert str(got.value) == str(want.value)


def test_import_forms_under_the_alias():
    with TorchAlias():
        import torch.backends.cudnn as cudnn
        from torch.backends import mps

        assert cudnn is ember.backends.cudnn and mps.is_available() is False
        import torch

        torch.backends.cudnn.benchmark = True
        try:
            assert cudnn.benchmark is True
        finally:
            cudnn.benchmark = False
        with pytest.raises(AttributeError, match=r"torch\.backends\.quantized is not provided"):
            torch.backends.quantized  # noqa: B018
