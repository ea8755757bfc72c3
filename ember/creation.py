"""Tensor factories: zeros, ones, full, empty, eye, arange, linspace, random tensors, *_like."""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from . import dtypes
from . import device as _device
from . import random as _random
from .tensor import Tensor, _make


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, numbers.Integral):
            raise TypeError(
                f"expected a sequence of integers as the size, but got {type(s).__name__}"
            )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _finish(arr: np.ndarray, requires_grad: bool, device) -> Tensor:
    _device.check(device)
    t = _make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _dt(dtype, default=None) -> dtypes.dtype:
    if dtype is None:
        return default or dtypes.get_default_dtype()
    return dtypes.to_dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None) -> Tensor:
    return _finish(np.zeros(_size(size), _dt(dtype).np), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None) -> Tensor:
    return _finish(np.ones(_size(size), _dt(dtype).np), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False) -> Tensor:
    return _finish(np.empty(_size(size), _dt(dtype).np), requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    if dtype is None:
        dtype = dtypes.result_type(fill_value, fill_value)
    return _finish(np.full(_size((size,)), fill_value, _dt(dtype).np), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_dt(dtype).np), requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from start to end (exclusive); int64 for integer arguments, as in PyTorch."""
    if end is None:
        start, end = 0, start
    args = [a.item() if isinstance(a, Tensor) else a for a in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_int = builtins.all(isinstance(a, numbers.Integral) for a in args)
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    d = _dt(dtype)
    # Count in float64, as PyTorch does, so that float steps give the same length.
    n = int(np.ceil((args[1] - args[0]) / args[2]))
    arr = (args[0] + np.arange(builtins.max(n, 0), dtype=np.float64) * args[2]).astype(d.np)
    if d.np.kind in "iu":
        arr = np.arange(args[0], args[1], args[2], dtype=d.np)
    return _finish(arr, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.linspace(start, end, int(steps), dtype=np.float64).astype(_dt(dtype).np),
                   requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    return _finish(np.logspace(start, end, int(steps), base=base).astype(_dt(dtype).np),
                   requires_grad, device)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform on [0, 1)."""
    d = _dt(dtype)
    arr = _random.rng(generator).random(_size(size), dtype=np.float64 if d is dtypes.float64
                                        else np.float32)
    return _finish(arr.astype(d.np, copy=False), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal."""
    d = _dt(dtype)
    arr = _random.rng(generator).standard_normal(
        _size(size), dtype=np.float64 if d is dtypes.float64 else np.float32
    )
    return _finish(arr.astype(d.np, copy=False), requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    arr = _random.rng(generator).integers(low, high, size=_size((size,)), dtype=np.int64)
    return _finish(arr.astype(_dt(dtype, dtypes.int64).np, copy=False), requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    arr = _random.rng(generator).permutation(int(n)).astype(_dt(dtype, dtypes.int64).np)
    return _finish(arr, requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Normal samples; ``mean``/``std`` may be tensors (elementwise) or numbers with ``size``."""
    g = _random.rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        arr = (m + s * g.standard_normal(shape)).astype(ref._data.dtype)
        return _finish(arr, requires_grad, device)
    if size is None:
        raise TypeError("normal() with scalar mean and std needs a size")
    d = _dt(dtype)
    arr = (mean + std * g.standard_normal(_size((size,)))).astype(d.np)
    return _finish(arr, requires_grad, device)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    probs = input._data if p is None else np.full(input._data.shape, p)
    arr = (_random.rng(generator).random(probs.shape) < probs).astype(input._data.dtype)
    return _make(arr)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    g = _random.rng(generator)
    p = input._data.astype(np.float64)
    rows = p.reshape(-1, p.shape[-1])
    out = np.stack([
        g.choice(len(r), size=num_samples, replace=replacement, p=r / r.sum()) for r in rows
    ])
    return _make(out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))


def _like(fn):
    def like(input, *args, dtype=None, device=None, requires_grad=False, memory_format=None,
             **kwargs):
        return fn(*(input._data.shape,) + args, dtype=dtype or input.dtype,
                  requires_grad=requires_grad, **kwargs)

    like.__name__ = fn.__name__ + "_like"
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return full(input._data.shape, fill_value, dtype=dtype or input.dtype,
                requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype=None, device=None,
                 requires_grad=False) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)
