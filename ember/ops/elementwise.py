"""Elementwise ops: arithmetic, powers, exp/log, trigonometry, activations, comparisons.

Each primitive is one Op class (forward on arrays, backward with ember ops) plus the lowercase
function users call. Broadcast gradients are reduced by the engine, not here.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._util import as_tensor_operand, check_inplace_dtype, inplace, promote_pair


def _a(x):
    return x._data if type(x) is Tensor or isinstance(x, Tensor) else x


# -- arithmetic --------------------------------------------------------------------------------


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        return np.add(_a(a), _a(b))

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        return np.subtract(_a(a), _a(b))

    @staticmethod
    def backward(ctx, g):
        return g, neg(g) if ctx.needs_input_grad[1] else None


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            ctx.save_for_backward(a, b if isinstance(b, Tensor) else None)
        return np.multiply(_a(a), _a(b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = mul(g, b if b is not None else ctx.inputs[1]) if need_a else None
        gb = mul(g, a if a is not None else ctx.inputs[0]) if need_b else None
        return ga, gb


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            ctx.save_for_backward(a if isinstance(a, Tensor) else None,
                                  b if isinstance(b, Tensor) else None)
        return np.true_divide(_a(a), _a(b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        bb = b if b is not None else ctx.inputs[1]
        ga = div(g, bb) if ctx.needs_input_grad[0] else None
        gb = None
        if ctx.needs_input_grad[1]:
            aa = a if a is not None else ctx.inputs[0]
            gb = neg(div(mul(g, aa), mul(bb, bb)))
        return ga, gb


class Neg(Op):
    @staticmethod
    def forward(ctx, a):
        return np.negative(a._data)

    @staticmethod
    def backward(ctx, g):
        return neg(g)


class Pow(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if isinstance(a, Tensor) else None,
                              b if isinstance(b, Tensor) else None)
        out = np.power(_a(a), _a(b))
        if isinstance(b, Tensor) and b._rg:
            ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        av = a if a is not None else ctx.inputs[0]
        bv = b if b is not None else ctx.inputs[1]
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if isinstance(bv, Tensor):
                ga = mul(g, mul(bv, pow(av, sub(bv, 1))))
            elif bv == 0:
                ga = mul(g, 0.0)
            else:
                ga = mul(g, mul(pow(av, bv - 1), bv))
        if ctx.needs_input_grad[1]:
            logs = log(av) if isinstance(av, Tensor) else float(np.log(av))
            gb = mul(g, mul(pow(av, bv), logs))
            if isinstance(av, Tensor):
                # d(a^b)/db is 0 where a == 0 and b >= 0 (PyTorch masks the -inf * 0 there).
                gb = where((av == 0) & (bv >= 0), 0.0, gb)
            elif av == 0:
                gb = where(bv >= 0, 0.0, gb)
        return ga, gb


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    if type(input) is type(other) is Tensor and input._data.dtype is other._data.dtype:
        return Add.apply(input, other)
    a, b, _ = promote_pair(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return Add.apply(a, b)


def sub(input, other, *, alpha=1, out=None):
    if isinstance(input, Tensor) and input.dtype is dtypes.bool and isinstance(other, Tensor) \
            and other.dtype is dtypes.bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if alpha != 1:
        other = mul(other, alpha)
    if type(input) is type(other) is Tensor and input._data.dtype is other._data.dtype:
        return Sub.apply(input, other)
    a, b, _ = promote_pair(input, other)
    if not isinstance(a, Tensor):
        return add(neg(b), a)
    return Sub.apply(a, b)


subtract = sub


def mul(input, other, *, out=None):
    if type(input) is type(other) is Tensor and input._data.dtype is other._data.dtype:
        return Mul.apply(input, other)
    a, b, _ = promote_pair(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return Mul.apply(a, b)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """True division (ints give the default float), or 'trunc'/'floor' rounding."""
    if rounding_mode is not None:
        if rounding_mode == "floor":
            return floor_divide(input, other)
        if rounding_mode == "trunc":
            a, b, d = promote_pair(input, other)
            return _nograd(np.trunc(np.true_divide(_a(a), _a(b))).astype(d.np))
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    if type(input) is type(other) is Tensor and input._data.dtype is other._data.dtype \
            and input._data.dtype.kind == "f":
        return Div.apply(input, other)
    a, b, _ = promote_pair(input, other, float_result=True)
    return Div.apply(a, b)


divide = true_divide = div


def floor_divide(input, other):
    a, b, d = promote_pair(input, other)
    return _nograd(np.floor_divide(_a(a), _a(b)).astype(d.np, copy=False))


def remainder(input, other):
    a, b, d = promote_pair(input, other)
    return _nograd(np.remainder(_a(a), _a(b)).astype(d.np, copy=False))


def fmod(input, other):
    a, b, d = promote_pair(input, other)
    return _nograd(np.fmod(_a(a), _a(b)).astype(d.np, copy=False))


def neg(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(input)


negative = neg


def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    a, b, d = promote_pair(input, exponent)
    if not d.is_floating_point and isinstance(b, Tensor) is False and b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        return Tensor._wrap(np.asarray(a**b))
    return Pow.apply(a, b)


def square(input):
    return mul(input, input)


# -- unary math ----------------------------------------------------------------------------------


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


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        d = x._data
        if ctx.inputs is not None:
            ctx.mask = d > 0
        return np.maximum(d, 0, dtype=d.dtype)

    @staticmethod
    def backward(ctx, g):
        return mul(g, _make(ctx.mask))


class Clamp(Op):
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
        gx = g if m is True else mul(g, _make(np.asarray(m)))
        return gx, None, None


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
    return div(log(input), float(np.log(2.0)))


def log10(input):
    return div(log(input), float(np.log(10.0)))


def reciprocal(input):
    return div(1.0, input)


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
        return x
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
    a, b, _ = promote_pair(input, other)
    return Where.apply(condition, as_tensor_operand(a), as_tensor_operand(b))


# -- comparisons and logic (not differentiable) -----------------------------------------------


def _nograd(arr) -> Tensor:
    return _make(np.asarray(arr))


def _compare(ufunc):
    def fn(input, other):
        if not isinstance(other, (Tensor, np.ndarray, bool, int, float, np.number, np.bool_)):
            return NotImplemented
        a, b, _ = promote_pair(input, other)
        return _nograd(ufunc(_a(a), _a(b)))

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
        return _nograd(ufunc(_a(input), _a(other)))

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
        return _nograd(ufunc(_a(a), _a(b)))

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


# -- in-place variants ---------------------------------------------------------------------------


def _inplace_binary(fn):
    def op_(self, other, **kwargs):
        check_inplace_dtype(self, other)
        return inplace(self, fn, other, **kwargs)

    op_.__name__ = fn.__name__ + "_"
    return op_


add_ = _inplace_binary(add)
sub_ = _inplace_binary(sub)
mul_ = _inplace_binary(mul)
div_ = _inplace_binary(div)
pow_ = _inplace_binary(pow)


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
