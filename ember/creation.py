"""Tensor factories: zeros, ones, full, empty, eye, arange, linspace, random tensors, *_like."""

from __future__ import annotations

import builtins
import numbers
import warnings

import numpy as np

from . import device as _device
from . import dtypes
from . import random as _random
from .tensor import Tensor, _arr, _make


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
        _require_grad(t)
    return t


def _require_grad(t: Tensor) -> None:
    # NOTE: factories word this error with a capital O; requires_grad_() and the setter differ.
    if t._data.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    t.requires_grad = True


def _float_only(d: dtypes.dtype, kernel: str) -> None:
    if not d.is_floating_point:
        word = dtypes.legacy_type_name(d)[len("torch.") : -len("Tensor")]
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{word}'")


def _dt(dtype, default=None) -> dtypes.dtype:
    if dtype is None:
        return default or dtypes.get_default_dtype()
    return dtypes.to_dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None) -> Tensor:
    return _finish(np.zeros(_size(size), _dt(dtype).np), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None) -> Tensor:
    return _finish(np.ones(_size(size), _dt(dtype).np), requires_grad, device)


def empty(
    *size,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    memory_format=None,
    pin_memory=False,
) -> Tensor:
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
    if args[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (args[1] - args[0]) * args[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
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
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(
        np.linspace(start, end, int(steps), dtype=np.float64).astype(_dt(dtype).np),
        requires_grad,
        device,
    )


def logspace(
    start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False
) -> Tensor:
    return _finish(
        np.logspace(start, end, int(steps), base=base).astype(_dt(dtype).np), requires_grad, device
    )


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform on [0, 1)."""
    d = _dt(dtype)
    _float_only(d, "check_uniform_bounds")
    arr = _random.rng(generator).random(
        _size(size), dtype=np.float64 if d is dtypes.float64 else np.float32
    )
    return _finish(arr.astype(d.np, copy=False), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal."""
    d = _dt(dtype)
    _float_only(d, "normal_kernel_cpu")
    arr = _random.rng(generator).standard_normal(
        _size(size), dtype=np.float64 if d is dtypes.float64 else np.float32
    )
    return _finish(arr.astype(d.np, copy=False), requires_grad, device)


def randint(
    low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False
) -> Tensor:
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


def normal(
    mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False
) -> Tensor:
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


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator=None
) -> Tensor:
    g = _random.rng(generator)
    p = input._data.astype(np.float64)
    rows = p.reshape(-1, p.shape[-1])
    out = np.stack(
        [g.choice(len(r), size=num_samples, replace=replacement, p=r / r.sum()) for r in rows]
    )
    return _make(out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))


def _like(fn):
    def like(
        input, *args, dtype=None, device=None, requires_grad=False, memory_format=None, **kwargs
    ):
        return fn(
            *(input._data.shape,) + args,
            dtype=dtype or input.dtype,
            device=device,
            requires_grad=requires_grad,
            **kwargs,
        )

    like.__name__ = fn.__name__ + "_like"
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(
    input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    return full(
        input._data.shape,
        fill_value,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
    )


def randint_like(input, low, high=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        input._data.shape,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
    )


# -- from data --------------------------------------------------------------------------------


def _is_seq(x) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, (np.ndarray, Tensor)) and x.ndim > 0)


def _items(x):
    if isinstance(x, Tensor):
        return list(x._data)
    return x if isinstance(x, (list, tuple)) else list(x)


_PY_KIND = {bool: dtypes.BOOL, int: dtypes.INT, float: dtypes.FLOAT}


def _scalar_dtype(x) -> dtypes.dtype:
    """The dtype PyTorch infers for one leaf of nested data (NumPy scalars keep theirs)."""
    if isinstance(x, bool):
        return dtypes.bool
    if isinstance(x, numbers.Integral) and not isinstance(x, np.generic):
        return dtypes.int64
    if isinstance(x, (np.generic, np.ndarray)):
        return dtypes.from_numpy(x.dtype)
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, numbers.Real):
        return dtypes.get_default_dtype()
    if isinstance(x, str):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _scan(data) -> dtypes.dtype:
    """Check that nested sequences are rectangular and infer PyTorch's dtype for them.

    Level by level (iteratively, so deep nesting is fine): every sequence must be as long as
    the first one at its level (ValueError naming the dim), sequences and scalars may not mix
    (TypeError, as PyTorch raises), and the leaves' dtypes promote as tensors' do: bool < int64
    < the default float, NumPy scalars and arrays keeping their own dtype.
    """
    level = [data]
    depth = 0
    while level and _is_seq(level[0]):
        n = len(level[0])
        nxt = []
        for x in level:
            if not _is_seq(x):
                raise TypeError("not a sequence")
            if len(x) != n:
                raise ValueError(f"expected sequence of length {n} at dim {depth} (got {len(x)})")
            nxt.extend(_items(x))
        level = nxt
        depth += 1
    if not level:
        return dtypes.get_default_dtype()  # torch.tensor([]) is float
    types = set(map(type, level))
    if types <= _PY_KIND.keys():
        # The common case, without a Python call per element.
        return (dtypes.bool, dtypes.int64, dtypes.get_default_dtype())[
            max(_PY_KIND[t] for t in types)
        ]
    d = None
    for x in level:
        if _is_seq(x):
            raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
        xd = _scalar_dtype(x)
        d = xd if d is None else dtypes.promote(d, xd)
    return d


def to_array(data, dtype: dtypes.dtype | None) -> np.ndarray:
    """A new ndarray holding ``data`` (Python numbers, nested lists, ndarrays, tensors)."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(dtype.np) if dtype is not None else arr.copy()
    if isinstance(data, np.ndarray):
        if dtype is None:
            dtype = dtypes.from_numpy(data.dtype)
        return np.array(data, dtype=dtype.np)
    inferred = _scan(data)
    if dtype is None:
        dtype = inferred
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [_arr(x) if isinstance(x, Tensor) else x for x in data]
    try:
        return np.array(data, dtype=dtype.np)
    except (TypeError, ValueError) as e:
        raise TypeError(f"can't build a tensor from {type(data).__name__}: {e}") from None


def tensor(data, dtype=None, device=None, requires_grad: bool = False, pin_memory=False) -> Tensor:
    """A new tensor copying ``data``; the dtype is inferred as PyTorch infers it.

    Example: ``ember.tensor([1., 2.])`` is float32, ``ember.tensor([1, 2])`` int64.
    """
    _device.check(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.clone().detach() or sourceTensor.clone().detach().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    t = _make(to_array(data, None if dtype is None else dtypes.to_dtype(dtype)))
    if requires_grad:
        _require_grad(t)
    return t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with ``data`` when no conversion is needed."""
    _device.check(device)
    d = None if dtype is None else dtypes.to_dtype(dtype)
    if isinstance(data, Tensor):
        return data if d is None or d is data.dtype else data.to(d)
    if isinstance(data, np.ndarray) and (d is None or d.np == data.dtype):
        dtypes.from_numpy(data.dtype)
        return _make(data)
    return _make(to_array(data, d))


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``arr``, keeping its dtype."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    dtypes.from_numpy(arr.dtype)
    return _make(arr)


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


# -- legacy constructors: torch.Tensor(...), torch.FloatTensor(...) ----------------------------


def legacy_new(cls, args: tuple, dtype: dtypes.dtype, typed: bool) -> Tensor:
    """``Tensor(data)`` / ``Tensor(*sizes)`` / ``Tensor()``, as PyTorch's legacy constructors.

    Data (a sequence or an ndarray) is converted to ``dtype``; integers are sizes (the memory is
    uninitialized in PyTorch, zeros here); a tensor is returned as an alias of itself.
    """
    if not args:
        return _make(np.empty((0,), dtype.np), cls)
    first = args[0]
    if len(args) == 1 and isinstance(first, Tensor):
        if typed and first.dtype is not dtype:
            raise TypeError(f"expected {dtype} (got {first.dtype})")
        out = _make(first._data, cls)
        out._vc = first._vc
        return out
    if len(args) == 1 and (isinstance(first, (list, np.ndarray)) or type(first) is tuple):
        return _make(to_array(first, dtype), cls)
    sizes = first if len(args) == 1 and isinstance(first, tuple) else args  # torch.Size
    if not builtins.all(isinstance(s, numbers.Integral) for s in sizes):
        if len(args) == 1:
            raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
        raise TypeError(
            "new() received an invalid combination of arguments - got "
            f"({', '.join(type(a).__name__ for a in args)})"
        )
    return _make(np.zeros(_size(sizes), dtype.np), cls)


class _LegacyType(type):
    """The metaclass of ``FloatTensor`` and friends: calling one builds a tensor of its dtype,
    and ``isinstance(t, FloatTensor)`` checks the dtype, as in PyTorch."""

    def __call__(cls, *args, device=None):
        _device.check(device)
        return legacy_new(Tensor, args, cls.dtype, typed=True)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(d: dtypes.dtype) -> type:
    name = dtypes.legacy_type_name(d)[len("torch.") :]
    return _LegacyType(name, (), {"dtype": d, "__doc__": f"Legacy constructor of {d} tensors."})


FloatTensor = _legacy_type(dtypes.float32)
DoubleTensor = _legacy_type(dtypes.float64)
HalfTensor = _legacy_type(dtypes.float16)
LongTensor = _legacy_type(dtypes.int64)
IntTensor = _legacy_type(dtypes.int32)
ShortTensor = _legacy_type(dtypes.int16)
CharTensor = _legacy_type(dtypes.int8)
ByteTensor = _legacy_type(dtypes.uint8)
BoolTensor = _legacy_type(dtypes.bool)
