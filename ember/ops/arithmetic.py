"""Arithmetic: + - * / ** with broadcasting and PyTorch's type promotion, and their in-place
forms. Broadcast gradients are reduced by the engine, not here."""

from __future__ import annotations

import numpy as np

from .._array import broadcast_error, broadcastable_to
from ..autograd import grad_mode
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import check_inplace_dtype, inplace, promote_pair

# NOTE: inside backward, recording is on only for create_graph=True. Without it the hot ops
# compute their gradients straight in NumPy: the same formulas as the ember-op path below
# them, without dispatch (a no-graph mul through the op layer costs ~1.2 us, np.multiply 0.4).
_state = grad_mode.state


def _a(x):
    return x._data if type(x) is Tensor or isinstance(x, Tensor) else x


def _np_binary(ufunc, a, b):
    """``ufunc`` on two operands outside an Op, with PyTorch's error for shapes that do not
    broadcast (inside an Op, ``Function.apply`` does this)."""
    try:
        return ufunc(_a(a), _a(b))
    except ValueError as e:
        raise broadcast_error(e, (a, b)) or e from None


# -- arithmetic --------------------------------------------------------------------------------


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        return np.add(a._data, _a(b))  # add()/sub() put a tensor first

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        return np.subtract(a._data, _a(b))  # add()/sub() put a tensor first

    @staticmethod
    def backward(ctx, g):
        if not ctx.needs_input_grad[1]:
            return g, None
        if not _state.enabled:
            return g, _make(np.negative(g._data))  # see the NOTE at the top (1.1 -> 0.4 us)
        return g, neg(g)


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            # Save only what the needed gradients read (d/da reads b, d/db reads a): an
            # operand saved needlessly would make a later in-place change of it an error.
            need_a, need_b = ctx.needs_input_grad
            ctx.save_for_backward(
                a if need_b and isinstance(a, Tensor) else None,
                b if need_a and isinstance(b, Tensor) else None,
            )
        return np.multiply(a._data, _a(b))  # mul() puts a tensor first

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if not _state.enabled:
            gd = g._data
            ga = _make(np.multiply(gd, _a(ctx.inputs[1] if b is None else b))) if need_a else None
            gb = _make(np.multiply(gd, _a(ctx.inputs[0] if a is None else a))) if need_b else None
            return ga, gb
        ga = mul(g, b if b is not None else ctx.inputs[1]) if need_a else None
        gb = mul(g, a if a is not None else ctx.inputs[0]) if need_b else None
        return ga, gb


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            # d/da reads b; d/db reads a and b (a is saved only when b needs its gradient).
            ctx.save_for_backward(
                a if ctx.needs_input_grad[1] and isinstance(a, Tensor) else None,
                b if isinstance(b, Tensor) else None,
            )
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


class RoundedDiv(Op):
    """Passes a rounded quotient through, recording zero gradients for the operands."""

    @staticmethod
    def forward(ctx, result, a, b):
        return result._data

    @staticmethod
    def backward(ctx, g):
        zero = _make(np.zeros_like(g._data))
        need = ctx.needs_input_grad
        return None, zero if need[1] else None, zero if need[2] else None


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
        out = np.power(_a(a), _a(b))
        if ctx.inputs is not None:
            ctx.save_for_backward(
                a if isinstance(a, Tensor) else None, b if isinstance(b, Tensor) else None
            )
            if isinstance(b, Tensor) and b._rg:
                ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        av = a if a is not None else ctx.inputs[0]
        bv = b if b is not None else ctx.inputs[1]
        if not _state.enabled and b is None and not ctx.needs_input_grad[1] and bv != 0:
            # x ** c: c * x ** (c - 1) * g, one temporary, written in place
            ad = av._data
            ga = np.multiply(ad, bv) if bv == 2 else np.power(ad, bv - 1) * bv
            ga *= g._data
            return _make(ga), None
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


def _float_and_number(t, x) -> bool:
    """A float tensor and a Python number: the result keeps the tensor's dtype (NumPy treats
    the number as weak), so no promotion is needed: the per-op fast path of ``x + 1.0``."""
    return type(t) is Tensor and (type(x) is float or type(x) is int) and t._data.dtype.kind == "f"


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    if type(input) is type(other) is Tensor and input._data.dtype is other._data.dtype:
        return Add.apply(input, other)
    if _float_and_number(input, other):
        return Add.apply(input, other)
    a, b, _ = promote_pair(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return Add.apply(a, b)


def sub(input, other, *, alpha=1, out=None):
    if alpha == 1 and type(input) is type(other) is Tensor:
        d = input._data.dtype
        if d is other._data.dtype and d.kind == "f":
            return Sub.apply(input, other)
    if alpha == 1 and _float_and_number(input, other):
        return Sub.apply(input, other)
    _check_bool_sub(input, other)
    if alpha != 1:
        other = mul(other, alpha)
    if type(input) is type(other) is Tensor and input._data.dtype is other._data.dtype:
        return Sub.apply(input, other)
    a, b, _ = promote_pair(input, other)
    if not isinstance(a, Tensor):
        return named(add(neg(b), a), "RsubBackward1")
    return Sub.apply(a, b)


subtract = sub


def _is_bool(x) -> bool:
    return isinstance(x, bool) or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


def _check_bool_sub(input, other) -> None:
    # PyTorch refuses `-` whenever a bool takes part, Python's True included.
    if _is_bool(input) or _is_bool(other):
        if isinstance(input, Tensor) and isinstance(other, Tensor) and _is_bool(input):
            if _is_bool(other):
                raise RuntimeError(
                    "Subtraction, the `-` operator, with two bool tensors is not supported. Use "
                    "the `^` or `logical_xor()` operator instead."
                )
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def mul(input, other, *, out=None):
    if type(input) is type(other) is Tensor and input._data.dtype is other._data.dtype:
        return Mul.apply(input, other)
    if _float_and_number(input, other):
        return Mul.apply(input, other)
    if _float_and_number(other, input):
        return Mul.apply(other, input)
    a, b, _ = promote_pair(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return Mul.apply(a, b)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """True division (ints give the default float), or 'trunc'/'floor' rounding."""
    if rounding_mode is not None:
        if rounding_mode == "floor":
            res = floor_divide(input, other)
        elif rounding_mode == "trunc":
            a, b, d = promote_pair(input, other)
            _no_int_zero(d, b)
            res = _nograd(np.trunc(_np_binary(np.true_divide, a, b)).astype(d.np))
        else:
            raise RuntimeError(
                f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        if res._data.dtype.kind == "f" and _state.enabled and _any_rg(input, other):
            # Piecewise constant: PyTorch records it (DivBackward2) with zero gradients.
            res = named(RoundedDiv.apply(res, input, other), "DivBackward2")
        return res
    if (
        type(input) is type(other) is Tensor
        and input._data.dtype is other._data.dtype
        and input._data.dtype.kind == "f"
    ):
        return Div.apply(input, other)
    a, b, _ = promote_pair(input, other, float_result=True)
    return Div.apply(a, b)


divide = true_divide = div


def _any_rg(*xs) -> bool:
    return any(isinstance(x, Tensor) and x._rg for x in xs)


def _no_bool(d, kernel: str) -> None:
    if d.np.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _no_int_zero(d, divisor) -> None:
    # Integer division by zero is an error in PyTorch (NumPy would warn and give 0).
    if d.np.kind in "iu" and not np.all(_a(divisor)):
        raise RuntimeError("ZeroDivisionError")


def floor_divide(input, other):
    a, b, d = promote_pair(input, other)
    _no_bool(d, "div_floor_cpu")
    _no_int_zero(d, b)
    return _nograd(_np_binary(np.floor_divide, a, b).astype(d.np, copy=False))


class Remainder(Op):
    """``a - floor(a / b) * b`` (the sign of the divisor, as Python's %)."""

    @staticmethod
    def forward(ctx, a, b, np_dtype):
        if ctx.inputs is not None:
            ctx.save_for_backward(a, b if isinstance(b, Tensor) else None)
        return np.remainder(a._data, _a(b)).astype(np_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            # d/db = -floor(a / b): piecewise constant, so a constant in the graph is exact.
            gb = neg(mul(g, _make(np.floor_divide(a._data, b._data))))
        return g if ctx.needs_input_grad[0] else None, gb


def remainder(input, other):
    a, b, d = promote_pair(input, other)
    _no_bool(d, "remainder_cpu")
    _no_int_zero(d, b)
    if isinstance(input, Tensor) and d.is_floating_point:
        # Differentiable as in PyTorch (RemainderBackward0/1); number % tensor is not.
        out = Remainder.apply(a, b, d.np)
        return named(out, "RemainderBackward1") if isinstance(b, Tensor) else out
    return _nograd(_np_binary(np.remainder, a, b).astype(d.np, copy=False))


def fmod(input, other):
    a, b, d = promote_pair(input, other)
    _no_bool(d, "fmod_cpu")
    _no_int_zero(d, b)
    return _nograd(_np_binary(np.fmod, a, b).astype(d.np, copy=False))


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
    _no_bool(d, "pow")
    if not d.is_floating_point and isinstance(b, Tensor) is False and b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        return Tensor._wrap(np.asarray(a**b))
    out = Pow.apply(a, b)
    # PyTorch's overloads: tensor ** number (0), tensor ** tensor (1), number ** tensor (2).
    if not isinstance(a, Tensor):
        return named(out, "PowBackward2")
    return named(out, "PowBackward1") if isinstance(b, Tensor) else out


def square(input):
    return named(mul(input, input), "PowBackward0")


def _nograd(arr) -> Tensor:
    return _make(np.asarray(arr))


# -- in-place variants ---------------------------------------------------------------------------


def _inplace_binary(fn, ufunc):
    def op_(self, other, **kwargs):
        sd = self._data
        if not kwargs and sd.dtype.kind == "f" and not _records(self, other):
            # No graph, a float tensor, an operand of its dtype (or a Python number) that
            # broadcasts to it: one ufunc writing into the storage. NOTE: the general path
            # computes out of place and then copies (two passes and a temporary): the seed's
            # `w1 -= lr * w1.grad` took 2x as long.
            od = other._data if isinstance(other, Tensor) else other
            if (od.__class__ is float or od.__class__ is int) or (
                od.__class__ is np.ndarray
                and od.dtype == sd.dtype
                and broadcastable_to(od.shape, sd.shape)
            ):
                ufunc(sd, od, out=sd)
                self._vc[0] += 1
                return self
        check_inplace_dtype(self, other)
        return inplace(self, fn, other, **kwargs)

    op_.__name__ = fn.__name__ + "_"
    return op_


def _records(self, other) -> bool:
    return _state.enabled and (self._rg or (isinstance(other, Tensor) and other._rg))


add_ = _inplace_binary(add, np.add)
sub_ = _inplace_binary(sub, np.subtract)
mul_ = _inplace_binary(mul, np.multiply)
div_ = _inplace_binary(div, np.true_divide)
pow_ = _inplace_binary(pow, np.power)


# Imported last: their backward formulas need arithmetic, and pow's needs these.
from .elementwise import log, where  # noqa: E402
