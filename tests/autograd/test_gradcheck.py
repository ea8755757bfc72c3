"""gradcheck and gradgradcheck: the public finite-difference checks, against PyTorch's API."""

from __future__ import annotations

import warnings

import pytest
from helpers import requires_torch, torch

import ember
from ember.autograd.gradcheck import GradcheckError

FUNCTIONS = {
    "sin_times_x": lambda T, a: (a.sin() * a).sum(),
    "two_outputs": lambda T, a: (a * 2, a.exp()),
    "broadcast": lambda T, a: a.unsqueeze(1) * a,
    "tanh_sigmoid": lambda T, a: a.tanh() + a.sigmoid() * a,
    "div_pow": lambda T, a: a / (a**2 + 1),
    "matmul": lambda T, a: a.reshape(2, 2) @ a.reshape(2, 2).t(),
}


def _x(T):
    return T.tensor([0.3, -0.7, 1.1, 0.5], dtype=T.float64, requires_grad=True)


@requires_torch
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_gradcheck_agrees_with_torch(name):
    fn = FUNCTIONS[name]
    assert ember.autograd.gradcheck(lambda a: fn(ember, a), (_x(ember),))
    assert torch.autograd.gradcheck(lambda a: fn(torch, a), (_x(torch),))
    assert ember.autograd.gradgradcheck(lambda a: fn(ember, a), (_x(ember),))


def test_gradcheck_with_several_and_non_tensor_inputs():
    a = _x(ember)
    b = ember.tensor([2.0, 1.0, -1.0, 0.5], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, y, k: (x * y + k).exp(), (a, b, 3))
    assert ember.autograd.gradcheck(lambda x, y: x * y, (a, ember.tensor(2.0, dtype=ember.float64)))


def _wrong(T):
    class Wrong(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    return Wrong


@requires_torch
def test_gradcheck_failure_matches_torch():
    with pytest.raises(RuntimeError) as te:
        torch.autograd.gradcheck(_wrong(torch).apply, (_x(torch)[:2],))
    with pytest.raises(GradcheckError) as ee:
        ember.autograd.gradcheck(_wrong(ember).apply, (_x(ember)[:2],))
    assert isinstance(ee.value, RuntimeError)
    assert type(te.value).__name__ == "GradcheckError"
    assert str(ee.value) == str(te.value)
    wrong = _wrong(ember).apply
    assert ember.autograd.gradcheck(wrong, (_x(ember),), raise_exception=False) is False


def test_gradgradcheck_catches_a_wrong_double_backward():
    class BadSquare(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            # Right value, wrong derivative: x.detach() cuts x out of the double backward.
            return g * 2 * x.detach()

    x = _x(ember)
    assert ember.autograd.gradcheck(BadSquare.apply, (x,))
    assert ember.autograd.gradgradcheck(BadSquare.apply, (x,), raise_exception=False) is False


@requires_torch
def test_gradcheck_input_errors_and_warnings_match_torch():
    with pytest.raises(ValueError) as te:
        torch.autograd.gradcheck(lambda a: a * 2, (torch.tensor([0.3], dtype=torch.float64),))
    with pytest.raises(ValueError) as ee:
        ember.autograd.gradcheck(lambda a: a * 2, (ember.tensor([0.3], dtype=ember.float64),))
    assert str(ee.value) == str(te.value)

    messages = []
    for T in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ok = T.autograd.gradcheck(
                lambda a: a * 2, (T.tensor([0.3], requires_grad=True),), eps=1e-3, atol=1e-2
            )
        messages.append((ok, [str(m.message) for m in w]))
    assert messages[0] == messages[1]
