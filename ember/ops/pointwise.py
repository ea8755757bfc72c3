"""Pointwise math beyond elementwise.py: erf, erfc, erfinv, atan2, lerp, nan_to_num, and the
inverse and hyperbolic trigonometric functions.

NumPy has no erf; ``_special`` fits it once (no SciPy needed), and erfinv refines a closed-form
first guess with Halley steps on that erf.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor, _make
from . import _special
from ._util import _type_word, inplace, promote_pair, scalar_name
from .arithmetic import _nograd, add, div, mul, neg, sub
from .elementwise import _unary, exp, sqrt, where

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return _special.erf(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return mul(g, mul(exp(neg(mul(x, x))), _TWO_OVER_SQRT_PI))


class Erfc(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return _special.erfc(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return mul(g, mul(exp(neg(mul(x, x))), -_TWO_OVER_SQRT_PI))


def _erfinv(y: np.ndarray) -> np.ndarray:
    """The inverse of erf on (-1, 1) (+-inf at +-1, NaN outside), in float64 then cast back."""
    y64 = y.astype(np.float64)
    a = np.abs(y64)
    inside = a < 1
    a = np.where(inside, a, 0.5)
    # First guess to ~2e-3: the closed form of Winitzki's erf approximation, inverted.
    k = 0.147
    ln = np.log1p(-a * a)
    t = 2 / (math.pi * k) + ln / 2
    x = np.sqrt(np.sqrt(t * t - ln / k) - t)
    tail = a > 0.5
    comp = 1 - a  # exact for float32 inputs; the tail form keeps it (1 - erf loses it)
    for _ in range(3):
        # Halley's step on f(x) = erf(x) - a, with f' = 2/sqrt(pi) e^{-x^2}, f'' = -2x f'.
        f = np.where(tail, comp - _special.erfc(x), _special.erf(x) - a)
        r = f / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
        x = x - r / (1 + x * r)
    out = np.copysign(x, y64)
    out = np.where(inside, out, np.where(np.abs(y64) == 1, np.copysign(np.inf, y64), np.nan))
    return out.astype(y.dtype, copy=False)


class Erfinv(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return _erfinv(x._data)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output()
        return mul(g, mul(exp(mul(y, y)), math.sqrt(math.pi) / 2))


erf = _unary(Erf)
erfc = _unary(Erfc)
erfinv = _unary(Erfinv)


# -- inverse and hyperbolic trigonometry ----------------------------------------------------------


class Asin(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.arcsin(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return div(g, sqrt(sub(1.0, mul(x, x))))


class Acos(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.arccos(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return neg(div(g, sqrt(sub(1.0, mul(x, x)))))


class Atan(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.arctan(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return div(g, add(mul(x, x), 1.0))


class Sinh(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.sinh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return mul(g, cosh(x))


class Cosh(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.cosh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return mul(g, sinh(x))


class Asinh(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.arcsinh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return div(g, sqrt(add(mul(x, x), 1.0)))


class Acosh(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.arccosh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return div(g, sqrt(sub(mul(x, x), 1.0)))


class Atanh(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        return np.arctanh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return div(g, sub(1.0, mul(x, x)))


asin = arcsin = _unary(Asin)
acos = arccos = _unary(Acos)
atan = arctan = _unary(Atan)
sinh = _unary(Sinh)
cosh = _unary(Cosh)
asinh = arcsinh = _unary(Asinh)
acosh = arccosh = _unary(Acosh)
atanh = arctanh = _unary(Atanh)


# -- atan2 ----------------------------------------------------------------------------------------


class Atan2(Op):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            ctx.save_for_backward(a, b)
        return np.arctan2(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2); 0 at the origin, as in PyTorch.
        den = add(mul(a, a), mul(b, b))
        zero = den._data == 0
        recip = where(_make(zero), 0.0, div(1.0, where(_make(zero), 1.0, den)))
        ga = mul(g, mul(b, recip)) if ctx.needs_input_grad[0] else None
        gb = mul(g, mul(neg(a), recip)) if ctx.needs_input_grad[1] else None
        return ga, gb


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (other, input): ``atan(input / other)`` in the right quadrant."""
    for pos, (arg, x) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"atan2(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}"
            )
    a, b, _ = promote_pair(input, other, float_result=True)
    return Atan2.apply(a, b)


arctan2 = atan2


# -- lerp -----------------------------------------------------------------------------------------


class Lerp(Op):
    """``start + weight * (end - start)``; the weight a number (Lerp0) or a tensor (Lerp1)."""

    @staticmethod
    def forward(ctx, start, end, weight):
        s, e = start._data, end._data
        w = weight._data if isinstance(weight, Tensor) else weight
        if ctx.inputs is not None:
            ctx.save_for_backward(start, end, weight if isinstance(weight, Tensor) else None)
            ctx.w = weight
        # Each half interpolates from its nearer end (as PyTorch does), so weight 1 gives end
        # exactly.
        diff = e - s
        return np.asarray(np.where(np.abs(w) < 0.5, s + w * diff, e - diff * (1 - w))).astype(
            s.dtype, copy=False
        )

    @staticmethod
    def backward(ctx, g):
        start, end, wt = ctx.saved_tensors
        w = wt if wt is not None else ctx.w
        gs = mul(g, sub(1.0, w) if wt is not None else 1.0 - w) if ctx.needs_input_grad[0] else None
        ge = mul(g, w) if ctx.needs_input_grad[1] else None
        gw = mul(g, sub(end, start)) if wt is not None and ctx.needs_input_grad[2] else None
        return gs, ge, gw

    def name(self) -> str:
        return "LerpBackward1" if isinstance(self.w, Tensor) else "LerpBackward0"


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` a number or a
    tensor, all three broadcasting."""
    d = input._data.dtype
    if d.kind != "f":
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{_type_word(d)}'")
    for name, x in (("end", end), ("weight", weight)):
        if isinstance(x, Tensor) and x._data.dtype != d:
            raise RuntimeError(
                f"expected dtype {scalar_name(d)} for `{name}` but got dtype "
                f"{scalar_name(x._data.dtype)}"
            )
    if not isinstance(weight, Tensor):
        weight = float(weight)
    return Lerp.apply(input, end, weight)


def lerp_(input: Tensor, end: Tensor, weight) -> Tensor:
    return inplace(input, lerp, end, weight)


# -- nan_to_num -----------------------------------------------------------------------------------


class NanToNum(Op):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        d = x._data
        if ctx.inputs is not None:
            ctx.finite = np.isfinite(d)
        return np.nan_to_num(d, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        # The replaced values are constants: only finite inputs pass their gradient.
        return mul(g, _make(ctx.finite.astype(g._data.dtype))), None, None, None


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
    dtype's largest and lowest finite values); integers come back unchanged."""
    d = input._data
    if d.dtype.kind != "f":
        return _nograd(d.copy())
    info = np.finfo(d.dtype)
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    return NanToNum.apply(input, nan, hi, lo)


def nan_to_num_(input: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    return inplace(input, nan_to_num, nan, posinf, neginf)


def _float_unary_inplace(fn):
    def op_(self):
        return inplace(self, fn)

    op_.__name__ = fn.__name__ + "_"
    return op_


erf_ = _float_unary_inplace(erf)
erfinv_ = _float_unary_inplace(erfinv)
atan_ = _float_unary_inplace(atan)
