"""The op table: one row per op drives the generic checks in test_op_table.py.

A row names the op, a function ``fn(lib, *inputs)`` that calls it through either library
(``lib`` is ``ember`` or ``torch``, so one lambda serves both), the input shapes (several sets,
broadcasting among them), and the domain inputs are drawn from. Adding an op adds a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Op:
    name: str
    fn: object
    shapes: list = field(default_factory=lambda: [[(3, 4)]])
    domain: tuple = (-2.0, 2.0)
    grad: bool = True  # differentiable: compare gradients and run gradcheck
    dtype: str = "float32"  # forward dtype for the comparison with torch
    rtol: float = 1e-5
    atol: float = 1e-6
    # Inputs that are not random floats: index -> callable(rng, shape) giving a numpy array.
    special: dict = field(default_factory=dict)
    gradcheck: bool = True


UNARY = [(3, 4)], [(2, 3, 4)], [()]
BINARY = [(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 1, 4), (3, 1)], [(), (3,)]

OPS = [
    # -- elementwise arithmetic
    Op("add", lambda T, a, b: T.add(a, b), list(BINARY)),
    Op("add_alpha", lambda T, a, b: T.add(a, b, alpha=2.5), list(BINARY)),
    Op("add_scalar", lambda T, a: a + 1.5, list(UNARY)),
    Op("radd_scalar", lambda T, a: 2 + a, list(UNARY)),
    Op("sub", lambda T, a, b: a - b, list(BINARY)),
    Op("rsub_scalar", lambda T, a: 3.0 - a, list(UNARY)),
    Op("mul", lambda T, a, b: a * b, list(BINARY)),
    Op("mul_scalar", lambda T, a: a * 3, list(UNARY)),
    Op("div", lambda T, a, b: a / b, list(BINARY), domain=(0.5, 2.0)),
    Op("rdiv_scalar", lambda T, a: 2.0 / a, list(UNARY), domain=(0.5, 2.0)),
    Op("neg", lambda T, a: -a, list(UNARY)),
    Op("pow_scalar", lambda T, a: a**3, list(UNARY)),
    Op("pow_frac", lambda T, a: a**0.5, list(UNARY), domain=(0.5, 2.0)),
    Op("pow_tensor", lambda T, a, b: T.pow(a, b), list(BINARY), domain=(0.5, 2.0)),
    Op("rpow", lambda T, a: 2.0**a, list(UNARY)),
    Op("square", lambda T, a: T.square(a), list(UNARY)),
    # -- unary math
    Op("exp", lambda T, a: T.exp(a), list(UNARY)),
    Op("log", lambda T, a: T.log(a), list(UNARY), domain=(0.5, 3.0)),
    Op("log1p", lambda T, a: T.log1p(a), list(UNARY), domain=(0.0, 3.0)),
    Op("expm1", lambda T, a: T.expm1(a), list(UNARY)),
    Op("sqrt", lambda T, a: T.sqrt(a), list(UNARY), domain=(0.5, 3.0)),
    Op("rsqrt", lambda T, a: T.rsqrt(a), list(UNARY), domain=(0.5, 3.0)),
    Op("abs", lambda T, a: T.abs(a), list(UNARY)),
    Op("sign", lambda T, a: T.sign(a), list(UNARY)),
    Op("sin", lambda T, a: T.sin(a), list(UNARY)),
    Op("cos", lambda T, a: T.cos(a), list(UNARY)),
    Op("tan", lambda T, a: T.tan(a), list(UNARY), domain=(-1.0, 1.0)),
    Op("tanh", lambda T, a: T.tanh(a), list(UNARY)),
    Op("sigmoid", lambda T, a: T.sigmoid(a), list(UNARY), domain=(-6.0, 6.0)),
    Op("relu", lambda T, a: T.relu(a), list(UNARY)),
    Op("clamp", lambda T, a: T.clamp(a, -0.5, 0.7), list(UNARY)),
    Op("clamp_min", lambda T, a: a.clamp(min=0), list(UNARY)),
    Op("clip_max", lambda T, a: T.clip(a, max=0.3), list(UNARY)),
    Op("maximum", lambda T, a, b: T.maximum(a, b), list(BINARY)),
    Op("minimum", lambda T, a, b: T.minimum(a, b), list(BINARY)),
    Op("where", lambda T, a, b: T.where(a > 0, a, b), list(BINARY)),
    Op("floor", lambda T, a: T.floor(a), list(UNARY)),
    Op("ceil", lambda T, a: T.ceil(a), list(UNARY)),
    Op("round", lambda T, a: T.round(a), list(UNARY)),
    # -- comparisons and logic (forward only)
    Op("eq", lambda T, a, b: a == b, list(BINARY), grad=False),
    Op("lt", lambda T, a, b: a < b, list(BINARY), grad=False),
    Op("ge_scalar", lambda T, a: a >= 0.5, list(UNARY), grad=False),
    Op("logical_and", lambda T, a, b: T.logical_and(a > 0, b > 0), list(BINARY), grad=False),
    Op("logical_not", lambda T, a: T.logical_not(a > 0), list(UNARY), grad=False),
    # -- reductions
    Op("sum", lambda T, a: a.sum(), list(UNARY)),
    Op("sum_dim", lambda T, a: a.sum(dim=-1), [[(3, 4)], [(2, 3, 4)]]),
    Op("sum_dims_keep", lambda T, a: a.sum((0, 2), keepdim=True), [[(2, 3, 4)]]),
    Op("mean", lambda T, a: a.mean(), list(UNARY)),
    Op("mean_dim", lambda T, a: a.mean(1), [[(3, 4)], [(2, 3, 4)]]),
    Op("max_all", lambda T, a: a.max(), [[(3, 4)]]),
    Op("max_dim", lambda T, a: a.max(dim=1)[0], [[(3, 4)], [(2, 3, 4)]]),
    Op("max_dim_idx", lambda T, a: a.max(dim=1)[1], [[(3, 4)]], grad=False),
    Op("min_dim_keep", lambda T, a: a.min(dim=0, keepdim=True).values, [[(3, 4)]]),
    Op("amax", lambda T, a: T.amax(a, dim=(0, 1)), [[(2, 3, 4)]]),
    Op("amin", lambda T, a: T.amin(a, dim=-1, keepdim=True), [[(2, 3, 4)]]),
    Op("argmax", lambda T, a: a.argmax(dim=1), [[(3, 4)]], grad=False),
    Op("argmin", lambda T, a: T.argmin(a), [[(3, 4)]], grad=False),
    Op("all", lambda T, a: (a > -1).all(dim=0), [[(3, 4)]], grad=False),
    Op("any", lambda T, a: (a > 1).any(), [[(3, 4)]], grad=False),
    # -- linear algebra
    Op("mm", lambda T, a, b: a.mm(b), [[(3, 4), (4, 5)]]),
    Op("matmul_2d", lambda T, a, b: a @ b, [[(3, 4), (4, 2)]]),
    Op(
        "matmul_batched",
        lambda T, a, b: T.matmul(a, b),
        [[(2, 3, 4), (4, 5)], [(2, 1, 3, 4), (3, 4, 2)]],
    ),
    Op("matmul_vec", lambda T, a, b: a @ b, [[(3, 4), (4,)], [(4,), (4, 3)], [(4,), (4,)]]),
    Op("bmm", lambda T, a, b: T.bmm(a, b), [[(2, 3, 4), (2, 4, 5)]]),
    Op("dot", lambda T, a, b: T.dot(a, b), [[(5,), (5,)]]),
    Op("outer", lambda T, a, b: T.outer(a, b), [[(3,), (4,)]]),
    Op("t", lambda T, a: a.t(), [[(3, 4)]]),
    Op("transpose", lambda T, a: a.transpose(0, 2), [[(2, 3, 4)]]),
    Op("permute", lambda T, a: a.permute(2, 0, 1), [[(2, 3, 4)]]),
    # -- shape
    Op("view", lambda T, a: a.view(4, -1), [[(2, 3, 4)]]),
    Op("reshape", lambda T, a: a.t().reshape(-1), [[(3, 4)]]),
    Op("flatten", lambda T, a: a.flatten(1), [[(2, 3, 4)]]),
    Op("squeeze", lambda T, a: a.squeeze(), [[(2, 1, 4, 1)]]),
    Op("unsqueeze", lambda T, a: a.unsqueeze(1), [[(3, 4)]]),
    Op("expand", lambda T, a: a.expand(2, 3, 4), [[(3, 1)]]),
    Op("cat", lambda T, a, b: T.cat([a, b], dim=1), [[(2, 3), (2, 5)]]),
    Op("stack", lambda T, a, b: T.stack([a, b], dim=1), [[(2, 3), (2, 3)]]),
    Op("split", lambda T, a: a.split(2, dim=1)[1], [[(3, 5)]]),
    Op("chunk", lambda T, a: a.chunk(3)[2], [[(7, 2)]]),
    Op("unbind", lambda T, a: a.unbind(1)[1], [[(3, 4)]]),
    # -- indexing
    Op("index_basic", lambda T, a: a[1:, ::2], [[(3, 4)]]),
    Op("index_int", lambda T, a: a[1, -1], [[(3, 4)]]),
    Op("index_none_ellipsis", lambda T, a: a[None, ..., 1], [[(2, 3, 4)]]),
    Op("index_advanced", lambda T, a: a[[0, 2, 0]], [[(3, 4)]]),
    Op("index_mask", lambda T, a: a[a > 0], [[(3, 4)]]),
]
