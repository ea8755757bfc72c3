"""no_grad, enable_grad, set_grad_enabled and inference_mode, as context managers and as
decorators (with and without parentheses, on functions and generators), against PyTorch."""

from __future__ import annotations

import threading

import pytest
from helpers import requires_torch, torch

import ember


def _leaf(T):
    return T.tensor([1.0], requires_grad=True)


def _both(fn):
    return fn(ember), fn(torch)


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        # context managers
        lambda T: _ctx(T, T.no_grad()),
        lambda T: _ctx(T, T.enable_grad()),
        lambda T: _ctx(T, T.inference_mode()),
        lambda T: _ctx(T, T.inference_mode(False)),
        lambda T: _ctx(T, T.set_grad_enabled(False)),
        lambda T: _ctx(T, T.set_grad_enabled(True)),
        lambda T: _ctx(T, T.autograd.no_grad()),
        # nesting
        lambda T: _nested(T, T.no_grad, T.enable_grad),
        lambda T: _nested(T, T.enable_grad, T.no_grad),
        lambda T: _nested(T, T.inference_mode, lambda: T.set_grad_enabled(True)),
        # decorators
        lambda T: _decorated(T, T.no_grad()),
        lambda T: _decorated(T, T.no_grad),
        lambda T: _decorated(T, T.enable_grad()),
        lambda T: _decorated(T, T.inference_mode()),
        lambda T: _decorated(T, T.inference_mode),
        lambda T: _decorated(T, T.inference_mode(False)),
        lambda T: _decorated(T, T.set_grad_enabled(False)),
        lambda T: _generator(T, T.no_grad()),
        lambda T: _generator(T, T.enable_grad()),
        lambda T: _generator(T, T.inference_mode()),
    ],
)
def test_modes_match_torch(fn):
    e, t = _both(fn)
    assert e == t


def _ctx(T, mode):
    x = _leaf(T)
    before = T.is_grad_enabled()
    with mode:
        y = x * 2
        inside = T.is_grad_enabled()
    return before, inside, T.is_grad_enabled(), y.requires_grad, y.grad_fn is None


def _nested(T, outer, inner):
    x = _leaf(T)
    with outer():
        a = x * 2
        with inner():
            b = x * 2
        c = x * 2
    return a.requires_grad, b.requires_grad, c.requires_grad, T.is_grad_enabled()


def _decorated(T, mode):
    @mode
    def f(x):
        return (x * 2).requires_grad, T.is_grad_enabled()

    with T.no_grad():
        in_no_grad = f(_leaf(T))
    return f(_leaf(T)), in_no_grad, T.is_grad_enabled(), f.__name__


def _generator(T, mode):
    @mode
    def gen(x):
        for _ in range(2):
            got = yield T.is_grad_enabled(), (x * 2).requires_grad
            assert got is None or got == "sent"

    g = gen(_leaf(T))
    first = next(g)
    outside = T.is_grad_enabled()
    second = g.send("sent")
    return first, outside, second, list(g), T.is_grad_enabled()


def test_set_grad_enabled_as_a_function():
    x = _leaf(ember)
    ember.set_grad_enabled(False)
    try:
        assert not ember.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        ember.set_grad_enabled(True)
    assert ember.is_grad_enabled() and (x * 2).requires_grad


def test_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError), ember.no_grad():
        raise ValueError
    assert ember.is_grad_enabled()

    @ember.no_grad()
    def boom():
        raise KeyError

    with pytest.raises(KeyError):
        boom()
    assert ember.is_grad_enabled()


def test_decorator_instance_is_reusable_and_reentrant():
    mode = ember.no_grad()

    @mode
    def f(depth):
        if depth:
            return f(depth - 1)
        return ember.is_grad_enabled()

    assert f(3) is False and f(0) is False
    assert ember.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with ember.no_grad():
        t = threading.Thread(target=lambda: seen.append(ember.is_grad_enabled()))
        t.start()
        t.join()
        assert not ember.is_grad_enabled()
    assert seen == [True]


def test_inference_mode_flag():
    assert not ember.autograd.is_inference_mode_enabled()
    with ember.inference_mode():
        assert ember.autograd.is_inference_mode_enabled()
        with ember.inference_mode(False):
            assert not ember.autograd.is_inference_mode_enabled()
    assert not ember.autograd.is_inference_mode_enabled()


def test_leaf_results_in_no_grad_can_require_grad_later():
    with ember.no_grad():
        w = ember.ones(2) * 3
    assert w.is_leaf and not w.requires_grad
    w.requires_grad_()
    (w * w).sum().backward()
    assert w.grad.tolist() == [6.0, 6.0]


def test_detect_anomaly_is_accepted():
    with ember.autograd.detect_anomaly():
        (_leaf(ember) * 2).sum().backward()
    with ember.autograd.set_detect_anomaly(True):
        pass
