"""Elementwise math: exp/log, roots, trigonometry, activations, rounding, max/min, where.

Each primitive is one Op class (forward on arrays, backward with ember ops) plus the lowercase
function users call.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import as_tensor_operand, inplace, promote_pair
from .arithmetic import _a, _nograd, add, div, mul, neg, pow, sub


def _float_input(x: Tensor) -> Tensor:
    """Integer inputs of float-only functions compute in the default float dtype."""
    if x._data.dtype.kind != "f":
        return _make(x._data.astype(dtypes.get_default_dtype().np))
    return x


class Exp(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.exp(x._data)

    @staticmethod
    def backward(ctx, g):
        return mul(g, ctx.output())


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return div(g, x)


class Log1p(Op):
    _name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return div(g, add(x, 1.0))


class Expm1(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.expm1(x._data)

    @staticmethod
    def backward(ctx, g):
        return mul(g, add(ctx.output(), 1.0))


class Sqrt(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.sqrt(x._data)

    @staticmethod
    def backward(ctx, g):
        return div(g, mul(ctx.output(), 2.0))


class Rsqrt(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.reciprocal(np.sqrt(x._data))

    @staticmethod
    def backward(ctx, g):
        y = ctx.output()
        return mul(g, mul(pow(y, 3), -0.5))


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return mul(g, sign(x))


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return mul(g, cos(x))


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return neg(mul(g, sin(x)))


class Tan(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.tan(x._data)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output()
        return mul(g, add(mul(y, y), 1.0))


class Tanh(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x._data)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output()
        return mul(g, sub(1.0, mul(y, y)))


class Sigmoid(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        d = x._data
        # Stable for large |x|: exp only ever of a non-positive number.
        e = np.exp(-np.abs(d))
        return np.where(d >= 0, 1 / (1 + e), e / (1 + e)).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output()
        return mul(g, mul(y, sub(1.0, y)))


# NOTE: a 0-d array of the operand's dtype, not the Python 0: NumPy converts a Python scalar
# on every call (np.maximum(d, 0) 0.51 us on 4 elements, against 0.28 with this).
_ZERO = {np.dtype(t): np.zeros((), t) for t in (np.float16, np.float32, np.float64)}
for _z in _ZERO.values():
    _z.flags.writeable = False


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        d = x._data
        zero = _ZERO.get(d.dtype, 0)  # relu() sends only floating tensors here
        if ctx.inputs is not None:
            ctx.mask = np.greater(d, zero)
        return np.maximum(d, zero)

    @staticmethod
    def backward(ctx, g):
        return _mask_grad(g, ctx.mask)


class Clamp(Op):
    _name = "ClampBackward1"  # PyTorch's overload with number bounds

    @staticmethod
    def forward(ctx, x, lo, hi):
        d = x._data
        lo_a, hi_a = _a(lo), _a(hi)
        out = d
        if lo_a is not None:
            out = np.maximum(out, lo_a)
        if hi_a is not None:
            out = np.minimum(out, hi_a)
        if out is d:
            out = d.copy()
        # Gradient passes where lo <= x <= hi (inclusive, as in PyTorch).
        mask = True
        if lo_a is not None:
            mask = d >= lo_a
        if hi_a is not None:
            mask = mask & (d <= hi_a)
        ctx.mask = mask
        return out.astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        m = ctx.mask
        return (g if m is True else _mask_grad(g, np.asarray(m))), None, None


def _mask_grad(g: Tensor, mask: np.ndarray) -> Tensor:
    """g where ``mask`` holds, else 0 (the backward of relu and clamp)."""
    if grad_mode.state.enabled:  # create_graph: stay differentiable in g
        return mul(g, _make(mask.astype(g._data.dtype)))
    # NOTE: float * bool in one ufunc pass; a cast op then a multiply cost two (and a
    # float32 temporary the size of g): 94 against 170 us on a LeNet conv activation.
    return _make(np.multiply(g._data, mask))


def _unary(cls, float_only=True):
    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            input = as_tensor_operand(input)
        return cls.apply(_float_input(input) if float_only else input)

    fn.__name__ = cls.__name__.lower()
    fn.__doc__ = f"Elementwise {cls.__name__.lower()}."
    return fn


exp = _unary(Exp)
log = _unary(Log)
log1p = _unary(Log1p)
expm1 = _unary(Expm1)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)


def log2(input):
    return named(div(log(input), float(np.log(2.0))), "Log2Backward0")


def log10(input):
    return named(div(log(input), float(np.log(10.0))), "Log10Backward0")


def reciprocal(input):
    return named(div(1.0, input), "ReciprocalBackward0")


def abs(input):
    if input._data.dtype.kind != "f":
        return _nograd(np.abs(input._data))
    return Abs.apply(input)


absolute = abs


def relu(input):
    if input._data.dtype.kind != "f":
        return _nograd(np.maximum(input._data, 0).astype(input._data.dtype))
    return Relu.apply(input)


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; either bound may be None, a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input
    if input._data.dtype.kind != "f" and any(isinstance(v, float) for v in (min, max)):
        x = _float_input(input)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # Tensor bounds are differentiable too: compose from maximum/minimum.
        if min is not None:
            x = maximum(x, as_tensor_operand(min).to(x.dtype))
        if max is not None:
            x = minimum(x, as_tensor_operand(max).to(x.dtype))
        return named(x, "ClampBackward0")
    return Clamp.apply(x, min, max)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


class Sign(Op):
    @staticmethod
    def forward(ctx, x):
        return np.sign(x._data)

    @staticmethod
    def backward(ctx, g):
        return mul(g, 0.0)


def sign(input):
    if input._data.dtype == np.bool_:
        return _nograd(input._data.copy())
    return Sign.apply(input)


class _Rounding(Op):
    """floor/ceil/round/trunc: piecewise constant, so the gradient is zero."""

    fn = None

    @classmethod
    def forward(cls, ctx, x, decimals=0):
        if decimals:
            return np.round(x._data, decimals)
        return cls.fn(x._data)

    @staticmethod
    def backward(ctx, g):
        return mul(g, 0.0)


class Floor(_Rounding):
    fn = staticmethod(np.floor)


class Ceil(_Rounding):
    fn = staticmethod(np.ceil)


class Round(_Rounding):
    # NumPy rounds half to even, as PyTorch does.
    fn = staticmethod(np.round)


class Trunc(_Rounding):
    fn = staticmethod(np.trunc)


def _rounding(cls):
    def fn(input, *, decimals=0):
        if input._data.dtype.kind != "f":
            return _nograd(input._data.copy())
        return cls.apply(input, decimals) if decimals else cls.apply(input)

    fn.__name__ = cls.__name__.lower()
    return fn


floor = _rounding(Floor)
ceil = _rounding(Ceil)
round = _rounding(Round)
trunc = _rounding(Trunc)


# -- binary selection ---------------------------------------------------------------------------


class Maximum(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _select_grads(g, a._data > b._data, a._data == b._data)


class Minimum(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _select_grads(g, a._data < b._data, a._data == b._data)


def _select_grads(g, first, tie):
    """Gradients of max/min: to the chosen side, split evenly on ties (as PyTorch does)."""
    w = first.astype(g._data.dtype) + np.float32(0.5).astype(g._data.dtype) * tie
    return mul(g, _make(w)), mul(g, _make(1 - w))


def maximum(input, other):
    a, b, _ = promote_pair(input, as_tensor_operand(other))
    return Maximum.apply(a, b)


def minimum(input, other):
    a, b, _ = promote_pair(input, as_tensor_operand(other))
    return Minimum.apply(a, b)


fmax, fmin = maximum, minimum


class Where(Op):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond._data
        return np.where(cond._data, _a(a), _a(b))

    @staticmethod
    def backward(ctx, g):
        c = _make(ctx.cond)
        zero = _make(np.zeros((), g._data.dtype))
        ga = where(c, g, zero) if ctx.needs_input_grad[1] else None
        gb = where(c, zero, g) if ctx.needs_input_grad[2] else None
        return None, ga, gb


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other``; ``where(cond)`` gives indices."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    condition = as_tensor_operand(condition)
    if condition._data.dtype != np.bool_:
        if condition._data.dtype == np.uint8:
            condition = _make(condition._data.astype(bool))
        else:
            raise RuntimeError(
                f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{condition.dtype.name.capitalize()}"
            )
    a, b, d = promote_pair(input, other)
    # A Python number becomes a 0-d array of the common dtype (a plain int would make NumPy's
    # where widen a float32 tensor to float64).
    a = a if isinstance(a, Tensor) else _make(np.asarray(a, d.np))
    b = b if isinstance(b, Tensor) else _make(np.asarray(b, d.np))
    return Where.apply(condition, a, b)


def _inplace_unary(fn):
    def op_(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)

    op_.__name__ = fn.__name__ + "_"
    return op_


neg_ = _inplace_unary(neg)
exp_ = _inplace_unary(exp)
log_ = _inplace_unary(log)
sqrt_ = _inplace_unary(sqrt)
abs_ = _inplace_unary(abs)
sigmoid_ = _inplace_unary(sigmoid)
tanh_ = _inplace_unary(tanh)
relu_ = _inplace_unary(relu)
clamp_ = _inplace_unary(clamp)
clip_ = clamp_
floor_ = _inplace_unary(floor)
ceil_ = _inplace_unary(ceil)
round_ = _inplace_unary(round)
sign_ = _inplace_unary(sign)
