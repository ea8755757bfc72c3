"""Every row of the op table: forward, gradients and dtype against PyTorch, and a float64
finite-difference gradient check."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_torch, torch
from op_table import OPS

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


@requires_torch
@pytest.mark.parametrize("op,shapes", list(_cases()))
def test_matches_torch(op, shapes):
    arrays = _inputs(op, shapes, op.dtype)
    ex = _ember(arrays, op.grad)
    tx = [to_torch(x) for x in ex]
    eo = op.fn(ember, *ex)
    to = op.fn(torch, *tx)
    assert_close(eo, to, op.rtol, op.atol)
    if not op.grad:
        return
    g = np.random.default_rng(1).standard_normal(tuple(to.shape)).astype(op.dtype)
    eo.backward(ember.from_numpy(g))
    to.backward(torch.from_numpy(g))
    for e, t in zip(ex, tx):
        if t.grad is None:
            assert e.grad is None
        else:
            assert_close(e.grad, t.grad, op.rtol * 10, op.atol * 10)


@pytest.mark.parametrize(
    "op,shapes", [c for c in _cases() if c.values[0].grad and c.values[0].gradcheck]
)
def test_gradcheck(op, shapes):
    ex = _ember(_inputs(op, shapes, "float64"), True)
    assert ember.autograd.gradcheck(lambda *xs: op.fn(ember, *xs), ex)
