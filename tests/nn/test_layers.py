"""Every layer against PyTorch: same weights, same input, same outputs and gradients."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember
from ember import nn

pytestmark = requires_torch


def _pair(name, *args, **kwargs):
    return getattr(torch.nn, name)(*args, **kwargs), getattr(nn, name)(*args, **kwargs)


def _x(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


LAYERS = [
    ("Linear", (5, 3), {}, [(4, 5)]),
    ("Linear", (5, 3), {"bias": False}, [(4, 5)]),
    ("Linear", (5, 3), {}, [(2, 4, 5)]),
    ("Linear", (5, 3), {}, [(5,)]),
    ("Bilinear", (4, 3, 2), {}, [(5, 4), (5, 3)]),
    ("Bilinear", (4, 3, 2), {"bias": False}, [(2, 5, 4), (2, 5, 3)]),
    ("Identity", (3,), {"x": 1}, [(2, 3)]),
    ("Flatten", (), {}, [(2, 3, 4, 5)]),
    ("Flatten", (0, 2), {}, [(2, 3, 4, 5)]),
    ("Unflatten", (1, (3, 4)), {}, [(2, 12)]),
    ("Unflatten", (-1, (2, -1)), {}, [(2, 3, 8)]),
    ("PReLU", (), {}, [(4, 3, 2)]),
    ("PReLU", (3,), {"init": 0.1}, [(4, 3, 2)]),
    ("BatchNorm1d", (3,), {}, [(6, 3)]),
    ("BatchNorm1d", (3,), {}, [(6, 3, 5)]),
    ("BatchNorm1d", (3,), {"affine": False, "momentum": None}, [(6, 3)]),
    ("BatchNorm1d", (3,), {"track_running_stats": False}, [(6, 3)]),
    ("BatchNorm2d", (3,), {}, [(4, 3, 5, 5)]),
    ("BatchNorm2d", (3,), {"momentum": 0.5, "eps": 1e-3, "bias": False}, [(4, 3, 2, 2)]),
    ("LayerNorm", (5,), {}, [(4, 5)]),
    ("LayerNorm", ((3, 4),), {}, [(2, 3, 4)]),
    ("LayerNorm", (4,), {"elementwise_affine": False}, [(2, 3, 4)]),
    ("LayerNorm", (4,), {"bias": False, "eps": 1e-3}, [(2, 3, 4)]),
    ("GroupNorm", (2, 4), {}, [(3, 4, 5)]),
    ("GroupNorm", (1, 4), {}, [(3, 4, 2, 2)]),
    ("GroupNorm", (4, 4), {"affine": False}, [(3, 4, 6)]),
]


@pytest.mark.parametrize(
    "name,args,kwargs,shapes", LAYERS, ids=[f"{n}-{i}" for i, (n, *_) in enumerate(LAYERS)]
)
def test_layer_matches_torch(check_module, name, args, kwargs, shapes):
    tmod, emod = _pair(name, *args, **kwargs)
    if any(p.numel() for p in tmod.parameters()):
        # Non-default weights, so the affine parts are really exercised.
        with torch.no_grad():
            for p in tmod.parameters():
                p.copy_(torch.randn_like(p))
    inputs = [_x(*s, seed=i) for i, s in enumerate(shapes)]
    check_module(tmod, emod, inputs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["BatchNorm1d", "BatchNorm2d"])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats_over_steps_then_eval(check_module, name, momentum):
    tmod, emod = _pair(name, 3, momentum=momentum)
    shape = (8, 3) if name == "BatchNorm1d" else (4, 3, 3, 3)
    for step in range(3):
        check_module(tmod, emod, [_x(*shape, seed=step) * (step + 1) + step], 1e-4, 1e-5)
        # Keep the two running states in lock-step for the next comparison.
        emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    assert int(emod.num_batches_tracked) == 3
    tmod.eval()
    emod.eval()
    check_module(tmod, emod, [_x(*shape, seed=9)], 1e-4, 1e-5)


def test_batchnorm_eval_without_running_stats_uses_batch():
    tmod, emod = _pair("BatchNorm1d", 3, track_running_stats=False)
    tmod.eval()
    emod.eval()
    x = _x(5, 3)
    assert_close(emod(ember.from_numpy(x)), tmod(torch.from_numpy(x)), 1e-5, 1e-6)


def test_batchnorm_float64_gradcheck():
    bn = nn.BatchNorm1d(3).double()
    x = ember.tensor(_x(5, 3, dtype=np.float64), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: bn(a), (x,))
    assert ember.autograd.gradgradcheck(lambda a: (bn(a) ** 2).sum(), (x,))


def test_layernorm_groupnorm_gradcheck():
    ln = nn.LayerNorm(4).double()
    gn = nn.GroupNorm(2, 4).double()
    x = ember.tensor(_x(3, 4, dtype=np.float64), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: ln(a), (x,))
    assert ember.autograd.gradcheck(lambda a: gn(a), (x,))


def test_linear_grad_names_and_dtype():
    fc = nn.Linear(3, 2)
    y = fc(ember.randn(4, 3))
    assert y.dtype == ember.float32
    assert y.grad_fn.name() == "AddmmBackward0"
    assert nn.Linear(3, 2, bias=False)(ember.randn(4, 3)).grad_fn.name() == "MmBackward0"


def test_linear_double_backward():
    fc = nn.Linear(3, 2).double()
    x = ember.tensor(_x(4, 3, dtype=np.float64), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda a: (fc(a) ** 2).sum(), (x,))


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_train_eval(p):
    d = nn.Dropout(p)
    x = ember.ones(2000, requires_grad=True)
    y = d(x)
    kept = y.detach().numpy() != 0
    if p < 1:
        np.testing.assert_allclose(y.detach().numpy()[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.05
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, kept)
    d.eval()
    assert d(x) is x
    assert y.dtype == ember.float32


def test_dropout2d_drops_whole_channels():
    x = ember.ones(8, 16, 4, 4)
    y = nn.Dropout2d(0.5)(x).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        nn.Dropout2d()(ember.ones(2, 3, 4))


@requires_torch
def test_functional_dropout_matches_torch_semantics():
    """PyTorch's random stream differs, so the facts: identity (the same object) when not
    training or p == 0, zeros at p == 1, channel-wise masks scaled by 1/(1-p), and a gradient
    equal to the mask, through MulBackward0."""
    for L in (ember, torch):
        F = L.nn.functional
        x = L.ones(4, 6, 3, 3, requires_grad=True)
        assert F.dropout(x, 0.5, training=False) is x
        assert F.dropout2d(x, 0.5, training=False) is x
        assert F.dropout(x, 0.0) is x
        assert F.dropout(x, 1.0).abs().sum().item() == 0
        y = F.dropout2d(x, 0.5)
        assert y.grad_fn.name() == "MulBackward0" and y.dtype == x.dtype
        y.sum().backward()
        per_channel = y.detach().numpy().reshape(4, 6, -1)
        assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
        np.testing.assert_array_equal(x.grad.numpy().reshape(4, 6, -1), per_channel)


def test_dropout_bad_p():
    with pytest.raises(
        ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"
    ):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="but got -0.1"):
        nn.functional.dropout(ember.ones(2), -0.1)


def test_dropout_inplace():
    x = ember.ones(100)
    y = nn.Dropout(0.5, inplace=True)(x)
    assert y is x and (x.numpy() == 0).any()


# -- Embedding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"padding_idx": 0}, {"padding_idx": -1}, {"scale_grad_by_freq": True}],
)
def test_embedding_matches_torch(check_module, kwargs):
    tmod, emod = _pair("Embedding", 10, 3, **kwargs)
    idx = np.array([[1, 2, 9], [0, 3, 1]], np.int64)
    check_module(tmod, emod, [idx])


def test_embedding_max_norm_renormalises_used_rows(copy_weights):
    tmod, emod = _pair("Embedding", 6, 4, max_norm=1.0)
    copy_weights(tmod, emod)
    idx = np.array([1, 3, 3], np.int64)
    assert_close(emod(ember.from_numpy(idx)), tmod(torch.from_numpy(idx)))
    assert_close(emod.weight, tmod.weight)


def test_embedding_sparse_gradient_matches_dense():
    emod = nn.Embedding(10, 3, sparse=True, padding_idx=0)
    tmod = torch.nn.Embedding(10, 3, sparse=True, padding_idx=0)
    emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    idx = np.array([[1, 2, 1], [0, 3, 1]], np.int64)
    for _ in range(2):  # the second backward accumulates
        emod(ember.from_numpy(idx)).sum().backward()
        tmod(torch.from_numpy(idx)).sum().backward()
    g = emod.weight.grad
    assert g.is_sparse and g.layout == "torch.sparse_coo" and g.shape == (10, 3)
    assert_close(g.to_dense(), tmod.weight.grad.to_dense())
    c = g.coalesce()
    assert c.is_coalesced()
    np.testing.assert_array_equal(c.indices().numpy(), tmod.weight.grad.coalesce().indices())
    assert_close(c.values(), tmod.weight.grad.coalesce().values())
    with pytest.raises(RuntimeError, match="Cannot get indices on an uncoalesced tensor"):
        emod.weight.grad.indices()


def test_embedding_sparse_repr_matches_torch():
    emod = nn.Embedding(10, 3, sparse=True, padding_idx=0)
    emod(ember.tensor([[1, 2, 1], [0, 3, 1]])).sum().backward()
    tmod = torch.nn.Embedding(10, 3, sparse=True, padding_idx=0)
    tmod(torch.tensor([[1, 2, 1], [0, 3, 1]])).sum().backward()
    assert repr(emod.weight.grad) == repr(tmod.weight.grad)


def test_embedding_from_pretrained_and_errors():
    w = ember.randn(4, 2)
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad and e.weight.data_ptr() == w.data_ptr()
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(IndexError, match="index out of range in self"):
        e(ember.tensor([4]))
    with pytest.raises(IndexError, match="index out of range in self"):
        e(ember.tensor([-1]))
    with pytest.raises(RuntimeError, match="Long, Int; but got torch.FloatTensor instead"):
        e(ember.tensor([1.0]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)


def test_embedding_double_backward():
    w = ember.tensor(_x(5, 2, dtype=np.float64), requires_grad=True)
    idx = ember.tensor([1, 1, 3])
    assert ember.autograd.gradgradcheck(
        lambda a: (nn.functional.embedding(idx, a) ** 2).sum(), (w,)
    )


# -- errors -------------------------------------------------------------------------------------


def test_linear_wrong_width_names_layer_and_suggests_flatten():
    fc = nn.Linear(400, 120)
    with pytest.raises(RuntimeError) as e:
        fc(ember.zeros(64, 784))
    assert str(e.value) == (
        "Linear(in_features=400, out_features=120, bias=True): mat1 and mat2 shapes cannot be "
        "multiplied (64x784 and 400x120)"
    )
    with pytest.raises(RuntimeError) as e:
        fc(ember.zeros(64, 1, 28, 28))
    msg = str(e.value)
    assert "mat1 and mat2 shapes cannot be multiplied (1792x28 and 400x120)" in msg
    assert "nn.Flatten()" in msg and "[64, 784]" in msg and "in_features should be 784" in msg


def test_linear_dtype_mismatch_message():
    with pytest.raises(
        RuntimeError, match="mat1 and mat2 must have the same dtype, but got Double"
    ):
        nn.Linear(3, 2)(ember.zeros(2, 3, dtype=ember.float64))


def test_norm_layer_errors():
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(ember.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(ember.zeros(2, 3, 4, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        nn.BatchNorm1d(3)(ember.zeros(2, 4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(ember.zeros(1, 3))
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 4, 5\]"):
        nn.LayerNorm((4, 5))(ember.zeros(2, 5, 4))
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="Expected weight to be a vector of size equal"):
        nn.GroupNorm(2, 4)(ember.zeros(2, 6, 3))
