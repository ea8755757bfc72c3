"""ember.sparse: the COO tensor that Embedding(sparse=True) gives as a gradient."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.sparse import SparseTensor, sparse_coo_tensor


def _sp():
    return sparse_coo_tensor(
        ember.tensor([[2, 0, 2]]), ember.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), (4, 2)
    )


def test_metadata():
    s = _sp()
    assert isinstance(s, ember.Tensor) and s.is_sparse and not ember.ones(1).is_sparse
    assert s.shape == (4, 2) and s.size(0) == 4 and s.dim() == 2 and s.dtype == ember.float32
    assert s._nnz() == 3 and s.sparse_dim() == 1 and s.dense_dim() == 1
    assert not s.is_coalesced()


def test_coalesce_to_dense_and_arithmetic():
    s = _sp()
    c = s.coalesce()
    assert c.is_coalesced() and c.indices().tolist() == [[0, 2]]
    assert c.values().tolist() == [[3.0, 4.0], [6.0, 8.0]]
    dense = s.to_dense().numpy()
    np.testing.assert_array_equal(dense, [[3, 4], [0, 0], [6, 8], [0, 0]])
    np.testing.assert_array_equal((s + s).to_dense().numpy(), 2 * dense)
    assert isinstance(s + s, SparseTensor)
    np.testing.assert_array_equal((ember.ones(4, 2) + s).numpy(), dense + 1)
    np.testing.assert_array_equal((s * 0.5).to_dense().numpy(), dense / 2)
    s2 = _sp().zero_()
    assert s2._nnz() == 0 and not s2.to_dense().numpy().any()
    with pytest.raises(RuntimeError, match="Cannot get values on an uncoalesced tensor"):
        s.values()


@requires_torch
def test_repr_and_dense_match_torch():
    t = torch.sparse_coo_tensor(
        torch.tensor([[2, 0, 2]]),
        torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        (4, 2),
        check_invariants=False,
    )
    assert repr(_sp()) == repr(t)
    np.testing.assert_array_equal(_sp().to_dense().numpy(), t.to_dense().numpy())


def test_gradient_accumulation_dense_plus_sparse():
    # A weight used both through a sparse Embedding and densely gets a dense gradient.
    emb = ember.nn.Embedding(5, 2, sparse=True)
    (emb(ember.tensor([1, 1])).sum() + (emb.weight * 2).sum()).backward()
    g = emb.weight.grad
    assert not g.is_sparse
    expected = np.full((5, 2), 2.0)
    expected[1] += 2
    np.testing.assert_array_equal(g.numpy(), expected)


# -- empty sparse tensors (nnz == 0) and sparse gradients assigned by hand --------------------

EMPTY_CASES = [
    ((2, 0), (0,), (3, 4)),  # two sparse dims, scalar values
    ((1, 0), (0, 4), (3, 4)),  # one sparse dim, rows of 4 as values
    ((2, 0), (0,), None),  # size inferred: all zeros
]


@requires_torch
@pytest.mark.parametrize("ix_shape, val_shape, size", EMPTY_CASES)
def test_empty_sparse_matches_torch(ix_shape, val_shape, size):
    args = [] if size is None else [size]
    t = torch.sparse_coo_tensor(
        torch.zeros(ix_shape, dtype=torch.long),
        torch.zeros(val_shape),
        *args,
        check_invariants=True,
    )
    e = sparse_coo_tensor(ember.zeros(ix_shape, dtype=ember.int64), ember.zeros(val_shape), *args)
    assert repr(e) == repr(t)
    assert (e.shape, e._nnz(), e.sparse_dim(), e.dense_dim()) == (
        tuple(t.shape),
        t._nnz(),
        t.sparse_dim(),
        t.dense_dim(),
    )
    assert e.is_coalesced() == t.is_coalesced()
    np.testing.assert_array_equal(e.to_dense().numpy(), t.to_dense().numpy())
    assert e.coalesce()._nnz() == 0
    np.testing.assert_array_equal((e + e).to_dense().numpy(), t.to_dense().numpy())


@requires_torch
def test_repr_dtype_and_requires_grad_match_torch():
    cases = [
        ([[1]], [1.0], (3,), {"dtype": "float64"}),
        ([[1]], [1.0], (3,), {"requires_grad": True}),
        ([[0, 2], [1, 1]], [1.0, 2.0], None, {}),
    ]
    for ix, vals, size, kw in cases:
        tkw = {k: getattr(torch, v) if k == "dtype" else v for k, v in kw.items()}
        ekw = {k: getattr(ember, v) if k == "dtype" else v for k, v in kw.items()}
        args = [] if size is None else [size]
        t = torch.sparse_coo_tensor(ix, vals, *args, check_invariants=False, **tkw)
        e = sparse_coo_tensor(ix, vals, *args, check_invariants=False, **ekw)
        assert repr(e) == repr(t)
        assert e.is_coalesced() == t.is_coalesced()


@requires_torch
def test_bad_indices_raise_as_torch():
    for ix, vals in (([[0, 1]], [1.0]), ([0, 1], [1.0, 2.0])):
        with pytest.raises(RuntimeError) as want:
            torch.sparse_coo_tensor(torch.tensor(ix), torch.tensor(vals), check_invariants=False)
        with pytest.raises(RuntimeError) as got:
            sparse_coo_tensor(ember.tensor(ix), ember.tensor(vals))
        assert str(got.value) == str(want.value)


@requires_torch
def test_grad_setter_accepts_sparse_and_sgd_applies_it():
    def run(lib):
        p = lib.nn.Parameter(lib.zeros(3, 4))
        p.grad = lib.sparse_coo_tensor(
            lib.tensor([[0, 2], [1, 3]]), lib.tensor([1.0, -2.0]), (3, 4), check_invariants=False
        )
        assert p.grad.is_sparse
        opt = lib.optim.SGD([p], lr=0.5)
        opt.step()
        p.grad = lib.sparse_coo_tensor(
            lib.zeros(2, 0, dtype=lib.int64), lib.zeros(0), (3, 4), check_invariants=False
        )
        opt.step()  # an empty sparse gradient changes nothing
        return p.detach().numpy().copy()

    np.testing.assert_array_equal(run(ember), run(torch))


@requires_torch
def test_grad_setter_checks_the_dense_size_of_a_sparse_gradient():
    for lib in (torch, ember):
        p = lib.zeros(3, 4, requires_grad=True)
        bad = lib.sparse_coo_tensor(
            lib.tensor([[0], [1]]), lib.tensor([1.0]), (3, 5), check_invariants=False
        )
        with pytest.raises(RuntimeError, match=r"gradient of size '\[3, 5\]' to a tensor of size"):
            p.grad = bad
