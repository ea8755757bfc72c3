"""``ember.backends``: the switches scripts set for PyTorch's accelerator libraries.

ember computes with NumPy on the CPU, so there is no cuDNN, cuBLAS or MPS to configure; the
flags exist so that the usual seeding boilerplate (``torch.backends.cudnn.deterministic =
True``, ``torch.backends.cudnn.benchmark = False``) runs, reads back what was set, and the
availability queries answer False. ember's own ops are deterministic whatever is set.
"""

from __future__ import annotations

from . import cuda, cudnn, mkldnn, mps

__all__ = ["cuda", "cudnn", "mkldnn", "mps"]

_deterministic = [False, False]  # (mode, warn_only)


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """``torch.use_deterministic_algorithms``: recorded only; every ember op is deterministic."""
    if not isinstance(mode, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, "
            f"not {type(mode).__name__}"
        )
    _deterministic[:] = [mode, bool(warn_only)]


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic[1]
