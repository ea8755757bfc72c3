"""Datasets: TensorDataset, Subset, ConcatDataset, ChainDataset, StackDataset, random_split."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, to_torch, torch

import ember
from ember.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i * i


class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def test_base_dataset_needs_getitem_and_has_no_len():
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]
    with pytest.raises(TypeError):
        len(Dataset())
    with pytest.raises(NotImplementedError):
        iter(IterableDataset())


@requires_torch
def test_tensor_dataset_against_torch(assert_same):
    x = ember.randn(5, 3)
    y = ember.arange(5)
    ds = TensorDataset(x, y)
    tds = torch.utils.data.TensorDataset(to_torch(x), to_torch(y))
    assert len(ds) == len(tds) == 5
    for i in (0, 4, -1, slice(1, 3), [0, 2]):
        assert_same(ds[i], tds[i])
    assert ds.tensors[0] is x


@requires_torch
def test_tensor_dataset_size_mismatch_is_torchs_error():
    with pytest.raises(AssertionError) as theirs:
        torch.utils.data.TensorDataset(torch.zeros(3), torch.zeros(4))
    with pytest.raises(AssertionError, match=str(theirs.value)) as ours:
        TensorDataset(ember.zeros(3), ember.zeros(4))
    assert "3, 4" in str(ours.value)  # and names the sizes


def test_add_concatenates_and_chains():
    cat = Squares(3) + Squares(2)
    assert isinstance(cat, ConcatDataset)
    assert [cat[i] for i in range(len(cat))] == [0, 1, 4, 0, 1]
    chain = Count(2) + Count(3)
    assert isinstance(chain, ChainDataset)
    assert list(chain) == [0, 1, 0, 1, 2]


@requires_torch
def test_concat_dataset_against_torch():
    parts = [Squares(3), Squares(0), Squares(4)]
    ours = ConcatDataset(parts)
    theirs = torch.utils.data.ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert len(ours) == len(theirs) == 7
    for i in range(-7, 7):
        assert ours[i] == theirs[i]


@requires_torch
@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.ConcatDataset([]),
        lambda m: m.ConcatDataset([type("It", (m.IterableDataset,), {"__iter__": iter})()]),
        lambda m: m.ConcatDataset([Squares(3)])[-4],
        lambda m: m.ConcatDataset([Squares(3)])[3],
    ],
)
def test_concat_dataset_errors_as_torch(make):
    with pytest.raises(Exception) as theirs:
        make(torch.utils.data)
    with pytest.raises(type(theirs.value)) as ours:
        make(ember.utils.data)
    if not isinstance(theirs.value, IndexError):  # torch's is an accident of its bisect
        assert str(theirs.value) in str(ours.value)


@requires_torch
def test_subset_against_torch(assert_same):
    ds = TensorDataset(ember.arange(10) * 10)
    tds = torch.utils.data.TensorDataset(torch.arange(10) * 10)
    ours, theirs = Subset(ds, [7, 2, 5]), torch.utils.data.Subset(tds, [7, 2, 5])
    assert len(ours) == len(theirs) == 3
    assert_same(ours[0], theirs[0])
    assert_same(ours[[0, 2]], theirs[[0, 2]])
    assert_same(ours.__getitems__([2, 0]), theirs.__getitems__([2, 0]))


def test_subset_getitems_delegates_to_the_dataset():
    class Batched(Squares):
        def __getitems__(self, idx):
            return [("batched", i) for i in idx]

    assert Subset(Batched(9), [3, 4]).__getitems__([1, 0]) == [("batched", 4), ("batched", 3)]
    assert Subset(Squares(9), [3, 4]).__getitems__([1, 0]) == [16, 9]


def test_stack_dataset():
    ds = StackDataset(Squares(3), [10, 11, 12])
    assert len(ds) == 3 and ds[1] == (1, 11)
    named = StackDataset(sq=Squares(2), lab=["a", "b"])
    assert named[1] == {"sq": 1, "lab": "b"}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Squares(2), [1, 2, 3])
    with pytest.raises(ValueError):
        StackDataset(Squares(2), b=Squares(2))


def test_chain_dataset_refuses_map_style():
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([Squares(2)]))


# -- random_split -----------------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "n, lengths",
    [
        (10, [3, 7]),
        (10, [0.3, 0.3, 0.4]),
        (10, [0.33, 0.33, 0.34]),
        (11, [0.5, 0.5]),
        (7, [0.25, 0.25, 0.25, 0.25]),
        (1, [1]),
        (100, [0.8, 0.1, 0.1]),
    ],
)
def test_random_split_sizes_as_torch(n, lengths):
    ours = random_split(range(n), lengths)
    theirs = torch.utils.data.random_split(range(n), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    # Together the subsets are a permutation of the dataset.
    got = sorted(i for s in ours for i in s.indices)
    assert got == list(range(n))
    assert all(isinstance(i, int) for s in ours for i in s.indices)


@requires_torch
def test_random_split_zero_length_split_warns_as_torch():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        torch.utils.data.random_split(range(2), [0.1, 0.1, 0.8])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        sizes = [len(s) for s in random_split(range(2), [0.1, 0.1, 0.8])]
    assert sizes == [1, 0, 1]


@requires_torch
@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [-0.5, 1.5]])
def test_random_split_errors_as_torch(lengths):
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.random_split(range(10), lengths)
    with pytest.raises(ValueError) as ours:
        random_split(range(10), lengths)
    assert str(ours.value) == str(theirs.value)


def test_random_split_refuses_negative_lengths():
    # PyTorch builds overlapping subsets from [5, -1, 6]; ember says what is wrong.
    with pytest.raises(ValueError, match="non-negative.*-1 at index 1"):
        random_split(range(10), [5, -1, 6])


def test_random_split_is_reproducible():
    a = random_split(range(50), [20, 30], generator=ember.Generator().manual_seed(3))
    b = random_split(range(50), [20, 30], generator=ember.Generator().manual_seed(3))
    assert [s.indices for s in a] == [s.indices for s in b]
    ember.manual_seed(1)
    c = random_split(range(50), [20, 30])
    ember.manual_seed(1)
    d = random_split(range(50), [20, 30])
    assert [s.indices for s in c] == [s.indices for s in d]
    assert c[0].indices != list(range(20))


def test_random_split_of_a_tensor_dataset():
    ds = TensorDataset(ember.arange(6), ember.arange(6) * 2)
    train, val = random_split(ds, [4, 2])
    x, y = train[0]
    assert y.item() == 2 * x.item()
    assert sorted(int(val[i][0]) for i in range(2)) == sorted(
        set(range(6)) - {int(train[i][0]) for i in range(4)}
    )
    np.testing.assert_array_equal(ds.tensors[0].numpy(), np.arange(6))
