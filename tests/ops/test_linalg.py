"""ember.ops.linalg beyond the op table: trace's dtypes, shapes and errors against torch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, to_ember, torch

import ember


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "uint8"])
@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (4, 1), (0, 3)])
def test_trace_values_and_dtype(dtype, shape):
    t = torch.arange(int(np.prod(shape))).reshape(shape).to(getattr(torch, dtype))
    want, got = torch.trace(t), ember.trace(to_ember(t))
    assert got.dtype == getattr(ember, str(want.dtype).removeprefix("torch."))
    assert got.item() == want.item()
    assert to_ember(t).trace().item() == want.item()


@requires_torch
def test_trace_gradient_and_name():
    t = torch.ones(2, 3, requires_grad=True)
    e = ember.ones(2, 3, requires_grad=True)
    yt, ye = t.trace(), e.trace()
    assert ye.grad_fn.name() == yt.grad_fn.name()
    yt.backward()
    ye.backward()
    np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())


@requires_torch
@pytest.mark.parametrize(
    "make", [lambda T: T.ones(3), lambda T: T.ones(2, 2, 2), lambda T: T.tensor(1.0)]
)
def test_trace_needs_a_matrix(make):
    with pytest.raises(RuntimeError) as want:
        torch.trace(make(torch))
    with pytest.raises(RuntimeError) as got:
        ember.trace(make(ember))
    assert str(got.value) == str(want.value)


@requires_torch
def test_trace_of_bool_is_not_implemented():
    with pytest.raises(NotImplementedError) as want:
        torch.ones(2, 2, dtype=torch.bool).trace()
    with pytest.raises(NotImplementedError) as got:
        ember.ones(2, 2, dtype=ember.bool).trace()
    assert str(got.value) == str(want.value)
