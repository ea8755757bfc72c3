"""class Tensor against PyTorch: metadata, conversions, copies and views, and the autograd
attributes (requires_grad, grad, grad_fn names, .data). repr is in test_formatting.py."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember


def _both(fn):
    return fn(ember), fn(torch)


# -- metadata -----------------------------------------------------------------------------------


def test_shape_size_dim_numel():
    x = ember.zeros(2, 3)
    assert x.shape == (2, 3) and isinstance(x.shape, ember.Size)
    assert x.size() == ember.Size([2, 3])
    assert x.size(1) == 3 and x.size(-1) == 3
    assert x.dim() == x.ndim == 2
    assert x.numel() == x.nelement() == 6
    assert len(x) == 2
    assert ember.zeros(()).numel() == 1
    assert repr(x.shape) == "torch.Size([2, 3])"
    assert repr(x.shape[1:]) == "torch.Size([3])"
    assert x.shape + (4,) == (2, 3, 4)
    assert ember.Size([2, 3]).numel() == 6
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of"):
        x.size(2)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(ember.tensor(1.0))


def test_dtype_device_element_size():
    x = ember.ones(2)
    assert x.dtype is ember.float32
    assert x.device == ember.device("cpu")
    assert x.element_size() == 4
    assert ember.ones(1, dtype=ember.int64).element_size() == 8
    assert x.is_floating_point() and not ember.ones(1, dtype=ember.int8).is_floating_point()
    assert ember.is_tensor(x) and not ember.is_tensor([1])


@requires_torch
def test_item_and_tolist_match_torch():
    for fn in (
        lambda T: T.tensor([2.5]).item(),
        lambda T: type(T.tensor([2]).item()).__name__,
        lambda T: type(T.tensor(True).item()).__name__,
        lambda T: T.tensor([[1.5, 2.0]]).tolist(),
        lambda T: T.tensor(3).tolist(),
        lambda T: T.tensor([True]).tolist(),
        lambda T: T.tensor([1, 2], dtype=T.uint8).tolist(),
        lambda T: int(T.tensor([2.7])),
        lambda T: float(T.tensor(3)),
        lambda T: bool(T.tensor([0.0])),
        lambda T: [1, 2, 3][T.tensor(1)],
        lambda T: f"{T.tensor(2.5):.2f}",
    ):
        e, t = _both(fn)
        assert e == t and type(e) is type(t)
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to"):
        ember.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        bool(ember.zeros(2))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{ember.tensor([2.5]):.2f}"


def test_numpy_shares_memory():
    x = ember.zeros(3)
    a = x.numpy()
    a[0] = 7
    assert x[0].item() == 7
    x.add_(1)
    assert a[1] == 1
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        ember.ones(1, requires_grad=True).numpy()
    assert ember.ones(1, requires_grad=True).detach().numpy()[0] == 1


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda T: T.tensor([1, 2]).float(),
        lambda T: T.tensor([1.7, -1.7]).long(),
        lambda T: T.tensor([1.7, -1.7]).int(),
        lambda T: T.tensor([1.7, 0.0]).bool(),
        lambda T: T.tensor([1.7]).double(),
        lambda T: T.tensor([1.7]).half(),
        lambda T: T.tensor([300]).byte(),
        lambda T: T.tensor([1.5]).to(T.int64),
        lambda T: T.tensor([1.5]).to("cpu", T.float64),
        lambda T: T.tensor([1.5]).to(dtype=T.int32),
        lambda T: T.tensor([1.5]).to(T.tensor([1])),
        lambda T: T.tensor([1.5]).type(T.int64),
        lambda T: T.tensor([1.5]).type("torch.DoubleTensor"),
        lambda T: T.tensor([1.5]).type_as(T.tensor([1])),
    ],
)
def test_conversions_match_torch(fn):
    e, t = _both(fn)
    assert repr(e) == repr(t)


@requires_torch
def test_type_strings_match_torch():
    for name in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8"):
        e, t = _both(lambda T, n=name: T.zeros(1, dtype=getattr(T, n)).type())
        assert e == t
    assert ember.tensor([True]).type() == "torch.BoolTensor"


def test_to_returns_self_when_nothing_changes():
    x = ember.ones(2)
    assert x.to(ember.float32) is x
    assert x.float() is x
    assert x.to("cpu") is x
    assert x.to(ember.float32, copy=True) is not x
    assert x.contiguous() is x


# -- copies and views -------------------------------------------------------------------------


def test_clone_copies_and_records():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.data_ptr() != x.data_ptr()
    assert c.grad_fn.name() == "CloneBackward0"
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_detach_shares_storage_and_version():
    x = ember.tensor([1.0, 2.0], requires_grad=True) * 2
    d = x.detach()
    assert d.data_ptr() == x.data_ptr()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d.add_(1)
    assert x.tolist() == [3.0, 5.0]
    assert x._version == d._version == 1


def test_data_get_is_detached_alias():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    d.mul_(3)
    assert x.tolist() == [3.0, 6.0]
    # .data has its own version counter: autograd does not see the change.
    y = x.exp()
    y.data.add_(1)
    y.sum().backward()


def test_data_set_swaps_storage():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.data = ember.tensor([5.0, 6.0, 7.0])
    assert x.tolist() == [5.0, 6.0, 7.0] and x.requires_grad and x.is_leaf
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        x.data = [1.0]


@requires_torch
def test_seed_003_trains_with_data_assignment():
    # w.data = w.data - lr * w.grad.data; w.grad.data.zero_(), as in seed 003.
    results = []
    for T in (ember, torch):
        w = T.tensor([1.0, -2.0], requires_grad=True)
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]])
        y = T.tensor([1.0, 2.0])
        for _ in range(5):
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            w.data = w.data - 0.01 * w.grad.data
            w.grad.data.zero_()
        results.append((w.tolist(), w.is_leaf, w.requires_grad, w.grad.tolist()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    assert results[0][1:] == results[1][1:]


@requires_torch
@pytest.mark.parametrize(
    "name, view, write",
    [
        ("view", lambda x: x.view(3, 2), lambda v: v.add_(1)),
        ("reshape", lambda x: x.reshape(6), lambda v: v.add_(1)),
        ("transpose", lambda x: x.t(), lambda v: v[0, 1].fill_(5)),
        ("permute", lambda x: x.permute(1, 0), lambda v: v.mul_(2).add_(1)),
        ("slice", lambda x: x[1:], lambda v: v.fill_(5)),
        ("column", lambda x: x[:, 1], lambda v: v.fill_(5)),
        ("step", lambda x: x[:, ::2], lambda v: v.fill_(5)),
        ("element", lambda x: x[1, 2], lambda v: v.fill_(5)),
        ("unsqueeze", lambda x: x.unsqueeze(0), lambda v: v.fill_(5)),
        ("narrow", lambda x: x.narrow(1, 1, 2), lambda v: v.fill_(5)),
        ("flatten", lambda x: x.flatten(), lambda v: v.fill_(5)),
        ("detach", lambda x: x.detach(), lambda v: v.fill_(5)),
        ("select_then_view", lambda x: x[0].view(1, 3), lambda v: v.fill_(5)),
    ],
)
def test_views_share_memory(name, view, write):
    out = []
    for T in (ember, torch):
        x = T.arange(6.0).reshape(2, 3)
        v = view(x)
        write(v)
        out.append((x.tolist(), v.data_ptr() >= x.data_ptr(), x._version))
    assert out[0][:2] == out[1][:2]


def test_expand_shares_memory():
    x = ember.zeros(1, 2)
    e = x.expand(3, 2)
    assert e.data_ptr() == x.data_ptr()
    assert e.stride() == (0, 1)
    x.fill_(4)
    assert e.tolist() == [[4.0, 4.0]] * 3


def test_reshape_of_non_contiguous_copies():
    x = ember.zeros(2, 3)
    r = x.t().reshape(6)
    r.fill_(1)
    assert x.sum().item() == 0


@requires_torch
def test_contiguity_and_strides_match_torch():
    cases = [
        lambda T: T.zeros(2, 3),
        lambda T: T.zeros(2, 3).t(),
        lambda T: T.zeros(3, 4)[:, 1:],
        lambda T: T.zeros(3, 4)[1:],
        lambda T: T.zeros(1, 2).expand(3, 2),
        lambda T: T.zeros(3, 1).t(),
        lambda T: T.zeros(5)[::2],
        lambda T: T.zeros(2, 1, 3).permute(1, 0, 2),
        lambda T: T.zeros(4, 1)[::2],
        lambda T: T.zeros(2, 3, 4).transpose(0, 1),
        lambda T: T.zeros(2, 3).t().contiguous(),
    ]
    for fn in cases:
        e, t = _both(fn)
        assert e.is_contiguous() == t.is_contiguous()
        assert e.stride() == t.stride()


@requires_torch
def test_view_of_non_contiguous_raises_like_torch():
    with pytest.raises(RuntimeError) as te:
        torch.zeros(2, 3).t().view(6)
    with pytest.raises(RuntimeError) as ee:
        ember.zeros(2, 3).t().view(6)
    assert str(ee.value) == str(te.value)


# -- equality ---------------------------------------------------------------------------------


@requires_torch
def test_equal_and_allclose_match_torch():
    for fn in (
        lambda T: T.equal(T.tensor([1, 2]), T.tensor([1, 2])),
        lambda T: T.tensor([1.0, 2.0]).equal(T.tensor([1.0, 2.5])),
        lambda T: T.equal(T.tensor([1]), T.tensor([1, 1])),
        lambda T: T.allclose(T.tensor([1.0, 2.0]), T.tensor([1.0, 2 + 1e-7])),
        lambda T: T.tensor([1.0]).allclose(T.tensor([1.1])),
        lambda T: T.allclose(T.tensor([1.0, 1.0]), T.tensor([1.0])),
        lambda T: T.allclose(T.tensor([float("nan")]), T.tensor([float("nan")]), equal_nan=True),
    ):
        e, t = _both(fn)
        assert e == t


def test_tensors_hash_by_identity():
    x = ember.ones(2)
    assert {x: 1}[x] == 1
    assert x in {x}


# -- autograd attributes ----------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda T: T.tensor([1]).requires_grad_(),
        lambda T: setattr(T.tensor([1]), "requires_grad", True),
        lambda T: T.tensor([1], requires_grad=True),
        lambda T: T.zeros(2, dtype=T.int64, requires_grad=True),
        lambda T: (T.tensor([1.0], requires_grad=True) * 2).requires_grad_(False),
        lambda T: T.tensor([1.0]).retain_grad(),
        lambda T: T.tensor([1.0]).register_hook(lambda g: g),
        lambda T: setattr(T.tensor([1.0], requires_grad=True), "grad", T.zeros(2)),
        lambda T: copy.deepcopy(T.tensor([1.0], requires_grad=True) * 2),
    ],
)
def test_autograd_attribute_errors_match_torch(fn):
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(type(te.value)) as ee:
        fn(ember)
    assert str(ee.value) == str(te.value)


def test_requires_grad_and_is_leaf():
    x = ember.tensor([1.0])
    assert not x.requires_grad and x.is_leaf
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.requires_grad_(True) is y  # allowed on a non-leaf
    z = ember.tensor([1.0]) * 2
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None
    assert not ember.tensor([1]).requires_grad_(False).requires_grad
    assert (x > 0).requires_grad is False
    assert x.long().requires_grad is False
    assert x.argmax().requires_grad is False


def test_grad_attribute():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert x.grad is None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert not x.grad.requires_grad
    x.grad = None
    assert x.grad is None
    x.grad = ember.ones(2)
    assert x.grad.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype"):
        x.grad = ember.ones(2, dtype=ember.float64)


def test_deepcopy_of_leaf():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    c = copy.deepcopy(x)
    assert c is not x and c.requires_grad and c.tolist() == x.tolist()
    assert c.grad.tolist() == [3.0, 3.0] and c.grad is not x.grad
    c.data.add_(1)
    assert x.tolist() == [1.0, 2.0]


GRAD_FN_CASES = {
    "mul": lambda T, x: x * 2,
    "add": lambda T, x: x + x,
    "sub": lambda T, x: x - 1,
    "rsub": lambda T, x: 1 - x,
    "div": lambda T, x: x / 2,
    "neg": lambda T, x: -x,
    "pow": lambda T, x: x**2,
    "pow_tensor": lambda T, x: x**x,
    "rpow": lambda T, x: 2**x,
    "square": lambda T, x: x.square(),
    "exp": lambda T, x: x.exp(),
    "log": lambda T, x: x.log(),
    "log1p": lambda T, x: x.log1p(),
    "log2": lambda T, x: x.log2(),
    "sqrt": lambda T, x: x.sqrt(),
    "rsqrt": lambda T, x: x.rsqrt(),
    "reciprocal": lambda T, x: x.reciprocal(),
    "abs": lambda T, x: x.abs(),
    "sin": lambda T, x: x.sin(),
    "tanh": lambda T, x: x.tanh(),
    "sigmoid": lambda T, x: x.sigmoid(),
    "relu": lambda T, x: x.relu(),
    "clamp": lambda T, x: x.clamp(0, 1),
    "clamp_tensor": lambda T, x: x.clamp(min=T.zeros(3)),
    "maximum": lambda T, x: T.maximum(x, x),
    "where": lambda T, x: T.where(x > 0, x, 0.0),
    "sum": lambda T, x: x.sum(),
    "sum_dim": lambda T, x: x.sum(0),
    "mean": lambda T, x: x.mean(),
    "mean_dim": lambda T, x: x.mean(1),
    "max": lambda T, x: x.max(),
    "max_dim": lambda T, x: x.max(0)[0],
    "amax": lambda T, x: x.amax(),
    "min": lambda T, x: x.min(),
    "view": lambda T, x: x.view(6),
    "reshape": lambda T, x: x.reshape(3, 2),
    "reshape_copy": lambda T, x: x.t().reshape(6),
    "flatten": lambda T, x: x.flatten(),
    "unsqueeze": lambda T, x: x.unsqueeze(0),
    "squeeze": lambda T, x: x.unsqueeze(0).squeeze(),
    "squeeze_dim": lambda T, x: x.unsqueeze(0).squeeze(0),
    "t": lambda T, x: x.t(),
    "transpose": lambda T, x: x.transpose(0, 1),
    "permute": lambda T, x: x.permute(1, 0),
    "expand": lambda T, x: x[:1].expand(4, 3),
    "select": lambda T, x: x[0],
    "select_col": lambda T, x: x[:, 1],
    "slice": lambda T, x: x[1:],
    "element": lambda T, x: x[0, 1],
    "none_index": lambda T, x: x[None],
    "advanced_index": lambda T, x: x[[0, 1]],
    "mask_index": lambda T, x: x[x > 0],
    "narrow": lambda T, x: x.narrow(1, 0, 2),
    "split": lambda T, x: x.split(1)[0],
    "chunk": lambda T, x: x.chunk(2, 1)[0],
    "unbind": lambda T, x: x.unbind()[0],
    "index_select": lambda T, x: x.index_select(0, T.tensor([0])),
    "gather": lambda T, x: x.gather(0, T.tensor([[0]])),
    "masked_fill": lambda T, x: x.masked_fill(x > 1, 0.0),
    "cat": lambda T, x: T.cat([x, x]),
    "stack": lambda T, x: T.stack([x, x]),
    "mm": lambda T, x: x @ x.t(),
    "mv": lambda T, x: x @ T.ones(3),
    "dot": lambda T, x: x[0] @ x[0],
    "double": lambda T, x: x.double(),
    "clone": lambda T, x: x.clone(),
    "contiguous": lambda T, x: x.t().contiguous(),
}


@requires_torch
@pytest.mark.parametrize("name", list(GRAD_FN_CASES))
def test_grad_fn_names_match_torch(name):
    fn = GRAD_FN_CASES[name]
    e = fn(ember, ember.arange(1.0, 7.0).reshape(2, 3).requires_grad_())
    t = fn(torch, torch.arange(1.0, 7.0).reshape(2, 3).requires_grad_())
    assert e.grad_fn.name() == t.grad_fn.name()
    assert repr(e).rsplit("grad_fn=", 1)[-1] == repr(t).rsplit("grad_fn=", 1)[-1]


def test_grad_fn_of_leaves_and_no_grad_results():
    assert ember.ones(2).grad_fn is None
    assert ember.ones(2, requires_grad=True).grad_fn is None
    with ember.no_grad():
        assert (ember.ones(2, requires_grad=True) * 2).grad_fn is None
