"""dtypes: the objects and their aliases, the default dtype, and PyTorch's type promotion.

The promotion grid is differential: every pair of dtypes, as dimensioned or zero-dim tensors and
against Python scalars, through + - * / // and the comparisons, must give torch's dtype (or
torch's error class) and torch's values.
"""

from __future__ import annotations

import operator
import pickle

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

OPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "eq": operator.eq,
    "lt": operator.lt,
    "ge": operator.ge,
}

SCALARS = [True, False, 2, -3, 300, 2.5, -0.5]


@pytest.fixture
def default_float64():
    ember.set_default_dtype(ember.float64)
    try:
        yield
    finally:
        ember.set_default_dtype(ember.float32)


# -- dtype objects ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_dtype_objects(name):
    d = getattr(ember, name)
    assert isinstance(d, ember.dtype)
    assert repr(d) == str(d) == f"torch.{name}"
    assert d.is_floating_point == name.startswith("float")
    assert d.itemsize == np.dtype(name).itemsize
    # Singletons: pickling gives the same object back (checkpoints store dtypes).
    assert pickle.loads(pickle.dumps(d)) is d


@requires_torch
@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes_match_torch(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert (e.is_floating_point, e.is_signed, e.itemsize) == (
        t.is_floating_point,
        t.is_signed,
        t.itemsize,
    )


def test_aliases():
    assert ember.float is ember.float32
    assert ember.double is ember.float64
    assert ember.half is ember.float16
    assert ember.long is ember.int64
    assert ember.int is ember.int32
    assert ember.short is ember.int16


def test_default_dtype():
    assert ember.get_default_dtype() is ember.float32
    assert ember.tensor([1.0, 2.0]).dtype is ember.float32
    assert ember.tensor([1, 2]).dtype is ember.int64
    assert ember.tensor([True]).dtype is ember.bool
    assert ember.zeros(2).dtype is ember.float32
    assert ember.arange(6).dtype is ember.int64
    assert ember.arange(6.0).dtype is ember.float32


def test_set_default_dtype(default_float64):
    assert ember.get_default_dtype() is ember.float64
    assert ember.tensor([1.0]).dtype is ember.float64
    assert ember.zeros(2).dtype is ember.float64
    assert ember.randn(2).dtype is ember.float64
    assert ember.arange(1.0, 3.0).dtype is ember.float64
    assert (ember.tensor([1, 2]) / 2).dtype is ember.float64
    # Tensors of the default dtype print no dtype; float32 now does.
    assert repr(ember.tensor([1.0])) == "tensor([1.])"
    assert repr(ember.tensor([1.0], dtype=ember.float32)) == "tensor([1.], dtype=torch.float32)"


def test_set_default_dtype_refuses_integers():
    with pytest.raises(TypeError, match="only floating-point types are supported"):
        ember.set_default_dtype(ember.int64)
    assert ember.get_default_dtype() is ember.float32


@requires_torch
def test_type_names_match_torch():
    for name in NAMES:
        e = ember.zeros(1, dtype=getattr(ember, name))
        t = torch.zeros(1, dtype=getattr(torch, name))
        assert e.type() == t.type()


# -- promotion grid against torch ---------------------------------------------------------------


def _make(lib, name, zero_dim):
    data = 3 if zero_dim else [1, 2, 0]
    return lib.tensor(data, dtype=getattr(lib, name))


def _outcome(fn):
    """(dtype name, values) or the exception class name."""
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return type(e).__name__
    arr = r.numpy() if hasattr(r, "numpy") else np.asarray(r)
    return str(r.dtype), np.asarray(arr, dtype=np.float64)


def _compare(cases):
    bad = []
    for label, ef, tf in cases:
        e, t = _outcome(ef), _outcome(tf)
        if isinstance(e, str) or isinstance(t, str):
            if e != t:
                bad.append(f"{label}: ember {e}, torch {t}")
        elif e[0] != t[0]:
            bad.append(f"{label}: ember {e[0]}, torch {t[0]}")
        elif not np.allclose(e[1], t[1], rtol=2e-3, equal_nan=True):
            bad.append(f"{label}: values ember {e[1]}, torch {t[1]}")
    assert not bad, "\n".join(bad)


@requires_torch
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dims", ["nd-nd", "0d-nd", "nd-0d", "0d-0d"])
def test_tensor_tensor_promotion(op, dims):
    fn = OPS[op]
    za, zb = dims.split("-")[0] == "0d", dims.split("-")[1] == "0d"
    cases = []
    for a in NAMES:
        for b in NAMES:
            cases.append(
                (
                    f"{a} {op} {b} ({dims})",
                    lambda a=a, b=b: fn(_make(ember, a, za), _make(ember, b, zb)),
                    lambda a=a, b=b: fn(_make(torch, a, za), _make(torch, b, zb)),
                )
            )
    _compare(cases)


@requires_torch
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("zero_dim", [False, True], ids=["nd", "0d"])
def test_tensor_scalar_promotion(op, zero_dim):
    fn = OPS[op]
    cases = []
    for a in NAMES:
        for s in SCALARS:
            for side in ("left", "right"):
                if side == "left":
                    ef = lambda a=a, s=s: fn(_make(ember, a, zero_dim), s)  # noqa: E731
                    tf = lambda a=a, s=s: fn(_make(torch, a, zero_dim), s)  # noqa: E731
                else:
                    ef = lambda a=a, s=s: fn(s, _make(ember, a, zero_dim))  # noqa: E731
                    tf = lambda a=a, s=s: fn(s, _make(torch, a, zero_dim))  # noqa: E731
                cases.append((f"{a} {op} {s!r} ({side})", ef, tf))
    _compare(cases)


@requires_torch
def test_promote_types_and_result_type_match_torch():
    for a in NAMES:
        for b in NAMES:
            got = ember.promote_types(getattr(ember, a), getattr(ember, b))
            assert str(got) == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
            for s in SCALARS:
                e = ember.result_type(_make(ember, a, False), s)
                assert str(e) == str(torch.result_type(_make(torch, a, False), s)), (a, s)
            e = ember.result_type(_make(ember, a, True), _make(ember, b, False))
            assert str(e) == str(torch.result_type(_make(torch, a, True), _make(torch, b, False)))
    with pytest.raises(TypeError, match=r"argument 'type2' \(position 2\) must be torch.dtype"):
        ember.promote_types(ember.float32, 3)


def test_int_division_gives_default_float():
    assert (ember.tensor([1, 2]) / 2).dtype is ember.float32
    assert (ember.arange(4) / ember.arange(1, 5)).dtype is ember.float32
    assert (ember.tensor([1, 2]) // 2).dtype is ember.int64


def test_bool_with_int():
    assert (ember.tensor([True, False]) + 1).dtype is ember.int64
    assert (ember.tensor([True]) + ember.tensor([2], dtype=ember.int8)).dtype is ember.int8
    assert (ember.tensor([True]) * True).dtype is ember.bool
    assert (ember.tensor([True]) * 2.5).dtype is ember.float32


def test_comparisons_give_bool():
    x = ember.tensor([1.0, 2.0])
    for r in (x > 1, x == 2, x <= ember.tensor([2, 0]), x != 1.5, 1 < x):
        assert r.dtype is ember.bool


def test_python_scalars_never_widen():
    assert (ember.ones(2) * 2.5).dtype is ember.float32
    assert (ember.ones(2) + 10**10).dtype is ember.float32
    assert (ember.ones(2, dtype=ember.float16) * 3.0).dtype is ember.float16
    assert (ember.ones(2, dtype=ember.int8) + 1).dtype is ember.int8
    assert (ember.ones(2, dtype=ember.int32) * 7).dtype is ember.int32
    # A zero-dim tensor acts like a scalar within its category.
    assert (ember.ones(2) * ember.tensor(2.0, dtype=ember.float64)).dtype is ember.float32
    assert (ember.ones(2, dtype=ember.int8) + ember.tensor(5)).dtype is ember.int8


@requires_torch
def test_integer_scalars_wrap_as_in_torch():
    for name in ("uint8", "int8", "int16"):
        e = _make(ember, name, False)
        t = _make(torch, name, False)
        for s in (-1, 300, -200):
            assert (e + s).tolist() == (t + s).tolist(), (name, s)
            assert (e < s).tolist() == (t < s).tolist(), (name, s)


def test_no_float64_leaks_from_numpy():
    x = ember.ones(3)
    for r in (
        x * np.float64(2.0),
        np.float64(2.0) * x,
        x + np.int64(1),
        x / 3,
        x.mean(),
        x.sum(),
        x.exp(),
        (x * 1e-3).sqrt(),
        ember.arange(4).exp(),
        ember.arange(4) ** 0.5,
        2.0 ** ember.arange(3),
        ember.tensor([1, 2]).float().mean(),
        ember.linspace(0, 1, 5),
        ember.rand(2),
        ember.randn(2),
        ember.full((2,), 1.5),
        ember.tensor([0.5, 1]),
    ):
        assert r.dtype is ember.float32, r


def test_reduction_dtypes():
    assert ember.arange(5).sum().dtype is ember.int64
    assert ember.ones(2, dtype=ember.int32).sum().dtype is ember.int64
    assert ember.ones(2, dtype=ember.bool).sum().dtype is ember.int64
    assert ember.tensor([1.0, 2.0]).argmax().dtype is ember.int64
    with pytest.raises(RuntimeError, match="Input dtype must be either a floating point"):
        ember.arange(3).mean()


@requires_torch
def test_bool_errors_match_torch():
    b = ember.tensor([True, False])
    tb = torch.tensor([True, False])
    for fn in (
        lambda x: x - x,
        lambda x: x - 1,
        lambda x: 1.5 - x,
        lambda x: -x,
        lambda x: x // x,
        lambda x: x % x,
        lambda x: x**x,
    ):
        with pytest.raises(Exception) as te:
            fn(tb)
        with pytest.raises(type(te.value)) as ee:
            fn(b)
        assert str(ee.value) == str(te.value)
