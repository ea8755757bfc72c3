"""Parameters flattened into one vector and back (for second-order methods, model averaging)."""

from __future__ import annotations

import numpy as np

from ...tensor import Tensor


def parameters_to_vector(parameters) -> Tensor:
    """One 1-D tensor holding all parameters in order (differentiable, a copy)."""
    from ...ops.movement import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' storage (in order)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    for p in parameters:
        n = p.numel()
        np.copyto(p._data, vec._data[offset : offset + n].reshape(p._data.shape))
        p._vc[0] += 1
        offset += n
