"""Conv and pooling layers against torch.nn: copied weights in, the same outputs and gradients
out; printed like torch; PyTorch's default initialisation; errors that name the layer."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember
from ember import nn


def _run_both(emod, tmod, shape, seed=0):
    """Copy torch's weights into ember's module, run both, compare output and all gradients."""
    result = emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    xe = ember.from_numpy(a.copy()).requires_grad_()
    xt = torch.from_numpy(a.copy()).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with an even kernel
        yt = tmod(xt)
    ye = emod(xe)
    if isinstance(yt, tuple):
        assert np.array_equal(ye[1].numpy(), yt[1].numpy())
        ye, yt = ye[0], yt[0]
    assert_close(ye, yt, 1e-4, 1e-5)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    ye.backward(ember.from_numpy(g))
    yt.backward(torch.from_numpy(g))
    assert_close(xe.grad, xt.grad, 1e-4, 1e-4)
    for (_, pe), (_, pt) in zip(emod.named_parameters(), tmod.named_parameters()):
        scale = max(1.0, float(pt.grad.abs().max()))
        assert_close(pe.grad, pt.grad, 1e-4, 1e-4 * scale)


CONV_CASES = [
    ("Conv2d", (1, 6, 5), {"padding": 2}, (4, 1, 28, 28)),
    ("Conv2d", (6, 16, 5), {}, (4, 6, 14, 14)),
    (
        "Conv2d",
        (4, 8, (3, 2)),
        {"stride": 2, "padding": 1, "dilation": 2, "groups": 2},
        (2, 4, 9, 8),
    ),
    ("Conv2d", (3, 4, 4), {"padding": "same", "bias": False}, (2, 3, 7, 7)),
    ("Conv2d", (3, 4, 3), {"padding": "valid"}, (3, 7, 7)),
    ("Conv1d", (3, 6, 4), {"stride": 2, "padding": 1, "dilation": 2, "groups": 3}, (2, 3, 20)),
    ("Conv1d", (2, 4, 3), {"padding": "same"}, (2, 2, 9)),
    ("ConvTranspose2d", (4, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 4, 5, 5)),
    ("ConvTranspose2d", (4, 6, (3, 2)), {"groups": 2, "dilation": 2, "bias": False}, (1, 4, 4, 5)),
    ("ConvTranspose1d", (4, 2, 3), {"stride": 3}, (2, 4, 6)),
]


@requires_torch
@pytest.mark.parametrize("name,args,kwargs,shape", CONV_CASES, ids=str)
def test_conv_layers_match_torch(name, args, kwargs, shape):
    emod, tmod = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(emod) == repr(tmod)
    assert list(emod.state_dict()) == list(tmod.state_dict())
    for attr in ("kernel_size", "stride", "padding", "dilation", "output_padding", "groups"):
        assert getattr(emod, attr) == getattr(tmod, attr), attr
    _run_both(emod, tmod, shape)


@requires_torch
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_match_torch(mode):
    for args, kwargs, shape in [
        ((2, 3, 3), {"padding": 1}, (2, 2, 6, 7)),
        ((2, 3, (3, 4)), {"padding": "same", "dilation": 2}, (1, 2, 8, 9)),
    ]:
        kw = dict(kwargs, padding_mode=mode)
        emod, tmod = nn.Conv2d(*args, **kw), torch.nn.Conv2d(*args, **kw)
        assert repr(emod) == repr(tmod)
        _run_both(emod, tmod, shape)
    emod, tmod = (
        nn.Conv1d(2, 3, 3, padding=2, padding_mode=mode),
        torch.nn.Conv1d(2, 3, 3, padding=2, padding_mode=mode),
    )
    _run_both(emod, tmod, (2, 2, 7))


@requires_torch
def test_conv_transpose_output_size():
    emod, tmod = nn.ConvTranspose2d(4, 2, 3, stride=2), torch.nn.ConvTranspose2d(4, 2, 3, stride=2)
    emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    a = np.random.default_rng(0).standard_normal((1, 4, 5, 5)).astype(np.float32)
    for size in ([12, 12], [11, 12], [1, 2, 12, 11]):
        ye = emod(ember.from_numpy(a), output_size=size)
        yt = tmod(torch.from_numpy(a), output_size=size)
        assert_close(ye, yt, 1e-5, 1e-5)
    with pytest.raises(ValueError, match=r"requested an output size of \[13, 13\], but valid"):
        emod(ember.from_numpy(a), output_size=[13, 13])
    with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
        emod(ember.from_numpy(a), output_size=[10])


POOL_CASES = [
    ("MaxPool2d", (2,), {}, (2, 3, 8, 9)),
    ("MaxPool2d", (3, 1, 1, 2, True, True), {}, (2, 2, 7, 7)),
    ("MaxPool2d", ((2, 3),), {"ceil_mode": True}, (1, 2, 7, 8)),
    ("MaxPool1d", (3, 2, 1), {"ceil_mode": True}, (2, 3, 9)),
    ("AvgPool2d", (2,), {}, (2, 3, 10, 10)),
    ("AvgPool2d", (3, 1, 1, True, False, None), {}, (2, 2, 7, 7)),
    ("AvgPool2d", ((2, 3),), {"divisor_override": 4}, (1, 2, 7, 8)),
    ("AvgPool1d", (3, 2, 1, True, False), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 7, 7)),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, (2, 3, 7, 8)),
    ("AdaptiveMaxPool2d", ((2, 3),), {}, (2, 3, 7, 8)),
    ("AdaptiveMaxPool2d", (4, True), {}, (2, 3, 8, 8)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 8)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 8)),
]


@requires_torch
@pytest.mark.parametrize("name,args,kwargs,shape", POOL_CASES, ids=str)
def test_pool_layers_match_torch(name, args, kwargs, shape):
    emod, tmod = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(emod) == repr(tmod)
    for attr in ("kernel_size", "stride", "padding", "output_size", "return_indices"):
        if hasattr(tmod, attr):
            assert getattr(emod, attr) == getattr(tmod, attr), attr
    _run_both(emod, tmod, shape)


@requires_torch
def test_lenet_features_in_sequential_match_torch():
    """The seed's LeNet-5 feature extractor, then the flatten idiom `x.view(x.size(0), -1)`."""

    def make(T):
        m = T.nn
        return m.Sequential(
            m.Conv2d(1, 6, kernel_size=5, padding=2), m.ReLU(), m.MaxPool2d(2),
            m.Conv2d(6, 16, kernel_size=5), m.ReLU(), m.AvgPool2d(2),
        )  # fmt: skip

    emod, tmod = make(ember), make(torch)
    emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    a = np.random.default_rng(0).standard_normal((8, 1, 28, 28)).astype(np.float32)
    ye = emod(ember.from_numpy(a))
    yt = tmod(torch.from_numpy(a))
    assert ye.is_contiguous()
    fe, ft = ye.view(ye.size(0), -1), yt.view(yt.size(0), -1)
    assert_close(fe, ft, 1e-4, 1e-5)
    fe.sum().backward()
    ft.sum().backward()
    for pe, pt in zip(emod.parameters(), tmod.parameters()):
        assert_close(pe.grad, pt.grad, 1e-4, 1e-3)


# -- initialisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make,fan_in",
    [
        (lambda: nn.Conv2d(16, 32, 5), 16 * 25),
        (lambda: nn.Conv2d(8, 32, 3, groups=4), 2 * 9),
        (lambda: nn.Conv1d(4, 64, 7), 4 * 7),
        # ConvTranspose's weight is (in, out/groups, k...): PyTorch takes fan_in from dim 1.
        (lambda: nn.ConvTranspose2d(16, 8, 4), 8 * 16),
    ],
)
def test_default_init_is_pytorchs(make, fan_in):
    """kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias the same."""
    m = make()
    bound = 1 / math.sqrt(fan_in)
    w = m.weight.detach().numpy()
    assert w.dtype == np.float32 and m.weight.requires_grad
    assert np.abs(w).max() <= bound * (1 + 1e-6)
    assert np.abs(w).max() > 0.9 * bound  # spread over the whole interval
    assert abs(w.std() - bound / math.sqrt(3)) < 0.15 * bound
    b = m.bias.detach().numpy()
    assert np.abs(b).max() <= bound * (1 + 1e-6) and b.std() > 0


def test_bias_false_and_dtype():
    m = nn.Conv2d(2, 3, 3, bias=False, dtype=ember.float64)
    assert m.bias is None and list(m.state_dict()) == ["weight"]
    assert m.weight.dtype == ember.float64
    assert [n for n, _ in m.named_parameters()] == ["weight"]


# -- bad input and options --------------------------------------------------------------------


def test_channels_last_input_names_layer_and_suggests_permute():
    m = nn.Conv2d(1, 6, 5)
    with pytest.raises(RuntimeError) as e:
        m(ember.randn(64, 28, 28, 1))
    msg = str(e.value)
    assert msg.startswith("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1)): Given groups=1")
    assert "expected input[64, 28, 28, 1] to have 1 channels, but got 28 channels" in msg
    assert "x.permute(0, 3, 1, 2)" in msg
    m3 = nn.Conv2d(3, 8, 3)
    with pytest.raises(RuntimeError, match=r"permute\(0, 3, 1, 2\)"):
        m3(ember.randn(2, 32, 32, 3))


def test_wrong_input_names_layer():
    with pytest.raises(RuntimeError, match=r"^Conv2d\(1, 6, .*input to conv2d, but got input"):
        nn.Conv2d(1, 6, 5)(ember.randn(64, 784))
    with pytest.raises(RuntimeError, match=r"^Conv1d\(1, 2, kernel_size=\(5,\).*Kernel size"):
        nn.Conv1d(1, 2, 5)(ember.randn(1, 1, 3))
    with pytest.raises(RuntimeError, match=r"^MaxPool2d\(kernel_size=2.*Output size is too small"):
        nn.MaxPool2d(2)(ember.randn(1, 1, 1, 1))
    with pytest.raises(RuntimeError, match=r"^ConvTranspose2d\(6, 2.*to have 6 channels"):
        nn.ConvTranspose2d(6, 2, 3)(ember.randn(1, 3, 5, 5))


@requires_torch
@pytest.mark.parametrize(
    "name,args,kwargs",
    [
        ("Conv2d", (4, 4, 3), {"groups": 0}),
        ("Conv2d", (3, 4, 3), {"groups": 2}),
        ("Conv2d", (4, 3, 3), {"groups": 2}),
        ("Conv2d", (4, 3, 3), {"padding": "foo"}),
        ("Conv2d", (4, 3, 3), {"padding": "same", "stride": 2}),
        ("Conv2d", (4, 3, 3), {"padding_mode": "foo"}),
        ("ConvTranspose2d", (4, 3, 3), {"padding_mode": "reflect"}),
    ],
    ids=str,
)
def test_constructor_errors_match_torch(name, args, kwargs):
    with pytest.raises(ValueError) as te:
        getattr(torch.nn, name)(*args, **kwargs)
    with pytest.raises(ValueError) as ee:
        getattr(nn, name)(*args, **kwargs)
    assert _sorted_sets(str(ee.value)) == _sorted_sets(str(te.value))


def _sorted_sets(msg: str) -> str:
    """torch prints a Python set in one message: its order varies from run to run."""
    return re.sub(r"\{([^}]*)\}", lambda m: "{" + ", ".join(sorted(m[1].split(", "))) + "}", msg)


def test_functional_names():
    F = nn.functional
    for name in (
        "conv1d conv2d conv_transpose1d conv_transpose2d max_pool1d max_pool2d avg_pool1d "
        "avg_pool2d adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool1d "
        "adaptive_max_pool2d max_pool2d_with_indices"
    ).split():
        assert callable(getattr(F, name)), name
