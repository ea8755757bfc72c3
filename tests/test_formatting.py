"""repr/str of tensors against PyTorch: the same tensor built in both libraries prints the same
text, across number formats, summarization, dtypes, autograd suffixes and print options."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember


def _both(fn):
    return fn(ember), fn(torch)


REPR_CASES = {
    "floats": lambda T: T.tensor([1.0, 2.0, 3.0]),
    "fractions": lambda T: T.tensor([1.5, 2.25, -3.125]),
    "ints": lambda T: T.tensor([1, -20, 300]),
    "bools": lambda T: T.tensor([True, False]),
    "all_true": lambda T: T.tensor([True, True]),
    "0d_float": lambda T: T.tensor(3.5),
    "0d_whole": lambda T: T.tensor(3.0),
    "0d_int": lambda T: T.tensor(3),
    "0d_bool": lambda T: T.tensor(False),
    "0d_big": lambda T: T.tensor(123456789.0),
    "0d_small": lambda T: T.tensor(1e-5),
    "0d_nan": lambda T: T.tensor(float("nan")),
    "0d_negative": lambda T: T.tensor(-0.5),
    "empty": lambda T: T.tensor([]),
    "empty_int": lambda T: T.tensor([], dtype=T.int64),
    "empty_bool": lambda T: T.zeros(0, dtype=T.bool),
    "empty_2d": lambda T: T.zeros(2, 0),
    "empty_3d": lambda T: T.zeros(0, 2, 3),
    "empty_float64": lambda T: T.zeros(0, dtype=T.float64),
    "empty_int32_2d": lambda T: T.zeros(2, 0, dtype=T.int32),
    "empty_requires_grad": lambda T: T.zeros(2, 0, requires_grad=True),
    "sci_small": lambda T: T.tensor([1e-5, 1.0, 1000.0]),
    "sci_big": lambda T: T.tensor([1e10, 1.0]),
    "fixed_1e-4": lambda T: T.tensor([0.0001, 0.5]),
    "sci_below_1e-4": lambda T: T.tensor([0.00001, 0.5]),
    "ratio_1000": lambda T: T.tensor([1.0, 1000.0]),
    "ratio_over_1000": lambda T: T.tensor([1.0, 1001.0]),
    "ratio_1000_frac": lambda T: T.tensor([1.5, 1000.0]),
    "whole_1e8": lambda T: T.tensor([1e8, 1.0]),
    "whole_1e7": lambda T: T.tensor([1e7, 1.0]),
    "whole_same_1e8": lambda T: T.tensor([100000000.0, 100000000.0]),
    "whole_mixed": lambda T: T.tensor([123456.0, 7.0]),
    "large_frac": lambda T: T.tensor([12345.678, 1.5]),
    "mixed_frac": lambda T: T.tensor([123.456, 0.001]),
    "nan_inf_whole": lambda T: T.tensor([float("nan"), float("inf"), -float("inf"), 1.0]),
    "nan_frac": lambda T: T.tensor([float("nan"), 1.5]),
    "all_nan": lambda T: T.tensor([float("nan"), float("nan")]),
    "inf_whole": lambda T: T.tensor([float("inf"), 1.0]),
    "neg_inf_frac": lambda T: T.tensor([-float("inf"), 1.5]),
    "nan_sci": lambda T: T.tensor([float("nan"), 1e-5]),
    "zeros": lambda T: T.zeros(3),
    "zero_and_small": lambda T: T.tensor([0.0, 1e-5]),
    "negative_zero": lambda T: T.tensor([-0.0, 1.0]),
    "negative": lambda T: T.tensor([-1.0, 2.0]),
    "2d": lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "2d_int": lambda T: T.tensor([[1, 22], [333, 4]]),
    "3d": lambda T: T.arange(24.0).reshape(2, 3, 4),
    "4d_int": lambda T: T.arange(16).reshape(2, 2, 2, 2),
    "float64": lambda T: T.tensor([1.0, 2.0], dtype=T.float64),
    "float64_0d": lambda T: T.tensor(1.5, dtype=T.float64),
    "float16": lambda T: T.tensor([1.0, 2.5], dtype=T.float16),
    "float16_frac": lambda T: T.tensor([0.1, 0.2], dtype=T.float16),
    "int32": lambda T: T.tensor([1, 2], dtype=T.int32),
    "uint8": lambda T: T.tensor([1, 2], dtype=T.uint8),
    "int8": lambda T: T.tensor([1, 2], dtype=T.int8),
    "int16_0d": lambda T: T.tensor(1, dtype=T.int16),
    "requires_grad": lambda T: T.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad_float64": lambda T: T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True),
    "requires_grad_0d": lambda T: T.tensor(2.0, requires_grad=True),
    "grad_fn_mul": lambda T: T.tensor([1.0, 2.0], requires_grad=True) * 2,
    "grad_fn_sum": lambda T: T.tensor([1.0, 2.0], requires_grad=True).sum(),
    "grad_fn_mean": lambda T: T.tensor([1.0, 2.0], requires_grad=True).mean(),
    "grad_fn_mm": lambda T: T.ones(2, 2, requires_grad=True) @ T.ones(2, 2),
    "grad_fn_float64": lambda T: T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True) * 2,
    "grad_fn_0d": lambda T: T.tensor(2.0, requires_grad=True) * 3,
    "grad_fn_wraps": lambda T: T.arange(14.0).requires_grad_() * 1,
    "grad_fn_wraps_dtype": lambda T: T.arange(12.0).double().requires_grad_() * 1,
    "grad_fn_fits": lambda T: T.arange(20.0).requires_grad_() * 1,
    "long_row": lambda T: T.arange(30.0),
    "long_row_int": lambda T: T.arange(50),
    "long_row_frac": lambda T: T.arange(30.0) / 7,
    "summarized": lambda T: T.arange(2000.0),
    "summarized_int": lambda T: T.arange(2000),
    "summarized_2d": lambda T: T.arange(2000.0).reshape(40, 50),
    "summarized_3d_int": lambda T: T.arange(2400).reshape(10, 12, 20),
    "summarized_narrow_rows": lambda T: T.arange(2000.0).reshape(1000, 2),
    "summarized_frac": lambda T: T.arange(2000.0).reshape(40, 50) / 3,
    "summarized_zeros_3d": lambda T: T.zeros(10, 10, 11),
    "summarized_int_2d": lambda T: T.arange(3000).reshape(3, 1000),
    "wide_2d": lambda T: T.arange(60.0).reshape(2, 30) / 7,
    "wide_2d_int": lambda T: T.arange(100).reshape(2, 50),
    "mixed_magnitudes": lambda T: T.tensor([[1e-3, 12.5], [3.0, 400.0]]),
    "tiny": lambda T: T.tensor([1e-10, 2e-10]),
    "huge": lambda T: T.tensor([1e20, 2e20]),
    "bool_2d": lambda T: T.tensor([[True, False], [False, True]]),
    "column": lambda T: T.tensor([[1.0], [2.0]]),
    "1x1_int": lambda T: T.tensor([[5]]),
    "negative_ints": lambda T: T.tensor([-1, -2]),
    "big_ints": lambda T: T.tensor([2**40, -5]),
    "randn": lambda T: T.from_numpy(
        np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    ),
    "randn_summarized": lambda T: T.from_numpy(
        np.random.default_rng(0).standard_normal((50, 50)).astype(np.float32)
    ),
    "randn_small": lambda T: T.from_numpy(
        np.random.default_rng(1).standard_normal(4).astype(np.float32) * 1e-3
    ),
    "randn_float64": lambda T: T.from_numpy(np.random.default_rng(0).standard_normal((3, 4))),
    "whole_and_large": lambda T: T.tensor([1.0, 12345678.0]),
    "large_half": lambda T: T.tensor([100000.5, 1.0]),
    "near_1000": lambda T: T.tensor([999.5, 0.5]),
    "over_1000": lambda T: T.tensor([1000.5, 0.5]),
    "sci_negative": lambda T: T.tensor([-1e-5, 1.0]),
}


@requires_torch
@pytest.mark.parametrize("name", list(REPR_CASES))
def test_repr_matches_torch(name):
    e, t = _both(REPR_CASES[name])
    assert repr(e) == repr(t)
    assert str(e) == str(t)


@requires_torch
def test_parameter_repr_matches_torch():
    from ember import nn

    for make in (
        lambda T: T.ones(2),
        lambda T: T.ones(2, dtype=T.float64),
        lambda T: T.arange(6.0).reshape(2, 3) / 7,
    ):
        assert repr(nn.Parameter(make(ember))) == repr(torch.nn.Parameter(make(torch)))
    assert repr(nn.Parameter(ember.ones(2), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.ones(2), requires_grad=False)
    )


@pytest.fixture
def printoptions():
    yield
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@requires_torch
@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"profile": "short"},
        {"sci_mode": True},
        {"sci_mode": False},
        {"threshold": 5, "edgeitems": 1},
        {"linewidth": 40},
        {"profile": "full"},
    ],
)
def test_printoptions_match_torch(options, printoptions):
    ember.set_printoptions(**options)
    torch.set_printoptions(**options)
    for make in (
        lambda T: T.tensor([1.2345, 2.0]),
        lambda T: T.tensor([1.0, 2.0]),
        lambda T: T.tensor([1e-8, 2.5]),
        lambda T: T.tensor([1e10, 1.0]),
        lambda T: T.tensor([float("nan"), 1.0]),
        lambda T: T.arange(10.0) * 1.5,
        lambda T: T.arange(2000),
        lambda T: T.arange(40.0).reshape(4, 10),
    ):
        e, t = _both(make)
        assert repr(e) == repr(t)


def test_repr_of_large_tensor_is_summarized():
    text = repr(ember.zeros(1000, 1000))
    assert "..." in text and len(text.splitlines()) == 7
