"""Activation primitives beyond relu/sigmoid/tanh: leaky_relu, elu, gelu, silu, softplus,
hardtanh, and the compositions nn.functional builds from them.

A primitive gets its own Op where fusing pays (one NumPy pass forward, one backward) or where
composing would lose accuracy (softplus, gelu's normal CDF). Backward formulas use ember ops so
``create_graph=True`` gives higher derivatives; where a derivative is piecewise constant its
mask is a constant array.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._special import ndtr
from ._util import inplace
from .arithmetic import add, mul, sub
from .elementwise import exp, sigmoid, tanh, where

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _float(x: Tensor, name: str) -> Tensor:
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_word(x)}'")
    return x


def _word(x: Tensor) -> str:
    from ._util import _type_word

    return _type_word(x._data.dtype)


class LeakyRelu(Op):
    @staticmethod
    def forward(ctx, x, slope):
        d = x._data
        pos = d > 0
        if ctx.inputs is not None:
            ctx.scale = np.where(pos, d.dtype.type(1), d.dtype.type(slope))
        return np.where(pos, d, d * d.dtype.type(slope))

    @staticmethod
    def backward(ctx, g):
        return mul(g, _make(ctx.scale)), None


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    _float(input, "leaky_relu")
    if inplace:
        return _inplace(input, leaky_relu, negative_slope)
    return LeakyRelu.apply(input, float(negative_slope))


class Elu(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        d = x._data
        t = d.dtype.type
        neg = np.expm1(np.minimum(d, 0) * t(input_scale)) * t(alpha * scale)
        ctx.pos = d > 0
        ctx.params = (alpha, scale, input_scale)
        return np.where(ctx.pos, d * t(scale), neg)

    @staticmethod
    def backward(ctx, g):
        alpha, scale, input_scale = ctx.params
        y = ctx.output()
        # For x <= 0, dy/dx = input_scale * (y + alpha * scale); written with y so the
        # second derivative flows through it.
        neg = mul(add(y, alpha * scale), input_scale)
        dtype = g._data.dtype
        return mul(g, where(_make(ctx.pos), _make(np.array(scale, dtype)), neg)), None, None, None


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    _float(input, "elu")
    if inplace:
        return _inplace(input, elu, alpha)
    return Elu.apply(input, float(alpha), 1.0, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return _inplace(input, celu, alpha)
    return Elu.apply(_float(input, "celu"), float(alpha), 1.0, 1.0 / alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants of Klambauer et al. (2017)."""
    if inplace:
        return _inplace(input, selu)
    return Elu.apply(_float(input, "selu"), _SELU_ALPHA, _SELU_SCALE, 1.0)


class Gelu(Op):
    """x * Phi(x), Phi the normal CDF; ``tanh`` uses Hendrycks & Gimpel's approximation."""

    @staticmethod
    def forward(ctx, x, approximate):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.approximate = approximate
        d = x._data
        if approximate == "tanh":
            t = d.dtype.type
            inner = np.tanh(t(_SQRT_2_OVER_PI) * (d + t(0.044715) * d * d * d))
            return t(0.5) * d * (1 + inner)
        return d * ndtr(d)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return mul(g, GeluGrad.apply(x, ctx.approximate)), None


class GeluGrad(Op):
    """d gelu / dx, an op of its own so that second derivatives work too."""

    @staticmethod
    def forward(ctx, x, approximate):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.approximate = approximate
        d = x._data
        t = d.dtype.type
        if approximate == "tanh":
            k, c = t(_SQRT_2_OVER_PI), t(0.044715)
            th = np.tanh(k * (d + c * d * d * d))
            return t(0.5) * (1 + th) + t(0.5) * d * (1 - th * th) * k * (1 + 3 * c * d * d)
        return ndtr(d) + d * np.exp(t(-0.5) * d * d) * t(_INV_SQRT_2PI)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            k, c = _SQRT_2_OVER_PI, 0.044715
            th = tanh(mul(add(x, mul(mul(mul(x, x), x), c)), k))
            sech2 = sub(1.0, mul(th, th))
            du = mul(add(mul(mul(x, x), 3 * c), 1.0), k)  # d/dx of the tanh argument
            # d2/dx2 [0.5 x (1 + th)] = sech2 * du - x * th * sech2 * du^2 + 0.5 x sech2 * u''
            u2 = mul(x, 6 * c * k)
            term = sub(mul(sech2, du), mul(mul(mul(x, th), sech2), mul(du, du)))
            return mul(g, add(term, mul(mul(x, sech2), mul(u2, 0.5)))), None
        # d/dx [Phi(x) + x phi(x)] = phi(x) (2 - x^2)
        phi = mul(exp(mul(mul(x, x), -0.5)), _INV_SQRT_2PI)
        return mul(g, mul(phi, sub(2.0, mul(x, x)))), None


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit: x * Phi(x) (``approximate='tanh'``: the tanh formula)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(_float(input, "GeluKernelImpl"), approximate)


class Silu(Op):
    @staticmethod
    def forward(ctx, x):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
        d = x._data
        return d * _make_sigmoid(d)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = sigmoid(x)
        # d/dx x s(x) = s (1 + x (1 - s))
        return mul(g, mul(s, add(mul(x, sub(1.0, s)), 1.0)))


def _make_sigmoid(d: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only, so no overflow warning for large |x|.
    e = np.exp(-np.abs(d))
    return np.where(d >= 0, 1, e) / (1 + e)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    _float(input, "silu")
    if inplace:
        return _inplace(input, silu)
    return Silu.apply(input)


class Softplus(Op):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.params = (beta, threshold)
        d = x._data
        t = d.dtype.type
        bx = d * t(beta)
        # log1p(exp(bx)) = max(bx, 0) + log1p(exp(-|bx|)): no overflow for large bx.
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / t(beta)
        return np.where(bx > threshold, d, soft)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.params
        bx = mul(x, beta)
        above = _make(bx._data > threshold)
        one = _make(np.ones((), g._data.dtype))
        return mul(g, where(above, one, sigmoid(bx))), None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    return Softplus.apply(_float(input, "softplus"), float(beta), float(threshold))


class Hardtanh(Op):
    @staticmethod
    def forward(ctx, x, lo, hi):
        d = x._data
        if ctx.inputs is not None:
            # PyTorch passes the gradient strictly inside (lo, hi), unlike clamp.
            ctx.mask = (d > lo) & (d < hi)
        return np.clip(d, d.dtype.type(lo), d.dtype.type(hi))

    @staticmethod
    def backward(ctx, g):
        return mul(g, _make(ctx.mask)), None, None


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clipped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(input, hardtanh, min_val, max_val)
    return Hardtanh.apply(_float(input, "hardtanh"), float(min_val), float(max_val))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x; ``weight`` has 1 or C (channel dim 1) entries."""
    n = weight.numel()
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}"
        )
    if n != 1:
        if input.dim() == 0 or (input.shape[1] if input.dim() > 1 else input.shape[0]) != n:
            channels = input.shape[1] if input.dim() > 1 else (input.shape[0] if input.dim() else 1)
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                f"{n} and channel size = {channels}."
            )
        shape = [1] * input.dim()
        shape[1 if input.dim() > 1 else 0] = n
        weight = weight.reshape(shape)
    else:
        weight = weight.reshape(())
    pos = _make(input._data > 0)
    return where(pos, input, mul(input, weight))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    if inplace:
        return _inplace(input, mish)
    return mul(input, tanh(softplus(input)))


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return mul(softplus(mul(input, -1.0)), -1.0)


def softsign(input: Tensor) -> Tensor:
    from .elementwise import abs as _abs

    return input / add(_abs(input), 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    return sub(input, tanh(input))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    if inplace:
        return _inplace(input, hardsigmoid)
    return mul(hardtanh(add(input, 3.0), 0.0, 6.0), 1.0 / 6.0)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    if inplace:
        return _inplace(input, hardswish)
    return mul(input, hardsigmoid(input))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    if inplace:
        return _inplace(input, globals()["threshold"], threshold, value)
    keep = _make(input._data > threshold)
    return where(keep, input, _make(np.array(value, input._data.dtype)))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b) where a, b are the halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim % input.dim()} is size {n}"
        )
    a, b = input.split(n // 2, dim)
    return mul(a, sigmoid(b))


def _inplace(input: Tensor, fn, *args) -> Tensor:
    return inplace(input, lambda x, *a: fn(x, *a), *args)
