"""Pooling against PyTorch: every option combination, indices, ties and NaN routed as PyTorch
routes them, gradients of every order, float64 gradchecks, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_torch, torch

import ember
from ember import _threads
from ember.ops import _pool_window
from ember.ops import pooling as P


def _input(shape, kind="normal", dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if kind == "ties":  # relu'd and rounded: whole windows of equal values
        a = np.maximum(np.round(a), 0)
    elif kind == "nan":
        a.flat[rng.integers(0, a.size, 4)] = np.nan
    return a.astype(dtype)


def _compare(fn_e, fn_t, a, atol=1e-12):
    """Forward (and indices, exactly), then the input gradient."""
    xe = ember.from_numpy(a.copy()).requires_grad_()
    xt = to_torch(xe)
    ye, yt = fn_e(xe), fn_t(xt)
    if isinstance(yt, tuple):
        assert_close(ye[1], yt[1])
        assert np.array_equal(ye[1].numpy(), yt[1].numpy())
        ye, yt = ye[0], yt[0]
    assert_close(ye, yt, 1e-6, atol)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(a.dtype)
    ye.backward(ember.from_numpy(g))
    yt.backward(torch.from_numpy(g))
    assert_close(xe.grad, xt.grad, 1e-6, atol)


SHAPES = [(2, 3, 7, 8), (1, 2, 10, 10), (3, 5, 6)]  # odd sizes, even sizes, unbatched

MAX_OPTS = [
    {"kernel_size": 2},
    {"kernel_size": 3},
    {"kernel_size": 3, "stride": 1},
    {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1)},
    {"kernel_size": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 3, "dilation": 2},
    {"kernel_size": (2, 3), "dilation": (2, 1), "padding": 1, "stride": 2, "ceil_mode": True},
]


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("opts", MAX_OPTS, ids=str)
@pytest.mark.parametrize("kind", ["normal", "ties", "nan"])
@pytest.mark.parametrize("indices", [False, True])
def test_max_pool2d_matches_torch(shape, opts, kind, indices):
    a = _input(shape, kind)
    _compare(
        lambda x: P.max_pool2d(x, return_indices=indices, **opts),
        lambda x: torch.nn.functional.max_pool2d(x, return_indices=indices, **opts),
        a,
    )


@requires_torch
@pytest.mark.parametrize("opts", MAX_OPTS[:4], ids=str)
@pytest.mark.parametrize("kind", ["normal", "ties", "nan"])
def test_max_pool2d_in_batch_slices_on_two_threads(monkeypatch, opts, kind):
    # Large batches are split among the worker threads: forced here on a small one, 5 samples
    # in slices of 3 and 2.
    monkeypatch.setattr(_pool_window, "_MIN_SPLIT", 0)
    monkeypatch.setattr(_threads, "_limit", 2)
    monkeypatch.setattr(_threads, "_chosen", True)
    assert len(_pool_window.batch_slices(np.zeros((5, 3, 7, 8)))) == 2
    a = _input((5, 3, 7, 8), kind)
    _compare(
        lambda x: P.max_pool2d(x, **opts), lambda x: torch.nn.functional.max_pool2d(x, **opts), a
    )


@requires_torch
def test_max_pool2d_float32_and_all_minus_inf_windows():
    _compare(
        lambda x: P.max_pool2d(x, 2),
        lambda x: torch.nn.functional.max_pool2d(x, 2),
        _input((2, 3, 8, 8), "ties", "float32"),
    )
    # Windows of -inf with padding: the index and gradient go to the first real element.
    a = np.full((1, 1, 3, 3), -np.inf)
    _compare(
        lambda x: P.max_pool2d(x, 2, padding=1, return_indices=True),
        lambda x: torch.nn.functional.max_pool2d(x, 2, padding=1, return_indices=True),
        a,
    )


@requires_torch
@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 10)], ids=str)
@pytest.mark.parametrize(
    "opts",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 1, "padding": 1},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
        {"kernel_size": 2, "dilation": 3, "padding": 1},
    ],
    ids=str,
)
@pytest.mark.parametrize("indices", [False, True])
def test_max_pool1d_matches_torch(shape, opts, indices):
    _compare(
        lambda x: P.max_pool1d(x, return_indices=indices, **opts),
        lambda x: torch.nn.functional.max_pool1d(x, return_indices=indices, **opts),
        _input(shape, "ties"),
    )


AVG_OPTS = [o for o in MAX_OPTS if "dilation" not in o]


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("opts", AVG_OPTS, ids=str)
@pytest.mark.parametrize(
    "extra",
    [{}, {"count_include_pad": False}, {"divisor_override": 3}],
    ids=str,
)
def test_avg_pool2d_matches_torch(shape, opts, extra):
    _compare(
        lambda x: P.avg_pool2d(x, **opts, **extra),
        lambda x: torch.nn.functional.avg_pool2d(x, **opts, **extra),
        _input(shape),
    )


@requires_torch
@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 10)], ids=str)
@pytest.mark.parametrize(
    "opts",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 1, "padding": 1},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"kernel_size": 3, "padding": 1, "count_include_pad": False},
    ],
    ids=str,
)
def test_avg_pool1d_matches_torch(shape, opts):
    _compare(
        lambda x: P.avg_pool1d(x, **opts),
        lambda x: torch.nn.functional.avg_pool1d(x, **opts),
        _input(shape),
    )


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("size", [1, 2, 3, (4, 5), (None, 3), 7, (6, 8)], ids=str)
def test_adaptive_avg_pool2d_matches_torch(shape, size):
    _compare(
        lambda x: P.adaptive_avg_pool2d(x, size),
        lambda x: torch.nn.functional.adaptive_avg_pool2d(x, size),
        _input(shape),
    )


def test_adaptive_avg_pool2d_to_zero_size():
    assert tuple(P.adaptive_avg_pool2d(ember.randn(2, 3, 7, 8), 0).shape) == (2, 3, 0, 0)


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("size", [1, 2, 3, (4, 5), (None, 3), 7, (6, 8)], ids=str)
@pytest.mark.parametrize("kind", ["normal", "ties"])
def test_adaptive_max_pool2d_matches_torch(shape, size, kind):
    _compare(
        lambda x: P.adaptive_max_pool2d(x, size, return_indices=True),
        lambda x: torch.nn.functional.adaptive_max_pool2d(x, size, return_indices=True),
        _input(shape, kind),
    )


@requires_torch
@pytest.mark.parametrize("size", [1, 4, 5])
def test_adaptive_pool1d_matches_torch(size):
    a = _input((2, 3, 9), "ties")
    _compare(
        lambda x: P.adaptive_avg_pool1d(x, size),
        lambda x: torch.nn.functional.adaptive_avg_pool1d(x, size),
        a,
    )
    _compare(
        lambda x: P.adaptive_max_pool1d(x, size, True),
        lambda x: torch.nn.functional.adaptive_max_pool1d(x, size, True),
        a,
    )


@requires_torch
@pytest.mark.parametrize(
    "name,args",
    [
        ("max_pool2d", (2,)),
        ("max_pool2d", (3, 1, 1)),
        ("avg_pool2d", (2,)),
        ("avg_pool2d", (3, 2, 1, True, False)),
        ("adaptive_avg_pool2d", (3,)),
        ("adaptive_max_pool2d", (3,)),
        ("adaptive_max_pool2d", (4,)),
    ],
    ids=str,
)
def test_double_backward_matches_torch(name, args):
    a = _input((2, 3, 8, 7) if "adaptive" in name else (2, 3, 7, 7))
    results = []
    for lib, mod in ((ember, P), (torch, torch.nn.functional)):
        x = lib.from_numpy(a.copy()).requires_grad_()
        y = getattr(mod, name)(x, *args)
        (g,) = lib.autograd.grad((y * y * y).sum(), [x], create_graph=True)
        (g * g).sum().backward()
        results.append(x.grad.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: P.max_pool2d(x, 3, 2, 1, ceil_mode=True),
        lambda x: P.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda x: P.adaptive_avg_pool2d(x, (2, 3)),
        lambda x: P.adaptive_max_pool2d(x, (2, 3)),
        lambda x: P.max_pool1d(x.flatten(2), 3, 2, 1),
        lambda x: P.avg_pool1d(x.flatten(2), 2),
    ],
)
def test_gradcheck(fn):
    x = ember.from_numpy(_input((1, 2, 5, 6))).requires_grad_()
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))


def test_grad_fn_names():
    x = ember.randn(2, 2, 6, 6, requires_grad=True)
    assert P.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert P.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert P.adaptive_avg_pool2d(x, 4).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    assert P.adaptive_max_pool2d(x, 4).grad_fn.name() == "AdaptiveMaxPool2DBackward0"
    assert P.adaptive_max_pool2d(x, 3).grad_fn.name() == "AdaptiveMaxPool2DBackward0"


def test_output_changed_in_place_keeps_gradient():
    """The maxima are copied for backward: relu_ on the pooled output is allowed."""
    x = ember.randn(2, 2, 6, 6, requires_grad=True)
    xt = to_torch(x) if torch is not None else None
    y = P.max_pool2d(x * 1.0, 2)
    y.relu_()
    y.sum().backward()
    if xt is not None:
        yt = torch.nn.functional.max_pool2d(xt * 1.0, 2)
        yt.relu_()
        yt.sum().backward()
        assert_close(x.grad, xt.grad)


def test_second_backward_raises():
    for fn in (lambda x: P.max_pool2d(x, 2), lambda x: P.avg_pool2d(x, 2)):
        x = ember.randn(1, 1, 4, 4, requires_grad=True)
        s = fn(x).sum()
        s.backward()
        with pytest.raises(RuntimeError, match="second time"):
            s.backward()


def test_integer_input():
    x = ember.arange(16).reshape(1, 1, 4, 4)
    assert P.max_pool2d(x, 2).tolist() == [[[[5, 7], [13, 15]]]]
    assert P.avg_pool2d(x, 2).tolist() == [[[[2, 4], [10, 12]]]]
    assert P.avg_pool2d(-x, 2).tolist() == [[[[-2, -4], [-10, -12]]]]  # toward zero
    with pytest.raises(NotImplementedError, match='"adaptive_avg_pool2d" not implemented'):
        P.adaptive_avg_pool2d(x, 2)


# -- bad input --------------------------------------------------------------------------------


def _raises(match, fn, *args, exc=RuntimeError, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


def test_errors():
    x = ember.randn(2, 3, 7, 7)
    _raises(
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 "
        "and dilation=1",
        P.max_pool2d, x, 2, padding=2,
    )  # fmt: skip
    _raises(
        "pad should be smaller than or equal to half of kernel size",
        P.max_pool2d,
        x,
        3,
        padding=2,
        dilation=2,
    )
    _raises("stride should not be zero", P.max_pool2d, x, 2, stride=0)
    _raises("dilation should be greater than zero", P.max_pool2d, x, 2, dilation=0)
    _raises("pad must be non-negative, but got pad: -1", P.max_pool2d, x, 2, padding=-1)
    _raises(
        "kernel_size must either be a single int, or a tuple of two ints",
        P.max_pool2d,
        x,
        (2, 2, 2),
    )
    _raises("non-empty 3D or 4D", P.max_pool2d, ember.randn(3, 7), 2)
    _raises(
        r"Given input size: \(1x1x1\). Calculated output size: \(1x0x0\). Output size is too small",
        P.max_pool2d, ember.randn(1, 1, 1, 1), 2,
    )  # fmt: skip
    _raises(r"but got:\[2, 0, 4, 4\]", P.max_pool2d, ember.randn(2, 0, 4, 4), 2)
    _raises("max_pool1d: Expected 2D or 3D", P.max_pool1d, ember.randn(7), 2)
    _raises(
        "max_pool1d\\(\\) padding should be at most half of kernel size",
        P.max_pool1d,
        ember.randn(2, 3, 7),
        2,
        padding=2,
    )
    _raises(
        "max_pool1d\\(\\) Invalid computed output size: 0", P.max_pool1d, ember.randn(2, 3, 1), 2
    )
    _raises("divisor must be not zero", P.avg_pool2d, x, 2, divisor_override=0)
    _raises("Dimension out of range", P.avg_pool2d, ember.randn(3, 7), 2, exc=IndexError)
    _raises(r"\(3x1x1\). Calculated output size: \(3x1x0\)", P.avg_pool1d, ember.randn(2, 3, 1), 2)
    _raises("Expected 2 to 3 dimensions", P.avg_pool1d, ember.randn(7), 2)
    _raises(
        r"adaptive_avg_pool2d\(\): Expected 3D or 4D tensor, but got \[3, 7\]",
        P.adaptive_avg_pool2d,
        ember.randn(3, 7),
        2,
    )
    _raises(
        r"adaptive_max_pool2d\(\): Expected 3D or 4D tensor, but got: \[3, 7\]",
        P.adaptive_max_pool2d,
        ember.randn(3, 7),
        2,
    )
    _raises("output_size must be 2", P.adaptive_avg_pool2d, x, (1, 2, 3))
    _raises(r"greater than or equal to 0 but received \{-1, -1\}", P.adaptive_avg_pool2d, x, -1)
    _raises("dimension 2 being empty", P.adaptive_avg_pool2d, ember.randn(1, 2, 0, 4), 2)


@requires_torch
def test_messages_match_torch():
    cases = [
        ("max_pool2d", (2, 3, 7, 7), (2,), {"padding": 2}),
        ("max_pool2d", (2, 3, 7, 7), (3,), {"padding": 2, "dilation": 2}),
        ("max_pool2d", (1, 1, 3, 3), (4,), {}),
        ("avg_pool2d", (1, 1, 1, 1), (2,), {}),
        ("max_pool1d", (2, 3, 1), (2,), {}),
        ("adaptive_avg_pool2d", (1, 2, 0, 4), (2,), {}),
    ]
    for name, shape, args, opts in cases:
        with pytest.raises(RuntimeError) as te:
            getattr(torch.nn.functional, name)(torch.zeros(shape), *args, **opts)
        with pytest.raises(RuntimeError) as ee:
            getattr(P, name)(ember.zeros(*shape), *args, **opts)
        assert str(ee.value) == str(te.value).splitlines()[0]


@requires_torch
@pytest.mark.parametrize(
    "fn,kw",
    [
        ("max_pool1d", {"kernel_size": (1, 2)}),
        ("max_pool1d", {"kernel_size": 2, "stride": (1, 2)}),
        ("max_pool1d", {"kernel_size": 2, "padding": (1, 1)}),
        ("max_pool1d", {"kernel_size": 2, "dilation": (1, 2)}),
        ("avg_pool1d", {"kernel_size": (1, 2)}),
        ("avg_pool1d", {"kernel_size": 2, "stride": (1, 2)}),
        ("avg_pool1d", {"kernel_size": 2, "padding": (1, 1)}),
    ],
)
def test_1d_option_size_errors_match_torch(fn, kw):
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.nn.functional, fn)(torch.ones(1, 1, 8), **kw)
    with pytest.raises(RuntimeError) as ours:
        getattr(ember.nn.functional, fn)(ember.ones(1, 1, 8), **kw)
    assert str(ours.value) == str(theirs.value)
