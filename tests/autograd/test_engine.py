"""The backward pass against PyTorch: gradient=, retain_graph, create_graph (higher orders),
accumulation, hooks, retain_grad, autograd.grad, version-counter checks, long chains and shared
subexpressions."""

from __future__ import annotations

import warnings
import weakref

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.autograd import engine


def _both(fn):
    return fn(ember), fn(torch)


def _error_of(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.value


def _same_error(fn):
    """ember raises torch's exception class with torch's message."""
    t = _error_of(fn, torch)
    e = _error_of(fn, ember)
    assert isinstance(e, type(t)), (type(e), type(t))
    assert str(e) == str(t)


def _leaf(T, values, dtype=None):
    return T.tensor(values, dtype=dtype or T.float32, requires_grad=True)


# -- backward basics ----------------------------------------------------------------------------


@requires_torch
def test_gradient_argument_for_non_scalars():
    def run(T):
        x = _leaf(T, [1.0, 2.0, 3.0])
        (x * x).backward(gradient=T.tensor([1.0, 10.0, 100.0]))
        return x.grad.tolist()

    assert _both(run)[0] == _both(run)[1]


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda T: (_leaf(T, [1.0, 2.0]) * 2).backward(),
        lambda T: (_leaf(T, [1.0, 2.0]) * 2).backward(T.ones(3)),
        lambda T: T.tensor([1.0, 2.0]).sum().backward(),
        lambda T: T.autograd.grad((_leaf(T, [1.0]) * 2).sum(), T.tensor([1.0])),
        lambda T: T.autograd.grad(_leaf(T, [1.0, 2.0]) * 2, _leaf(T, [1.0])),
    ],
)
def test_backward_errors_match_torch(fn):
    _same_error(fn)


def test_grad_accumulates_across_backward_calls():
    x = _leaf(ember, [1.0, 2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_grad_is_a_fresh_tensor():
    # add's backward hands one gradient to both inputs: each leaf must get its own copy.
    a, b = _leaf(ember, [1.0]), _leaf(ember, [2.0])
    (a + b).sum().backward()
    a.grad.add_(5)
    assert b.grad.tolist() == [1.0]
    c, d = _leaf(ember, [1.0]), _leaf(ember, [2.0])
    ((c + d) * 2).sum().backward()  # here the shared gradient is a fresh array
    c.grad.add_(5)
    assert d.grad.tolist() == [2.0]


def _shares(a, b) -> bool:
    return np.shares_memory(a._data if isinstance(a, ember.Tensor) else a, b._data)


def test_leaf_grad_never_aliases_a_gradient_held_elsewhere():
    kept = []
    a, b, c, d, e = (_leaf(ember, [1.0, 2.0]) for _ in range(5))
    a.register_hook(kept.append)  # the tensor
    b.register_hook(lambda g: kept.append(g._data))  # its array
    c.register_hook(lambda g: kept.append(g._data[1:]))  # a view of it
    y = d + 1.0
    y.register_hook(kept.append)  # a non-leaf's gradient that reaches d unchanged
    ((a + b) * 2 + c * 3 + y * 4).sum().backward()
    for held, leaf in zip(kept, (a, b, c, d)):
        assert not _shares(held, leaf.grad)
    g = ember.tensor([5.0, 6.0])
    e.backward(g)  # a leaf as the root: its .grad must not be the caller's tensor
    assert not _shares(g, e.grad)
    assert e.grad.tolist() == [5.0, 6.0] and d.grad.tolist() == [4.0, 4.0]


def test_leaf_takes_a_gradient_nothing_else_holds():
    # The array an op's backward made is adopted as .grad, not copied (PyTorch steals it too).
    if not engine._COUNTED_REFS:
        pytest.skip("ownership is only counted on CPython 3.11-3.13 with the GIL")
    made = []

    class Twice(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            out = g * 2
            made.append(weakref.ref(out._data))
            return out

    x = _leaf(ember, [1.0, 2.0])
    Twice.apply(x).sum().backward()
    assert made[0]() is x.grad._data
    assert x.grad.tolist() == [2.0, 2.0]


@requires_torch
def test_second_backward_raises_torch_error():
    def run(T):
        x = _leaf(T, [1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        y.backward()

    _same_error(run)


@requires_torch
def test_retain_graph_allows_a_second_backward():
    def run(T):
        x = _leaf(T, [1.0, 2.0])
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return np.round(x.grad.numpy(), 4).tolist()

    e, t = _both(run)
    assert e == t


@requires_torch
def test_second_backward_without_saved_values_works_as_in_torch():
    # Add and Sum save nothing, so PyTorch lets the graph be walked again.
    def run(T):
        x = _leaf(T, [1.0, 2.0])
        y = (x + 2).sum()
        y.backward()
        y.backward()
        return x.grad.tolist()

    e, t = _both(run)
    assert e == t == [2.0, 2.0]


def test_backward_frees_activations_while_the_loss_is_referenced():
    # Released nodes keep their edges through stand-ins without memory; only inputs of a few
    # hundred bytes stay referenced (engine.SMALL_INPUT).
    x = _leaf(ember, np.linspace(-1, 1, 1000))
    h = (x * 2).exp()  # an activation consumed by the next op and saved weakly by exp
    v = h.reshape(100, 10)[0]  # a small view of it
    arrays = [weakref.ref(h._data), weakref.ref(v._data)]
    loss = (h * h).sum() + v.sigmoid().sum()
    del h, v
    loss.backward()
    assert [r() for r in arrays] == [None, None]
    np.testing.assert_allclose(x.grad.numpy()[-3:], 4 * np.exp(4 * x.detach().numpy()[-3:]), 1e-5)


def test_backward_frees_saved_values():
    x = _leaf(ember, [1.0, 2.0])
    y = x.exp()
    z = (y * x).sum()
    z.backward()
    node = z.grad_fn.next_functions[0][0]  # MulBackward0
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        node.saved_tensors  # noqa: B018


@requires_torch
def test_non_leaf_grad_access_warns_like_torch():
    messages = []
    for T in (ember, torch):
        y = _leaf(T, [1.0]) * 2
        y.sum().backward()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert y.grad is None
        messages.append([(x.category, str(x.message)[:120]) for x in w])
    assert messages[0] == messages[1] and messages[0]


@requires_torch
def test_broadcast_gradients_sum_back():
    def run(T):
        x = _leaf(T, [[1.0], [2.0]])
        b = _leaf(T, [1.0, 2.0, 3.0])
        s = _leaf(T, 2.0)
        ((x * b + s) ** 2).sum().backward()
        return x.grad.tolist(), b.grad.tolist(), s.grad.tolist()

    for a, b in zip(*_both(run)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_backward_inputs_argument():
    x, y = _leaf(ember, [1.0]), _leaf(ember, [2.0])
    (x * y).sum().backward(inputs=[x])
    assert x.grad.tolist() == [2.0] and y.grad is None


def test_autograd_backward_of_several_roots():
    x = _leaf(ember, [1.0, 2.0])
    ember.autograd.backward([x.sum(), (x * 2).sum()])
    assert x.grad.tolist() == [3.0, 3.0]


# -- higher order -------------------------------------------------------------------------------

SECOND = {
    "cube": lambda T, x: x**3,
    "x*x*x": lambda T, x: x * x * x,
    "tanh": lambda T, x: x.tanh(),
    "sigmoid": lambda T, x: x.sigmoid(),
    "exp": lambda T, x: x.exp(),
    "log": lambda T, x: x.log(),
    "sin": lambda T, x: x.sin(),
    "cos": lambda T, x: x.cos(),
    "sqrt": lambda T, x: x.sqrt(),
    "rsqrt": lambda T, x: x.rsqrt(),
    "reciprocal": lambda T, x: 1 / x,
    "expm1": lambda T, x: x.expm1(),
    "log1p": lambda T, x: x.log1p(),
    "tan": lambda T, x: x.tan(),
    "x**x": lambda T, x: x**x,
    "2**x": lambda T, x: 2**x,
    "relu*x": lambda T, x: x.relu() * x,
    "abs*x": lambda T, x: x.abs() * x,
    "clamp*x": lambda T, x: x.clamp(0, 0.5) * x,
    "maximum": lambda T, x: T.maximum(x, x * x),
    "where": lambda T, x: T.where(x > 0, x * x * x, x),
    "index": lambda T, x: x.reshape(1)[0] ** 3,
    "mean": lambda T, x: x.expand(3).mean() * x,
}


@requires_torch
@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivative_matches_torch(name):
    fn = SECOND[name]

    def run(T):
        x = T.tensor(0.7, dtype=T.float64, requires_grad=True)
        (g,) = T.autograd.grad(fn(T, x), x, create_graph=True)
        (g2,) = T.autograd.grad(g, x)
        return g.item(), g2.item()

    e, t = _both(run)
    np.testing.assert_allclose(e, t, rtol=1e-10)


@requires_torch
def test_third_derivative_of_tanh():
    def run(T):
        x = T.tensor(0.5, dtype=T.float64, requires_grad=True)
        y = x.tanh()
        (g1,) = T.autograd.grad(y, x, create_graph=True)
        (g2,) = T.autograd.grad(g1, x, create_graph=True)
        (g3,) = T.autograd.grad(g2, x)
        return g3.item()

    e, t = _both(run)
    assert e == pytest.approx(t, rel=1e-10)


@requires_torch
def test_hessian_by_double_backward():
    def run(T):
        x = T.tensor([1.0, 2.0, 0.5], dtype=T.float64, requires_grad=True)
        y = (x**2).sum() * x[0] + (x[1] * x[2]).exp()
        (g,) = T.autograd.grad(y, x, create_graph=True)
        return [T.autograd.grad(g[i], x, retain_graph=True)[0].tolist() for i in range(3)]

    e, t = _both(run)
    np.testing.assert_allclose(e, t, rtol=1e-10)


@requires_torch
def test_backward_with_create_graph_gives_differentiable_grad():
    def run(T):
        x = T.tensor(2.0, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns about the reference cycle
            (x**3).backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        (gg,) = T.autograd.grad(g, x)
        return g.item(), gg.item()

    e, t = _both(run)
    assert e == t == (12.0, 12.0)


# -- autograd.grad ------------------------------------------------------------------------------


def test_autograd_grad_returns_without_accumulating():
    x, y = _leaf(ember, [1.0, 2.0]), _leaf(ember, [3.0, 4.0])
    gx, gy = ember.autograd.grad((x * y).sum(), [x, y])
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    assert x.grad is None and y.grad is None
    (g,) = ember.autograd.grad(x * 2, x, grad_outputs=ember.tensor([1.0, 3.0]))
    assert g.tolist() == [2.0, 6.0]
    (g,) = ember.autograd.grad([x.sum(), (x * 2).sum()], x)
    assert g.tolist() == [3.0, 3.0]


@requires_torch
def test_autograd_grad_unused_inputs():
    def unused(T):
        x, y = _leaf(T, [1.0, 2.0]), _leaf(T, [3.0])
        return T.autograd.grad((x * 2).sum(), [x, y])

    _same_error(unused)
    x, y = _leaf(ember, [1.0, 2.0]), _leaf(ember, [3.0])
    gx, gy = ember.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gy is None
    gx, gy = ember.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True)
    assert gy.tolist() == [0.0]


def test_autograd_grad_of_intermediate():
    x = _leaf(ember, [1.0, 2.0])
    h = x * 3
    (gh,) = ember.autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [6.0, 12.0]


# -- hooks and retain_grad ----------------------------------------------------------------------


@requires_torch
def test_hooks_match_torch():
    def run(T):
        seen = []
        x = _leaf(T, [1.0, 2.0])
        x.register_hook(lambda g: seen.append(("x", g.tolist())) or g * 10)
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: seen.append(("y", g.tolist())) or g + 1)
        h = y.register_hook(lambda g: seen.append(("removed", g.tolist())))
        h.remove()
        (y * y).sum().backward()
        return seen, x.grad.tolist(), y.grad.tolist()

    e, t = _both(run)
    assert e == t


def test_hook_sees_summed_gradient_of_leaf():
    seen = []
    x = _leaf(ember, [1.0])
    x.register_hook(lambda g: seen.append(g.item()))
    (x * 2 + x * 3).sum().backward()
    assert seen == [5.0]


@requires_torch
def test_retain_grad_matches_torch():
    def run(T):
        x = _leaf(T, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        z = (y * y).sum()
        z.backward()
        x.retain_grad()  # a no-op on leaves
        return y.grad.tolist(), y.retains_grad, x.retains_grad, y.is_leaf

    e, t = _both(run)
    assert e == t


# -- in-place and version counters --------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda T: _modified(T, lambda x: x.sigmoid(), lambda y: y.mul_(2), lambda y: y),
        lambda T: _modified(T, lambda x: x.exp(), lambda y: y.add_(1).add_(1), lambda y: y),
        lambda T: _modified(T, lambda x: x * 1, lambda y: y.add_(1), lambda y: y * y),
        lambda T: _modified(T, lambda x: x.tanh(), lambda y: y.detach().zero_(), lambda y: y),
        lambda T: _saved_leaf_modified(T),
        lambda T: _leaf(T, [1.0, 2.0]).add_(1),
        lambda T: _leaf(T, [1.0, 2.0]).mul_(2),
    ],
)
def test_inplace_errors_match_torch(fn):
    _same_error(fn)


def _modified(T, make, change, use):
    x = _leaf(T, [1.0, 2.0])
    y = make(x)
    z = use(y)
    change(y)
    z.sum().backward()


def _saved_leaf_modified(T):
    x = _leaf(T, [1.0, 2.0])
    w = T.tensor([3.0, 4.0])
    y = x * w
    w.add_(1)
    y.sum().backward()


@requires_torch
def test_inplace_on_non_leaf_is_differentiated():
    def run(T):
        x = _leaf(T, [1.0, 2.0])
        y = x * 2
        y.add_(1)
        y.mul_(x)
        y.pow_(2)
        y.sum().backward()
        return x.grad.tolist(), y.grad_fn.name(), y._version

    e, t = _both(run)
    assert e == t


def test_inplace_on_leaf_is_allowed_without_grad():
    x = _leaf(ember, [1.0, 2.0])
    with ember.no_grad():
        x.add_(1).mul_(2)
    assert x.tolist() == [4.0, 6.0] and x.is_leaf and x.requires_grad
    assert x._version == 2


def test_data_writes_do_not_trip_version_checks():
    x = _leaf(ember, [1.0, 2.0])
    y = x.exp()
    y.data.add_(1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]) + 1, rtol=1e-6)


# -- graph shapes -------------------------------------------------------------------------------


def test_chain_of_10000_ops_has_no_recursion_error():
    x = _leaf(ember, [1.0])
    y = x
    for _ in range(10000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**10000, rel=1e-3)
    del y  # freeing the chain must not recurse either


@requires_torch
def test_diamond_gradients_are_summed_once():
    def run(T):
        x = _leaf(T, [1.0, 2.0])
        a = x * 2
        b = a * a  # a used twice
        c = a + b  # and again
        d = c * a
        e = d + d.exp() * 0  # a zero-weighted branch still counts once
        e.sum().backward()
        return x.grad.tolist()

    e, t = _both(run)
    np.testing.assert_allclose(e, t, rtol=1e-6)


def test_same_tensor_twice_in_one_op():
    x = _leaf(ember, [3.0])
    (x * x).backward()
    assert x.grad.tolist() == [6.0]
    y = _leaf(ember, [3.0])
    (y + y + y).backward()
    assert y.grad.tolist() == [3.0]


@requires_torch
def test_weakly_saved_outputs_survive_until_their_node_runs():
    # exp/sigmoid/softmax keep their result by a weak link; the consumer that held it is
    # released first, and other branches run in between.
    def run(T):
        x = _leaf(T, [[0.1, 0.5, -0.3], [1.0, 2.0, 0.0]])
        w = _leaf(T, [[1.0, -1.0, 2.0]])
        p = (x * w).softmax(1)
        q = x.sigmoid()
        r = (x * 2).exp()
        loss = (p.log() * w).sum() + (q * x).sum() + r.mean() + (p * q).sum()
        loss.backward()
        return x.grad.numpy().copy(), w.grad.numpy().copy()

    (ex, ew), (tx, tw) = _both(run)
    np.testing.assert_allclose(ex, tx, rtol=1e-5)
    np.testing.assert_allclose(ew, tw, rtol=1e-5)


def test_next_functions_and_accumulate_grad():
    x = _leaf(ember, [1.0])
    y = x * 2 + 1
    (mul, _), (none, _) = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0" and none is None
    acc = mul.next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.variable is x
