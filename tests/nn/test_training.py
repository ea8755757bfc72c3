"""Layers, losses and optimizers together against PyTorch: the same weights in, then a few
training steps on both sides, comparing the loss, every gradient, and every updated weight and
buffer after each step (the per-layer tests compare one forward and backward)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember

pytestmark = requires_torch


def _image_model(L):
    nn = L.nn
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding="same", bias=False),  # a bias before BatchNorm gets a zero
        # gradient up to rounding, which RMSprop's g / sqrt(v) would turn into noise
        nn.BatchNorm2d(4),
        nn.PReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, groups=2, dilation=1, padding=1, bias=False),
        nn.GroupNorm(2, 6),
        nn.GELU(),
        nn.ConvTranspose2d(6, 4, 2, stride=2),
        nn.AvgPool2d(2),
        nn.LeakyReLU(0.1),
        nn.AdaptiveMaxPool2d(3),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16, 12),
        nn.LayerNorm(12),
        nn.SiLU(),
        nn.Dropout(0.0),
        nn.Unflatten(1, (3, 4)),
        nn.Conv1d(3, 5, 2, bias=False),
        nn.MaxPool1d(2, ceil_mode=True),
        nn.AvgPool1d(1),
        nn.BatchNorm1d(5),
        nn.ELU(),
        nn.Flatten(),
        nn.Linear(10, 3),
    )


class _TokenModel:
    """Embedding + Bilinear + the remaining activations, built for either library."""

    def __new__(cls, L):
        nn = L.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(7, 4, padding_idx=0)
                self.bil = nn.Bilinear(4, 4, 6)
                self.body = nn.Sequential(
                    nn.Tanh(), nn.Linear(6, 6), nn.Softplus(), nn.Identity(), nn.Sigmoid()
                )
                self.head = nn.Linear(6, 4)
                self.out = nn.LogSoftmax(dim=1)
                self.relu = nn.ReLU()
                self.soft = nn.Softmax(dim=1)

            def forward(self, idx):
                e = self.emb(idx)
                h = self.body(self.bil(e[:, 0], e[:, 1]))
                return self.out(self.head(h) + 0.1 * self.soft(self.relu(h))[:, :4])

        return Net()


def _copy(tmod, emod):
    emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})


def _compare_state(emod, tmod, rtol, atol):
    eparams = dict(emod.named_parameters())
    for name, tp in tmod.named_parameters():
        assert_close(eparams[name], tp, rtol, atol)
        if tp.grad is not None:
            assert_close(eparams[name].grad, tp.grad, rtol, atol)
    ebufs = dict(emod.named_buffers())
    for name, tb in tmod.named_buffers():
        assert_close(ebufs[name], tb, rtol, atol)


CASES = [
    # model, input maker, loss, optimizer
    ("image", "CrossEntropyLoss", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("image", "CrossEntropyLoss", "Adam", {"lr": 0.01, "weight_decay": 0.01}),
    ("image", "MSELoss", "RMSprop", {"lr": 0.01, "centered": True}),
    ("tokens", "NLLLoss", "AdamW", {"lr": 0.05}),
    ("tokens", "NLLLoss", "Adagrad", {"lr": 0.1}),
]


@pytest.mark.parametrize("model,loss,opt,kwargs", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_training_steps_match_torch(model, loss, opt, kwargs):
    rng = np.random.default_rng(0)
    if model == "image":
        x = rng.standard_normal((4, 2, 8, 8)).astype(np.float32)
        make = _image_model
    else:
        x = rng.integers(0, 7, (6, 2))
        make = _TokenModel
    n = x.shape[0]
    if loss == "MSELoss":
        y = rng.standard_normal((n, 3)).astype(np.float32)
    else:
        y = rng.integers(0, 3, n)
    torch.manual_seed(0)
    tmod, emod = make(torch), make(ember)
    _copy(tmod, emod)
    topt = getattr(torch.optim, opt)(tmod.parameters(), **kwargs)
    eopt = getattr(ember.optim, opt)(emod.parameters(), **kwargs)
    tloss, eloss = getattr(torch.nn, loss)(), getattr(ember.nn, loss)()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    ex, ey = ember.from_numpy(x.copy()), ember.from_numpy(y.copy())
    for _ in range(4):
        topt.zero_grad()
        eopt.zero_grad()
        lt = tloss(tmod(tx), ty)
        le = eloss(emod(ex), ey)
        assert_close(le, lt, 1e-4, 1e-5)
        lt.backward()
        le.backward()
        topt.step()
        eopt.step()
        # float32 rounding of the two libraries' kernels differs in the last bits, and adaptive
        # optimizers divide by small second moments: a wrong update is off by ~lr (1e-2).
        _compare_state(emod, tmod, 1e-3, 2e-4)
    # Evaluation mode (running statistics, no dropout) gives the same outputs too.
    tmod.eval()
    emod.eval()
    with torch.no_grad(), ember.no_grad():
        assert_close(emod(ex), tmod(tx), 1e-4, 1e-5)
