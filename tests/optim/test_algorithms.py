"""Each optimizer's trajectory against PyTorch's: equal starting weights, the same loss, 20
steps, the weights compared after every step, then the state dicts compared."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember

pytestmark = requires_torch

STEPS = 20


def problem(seed=0):
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((3, 4)) * 0.5).astype(np.float32)
    b = (rng.standard_normal(3) * 0.1).astype(np.float32)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal((8, 3)).astype(np.float32)
    return w, b, x, y


def loss_of(lib, w, b, x, y):
    # tanh makes the problem non-quadratic, so curvature-aware methods do something non-trivial
    return ((lib.tanh(x @ w.T + b) - y) ** 2).mean()


def make_params(lib, w0, b0):
    w = lib.tensor(w0.copy(), requires_grad=True)
    b = lib.tensor(b0.copy(), requires_grad=True)
    return w, b


def both(groups):
    """Build ember's and torch's versions of the same parameter (groups) from one spec."""
    w0, b0, x, y = problem()
    out = []
    for lib in (ember, torch):
        w, b = make_params(lib, w0, b0)
        out.append((lib, w, b, lib.tensor(x), lib.tensor(y), groups(w, b)))
    return out


def plain(w, b):
    return [w, b]


def two_groups(lr):
    def make(w, b):
        return [{"params": [w]}, {"params": [b], "lr": lr}]

    return make


CASES = [
    ("SGD", plain, {"lr": 0.1}),
    ("SGD", plain, {"lr": 0.1, "momentum": 0.9}),
    ("SGD", plain, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05}),
    ("SGD", plain, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", plain, {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", plain, {"lr": 0.05, "maximize": True, "weight_decay": 0.1}),
    ("SGD", two_groups(0.3), {"lr": 0.1, "momentum": 0.9}),
    ("Adam", plain, {"lr": 0.05}),
    ("Adam", plain, {"lr": 0.05, "amsgrad": True}),
    ("Adam", plain, {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", plain, {"lr": 0.05, "maximize": True, "betas": (0.8, 0.99)}),
    ("Adam", plain, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", two_groups(0.01), {"lr": 0.05, "foreach": False}),
    ("AdamW", plain, {"lr": 0.05}),
    ("AdamW", plain, {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True, "maximize": True}),
    ("Adamax", plain, {"lr": 0.05}),
    ("Adamax", plain, {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", plain, {"lr": 0.3}),
    ("Adagrad", plain, {"lr": 0.3, "lr_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", two_groups(0.1), {"lr": 0.3, "weight_decay": 0.1}),
    ("Adadelta", plain, {"lr": 1.0}),
    ("Adadelta", plain, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("ASGD", plain, {"lr": 0.1}),
    ("ASGD", plain, {"lr": 0.1, "t0": 5, "lambd": 0.01, "alpha": 0.5, "weight_decay": 0.05}),
    ("RMSprop", plain, {"lr": 0.01}),
    ("RMSprop", plain, {"lr": 0.01, "centered": True}),
    ("RMSprop", plain, {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", plain, {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", two_groups(0.001), {"lr": 0.01, "alpha": 0.9, "maximize": True}),
    ("NAdam", plain, {"lr": 0.05}),
    ("NAdam", plain, {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", plain, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", plain, {"lr": 0.05}),
    ("RAdam", plain, {"lr": 0.05, "betas": (0.9, 0.9), "weight_decay": 0.1}),
    ("RAdam", plain, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Rprop", plain, {"lr": 0.01}),
    ("Rprop", plain, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.2)}),
    ("Rprop", plain, {"lr": 0.01, "maximize": True}),
]


def run(name, groups, kwargs, steps=STEPS):
    """Run both libraries side by side; yield after each step for the comparison."""
    sides = both(groups)
    opts = [getattr(lib.optim, name)(g, **kwargs) for lib, w, b, x, y, g in sides]
    for _ in range(steps):
        losses = []
        for (lib, w, b, x, y, _), opt in zip(sides, opts):
            opt.zero_grad()
            loss = loss_of(lib, w, b, x, y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        yield sides, opts, losses


def assert_same(e, t, rtol=2e-5, atol=2e-6):
    np.testing.assert_allclose(
        e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol, strict=True
    )


@pytest.mark.parametrize(
    "name,groups,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)]
)
def test_trajectory_matches_torch(name, groups, kwargs, compare_state_dicts):
    first = last = None
    for sides, opts, losses in run(name, groups, kwargs):
        eopt, topt = opts
        (_, ew, eb, *_), (_, tw, tb, *_) = sides
        assert_same(ew, tw)
        assert_same(eb, tb)
        assert losses[0] == pytest.approx(losses[1], rel=1e-5, abs=1e-6)
        first = losses[0] if first is None else first
        last = losses[0]
    if not kwargs.get("maximize"):
        assert last < first  # it actually optimizes
    compare_state_dicts(eopt.state_dict(), topt.state_dict())


def test_params_without_grad_are_skipped_and_get_no_state():
    w0, b0, x, y = problem()
    for lib in (ember, torch):
        w, b = make_params(lib, w0, b0)
        frozen = lib.tensor(np.ones(3, np.float32), requires_grad=True)
        opt = lib.optim.Adam([w, frozen, b], lr=0.1)
        loss_of(lib, w, b, lib.tensor(x), lib.tensor(y)).backward()
        opt.step()
        assert frozen.grad is None
        assert np.all(frozen.detach().numpy() == 1)
        assert sorted(opt.state_dict()["state"]) == [0, 2]


def test_step_bumps_the_version_counter():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    v = w._version
    opt.step()
    assert w._version == v + 1


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adagrad", "RMSprop", "Rprop", "ASGD"])
def test_updates_stay_float32_and_in_place(name):
    w = ember.tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)
    storage = w._data
    kwargs = {} if name == "Rprop" else {"weight_decay": 0.1}  # Rprop has no weight decay
    opt = getattr(ember.optim, name)([w], lr=0.1, **kwargs)
    for _ in range(3):
        opt.zero_grad()
        ((w - 0.3) ** 2).sum().backward()
        opt.step()
    assert w._data is storage and w._data.dtype == np.float32
    for value in opt.state[w].values():
        if isinstance(value, ember.Tensor):
            assert value._data.dtype == np.float32


def test_float64_params_keep_float64_state():
    for lib in (ember, torch):
        w = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        opt = lib.optim.Adam([w], lr=0.1)
        (w**2).sum().backward()
        opt.step()
        assert str(opt.state[w]["exp_avg"].dtype) == "torch.float64"
        assert str(opt.state[w]["step"].dtype) == "torch.float32"
        assert str(w.dtype) == "torch.float64"


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and loss.item() == 5.0
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)
    assert opt.step() is None
