"""``nn.Parameter`` (a Tensor that modules register as a learnable weight) and ``nn.Buffer``."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _make


class Parameter(Tensor):
    """A Tensor that a Module registers as a parameter when assigned as an attribute.

    ``Parameter(data)`` shares ``data``'s storage (no copy) and requires grad by default.

    Example:
        >>> w = nn.Parameter(ember.zeros(3, 2))
        >>> w.requires_grad
        True
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from .. import dtypes

            arr = np.empty((0,), dtypes.get_default_dtype().np)
            vc = [0]
        elif isinstance(data, Tensor):
            arr, vc = data._data, data._vc
        else:
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        p = _make(arr, cls)
        # NOTE: one storage and one version counter with ``data``, as PyTorch's Parameter is an
        # alias of the tensor it wraps (optimizers and ``.data`` writes see the same memory).
        p._vc = vc
        if requires_grad:
            p.requires_grad = True
        return p

    def __init__(self, data=None, requires_grad: bool = True):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = Parameter(_make(self._data.copy()), self._rg)
        if self._grad is not None:
            new._grad = _make(self._grad._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        # Rebuilt from a plain tensor, so pickling reuses the Tensor's own reduction.
        return (_rebuild_parameter, (self.detach(), self._rg))


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """``nn.Buffer(data, persistent=True)``: assigning one to a Module registers a buffer.

    Module stores the plain tensor, so this type only marks the assignment.
    """

    __slots__ = ("persistent",)

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            from .. import dtypes

            data = _make(np.empty((0,), dtypes.get_default_dtype().np))
        b = _make(data._data, cls)
        b._vc = data._vc
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent: bool = True):
        pass


def is_lazy(param) -> bool:
    """ember has no lazy modules; kept for code that asks."""
    return False
