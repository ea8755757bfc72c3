"""Samplers: index sets and lengths as PyTorch's, reproducible randomness, PyTorch's errors."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.utils.data import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def _raises_as_torch(make):
    """``make(module)`` raises the same exception class and message with ember as with torch."""
    with pytest.raises(Exception) as theirs:
        make(torch.utils.data)
    with pytest.raises(type(theirs.value)) as ours:
        make(ember.utils.data)
    assert str(ours.value).startswith(str(theirs.value))


def test_base_sampler():
    with pytest.raises(NotImplementedError):
        iter(Sampler())
    with pytest.raises(TypeError):
        len(Sampler())
    Sampler(range(3))  # data_source is accepted, as in PyTorch


@requires_torch
def test_sequential_sampler_as_torch():
    assert list(SequentialSampler(range(7))) == list(torch.utils.data.SequentialSampler(range(7)))
    assert len(SequentialSampler(range(7))) == 7


def test_random_sampler_is_a_permutation():
    s = RandomSampler(range(20))
    got = list(s)
    assert sorted(got) == list(range(20)) and got != list(range(20))
    assert len(s) == 20
    assert all(type(i) is int for i in got)
    assert list(s) != got  # a fresh order each epoch


@pytest.mark.parametrize("num_samples", [5, 10, 25])
def test_random_sampler_without_replacement_chains_permutations(num_samples):
    got = list(RandomSampler(range(10), num_samples=num_samples))
    assert len(got) == num_samples
    counts = Counter(got)
    # Every full permutation uses each index once; the rest are distinct.
    assert max(counts.values()) - min(counts.values()) <= 1
    assert len(set(got[:10])) == min(10, num_samples)


def test_random_sampler_with_replacement():
    got = list(RandomSampler(range(4), replacement=True, num_samples=200))
    assert len(got) == 200 and set(got) == {0, 1, 2, 3}
    assert len(RandomSampler(range(4), replacement=True)) == 4


def test_random_sampler_length_follows_the_dataset():
    data = list(range(3))
    s = RandomSampler(data)
    data.append(3)
    assert len(s) == 4 and sorted(s) == [0, 1, 2, 3]


def test_random_samplers_are_reproducible():
    def orders(make):
        return [list(make()) for _ in range(2)]

    g = ember.Generator().manual_seed(5)
    a = orders(lambda: RandomSampler(range(30), generator=g))
    g.manual_seed(5)
    b = orders(lambda: RandomSampler(range(30), generator=g))
    assert a == b
    ember.manual_seed(7)
    c = orders(lambda: SubsetRandomSampler(list(range(30))))
    ember.manual_seed(7)
    d = orders(lambda: SubsetRandomSampler(list(range(30))))
    assert c == d
    # A generator of its own leaves the global stream alone.
    ember.manual_seed(7)
    expected = ember.rand(1).item()
    ember.manual_seed(7)
    list(RandomSampler(range(30), generator=ember.Generator().manual_seed(1)))
    assert ember.rand(1).item() == expected


@requires_torch
@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.RandomSampler(range(10), num_samples=0),
        lambda m: m.RandomSampler(range(10), num_samples=-1),
        lambda m: m.RandomSampler(range(10), num_samples=1.5),
        lambda m: m.RandomSampler(range(10), replacement=1),
        lambda m: m.RandomSampler(range(0)),
        lambda m: m.BatchSampler(range(3), 0, False),
        lambda m: m.BatchSampler(range(3), True, False),
        lambda m: m.BatchSampler(range(3), 2, 1),
        lambda m: m.WeightedRandomSampler([1, 2], 0),
        lambda m: m.WeightedRandomSampler([1, 2], 2, replacement=1),
        lambda m: m.WeightedRandomSampler([[1, 2]], 2),
        lambda m: list(m.WeightedRandomSampler([1, 2], 5, replacement=False)),
        lambda m: list(m.WeightedRandomSampler([1, -2], 5)),
        lambda m: list(m.WeightedRandomSampler([0, 0], 5)),
    ],
)
def test_sampler_errors_as_torch(make):
    _raises_as_torch(make)


def test_random_sampler_over_an_empty_dataset_says_so():
    with pytest.raises(ValueError, match="the dataset is empty"):
        RandomSampler([])


@requires_torch
def test_subset_random_sampler_keeps_the_indices_elements():
    idx = [5, 6, 7, 11]
    got = list(SubsetRandomSampler(idx))
    assert sorted(got) == sorted(torch.utils.data.SubsetRandomSampler(idx)) == idx
    assert len(SubsetRandomSampler(idx)) == 4
    t = list(SubsetRandomSampler(ember.tensor([3, 4])))
    assert all(isinstance(i, ember.Tensor) for i in t)  # as torch yields tensor elements


@requires_torch
def test_weighted_random_sampler_weights_as_torch():
    ours = WeightedRandomSampler([1, 2.5], 3)
    theirs = torch.utils.data.WeightedRandomSampler([1, 2.5], 3)
    assert ours.weights.dtype == ember.float64 and str(theirs.weights.dtype) == "torch.float64"
    np.testing.assert_array_equal(ours.weights.numpy(), theirs.weights.numpy())
    assert len(ours) == len(theirs) == 3


def test_weighted_random_sampler_follows_the_weights():
    w = [0.0, 1.0, 3.0, 0.0]
    got = list(WeightedRandomSampler(w, 4000))
    assert all(type(i) is int for i in got)
    counts = Counter(got)
    assert set(counts) == {1, 2}  # zero weight: never drawn
    assert 2.5 < counts[2] / counts[1] < 3.5
    # Tensor weights are accepted too.
    assert set(WeightedRandomSampler(ember.tensor(w), 50)) <= {1, 2}


def test_weighted_random_sampler_without_replacement():
    got = list(WeightedRandomSampler([1.0, 1.0, 100.0, 0.0, 1.0], 4, replacement=False))
    assert sorted(got) == [0, 1, 2, 4]  # a zero weight only once the others are used up
    # PyTorch draws zero-weight indices instead of failing when it must; so does ember.
    assert sorted(WeightedRandomSampler([1, 0, 0], 2, replacement=False)) in ([0, 1], [0, 2])


@requires_torch
@pytest.mark.parametrize("n, size", [(10, 3), (9, 3), (1, 4), (7, 1)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_as_torch(n, size, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), size, drop_last)
    theirs = torch.utils.data.BatchSampler(range(n), size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)
    assert list(BatchSampler([4, 2, 9], 2, drop_last)) == list(
        torch.utils.data.BatchSampler([4, 2, 9], 2, drop_last)
    )
