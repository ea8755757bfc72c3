"""DataLoader in one process: batches, lengths, options and their errors, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch, to_torch, torch

import ember
from ember.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)
from ember.utils.data._fetch import _batch_getter


class Records(Dataset):
    """A Python dataset of nested samples, buildable for ember or torch."""

    def __init__(self, m, n=7):
        self.m, self.n = m, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        image = self.m.from_numpy(np.full((2, 3), i, dtype=np.float32))
        return {"image": image, "label": i % 3, "weight": i / 2, "name": f"s{i}"}


def Stream(m, n=7, sized=False):
    """An IterableDataset of module ``m`` (torch tells its own base class apart)."""

    class Stream(m.utils.data.IterableDataset):
        def __iter__(self):
            for i in range(n):
                yield m.from_numpy(np.array([i, -i], dtype=np.int64))

    if sized:
        Stream.__len__ = lambda self: n
    return Stream()


def _tensors(m):
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    return m.from_numpy(x), m.from_numpy(np.arange(10) % 4)


def _both(make, **kw):
    """Lists of batches from the same loader built with ember and with torch."""
    return list(make(ember, **kw)), list(make(torch, **kw))


def _tensor_loader(m, **kw):
    return m.utils.data.DataLoader(m.utils.data.TensorDataset(*_tensors(m)), **kw)


def _records_loader(m, **kw):
    return m.utils.data.DataLoader(Records(m), **kw)


def _stream_loader(m, **kw):
    return m.utils.data.DataLoader(Stream(m), **kw)


@requires_torch
@pytest.mark.parametrize("make", [_tensor_loader, _records_loader, _stream_loader])
@pytest.mark.parametrize(
    "kw",
    [{}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {"batch_size": None}],
    ids=["default", "bs4", "bs4-drop", "unbatched"],
)
def test_batches_as_torch(make, kw, assert_same):
    ours, theirs = _both(make, **kw)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 3},
        {"batch_size": 3, "drop_last": True},
        {"batch_size": None},
        {"sampler": [4, 0, 2]},
        {"batch_sampler": [[0, 1], [5], [2, 3, 4]]},
    ],
)
def test_len_as_torch(kw):
    assert len(_tensor_loader(ember, **kw)) == len(_tensor_loader(torch, **kw))
    sized = {k: v for k, v in kw.items() if "sampler" not in k}
    ours = DataLoader(Stream(ember, sized=True), **sized)
    theirs = torch.utils.data.DataLoader(Stream(torch, sized=True), **sized)
    assert len(ours) == len(theirs)


def test_len_of_an_unsized_iterable_dataset_is_a_type_error():
    with pytest.raises(TypeError):
        len(DataLoader(Stream(ember)))


@requires_torch
def test_sampler_batch_sampler_and_collate_fn_as_torch(assert_same):
    for kw in (
        {"sampler": [9, 0, 4, 4], "batch_size": 3},
        {"batch_sampler": [[0, 1], [5], [2, 3, 4]]},
        {"batch_size": 4, "collate_fn": lambda b: len(b)},
    ):
        ours, theirs = _both(_tensor_loader, **kw)
        assert_same(ours, theirs)


def test_shuffle_is_reproducible_and_new_each_epoch():
    ds = TensorDataset(ember.arange(40))
    ember.manual_seed(3)
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    first = [b[0].tolist() for b in loader]
    second = [b[0].tolist() for b in loader]
    assert sorted(sum(first, [])) == list(range(40)) == sorted(sum(second, []))
    assert first != second
    ember.manual_seed(3)
    again = DataLoader(ds, batch_size=8, shuffle=True)
    assert [b[0].tolist() for b in again] == first
    g = ember.Generator().manual_seed(1)
    a = [b[0].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True, generator=g)]
    g.manual_seed(1)
    b = [b[0].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True, generator=g)]
    assert a == b


def test_iterating_twice_without_shuffle_repeats():
    loader = DataLoader(Records(ember), batch_size=3)
    first, second = list(loader), list(loader)
    assert [b["label"].tolist() for b in first] == [b["label"].tolist() for b in second]


class _Generic(TensorDataset):
    """A TensorDataset that hides the fast path: it fetches sample by sample."""

    def __getitem__(self, index):
        return super().__getitem__(index)


@pytest.mark.parametrize("wrap", ["plain", "subset", "split"])
@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 4, "shuffle": True},
        {"batch_size": 3, "drop_last": True},
        {"sampler": [3, -1, 0, 0]},
        {"batch_sampler": [[1, 2], [5]]},
    ],
)
def test_tensor_dataset_fast_path_equals_the_generic_path(wrap, kw):
    x = ember.randn(9, 2, 3)
    y = ember.arange(9).to(ember.int32)
    fast, slow = TensorDataset(x, y), _Generic(x, y)
    assert _batch_getter(fast) is not None and _batch_getter(slow) is None
    if wrap == "subset":
        fast, slow = Subset(fast, [8, 0, 3, 5, 1, 2, 4, 6]), Subset(slow, [8, 0, 3, 5, 1, 2, 4, 6])
        assert _batch_getter(fast) is not None
    elif wrap == "split":
        ember.manual_seed(2)
        fast = random_split(fast, [6, 3])[0]
        ember.manual_seed(2)
        slow = random_split(slow, [6, 3])[0]
    ember.manual_seed(4)
    got = list(DataLoader(fast, **kw))
    ember.manual_seed(4)
    want = list(DataLoader(slow, **kw))
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert type(a) is type(b) is list and len(a) == len(b) == 2
        for ta, tb in zip(a, b):
            assert ta.dtype == tb.dtype and ta.shape == tb.shape
            np.testing.assert_array_equal(ta.numpy(), tb.numpy())


def test_fast_path_out_of_range_raises_the_generic_error():
    ds = TensorDataset(ember.arange(4))
    with pytest.raises(IndexError) as fast:
        list(DataLoader(ds, sampler=[0, 4]))
    with pytest.raises(IndexError) as slow:
        list(DataLoader(_Generic(ember.arange(4)), sampler=[0, 4]))
    assert str(fast.value) == str(slow.value)


def test_fast_path_steps_aside():
    x = ember.zeros(4, 2, requires_grad=True)
    assert _batch_getter(TensorDataset(x)) is None  # a graph to keep
    loader = DataLoader(TensorDataset(x), batch_size=2)
    assert next(iter(loader))[0].grad_fn is not None
    # A custom collate_fn sees the samples themselves.
    seen = DataLoader(TensorDataset(ember.arange(4)), batch_size=2, collate_fn=lambda b: b)
    assert [[int(s[0]) for s in batch] for batch in seen] == [[0, 1], [2, 3]]


def test_getitems_is_used_for_batches():
    class Batched(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            raise AssertionError("batches go through __getitems__")

        def __getitems__(self, idx):
            return [i * 10 for i in idx]

    assert [b.tolist() for b in DataLoader(Batched(), batch_size=2)] == [[0, 10], [20, 30], [40]]


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 0},
        {"batch_size": -1},
        {"batch_size": 1.5},
        {"shuffle": True, "sampler": [0]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "shuffle": True},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_sampler": [[0]], "sampler": [0]},
        {"batch_size": None, "drop_last": True},
        {"num_workers": -1},
        {"timeout": -1},
        {"persistent_workers": True},
        {"prefetch_factor": 2},
        {"multiprocessing_context": "spawn"},
        {"num_workers": 1, "multiprocessing_context": "bogus"},
    ],
)
def test_option_errors_as_torch(kw):
    with pytest.raises(Exception) as theirs:
        _tensor_loader(torch, **kw)
    with pytest.raises(type(theirs.value)) as ours:
        _tensor_loader(ember, **kw)
    assert str(ours.value) == str(theirs.value)


@requires_torch
@pytest.mark.parametrize("kw", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}])
def test_iterable_dataset_option_errors_as_torch(kw):
    with pytest.raises(ValueError) as theirs:
        _stream_loader(torch, **kw)
    with pytest.raises(ValueError) as ours:
        _stream_loader(ember, **kw)
    assert str(ours.value) == str(theirs.value)
    _stream_loader(ember, shuffle=False)  # an explicit False is fine


@requires_torch
@pytest.mark.parametrize("name", ["batch_size", "sampler", "dataset", "drop_last"])
def test_frozen_attributes_as_torch(name):
    with pytest.raises(ValueError) as theirs:
        setattr(_tensor_loader(torch), name, 4)
    with pytest.raises(ValueError) as ours:
        setattr(_tensor_loader(ember), name, 4)
    assert str(ours.value) == str(theirs.value)


def test_attributes_as_torch():
    loader = DataLoader(range(5))
    assert isinstance(loader.sampler, SequentialSampler)
    assert isinstance(loader.batch_sampler, BatchSampler)
    assert loader.batch_size == 1 and loader.collate_fn is default_collate
    assert loader.num_workers == 0 and loader.prefetch_factor is None
    custom = DataLoader(range(5), batch_sampler=[[1]])
    assert custom.batch_size is None and custom.batch_sampler == [[1]]
    unbatched = DataLoader(range(5), batch_size=None, num_workers=2)
    assert unbatched.batch_sampler is None and unbatched.prefetch_factor == 2
    assert unbatched.collate_fn is ember.utils.data.default_convert
    loader.shuffle = True  # not a frozen attribute in PyTorch either
    loader.collate_fn = len


def test_empty_dataset_warns_and_yields_nothing():
    with pytest.warns(UserWarning, match="empty dataset"):
        loader = DataLoader(TensorDataset(ember.zeros(0, 3)), batch_size=4)
    assert list(loader) == [] and len(loader) == 0
    with pytest.warns(UserWarning, match="drop_last=True drops the only batch"):
        loader = DataLoader(range(3), batch_size=4, drop_last=True)
    assert list(loader) == []
    with pytest.raises(ValueError, match="num_samples=0 .the dataset is empty"):
        DataLoader([], shuffle=True)


def test_pin_memory_is_accepted():
    loader = DataLoader(range(3), pin_memory=True, pin_memory_device="")
    with pytest.warns(UserWarning, match="no accelerator"):
        assert [b.item() for b in loader] == [0, 1, 2]


def test_iterator_len_and_import_paths():
    it = iter(DataLoader(range(5), batch_size=2))
    assert len(it) == 3 and iter(it) is it
    assert ember.utils.data.DataLoader is DataLoader
    from ember.utils.data.dataloader import default_collate as dc

    assert dc is default_collate


@requires_torch
def test_model_style_dataset_batches_as_torch(assert_same):
    # The seed program's dataset: a class returning (x[i], y[i]) from float tensors.
    class Pairs(Dataset):
        def __init__(self, x, y):
            self.x, self.y = x, y

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return self.x[i], self.y[i]

    x = ember.tensor([[1, 2], [3, 4], [5, 6], [7, 8]]).float()
    y = ember.tensor([[3], [7], [11], [15]]).float()
    ours = list(DataLoader(Pairs(x, y), batch_size=2))
    theirs = list(torch.utils.data.DataLoader(Pairs(to_torch(x), to_torch(y)), batch_size=2))
    assert_same(ours, theirs)
