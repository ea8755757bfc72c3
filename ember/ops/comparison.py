"""Comparisons, logical and bitwise ops, and float classification: not differentiable."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._util import promote_pair
from .arithmetic import _a, _nograd, _np_binary


def _compare(ufunc):
    def fn(input, other):
        if not isinstance(other, (Tensor, np.ndarray, bool, int, float, np.number, np.bool_)):
            return NotImplemented
        a, b, _ = promote_pair(input, other)
        return _nograd(_np_binary(ufunc, a, b))

    fn.__name__ = ufunc.__name__
    return fn


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(ufunc):
    def fn(input, other=None):
        if other is None:
            return _nograd(ufunc(_a(input)))
        return _nograd(_np_binary(ufunc, input, other))

    return fn


logical_and = _logical(np.logical_and)
logical_or = _logical(np.logical_or)
logical_xor = _logical(np.logical_xor)
logical_not = _logical(np.logical_not)


def _bitwise(ufunc, name):
    def fn(input, other=None):
        if isinstance(input, Tensor) and input._data.dtype.kind == "f":
            raise TypeError(f"{name} is only supported for integer and boolean tensors")
        if other is None:
            return _nograd(ufunc(_a(input)))
        a, b, _ = promote_pair(input, other)
        return _nograd(_np_binary(ufunc, a, b))

    return fn


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_not = _bitwise(np.invert, "bitwise_not")


def isnan(input):
    return _nograd(np.isnan(input._data))


def isinf(input):
    return _nograd(np.isinf(input._data))


def isfinite(input):
    return _nograd(np.isfinite(input._data))
