"""Automatic mixed precision without a GPU: CUDA autocast and GradScaler disable themselves
with PyTorch's warnings and leave the training loop in float32; CPU mixed precision, which
would change the arithmetic, raises NotImplementedError."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember


def _train(lib, steps, scaler=None, autocast=None):
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 1)
    with lib.no_grad():
        model.weight.copy_(lib.tensor([[0.5, -0.5, 0.25]]))
        model.bias.zero_()
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    y = lib.tensor([[1.0], [0.0], [-1.0], [2.0]])
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        if autocast is None:
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            continue
        with autocast():
            loss = ((model(x) - y) ** 2).mean()
        assert loss.dtype == lib.float32
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    return model.weight.detach().numpy().copy()


def test_disabled_amp_loop_is_the_plain_loop():
    scaler = ember.amp.GradScaler("cuda", enabled=False)
    with_amp = _train(
        ember, 5, scaler, lambda: ember.autocast("cuda", dtype=ember.float16, enabled=False)
    )
    np.testing.assert_array_equal(with_amp, _train(ember, 5))


@requires_torch
def test_cuda_amp_disables_itself_with_torchs_warnings():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available"):
            scaler = lib.amp.GradScaler("cuda")
        assert scaler.is_enabled() is False and scaler.get_scale() == 1.0
        assert scaler.state_dict() == {}
        with pytest.warns(UserWarning, match="CUDA is not available.*Disabling autocast"):
            ac = lib.autocast("cuda")
        assert ac.fast_dtype == lib.float16 and ac._enabled is False
        with ac:
            assert lib.is_autocast_enabled() is False


@requires_torch
def test_deprecated_cuda_amp_names_warn_as_torch():
    for lib in (torch, ember):
        with pytest.warns(FutureWarning, match=r"torch\.cuda\.amp\.GradScaler\(args\.\.\.\)"):
            with pytest.warns(UserWarning, match="Disabling"):
                lib.cuda.amp.GradScaler()
        with pytest.warns(FutureWarning, match=r"Please use `torch\.amp\.autocast\('cuda'"):
            ac = lib.cuda.amp.autocast(enabled=False)
        assert ac.fast_dtype == lib.float16


@requires_torch
def test_training_loop_matches_torch_with_disabled_amp():
    got = _train(
        ember,
        5,
        ember.amp.GradScaler("cuda", enabled=False),
        lambda: ember.autocast("cuda", enabled=False),
    )
    want = _train(
        torch,
        5,
        torch.amp.GradScaler("cuda", enabled=False),
        lambda: torch.autocast("cuda", enabled=False),
    )
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_autocast_is_a_decorator_and_checks_device():
    @ember.autocast("cuda", enabled=False)
    def f(x):
        return x + 1

    assert f(1) == 2
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        ember.autocast("gpu")
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        ember.autocast(0)


def test_cpu_mixed_precision_is_not_provided():
    with ember.autocast("cpu", enabled=False):
        pass
    assert ember.amp.GradScaler("cpu", enabled=False).is_enabled() is False
    with pytest.raises(NotImplementedError, match="autocast on the CPU is not provided by ember"):
        ember.autocast("cpu", dtype=ember.float16)
    with pytest.raises(NotImplementedError, match="GradScaler on the CPU is not provided"):
        ember.amp.GradScaler("cpu")
