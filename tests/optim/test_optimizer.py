"""The Optimizer base: construction and errors, parameter groups, zero_grad, hooks, repr and
state dicts (layout, save/restore round trips, crossing to and from PyTorch)."""

from __future__ import annotations

import copy
import io
import warnings

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember import optim


def quad_params(lib, seed=0):
    rng = np.random.default_rng(seed)
    w = lib.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    return w, b


def train(lib, opt, w, b, steps):
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    for _ in range(steps):
        opt.zero_grad()
        loss = ((lib.tanh(x @ w.T + b) - 0.5) ** 2).sum()
        loss.backward()
        opt.step()


def raises_like_torch(make, exc, match):
    """Both libraries raise the same exception class with the same message."""
    with pytest.raises(exc, match=match) as e_info:
        make(ember)
    if torch is not None:
        with pytest.raises(exc) as t_info:
            make(torch)
        assert str(e_info.value) == str(t_info.value)


# -- construction ---------------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "make,exc,match",
    [
        (lambda L: L.optim.SGD(L.zeros(2, requires_grad=True), lr=0.1), TypeError, "iterable"),
        (lambda L: L.optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda L: L.optim.Adam(iter([])), ValueError, "empty parameter list"),
        (lambda L: L.optim.SGD([L.zeros(2), 3], lr=0.1), TypeError, "one of the params is int"),
        (
            lambda L: L.optim.SGD([L.zeros(2, requires_grad=True) * 2], lr=0.1),
            ValueError,
            "non-leaf",
        ),
        (lambda L: L.optim.SGD([L.zeros(2)], lr=-1), ValueError, "Invalid learning rate: -1"),
        (lambda L: L.optim.SGD([L.zeros(2)], momentum=-0.5), ValueError, "momentum value"),
        (lambda L: L.optim.SGD([L.zeros(2)], weight_decay=-1), ValueError, "weight_decay"),
        (lambda L: L.optim.SGD([L.zeros(2)], nesterov=True), ValueError, "Nesterov"),
        (lambda L: L.optim.SGD([L.zeros(2)], fused=True, foreach=True), RuntimeError, "fused"),
        (lambda L: L.optim.Adam([L.zeros(2)], lr=-0.1), ValueError, "learning rate"),
        (lambda L: L.optim.Adam([L.zeros(2)], eps=-1.0), ValueError, "epsilon"),
        (lambda L: L.optim.Adam([L.zeros(2)], betas=(1.0, 0.9)), ValueError, "index 0: 1.0"),
        (lambda L: L.optim.Adam([L.zeros(2)], betas=(0.9, 1.5)), ValueError, "index 1: 1.5"),
        (lambda L: L.optim.Adam([L.zeros(2)], betas=(0, 0.9)), ValueError, "both floats"),
        (lambda L: L.optim.AdamW([L.zeros(2)], weight_decay=-1), ValueError, "weight_decay"),
        (lambda L: L.optim.Adamax([L.zeros(2)], betas=(0.9, -0.1)), ValueError, "index 1"),
        (lambda L: L.optim.Adagrad([L.zeros(2)], lr_decay=-1), ValueError, "lr_decay"),
        (
            lambda L: L.optim.Adagrad([L.zeros(2)], initial_accumulator_value=-1),
            ValueError,
            "initial_accumulator_value",
        ),
        (lambda L: L.optim.Adadelta([L.zeros(2)], rho=1.5), ValueError, "rho"),
        (lambda L: L.optim.ASGD([L.zeros(2)], weight_decay=-1), ValueError, "weight_decay"),
        (lambda L: L.optim.RMSprop([L.zeros(2)], alpha=-1), ValueError, "alpha"),
        (lambda L: L.optim.RMSprop([L.zeros(2)], momentum=-1), ValueError, "momentum"),
        (lambda L: L.optim.Rprop([L.zeros(2)], etas=(1.5, 1.2)), ValueError, "eta values"),
        (lambda L: L.optim.LBFGS([L.zeros(2)], lr=-2), ValueError, "learning rate"),
        (lambda L: L.optim.SparseAdam([L.zeros(2)], lr=0.0), ValueError, "learning rate"),
        (lambda L: L.optim.NAdam([L.zeros(2)], momentum_decay=-1), ValueError, "momentum_decay"),
        (lambda L: L.optim.RAdam([L.zeros(2)], betas=(0.9, 1.0)), ValueError, "index 1"),
        (lambda L: L.optim.SparseAdam([L.zeros(2)], eps=0.0), ValueError, "epsilon"),
    ],
)
def test_construction_errors_match_torch(make, exc, match):
    raises_like_torch(make, exc, match)


def test_differentiable_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        optim.Adam([ember.zeros(2, requires_grad=True)], differentiable=True)


def test_accepted_keyword_options():
    p = ember.zeros(2, requires_grad=True)
    opt = optim.Adam([p], foreach=True, capturable=True, fused=None, maximize=False)
    assert opt.defaults["foreach"] is True and opt.defaults["capturable"] is True
    optim.SGD([p], lr=0.1, fused=True)
    optim.Adagrad([p], fused=False)


@requires_torch
def test_defaults_and_group_options_equal_torch():
    names = ["SGD", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "ASGD", "RMSprop"]
    for name in names + ["NAdam", "RAdam"]:
        e = getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)])
        t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
        assert e.defaults == t.defaults, name
        assert list(e.param_groups[0]) == list(t.param_groups[0]), name
    for name in ["Rprop", "LBFGS", "SparseAdam"]:
        e = getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)])
        t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
        assert e.defaults == t.defaults, name


def test_params_from_a_generator_and_duplicate_warning():
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(3, requires_grad=True)
    opt = optim.SGD((p for p in [a, b]), lr=0.1)
    assert [id(p) for p in opt.param_groups[0]["params"]] == [id(a), id(b)]
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a], lr=0.1)


def test_param_groups_inherit_defaults_and_override():
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(3, requires_grad=True)
    opt = optim.SGD([{"params": a}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    g0, g1 = opt.param_groups
    assert g0["params"][0] is a and g0["lr"] == 0.1 and g0["momentum"] == 0.9
    assert g1["lr"] == 0.5 and g1["momentum"] == 0.9


@requires_torch
def test_add_param_group_errors_match_torch():
    def dup(L):
        a = L.zeros(2, requires_grad=True)
        L.optim.SGD([a], lr=0.1).add_param_group({"params": [a]})

    def not_dict(L):
        L.optim.SGD([L.zeros(2, requires_grad=True)], lr=0.1).add_param_group([])

    def a_set(L):
        opt = L.optim.SGD([L.zeros(2, requires_grad=True)], lr=0.1)
        opt.add_param_group({"params": {L.zeros(1, requires_grad=True)}})

    def names_mixed(L):
        L.optim.SGD([("w", L.zeros(2, requires_grad=True)), L.zeros(1, requires_grad=True)])

    def names_groups_mixed(L):
        opt = L.optim.SGD([("w", L.zeros(2, requires_grad=True))])
        opt.add_param_group({"params": [L.zeros(1, requires_grad=True)]})

    def required_missing(L):
        from torch.optim.optimizer import required as t_required

        from ember.optim.optimizer import required as e_required

        class Needs(L.optim.Optimizer):
            def __init__(self, params):
                super().__init__(params, {"lr": e_required if L is ember else t_required})

        Needs([L.zeros(1, requires_grad=True)])

    raises_like_torch(dup, ValueError, "more than one parameter group")
    raises_like_torch(not_dict, TypeError, "param_group must be a dict")
    raises_like_torch(a_set, TypeError, "ordered collections")
    raises_like_torch(names_mixed, ValueError, "Some param names are missing")
    raises_like_torch(names_groups_mixed, ValueError, "with/without names")
    raises_like_torch(required_missing, ValueError, "required optimization parameter lr")


@requires_torch
def test_named_parameters_give_param_names():
    for lib in (ember, torch):
        w, b = quad_params(lib)
        opt = lib.optim.Adam([("w", w), ("b", b)], lr=0.1)
        train(lib, opt, w, b, 2)
        sd = opt.state_dict()
        assert sd["param_groups"][0]["param_names"] == ["w", "b"]
        assert sd["param_groups"][0]["params"] == [0, 1]
        assert list(sd["param_groups"][0])[0] == "param_names"


# -- zero_grad ------------------------------------------------------------------------------


def test_zero_grad_set_to_none_and_in_place():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad()
    assert w.grad is None
    opt.step()  # no gradient: nothing moves
    assert w.tolist() == [1.0, 2.0]
    (w * w).sum().backward()
    g = w.grad
    v = g._version
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and g.tolist() == [0.0, 0.0] and g._version > v
    opt.step()  # a zero gradient is a step too (weights unchanged for plain SGD)
    assert w.tolist() == [1.0, 2.0]


@requires_torch
def test_zero_gradient_and_missing_gradient_differ_like_torch():
    # Adam moves a parameter whose gradient is zero (its moments decay), not one without.
    for lib in (ember, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.Adam([w], lr=0.1)
        (w * w).sum().backward()
        opt.step()
        opt.zero_grad(set_to_none=False)
        before = w.detach().numpy().copy()
        opt.step()
        assert not np.array_equal(before, w.detach().numpy())
        opt.zero_grad()
        before = w.detach().numpy().copy()
        opt.step()
        assert np.array_equal(before, w.detach().numpy())


# -- hooks and repr -------------------------------------------------------------------------


def test_step_hooks_run_in_order_and_remove():
    w = ember.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", o is opt)))
    opt.step()
    assert calls == [("pre", True), ("post", True)]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2


def test_state_dict_hooks():
    w = ember.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_post_hook(lambda o: seen.append(o))
    opt.load_state_dict(optim.SGD([w], lr=0.3).state_dict())
    assert seen == [opt] and opt.param_groups[0]["lr"] == 0.3


@requires_torch
def test_repr_matches_torch():
    e = ember.optim.Adam([ember.zeros(1, requires_grad=True)], lr=0.01)
    t = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.01)
    assert repr(e) == repr(t)


# -- state dicts ----------------------------------------------------------------------------


@requires_torch
def test_state_dict_layout_equals_torch(compare_state_dicts):
    sds = []
    for lib in (ember, torch):
        w, b = quad_params(lib)
        extra = lib.zeros(4, requires_grad=True)  # in a group but never gets a gradient
        opt = lib.optim.SGD(
            [{"params": [w, extra]}, {"params": [b], "lr": 0.05}], lr=0.1, momentum=0.9
        )
        train(lib, opt, w, b, 3)
        sds.append(opt.state_dict())
    esd, tsd = sds
    assert [g["params"] for g in esd["param_groups"]] == [[0, 1], [2]]
    compare_state_dicts(esd, tsd)


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("Adam", {"lr": 0.05, "amsgrad": True}),
        ("AdamW", {"lr": 0.05}),
        ("Adamax", {"lr": 0.05}),
        ("Adagrad", {"lr": 0.2, "lr_decay": 0.01}),
        ("Adadelta", {}),
        ("ASGD", {"lr": 0.05, "t0": 2}),
        ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
        ("Rprop", {"lr": 0.01}),
    ],
)
def test_save_restore_round_trip_continues_identically(name, kwargs):
    w, b = quad_params(ember)
    opt = getattr(optim, name)([w, b], **kwargs)
    train(ember, opt, w, b, 5)
    saved = copy.deepcopy(opt.state_dict())  # as a checkpoint would hold it
    w2, b2 = copy.deepcopy(w), copy.deepcopy(b)
    train(ember, opt, w, b, 5)

    opt2 = getattr(optim, name)([w2, b2], lr=123.0)  # options come from the checkpoint
    opt2.load_state_dict(saved)
    train(ember, opt2, w2, b2, 5)
    np.testing.assert_array_equal(w.detach().numpy(), w2.detach().numpy())
    np.testing.assert_array_equal(b.detach().numpy(), b2.detach().numpy())


def test_round_trip_through_ember_save_and_load():
    w, b = quad_params(ember)
    opt = optim.Adam([w, b], lr=0.05)
    train(ember, opt, w, b, 3)
    buf = io.BytesIO()
    ember.save(opt.state_dict(), buf)
    buf.seek(0)
    loaded = ember.load(buf)
    w2, b2 = copy.deepcopy(w), copy.deepcopy(b)
    opt2 = optim.Adam([w2, b2])
    opt2.load_state_dict(loaded)
    train(ember, opt, w, b, 3)
    train(ember, opt2, w2, b2, 3)
    np.testing.assert_array_equal(w.detach().numpy(), w2.detach().numpy())


@requires_torch
def test_ember_saved_state_dict_loads_in_torch():
    w, b = quad_params(ember)
    opt = optim.Adam([w, b], lr=0.05)
    train(ember, opt, w, b, 3)
    buf = io.BytesIO()
    ember.save(opt.state_dict(), buf)
    buf.seek(0)
    sd = torch.load(buf, weights_only=True)
    tw = torch.tensor(w.detach().numpy().copy(), requires_grad=True)
    tb = torch.tensor(b.detach().numpy().copy(), requires_grad=True)
    topt = torch.optim.Adam([tw, tb])
    topt.load_state_dict(sd)
    assert topt.state[tw]["step"].item() == 3.0 and topt.param_groups[0]["lr"] == 0.05
    train(ember, opt, w, b, 2)
    train(torch, topt, tw, tb, 2)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6)


def _convert(value, to):
    """Tensors of a state dict converted between the libraries (everything else kept)."""
    if isinstance(value, dict):
        return {k: _convert(v, to) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v, to) for v in value]
    if isinstance(value, (ember.Tensor, torch.Tensor)):
        arr = np.array(value.detach().numpy(), copy=True)
        return to.from_numpy(arr)
    return value


@requires_torch
@pytest.mark.parametrize("direction", ["ember->torch", "torch->ember"])
def test_state_dict_crosses_between_libraries(direction):
    src, dst = (ember, torch) if direction == "ember->torch" else (torch, ember)
    w, b = quad_params(src)
    opt = src.optim.Adam([w, b], lr=0.05, amsgrad=True)
    train(src, opt, w, b, 4)
    sd = _convert(opt.state_dict(), dst)
    w2 = dst.tensor(w.detach().numpy().copy(), requires_grad=True)
    b2 = dst.tensor(b.detach().numpy().copy(), requires_grad=True)
    opt2 = dst.optim.Adam([w2, b2])
    opt2.load_state_dict(sd)
    train(src, opt, w, b, 4)
    train(dst, opt2, w2, b2, 4)
    np.testing.assert_allclose(w.detach().numpy(), w2.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert opt2.param_groups[0]["amsgrad"] is True


@requires_torch
def test_load_state_dict_errors_match_torch():
    def wrong_groups(L):
        a, b = L.zeros(2, requires_grad=True), L.zeros(2, requires_grad=True)
        sd = L.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
        L.optim.SGD([a, b], lr=0.1).load_state_dict(sd)

    def wrong_size(L):
        a, b = L.zeros(2, requires_grad=True), L.zeros(2, requires_grad=True)
        sd = L.optim.SGD([a, b], lr=0.1).state_dict()
        L.optim.SGD([a], lr=0.1).load_state_dict(sd)

    raises_like_torch(wrong_groups, ValueError, "different number of parameter groups")
    raises_like_torch(wrong_size, ValueError, "doesn't match the size")


def test_load_state_dict_casts_to_param_dtype_but_keeps_step():
    w32 = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([w32], lr=0.1)
    (w32 * w32).sum().backward()
    opt.step()
    w64 = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    opt64 = optim.Adam([w64])
    opt64.load_state_dict(opt.state_dict())
    assert opt64.state[w64]["exp_avg"].dtype == ember.float64
    assert opt64.state[w64]["step"].dtype == ember.float32


def test_old_checkpoint_with_int_step_and_missing_options_loads():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    old = {
        "state": {0: {"step": 3, "exp_avg": ember.zeros(2), "exp_avg_sq": ember.zeros(2)}},
        "param_groups": [
            {"lr": 0.2, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "params": [0]}
        ],
    }
    opt.load_state_dict(old)
    st = opt.state[w]
    assert isinstance(st["step"], ember.Tensor) and st["step"].item() == 3.0
    assert opt.param_groups[0]["amsgrad"] is False and opt.param_groups[0]["lr"] == 0.2
    (w * w).sum().backward()
    opt.step()


def test_deepcopy_of_an_optimizer():
    w, b = quad_params(ember)
    opt = optim.SGD([w, b], lr=0.1, momentum=0.9)
    train(ember, opt, w, b, 2)
    clone = copy.deepcopy(opt)
    assert clone.param_groups[0]["params"][0] is not w
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(ember, opt, w, b, 1)


def test_optimizer_subclass_step_gets_hooks_and_no_grad():
    class Halve(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.5})

        def step(self, closure=None):
            assert not ember.is_grad_enabled()
            for group in self.param_groups:
                for p in group["params"]:
                    p.mul_(group["lr"])

    w = ember.tensor([4.0], requires_grad=True)
    opt = Halve([w])
    seen = []
    opt.register_step_post_hook(lambda o, a, k: seen.append(1))
    opt.step()
    assert w.item() == 2.0 and seen == [1]
