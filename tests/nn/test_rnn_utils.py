"""nn.utils.rnn (pad_sequence, pack_padded_sequence, pad_packed_sequence, ...) and the recurrent
layers on packed batches, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember
import ember.nn.utils.rnn as ern
from ember import nn

pytestmark = requires_torch
trn = torch.nn.utils.rnn if torch is not None else None


def _arr(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _both(a):
    return torch.from_numpy(a.copy()).requires_grad_(), ember.from_numpy(a.copy()).requires_grad_()


def _seqs(lengths, feat=3):
    pairs = [_both(_arr(n, feat, seed=k)) for k, n in enumerate(lengths)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _backward_same(yt, ye, seed=5):
    g = _arr(*yt.shape, seed=seed)
    (yt * torch.from_numpy(g)).sum().backward()
    (ye * ember.from_numpy(g)).sum().backward()


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side):
    st, se = _seqs([2, 4, 1])
    kw = dict(batch_first=batch_first, padding_value=-1.5, padding_side=padding_side)
    yt, ye = trn.pad_sequence(st, **kw), ern.pad_sequence(se, **kw)
    assert_close(ye, yt)
    _backward_same(yt, ye)
    for a, b in zip(se, st):
        assert_close(a.grad, b.grad)


def test_pad_sequence_errors_match_torch():
    for args, kw in [
        (([],), {}),
        (([np.ones((2, 2), np.float32)],), {"padding_side": "middle"}),
        (([np.ones((2, 2), np.float32), np.ones((3, 3), np.float32)],), {}),
    ]:
        with pytest.raises(RuntimeError) as te:
            trn.pad_sequence([torch.from_numpy(a) for a in args[0]], **kw)
        with pytest.raises(RuntimeError) as ee:
            ern.pad_sequence([ember.from_numpy(a) for a in args[0]], **kw)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_then_pad_round_trip(batch_first, enforce_sorted):
    lengths = [4, 3, 1] if enforce_sorted else [2, 4, 1]
    x = _arr(3, 4, 2) if batch_first else _arr(4, 3, 2)
    xt, xe = _both(x)
    pt = trn.pack_padded_sequence(xt, lengths, batch_first, enforce_sorted)
    pe = ern.pack_padded_sequence(xe, ember.tensor(lengths), batch_first, enforce_sorted)
    assert isinstance(pe, tuple) and type(pe).__name__ == "PackedSequence"
    assert_close(pe.data, pt.data)
    assert_close(pe.batch_sizes, pt.batch_sizes)
    for a, b in (
        (pe.sorted_indices, pt.sorted_indices),
        (pe.unsorted_indices, pt.unsorted_indices),
    ):
        assert (a is None) == (b is None)
        if a is not None:
            assert_close(a, b)
    kw = dict(batch_first=batch_first, padding_value=9.0, total_length=6)
    (yt, lt), (ye, le) = trn.pad_packed_sequence(pt, **kw), ern.pad_packed_sequence(pe, **kw)
    assert_close(ye, yt)
    assert_close(le, lt)
    _backward_same(yt, ye)
    assert_close(xe.grad, xt.grad)


def test_pack_sequence_unpack_unpad():
    st, se = _seqs([2, 5, 3])
    pt, pe = (
        trn.pack_sequence(st, enforce_sorted=False),
        ern.pack_sequence(se, enforce_sorted=False),
    )
    assert_close(pe.data, pt.data)
    for a, b in zip(ern.unpack_sequence(pe), trn.unpack_sequence(pt)):
        assert_close(a, b)
    padded = _arr(5, 3, 2)
    lens = [5, 2, 3]
    for a, b in zip(
        ern.unpad_sequence(ember.from_numpy(padded), ember.tensor(lens)),
        trn.unpad_sequence(torch.from_numpy(padded), torch.tensor(lens)),
    ):
        assert_close(a, b)


def test_packing_errors_match_torch():
    x = _arr(4, 3, 1)
    for lengths, kw, cls in [
        ([4, 2, 3], {}, RuntimeError),
        ([4, 3, 0], {}, RuntimeError),
        ([4, 3], {}, RuntimeError),
    ]:
        with pytest.raises(cls) as te:
            trn.pack_padded_sequence(torch.from_numpy(x), lengths, **kw)
        with pytest.raises(cls) as ee:
            ern.pack_padded_sequence(ember.from_numpy(x), lengths, **kw)
        assert str(ee.value) == str(te.value)
    pt = trn.pack_padded_sequence(torch.from_numpy(x), [4, 3, 1])
    pe = ern.pack_padded_sequence(ember.from_numpy(x), [4, 3, 1])
    with pytest.raises(ValueError) as te:
        trn.pad_packed_sequence(pt, total_length=2)
    with pytest.raises(ValueError) as ee:
        ern.pad_packed_sequence(pe, total_length=2)
    assert str(ee.value) == str(te.value)


def test_packed_sequence_methods():
    pe = ern.pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
    assert pe.to(ember.float64).data.dtype == ember.float64
    assert pe.double().batch_sizes is pe.batch_sizes
    assert pe.to(ember.float32) is pe and not pe.is_cuda
    data, batch_sizes, sorted_indices, unsorted_indices = pe
    assert batch_sizes.tolist() == [2, 1, 1] and sorted_indices is None
    again = ern.PackedSequence(data, batch_sizes)
    assert again.unsorted_indices is None
    assert ember.nn.utils.rnn.PackedSequence is ern.PackedSequence


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "LSTM-proj"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")
def test_layers_on_packed_input(name, batch_first, enforce_sorted, with_h0):
    kw = dict(num_layers=2, bidirectional=True, batch_first=batch_first)
    if name == "LSTM-proj":
        name, kw["proj_size"] = "LSTM", 3
    tmod, emod = getattr(torch.nn, name)(3, 4, **kw), getattr(nn, name)(3, 4, **kw)
    emod.load_state_dict({k: to_ember(v) for k, v in tmod.state_dict().items()})
    lengths = [5, 3, 2, 2] if enforce_sorted else [2, 5, 1, 3]
    x = _arr(4, 5, 3) if batch_first else _arr(5, 4, 3)
    xt, xe = _both(x)
    pt = trn.pack_padded_sequence(xt, lengths, batch_first, enforce_sorted)
    pe = ern.pack_padded_sequence(xe, lengths, batch_first, enforce_sorted)
    ht = he = None
    hs = []
    if with_h0:
        width = kw.get("proj_size", 4)
        hs = [_both(_arr(4, 4, w, seed=s)) for s, w in ((1, width), (2, 4))]
        ht = (hs[0][0], hs[1][0]) if name == "LSTM" else hs[0][0]
        he = (hs[0][1], hs[1][1]) if name == "LSTM" else hs[0][1]
    ot, st = tmod(pt, ht)
    oe, se = emod(pe, he)
    assert isinstance(oe, ern.PackedSequence)
    assert_close(oe.data, ot.data, 1e-5, 1e-5)
    assert_close(oe.batch_sizes, ot.batch_sizes)
    st = list(st) if isinstance(st, tuple) else [st]
    se = list(se) if isinstance(se, tuple) else [se]
    assert_close(se, st, 1e-5, 1e-5)
    (yt, _), (ye, _) = (
        trn.pad_packed_sequence(ot, batch_first),
        ern.pad_packed_sequence(oe, batch_first),
    )
    loss_t = (yt * torch.from_numpy(_arr(*yt.shape, seed=8))).sum() + sum((s**2).sum() for s in st)
    loss_e = (ye * ember.from_numpy(_arr(*yt.shape, seed=8))).sum() + sum((s**2).sum() for s in se)
    loss_t.backward()
    loss_e.backward()
    assert_close(xe.grad, xt.grad, 1e-5, 1e-5)
    for a, b in hs[: 2 if name == "LSTM" else 1]:
        assert_close(b.grad, a.grad, 1e-5, 1e-5)
    tparams = dict(tmod.named_parameters())
    for n, p in emod.named_parameters():
        assert_close(p.grad, tparams[n].grad, 1e-5, 1e-5)
