"""Every row of the op table: forward, gradients and dtype against PyTorch, and a float64
finite-difference gradient check. Elementwise rows (the UNARY / BINARY shape sets) also run on
random shapes that broadcast against each other."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_torch, torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes
from op_table import BINARY, OPS, UNARY

import ember


def _cases():
    for op in OPS:
        for k, shapes in enumerate(op.shapes):
            yield pytest.param(op, shapes, id=f"{op.name}-{k}")


def _inputs(op, shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = op.domain
    out = []
    for i, s in enumerate(shapes):
        if i in op.special:
            a = op.special[i](rng, s)
            # Float specials (values with zeros, ties ...) follow the dtype under test.
            out.append(a.astype(dtype) if a.dtype.kind == "f" else a)
        else:
            out.append(rng.uniform(lo, hi, size=s).astype(dtype))
    return out


def _ember(arrays, grad):
    return [ember.from_numpy(a.copy()).requires_grad_(grad and a.dtype.kind == "f") for a in arrays]


def _compare_with_torch(op, shapes, seed=0):
    arrays = _inputs(op, shapes, op.dtype, seed)
    ex = _ember(arrays, op.grad)
    tx = [to_torch(x) for x in ex]
    eo = op.fn(ember, *ex)
    to = op.fn(torch, *tx)
    assert_close(eo, to, op.rtol, op.atol)
    if not op.grad:
        return
    g = np.random.default_rng(seed + 1).standard_normal(tuple(to.shape)).astype(op.dtype)
    eo.backward(ember.from_numpy(g))
    to.backward(torch.from_numpy(g))
    for e, t in zip(ex, tx):
        if t.grad is None:
            assert e.grad is None
        else:
            assert_close(e.grad, t.grad, op.rtol * 10, op.atol * 10)


@requires_torch
@pytest.mark.parametrize("op,shapes", list(_cases()))
def test_matches_torch(op, shapes):
    _compare_with_torch(op, shapes)


# Rows whose shape sets are the generic elementwise ones take any shapes (broadcasting ones for
# two inputs): 0-d to 4-d, sizes 1-4, so singleton dims broadcast both ways.
_ELEMENTWISE = [
    pytest.param(op, n, id=op.name)
    for op in OPS
    for n, generic in ((1, UNARY), (2, BINARY))
    if op.shapes == list(generic)
]


@requires_torch
@pytest.mark.parametrize("op,arity", _ELEMENTWISE)
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_broadcast_shapes_match_torch(op, arity, data):
    if arity == 1:
        shapes = [data.draw(array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))]
    else:
        drawn = data.draw(
            mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)
        )
        shapes = list(drawn.input_shapes)
    _compare_with_torch(op, shapes, seed=data.draw(st.integers(0, 2**16)))


def test_elementwise_rows_are_found():
    """The random-shape test keys on the generic shape sets; guard against it matching none."""
    names = {p.values[0].name for p in _ELEMENTWISE}
    assert {"add", "mul", "div", "where", "maximum", "exp", "relu", "clamp"} <= names


@pytest.mark.parametrize(
    "op,shapes", [c for c in _cases() if c.values[0].grad and c.values[0].gradcheck]
)
def test_gradcheck(op, shapes):
    ex = _ember(_inputs(op, shapes, "float64"), True)
    assert ember.autograd.gradcheck(lambda *xs: op.fn(ember, *xs), ex)
