"""The update functions run in cache-sized blocks of large parameters (``optimizer._blocks``):
the blocks cover each element once, and blocking changes no result bit (nor torch agreement)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.optim import optimizer
from ember.optim.optimizer import _BLOCK, _blocks, _next_step

# -- the helper --------------------------------------------------------------------------------


def test_small_parameter_is_one_block_of_the_arrays_themselves():
    p, g = np.zeros((10, 7), np.float32), np.ones((10, 7), np.float32)
    (block,) = _blocks(p, g, None)
    assert block[0] is p and block[1] is g and block[2] is None


@pytest.mark.parametrize("shape", [(3 * _BLOCK,), (3 * _BLOCK + 5,), (_BLOCK + 1, 2)])
def test_blocks_cover_every_element_once_at_the_same_positions(shape):
    n = int(np.prod(shape))
    p = np.zeros(shape, np.float32)
    g = np.arange(n, dtype=np.float64).reshape(shape)
    blocks = _blocks(p, g, None, g * 2)
    assert len(blocks) == -(-n // _BLOCK)
    for pb, gb, none, sb in blocks:
        assert none is None
        assert pb.ndim == 1 and 0 < pb.size <= _BLOCK
        assert np.shares_memory(pb, p) and np.shares_memory(gb, g)
        assert gb.dtype == np.float64  # views: no dtype change
        np.testing.assert_array_equal(sb, 2 * gb)  # same positions in every array
        pb += 1
    np.testing.assert_array_equal(p, 1)  # every element once
    # Block i starts at element i * _BLOCK.
    starts = [gb[0] for _, gb, _, _ in blocks]
    assert starts == list(range(0, n, _BLOCK))


def test_non_contiguous_or_mismatched_arrays_are_one_whole_block():
    p = np.zeros((2 * _BLOCK, 3), np.float32)
    transposed = np.zeros((3, 2 * _BLOCK), np.float32).T
    strided = np.zeros((4 * _BLOCK, 3), np.float32)[::2]
    for other in (transposed, strided, np.zeros(7, np.float32)):
        (block,) = _blocks(p, other, None)
        assert block[0] is p and block[1] is other and block[2] is None
    (block,) = _blocks(transposed, np.zeros_like(p))
    assert block[0] is transposed


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_next_step_counts_as_the_in_place_add(dtype):
    # Around float32's (and float16's) last exact integers, where x + 1 rounds.
    top = float(np.finfo(dtype).max)
    for x in [0.0, 1.0, 2047.0, 2048.0, 2050.0, 2.0**24 - 1, 2.0**24, 2.0**24 + 2, top]:
        if x > top:
            continue
        counter, expected = np.array(x, dtype), np.array(x, dtype)
        expected += 1
        assert _next_step(counter) == float(expected)
        assert counter.dtype == dtype and counter.tobytes() == expected.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_a_python_float_operand_is_a_0d_array_of_the_dtype(dtype):
    # SGD passes lr and momentum as 0-d arrays of the parameter's dtype (faster ufunc calls);
    # that gives the same bits only because NumPy casts a Python float to the array's dtype.
    rng = np.random.default_rng(0)
    g = rng.standard_normal(100).astype(dtype)
    for x in [0.1, 0.9, 1 / 3, 1e-3, float(rng.standard_normal()) * 1e-5]:
        typed = np.array(x, dtype)
        assert np.multiply(g, x).tobytes() == np.multiply(g, typed).tobytes()
        a, b = g.copy(), g.copy()
        a *= x
        b *= typed
        assert a.dtype == b.dtype == dtype and a.tobytes() == b.tobytes()


# -- every blocked algorithm -------------------------------------------------------------------

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("Adamax", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.3, "lr_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 0.3, "weight_decay": 0.1, "maximize": True}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.1, "t0": 2, "lambd": 0.01, "alpha": 0.5, "weight_decay": 0.05}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "maximize": True}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.05, "betas": (0.9, 0.9)}),  # rectified from step 3 on
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
STEPS = 4


def weights(shapes, seed=0):
    """Start values and per-step gradients (gradients vary by step, so the state matters)."""
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(STEPS)]
    return start, grads


def run_ember(name, kwargs, start, grads, transposed=()):
    """Params after each step (copies) and the final optimizer. ``transposed``: indices of
    parameters (and gradients) given as non-contiguous transposed views."""
    params = []
    for i, a in enumerate(start):
        if i in transposed:
            params.append(ember.from_numpy(np.ascontiguousarray(a.T).T).requires_grad_())
        else:
            params.append(ember.tensor(a.copy(), requires_grad=True))
    opt = getattr(ember.optim, name)(params, **kwargs)
    history = []
    for step in grads:
        for i, (p, g) in enumerate(zip(params, step)):
            g = np.ascontiguousarray(g.T).T if i in transposed else g.copy()
            p.grad = ember.from_numpy(g)
        opt.step()
        history.append([p._data.copy() for p in params])
    return history, opt


def state_arrays(opt):
    values = [v for st in opt.state.values() for v in st.values()]
    return [v._data for v in values if isinstance(v, ember.Tensor)]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_blocked_update_is_bit_identical_to_the_whole_array_update(name, kwargs, monkeypatch):
    # Small blocks (with a short last one) against no blocks; the second gradient is
    # non-contiguous and the third parameter too (both fall back to whole arrays).
    shapes = [(10_007,), (50, 41), (300, 20), (5,)]
    start, grads = weights(shapes)
    monkeypatch.setattr(optimizer, "_BLOCK", 1 << 40)
    whole, whole_opt = run_ember(name, kwargs, start, grads, transposed=(1, 2))
    monkeypatch.setattr(optimizer, "_BLOCK", 1000)
    assert len(_blocks(*start[:1])) == 11
    blocked, blocked_opt = run_ember(name, kwargs, start, grads, transposed=(1, 2))
    for w, b in zip(whole, blocked):
        for x, y in zip(w, b):
            assert x.dtype == y.dtype == np.float32
            np.testing.assert_array_equal(x, y, strict=True)
    for x, y in zip(state_arrays(whole_opt), state_arrays(blocked_opt), strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y, strict=True)
    assert not np.array_equal(whole[-1][0], start[0])  # it moved


@requires_torch
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_blocked_update_matches_torch(name, kwargs, compare_state_dicts):
    # One parameter of several blocks (with a short last one), a small one, and a
    # non-contiguous one of more than a block (updated whole).
    shapes = [(300_001,), (7, 3), (500, 300)]
    start, grads = weights(shapes, seed=1)
    history, eopt = run_ember(name, kwargs, start, grads, transposed=(2,))
    tparams = [torch.tensor(a, requires_grad=True) for a in start]
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    # Looser than test_algorithms' 2e-5 / 2e-6: among 450k elements a few land where float32
    # rounding is amplified (a momentum buffer of terms near 10 that cancel to near 0, a
    # centered RMSprop denominator), and there ember and torch round differently. A block
    # updated wrongly or not at all is off by the whole update, 1e-3 and more.
    for step, (step_grads, ember_params) in enumerate(zip(grads, history)):
        for p, g in zip(tparams, step_grads):
            p.grad = torch.tensor(g)
        topt.step()
        for e, t in zip(ember_params, tparams):
            np.testing.assert_allclose(
                e, t.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=f"step {step + 1}"
            )
    compare_state_dicts(eopt.state_dict(), topt.state_dict(), atol=1e-5)
