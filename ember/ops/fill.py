"""In-place fills of a tensor's storage: fill_, zero_, copy_, and the random fills nn.init uses.

These write values that do not depend on the old ones. On a tensor that is part of a graph
(a non-leaf that requires grad) they still record a node, so the overwritten values get a zero
gradient instead of the tensor silently keeping its old history.
"""

from __future__ import annotations

import ctypes

import numpy as np

from .. import random as _random
from .._array import broadcast_error
from ..autograd.function import Op, check_inplace_allowed
from ..autograd.grad_mode import state as _state
from ..tensor import Tensor
from ._util import inplace, write


def _check(self: Tensor) -> None:
    if _state.enabled:
        check_inplace_allowed(self)


def fill_(self: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        if value._rg and _state.enabled:
            return inplace(self, lambda s, v: Copy.apply(s, v.to(s.dtype)), value)
        value = value.item()
    if self._rg and _state.enabled:
        return inplace(self, Fill.apply, value)
    _check(self)
    self._data[...] = value
    self._vc[0] += 1
    return self


def zero_(self: Tensor) -> Tensor:
    if self._rg and _state.enabled:
        return inplace(self, Zero.apply, 0)
    d = self._data
    if d.nbytes >= _MEMSET_MIN and d.flags.c_contiguous:
        # NOTE: zero of every ember dtype is all-zero bytes; memset writes them ~2x as fast as
        # NumPy's fill (7.5 against 14.3 us for a 400 KB gradient: the seed's grad.zero_()).
        _check(self)
        _memset(d.__array_interface__["data"][0], 0, d.nbytes)
        self._vc[0] += 1
        return self
    return fill_(self, 0)


_memset = ctypes.memset
_MEMSET_MIN = 1 << 16  # below it the call overhead costs more than the faster write saves


class Fill(Op):
    """A tensor of ``value`` in ``x``'s shape: nothing of ``x`` survives, so its gradient is 0."""

    @staticmethod
    def forward(ctx, x, value=0):
        ctx.meta = x._data.shape, x._data.dtype
        return np.full(x._data.shape, value, x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        from ..tensor import _make

        return _make(np.zeros(*ctx.meta)), None


class Zero(Fill):
    pass


def copy_(self: Tensor, src) -> Tensor:
    """Copy ``src`` (broadcast, converted to this dtype) into this tensor's storage."""
    if not isinstance(src, Tensor):
        src = Tensor._wrap(np.asarray(src))
    if src._data.shape != self._data.shape:
        try:
            shape = np.broadcast_shapes(self._data.shape, src._data.shape)
        except ValueError as e:
            raise broadcast_error(e, (self, src)) or e from None
        if shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(shape)}"
            )
    if (src._rg or self._rg) and _state.enabled:
        return inplace(self, lambda s, v: Copy.apply(s, v.to(s.dtype)), src)
    _check(self)
    np.copyto(self._data, src._data, casting="unsafe")
    self._vc[0] += 1
    return self


def _fill_random(self: Tensor, arr: np.ndarray) -> Tensor:
    _check(self)
    write(self, arr.astype(self._data.dtype, copy=False))
    return self


def uniform_(self: Tensor, a=0.0, b=1.0, *, generator=None) -> Tensor:
    g = _random.rng(generator)
    return _fill_random(self, g.uniform(a, b, self._data.shape))


def normal_(self: Tensor, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    g = _random.rng(generator)
    return _fill_random(self, g.normal(mean, std, self._data.shape))


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    g = _random.rng(generator)
    probs = p._data if isinstance(p, Tensor) else p
    return _fill_random(self, g.random(self._data.shape) < probs)


def random_(self: Tensor, low=0, high=None, *, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low if low else 2**24
    g = _random.rng(generator)
    return _fill_random(self, g.integers(low, high, self._data.shape))


class Copy(Op):
    """``src`` broadcast to ``x``'s shape: ``x``'s old values get a zero gradient."""

    @staticmethod
    def forward(ctx, x, src):
        ctx.meta = x._data.shape, x._data.dtype
        return np.array(np.broadcast_to(src._data, x._data.shape))

    @staticmethod
    def backward(ctx, g):
        from ..tensor import _make

        return _make(np.zeros(*ctx.meta)), g
