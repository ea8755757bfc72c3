"""User-defined autograd.Function, against PyTorch: ctx.save_for_backward, needs_input_grad,
non-tensor arguments, several outputs, mark_dirty, mark_non_differentiable, materialized
gradients, the setup_context style, and the errors for bad backward results.

Each Function is defined once per library by a factory, so the very same code runs on both.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember


def _both(fn):
    return fn(ember), fn(torch)


def _same_error(fn):
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(type(te.value)) as ee:
        fn(ember)
    assert str(ee.value) == str(te.value)


def cube_fn(T):
    class MyCube(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x**3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2 * ctx.k, None

    return MyCube


@requires_torch
def test_custom_function_forward_backward_and_name():
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = cube_fn(T).apply(x, 2.0)
        y.sum().backward()
        return y.tolist(), x.grad.tolist(), y.grad_fn.name(), repr(y)

    e, t = _both(run)
    assert e == t


@requires_torch
def test_custom_function_higher_order():
    def run(T):
        x = T.tensor(2.0, dtype=T.float64, requires_grad=True)
        y = cube_fn(T).apply(x, 1.0)
        (g,) = T.autograd.grad(y, x, create_graph=True)
        (g2,) = T.autograd.grad(g, x)
        return g.item(), g2.item()

    e, t = _both(run)
    assert e == t


def test_custom_function_passes_gradcheck():
    x = ember.tensor([0.3, -0.7, 1.1], dtype=ember.float64, requires_grad=True)
    fn = cube_fn(ember)
    assert ember.autograd.gradcheck(lambda a: fn.apply(a, 1.5), (x,))
    assert ember.autograd.gradgradcheck(lambda a: fn.apply(a, 1.5), (x,))


@requires_torch
def test_needs_input_grad():
    def run(T):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, b, scale):
                ctx.seen = ctx.needs_input_grad
                return a * b * scale

            @staticmethod
            def backward(ctx, g):
                return g, g, None

        y = F.apply(T.tensor([1.0], requires_grad=True), T.tensor([2.0]), 3)
        return y.grad_fn.seen

    e, t = _both(run)
    assert e == t == (True, False, False)


def two_outputs_fn(T, materialize=True):
    class Split(T.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(materialize)
            ctx.save_for_backward(a)
            return a * 2, a * 3

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.got = (g1 is None, g2 is None)
            total = 0
            if g1 is not None:
                total = total + g1 * 2
            if g2 is not None:
                total = total + g2 * 3
            return total

    return Split


@requires_torch
@pytest.mark.parametrize("materialize", [True, False])
@pytest.mark.parametrize("use", ["both", "first"])
def test_multiple_outputs(materialize, use):
    def run(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        y1, y2 = two_outputs_fn(T, materialize).apply(a)
        loss = y1.sum() + y2.sum() * 10 if use == "both" else y1.sum()
        loss.backward()
        return a.grad.tolist(), y1.grad_fn is y2.grad_fn, y1.grad_fn.got

    e, t = _both(run)
    assert e == t


@requires_torch
def test_mark_dirty():
    def run(T):
        class Double_(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                a.mul_(2)
                ctx.mark_dirty(a)
                return a

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = Double_.apply(y)
        (z * z).sum().backward()
        return x.grad.tolist(), z is y, y.tolist(), y.grad_fn.name(), y._version

    e, t = _both(run)
    assert e == t


@requires_torch
def test_mark_dirty_on_leaf_raises():
    def run(T):
        class Inc_(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                a.add_(1)
                ctx.mark_dirty(a)
                return a

            @staticmethod
            def backward(ctx, g):
                return g

        Inc_.apply(T.tensor([1.0], requires_grad=True))

    _same_error(run)


@requires_torch
def test_mark_non_differentiable():
    def run(T):
        class SortLike(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                b = a.argmax()
                o = a * 2
                flag = a > 0
                ctx.mark_non_differentiable(b, flag)
                return o, b, flag

            @staticmethod
            def backward(ctx, g, gb, gf):
                return g * 2

        a = T.tensor([1.0, 2.0], requires_grad=True)
        o, b, f = SortLike.apply(a)
        o.sum().backward()
        return o.requires_grad, b.requires_grad, f.requires_grad, a.grad.tolist()

    e, t = _both(run)
    assert e == t


@requires_torch
def test_mark_non_differentiable_float_output():
    def run(T):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                stats = a.detach() * 0 + 1
                ctx.mark_non_differentiable(stats)
                return a * 2, stats

            @staticmethod
            def backward(ctx, g, gs):
                return g * 2

        o, s = F.apply(T.tensor([1.0], requires_grad=True))
        return o.requires_grad, s.requires_grad

    e, t = _both(run)
    assert e == t == (True, False)


@requires_torch
def test_returning_an_input_makes_a_new_tensor():
    def run(T):
        class Identity(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 5

        x = T.tensor([2.0], requires_grad=True)
        y = Identity.apply(x)
        y.sum().backward()
        return x.grad.tolist(), y is x, x.is_leaf

    e, t = _both(run)
    assert e == t


@requires_torch
def test_non_tensor_outputs_pass_through():
    def run(T):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, "label", 3

            @staticmethod
            def backward(ctx, g, *_):
                return g * 2

        x = T.tensor([1.0], requires_grad=True)
        y, label, n = F.apply(x)
        y.sum().backward()
        return label, n, x.grad.tolist()

    e, t = _both(run)
    assert e == t


@requires_torch
def test_setup_context_style():
    def run(T):
        class Scale(T.autograd.Function):
            @staticmethod
            def forward(x, k):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                _, k = inputs
                ctx.k = k

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, None

        x = T.tensor([2.0], requires_grad=True)
        Scale.apply(x, 3.0).sum().backward()
        with T.no_grad():
            plain = Scale.apply(x, 4.0)
        return x.grad.tolist(), plain.tolist(), plain.requires_grad

    e, t = _both(run)
    assert e == t


@requires_torch
def test_function_under_no_grad_records_nothing():
    def run(T):
        x = T.tensor([1.0], requires_grad=True)
        with T.no_grad():
            y = cube_fn(T).apply(x, 1.0)
        return y.requires_grad, y.grad_fn is None

    e, t = _both(run)
    assert e == t == (False, True)


@requires_torch
def test_ops_inside_forward_are_not_recorded():
    def run(T):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.inner = (x * 2).requires_grad
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        return F.apply(T.tensor([1.0], requires_grad=True)).grad_fn.inner

    e, t = _both(run)
    assert e == t is False


@requires_torch
@pytest.mark.parametrize(
    "returns",
    ["too_many", "too_few", "bad_shape"],
)
def test_bad_backward_results_raise_like_torch(returns):
    def run(T):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * b

            @staticmethod
            def backward(ctx, g):
                if returns == "too_many":
                    return g, g, g
                if returns == "too_few":
                    return (g,)
                return T.ones(3), g

        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([1.0, 2.0], requires_grad=True)
        F.apply(a, b).sum().backward()

    with pytest.raises(RuntimeError) as te:
        run(torch)
    with pytest.raises(RuntimeError) as ee:
        run(ember)
    # The same facts: the op's name and the counts or shapes.
    for fact in ("FBackward", "expected", "got"):
        assert (fact in str(ee.value)) == (fact in str(te.value)), (str(ee.value), str(te.value))


@requires_torch
def test_saved_tensor_modified_after_apply_raises():
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        y = cube_fn(T).apply(a, 1.0)  # saves a
        a.add_(1)
        y.sum().backward()

    _same_error(run)


def test_saved_tensors_freed_after_backward():
    x = ember.tensor([1.0], requires_grad=True)
    y = cube_fn(ember).apply(x, 1.0)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors  # noqa: B018


def test_backward_through_numpy_arrays():
    # ember's built-in protocol: forward may compute on arrays and return one.
    class Square(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.detach().numpy() ** 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = ember.tensor([3.0], requires_grad=True)
    y = Square.apply(x)
    assert isinstance(y, ember.Tensor) and y.requires_grad
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0])
