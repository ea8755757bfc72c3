"""Op-table rows of order statistics, NaN-ignoring reductions, covariance, the pointwise math
of ops/pointwise_more.py, writes along an index, rearranging, unfold/fold, pixel shuffles and
``torch.special``.

Kept apart from op_table_extra.py for size; op_table.py appends MORE_ROWS to OPS.
"""

from __future__ import annotations

import numpy as np
from op_table import BINARY, UNARY, Op


def _with_nan(rng, shape):
    """Random values with one NaN in each row but the last (which stays NaN-free)."""
    a = rng.uniform(-2, 2, size=shape)
    rows = a.reshape(-1, shape[-1])
    for row in rows[:-1]:
        row[rng.integers(shape[-1])] = np.nan
    return a


def _ties(rng, shape):
    return rng.integers(0, 3, size=shape).astype(np.float64)


def _ints(lo, hi):
    return lambda rng, shape: rng.integers(lo, hi, size=shape).astype("int64")


def _zeros_in(rng, shape):
    a = rng.uniform(0.5, 2.0, size=shape)
    a.reshape(-1)[::3] = 0.0
    return a


def _quantile(q, **kw):
    def fn(T, a):
        qs = T.tensor(q, dtype=a.dtype) if isinstance(q, list) else q
        return T.quantile(a, qs, **kw)

    return fn


def _idx(T, values):
    return T.tensor(values)


def _mask(T):
    return T.tensor([[True, False, True, True], [False, False, True, False], [True] * 4])


def _index_add_inplace(T, a, s):
    y = a * 1.0
    y.index_add_(0, T.tensor([2, 0]), s, alpha=-1.5)
    return y


def _masked_scatter_inplace(T, a, s):
    y = a * 2.0
    y.masked_scatter_(_mask(T), s)
    return y


MORE_ROWS = [
    # -- order statistics
    Op("median_all", lambda T, a: T.median(a), [[(3, 4)], [(5,)], [()]]),
    Op("median_all_ties", lambda T, a: a.median(), [[(3, 4)]], special={0: _ties}, gradcheck=False),
    Op("median_dim", lambda T, a: T.median(a, 1).values, [[(3, 4)], [(2, 3, 5)]]),
    Op("median_dim_keep", lambda T, a: a.median(0, keepdim=True)[0], [[(4, 3)]]),
    Op("median_indices", lambda T, a: T.median(a, -1).indices, [[(3, 4)], [(2, 5)]], grad=False),
    Op(
        "median_nan",
        lambda T, a: T.median(a, 1).values,
        [[(3, 4)]],
        special={0: _with_nan},
        gradcheck=False,  # NaN outputs
    ),
    Op(
        "median_nan_idx",
        lambda T, a: a.median(1)[1],
        [[(3, 4)]],
        grad=False,
        special={0: _with_nan},
    ),
    Op("nanmedian", lambda T, a: T.nanmedian(a, 1).values, [[(3, 4)]], special={0: _with_nan}),
    Op("nanmedian_all", lambda T, a: a.nanmedian(), [[(3, 4)]], special={0: _with_nan}),
    Op(
        "nanmedian_idx",
        lambda T, a: a.nanmedian(1)[1],
        [[(3, 5)]],
        grad=False,
        special={0: _with_nan},
    ),
    Op("kthvalue", lambda T, a: T.kthvalue(a, 2, 1).values, [[(3, 4)], [(2, 3, 4)]]),
    Op("kthvalue_keep", lambda T, a: a.kthvalue(3, 0, True)[0], [[(4, 3)]]),
    Op("kthvalue_indices", lambda T, a: T.kthvalue(a, 4).indices, [[(3, 5)]], grad=False),
    Op("mode", lambda T, a: T.mode(a, 1).values, [[(3, 4)], [(2, 3, 5)]]),
    Op("mode_ties", lambda T, a: a.mode(0)[0], [[(6, 3)]], special={0: _ties}, gradcheck=False),
    Op("mode_indices", lambda T, a: T.mode(a).indices, [[(4, 7)]], grad=False, special={0: _ties}),
    Op("aminmax", lambda T, a: T.aminmax(a).min * 2 + a.aminmax().max, list(UNARY)),
    Op("aminmax_dim", lambda T, a: T.aminmax(a, dim=1, keepdim=True)[1], [[(3, 4)]]),
    Op("quantile", _quantile(0.3, dim=1), [[(3, 5)], [(2, 3, 4)]]),
    Op("quantile_all", _quantile(0.75), [[(3, 4)], [()]]),
    Op("quantile_tensor_q", _quantile([0.1, 0.5, 0.9], dim=0, keepdim=True), [[(5, 3)]]),
    Op("quantile_all_keep", _quantile([0.2, 0.6], keepdim=True), [[(3, 4)]]),
    Op("quantile_lower", _quantile(0.4, dim=1, interpolation="lower"), [[(3, 6)]]),
    Op("quantile_higher", _quantile(0.4, dim=1, interpolation="higher"), [[(3, 6)]]),
    Op("quantile_midpoint", _quantile(0.4, dim=1, interpolation="midpoint"), [[(3, 6)]]),
    Op("quantile_nearest", _quantile([0.3, 0.5], dim=1, interpolation="nearest"), [[(3, 6)]]),
    Op(
        "quantile_nan",
        _quantile(0.5, dim=1),
        [[(3, 4)]],
        special={0: _with_nan},
        gradcheck=False,  # NaN outputs
    ),
    Op(
        "nanquantile",
        lambda T, a: T.nanquantile(a, 0.3, 1) + a.nanquantile(0.8, 1),
        [[(3, 5)]],
        special={0: _with_nan},
    ),
    # -- NaN-ignoring reductions, covariance
    Op("nansum", lambda T, a: T.nansum(a), [[(3, 4)]], special={0: _with_nan}),
    Op("nansum_dim", lambda T, a: a.nansum(1, keepdim=True), [[(3, 4)]], special={0: _with_nan}),
    Op(
        "nansum_int", lambda T, a: T.nansum(a, 0), [[(3, 4)]], grad=False, special={0: _ints(-5, 5)}
    ),
    Op("nanmean", lambda T, a: T.nanmean(a), [[(3, 4)]], special={0: _with_nan}),
    Op("nanmean_dim", lambda T, a: a.nanmean((0, 1)), [[(2, 3, 4)]], special={0: _with_nan}),
    Op("cov", lambda T, a: T.cov(a), [[(3, 5)], [(6,)]]),
    Op("cov_correction0", lambda T, a: a.cov(correction=0), [[(2, 4)]]),
    Op(
        "cov_weights",
        lambda T, a, f, w: T.cov(a, fweights=f, aweights=w.abs() + 0.5),
        [[(3, 5), (5,), (5,)]],
        special={1: _ints(1, 4)},
    ),
    Op("corrcoef", lambda T, a: T.corrcoef(a), [[(3, 5)]]),
    Op("corrcoef_1d", lambda T, a: a.corrcoef(), [[(5,)]]),
    # -- pointwise math
    Op("logaddexp", lambda T, a, b: T.logaddexp(a * 3, b), list(BINARY)),
    Op("logaddexp2", lambda T, a, b: a.logaddexp2(b * 3), list(BINARY)),
    Op("hypot", lambda T, a, b: T.hypot(a, b), list(BINARY)),
    Op("xlogy", lambda T, a, b: T.xlogy(a, b), list(BINARY), domain=(0.5, 2.0)),
    Op("xlogy_scalar", lambda T, a: T.xlogy(2, a) + a.xlogy(3.0), list(UNARY), domain=(0.5, 2.0)),
    Op(
        "xlogy_zeros",
        lambda T, a, b: T.xlogy(a, b),
        [[(3, 4), (3, 4)]],
        special={0: _zeros_in},
        domain=(0.5, 2.0),
        gradcheck=False,
    ),
    Op("special_xlogy", lambda T, a, b: T.special.xlogy(a, b), [[(3, 4), (4,)]], domain=(0.5, 2)),
    Op("exp2", lambda T, a: T.exp2(a), list(UNARY)),
    Op("exp2_int", lambda T, a: a.exp2(), [[(4,)]], grad=False, special={0: _ints(-3, 4)}),
    Op("frac", lambda T, a: T.frac(a * 2), list(UNARY)),
    # Away from 0: there PyTorch's float32 gradient cancels ((cos - sinc) / x, off by 3x at
    # 1e-4), and ember's series is the accurate one; sinc_zero checks 0 itself.
    Op("sinc", lambda T, a: T.sinc(a), list(UNARY), domain=(0.2, 2.0)),
    Op("sinc_neg", lambda T, a: T.sinc(-a), list(UNARY), domain=(0.2, 2.0)),
    Op("sinc_zero", lambda T, a: a.sinc(), [[(3, 4)]], special={0: _zeros_in}),
    Op("deg2rad", lambda T, a: T.deg2rad(a * 90), list(UNARY)),
    Op("rad2deg", lambda T, a: a.rad2deg(), list(UNARY)),
    Op(
        "heaviside",
        lambda T, a, b: T.heaviside(a, b),
        [[(3, 4), (4,)]],
        grad=False,
        special={0: _ties},
        dtype="float64",
    ),
    Op("clamp_min_gt_max", lambda T, a: T.clamp(a, 0.5, -0.5), list(UNARY)),
    Op("inplace_pointwise_more", lambda T, a: (a * 1.0).frac_().deg2rad_().hypot_(a), [[(3, 4)]]),
    # -- torch.special
    Op("special_expit", lambda T, a: T.special.expit(a), list(UNARY)),
    Op("special_logit", lambda T, a: T.special.logit(a), list(UNARY), domain=(0.05, 0.95)),
    Op("special_logit_eps", lambda T, a: T.special.logit(a, 0.25), list(UNARY), domain=(0, 1)),
    Op("special_ndtr", lambda T, a: T.special.ndtr(a), list(UNARY)),
    Op("special_log_softmax", lambda T, a: T.special.log_softmax(a, 1), [[(3, 4)]]),
    Op("special_erfinv", lambda T, a: T.special.erfinv(a), list(UNARY), domain=(-0.9, 0.9)),
    # -- writes along an index
    Op(
        "index_add",
        lambda T, a, s: T.index_add(a, 1, _idx(T, [2, 0, 2]), s, alpha=2),
        [[(3, 4), (3, 3)]],
    ),
    Op("index_add_inplace", _index_add_inplace, [[(3, 4), (2, 4)]]),
    Op("index_copy", lambda T, a, s: a.index_copy(0, _idx(T, [2, 0]), s), [[(3, 4), (2, 4)]]),
    Op(
        "index_copy_inplace",
        lambda T, a, s: (a * 1.0).index_copy_(1, _idx(T, [3]), s),
        [[(3, 4), (3, 1)]],
    ),
    Op("index_fill", lambda T, a: T.index_fill(a, 1, _idx(T, [0, 3]), -1.5), [[(3, 4)]]),
    Op(
        "index_fill_tensor_value",
        lambda T, a, v: (a * 1.0).index_fill_(0, _idx(T, [1]), v),
        [[(3, 4), ()]],
    ),
    Op("masked_scatter", lambda T, a, s: a.masked_scatter(_mask(T), s), [[(3, 4), (3, 4)]]),
    Op("masked_scatter_bcast", lambda T, a, s: T.masked_scatter(a, a > 0, s), [[(3, 4), (14,)]]),
    Op("masked_scatter_inplace", _masked_scatter_inplace, [[(3, 4), (8,)]]),
    # -- rearranging
    Op("rot90", lambda T, a: T.rot90(a), [[(3, 4)], [(2, 3, 4)]]),
    Op("rot90_k2", lambda T, a: a.rot90(2, (1, 2)), [[(2, 3, 4)]]),
    Op("rot90_k3_neg", lambda T, a: T.rot90(a, -1, (-1, 0)), [[(2, 3, 4)]]),
    Op("block_diag", lambda T, a, b, c: T.block_diag(a, b, c), [[(2, 3), (4,), ()]]),
    Op("repeat_interleave", lambda T, a: T.repeat_interleave(a, 2), [[(3, 4)]]),
    Op(
        "repeat_interleave_tensor",
        lambda T, a: a.repeat_interleave(_idx(T, [1, 0, 3]), dim=0),
        [[(3, 4)]],
    ),
    Op(
        "repeat_interleave_index",
        lambda T, a: T.repeat_interleave(a.long().abs()),
        [[(5,)]],
        grad=False,
        special={0: _ints(0, 4)},
    ),
    # -- unfold / fold, pixel shuffles, distance modules
    Op("unfold", lambda T, x: T.nn.functional.unfold(x, 2), [[(2, 3, 4, 5)], [(3, 4, 4)]]),
    Op(
        "unfold_options",
        lambda T, x: T.nn.Unfold((2, 3), dilation=(2, 1), padding=1, stride=2)(x),
        [[(1, 2, 5, 6)]],
    ),
    Op("fold", lambda T, x: T.nn.functional.fold(x, (4, 5), 2), [[(2, 12, 12)], [(8, 12)]]),
    Op(
        "fold_options",
        lambda T, x: T.nn.Fold((5, 6), (2, 3), dilation=(2, 1), padding=1, stride=2)(x),
        [[(1, 12, 9)]],
    ),
    Op("pixel_shuffle", lambda T, x: T.nn.functional.pixel_shuffle(x, 2), [[(2, 8, 2, 3)]]),
    Op("pixel_shuffle_module", lambda T, x: T.nn.PixelShuffle(3)(x), [[(9, 2, 2)]]),
    Op("pixel_unshuffle", lambda T, x: T.nn.functional.pixel_unshuffle(x, 2), [[(1, 2, 4, 6)]]),
    Op("pixel_unshuffle_module", lambda T, x: T.nn.PixelUnshuffle(2)(x), [[(2, 1, 2, 4, 2)]]),
    Op(
        "pairwise_distance_module", lambda T, a, b: T.nn.PairwiseDistance(1.5)(a, b), [[(3, 4)] * 2]
    ),
    Op(
        "cosine_similarity_module",
        lambda T, a, b: T.nn.CosineSimilarity(dim=0)(a, b),
        [[(3, 4), (3, 1)]],
    ),
]
