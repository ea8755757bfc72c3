"""Op-table rows of the core tensor ops beyond elementwise math: reductions, statistics,
softmax, movement, sorting, einsum, indexing, setitem and in-place ops on non-leaves.

Kept apart from op_table.py for size; op_table.py appends CORE_ROWS to OPS.
"""

from __future__ import annotations

import numpy as np
from op_table import UNARY, Op

# -- helpers for rows that need statements (in-place writes) ---------------------------------


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
    w = y * 2.0 + 1.0  # saves nothing of y (only the scalar): y may change afterwards
    y.mul_(b)
    v = y[0]
    y[1:].add_(v)
    return z * w + y


def _masked_setitem(T, a, b):
    y = a * 1.0
    y[a > 0] = b.sum()
    return y


CORE_ROWS = [
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
    Op("sum_empty_dim_list", lambda T, a: a.sum(()) + T.mean(a, []), [[(3, 4)]]),
    Op("reduce_0d_with_dim", lambda T, a: a.sum(0) + a.mean(-1) + a.amax(0) + a.prod(0), [[()]]),
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
    Op("trace", lambda T, a: T.trace(a), [[(4, 4)], [(3, 5)], [(5, 2)]]),
    Op("trace_method", lambda T, a: a.trace(), [[(0, 3)]]),
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
