"""Learning-rate schedulers: the sequences of rates (and momenta) equal PyTorch's, state dicts
have the same keys and round-trip, and the misuse warnings and errors match."""

from __future__ import annotations

import copy
import math

import pytest
from helpers import requires_torch, torch

import ember

pytestmark = requires_torch


def make_opt(lib, kind="SGD"):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return getattr(lib.optim, kind)(groups, lr=0.1)


def S(lib):
    return lib.optim.lr_scheduler


SCHEDULERS = {
    "LambdaLR": lambda L, o: S(L).LambdaLR(o, lambda e: 0.95**e),
    "LambdaLR-per-group": lambda L, o: S(L).LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: e]),
    "MultiplicativeLR": lambda L, o: S(L).MultiplicativeLR(o, lambda e: 0.9),
    "StepLR": lambda L, o: S(L).StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda L, o: S(L).MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "ConstantLR": lambda L, o: S(L).ConstantLR(o, factor=0.25, total_iters=4),
    "LinearLR": lambda L, o: S(L).LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=6),
    "ExponentialLR": lambda L, o: S(L).ExponentialLR(o, gamma=0.8),
    "PolynomialLR": lambda L, o: S(L).PolynomialLR(o, total_iters=8, power=2.0),
    "CosineAnnealingLR": lambda L, o: S(L).CosineAnnealingLR(o, T_max=5, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda L, o: S(L).CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01
    ),
    "CyclicLR": lambda L, o: S(L).CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=3, step_size_down=2),
    "CyclicLR-triangular2": lambda L, o: S(L).CyclicLR(
        o, 0.01, 0.1, step_size_up=2, mode="triangular2", cycle_momentum=False
    ),
    "CyclicLR-exp_range": lambda L, o: S(L).CyclicLR(
        o, 0.01, 0.1, step_size_up=2, mode="exp_range", gamma=0.9
    ),
    "OneCycleLR": lambda L, o: S(L).OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=25),
    "OneCycleLR-linear-3phase": lambda L, o: S(L).OneCycleLR(
        o, max_lr=0.8, epochs=5, steps_per_epoch=5, anneal_strategy="linear", three_phase=True
    ),
    "SequentialLR": lambda L, o: S(L).SequentialLR(
        o,
        [S(L).LinearLR(o, start_factor=0.1, total_iters=4), S(L).ExponentialLR(o, 0.7)],
        milestones=[4],
    ),
    "ChainedScheduler": lambda L, o: S(L).ChainedScheduler(
        [S(L).ConstantLR(o, factor=0.5, total_iters=3), S(L).ExponentialLR(o, 0.9)]
    ),
}


def trace(lib, factory, kind="SGD", epochs=24):
    opt = make_opt(lib, kind)
    sched = factory(lib, opt)
    lrs = [list(sched.get_last_lr())]
    momenta = [[_momentum(g) for g in opt.param_groups]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(list(sched.get_last_lr()))
        momenta.append([_momentum(g) for g in opt.param_groups])
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    return lrs, momenta, sched, opt


def flat(rows):
    return [v for row in rows for v in row]


def _momentum(group):
    return group["betas"][0] if "betas" in group else group.get("momentum")


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    epochs = 24 if "OneCycle" in name else 30
    e_lrs, e_mom, esched, _ = trace(ember, SCHEDULERS[name], epochs=epochs)
    t_lrs, t_mom, tsched, _ = trace(torch, SCHEDULERS[name], epochs=epochs)
    assert flat(e_lrs) == pytest.approx(flat(t_lrs), rel=1e-12, abs=1e-15)
    assert flat(e_mom) == pytest.approx(flat(t_mom), rel=1e-12, abs=1e-15)
    assert set(esched.state_dict()) == set(tsched.state_dict())


@pytest.mark.parametrize("kind", ["Adam", "AdamW"])
def test_one_cycle_cycles_beta1_of_adam_likes(kind):
    factory = SCHEDULERS["OneCycleLR"]
    e_lrs, e_mom, *_ = trace(ember, factory, kind)
    t_lrs, t_mom, *_ = trace(torch, factory, kind)
    assert flat(e_lrs) == pytest.approx(flat(t_lrs), rel=1e-12)
    assert flat(e_mom) == pytest.approx(flat(t_mom), rel=1e-12)
    assert 0.85 <= min(m[0] for m in e_mom) < 0.851  # beta1 dips to base_momentum at the peak


def test_one_cycle_errors():
    opt = make_opt(ember)
    sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()
    with pytest.raises(ValueError, match="either total_steps OR"):
        ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0)
    rms = ember.optim.Adagrad([ember.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        ember.optim.lr_scheduler.OneCycleLR(rms, max_lr=1.0, total_steps=5)


def test_reduce_lr_on_plateau_with_a_scripted_metric():
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.7] + [0.7] * 12
    for kwargs in [
        {"patience": 2},
        {"patience": 1, "cooldown": 2, "factor": 0.5, "min_lr": [0.02, 0.001]},
        {"mode": "max", "patience": 0, "threshold": 0.05, "threshold_mode": "abs"},
        {"patience": 1, "threshold": 0.2, "eps": 0.03},
    ]:
        seqs = []
        for lib in (ember, torch):
            opt = make_opt(lib)
            sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
            seq = []
            for m in metrics:
                opt.step()
                sched.step(lib.tensor(m))
                seq.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter))
            seqs.append((seq, sched.state_dict()))
        (eseq, esd), (tseq, tsd) = seqs
        assert eseq == tseq, kwargs
        assert esd == tsd


def test_reduce_lr_on_plateau_errors():
    opt = make_opt(ember)
    R = ember.optim.lr_scheduler.ReduceLROnPlateau
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        R(opt, factor=1.0)
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        R(opt, min_lr=[0.1])
    with pytest.raises(ValueError, match="mode sideways is unknown!"):
        R(opt, mode="sideways")
    with pytest.raises(ValueError, match="threshold mode x is unknown!"):
        R(opt, threshold_mode="x")
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        R([])


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "LambdaLR"])
def test_state_dict_round_trip_continues_identically(name):
    factory = SCHEDULERS[name]
    opt = make_opt(ember)
    sched = factory(ember, opt)
    for _ in range(5):
        opt.step()
        sched.step()
    saved_sched = copy.deepcopy(sched.state_dict())
    saved_opt = copy.deepcopy(opt.state_dict())
    rest = []
    for _ in range(6):
        opt.step()
        sched.step()
        rest.append(sched.get_last_lr())

    opt2 = make_opt(ember)
    sched2 = factory(ember, opt2)  # built first, then both states loaded (PyTorch's advice)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    rest2 = []
    for _ in range(6):
        opt2.step()
        sched2.step()
        rest2.append(sched2.get_last_lr())
    assert rest2 == rest


def test_state_dict_keys_and_values_equal_torch_for_step_lr():
    sds = []
    for lib in (ember, torch):
        opt = make_opt(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        opt.step()
        sched.step()
        sds.append(sched.state_dict())
    assert list(sds[0]) == list(sds[1]) and sds[0] == sds[1]


def test_lambda_state_dict_saves_callable_objects():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate**epoch

    for lib in (ember, torch):
        opt = make_opt(lib)
        fn = Decay()
        sched = lib.optim.lr_scheduler.LambdaLR(opt, [fn, lambda e: 1.0])
        sd = sched.state_dict()
        assert sd["lr_lambdas"] == [{"rate": 0.5}, None]
        sd["lr_lambdas"][0]["rate"] = 0.25
        sched.load_state_dict(sd)
        assert fn.rate == 0.25


def test_warns_when_the_scheduler_steps_before_the_optimizer():
    opt = make_opt(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


def test_get_lr_outside_step_warns_and_epoch_argument_is_deprecated():
    opt = make_opt(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sched.step(5)  # closed form: 0.1 * 0.5 ** (5 // 2)
    assert sched.get_last_lr()[0] == pytest.approx(0.025)
    assert sched.last_epoch == 5


def test_resuming_needs_initial_lr():
    opt = make_opt(ember)
    with pytest.raises(KeyError, match="initial_lr"):
        ember.optim.lr_scheduler.StepLR(opt, 2, last_epoch=3)


def test_composite_scheduler_errors():
    L = ember.optim.lr_scheduler
    opt, other = make_opt(ember), make_opt(ember)
    s1 = L.StepLR(opt, 2)
    with pytest.raises(ValueError, match="at least one scheduler"):
        L.SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match="number of milestones to be equal to 2"):
        L.SequentialLR(opt, [s1], milestones=[1, 2])
    with pytest.raises(ValueError, match="same optimizer"):
        L.SequentialLR(opt, [s1, L.StepLR(other, 2)], milestones=[3])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        L.ChainedScheduler([s1, L.ReduceLROnPlateau(opt)])


def test_warm_restarts_accepts_fractional_epochs():
    seqs = []
    for lib in (ember, torch):
        opt = make_opt(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
        seq = []
        for epoch in range(8):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                seq.append(sched.get_last_lr()[0])
        seqs.append(seq)
    assert seqs[0] == pytest.approx(seqs[1], rel=1e-12)
    assert min(seqs[0]) < 0.01 and max(seqs[0]) == pytest.approx(0.1)


def test_cosine_closed_form_values():
    opt = make_opt(ember)
    sched = ember.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    lrs = []
    for _ in range(10):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    expected = [0.05 * (1 + math.cos(math.pi * e / 10)) for e in range(1, 11)]
    assert lrs == pytest.approx(expected, abs=1e-12)
