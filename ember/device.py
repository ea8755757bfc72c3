"""Devices. ember computes on the CPU; 'cuda' is understood and refused clearly (ember.cuda says
that no GPU is available)."""

from __future__ import annotations

_TYPES = (
    "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, "
    "mps, meta, hpu, mtia, privateuseone"
)


class CudaUnavailableError(AssertionError, RuntimeError):
    """Raised for 'cuda' tensors. PyTorch built without CUDA raises AssertionError; deriving
    from RuntimeError too lets code written for either kind of failure catch it."""


class device:
    """``ember.device('cpu')``; ``'cuda'`` parses but cannot hold tensors (no GPU backend)."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # A bare index means the current accelerator, and there is none.
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string like 'cpu' or 'cuda:0', got {type!r}")
        name, colon, idx = type.partition(":")
        if name not in _TYPES.split(", "):
            raise RuntimeError(
                f"Expected one of {_TYPES} device type at start of device string: {type}"
            )
        if colon:
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            if index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was passed "
                    f"explicitly: {type}"
                )
            index = int(idx)
        self.type, self.index = name, index

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    # NOTE: no equality with strings: torch.device('cpu') == 'cpu' is False in PyTorch.
    def __eq__(self, other) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def check(d) -> device:
    """The device a tensor may live on: CPU; 'cuda' raises PyTorch's CPU-build error."""
    if d is None or d is CPU:
        return CPU
    d = device(d) if not isinstance(d, device) else d
    if d.type == "cpu":
        return CPU
    if d.type == "cuda":
        raise CudaUnavailableError(
            "Torch not compiled with CUDA enabled (ember computes on the CPU only; "
            "ember.cuda.is_available() is False: use device='cpu')"
        )
    raise RuntimeError(f"ember has no {d.type} backend: tensors live on the CPU. Use device='cpu'.")


def get_default_device() -> device:
    return CPU
