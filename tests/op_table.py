"""The op table: one row per op drives the generic checks in test_op_table.py.

A row names the op, a function ``fn(lib, *inputs)`` that calls it through either library
(``lib`` is ``ember`` or ``torch``, so one lambda serves both), the input shapes (several sets,
broadcasting among them), and the domain inputs are drawn from. Adding an op adds a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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


# -- helpers for rows that need statements (in-place writes) -------------------------------------


def _ints(lo, hi):
    return lambda rng, shape: rng.integers(lo, hi, size=shape).astype("int64")


def _with_zeros(k):
    """Random values with ``k`` zeros in each row of the last dim (prod's special case)."""

    def make(rng, shape):
        a = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)
        a[..., :k] = 0.0
        return a

    return make


def _ties(rng, shape):
    """Values from {0, 1}: max/min reductions see ties (their gradient is shared)."""
    return rng.integers(0, 2, size=shape).astype("float64")


def _perm_rows(n):
    """Distinct indices in each row (scatter without duplicates is deterministic)."""
    return lambda rng, shape: np.stack([rng.permutation(n)[: shape[-1]] for _ in range(shape[0])])


def _distinct(rng, shape):
    """A permutation of well-separated values, so sort/topk have no ties."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.25 - n / 8).reshape(shape)


def _setitem(index, value_fn=None):
    def fn(T, a, b=None):
        y = a * 1.0
        y[index(T) if callable(index) else index] = value_fn(T, b) if value_fn else b
        return y

    return fn


def _inplace_chain(T, a, b):
    y = a * 1.0
    y.mul_(b)
    y.add_(b, alpha=0.5)
    y.div_(b + 3.0)
    y.pow_(2)
    y.sub_(0.25)
    return y


def _inplace_unary_chain(T, a):
    y = a * 2.0
    y.clamp_(-1.5, 1.5)
    y.abs_()  # saves its input: the write must not clobber the saved values
    y.sub_(0.5)
    y.relu_()  # saves its output (as in PyTorch): nothing may modify y after it
    return y


def _view_inplace(T, a, b):
    y = a * 1.0
    y[0].mul_(b[0])
    y[1][2] = b[1, 0]
    y[:, 1:].t().add_(1.0)
    return y * a


def _fill_nonleaf(T, a):
    y = a * 2.0
    y[1:].fill_(3.0)
    z = a * 3.0
    z.zero_()
    return y + z * a


def _copy_nonleaf(T, a, b):
    y = a * 2.0
    y[:, :2].copy_(b)
    return y * a


def _inplace_after_consumers(T, a, b):
    """Ops recorded before an in-place change keep the old history (sigmoid reads old y)."""
    y = a * 1.0
    z = y.sigmoid()
    w = y + 1.0
    y.mul_(b)
    v = y[0]
    y[1:].add_(v)
    return z * w + y


def _masked_setitem(T, a, b):
    y = a * 1.0
    y[a > 0] = b.sum()
    return y


OPS += [
    # -- reductions and statistics
    Op("prod", lambda T, a: a.prod(), [[(3, 4)], [()]], domain=(0.5, 1.5)),
    Op("prod_dim", lambda T, a: T.prod(a, 1), [[(3, 4)], [(2, 3, 4)]], domain=(0.5, 1.5)),
    Op("prod_dim_keep_neg", lambda T, a: a.prod(-1, keepdim=True), [[(2, 3, 4)]]),
    Op("prod_one_zero", lambda T, a: a.prod(-1), [[(3, 4)]], special={0: _with_zeros(1)}),
    Op("prod_two_zeros", lambda T, a: a.prod(1), [[(3, 4)]], special={0: _with_zeros(2)}),
    Op("prod_all_zero", lambda T, a: a.prod(), [[(3, 4)]], special={0: _with_zeros(1)}),
    Op("prod_int", lambda T, a: a.prod(0), [[(3, 4)]], grad=False, special={0: _ints(-3, 4)}),
    Op("var", lambda T, a: a.var(), list(UNARY[:2])),
    Op("var_dim", lambda T, a: T.var(a, 1), [[(3, 4)], [(2, 3, 4)]]),
    Op("var_unbiased_false", lambda T, a: a.var(-1, unbiased=False, keepdim=True), [[(2, 3, 4)]]),
    Op("var_correction", lambda T, a: T.var(a, (0, 2), correction=2), [[(2, 3, 4)]]),
    Op("std", lambda T, a: a.std(), list(UNARY[:2])),
    Op("std_dim_keep", lambda T, a: T.std(a, -2, keepdim=True), [[(3, 4)], [(2, 3, 4)]]),
    Op("std_correction0", lambda T, a: a.std(dim=(0, 1), correction=0), [[(2, 3, 4)]]),
    Op("var_mean", lambda T, a: T.stack(T.var_mean(a, 1)), [[(3, 4)]]),
    Op("std_mean", lambda T, a: T.stack(T.std_mean(a, dim=0, correction=0)), [[(3, 4)]]),
    Op("norm", lambda T, a: a.norm(), list(UNARY[:2])),
    Op("norm_p1_dim", lambda T, a: T.norm(a, p=1, dim=1), [[(3, 4)], [(2, 3, 4)]]),
    Op("norm_p3_keep", lambda T, a: a.norm(3, -1, keepdim=True), [[(2, 3, 4)]]),
    Op("norm_inf", lambda T, a: a.norm(float("inf"), dim=0), [[(3, 4)]]),
    Op("norm_neg_inf", lambda T, a: a.norm(float("-inf")), [[(3, 4)]]),
    Op("norm_fro_dims", lambda T, a: T.norm(a, "fro", dim=(0, 2)), [[(2, 3, 4)]]),
    Op("norm_frac_p", lambda T, a: a.norm(0.5, 1), [[(3, 4)]], domain=(0.5, 2.0)),
    Op("logsumexp", lambda T, a: T.logsumexp(a, 1), [[(3, 4)], [(2, 3, 4)]]),
    Op("logsumexp_dims_keep", lambda T, a: a.logsumexp((0, -1), keepdim=True), [[(2, 3, 4)]]),
    Op("logsumexp_large", lambda T, a: T.logsumexp(a * 1000.0, -1), [[(3, 4)]], atol=1e-3),
    Op("softmax", lambda T, a: T.softmax(a, 1), [[(3, 4)], [(2, 3, 4)]]),
    Op("softmax_neg_dim", lambda T, a: a.softmax(-1), [[(2, 3, 4)], [()]]),
    Op("softmax_dim0", lambda T, a: a.softmax(0), [[(3, 4)]]),
    Op("softmax_dtype", lambda T, a: T.softmax(a, 1, dtype=T.float64), [[(3, 4)]]),
    Op("softmax_large", lambda T, a: T.softmax(a * 1000.0, -1), [[(3, 4)]], gradcheck=False),
    Op("log_softmax", lambda T, a: T.log_softmax(a, 1), [[(3, 4)], [(2, 3, 4)]]),
    Op("log_softmax_neg_dim", lambda T, a: a.log_softmax(-2), [[(2, 3, 4)]]),
    Op("log_softmax_dtype", lambda T, a: a.log_softmax(0, dtype=T.float64), [[(3, 4)]]),
    Op("log_softmax_large", lambda T, a: T.log_softmax(a * 1000.0, 1), [[(3, 4)]], atol=1e-3),
    Op("cumsum", lambda T, a: T.cumsum(a, 1), [[(3, 4)], [(2, 3, 4)]]),
    Op("cumsum_neg_dim", lambda T, a: a.cumsum(-1), [[(2, 3, 4)], [()]]),
    Op("cumsum_dtype", lambda T, a: a.cumsum(0, dtype=T.float64), [[(3, 4)]]),
    Op("cumsum_int", lambda T, a: a.cumsum(1), [[(3, 4)]], grad=False, special={0: _ints(-5, 5)}),
    Op(
        "sum_int",
        lambda T, a: a.sum(-1, keepdim=True),
        [[(3, 4)]],
        grad=False,
        special={0: _ints(-5, 5)},
    ),
    Op("mean_dims_keep", lambda T, a: T.mean(a, (0, -1), keepdim=True), [[(2, 3, 4)]]),
    Op("max_neg_dim_keep", lambda T, a: a.max(-1, keepdim=True).values, [[(2, 3, 4)]]),
    Op("min_all", lambda T, a: T.min(a), [[(3, 4)]]),
    Op("argmax_keep", lambda T, a: a.argmax(-1, keepdim=True), [[(2, 3, 4)]], grad=False),
    Op("amax_ties", lambda T, a: a.amax(1), [[(3, 4)]], special={0: _ties}, gradcheck=False),
    Op("max_all_ties", lambda T, a: a.max(), [[(3, 4)]], special={0: _ties}, gradcheck=False),
    # -- movement
    Op("repeat", lambda T, a: a.repeat(2, 3), [[(3, 4)]]),
    Op("repeat_new_dims", lambda T, a: a.repeat(2, 1, 3), [[(3, 4)], [(4,)]]),
    Op("repeat_scalar", lambda T, a: a.repeat(3), [[()]]),
    Op("tile", lambda T, a: T.tile(a, (2,)), [[(3, 4)]]),
    Op("tile_more", lambda T, a: a.tile(2, 1, 2), [[(3, 4)]]),
    Op("flip", lambda T, a: T.flip(a, [0]), [[(3, 4)]]),
    Op("flip_dims", lambda T, a: a.flip(0, -1), [[(2, 3, 4)]]),
    Op("fliplr", lambda T, a: T.fliplr(a), [[(3, 4)]]),
    Op("roll", lambda T, a: T.roll(a, 1), [[(3, 4)]]),
    Op("roll_dims", lambda T, a: a.roll((1, -2), (0, -1)), [[(2, 3, 4)]]),
    Op("roll_large_shift", lambda T, a: a.roll(7, 1), [[(3, 4)]]),
    # -- sorting
    Op("sort", lambda T, a: a.sort().values, [[(3, 4)], [(2, 3, 4)]], special={0: _distinct}),
    Op("sort_desc_dim0", lambda T, a: T.sort(a, 0, True)[0], [[(3, 4)]], special={0: _distinct}),
    Op(
        "sort_indices",
        lambda T, a: a.sort(-1, descending=True).indices,
        [[(3, 4)]],
        grad=False,
        special={0: _distinct},
    ),
    Op(
        "sort_stable_ties",
        lambda T, a: T.sort(a, stable=True, descending=True)[1],
        [[(4, 6)]],
        grad=False,
        special={0: _ints(0, 3)},
    ),
    Op("argsort", lambda T, a: T.argsort(a, dim=0), [[(3, 4)]], grad=False, special={0: _distinct}),
    Op("topk", lambda T, a: a.topk(2).values, [[(3, 4)], [(2, 3, 4)]], special={0: _distinct}),
    Op(
        "topk_smallest_dim0",
        lambda T, a: T.topk(a, 2, 0, largest=False)[0],
        [[(3, 4)]],
        special={0: _distinct},
    ),
    Op(
        "topk_indices",
        lambda T, a: a.topk(3, dim=-1).indices,
        [[(3, 4)]],
        grad=False,
        special={0: _distinct},
    ),
    Op("unique", lambda T, a: T.unique(a), [[(4, 5)]], grad=False, special={0: _ints(0, 6)}),
    Op(
        "unique_inverse",
        lambda T, a: T.unique(a, return_inverse=True)[1],
        [[(4, 5)]],
        grad=False,
        special={0: _ints(0, 6)},
    ),
    Op(
        "unique_counts",
        lambda T, a: a.unique(return_counts=True)[1],
        [[(4, 5)]],
        grad=False,
        special={0: _ints(0, 6)},
    ),
    Op(
        "unique_dim",
        lambda T, a: T.unique(a, dim=0),
        [[(5, 2)]],
        grad=False,
        special={0: _ints(0, 2)},
    ),
    Op(
        "one_hot",
        lambda T, a: T.nn.functional.one_hot(a, 6),
        [[(4, 5)], [()]],
        grad=False,
        special={0: _ints(0, 6)},
    ),
    # -- linear algebra: einsum
    Op("einsum_matmul", lambda T, a, b: T.einsum("ij,jk->ik", a, b), [[(3, 4), (4, 5)]]),
    Op("einsum_implicit", lambda T, a, b: T.einsum("ij,jk", [a, b]), [[(3, 4), (4, 5)]]),
    Op("einsum_trace", lambda T, a: T.einsum("ii", a), [[(4, 4)]]),
    Op("einsum_diag", lambda T, a: T.einsum("ii->i", a), [[(4, 4)]]),
    Op("einsum_sum", lambda T, a: T.einsum("ij->", a), [[(3, 4)]]),
    Op("einsum_rowsum", lambda T, a: T.einsum("ijk->j", a), [[(2, 3, 4)]]),
    Op("einsum_transpose", lambda T, a: T.einsum("ij->ji", a), [[(3, 4)]]),
    Op("einsum_outer", lambda T, a, b: T.einsum("i,j->ij", a, b), [[(3,), (4,)]]),
    Op("einsum_dot", lambda T, a, b: T.einsum("i,i->", a, b), [[(5,), (5,)]]),
    Op(
        "einsum_batch_bcast",
        lambda T, a, b: T.einsum("bij,bjk->bik", a, b),
        [[(2, 3, 4), (1, 4, 5)]],
    ),
    Op(
        "einsum_ellipsis",
        lambda T, a, b: T.einsum("...ij,...jk->...ik", a, b),
        [[(2, 3, 4), (4, 5)]],
    ),
    Op(
        "einsum_three",
        lambda T, a, b, c: T.einsum("bn,anm,bm->ba", a, b, c),
        [[(2, 3), (4, 3, 5), (2, 5)]],
    ),
    Op("einsum_repeat_mixed", lambda T, a, b: T.einsum("iij,j->i", a, b), [[(3, 3, 4), (4,)]]),
    # -- indexing: gather / scatter / select / masks / setitem
    Op("gather", lambda T, a, i: T.gather(a, 1, i), [[(3, 4), (3, 5)]], special={1: _ints(0, 4)}),
    Op(
        "gather_smaller",
        lambda T, a, i: a.gather(0, i),
        [[(3, 4), (2, 3)]],
        special={1: _ints(0, 3)},
    ),
    Op(
        "scatter_src",
        lambda T, a, i, s: T.scatter(a, 1, i, s),
        [[(3, 4), (3, 2), (3, 2)]],
        special={1: _perm_rows(4)},
    ),
    Op(
        "scatter_value",
        lambda T, a, i: a.scatter(0, i, 1.5),
        [[(3, 4), (1, 4)]],
        special={1: _ints(0, 3)},
    ),
    Op(
        "scatter_add",
        lambda T, a, i, s: T.scatter_add(a, 1, i, s),
        [[(3, 4), (3, 5), (3, 5)]],
        special={1: _ints(0, 4)},
    ),
    Op(
        "index_select",
        lambda T, a, i: T.index_select(a, 1, i),
        [[(3, 4), (5,)]],
        special={1: _ints(0, 4)},
    ),
    Op(
        "index_select_neg_dim",
        lambda T, a, i: a.index_select(-3, i),
        [[(2, 3, 4), (3,)]],
        special={1: _ints(0, 2)},
    ),
    Op("masked_fill", lambda T, a: a.masked_fill(a > 0, -1.0), [[(3, 4)]]),
    Op("masked_fill_bcast", lambda T, a, b: T.masked_fill(a, b > 0, 2.0), [[(3, 4), (4,)]]),
    Op("masked_fill_tensor_value", lambda T, a, b: a.masked_fill(a < 0, b.sum()), [[(3, 4), (2,)]]),
    Op("masked_select", lambda T, a, b: T.masked_select(a, b > 0), [[(3, 4), (4,)]]),
    Op(
        "setitem_basic",
        _setitem((slice(1, None), slice(None, 2))),
        [[(3, 4), (2, 2)], [(3, 4), (2,)]],
    ),
    Op("setitem_scalar", _setitem(0, lambda T, b: 5.0), [[(3, 4)]]),
    Op(
        "setitem_index_tensor",
        _setitem(lambda T: T.tensor([0, 2])),
        [[(3, 4), (2, 4)], [(3, 4), (4,)]],
    ),
    Op("setitem_advanced_pairs", _setitem(([0, 2], [1, 3])), [[(3, 4), (2,)]]),
    Op("setitem_mask", _masked_setitem, [[(3, 4), (3,)]]),
    Op("setitem_ellipsis", _setitem((Ellipsis, 1)), [[(2, 3, 4), (2, 3)]]),
    # -- convolution and pooling (more combinations: tests/ops/test_conv.py, test_pooling.py)
    Op(
        "conv2d",
        lambda T, x, w, b: T.nn.functional.conv2d(x, w, b, stride=2, padding=1),
        [[(2, 3, 5, 6), (4, 3, 3, 2), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "conv2d_groups_dilation_same",
        lambda T, x, w: T.nn.functional.conv2d(x, w, groups=2, dilation=2, padding="same"),
        [[(1, 4, 6, 5), (4, 2, 3, 3)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "conv1d",
        lambda T, x, w, b: T.nn.functional.conv1d(x, w, b, padding=1),
        [[(2, 3, 7), (4, 3, 3), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "conv_transpose2d",
        lambda T, x, w, b: T.nn.functional.conv_transpose2d(x, w, b, stride=2, output_padding=1),
        [[(2, 3, 3, 4), (3, 2, 3, 3), (2,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op("max_pool2d", lambda T, x: T.nn.functional.max_pool2d(x, 2), [[(2, 3, 6, 7)], [(3, 4, 4)]]),
    Op(
        "max_pool2d_overlap_ceil",
        lambda T, x: T.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True),
        [[(1, 2, 6, 7)]],
    ),
    Op("max_pool1d", lambda T, x: T.nn.functional.max_pool1d(x, 3, 2), [[(2, 3, 7)]]),
    Op("avg_pool2d", lambda T, x: T.nn.functional.avg_pool2d(x, 2), [[(2, 3, 6, 7)]]),
    Op(
        "avg_pool2d_pad_ceil",
        lambda T, x: T.nn.functional.avg_pool2d(x, 3, 2, 1, True, False),
        [[(1, 2, 6, 7)]],
    ),
    Op("avg_pool1d", lambda T, x: T.nn.functional.avg_pool1d(x, 2), [[(2, 3, 7)]]),
    Op(
        "adaptive_avg_pool2d",
        lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, (2, 3)),
        [[(2, 3, 5, 7)]],
    ),
    Op(
        "adaptive_max_pool2d",
        lambda T, x: T.nn.functional.adaptive_max_pool2d(x, (2, 3)),
        [[(2, 3, 5, 7)]],
    ),
    # -- nn.functional: linear, activations, normalisation, embedding, padding, losses
    Op("linear", lambda T, x, w, b: T.nn.functional.linear(x, w, b), [[(4, 3), (5, 3), (5,)]]),
    Op("linear_nobias_3d", lambda T, x, w: T.nn.functional.linear(x, w), [[(2, 4, 3), (5, 3)]]),
    Op(
        "bilinear",
        lambda T, a, b, w, c: T.nn.functional.bilinear(a, b, w, c),
        [[(4, 3), (4, 2), (5, 3, 2), (5,)]],
    ),
    Op("gelu", lambda T, x: T.nn.functional.gelu(x), list(UNARY)),
    Op("gelu_tanh", lambda T, x: T.nn.functional.gelu(x, approximate="tanh"), list(UNARY)),
    Op("elu", lambda T, x: T.nn.functional.elu(x, 0.7), list(UNARY)),
    Op("selu", lambda T, x: T.nn.functional.selu(x), list(UNARY)),
    Op("celu", lambda T, x: T.nn.functional.celu(x, 1.5), list(UNARY)),
    Op("leaky_relu", lambda T, x: T.nn.functional.leaky_relu(x, 0.2), list(UNARY)),
    Op("silu", lambda T, x: T.nn.functional.silu(x), list(UNARY)),
    Op("mish", lambda T, x: T.nn.functional.mish(x), list(UNARY)),
    Op("softplus", lambda T, x: T.nn.functional.softplus(x, 2.0, 2.0), list(UNARY)),
    Op("hardtanh", lambda T, x: T.nn.functional.hardtanh(x, -0.5, 0.7), list(UNARY)),
    Op("relu6", lambda T, x: T.nn.functional.relu6(x * 4), list(UNARY)),
    Op("logsigmoid", lambda T, x: T.nn.functional.logsigmoid(x), list(UNARY)),
    Op("prelu", lambda T, x, w: T.nn.functional.prelu(x, w), [[(2, 3, 4), (3,)]]),
    Op(
        "batch_norm_train",
        lambda T, x, w, b: T.nn.functional.batch_norm(x, None, None, w, b, training=True),
        [[(4, 3), (3,), (3,)], [(2, 3, 2, 2), (3,), (3,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "layer_norm",
        lambda T, x, w, b: T.nn.functional.layer_norm(x, (4,), w, b),
        [[(3, 4), (4,), (4,)], [(2, 3, 4), (4,), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "group_norm",
        lambda T, x, w, b: T.nn.functional.group_norm(x, 2, w, b),
        [[(2, 4, 3), (4,), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "embedding",
        lambda T, w, i: T.nn.functional.embedding(i, w),
        [[(5, 3), (2, 4)]],
        special={1: lambda rng, s: rng.integers(0, 5, s)},
    ),
    Op("pad_reflect", lambda T, x: T.nn.functional.pad(x, (2, 1), mode="reflect"), [[(2, 3, 4)]]),
    Op("pad_constant", lambda T, x: T.nn.functional.pad(x, (1, -1, 2, 0), value=0.5), [[(3, 4)]]),
    Op("mse_loss", lambda T, a, b: T.nn.functional.mse_loss(a, b), [[(3, 4), (3, 4)]]),
    Op(
        "l1_loss_sum",
        lambda T, a, b: T.nn.functional.l1_loss(a, b, reduction="sum"),
        [[(3, 4), (3, 4)]],
    ),
    Op("smooth_l1_loss", lambda T, a, b: T.nn.functional.smooth_l1_loss(a, b), [[(3, 4), (3, 4)]]),
    Op(
        "huber_loss",
        lambda T, a, b: T.nn.functional.huber_loss(a, b, delta=0.5),
        [[(3, 4), (3, 4)]],
    ),
    Op(
        "cross_entropy",
        lambda T, x, t: T.nn.functional.cross_entropy(x, t, label_smoothing=0.1),
        [[(4, 5), (4,)], [(2, 5, 3), (2, 3)]],
        special={1: lambda rng, s: rng.integers(0, 5, s)},
    ),
    Op(
        "cross_entropy_probs",
        lambda T, x, p: T.nn.functional.cross_entropy(x, p.softmax(1)),
        [[(4, 5), (4, 5)]],
    ),
    Op(
        "nll_loss",
        lambda T, x, t: T.nn.functional.nll_loss(x, t, reduction="sum"),
        [[(4, 5), (4,)]],
        special={1: lambda rng, s: rng.integers(0, 5, s)},
    ),
    Op(
        "binary_cross_entropy",
        lambda T, x, t: T.nn.functional.binary_cross_entropy(x, t),
        [[(3, 4), (3, 4)]],
        domain=(0.05, 0.95),
    ),
    Op(
        "bce_with_logits",
        lambda T, x, t: T.nn.functional.binary_cross_entropy_with_logits(x, t.sigmoid()),
        [[(3, 4), (3, 4)]],
    ),
    Op(
        "kl_div_batchmean",
        lambda T, x, t: T.nn.functional.kl_div(x, t.softmax(1), reduction="batchmean"),
        [[(3, 4), (3, 4)]],
    ),
    # -- in-place on non-leaves: version counters, saved inputs, views
    Op(
        "inplace_binary_chain",
        _inplace_chain,
        [[(3, 4), (3, 4)], [(3, 4), (4,)]],
        domain=(0.5, 1.5),
    ),
    Op("inplace_unary_chain", _inplace_unary_chain, list(UNARY[:2])),
    Op("inplace_on_views", _view_inplace, [[(3, 4), (3, 4)]]),
    Op("inplace_after_consumers", _inplace_after_consumers, [[(3, 4), (3, 4)], [(3, 4), (4,)]]),
    Op("fill_zero_nonleaf", _fill_nonleaf, [[(3, 4)]]),
    Op("copy_nonleaf", _copy_nonleaf, [[(3, 4), (3, 2)], [(3, 4), (2,)]]),
]
