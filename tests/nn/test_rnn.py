"""RNN, LSTM, GRU and their cells against PyTorch: torch's weights loaded into ember's module,
the same input, then outputs, final states and every gradient compared; float64 gradchecks of
the fused steps; print(model) and the errors for bad input."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember
from ember import nn

pytestmark = [
    requires_torch,
    # torch's own notice when its oneDNN path cannot run an LSTM with proj_size.
    pytest.mark.filterwarnings("ignore:LSTM with projections is not supported"),
]

I, H = 3, 4  # input and hidden features
T, B = 5, 2  # time steps and batch


def _pair(name, *args, **kwargs):
    tmod = getattr(torch.nn, name)(*args, **kwargs)
    emod = getattr(nn, name)(*args, **kwargs)
    result = emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    assert list(emod.state_dict()) == list(tmod.state_dict())
    return tmod, emod


def _arr(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _both(a: np.ndarray):
    return (
        torch.from_numpy(a.copy()).requires_grad_(True),
        ember.from_numpy(a.copy()).requires_grad_(True),
    )


def _states(h):
    return list(h) if isinstance(h, tuple) else [h]


def _compare_run(tmod, emod, x, hx=None, rtol=1e-5, atol=1e-5):
    """Forward both, backward a random weighting of output and final states, compare all."""
    xt, xe = _both(x)
    hts, hes = [], []
    for h in _states(hx) if hx is not None else []:
        ht, he = _both(h)
        hts.append(ht)
        hes.append(he)
    args_t = (xt,) if hx is None else (xt, tuple(hts) if isinstance(hx, tuple) else hts[0])
    args_e = (xe,) if hx is None else (xe, tuple(hes) if isinstance(hx, tuple) else hes[0])
    ot, st = tmod(*args_t)
    oe, se = emod(*args_e)
    assert_close(oe, ot, rtol, atol)
    assert_close(_states(se), _states(st), rtol, atol)
    rng = np.random.default_rng(7)
    loss_t, loss_e = 0, 0
    for a, b in zip([ot, *_states(st)], [oe, *_states(se)]):
        w = rng.standard_normal(tuple(a.shape)).astype(x.dtype)
        loss_t = loss_t + (a * torch.from_numpy(w)).sum()
        loss_e = loss_e + (b * ember.from_numpy(w)).sum()
    loss_t.backward()
    loss_e.backward()
    assert_close(xe.grad, xt.grad, rtol, atol)
    for a, b in zip(hes, hts):
        assert_close(a.grad, b.grad, rtol, atol)
    tparams = dict(tmod.named_parameters())
    for name, p in emod.named_parameters():
        assert_close(p.grad, tparams[name].grad, rtol, atol)


MODES = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
OPTIONS = list(itertools.product([1, 2], [False, True], [False, True], [False, True]))


@pytest.mark.parametrize("name,extra", MODES, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize(
    "layers,bidirectional,batch_first,with_h0",
    OPTIONS,
    ids=[f"L{a}-bi{int(b)}-bf{int(c)}-h0{int(d)}" for a, b, c, d in OPTIONS],
)
def test_matches_torch(name, extra, layers, bidirectional, batch_first, with_h0):
    kw = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, **extra)
    tmod, emod = _pair(name, I, H, **kw)
    x = _arr(B, T, I) if batch_first else _arr(T, B, I)
    hx = None
    if with_h0:
        shape = (layers * (2 if bidirectional else 1), B, H)
        hx = (
            (_arr(*shape, seed=1), _arr(*shape, seed=2)) if name == "LSTM" else _arr(*shape, seed=1)
        )
    _compare_run(tmod, emod, x, hx)


@pytest.mark.parametrize("name,extra", MODES, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input(name, extra, with_h0, batch_first):
    tmod, emod = _pair(
        name, I, H, num_layers=2, bidirectional=True, batch_first=batch_first, **extra
    )
    hx = None
    if with_h0:
        hx = (_arr(4, H, seed=1), _arr(4, H, seed=2)) if name == "LSTM" else _arr(4, H, seed=1)
    _compare_run(tmod, emod, _arr(T, I), hx)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_without_bias(name):
    tmod, emod = _pair(name, I, H, num_layers=2, bias=False, bidirectional=True)
    assert all("bias" not in k for k in emod.state_dict())
    _compare_run(tmod, emod, _arr(T, B, I))


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("with_h0", [False, True])
def test_lstm_projection(bidirectional, with_h0):
    tmod, emod = _pair("LSTM", I, H, num_layers=2, proj_size=2, bidirectional=bidirectional)
    dirs = 2 if bidirectional else 1
    assert emod.weight_hr_l0.shape == (2, H) and emod.weight_hh_l0.shape == (4 * H, 2)
    hx = (_arr(2 * dirs, B, 2, seed=1), _arr(2 * dirs, B, H, seed=2)) if with_h0 else None
    _compare_run(tmod, emod, _arr(T, B, I), hx)


def test_float64_and_longer_sequence():
    tmod, emod = _pair("LSTM", I, H, num_layers=2)
    tmod.double()
    emod.double()
    _compare_run(tmod, emod, _arr(40, B, I, dtype=np.float64), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers(name):
    tmod, emod = _pair(name, I, H, num_layers=3, dropout=0.5)
    x = ember.from_numpy(_arr(T, B, I))
    ember.manual_seed(0)
    first = emod(x)[0]
    second = emod(x)[0]
    assert not np.allclose(first.detach().numpy(), second.detach().numpy())
    tmod.eval()
    emod.eval()
    _compare_run(tmod, emod, _arr(T, B, I))  # no dropout in eval: equal to torch again
    emod.train()
    emod.dropout = 1.0  # the last layer then sees only zeros from the one below
    out = emod(x)[0]
    one_step = emod(ember.zeros(1, B, I))[0]
    assert out.shape == (T, B, H) and one_step.shape == (1, B, H)


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(I, H, dropout=0.2)


def test_repr_matches_torch():
    cases = [
        ("LSTM", (10, 20), {}),
        ("LSTM", (10, 20), dict(num_layers=2, bias=False, batch_first=True, dropout=0.5)),
        ("LSTM", (10, 20), dict(proj_size=5, bidirectional=True)),
        ("GRU", (3, 4), dict(bidirectional=True, num_layers=3)),
        ("RNN", (3, 4), dict(nonlinearity="relu")),
        ("RNNCell", (3, 4), dict(nonlinearity="relu", bias=False)),
        ("LSTMCell", (3, 4), {}),
        ("GRUCell", (3, 4), dict(bias=False)),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, args, kw in cases:
            assert repr(getattr(nn, name)(*args, **kw)) == repr(
                getattr(torch.nn, name)(*args, **kw)
            )


def test_parameter_names_shapes_and_default_init():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = dict(num_layers=2, bidirectional=True, proj_size=3)
        t, e = torch.nn.LSTM(6, 8, **kw), nn.LSTM(6, 8, **kw)
    assert [(k, tuple(v.shape)) for k, v in e.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in t.state_dict().items()
    ]
    bound = 1 / np.sqrt(8)
    for p in e.parameters():
        a = p.detach().numpy()
        assert a.dtype == np.float32 and np.abs(a).max() <= bound and a.std() > bound / 3
    assert len(e.all_weights) == 4 and e.all_weights[1][0] is e.weight_ih_l0_reverse
    e.flatten_parameters()  # a no-op learners call
    gru = nn.GRU(6, 8, dtype=ember.float64)
    assert gru.weight_ih_l0.dtype == ember.float64


# -- cells -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,extra",
    [
        ("RNNCell", {}),
        ("RNNCell", {"nonlinearity": "relu"}),
        ("LSTMCell", {}),
        ("GRUCell", {}),
        ("GRUCell", {"bias": False}),
    ],
)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_h", [True, False])
def test_cells_match_torch(name, extra, batched, with_h):
    tmod, emod = _pair(name, I, H, **extra)
    lead = (B,) if batched else ()
    xt, xe = _both(_arr(*lead, I))
    hs = [_both(_arr(*lead, H, seed=s)) for s in (1, 2)] if with_h else []
    lstm = name == "LSTMCell"
    if with_h:
        ht = (hs[0][0], hs[1][0]) if lstm else hs[0][0]
        he = (hs[0][1], hs[1][1]) if lstm else hs[0][1]
        yt, ye = tmod(xt, ht), emod(xe, he)
    else:
        yt, ye = tmod(xt), emod(xe)
    assert_close(_states(ye), _states(yt), 1e-5, 1e-5)
    w = [_arr(*lead, H, seed=9 + k) for k in range(len(_states(yt)))]
    sum((a * torch.from_numpy(g)).sum() for a, g in zip(_states(yt), w)).backward()
    sum((a * ember.from_numpy(g)).sum() for a, g in zip(_states(ye), w)).backward()
    assert_close(xe.grad, xt.grad, 1e-5, 1e-5)
    for t_h, e_h in hs[: 2 if lstm else 1]:
        assert_close(e_h.grad, t_h.grad, 1e-5, 1e-5)
    tparams = dict(tmod.named_parameters())
    for n, p in emod.named_parameters():
        assert_close(p.grad, tparams[n].grad, 1e-5, 1e-5)


def test_lstm_cell_loop_trains_like_a_layer():
    """A hand-written time loop over LSTMCell equals nn.LSTM with the same weights."""
    cell, layer = nn.LSTMCell(I, H), nn.LSTM(I, H)
    for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(layer, f"{k}_l0").data = getattr(cell, k).data
    x = ember.from_numpy(_arr(T, B, I))
    h = c = ember.zeros(B, H)
    outs = []
    for t in range(T):
        h, c = cell(x[t], (h, c))
        outs.append(h)
    out, (h_n, c_n) = layer(x)
    np.testing.assert_allclose(ember.stack(outs).detach().numpy(), out.detach().numpy(), 1e-6)
    np.testing.assert_allclose(c.detach().numpy(), c_n[0].detach().numpy(), 1e-6)


# -- gradchecks (float64) ---------------------------------------------------------------------


def _f64(*shape, seed=0):
    return ember.from_numpy(_arr(*shape, seed=seed, dtype=np.float64)).requires_grad_(True)


@pytest.mark.parametrize("name", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradcheck_sequence(name, bidirectional):
    from ember.ops import rnn as F_rnn

    fn = {"RNN_TANH": F_rnn.rnn_tanh, "RNN_RELU": F_rnn.rnn_relu, "LSTM": F_rnn.lstm}.get(
        name, F_rnn.gru
    )
    gates = {"LSTM": 4, "GRU": 3}.get(name, 1)
    dirs = 2 if bidirectional else 1
    x, h0, c0 = _f64(3, 2, 2), _f64(dirs, 2, 2, seed=1), _f64(dirs, 2, 2, seed=2)
    params = []
    for d in range(dirs):
        params += [_f64(gates * 2, 2, seed=3 + d), _f64(gates * 2, 2, seed=5 + d)]
        params += [_f64(gates * 2, seed=7 + d), _f64(gates * 2, seed=9 + d)]

    def f(x, h0, c0, *ps):
        hx = (h0, c0) if name == "LSTM" else h0
        return fn(x, hx, list(ps), True, 1, 0.0, True, bidirectional, False)

    inputs = (x, h0, c0, *params)
    assert ember.autograd.gradcheck(f, inputs)
    # Second order on one direction is enough (the reverse one reuses the same step ops);
    # relu's kink makes finite differences of its gradient unreliable.
    if name != "RNN_RELU" and not bidirectional:
        assert ember.autograd.gradgradcheck(lambda *a: f(*a)[0], inputs)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_gradcheck_cells(name):
    cell = getattr(nn, name)(2, 3).double()
    x, h, c = _f64(2, 2), _f64(2, 3, seed=1), _f64(2, 3, seed=2)

    def f(x, h, c):
        return cell(x, (h, c)) if name == "LSTMCell" else cell(x, h)

    assert ember.autograd.gradcheck(f, (x, h, c))
    assert ember.autograd.gradgradcheck(lambda *a: _states(f(*a))[0], (x, h, c))


# -- errors as PyTorch reports them -----------------------------------------------------------


def _same_error(tmod, emod, *args):
    tt = [torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
    ee = [ember.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]

    def conv(v, lib):
        if isinstance(v, tuple):
            return tuple(lib.from_numpy(a) for a in v)
        return v

    tt = [conv(v, torch) for v in tt]
    ee = [conv(v, ember) for v in ee]
    with pytest.raises(Exception) as te:
        tmod(*tt)
    with pytest.raises(type(te.value)) as ee_info:
        emod(*ee)
    assert str(ee_info.value) == str(te.value)


def test_input_errors_match_torch():
    tmod, emod = _pair("LSTM", I, H, num_layers=2)
    _same_error(tmod, emod, _arr(T, B, 7))
    _same_error(tmod, emod, _arr(T, 7))
    _same_error(tmod, emod, _arr(2, T, B, I))
    _same_error(tmod, emod, _arr(T, B, I).astype(np.float64))
    _same_error(tmod, emod, _arr(0, B, I))
    _same_error(tmod, emod, _arr(T, B, I), (_arr(1, B, H), _arr(2, B, H)))
    _same_error(tmod, emod, _arr(T, B, I), (_arr(2, B, H), _arr(2, 3, H)))
    _same_error(tmod, emod, _arr(T, I), (_arr(2, B, H), _arr(2, B, H)))
    _same_error(tmod, emod, _arr(T, B, I), (_arr(2, H), _arr(2, H)))
    gt, ge = _pair("GRU", I, H)
    _same_error(gt, ge, _arr(T, B, I), _arr(2, B, H))
    _same_error(gt, ge, _arr(T, B, I), _arr(B, H))
    _same_error(gt, ge, _arr(T, I), _arr(1, B, H))
    rt, re_ = _pair("RNN", I, H)
    _same_error(rt, re_, _arr(2, T, B, I))


def test_cell_errors_match_torch():
    tmod, emod = _pair("LSTMCell", I, H)
    _same_error(tmod, emod, _arr(B, 5))
    _same_error(tmod, emod, _arr(B, B, I))
    _same_error(tmod, emod, _arr(B, I), (_arr(3, H), _arr(3, H)))
    gt, ge = _pair("GRUCell", I, H)
    _same_error(gt, ge, _arr(B, I), _arr(B, 5))


@pytest.mark.parametrize(
    "args,kwargs",
    [
        ((3, 4), {"nonlinearity": "sigmoid"}),
        ((3, 4), {"dropout": 2}),
        ((3, 4), {"dropout": True}),
        ((3, 0), {}),
        ((3, 4), {"num_layers": 0}),
        ((3.0, 4), {}),
        ((3, 4), {"bias": 1}),
        ((3, 4), {"proj_size": 2}),
    ],
)
def test_constructor_errors_match_torch(args, kwargs):
    with pytest.raises(Exception) as te:
        torch.nn.RNN(*args, **kwargs)
    with pytest.raises(type(te.value), match=None) as ee:
        nn.RNN(*args, **kwargs)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("kwargs", [{"proj_size": 4}, {"proj_size": -1}])
def test_projection_errors_match_torch(kwargs):
    with pytest.raises(ValueError) as te:
        torch.nn.LSTM(3, 4, **kwargs)
    with pytest.raises(ValueError) as ee:
        nn.LSTM(3, 4, **kwargs)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("reverse", [False, True])
def test_gradgradcheck_packed_layer(reverse):
    """Second order through the fused layer on a packed batch (rows 2, 2, 1 per step)."""
    from ember.ops.rnn_layer import recurrent_layer

    xg, h0, c0 = _f64(5, 8), _f64(2, 2, seed=1), _f64(2, 2, seed=2)
    w_hh, b_hh = _f64(8, 2, seed=3), _f64(8, seed=4)

    def f(xg, h0, c0, w_hh, b_hh):
        out, h, c = recurrent_layer("LSTM", xg, h0, c0, w_hh, b_hh, None, reverse, None, [2, 2, 1])
        return out, h, c

    inputs = (xg, h0, c0, w_hh, b_hh)
    assert ember.autograd.gradcheck(f, inputs)
    assert ember.autograd.gradgradcheck(lambda *a: f(*a)[0], inputs)
