"""Statistics over dims: var, std (with Bessel's correction), var_mean, std_mean, norm, the
NaN-ignoring nansum / nanmean, and cov / corrcoef."""

from __future__ import annotations

import warnings

import numpy as np

from .._array import as_array
from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._util import _type_word, dims
from .reduction import _expand_back, _floating, mean

_INF = float("inf")
_NAN = float("nan")


def _count(shape: tuple, axes) -> int:
    if axes is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axes]))


def _divisor(x: Tensor, axes, correction, name: str) -> float:
    n = _count(x._data.shape, axes)
    dof = n - correction
    if dof <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )
    return max(dof, 0)


def _squared_deviations(d: np.ndarray, axes) -> np.ndarray:
    dev = d - d.mean(axis=axes, keepdims=True)
    return np.sum(dev * dev, axis=axes, keepdims=True)


def _variance(ctx, x: Tensor, axes, divisor, keepdim) -> np.ndarray:
    """The forward of Var and Std up to the square root."""
    if ctx.inputs is not None:
        ctx.save_for_backward(x)
        ctx.axes, ctx.divisor, ctx.keepdim = axes, divisor, keepdim
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _squared_deviations(x._data, axes) / x._data.dtype.type(divisor)
    return out if keepdim else out.reshape(_reduced(x._data.shape, axes))


class Var(Op):
    @staticmethod
    def forward(ctx, x, axes, divisor, keepdim):
        return as_array(_variance(ctx, x, axes, divisor, keepdim))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        dev = x - mean(x, ctx.axes, keepdim=True)
        g = _expand_back(g, x._data.shape, ctx.axes, ctx.keepdim)
        # No degrees of freedom left: the variance is undefined, and so is its gradient.
        return g * dev * (2.0 / ctx.divisor if ctx.divisor else _NAN), None, None, None


class Std(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, axes, divisor, keepdim):
        return as_array(np.sqrt(_variance(ctx, x, axes, divisor, keepdim)))

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where

        (x,) = ctx.saved_tensors
        shape = x._data.shape
        dev = x - mean(x, ctx.axes, keepdim=True)
        std = _expand_back(ctx.output(), shape, ctx.axes, ctx.keepdim)
        g = _expand_back(g, shape, ctx.axes, ctx.keepdim)
        # d std / dx = dev / (divisor * std); where std is 0 every dev is 0 too, and PyTorch
        # gives 0 there rather than 0/0.
        safe = where(std == 0, 1.0, std)
        scale = 1.0 / ctx.divisor if ctx.divisor else _NAN
        return g * dev / safe * scale, None, None, None


def _reduced(shape, axes):
    if axes is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _var_args(input: Tensor, dim, unbiased, correction, name: str):
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # var(x, True): the old (input, unbiased) signature
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got both unbiased and "
            "correction, but expected one of them"
        )
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = dims(dim, input._data.ndim)
    if axes == ():
        axes = None
    return axes, _divisor(input, axes, correction, name)


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Variance over ``dim``, dividing by ``N - correction`` (``correction=1`` by default)."""
    axes, divisor = _var_args(input, dim, unbiased, correction, "var")
    return Var.apply(input, axes, divisor, keepdim)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Standard deviation over ``dim``: ``sqrt(var)``, with gradient 0 where it is 0."""
    axes, divisor = _var_args(input, dim, unbiased, correction, "std")
    return Std.apply(input, axes, divisor, keepdim)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(var, mean)`` over the same dims."""
    v = var(input, dim, unbiased, keepdim, correction=correction)
    axes = None if isinstance(dim, bool) else dim
    return v, mean(input, axes, keepdim)


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(std, mean)`` over the same dims."""
    s = std(input, dim, unbiased, keepdim, correction=correction)
    axes = None if isinstance(dim, bool) else dim
    return s, mean(input, axes, keepdim)


# -- norms ----------------------------------------------------------------------------------------


class LinalgVectorNorm(Op):
    """``(sum |x|^p)^(1/p)`` over dims, with p = inf / -inf giving max / min of ``|x|``."""

    saves_output = True

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        if ctx.inputs is not None:
            ctx.save_for_backward(x)
            ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        a = np.abs(x._data)
        if p == 2:
            out = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
        elif p == 1:
            out = np.sum(a, axis=axes, keepdims=keepdim)
        elif p == _INF:
            out = np.amax(a, axis=axes, keepdims=keepdim)
        elif p == -_INF:
            out = np.amin(a, axis=axes, keepdims=keepdim)
        elif p == 0:
            out = np.sum(a != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
        else:
            with np.errstate(divide="ignore"):
                out = np.sum(a**p, axis=axes, keepdims=keepdim) ** (1.0 / p)
        return as_array(out).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        from .elementwise import abs, sign, where

        (x,) = ctx.saved_tensors
        p, shape = ctx.p, x._data.shape
        g = _expand_back(g, shape, ctx.axes, ctx.keepdim)
        norm = _expand_back(ctx.output(), shape, ctx.axes, ctx.keepdim)
        if p == 0:
            return g * 0.0, None, None, None
        if p == 1:
            return g * sign(x), None, None, None
        if p == 2:
            # x / norm; a zero norm means x is all zeros there, and the gradient is 0.
            return g * x / where(norm == 0, 1.0, norm), None, None, None
        if p in (_INF, -_INF):
            # The extreme |x| takes the gradient, shared evenly among ties (as in amax).
            hit = np.abs(x._data) == norm._data
            ties = hit.sum(axis=ctx.axes, keepdims=True).astype(x._data.dtype)
            w = _make((hit / np.maximum(ties, 1)).astype(x._data.dtype))
            return g * sign(x) * w, None, None, None
        # d/dx_i = sign(x_i) |x_i|^(p-1) / norm^(p-1); elements equal to 0 get 0 (|x|^(p-1)
        # is infinite there for p < 1).
        nonzero = _make((x._data != 0).astype(x._data.dtype))
        ax = where(x == 0, 1.0, abs(x))
        den = where(norm == 0, 1.0, norm) if p > 0 else norm
        with np.errstate(divide="ignore"):  # p < 0 with a zero norm: |x|/0 = inf -> grad 0
            gx = g * sign(x) * nonzero * (ax / den) ** (p - 1)
        return gx, None, None, None


def _p_value(p) -> float:
    if isinstance(p, str):
        return 2.0
    return float(p)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None):
    """The vector p-norm over ``dim`` (all elements when None); ``'fro'`` is the 2-norm.

    ``p`` may be a number, ``inf``/``-inf`` (largest/smallest ``|x|``) or ``'fro'``.
    """
    if isinstance(p, str) and p != "fro":
        if p == "nuc":
            raise NotImplementedError("norm(p='nuc') is not supported by ember yet")
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    if isinstance(p, str) and isinstance(dim, (tuple, list)) and len(dim) > 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}"
        )
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_type_word(input._data.dtype)}"
        )
    axes = dims(dim, input._data.ndim)
    if axes == ():
        axes = None
    return LinalgVectorNorm.apply(input, _p_value(p), axes, keepdim)


# -- NaN-ignoring sums, covariance ----------------------------------------------------------------


def _nan_zeroed(input: Tensor) -> Tensor:
    """``input`` with NaN replaced by 0 through ``where``, so those get gradient 0."""
    from .elementwise import where

    if input._data.dtype.kind != "f":
        return input
    return where(_make(np.isnan(input._data)), 0.0, input)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """sum, treating NaN as 0."""
    from .reduction import sum

    return sum(_nan_zeroed(input), dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """mean of the non-NaN values (NaN where there are none)."""
    input = _floating(
        input, dtype, "nanmean(): expected input to have floating point or complex dtype but got {}"
    )
    axes = dims(dim, input._data.ndim) or None
    count = (~np.isnan(input._data)).sum(axis=axes, keepdims=keepdim)
    with np.errstate(divide="ignore", invalid="ignore"):
        return nansum(input, dim, keepdim) / _make(count.astype(input._data.dtype))


def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """Covariance of the rows (variables) of ``input`` over its columns (observations).

    ``fweights`` (integer repeat counts) and ``aweights`` (importance) weight the observations.
    """
    from .linalg import matmul

    if input._data.ndim > 2:
        raise RuntimeError(
            f"cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input._data.ndim} dimensions"
        )
    x = input if input._data.dtype.kind == "f" else input.float()
    x = x.reshape(1, -1) if x._data.ndim < 2 else x
    n = x._data.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, n, "fweights", integral=True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, n, "aweights", integral=False)
        w = aweights if w is None else w * aweights
    if w is None:
        avg = mean(x, 1, keepdim=True)
        factor = n - correction
    else:
        w = w.to(x.dtype)
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        # The divisor depends on the weights, and so does the gradient through it.
        if correction == 0:
            factor = w_sum
        elif aweights is None:
            factor = w_sum - correction
        else:
            factor = w_sum - correction * (w * aweights.to(x.dtype)).sum() / w_sum
    if float(factor._data if isinstance(factor, Tensor) else factor) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0", UserWarning, stacklevel=2)
        factor = factor * 0 if isinstance(factor, Tensor) else 0
    dev = x - avg
    lhs = dev if w is None else dev * w
    with np.errstate(divide="ignore", invalid="ignore"):
        c = matmul(lhs, dev.mT) / (factor if isinstance(factor, Tensor) else float(factor))
    return c.squeeze()


def _check_weights(w: Tensor, n: int, name: str, integral: bool) -> None:
    if w._data.ndim > 1:
        raise RuntimeError(
            f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
            f"{w._data.ndim} dimensions"
        )
    if w._data.size != n:
        raise RuntimeError(
            f"cov(): expected {name} to have the same numel as there are observations in the "
            f"input but got {w._data.size} != {n}"
        )
    if integral and w._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"cov(): expected {name} to have integral dtype but got {name} with "
            f"{_type_word(w._data.dtype)} dtype"
        )
    if not integral and w._data.dtype.kind != "f":
        raise RuntimeError(
            f"cov(): expected {name} to have floating point dtype but got {name} with "
            f"{_type_word(w._data.dtype)} dtype"
        )
    if (w._data < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1]."""
    from .diagonal import diagonal
    from .elementwise import clamp, sqrt

    if input._data.ndim > 2:
        raise RuntimeError(
            f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
            f"{input._data.ndim} dimensions"
        )
    c = cov(input)
    if c._data.ndim == 0:  # one variable: var / var
        return c / c
    sd = sqrt(diagonal(c))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = c / sd.unsqueeze(1) / sd.unsqueeze(0)
    return clamp(c, -1, 1)
