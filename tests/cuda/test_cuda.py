"""ember.cuda answers as a CPU-only PyTorch build does: queries return, GPU work raises."""

from __future__ import annotations

import pytest
from helpers import requires_torch, torch

import ember
from ember.compat import TorchAlias

QUERIES = {
    "is_available": (),
    "device_count": (),
    "is_initialized": (),
    "is_bf16_supported": (),
    "get_arch_list": (),
    "memory_allocated": (0,),
    "max_memory_allocated": (0,),
    "memory_reserved": (0,),
    "max_memory_reserved": (),
    "empty_cache": (),
    "manual_seed": (0,),
    "manual_seed_all": (0,),
    "seed": (),
    "seed_all": (),
}
NEED_GPU = {
    "current_device": (),
    "synchronize": (),
    "get_device_name": (0,),
    "get_device_properties": (0,),
    "get_device_capability": (0,),
    "mem_get_info": (0,),
    "get_rng_state": (),
    "init": (),
    "ipc_collect": (),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_queries_answer_as_a_cpu_build(name):
    args = QUERIES[name]
    assert getattr(ember.cuda, name)(*args) == getattr(torch.cuda, name)(*args)


@requires_torch
@pytest.mark.parametrize("name", sorted(NEED_GPU))
def test_gpu_work_raises_the_cpu_build_error(name):
    args = NEED_GPU[name]
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        getattr(torch.cuda, name)(*args)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled") as e:
        getattr(ember.cuda, name)(*args)
    assert isinstance(e.value, RuntimeError)  # ember's error is both, see ember.device


def test_set_device_and_peak_stats_raise_clearly():
    # PyTorch fails here with an AttributeError from its C extension; ember says why.
    for fn in (lambda: ember.cuda.set_device(0), ember.cuda.reset_peak_memory_stats):
        with pytest.raises(RuntimeError, match="CUDA"):
            fn()


def test_import_forms_under_the_alias():
    with TorchAlias():
        import torch.cuda
        from torch.cuda import get_device_name, is_available

        assert torch.cuda is ember.cuda
        assert is_available() is False
        with pytest.raises(RuntimeError, match="Torch not compiled with CUDA enabled"):
            get_device_name(0)
        with pytest.raises(AttributeError, match=r"^torch\.cuda\.Stream is not provided by ember"):
            torch.cuda.Stream  # noqa: B018
        with pytest.raises(ModuleNotFoundError, match=r"^torch\.cuda\.nccl is not provided"):
            import torch.cuda.nccl  # noqa: F401
        from torch.cuda.amp import GradScaler

        assert GradScaler is ember.cuda.amp.GradScaler
