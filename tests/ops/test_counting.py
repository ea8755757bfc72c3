"""Counting and searching (ember/ops/counting.py) against torch: values and dtypes over the
options the op table does not sweep."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, torch

import ember

RNG = np.random.default_rng(0)
NORMAL = RNG.standard_normal(1000).astype(np.float32)

CASES = {
    "histc_auto": (lambda T, a: T.histc(a, bins=7), [NORMAL]),
    "histc_range": (lambda T, a: T.histc(a, bins=10, min=-1, max=1), [NORMAL]),
    "histc_edges": (lambda T, a: T.histc(a, 3, 0, 3), [np.array([0, 1, 2, 3, 3.0000001, -0.0])]),
    "histc_linspace32": (lambda T, a: T.histc(a, 5, 0, 1), [np.linspace(0, 1, 101).astype("f4")]),
    "histc_linspace64": (lambda T, a: T.histc(a, 5, 0, 1), [np.linspace(0, 1, 101)]),
    "histc_constant": (lambda T, a: T.histc(a, bins=4), [np.array([2.0, 2.0], np.float32)]),
    "histc_empty": (lambda T, a: T.histc(a, bins=3), [np.zeros(0, np.float32)]),
    "bincount": (lambda T, a: T.bincount(a), [np.array([0, 2, 2, 5])]),
    "bincount_empty": (lambda T, a: T.bincount(a), [np.zeros(0, np.int64)]),
    "bincount_int32": (lambda T, a: T.bincount(a), [np.array([1, 2], np.int32)]),
    "bincount_int_weights": (
        lambda T, a, w: T.bincount(a, w),
        [np.array([0, 2, 2, 5]), np.array([1, 2, 3, 4])],
    ),
    "bincount_f32_weights": (
        lambda T, a, w: T.bincount(a, w, minlength=8),
        [np.array([0, 2, 2, 5]), np.array([1, 2, 3, 4], np.float32)],
    ),
    "isin_scalar_test": (lambda T, a: T.isin(a, 2.0), [np.array([[1, 2], [3, 4]])]),
    "isin_scalar_elem": (lambda T, a: T.isin(2, a), [np.array([2, 3])]),
    "isin_invert": (lambda T, a: T.isin(a, a[:1], invert=True), [np.array([1.0, 2.5, 1.0])]),
    "count_nonzero_dims": (lambda T, a: T.count_nonzero(a, (0, 1)), [np.array([[0, 1.0], [0, 3]])]),
    "count_nonzero_nan": (lambda T, a: a.count_nonzero(), [np.array([np.nan, 0.0])]),
    "argwhere_0d": (lambda T, a: T.argwhere(a), [np.array(3)]),
    "nonzero_0d_tuple": (lambda T, a: T.nonzero(a, as_tuple=True), [np.array(0)]),
    "searchsorted_rows": (
        lambda T, s, v: T.searchsorted(s, v),
        [np.array([[1, 3, 5], [2, 4, 6]]), np.array([[3, 6, 9], [3, 6, 9]])],
    ),
    "searchsorted_right_int32": (
        lambda T, s, v: T.searchsorted(s, v, side="right", out_int32=True),
        [np.array([1, 3, 5, 7, 9]), np.array([[3, 6], [9, 0]])],
    ),
    "searchsorted_number": (lambda T, s: T.searchsorted(s, 3.5), [np.array([1, 3, 5, 7, 9])]),
    "searchsorted_sorter": (
        lambda T, s, v, o: T.searchsorted(s, v, sorter=o),
        [np.array([5, 1, 3]), np.array([2, 4]), np.array([1, 2, 0])],
    ),
    "bucketize": (
        lambda T, v, b: T.bucketize(v, b),
        [np.array([[3, 6, 9], [3, 6, 9]]), np.array([1, 3, 5, 7, 9])],
    ),
    "bucketize_number": (lambda T, b: T.bucketize(3, b), [np.array([1, 3, 5, 7, 9])]),
}


@requires_torch
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    fn, arrays = CASES[name]
    got = fn(ember, *[ember.from_numpy(np.array(a)) for a in arrays])
    want = fn(torch, *[torch.from_numpy(np.array(a)) for a in arrays])
    assert_close(got, want)
