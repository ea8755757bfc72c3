"""nn.Module's API against PyTorch's: registration, traversal, state_dict, modes, conversion,
hooks, and print(model)."""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember
from ember import nn


def _build(lib):
    """The same architecture in either library: nested containers, a buffer, a shared layer."""
    n = lib.nn

    class Block(n.Module):
        def __init__(self):
            super().__init__()
            self.fc = n.Linear(4, 4)
            self.bn = n.BatchNorm1d(4)
            self.register_buffer("scale", lib.ones(4))
            self.register_buffer("cache", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.bn(self.fc(x)) * self.scale

    class Net(n.Module):
        def __init__(self):
            super().__init__()
            self.embed = n.Embedding(10, 4)
            self.blocks = n.ModuleList([Block(), Block()])
            self.head = n.Sequential(
                OrderedDict([("act", n.ReLU()), ("drop", n.Dropout(0.2)), ("out", n.Linear(4, 3))])
            )
            self.gain = n.Parameter(lib.ones(1))
            self.tied = self.head.out  # the same module twice: counted once

        def forward(self, idx):
            x = self.embed(idx)
            for b in self.blocks:
                x = b(x)
            return self.head(x) * self.gain

    return Net()


@requires_torch
def test_names_and_order_match_torch():
    e, t = _build(ember), _build(torch)
    assert [k for k, _ in e.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert [k for k, _ in e.named_buffers()] == [k for k, _ in t.named_buffers()]
    assert [k for k, _ in e.named_modules()] == [k for k, _ in t.named_modules()]
    assert [k for k, _ in e.named_children()] == [k for k, _ in t.named_children()]
    assert list(e.state_dict()) == list(t.state_dict())
    assert list(e.state_dict(prefix="m.")) == list(t.state_dict(prefix="m."))
    assert e.state_dict()._metadata == t.state_dict()._metadata
    kw = {"remove_duplicate": False}
    assert [k for k, _ in e.named_parameters(**kw)] == [k for k, _ in t.named_parameters(**kw)]
    assert [k for k, _ in e.named_modules(**kw)] == [k for k, _ in t.named_modules(**kw)]
    assert [k for k, _ in e.named_parameters(recurse=False)] == ["gain"]
    assert len(list(e.parameters())) == len(list(t.parameters()))


def _printed(lib):
    n = lib.nn
    return str(
        n.Sequential(
            n.Linear(784, 512),
            n.ReLU(),
            n.Dropout(),
            n.BatchNorm1d(512),
            n.LayerNorm(512),
            n.GroupNorm(4, 512),
            n.Embedding(5, 2, padding_idx=0),
            n.Flatten(),
            n.Identity(),
            n.ModuleDict({"a": n.Tanh(), "b": n.Sigmoid()}),
            n.ModuleList([n.ReLU()] * 3),
            n.Linear(512, 10, bias=False),
        )
    )


@requires_torch
def test_print_matches_torch():
    assert str(_build(ember)) == str(_build(torch))
    assert _printed(ember) == _printed(torch)


def _param_containers(lib):
    n = lib.nn
    pl = n.ParameterList([n.Parameter(lib.zeros(2, 3)), lib.zeros(1)])
    pd = n.ParameterDict({"a": n.Parameter(lib.zeros(2, 3)), "b": lib.ones(4)})
    return str(pl), str(pd), [k for k, _ in pl.named_parameters()], list(pd.state_dict())


@requires_torch
def test_print_parameter_containers_match_torch():
    assert _param_containers(ember) == _param_containers(torch)


@requires_torch
def test_parameter_repr_and_sharing():
    base = ember.tensor([1.0, 2.0])
    p = nn.Parameter(base)
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(nn.Parameter(base, requires_grad=False)) == repr(
        torch.nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False)
    )
    assert repr(nn.Parameter()) == repr(torch.nn.Parameter())
    assert p.requires_grad and p.is_leaf and isinstance(p, ember.Tensor)
    base.add_(1)
    assert p.tolist() == [2.0, 3.0]  # shares storage
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q.requires_grad and q.data_ptr() != p.data_ptr()
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, nn.Parameter) and r.tolist() == [2.0, 3.0]


def test_state_dict_shares_storage_and_is_detached():
    m = nn.Linear(3, 2)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad and sd["weight"].grad_fn is None
    assert sd["weight"].data_ptr() == m.weight.data_ptr()
    assert isinstance(m.state_dict(keep_vars=True)["weight"], nn.Parameter)


@requires_torch
def test_load_state_dict_errors_match_torch():
    def errors(lib, sd):
        m = lib.nn.Sequential(lib.nn.Linear(2, 4), lib.nn.ReLU(), lib.nn.Linear(4, 1))
        with pytest.raises(RuntimeError) as e:
            m.load_state_dict(sd)
        return str(e.value)

    sd = {
        "0.weight": np.zeros((8, 2), np.float32),
        "0.bias": np.zeros(4, np.float32),
        "x": np.zeros(1, np.float32),
    }
    mine = errors(ember, {k: ember.from_numpy(v) for k, v in sd.items()})
    theirs = errors(torch, {k: torch.from_numpy(v) for k, v in sd.items()})
    assert mine == theirs
    assert mine.startswith("Error(s) in loading state_dict for Sequential:\n\tMissing key(s)")
    assert (
        "size mismatch for 0.weight: copying a param with shape torch.Size([8, 2]) from "
        "checkpoint, the shape in current model is torch.Size([4, 2])." in mine
    )


@requires_torch
def test_load_state_dict_non_strict_result_matches_torch():
    res = []
    for lib in (ember, torch):
        m = lib.nn.Sequential(lib.nn.Linear(2, 4), lib.nn.ReLU(), lib.nn.Linear(4, 1))
        r = m.load_state_dict({"0.weight": lib.zeros(4, 2), "y": lib.zeros(1)}, strict=False)
        res.append((r.missing_keys, r.unexpected_keys, repr(r)))
        assert repr(m.load_state_dict(m.state_dict())) == "<All keys matched successfully>"
    assert res[0] == res[1]


def test_load_state_dict_points_out_module_prefix():
    m = nn.Sequential(nn.Linear(2, 2))
    wrapped = {"module." + k: v for k, v in m.state_dict().items()}
    with pytest.raises(RuntimeError, match="start with 'module.'"):
        m.load_state_dict(wrapped)
    outer = nn.Module()
    outer.module = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="the model's keys start with 'module.'"):
        outer.load_state_dict(m.state_dict())
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([1, 2])


@requires_torch
def test_load_torch_state_dict_then_same_outputs():
    t = _build(torch).eval()
    e = _build(ember).eval()
    e.load_state_dict({k: to_ember(v) for k, v in t.state_dict().items()})
    idx = np.array([1, 2, 3, 9])
    assert_close(e(ember.from_numpy(idx)), t(torch.from_numpy(idx)), 1e-5, 1e-6)


def test_load_copies_values_into_existing_parameters_and_assign():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    w = a.weight
    a.load_state_dict(b.state_dict())
    assert a.weight is w and np.array_equal(a.weight.numpy(force=True), b.weight.numpy(force=True))
    a.load_state_dict(b.state_dict(), assign=True)
    assert a.weight is not w and isinstance(a.weight, nn.Parameter)


def test_batchnorm_old_checkpoint_without_num_batches_tracked():
    bn = nn.BatchNorm1d(3)
    sd = bn.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1
    assert not bn.load_state_dict(sd).missing_keys


def test_registration_rules_and_errors():
    m = nn.Module()
    m.w = nn.Parameter(ember.zeros(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("buf", ember.zeros(2))
    m.plain = 3
    assert set(m._parameters) == {"w"} and set(m._modules) == {"sub"}
    assert "buf" in m._buffers and "plain" in m.__dict__
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'w'"):
        m.w = ember.zeros(2)
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module 'sub'"):
        m.sub = 1
    with pytest.raises(TypeError, match=r"cannot assign 'int' as buffer 'buf'"):
        m.buf = 1
    with pytest.raises(KeyError, match="attribute 'sub' already exists"):
        m.register_buffer("sub", ember.zeros(1))
    with pytest.raises(KeyError, match=r'can.?.?t contain "\."'):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="buffer name should be a string. Got int"):
        m.register_buffer(1, None)
    with pytest.raises(TypeError, match="object to parameter 'q'"):
        m.register_parameter("q", ember.zeros(1))
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope  # noqa: B018
    m.w = None  # a parameter may become None and stays registered
    assert "w" in m._parameters and m.w is None
    m.buf = ember.ones(2)
    assert m._buffers["buf"].tolist() == [1.0, 1.0]
    m.register_buffer("nb", ember.ones(1), persistent=False)
    del m.sub
    assert "sub" not in m._modules and "nb" not in m.state_dict()
    assert "buf" in dir(m)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_nn_buffer_assignment_registers():
    m = nn.Module()
    m.b = nn.Buffer(ember.ones(2), persistent=False)
    assert "b" in m._buffers and "b" not in m.state_dict() and type(m.b) is ember.Tensor


def test_get_submodule_parameter_buffer():
    m = _build(ember)
    assert m.get_submodule("blocks.1.fc") is m.blocks[1].fc
    assert m.get_parameter("blocks.0.bn.weight") is m.blocks[0].bn.weight
    assert m.get_buffer("blocks.0.scale") is m.blocks[0].scale
    with pytest.raises(AttributeError, match="Net has no attribute `nope`"):
        m.get_submodule("nope")
    with pytest.raises(AttributeError, match="`gain` is not an nn.Module"):
        m.get_submodule("gain.x")
    with pytest.raises(AttributeError, match="`weight` is not a buffer"):
        m.get_buffer("head.out.weight")


def test_forward_missing():
    with pytest.raises(NotImplementedError, match=r"Module \[Module\] is missing the required"):
        nn.Module()(1)


def test_train_eval_flags():
    m = _build(ember)
    assert m.training and all(x.training for x in m.modules())
    assert m.eval() is m and not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)


def test_zero_grad_and_requires_grad_():
    m = nn.Linear(3, 2)
    m(ember.randn(4, 3)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is not None and not m.weight.grad.numpy().any()
    m.zero_grad()
    assert m.weight.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    seen = []
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_to_and_dtype_conversions_keep_parameter_objects():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    w = m[0].weight
    assert m.double() is m and m[0].weight is w and w.dtype == ember.float64
    assert m[1].running_mean.dtype == ember.float64
    assert m[1].num_batches_tracked.dtype == ember.int64  # integer buffers stay
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.to("cpu")
    m.to(ember.zeros(1, dtype=ember.float64))
    assert w.dtype == ember.float64
    m.float().half().float()
    assert m.cpu() is m
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        m.to(ember.int64)
    with pytest.raises(RuntimeError, match="CUDA"):
        m.to("cuda")
    m(ember.randn(4, 2)).sum().backward()
    m.double()
    assert w.grad.dtype == ember.float64


def test_forward_hooks_and_handles():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre") or (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append("post") or out + 1)
    y = m(ember.ones(1, 2))
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(y.detach().numpy(), m.bias.detach().numpy()[None] + 1, rtol=1e-6)
    h1.remove()
    h2.remove()
    assert not m._forward_hooks and not m._forward_pre_hooks
    with m.register_forward_hook(lambda mod, a, o: o * 0):
        assert not m(ember.ones(1, 2)).detach().numpy().any()
    assert not m._forward_hooks


def test_hooks_with_kwargs_prepend_and_always_call():
    class Two(nn.Module):
        def forward(self, x, scale=1.0):
            if scale < 0:
                raise ValueError("negative")
            return x * scale

    m = Two()
    order = []
    m.register_forward_hook(lambda mod, a, o: order.append("b"))
    m.register_forward_hook(lambda mod, a, o: order.append("a"), prepend=True)
    m.register_forward_pre_hook(lambda mod, a, kw: (a, {"scale": 3.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, a, kw, o: o + kw["scale"], with_kwargs=True)
    assert m(ember.ones(1)).item() == 6.0
    assert order == ["a", "b"]
    failed = []
    m2 = Two()
    m2.register_forward_hook(lambda mod, a, o: failed.append(o), always_call=True)
    with pytest.raises(ValueError):
        m2(ember.ones(1), scale=-1.0)
    assert failed == [None]


@requires_torch
def test_full_backward_hook_matches_torch():
    got = {}
    for lib in (ember, torch):
        m = lib.nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
            m.bias.fill_(0.5)
        seen = []
        m.register_full_backward_hook(lambda mod, gi, go, s=seen: s.append((gi, go)))
        x = lib.ones(4, 3, requires_grad=True)
        (m(x) ** 2).sum().backward()
        (gi,), (go,) = seen[0]
        got[lib.__name__] = (gi.detach().numpy().copy(), go.detach().numpy().copy())
    np.testing.assert_allclose(got["ember"][0], got["torch"][0], rtol=1e-5)
    np.testing.assert_allclose(got["ember"][1], got["torch"][1], rtol=1e-5)


def test_deepcopy_and_pickle_module():
    m = _build(ember)
    c = copy.deepcopy(m)
    assert c.tied is c.head.out and c.blocks[0].fc.weight is not m.blocks[0].fc.weight
    assert str(c) == str(m)
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    p = pickle.loads(pickle.dumps(m))
    assert list(p.state_dict()) == list(m.state_dict())
