"""Devices. ember computes on the CPU; 'cuda' is understood and refused clearly."""

from __future__ import annotations


class device:
    """``ember.device('cpu')``; ``'cuda'`` parses but cannot hold tensors without a GPU backend."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string like 'cpu' or 'cuda:0', got {type!r}")
        name, _, idx = type.partition(":")
        if name not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(
                f"Expected one of cpu, cuda, mps, meta device type at start of device string: "
                f"{type}"
            )
        if idx:
            if index is not None:
                raise RuntimeError(f"device string {type!r} already has an index")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        self.type, self.index = name, index

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check(d) -> device:
    """The device a tensor may live on: CPU; anything else is a clear RuntimeError."""
    if d is None or d is CPU:
        return CPU
    d = device(d) if not isinstance(d, device) else d
    if d.type != "cpu":
        raise RuntimeError(
            f"ember has no {d.type} backend: tensors live on the CPU "
            f"(ember.cuda.is_available() is False). Use device='cpu'."
        )
    return CPU


class _Cuda:
    """``ember.cuda``: reports that no GPU is available."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        pass

    manual_seed_all = manual_seed

    @staticmethod
    def synchronize(device=None) -> None:
        pass

    @staticmethod
    def empty_cache() -> None:
        pass


cuda = _Cuda()
