"""``ember.cuda``: there is no GPU. It answers what a CPU-only PyTorch build answers.

Queries that a script makes before choosing its device (``is_available``, ``device_count``,
memory counters) return what such a build returns; seeding and ``empty_cache`` are accepted;
everything that needs a GPU (``get_device_name``, ``synchronize``, ``set_device`` ...) raises
the CPU build's AssertionError, which is a RuntimeError too (``device.CudaUnavailableError``).
A real package, so that ``import torch.cuda`` and ``from torch.cuda import ...`` work under the
alias; names it lacks (``torch.cuda.Stream``, ``torch.cuda.graph``) are reported by the alias as
"not provided by ember".
"""

from __future__ import annotations

from ..device import check as _check
from . import amp  # torch.cuda.amp is reachable as an attribute, as in PyTorch


def _no_gpu():
    # check('cuda') raises the "Torch not compiled with CUDA enabled" error.
    _check("cuda")


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def get_arch_list() -> list[str]:
    return []


# Seeding is lazy in PyTorch: the seed is kept for a GPU that never comes, without an error.
def manual_seed(seed: int) -> None:
    int(seed)


def manual_seed_all(seed: int) -> None:
    int(seed)


def seed() -> None:
    pass


def seed_all() -> None:
    pass


def empty_cache() -> None:
    pass


# The caching allocator's counters read 0 when nothing was ever allocated on a GPU.
def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def max_memory_reserved(device=None) -> int:
    return 0


def init() -> None:
    _no_gpu()


def current_device() -> int:
    _no_gpu()
    return 0


def set_device(device) -> None:
    _no_gpu()


def synchronize(device=None) -> None:
    _no_gpu()


def get_device_name(device=None) -> str:
    _no_gpu()
    return ""


def get_device_properties(device=None):
    _no_gpu()


def get_device_capability(device=None) -> tuple[int, int]:
    _no_gpu()
    return (0, 0)


def mem_get_info(device=None) -> tuple[int, int]:
    _no_gpu()
    return (0, 0)


def get_rng_state(device="cuda"):
    _no_gpu()


def set_rng_state(new_state, device="cuda") -> None:
    _no_gpu()


def reset_peak_memory_stats(device=None) -> None:
    _no_gpu()


def ipc_collect() -> None:
    _no_gpu()
