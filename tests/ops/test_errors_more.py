"""Bad input to the ops of order_stats, statistics (nan*, cov), pointwise_more, index_update,
rearrange and fold raises PyTorch's exception class with PyTorch's message facts; ``exact``
cases match PyTorch's first line word for word (the protocol of tests/error_cases.py)."""

from __future__ import annotations

from error_cases import Case, error_tests


def _F(T):
    return T.nn.functional


def _long(T, *v):
    return T.tensor(list(v))


CASES = [
    # -- order statistics
    Case("kthvalue_k", lambda T: T.kthvalue(T.ones(3), 5), RuntimeError, ("out of range",)),
    Case("median_empty_dim", lambda T: T.median(T.ones(2, 0), 1), IndexError, ("dim 1",)),
    Case("mode_empty_dim", lambda T: T.mode(T.ones(2, 0), 1), IndexError, ("non-zero size",)),
    Case("quantile_q", lambda T: T.quantile(T.ones(3), 1.5), RuntimeError, ("but got 1.5",)),
    Case(
        "quantile_q_tensor",
        lambda T: T.quantile(T.ones(3), T.tensor([0.5, 1.5])),
        RuntimeError,
        ("[0, 1]",),
    ),
    Case(
        "quantile_q_2d",
        lambda T: T.quantile(T.ones(3), T.tensor([[0.5]])),
        RuntimeError,
        ("scalar or 1D",),
    ),
    Case(
        "quantile_mode",
        lambda T: T.quantile(T.ones(3), 0.5, interpolation="foo"),
        RuntimeError,
        ("but got foo",),
    ),
    Case("quantile_empty", lambda T: T.quantile(T.ones(0), 0.5), RuntimeError, ("non-empty",)),
    Case(
        "quantile_int", lambda T: T.quantile(T.arange(3), 0.5), RuntimeError, ("float or double",)
    ),
    Case(
        "quantile_q_dtype",
        lambda T: T.quantile(T.ones(3), T.tensor(0.5).double()),
        RuntimeError,
        ("same dtype",),
    ),
    # -- nan reductions, cov
    Case("nanmean_int", lambda T: T.nanmean(T.arange(3)), RuntimeError, ("got Long",)),
    Case("cov_3d", lambda T: T.cov(T.ones(2, 2, 2)), RuntimeError, ("3 dimensions",)),
    Case(
        "cov_fweights_float",
        lambda T: T.cov(T.ones(2, 3), fweights=T.ones(3)),
        RuntimeError,
        ("integral dtype",),
    ),
    Case(
        "cov_fweights_numel",
        lambda T: T.cov(T.ones(2, 3), fweights=_long(T, 1, 1)),
        RuntimeError,
        ("2 != 3",),
    ),
    Case(
        "cov_aweights_negative",
        lambda T: T.cov(T.ones(2, 3), aweights=-T.ones(3)),
        RuntimeError,
        ("cannot be negative",),
    ),
    Case("corrcoef_3d", lambda T: T.corrcoef(T.ones(2, 2, 2)), RuntimeError, ("3 dimensions",)),
    # -- pointwise
    Case("logaddexp_int", lambda T: T.logaddexp(T.arange(3), T.arange(3)), NotImplementedError),
    Case("hypot_int", lambda T: T.hypot(T.arange(3), T.arange(3)), NotImplementedError),
    Case("frac_int", lambda T: T.frac(T.arange(3)), NotImplementedError, ("'Long'",)),
    Case(
        "heaviside_dtypes",
        lambda T: T.heaviside(T.ones(3), T.tensor(1)),
        RuntimeError,
        ("different dtypes",),
    ),
    # -- index writes
    Case(
        "index_add_dtype",
        lambda T: T.ones(3, 2).index_add(0, _long(T, 0), T.ones(1, 2).double()),
        RuntimeError,
        ("same scalar type",),
    ),
    Case(
        "index_add_index_dtype",
        lambda T: T.ones(3, 2).index_add(0, T.tensor([0.0]), T.ones(1, 2)),
        RuntimeError,
        ("int32/int64",),
    ),
    Case(
        "index_add_count",
        lambda T: T.ones(3, 2).index_add(0, _long(T, 0, 1), T.ones(3, 2)),
        RuntimeError,
        ("Number of indices (2)",),
    ),
    Case(
        "index_add_bounds",
        lambda T: T.ones(3, 2).index_add(0, _long(T, 0, 5), T.ones(2, 2)),
        RuntimeError,
        ("index 5 is out of bounds",),
        exact=False,
    ),
    Case(
        "index_add_2d_index",
        lambda T: T.ones(3, 2).index_add(0, T.tensor([[0, 1]]), T.ones(2, 2)),
        IndexError,
        ("supposed to be a vector",),
    ),
    Case(
        "index_copy_dtype",
        lambda T: T.ones(3, 2).index_copy(0, _long(T, 0), T.ones(1, 2).double()),
        RuntimeError,
        ("same dtype",),
    ),
    Case(
        "index_copy_count",
        lambda T: T.ones(3, 2).index_copy(0, _long(T, 0, 1), T.ones(3, 2)),
        IndexError,
        ("Number of indices (2)",),
    ),
    Case(
        "index_copy_bounds",
        lambda T: T.ones(3, 2).index_copy(0, _long(T, 0, 5), T.ones(2, 2)),
        IndexError,
        ("index 5 is out of bounds",),
    ),
    Case(
        "index_fill_bounds",
        lambda T: T.ones(3, 2).index_fill(0, _long(T, 5), 2),
        IndexError,
        ("index 5 is out of bounds",),
    ),
    Case(
        "index_fill_index_dtype",
        lambda T: T.ones(3, 2).index_fill(0, T.tensor([0.0]), 2),
        IndexError,
        ("int64 for index",),
    ),
    Case(
        "index_fill_value",
        lambda T: T.ones(3, 2).index_fill(0, _long(T, 0), T.ones(2)),
        RuntimeError,
        ("0-dimensional value tensor",),
    ),
    Case(
        "masked_scatter_short",
        lambda T: T.ones(3, 2).masked_scatter(T.ones(3, 2).bool(), T.ones(5)),
        RuntimeError,
        ("Number of elements of source",),
    ),
    Case(
        "masked_scatter_float_mask",
        lambda T: T.ones(3, 2).masked_scatter(T.ones(3, 2), T.ones(6)),
        RuntimeError,
        ("boolean masks",),
    ),
    Case(
        "masked_scatter_shape",
        lambda T: T.ones(3, 2).masked_scatter(T.ones(3).bool(), T.ones(6)),
        RuntimeError,
        ("size of tensor a (3)",),
    ),
    # -- rearranging
    Case("rot90_dims", lambda T: T.rot90(T.ones(2, 3), 1, [0, 1, 2]), RuntimeError, ("= 3",)),
    Case("rot90_1d", lambda T: T.rot90(T.ones(3)), RuntimeError, ("total dims = 1",)),
    Case("rot90_same", lambda T: T.rot90(T.ones(2, 3), 1, [0, 0]), RuntimeError, ("dim0 = 0",)),
    Case("block_diag_3d", lambda T: T.block_diag(T.ones(2, 2, 2)), RuntimeError, ("Input 0",)),
    Case(
        "repeat_interleave_size",
        lambda T: T.repeat_interleave(T.ones(3), _long(T, 1, 2)),
        RuntimeError,
        ("repeats.size(0) = 2",),
    ),
    Case(
        "repeat_interleave_negative",
        lambda T: T.repeat_interleave(T.ones(3), -1),
        RuntimeError,
        ("non-negative",),
    ),
    Case(
        "pixel_shuffle_channels",
        lambda T: _F(T).pixel_shuffle(T.ones(1, 3, 2, 2), 2),
        RuntimeError,
        ("input.size(-3)=3",),
    ),
    Case("pixel_shuffle_2d", lambda T: _F(T).pixel_shuffle(T.ones(3, 2), 2), RuntimeError),
    Case(
        "pixel_unshuffle_height",
        lambda T: _F(T).pixel_unshuffle(T.ones(1, 1, 3, 4), 2),
        RuntimeError,
        ("input.size(-2)=3",),
    ),
    # -- unfold / fold
    Case(
        "unfold_too_small",
        lambda T: _F(T).unfold(T.ones(1, 2, 3, 3), 4),
        RuntimeError,
        ("calculated shape of the array of sliding blocks as (0, 0)",),
    ),
    Case(
        "fold_channels",
        lambda T: _F(T).fold(T.ones(1, 7, 4), (3, 3), 2),
        RuntimeError,
        ("input.size(1)=7",),
    ),
    Case(
        "fold_blocks",
        lambda T: _F(T).fold(T.ones(1, 8, 5), (3, 3), 2),
        RuntimeError,
        ("2 * 2 = 4",),
    ),
]

test_ember_raises, test_torch_agrees = error_tests(CASES)
