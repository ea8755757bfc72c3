"""``ember.amp``: automatic mixed precision, as a CPU-only PyTorch build runs it.

Mixed precision needs a GPU in the scripts that use it: ``autocast('cuda')`` and
``GradScaler('cuda')`` disable themselves with a warning when CUDA is absent, exactly as
PyTorch does then, and the training loop runs unchanged in float32 (``scaler.scale(loss)``
is ``loss``, ``scaler.step(opt)`` is ``opt.step()``). What would really change the
arithmetic on the CPU, ``autocast('cpu')`` computing in bfloat16 and a scaler working on CPU
gradients, is not provided: it raises NotImplementedError when enabled.
"""

from __future__ import annotations

import functools
import warnings

from .. import device as _device

__all__ = ["GradScaler", "autocast", "is_autocast_enabled"]

_NO_CPU_AMP = (
    "{what} on the CPU is not provided by ember: ember computes in float32 only "
    "(no bfloat16/float16 kernels). Pass enabled=False, or leave the {what} out."
)


class autocast:  # noqa: N801  (PyTorch's name)
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager (and decorator) that never enables itself here; see the module docstring."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        # NOTE: dtypes imported here: ember.amp loads before ember.tensor, which dtypes needs.
        from .. import dtypes

        self.device = _device.device(device_type).type  # PyTorch's error for a bad name
        if dtype is None:
            dtype = dtypes.float16 if self.device == "cuda" else dtypes.float32
        self.fast_dtype = dtypes.to_dtype(dtype)
        self._enabled = False
        if not enabled:
            return
        if self.device == "cpu":
            raise NotImplementedError(_NO_CPU_AMP.format(what="autocast"))
        name = "CUDA" if self.device == "cuda" else self.device.upper()
        warnings.warn(
            f"{name} is not available (ember computes on the CPU only). Disabling autocast.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapper


def is_autocast_enabled(device_type: str | None = None) -> bool:
    return False


class GradScaler:
    """``torch.amp.GradScaler(device='cuda', ..., enabled=True)``: disabled without a GPU, when
    every method is the identity PyTorch's disabled scaler is."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ):
        self._device = _device.device(device).type
        self._enabled = False
        if not enabled:
            return
        if self._device == "cpu":
            raise NotImplementedError(_NO_CPU_AMP.format(what="GradScaler"))
        warnings.warn(
            f"torch.{self._device}.amp.GradScaler is enabled, but {self._device.upper()} is not "
            "available.  Disabling.",
            UserWarning,
            stacklevel=2,
        )

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer) -> None:
        return None

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        return None
