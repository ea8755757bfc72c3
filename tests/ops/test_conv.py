"""Convolution against PyTorch: every option combination, forward and gradients (input, weight,
bias), higher-order gradients, float64 gradchecks, and PyTorch's errors for bad input.

Shapes are chosen to cover both column layouts of ember.ops._im2col: batch 1 or a large
output image takes the batch-outer path, a batch of small images the batch-inner path.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_torch, torch

import ember
from ember import _threads
from ember.ops import _im2col
from ember.ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d

# (batch, height, width): batch-outer (batch 1; 17x18 output >= 256 pixels) and batch-inner.
SIZES = [(1, 6, 7), (3, 7, 6), (2, 19, 20)]

CONV2D_OPTS = [
    {},
    {"stride": 2},
    {"padding": 1},
    {"padding": (2, 0), "stride": (2, 3)},
    {"dilation": 2},
    {"dilation": (2, 1), "padding": (1, 2)},
    {"padding": "same"},
    {"padding": "same", "dilation": 2},
    {"padding": "valid"},
    {"groups": 2},
    {"groups": 4, "stride": 2, "padding": 1},
]


def _arrays(shapes, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def _compare(fn_e, fn_t, arrays, rtol=1e-4, atol=1e-5):
    """Forward and every input's gradient, ember against torch."""
    ex = [ember.from_numpy(a.copy()).requires_grad_() for a in arrays]
    tx = [to_torch(x) for x in ex]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with an even kernel
        yt = fn_t(*tx)
    ye = fn_e(*ex)
    assert_close(ye, yt, rtol, atol)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(arrays[0].dtype)
    ye.backward(ember.from_numpy(g))
    yt.backward(torch.from_numpy(g))
    for e, t in zip(ex, tx):
        # float32 sums of many terms: the absolute error grows with the gradient's size
        scale = max(1.0, float(t.grad.abs().max()))
        assert_close(e.grad, t.grad, rtol, atol * scale)


@requires_torch
@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("opts", CONV2D_OPTS, ids=str)
@pytest.mark.parametrize("kernel", [(3, 3), (2, 3)], ids=str)
def test_conv2d_matches_torch(size, opts, kernel):
    n, h, w = size
    cin = 4
    arrays = _arrays([(n, cin, h, w), (8, cin // opts.get("groups", 1), *kernel), (8,)])
    _compare(
        lambda *a: conv2d(*a, **opts), lambda *a: torch.nn.functional.conv2d(*a, **opts), arrays
    )


@requires_torch
@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("opts", [{}, {"groups": 2, "stride": 2}], ids=str)
def test_conv2d_without_bias(size, opts):
    n, h, w = size
    arrays = _arrays([(n, 4, h, w), (6, 4 // opts.get("groups", 1), 3, 3)])
    _compare(
        lambda *a: conv2d(*a, **opts), lambda *a: torch.nn.functional.conv2d(*a, **opts), arrays
    )


@requires_torch
@pytest.mark.parametrize("n,length", [(1, 9), (3, 10), (2, 300)], ids=str)
@pytest.mark.parametrize(
    "opts",
    [{}, {"stride": 2}, {"padding": 2, "dilation": 2}, {"padding": "same"}, {"groups": 2}],
    ids=str,
)
def test_conv1d_matches_torch(n, length, opts):
    arrays = _arrays([(n, 4, length), (6, 4 // opts.get("groups", 1), 4), (6,)])
    _compare(
        lambda *a: conv1d(*a, **opts), lambda *a: torch.nn.functional.conv1d(*a, **opts), arrays
    )


CONVT_OPTS = [
    {},
    {"stride": 2},
    {"stride": 2, "output_padding": 1},
    {"stride": 3, "padding": 1, "output_padding": 2},
    # output_padding >= stride (allowed by dilation): the adjoint crops extra windows
    {"stride": 1, "dilation": 2, "output_padding": 1},
    {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)},
    {"groups": 2, "stride": 2, "padding": 2, "dilation": 2},
]


@requires_torch
@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("opts", CONVT_OPTS, ids=str)
def test_conv_transpose2d_matches_torch(size, opts):
    n, h, w = size
    arrays = _arrays([(n, 4, h, w), (4, 6 // opts.get("groups", 1), 3, 2), (6,)])
    _compare(
        lambda *a: conv_transpose2d(*a, **opts),
        lambda *a: torch.nn.functional.conv_transpose2d(*a, **opts),
        arrays,
    )


@requires_torch
@pytest.mark.parametrize("opts", [{}, {"stride": 2, "output_padding": 1, "groups": 2}], ids=str)
def test_conv_transpose1d_matches_torch(opts):
    arrays = _arrays([(2, 4, 7), (4, 6 // opts.get("groups", 1), 3), (6,)])
    _compare(
        lambda *a: conv_transpose1d(*a, **opts),
        lambda *a: torch.nn.functional.conv_transpose1d(*a, **opts),
        arrays,
    )


@requires_torch
def test_unbatched_input():
    arrays = _arrays([(4, 7, 6), (6, 4, 3, 3), (6,)])
    _compare(conv2d, torch.nn.functional.conv2d, arrays)
    arrays = _arrays([(4, 9), (6, 4, 3)])
    _compare(conv1d, torch.nn.functional.conv1d, arrays)
    arrays = _arrays([(4, 5, 5), (4, 2, 3, 3)])
    _compare(conv_transpose2d, torch.nn.functional.conv_transpose2d, arrays)


@requires_torch
@pytest.mark.parametrize("shape", [(3, 9, 10, 4), (1, 20, 20, 4)], ids=str)
def test_non_contiguous_input_and_weight(shape):
    """Views (a channels-last tensor permuted, a sliced weight) go in as they are."""
    a, wa = _arrays([shape, (4, 6, 3, 3)])
    res = []
    for lib, fn in ((ember, conv2d), (torch, torch.nn.functional.conv2d)):
        x, w = lib.from_numpy(a.copy()).requires_grad_(), lib.from_numpy(wa.copy()).requires_grad_()
        y = fn(x.permute(0, 3, 1, 2), w.transpose(0, 1)[:5], stride=(1, 2), padding=1)
        y.backward(lib.ones_like(y))
        res.append((y, x.grad, w.grad))
    for e, t in zip(*res):
        assert_close(e, t, 1e-4, 1e-4)
    assert res[0][0].is_contiguous()


@requires_torch
def test_float64_and_dtype_kept():
    arrays = _arrays([(2, 3, 6, 6), (4, 3, 3, 3), (4,)], "float64")
    _compare(
        lambda *a: conv2d(*a, padding=1),
        lambda *a: torch.nn.functional.conv2d(*a, padding=1),
        arrays,
        1e-10,
        1e-10,
    )
    x, w = (ember.from_numpy(a) for a in _arrays([(2, 3, 6, 6), (4, 3, 3, 3)]))
    assert conv2d(x, w).dtype == ember.float32


def test_empty_batch():
    x = ember.zeros(0, 3, 8, 8)
    w = ember.zeros(5, 3, 3, 3, requires_grad=True)
    y = conv2d(x, w)
    assert tuple(y.shape) == (0, 5, 6, 6)


def test_layouts_are_both_exercised():
    # SIZES relies on this rule of thumb; if it changes, the tests above should still cover both.
    geom = _im2col.Geometry((3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1, False)
    assert geom.layout(1, 5, 5) == _im2col.OUTER
    assert geom.layout(3, 5, 4) == _im2col.INNER
    assert geom.layout(2, 17, 18) == _im2col.OUTER


@requires_torch
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("opts", [{}, {"stride": 2, "padding": (1, 2)}, {"groups": 2}], ids=str)
def test_kernels_in_batch_slices(monkeypatch, opts, workers):
    # The kernels run in batch slices of _CHUNK samples at most, shared out among the worker
    # threads; 5 samples in slices of 2 leave a short last slice. Both layouts: the small
    # 6x7 images run batch-inner, the 20x17 ones (unstrided) batch-outer.
    monkeypatch.setattr(_im2col, "_CHUNK", 2)
    monkeypatch.setattr(_im2col, "_MIN_SPLIT", 0)
    monkeypatch.setattr(_threads, "_limit", workers)
    monkeypatch.setattr(_threads, "_chosen", True)
    assert len(_im2col._plan(5, 1, 1)) == 3
    arrays = _arrays([(5, 4, 6, 7), (6, 4 // opts.get("groups", 1), 3, 2), (6,)])
    _compare(
        lambda *a: conv2d(*a, **opts), lambda *a: torch.nn.functional.conv2d(*a, **opts), arrays
    )
    _compare(
        lambda y, w, b: conv_transpose2d(y, w, b, **opts),
        lambda y, w, b: torch.nn.functional.conv_transpose2d(y, w, b, **opts),
        _arrays([(5, 4, 5, 6), (4, 6 // opts.get("groups", 1), 3, 2), (6,)]),
    )
    _compare(
        lambda *a: conv2d(*a, **opts),
        lambda *a: torch.nn.functional.conv2d(*a, **opts),
        _arrays([(5, 4, 20, 17), (6, 4 // opts.get("groups", 1), 3, 2), (6,)]),
    )


@requires_torch
@pytest.mark.parametrize(
    "name,opts,shapes",
    [
        ("conv2d", {"stride": 2, "padding": 1}, [(2, 4, 7, 8), (6, 4, 3, 2), (6,)]),
        (
            "conv2d",
            {"groups": 2, "dilation": 2, "padding": "same"},
            [(3, 4, 6, 5), (6, 2, 3, 3), (6,)],
        ),
        ("conv2d", {}, [(1, 4, 18, 18), (6, 4, 3, 3), (6,)]),
        ("conv1d", {"stride": 2}, [(2, 4, 9), (6, 4, 3), (6,)]),
        (
            "conv_transpose2d",
            {"stride": 2, "output_padding": 1},
            [(2, 4, 5, 6), (4, 6, 3, 2), (6,)],
        ),
        (
            "conv_transpose2d",
            {"dilation": 2, "output_padding": 1, "groups": 2},
            [(1, 4, 5, 5), (4, 3, 3, 3), (6,)],
        ),
    ],
    ids=str,
)
def test_double_backward_matches_torch(name, opts, shapes):
    """create_graph=True: the gradients are differentiable again (backward is built from the
    three conv primitives, each with its own backward)."""
    arrays = _arrays(shapes, "float64")
    results = []
    for lib in (ember, torch):
        fn = getattr(ember.ops.conv if lib is ember else torch.nn.functional, name)
        xs = [lib.from_numpy(a.copy()).requires_grad_() for a in arrays]
        y = fn(*xs, **opts)
        grads = lib.autograd.grad((y * y).sum(), xs, create_graph=True)
        total = sum(((g * g) * (i + 1)).sum() for i, g in enumerate(grads))
        total.backward()
        results.append([x.grad.detach().numpy() for x in xs])
    for e, t in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize(
    "fn,shapes",
    [
        (lambda x, w, b: conv2d(x, w, b, stride=2, padding=1), [(2, 2, 5, 6), (3, 2, 3, 2), (3,)]),
        (
            lambda x, w, b: conv2d(x, w, b, groups=2, dilation=(1, 2)),
            [(2, 4, 5, 6), (4, 2, 2, 2), (4,)],
        ),
        (lambda x, w, b: conv1d(x, w, b, padding="same"), [(2, 2, 7), (3, 2, 4), (3,)]),
        (
            lambda x, w, b: conv_transpose2d(x, w, b, stride=2, output_padding=1),
            [(2, 2, 3, 3), (2, 3, 2, 2), (3,)],
        ),
    ],
)
def test_gradcheck(fn, shapes):
    xs = [ember.from_numpy(a).requires_grad_() for a in _arrays(shapes, "float64")]
    assert ember.autograd.gradcheck(fn, xs)
    assert ember.autograd.gradgradcheck(fn, xs)


def test_grad_fn_name_and_second_backward():
    x = ember.randn(2, 3, 6, 6, requires_grad=True)
    w = ember.randn(4, 3, 3, 3, requires_grad=True)
    y = conv2d(x, w)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    assert conv_transpose2d(x, ember.randn(3, 2, 3, 3)).grad_fn.name() == "ConvolutionBackward0"
    s = y.sum()
    s.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        s.backward()


def test_input_modified_in_place_before_backward_raises():
    x = ember.randn(2, 3, 6, 6, requires_grad=True)
    w = ember.randn(4, 3, 3, 3, requires_grad=True)
    h = x * 1.0
    y = conv2d(h, w).sum()
    with ember.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_no_graph_without_grad():
    x = ember.randn(2, 3, 6, 6)
    w = ember.randn(4, 3, 3, 3)
    y = conv2d(x, w)
    assert y.grad_fn is None and not y.requires_grad
    assert y.is_contiguous()
    assert tuple(y.view(y.size(0), -1).shape) == (2, 4 * 16)


# -- bad input: PyTorch's exception class and facts, and a clearer hint ---------------------


def _raises(match, fn, *args, exc=RuntimeError, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


def test_wrong_channel_count():
    x = ember.randn(64, 3, 28, 28)
    w = ember.randn(6, 1, 5, 5)
    msg = (
        r"Given groups=1, weight of size \[6, 1, 5, 5\], expected input\[64, 3, 28, 28\] to "
        r"have 1 channels, but got 3 channels instead$"
    )
    _raises(msg, conv2d, x, w)


@pytest.mark.parametrize("c", [1, 3])
def test_channels_last_hint(c):
    x = ember.randn(4, 28, 28, c)
    w = ember.randn(6, c, 5, 5)
    _raises(rf"to have {c} channels, but got 28 channels.*x\.permute\(0, 3, 1, 2\)", conv2d, x, w)
    _raises(r"x\.permute\(0, 2, 1\)", conv1d, ember.randn(4, 28, c), ember.randn(6, c, 5))


def test_hints_for_usual_layout_mistakes():
    w = ember.randn(6, 3, 5, 5)
    _raises(r"channels-last \(H, W, C\).*x\.permute\(2, 0, 1\)", conv2d, ember.randn(28, 28, 3), w)
    _raises(
        r"if 64 is the batch size.*x\.unsqueeze\(1\)",
        conv2d,
        ember.randn(64, 28, 28),
        ember.randn(6, 1, 5, 5),
    )
    _raises(r"flat rows need a reshape first", conv2d, ember.randn(64, 784), w)


def test_wrong_ndim_and_weight():
    w = ember.randn(6, 1, 5, 5)
    _raises(
        r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: "
        r"\[64, 784\]",
        conv2d,
        ember.randn(64, 784),
        w,
    )
    _raises(
        r"input to conv1d, but got input of size: \[2, 3, 4, 5\]",
        conv1d,
        ember.randn(2, 3, 4, 5),
        ember.randn(6, 3, 2),
    )
    _raises(r"conv2d: expected a 4-D weight", conv2d, ember.randn(1, 3, 8, 8), ember.randn(6, 3, 5))


def test_kernel_larger_than_padded_input():
    msg = (
        r"Calculated padded input size per channel: \(4 x 4\). Kernel size: \(5 x 5\). Kernel "
        r"size can't be greater than actual input size"
    )
    _raises(msg, conv2d, ember.randn(1, 1, 4, 4), ember.randn(6, 1, 5, 5))
    _raises(
        r"\(6 x 6\). Kernel size: \(7 x 7\)",
        conv2d,
        ember.randn(1, 1, 6, 6),
        ember.randn(1, 1, 3, 3),
        dilation=3,
    )
    _raises(
        r"size per channel: \(4\). Kernel size: \(5\)",
        conv1d,
        ember.randn(1, 1, 4),
        ember.randn(1, 1, 5),
    )


def test_option_errors():
    x, w = ember.randn(2, 4, 8, 8), ember.randn(4, 2, 3, 3)
    _raises("non-positive stride is not supported", conv2d, x, ember.randn(4, 4, 3, 3), stride=0)
    _raises("negative padding is not supported", conv2d, x, ember.randn(4, 4, 3, 3), padding=-1)
    _raises(
        "non-positive dilation is not supported", conv2d, x, ember.randn(4, 4, 3, 3), dilation=0
    )
    _raises("non-positive groups is not supported", conv2d, x, w, groups=0)
    _raises(
        r"expected weight to be divisible by 2 at dimension 0",
        conv2d,
        x,
        ember.randn(5, 2, 3, 3),
        groups=2,
    )
    _raises(
        "padding='same' is not supported for strided convolutions",
        conv2d,
        x,
        w,
        groups=2,
        stride=2,
        padding="same",
    )
    _raises("Invalid padding string: 'full'", conv2d, x, w, groups=2, padding="full")
    _raises(
        r"a list of 2 values .* but got stride=\[1, 2, 3\]",
        conv2d,
        x,
        w,
        groups=2,
        stride=(1, 2, 3),
    )
    _raises(
        r"expected bias to be 1-dimensional with 4 elements, but got bias of size \[5\]",
        conv2d, x, w, ember.randn(5), groups=2,
    )  # fmt: skip


def test_dtype_mismatch():
    x, w = ember.randn(1, 2, 5, 5), ember.randn(3, 2, 3, 3)
    _raises(
        r"Input type \(torch.FloatTensor\) and weight type \(torch.DoubleTensor\)",
        conv2d,
        x,
        w.double(),
    )
    _raises(r"Input type \(float\) and bias type \(double\)", conv2d, x, w, ember.randn(3).double())


def test_conv_transpose_errors():
    x = ember.randn(2, 3, 5, 5)
    _raises(
        r"Given transposed=1, weight of size \[6, 1, 5, 5\], expected input\[2, 3, 5, 5\] to have "
        "6 channels, but got 3 channels instead",
        conv_transpose2d, x, ember.randn(6, 1, 5, 5),
    )  # fmt: skip
    _raises(
        "output padding must be smaller than either stride or dilation, but got "
        "output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 "
        "dilation_height: 1 dilation_width: 1",
        conv_transpose2d, x, ember.randn(3, 1, 3, 3), output_padding=1,
    )  # fmt: skip
    _raises(
        r"Given input size per channel: \(1 x 1\). Calculated output size per channel: "
        r"\(-1 x -1\). Output size is too small",
        conv_transpose2d, ember.randn(1, 4, 1, 1), ember.randn(4, 3, 1, 1), padding=1,
    )  # fmt: skip
    _raises(
        "argument 'padding' must be tuple of ints, not str",
        conv_transpose2d,
        x,
        ember.randn(3, 1, 3, 3),
        padding="same",
        exc=TypeError,
    )
    _raises(
        r"input to conv_transpose2d, but got input of size: \[4, 5\]",
        conv_transpose2d,
        ember.randn(4, 5),
        ember.randn(4, 3, 3, 3),
    )


@requires_torch
def test_messages_match_torch_facts():
    """Where ember repeats PyTorch's message, it is PyTorch's message."""
    cases = [
        ((64, 3, 28, 28), (6, 1, 5, 5), {}),
        ((1, 1, 4, 4), (6, 1, 5, 5), {}),
        ((2, 4, 8, 8), (4, 4, 3, 3), {"stride": 0}),
        ((2, 4, 8, 8), (4, 4, 3, 3), {"padding": "same", "stride": 2}),
        ((64, 784), (6, 1, 5, 5), {}),
    ]
    for xs, ws, opts in cases:
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.conv2d(torch.zeros(xs), torch.zeros(ws), **opts)
        with pytest.raises(RuntimeError) as ee:
            conv2d(ember.zeros(*xs), ember.zeros(*ws), **opts)
        # PyTorch's words first; ember may add a hint after them.
        assert str(ee.value).startswith(str(te.value).splitlines()[0])
