"""More pointwise math: logaddexp / logaddexp2, hypot, xlogy, exp2, frac, sinc, deg2rad /
rad2deg, heaviside.

Kept apart from pointwise.py for size. Most compose existing ops (exp2 is a power of 2, frac
subtracts trunc); logaddexp, hypot and sinc are primitives for numerical stability (no overflow
in exp, no 0/0 at the origin).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word, inplace, promote_pair
from .arithmetic import _nograd, div, mul, pow, sub
from .elementwise import _float_input, cos, log, sigmoid, trunc, where

_LN2 = math.log(2.0)


def _float_kernel(a: Tensor, b, name: str):
    """Operands of a float-only binary kernel: promoted, integers refused as PyTorch does."""
    for pos, (arg, x) in enumerate((("input", a), ("other", b)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                f"{type(x).__name__}"
            )
    a, b, d = promote_pair(a, b)
    if not d.is_floating_point:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_type_word(d.np)}'")
    return a, b


class Logaddexp(Op):
    """``log(e^a + e^b)`` (or base 2), without overflow; d/da is ``sigmoid(a - b)`` (scaled)."""

    @staticmethod
    def forward(ctx, a, b, base2):
        if ctx.inputs is not None:
            ctx.save_for_backward(a, b)
            ctx.base2 = base2
        return (np.logaddexp2 if base2 else np.logaddexp)(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        diff = sub(a, b)
        if ctx.base2:
            diff = mul(diff, _LN2)
        ga = mul(g, sigmoid(diff)) if ctx.needs_input_grad[0] else None
        gb = mul(g, sigmoid(-diff)) if ctx.needs_input_grad[1] else None
        return ga, gb, None

    def name(self) -> str:
        return "Logaddexp2Backward0" if self.base2 else "LogaddexpBackward0"


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(input) + exp(other))``, computed without overflow."""
    a, b = _float_kernel(input, other, "logaddexp")
    return Logaddexp.apply(a, b, False)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """``log2(2**input + 2**other)``, computed without overflow."""
    a, b = _float_kernel(input, other, "logaddexp2")
    return Logaddexp.apply(a, b, True)


class Hypot(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            ctx.save_for_backward(a, b)
        return np.hypot(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        out = ctx.output()
        ga = mul(g, div(a, out)) if ctx.needs_input_grad[0] else None
        gb = mul(g, div(b, out)) if ctx.needs_input_grad[1] else None
        return ga, gb


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """``sqrt(input**2 + other**2)``, without overflow."""
    a, b = _float_kernel(input, other, "hypot")
    return Hypot.apply(a, b)


class Xlogy(Op):
    """``x * log(y)``, 0 where x is 0 (unless y is NaN)."""

    @staticmethod
    def forward(ctx, x, y):
        if ctx.inputs is not None:
            ctx.save_for_backward(x, y)
        xd, yd = x._data, y._data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = xd * np.log(yd)
        return np.where((xd == 0) & ~np.isnan(yd), 0, out).astype(out.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        # d/dx = log(y) (everywhere, x == 0 too, as PyTorch), d/dy = x / y.
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = mul(g, log(y)) if ctx.needs_input_grad[0] else None
            gy = mul(g, div(x, y)) if ctx.needs_input_grad[1] else None
        return gx, gy


def xlogy(input, other) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): argument 'input' (position 1) must be Tensor, not float")
    a, b, d = promote_pair(input, other, float_result=True)
    a, b = (x if isinstance(x, Tensor) else _make(np.asarray(x, d.np)) for x in (a, b))
    return Xlogy.apply(a, b)


def exp2(input: Tensor) -> Tensor:
    """``2 ** input``; integers compute in the default float dtype."""
    return named(pow(2.0, _float_input(input)), "Exp2Backward0")


def frac(input: Tensor) -> Tensor:
    """The fractional part ``input - trunc(input)``, with the sign of ``input``."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"frac_cpu\" not implemented for '{_type_word(input._data.dtype)}'"
        )
    return named(sub(input, trunc(input)), "FracBackward0")


class Sinc(Op):
    """``sin(pi x) / (pi x)``, 1 at 0."""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.sinc(x._data).astype(x._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # d/dx = (cos(pi x) - sinc(x)) / x, which cancels badly near 0: there use its Taylor
        # series -p2 x / 3 + p2^2 x^3 / 30 - p2^3 x^5 / 840 (p2 = pi^2, error < 3e-8 at 0.1).
        small = _make(np.abs(x._data) < 0.1)
        safe = where(small, 1.0, x)
        d = div(sub(cos(mul(x, math.pi)), ctx.output()), safe)
        x2 = mul(x, x)
        p2 = math.pi**2
        series = mul(x, sub(mul(x2, sub(p2 * p2 / 30.0, mul(x2, p2**3 / 840.0))), p2 / 3.0))
        return mul(g, where(small, series, d))


def sinc(input: Tensor) -> Tensor:
    return Sinc.apply(_float_input(input))


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians; integers compute in the default float dtype."""
    return named(mul(_float_input(input), math.pi / 180.0), "Deg2RadBackward0")


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees; integers compute in the default float dtype."""
    return named(mul(_float_input(input), 180.0 / math.pi), "Rad2DegBackward0")


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 below 0, 1 above, ``values`` at 0. Not differentiable."""
    if not isinstance(values, Tensor):
        raise TypeError(
            f"heaviside(): argument 'values' (position 2) must be Tensor, not "
            f"{type(values).__name__}"
        )
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, v = input._data, values._data
    out = np.where(x == 0, v, (x > 0).astype(x.dtype))
    return _nograd(np.asarray(out, dtype=x.dtype))


def _inplace_of(fn):
    def op_(self, *args):
        return inplace(self, fn, *args)

    op_.__name__ = fn.__name__ + "_"
    return op_


hypot_ = _inplace_of(hypot)
xlogy_ = _inplace_of(xlogy)
exp2_ = _inplace_of(exp2)
frac_ = _inplace_of(frac)
sinc_ = _inplace_of(sinc)
deg2rad_ = _inplace_of(deg2rad)
rad2deg_ = _inplace_of(rad2deg)
heaviside_ = _inplace_of(heaviside)
