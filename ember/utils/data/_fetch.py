"""Fetchers: one batch from a dataset, given the batch sampler's indices.

Shared by the DataLoader's main process and its worker processes, so that both produce the
same batches. A TensorDataset (or a Subset of one) with the default collate function takes a
fast path: each tensor is indexed once with the whole batch's indices, instead of one index per
sample per tensor followed by a stack. Its results are identical to the generic path's.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

import numpy as np

from ...tensor import Tensor, _make
from .collate import default_collate
from .dataset import Subset, TensorDataset


def _as_index_array(index) -> np.ndarray | None:
    """The batch's indices as a 1-D integer array, or None when they are anything else."""
    try:
        idx = np.asarray(index)
    except (TypeError, ValueError):
        return None
    if idx.ndim != 1 or idx.dtype.kind not in "iu" or idx.size == 0:
        return None
    return idx


def _in_range(idx: np.ndarray, n: int) -> bool:
    return bool(idx.max() < n and idx.min() >= -n)


def _batch_getter(dataset) -> Callable[[np.ndarray], list | None] | None:
    """A function from an index array to the collated batch, for the datasets it applies to.

    The function returns None for indices it cannot serve identically (out of range), so that
    the generic path runs and raises its own error.
    """
    cls = type(dataset)
    if (
        isinstance(dataset, TensorDataset)
        and cls.__getitem__ is TensorDataset.__getitem__
        and not hasattr(dataset, "__getitems__")
        and dataset.tensors
        and all(type(t) is Tensor or isinstance(t, Tensor) for t in dataset.tensors)
        # A sample that carries a graph must be stacked by the recorded op, not copied.
        and not any(t._rg for t in dataset.tensors)
    ):
        arrays = [t._data for t in dataset.tensors]
        n = arrays[0].shape[0]

        def get(idx: np.ndarray):
            if not _in_range(idx, n):
                return None
            # default_collate of tuples gives a list, so this does too.
            return [_make(a[idx]) for a in arrays]

        return get
    if (
        isinstance(dataset, Subset)
        and cls.__getitem__ is Subset.__getitem__
        and cls.__getitems__ is Subset.__getitems__
    ):
        inner = _batch_getter(dataset.dataset)
        ind = dataset.indices
        ind = _as_index_array(ind._data if isinstance(ind, Tensor) else ind)
        if inner is None or ind is None:
            return None
        m = ind.shape[0]

        def get_subset(idx: np.ndarray):
            if not _in_range(idx, m):
                return None
            return inner(ind[idx])

        return get_subset
    return None


class MapFetcher:
    """Batches of a map-style dataset: ``dataset[i]`` for each index, then ``collate_fn``."""

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable, drop_last: bool):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        # Decided once per epoch: the dataset's tensors cannot change type meanwhile.
        fast = auto_collation and collate_fn is default_collate
        self._fast = _batch_getter(dataset) if fast else None

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self._fast is not None:
            idx = _as_index_array(index)
            if idx is not None:
                batch = self._fast(idx)
                if batch is not None:
                    return batch
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            data = getitems(index)
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class IterableFetcher:
    """Batches of an IterableDataset: the next ``len(index)`` samples of its iterator.

    ``fetch`` raises StopIteration once the stream has no (full, with ``drop_last``) batch left.
    """

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable, drop_last: bool):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        size = len(index)
        data = list(islice(self.dataset_iter, size))
        if len(data) < size:
            self.ended = True
            if not data or self.drop_last:
                raise StopIteration
        return self.collate_fn(data)


def make_fetcher(dataset, is_iterable: bool, auto_collation: bool, collate_fn, drop_last: bool):
    cls = IterableFetcher if is_iterable else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


class BaseIter:
    """What the single- and multi-process iterators share: the loader's settings, the sampler's
    iterator, and a base seed drawn once per epoch.

    NOTE: the base seed is drawn even without workers, so that the shuffle that follows it is
    the same whatever ``num_workers`` is: batches come in the same order either way.
    """

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._auto_collation = loader._auto_collation
        self._collate_fn = loader.collate_fn
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._generator = loader.generator
        self._len = loader.__len__
        self._reset_epoch(loader)

    def _reset_epoch(self, loader) -> None:
        from ... import random as _random

        self._base_seed = int(_random.rng(loader.generator).integers(0, 2**63))
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return self._len()
