"""Gradient clipping, in place on ``.grad``, as PyTorch's ``nn.utils`` does it."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ...tensor import Tensor, _make


def _grads(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p._grad for p in parameters if p._grad is not None]


def _array(g: Tensor) -> np.ndarray:
    return g.coalesce()._values()._data if g.is_sparse else g._data


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all the tensors together (as if concatenated)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _make(np.zeros((), np.float32))
    arrays = [_array(t) for t in tensors]
    # Accumulate in float64 so many small gradients do not lose precision, then cast back.
    if math.isinf(norm_type):
        total = max(float(np.abs(a).max()) if a.size else 0.0 for a in arrays)
    else:
        total = sum(float((np.abs(a.astype(np.float64)) ** norm_type).sum()) for a in arrays)
        total = total ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return _make(np.asarray(total, dtype=arrays[0].dtype))


def clip_grad_norm_(
    parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite=False, foreach=None
) -> Tensor:
    """Scale all gradients so their joint norm is at most ``max_norm``; returns the norm before
    clipping. The scale is max_norm / (norm + 1e-6), capped at 1."""
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for g in grads:
        a = _array(g) if not g.is_sparse else None
        if a is None:
            g.mul_(coef)
        else:
            a *= a.dtype.type(coef)
            g._vc[0] += 1
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    c = float(clip_value)
    for g in _grads(parameters):
        a = _array(g)
        np.clip(a, -c, c, out=a)
        g._vc[0] += 1
