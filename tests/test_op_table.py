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


# The ops the core issue lists, each with the rows that must cover it. Differentiable ones need
# a row with gradients (compared with torch and gradchecked); the rest a forward row.
REQUIRED = {
    "differentiable": {
        "add": ["add", "add_alpha", "add_scalar", "radd_scalar"],
        "sub": ["sub", "rsub_scalar"],
        "mul": ["mul", "mul_scalar", "rmul_scalar"],
        "div": ["div", "rdiv_scalar", "div_floor", "div_trunc"],
        "remainder": ["remainder", "remainder_scalar"],
        "neg": ["neg"],
        "pow": ["pow_scalar", "pow_frac", "pow_tensor", "rpow"],
        **{n: [n] for n in "exp log log1p expm1 sqrt rsqrt abs sign sin cos tan tanh".split()},
        **{n: [n] for n in "sigmoid relu maximum minimum where floor ceil round".split()},
        "clamp/clip": ["clamp", "clamp_min", "clip_max"],
        "sum": ["sum", "sum_dim", "sum_dims_keep"],
        "mean": ["mean", "mean_dim"],
        "prod": ["prod", "prod_dim", "prod_one_zero", "prod_two_zeros"],
        "max": ["max_all", "max_dim"],
        "min": ["min_all", "min_dim_keep"],
        **{n: [n] for n in "amax amin var std norm logsumexp softmax log_softmax cumsum".split()},
        **{n: [n] for n in "mm bmm dot outer t transpose permute view reshape flatten".split()},
        **{n: [n] for n in "squeeze unsqueeze expand repeat contiguous cat stack split".split()},
        **{n: [n] for n in "chunk unbind gather index_select masked_fill topk sort".split()},
        "matmul/@": ["matmul_2d", "matmul_batched", "matmul_vec"],
        "einsum": ["einsum_matmul", "einsum_batch_bcast", "einsum_three"],
        "indexing": ["index_basic", "index_int", "index_advanced", "index_mask"],
        "setitem": ["setitem_basic", "setitem_index_tensor", "setitem_mask"],
        "scatter": ["scatter_src", "scatter_value", "scatter_add"],
        "in-place": ["inplace_binary_chain", "inplace_unary_chain", "fill_zero_nonleaf"],
        "copy_": ["copy_nonleaf"],
    },
    "forward": {
        "comparisons": ["eq", "ne", "lt", "gt", "le", "ge_scalar"],
        "logical": ["logical_and", "logical_or", "logical_xor", "logical_not", "bool_operators"],
        "max/min indices": ["max_dim_idx", "min_dim_idx"],
        **{n: [n] for n in "argmax argmin all any argsort one_hot".split()},
    },
}


def test_every_listed_op_has_its_rows():
    rows = {op.name: op for op in OPS}
    missing = [r for need in REQUIRED.values() for rs in need.values() for r in rs if r not in rows]
    assert not missing, f"op table rows missing: {missing}"
    ungraded = [
        r
        for rs in REQUIRED["differentiable"].values()
        for r in rs
        if not (rows[r].grad and rows[r].gradcheck)
    ]
    assert not ungraded, f"differentiable ops without gradient rows: {ungraded}"


@pytest.mark.parametrize(
    "op,shapes", [c for c in _cases() if c.values[0].grad and c.values[0].gradcheck]
)
def test_gradcheck(op, shapes):
    ex = _ember(_inputs(op, shapes, "float64"), True)
    assert ember.autograd.gradcheck(lambda *xs: op.fn(ember, *xs), ex)
