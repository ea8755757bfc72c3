"""dtype objects, the default dtype, and PyTorch's type-promotion rules."""

from __future__ import annotations

import builtins
import importlib

import numpy as np

# The module, not ember.tensor the function; circular (tensor imports this), used at call time.
_t = importlib.import_module("ember.tensor")


class dtype:
    """A tensor element type: ``ember.float32`` and friends.

    Each wraps the NumPy dtype that stores it. Instances are singletons, so ``is`` and ``==``
    agree.
    """

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_kind", "_rank")

    def __init__(self, name: str, np_dtype, kind: int, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = kind == FLOAT
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize
        # kind orders the categories (bool < int < float); rank orders within one.
        self._kind = kind
        self._rank = rank

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


BOOL, INT, FLOAT = 0, 1, 2

bool = dtype("bool", np.bool_, BOOL, 0)  # noqa: A001
uint8 = dtype("uint8", np.uint8, INT, 1)
int8 = dtype("int8", np.int8, INT, 1)
int16 = dtype("int16", np.int16, INT, 2)
int32 = dtype("int32", np.int32, INT, 3)
int64 = dtype("int64", np.int64, INT, 4)
float16 = dtype("float16", np.float16, FLOAT, 1)
float32 = dtype("float32", np.float32, FLOAT, 2)
float64 = dtype("float64", np.float64, FLOAT, 3)

# PyTorch's aliases.
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy(np_dtype) -> dtype:
    """The ember dtype that stores ``np_dtype``; TypeError for ones ember lacks."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types "
            "are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


_default = float32


def get_default_dtype() -> dtype:
    return _default


def set_default_dtype(d: dtype) -> None:
    global _default
    d = to_dtype(d)
    if d not in (float16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default = d


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype, or Python's float/int/bool."""
    if type(d) is dtype:
        return d
    if d is builtins.float:
        return _default
    if d is builtins.int:
        return int64
    if isinstance(getattr(d, "dtype", None), dtype) and isinstance(d, type):
        return d.dtype  # a legacy type: x.type(torch.DoubleTensor)
    if d is builtins.bool:
        return bool
    if isinstance(d, str):
        name = d.removeprefix("torch.")
        if name in _BY_NAME:
            return _BY_NAME[name]
        aliases = {
            "float": float32,
            "double": float64,
            "half": float16,
            "long": int64,
            "int": int32,
            "short": int16,
        }
        if name in aliases:
            return aliases[name]
        raise TypeError(f"invalid dtype {d!r}")
    return from_numpy(d)


def _category(x) -> int:
    if isinstance(x, builtins.bool | np.bool_):
        return BOOL
    if isinstance(x, builtins.int | np.integer):
        return INT
    return FLOAT


def promote(a: dtype, b: dtype) -> dtype:
    """The common dtype of two tensors of equal priority (PyTorch's promotion table)."""
    if a is b:
        return a
    if a._kind != b._kind:
        return a if a._kind > b._kind else b
    if a._rank != b._rank:
        return a if a._rank > b._rank else b
    # uint8 with int8 promotes to int16, as in PyTorch.
    return int16


def promote_types(type1, type2) -> dtype:
    """``torch.promote_types``: the smallest dtype both promote to."""
    for i, t in enumerate((type1, type2), 1):
        if not isinstance(t, dtype):
            raise TypeError(
                f"promote_types(): argument 'type{i}' (position {i}) must be torch.dtype, "
                f"not {type(t).__name__}"
            )
    return promote(type1, type2)


def result_type(a, b) -> dtype:
    """PyTorch's result dtype for a binary op on tensors and/or Python scalars.

    Priority: tensors with dimensions, then zero-dim tensors, then scalars. A lower-priority
    operand changes the result only when its category (bool < int < float) is higher.
    """
    ta, tb = isinstance(a, _t.Tensor), isinstance(b, _t.Tensor)
    if ta and tb:
        da, db = a.dtype, b.dtype
        if da is db:
            return da
        za, zb = a._data.ndim == 0, b._data.ndim == 0
        if za == zb:
            return promote(da, db)
        hi, lo = (db, da) if za else (da, db)
        return promote(hi, lo) if lo._kind > hi._kind else hi
    if ta or tb:
        t, s = (a, b) if ta else (b, a)
        d = t.dtype
        k = _category(s)
        if k <= d._kind:
            return d
        return int64 if k == INT else _default
    ka, kb = _category(a), _category(b)
    k = max(ka, kb)
    return (bool, int64, _default)[k]


# Legacy type names: x.type() and torch.FloatTensor.
_LEGACY = {
    "float32": "torch.FloatTensor",
    "float64": "torch.DoubleTensor",
    "float16": "torch.HalfTensor",
    "int64": "torch.LongTensor",
    "int32": "torch.IntTensor",
    "int16": "torch.ShortTensor",
    "int8": "torch.CharTensor",
    "uint8": "torch.ByteTensor",
    "bool": "torch.BoolTensor",
}
LEGACY_NAMES = {v: to_dtype(k) for k, v in _LEGACY.items()}


def legacy_type_name(d: dtype) -> str:
    return _LEGACY[d.name]
