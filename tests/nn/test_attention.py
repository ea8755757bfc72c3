"""F.scaled_dot_product_attention, nn.MultiheadAttention and the transformer layers against
PyTorch: same weights, same inputs and masks, then outputs, attention weights and every
gradient compared; float64 gradchecks of the fused attention node."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember
import ember.nn.functional as F
from ember import nn

pytestmark = [
    requires_torch,
    # torch's notice that its nested-tensor speed path is off for time-major input.
    pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
    # Both libraries' deprecation notice for a bool padding mask beside a float attn_mask.
    pytest.mark.filterwarnings("ignore:Support for mismatched"),
]


def _arr(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _both(a, grad=True):
    t, e = torch.from_numpy(a.copy()), ember.from_numpy(a.copy())
    if grad and a.dtype.kind == "f":
        t.requires_grad_()
        e.requires_grad_()
    return t, e


def _backward_same(outs_t, outs_e, seed=11):
    rng = np.random.default_rng(seed)
    lt, le = 0, 0
    for a, b in zip(outs_t, outs_e):
        if a is None:
            assert b is None
            continue
        w = rng.standard_normal(tuple(a.shape)).astype(np.float32)
        w[~np.isfinite(a.detach().numpy())] = 0
        lt = lt + (torch.nan_to_num(a) * torch.from_numpy(w)).sum()
        le = le + (ember.where(ember.isnan(b), ember.zeros(()), b) * ember.from_numpy(w)).sum()
    lt.backward()
    le.backward()


def _bool_mask(*shape, seed=3, keep_rows=True):
    m = np.random.default_rng(seed).random(shape) > 0.4
    if keep_rows:
        m[..., 0] = True  # every query may attend somewhere
    return m


# -- scaled_dot_product_attention ----------------------------------------------------------


SDPA_CASES = [
    ("plain", (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), None, {}),
    ("unbatched", (4, 8), (6, 8), (6, 5), None, {}),
    ("bool_mask", (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), "bool", {}),
    ("float_mask", (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), "float", {}),
    ("dead_rows", (2, 1, 4, 8), (2, 1, 6, 8), (2, 1, 6, 5), "dead", {}),
    ("causal", (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), None, {"is_causal": True}),
    ("scale", (2, 4, 8), (2, 6, 8), (2, 6, 5), None, {"scale": 0.3}),
    ("gqa", (2, 4, 4, 8), (2, 2, 6, 8), (2, 2, 6, 5), None, {"enable_gqa": True}),
]


@pytest.mark.parametrize("case", SDPA_CASES, ids=[c[0] for c in SDPA_CASES])
def test_sdpa_matches_torch(case):
    _, qs, ks, vs, mask, kw = case
    (qt, qe), (kt, ke), (vt, ve) = (
        _both(_arr(*qs)),
        _both(_arr(*ks, seed=1)),
        _both(_arr(*vs, seed=2)),
    )
    mt = me = None
    lsq = (qs[-2], ks[-2])
    if mask == "bool":
        mt, me = _both(_bool_mask(*lsq))
    elif mask == "float":
        mt, me = _both(_arr(*lsq, seed=4))
    elif mask == "dead":
        m = _bool_mask(*lsq)
        m[1] = False  # query 1 may attend nowhere: zeros, not NaN
        mt, me = _both(m)
    yt = torch.nn.functional.scaled_dot_product_attention(qt, kt, vt, attn_mask=mt, **kw)
    ye = F.scaled_dot_product_attention(qe, ke, ve, attn_mask=me, **kw)
    assert_close(ye, yt, 1e-5, 1e-5)
    _backward_same([yt], [ye])
    for a, b in ((qe, qt), (ke, kt), (ve, vt)) + (((me, mt),) if mask == "float" else ()):
        assert_close(a.grad, b.grad, 1e-4, 1e-5)


def test_sdpa_dropout():
    q, k, v = (ember.from_numpy(_arr(2, 4, 8, seed=s)) for s in range(3))
    plain = F.scaled_dot_product_attention(q, k, v)
    ember.manual_seed(1)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ember.manual_seed(1)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert np.array_equal(a.numpy(), b.numpy()) and not np.allclose(a.numpy(), plain.numpy())
    assert np.all(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy() == 0)


def test_sdpa_errors_match_torch():
    q, k, v, m = _arr(2, 4, 8), _arr(2, 6, 8), _arr(2, 6, 5), np.ones((4, 6), bool)
    cases = [
        ((q, k, v), {"attn_mask": m, "is_causal": True}),
        ((q, k, v[:, :4]), {}),
        ((q, k[..., :3], v), {}),
    ]
    for args, kw in cases:
        tkw = {n: torch.from_numpy(a) if isinstance(a, np.ndarray) else a for n, a in kw.items()}
        ekw = {n: ember.from_numpy(a) if isinstance(a, np.ndarray) else a for n, a in kw.items()}
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.scaled_dot_product_attention(*map(torch.from_numpy, args), **tkw)
        with pytest.raises(RuntimeError) as ee:
            F.scaled_dot_product_attention(*map(ember.from_numpy, args), **ekw)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("mask", [None, "float", "causal"])
def test_sdpa_gradcheck(mask):
    q, k, v = (
        ember.from_numpy(_arr(2, 3, 4, seed=s, dtype=np.float64)).requires_grad_() for s in range(3)
    )
    inputs = [q, k, v]
    if mask == "float":
        inputs.append(ember.from_numpy(_arr(3, 3, seed=5, dtype=np.float64)).requires_grad_())

    def f(q, k, v, m=None):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=mask == "causal")

    assert ember.autograd.gradcheck(f, tuple(inputs))
    assert ember.autograd.gradgradcheck(f, tuple(inputs))


# -- MultiheadAttention ----------------------------------------------------------------------

E, HEADS, L, S, N = 8, 2, 4, 5, 3


def _mha_pair(**kw):
    tmod = torch.nn.MultiheadAttention(E, HEADS, **kw)
    emod = nn.MultiheadAttention(E, HEADS, **kw)
    with torch.no_grad():
        for p in tmod.parameters():  # non-zero biases, so that every path is exercised
            p.copy_(torch.randn_like(p) * 0.5)
    result = emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    assert list(emod.state_dict()) == list(tmod.state_dict())
    return tmod, emod


MHA_CASES = [
    ("self", {}, {}),
    ("cross", {}, {"cross": True}),
    ("batch_first", {"batch_first": True}, {"cross": True}),
    ("no_weights", {}, {"need_weights": False}),
    ("per_head_weights", {}, {"average_attn_weights": False}),
    ("kpm_bool", {}, {"kpm": "bool"}),
    ("kpm_float", {}, {"kpm": "float", "need_weights": False}),
    ("attn_bool", {}, {"attn": "bool"}),
    ("attn_float3d", {}, {"attn": "float3d"}),
    ("both_masks", {"batch_first": True}, {"attn": "bool", "kpm": "bool", "need_weights": False}),
    ("causal", {}, {"attn": "causal", "is_causal": True, "need_weights": False}),
    ("kdim_vdim", {"kdim": 6, "vdim": 3}, {"cross": True}),
    ("bias_kv", {"add_bias_kv": True}, {"kpm": "bool"}),
    ("zero_attn", {"add_zero_attn": True}, {"attn": "bool"}),
    ("no_bias", {"bias": False}, {}),
    ("unbatched", {}, {"unbatched": True, "kpm": "bool"}),
]


@pytest.mark.parametrize("case", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_mha_matches_torch(case):
    _, ctor, opt = case
    tmod, emod = _mha_pair(**ctor)
    bf = ctor.get("batch_first", False)
    lead_q = () if opt.get("unbatched") else ((N, L) if bf else (L, N))
    lead_k = () if opt.get("unbatched") else ((N, S) if bf else (S, N))
    if opt.get("unbatched"):
        lead_q, lead_k = (L,), (S,)
    cross = opt.get("cross")
    qt, qe = _both(_arr(*lead_q, E))
    if cross:
        kt, ke = _both(_arr(*lead_k, ctor.get("kdim", E), seed=1))
        vt, ve = _both(_arr(*lead_k, ctor.get("vdim", E), seed=2))
    else:
        kt, ke, vt, ve = qt, qe, qt, qe
    src = S if cross else L
    kw_t, kw_e = {}, {}
    kpm_shape = (src,) if opt.get("unbatched") else (N, src)
    if opt.get("kpm") == "bool":
        kw_t["key_padding_mask"], kw_e["key_padding_mask"] = _both(~_bool_mask(*kpm_shape))
    elif opt.get("kpm") == "float":
        kw_t["key_padding_mask"], kw_e["key_padding_mask"] = _both(_arr(*kpm_shape, seed=6), False)
    if opt.get("attn") == "bool":
        kw_t["attn_mask"], kw_e["attn_mask"] = _both(~_bool_mask(L, src, seed=7))
    elif opt.get("attn") == "float3d":
        kw_t["attn_mask"], kw_e["attn_mask"] = _both(_arr(N * HEADS, L, src, seed=8), False)
    elif opt.get("attn") == "causal":
        m = torch.nn.Transformer.generate_square_subsequent_mask(L)
        kw_t["attn_mask"], kw_e["attn_mask"] = m, to_ember(m)
    for key in ("need_weights", "average_attn_weights", "is_causal"):
        if key in opt:
            kw_t[key] = kw_e[key] = opt[key]
    ot, wt = tmod(qt, kt, vt, **kw_t)
    oe, we = emod(qe, ke, ve, **kw_e)
    assert_close(oe, ot, 1e-5, 1e-5)
    assert (we is None) == (wt is None)
    if wt is not None:
        assert_close(we, wt, 1e-5, 1e-5)
    _backward_same([ot, wt], [oe, we])
    pairs = [(qe, qt)] + ([(ke, kt), (ve, vt)] if cross else [])
    for a, b in pairs:
        assert_close(a.grad, b.grad, 1e-4, 1e-5)
    tparams = dict(tmod.named_parameters())
    for name, p in emod.named_parameters():
        assert_close(p.grad, tparams[name].grad, 1e-4, 1e-5)


def test_mha_dead_rows_nan_with_weights_zero_without():
    """A query that may attend nowhere: NaN on the weights path, zeros on the fused one, as
    in PyTorch."""
    tmod, emod = _mha_pair()
    x = _arr(L, N, E)
    kpm = np.zeros((N, L), bool)
    kpm[1] = True  # batch row 1: every key is padding
    for need in (True, False):
        ot, _ = tmod(
            *(torch.from_numpy(x),) * 3, key_padding_mask=torch.from_numpy(kpm), need_weights=need
        )
        oe, _ = emod(
            *(ember.from_numpy(x),) * 3, key_padding_mask=ember.from_numpy(kpm), need_weights=need
        )
        np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), 1e-5, 1e-5)
        assert np.isnan(oe.detach().numpy()[:, 1]).all() == need


def test_mha_repr_init_and_errors():
    t, e = torch.nn.MultiheadAttention(8, 2), nn.MultiheadAttention(8, 2)
    assert repr(e) == repr(t)
    assert not e.in_proj_bias.detach().numpy().any()
    assert not e.out_proj.bias.detach().numpy().any()
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform_ on the (24, 8) in_proj_weight
    w = e.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and w.std() > bound / 3
    sep = nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True)
    assert list(sep.state_dict()) == list(
        torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True).state_dict()
    )
    assert sep.in_proj_weight is None and sep.k_proj_weight.shape == (8, 4)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(8, 3)
    x = ember.randn(4, 2, 8)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        e(x, x, x, is_causal=True)
    with pytest.raises(
        RuntimeError, match=r"The shape of the 2D attn_mask is torch.Size\(\[3, 4\]\)"
    ):
        e(x, x, x, attn_mask=ember.zeros(3, 4))
    # An unbatched query with a 3-D mask of the wrong shape: torch's exact message.
    xt, mt = torch.randn(4, 8), torch.zeros(3, 3, 3)
    with pytest.raises(AssertionError) as want:
        t(xt, xt, xt, attn_mask=mt)
    with pytest.raises(AssertionError) as got:
        e(*(to_ember(xt),) * 3, attn_mask=to_ember(mt))
    assert str(got.value) == str(want.value)
    assert "but got torch.Size([3, 3, 3])" in str(got.value)


# -- transformer layers ----------------------------------------------------------------------


def _load(tmod, emod):
    result = emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    assert list(emod.state_dict()) == list(tmod.state_dict())


def _compare_params(tmod, emod):
    tparams = dict(tmod.named_parameters())
    for name, p in emod.named_parameters():
        assert_close(p.grad, tparams[name].grad, 1e-4, 2e-5)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_matches_torch(norm_first, activation, batch_first):
    kw = dict(
        dim_feedforward=16,
        dropout=0.0,
        activation=activation,
        batch_first=batch_first,
        norm_first=norm_first,
    )
    tl, el = (
        torch.nn.TransformerEncoderLayer(E, HEADS, **kw),
        nn.TransformerEncoderLayer(E, HEADS, **kw),
    )
    tmod = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(E))
    emod = nn.TransformerEncoder(el, 2, norm=nn.LayerNorm(E))
    assert repr(emod) == repr(tmod)
    _load(tmod, emod)
    xt, xe = _both(_arr(N, L, E) if batch_first else _arr(L, N, E))
    kpm = np.zeros((N, L), bool)
    kpm[0, -1] = True
    mask = torch.nn.Transformer.generate_square_subsequent_mask(L)
    yt = tmod(xt, mask=mask, src_key_padding_mask=torch.from_numpy(kpm))
    ye = emod(xe, mask=to_ember(mask), src_key_padding_mask=ember.from_numpy(kpm))
    assert_close(ye, yt, 1e-4, 2e-5)
    _backward_same([yt], [ye])
    assert_close(xe.grad, xt.grad, 1e-4, 2e-5)
    _compare_params(tmod, emod)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch(norm_first):
    kw = dict(
        d_model=E,
        nhead=HEADS,
        num_encoder_layers=1,
        num_decoder_layers=2,
        dim_feedforward=16,
        dropout=0.0,
        norm_first=norm_first,
    )
    tmod, emod = torch.nn.Transformer(**kw), nn.Transformer(**kw)
    assert repr(emod) == repr(tmod)
    _load(tmod, emod)
    (st, se), (tt, te) = _both(_arr(S, N, E)), _both(_arr(L, N, E, seed=1))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(L)
    emask = nn.Transformer.generate_square_subsequent_mask(L)
    assert_close(emask, mask)
    yt = tmod(st, tt, tgt_mask=mask, tgt_is_causal=True)
    ye = emod(se, te, tgt_mask=emask, tgt_is_causal=True)
    assert_close(ye, yt, 1e-4, 2e-5)
    _backward_same([yt], [ye])
    assert_close(se.grad, st.grad, 1e-4, 2e-5)
    assert_close(te.grad, tt.grad, 1e-4, 2e-5)
    _compare_params(tmod, emod)


def test_layers_are_independent_copies_and_dropout_trains():
    layer = nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=16, activation=nn.GELU())
    enc = nn.TransformerEncoder(layer, 2)
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    assert repr(layer) == repr(
        torch.nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=16, activation=torch.nn.GELU())
    )
    x = ember.randn(L, N, E)
    assert not np.allclose(enc(x).detach().numpy(), enc(x).detach().numpy())  # dropout
    enc.eval()
    np.testing.assert_array_equal(enc(x).detach().numpy(), enc(x).detach().numpy())
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(E, HEADS, activation="tanh")
