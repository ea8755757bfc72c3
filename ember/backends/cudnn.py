"""``torch.backends.cudnn`` without cuDNN: settable flags with PyTorch's defaults."""

from __future__ import annotations

enabled = True
deterministic = False
benchmark = False
benchmark_limit = None  # what a CPU-only PyTorch build holds
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
