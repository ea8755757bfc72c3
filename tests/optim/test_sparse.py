"""Optimizers with sparse gradients (what nn.Embedding(sparse=True) gives): SparseAdam's
row-wise update, SGD and Adagrad densifying them, and the dense optimizers' errors, all
against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember import sparse

pytestmark = [
    requires_torch,
    # torch's own sparse code (Adagrad, SparseAdam) warns about its invariant checks
    pytest.mark.filterwarnings("ignore:Sparse invariant checks:UserWarning"),
]

# Each step's gradient rows: repeated rows (uncoalesced) and a row never touched (5). An empty
# gradient is covered by the zero_grad test (ember.sparse cannot build one from indices yet).
ROWS = [[0, 2, 0], [1, 4], [2, 2, 3, 0], [4, 1, 1]]


def grad_for(lib, rows, step, dim=3, n=6):
    values = np.cos(np.arange(len(rows) * dim, dtype=np.float32) + step).reshape(len(rows), dim)
    idx = np.array([rows], np.int64).reshape(1, len(rows))
    if lib is torch:
        return torch.sparse_coo_tensor(
            torch.from_numpy(idx), torch.from_numpy(values), (n, dim), check_invariants=False
        )
    return sparse.sparse_coo_tensor(ember.from_numpy(idx), ember.from_numpy(values), (n, dim))


def set_grad(lib, p, g):
    if lib is torch:
        p.grad = g
    else:
        p._grad = g  # what the engine stores after an Embedding(sparse=True) backward


def run(lib, name, kwargs, rows_per_step=ROWS):
    w = lib.tensor(np.linspace(-1, 1, 18, dtype=np.float32).reshape(6, 3), requires_grad=True)
    opt = getattr(lib.optim, name)([w], **kwargs)
    for step, rows in enumerate(rows_per_step):
        opt.zero_grad()
        set_grad(lib, w, grad_for(lib, rows, step))
        opt.step()
    return w, opt


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("SparseAdam", {"lr": 0.1}),
        ("SparseAdam", {"lr": 0.05, "betas": (0.8, 0.9), "maximize": True}),
        ("SGD", {"lr": 0.1}),
        ("SGD", {"lr": 0.1, "momentum": 0.9}),
        ("Adagrad", {"lr": 0.1}),
        ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.2}),
    ],
)
def test_sparse_gradients_match_torch(name, kwargs):
    ew, eopt = run(ember, name, kwargs)
    tw, topt = run(torch, name, kwargs)
    np.testing.assert_allclose(ew.detach().numpy(), tw.detach().numpy(), rtol=1e-6, atol=1e-7)
    if name == "SparseAdam":
        est, tst = eopt.state[ew], topt.state[tw]
        assert est["step"] == tst["step"] == len(ROWS)
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_allclose(est[key].numpy(), tst[key].numpy(), rtol=1e-6, atol=1e-8)
        # Row 5 never had a gradient: untouched, moments zero.
        assert np.all(est["exp_avg"].numpy()[5] == 0)


def test_sparse_adam_refuses_dense_gradients_like_torch():
    for lib in (ember, torch):
        w = lib.zeros(3, requires_grad=True)
        opt = lib.optim.SparseAdam([w])
        (w * w).sum().backward()
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
            opt.step()


@pytest.mark.parametrize(
    "name,message",
    [
        ("Adam", "Adam does not support sparse gradients, please consider SparseAdam instead"),
        ("AdamW", "Adam does not support sparse gradients, please consider SparseAdam instead"),
        ("Adamax", "Adamax does not support sparse gradients"),
        ("Adadelta", "Adadelta does not support sparse gradients"),
        ("ASGD", "ASGD does not support sparse gradients"),
        ("RMSprop", "RMSprop does not support sparse gradients"),
        ("Rprop", "Rprop does not support sparse gradients"),
        ("NAdam", "NAdam does not support sparse gradients"),
        ("RAdam", "RAdam does not support sparse gradients"),
    ],
)
def test_dense_optimizers_refuse_sparse_gradients_like_torch(name, message):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError) as info:
            run(lib, name, {"lr": 0.1}, rows_per_step=[[0, 1]])
        assert str(info.value) == message


def test_adagrad_weight_decay_with_sparse_gradients_is_an_error():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="weight_decay option is not compatible"):
            run(lib, "Adagrad", {"weight_decay": 0.1}, rows_per_step=[[0]])


def test_zero_grad_in_place_empties_a_sparse_gradient():
    w = ember.zeros(6, 3, requires_grad=True)
    opt = ember.optim.SparseAdam([w])
    set_grad(ember, w, grad_for(ember, [1, 2], 0))
    opt.zero_grad(set_to_none=False)
    assert w._grad.is_sparse and w._grad._nnz() == 0
    opt.step()  # an empty sparse gradient moves nothing
    assert np.all(w.detach().numpy() == 0)


def test_sparse_adam_with_embedding():
    results = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        emb = lib.nn.Embedding(10, 3, sparse=True)
        with lib.no_grad():
            emb.weight.copy_(lib.tensor(np.linspace(-1, 1, 30, dtype=np.float32).reshape(10, 3)))
        opt = lib.optim.SparseAdam(emb.parameters(), lr=0.1)
        target = lib.tensor(np.ones((4, 3), np.float32))
        for step in range(10):
            idx = lib.tensor(np.array([step % 10, 3, 3, 7]))
            opt.zero_grad()
            loss = ((emb(idx) - target) ** 2).mean()
            loss.backward()
            opt.step()
        results.append(emb.weight.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)
