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
