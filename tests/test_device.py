"""Devices: ember computes on the CPU, parses device strings as PyTorch does, and refuses 'cuda'
with the error a CPU-only PyTorch raises."""

from __future__ import annotations

import pickle

import pytest
from helpers import requires_torch, torch

import ember

STRINGS = ["cpu", "cuda", "cuda:1", "cpu:0", "mps", "meta", "cuda:x", "gpu", "cuda:-1"]


@requires_torch
@pytest.mark.parametrize("s", STRINGS)
def test_device_parsing_matches_torch(s):
    try:
        t = torch.device(s)
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as ee:
            ember.device(s)
        # The same facts, though PyTorch lists backends ember cannot have.
        assert str(ee.value).split(":")[0] == str(e).split(":")[0]
        return
    e = ember.device(s)
    assert (repr(e), str(e), e.type, e.index) == (repr(t), str(t), t.type, t.index)


@requires_torch
def test_device_with_index_argument():
    assert repr(ember.device("cuda", 1)) == repr(torch.device("cuda", 1))
    with pytest.raises(RuntimeError, match="must not include an index"):
        ember.device("cuda:0", 1)
    with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
        ember.device(0)


def test_device_equality_and_hash():
    assert ember.device("cpu") == ember.device("cpu")
    assert ember.device("cpu:0") != ember.device("cpu")
    # As in PyTorch, a device never equals a string.
    assert ember.device("cpu") != "cpu"
    assert {ember.device("cpu"): 1}[ember.device("cpu")] == 1
    assert pickle.loads(pickle.dumps(ember.device("cuda:1"))) == ember.device("cuda:1")


def test_tensors_live_on_cpu():
    x = ember.ones(2)
    assert x.device == ember.device("cpu")
    assert repr(x.device) == "device(type='cpu')"
    assert x.is_cuda is False
    assert x.get_device() == -1
    assert ember.get_default_device() == ember.device("cpu")


def test_cuda_is_not_available():
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    ember.cuda.manual_seed_all(0)  # accepted, as in CPU-only PyTorch


@pytest.mark.parametrize(
    "fn",
    [
        lambda: ember.zeros(2, device="cuda"),
        lambda: ember.tensor([1.0], device="cuda:0"),
        lambda: ember.randn(2, device=ember.device("cuda")),
        lambda: ember.ones(2).to("cuda"),
        lambda: ember.ones(2).to(ember.device("cuda", 0)),
        lambda: ember.ones(2).cuda(),
        lambda: ember.ones(2).new_zeros(2, device="cuda"),
        lambda: ember.zeros_like(ember.ones(2), device="cuda"),
        lambda: ember.full_like(ember.ones(2), 1.0, device="cuda"),
        lambda: ember.cuda.current_device(),
    ],
)
def test_cuda_raises_the_cpu_build_error(fn):
    # PyTorch built without CUDA raises AssertionError; ember's error is also a RuntimeError.
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        fn()
    with pytest.raises(RuntimeError, match="is_available"):
        fn()


def test_other_backends_are_refused():
    with pytest.raises(RuntimeError, match="mps"):
        ember.ones(2).to("mps")


def test_to_cpu_is_a_no_op():
    x = ember.ones(2)
    assert x.to("cpu") is x
    assert x.to(ember.device("cpu")) is x
    assert x.cpu() is x
    assert x.to("cpu", non_blocking=True) is x
    y = x.to("cpu", ember.float64)
    assert y.dtype is ember.float64 and y.device == ember.device("cpu")
    z = x.to(device="cpu", dtype=ember.int32)
    assert z.dtype is ember.int32


@pytest.mark.parametrize(
    "factory",
    [
        lambda d: ember.zeros(2, device=d),
        lambda d: ember.ones(2, device=d),
        lambda d: ember.empty(2, device=d),
        lambda d: ember.full((2,), 1.0, device=d),
        lambda d: ember.arange(3, device=d),
        lambda d: ember.linspace(0, 1, 3, device=d),
        lambda d: ember.eye(2, device=d),
        lambda d: ember.rand(2, device=d),
        lambda d: ember.randn(2, device=d),
        lambda d: ember.randint(0, 3, (2,), device=d),
        lambda d: ember.randperm(3, device=d),
        lambda d: ember.tensor([1.0], device=d),
        lambda d: ember.as_tensor([1.0], device=d),
        lambda d: ember.zeros_like(ember.ones(2), device=d),
        lambda d: ember.Tensor([1.0], device=d),
    ],
)
@pytest.mark.parametrize("dev", ["cpu", "cpu:0", ember.device("cpu"), None])
def test_device_keyword_on_factories(factory, dev):
    assert factory(dev).device == ember.device("cpu")
