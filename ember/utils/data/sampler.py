"""Samplers: the order in which a DataLoader visits a map-style dataset's indices.

Random samplers draw from ``generator`` or, without one, from ember's global generator, so
``ember.manual_seed`` makes a run's shuffles reproducible. The draw happens when iteration
starts, not when the sampler is built, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from itertools import islice

import numpy as np

from ... import random as _random
from ...tensor import Tensor, _make

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]


class Sampler:
    """Base class: subclasses define ``__iter__`` over indices (and ``__len__`` if they can)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        # Accepted for PyTorch compatibility; the base class has no use for it.
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class RandomSampler(Sampler):
    """Indices in random order.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw each index independently (True) or permute (False, the default).
        num_samples: how many indices to draw; ``len(data_source)`` by default. Without
            replacement, more than that many chains fresh permutations.
        generator: the source of randomness; ember's global generator by default.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: _random.Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        if not _positive_int(self.num_samples):
            hint = " (the dataset is empty)" if num_samples is None else ""
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}{hint}"
            )

    @property
    def num_samples(self) -> int:
        # Read on each use: a dataset may grow or shrink between epochs.
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        rng = _random.rng(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        full, rest = divmod(self.num_samples, n)
        for _ in range(full):
            yield from rng.permutation(n).tolist()
        if rest:
            yield from rng.permutation(n)[:rest].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The elements of ``indices`` in random order (without replacement)."""

    def __init__(self, indices: Sequence[int], generator: _random.Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator:
        for i in _random.rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights``.

    Args:
        weights: one non-negative weight per index (need not sum to 1).
        num_samples: how many indices to draw.
        replacement: draw independently (True, the default) or never repeat an index.
        generator: the source of randomness; ember's global generator by default.

    Example:
        >>> # oversample the rare class: weight each sample by 1 / its class frequency
        >>> sampler = WeightedRandomSampler(1.0 / counts[labels], num_samples=len(labels))
    """

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: _random.Generator | None = None,
    ) -> None:
        if not _positive_int(num_samples):
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        arr = weights._data if isinstance(weights, Tensor) else weights
        arr = np.array(arr, dtype=np.float64)
        if arr.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {arr.shape}"
            )
        self.weights = _make(arr)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        w = self.weights._data
        n = w.shape[0]
        if not np.isfinite(w).all():
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry = infinity or "
                "NaN)"
            )
        if (w < 0).any():
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry < 0)"
            )
        total = w.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rng = _random.rng(self.generator)
        if self.replacement:
            # Inverse-CDF sampling: one sort-free searchsorted over the running sum.
            cdf = np.cumsum(w)
            picks = np.searchsorted(cdf, rng.random(self.num_samples) * cdf[-1], side="right")
            # Rounding can put u * total on the very top; that belongs to the last index with
            # weight, never to a trailing zero-weight one.
            yield from np.minimum(picks, np.flatnonzero(w)[-1]).tolist()
            return
        if self.num_samples > n:
            raise RuntimeError(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
            )
        # Without replacement: the k smallest of E_i / w_i (E_i exponential) are a draw of k
        # indices one at a time with probabilities proportional to the remaining weights.
        # Zero weights give infinite keys, so they come last, as PyTorch lets them.
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(n) / w
        yield from np.argsort(keys, kind="stable")[: self.num_samples].tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size``.

    Args:
        sampler: any iterable of indices.
        batch_size: indices per batch.
        drop_last: drop the last batch when it is smaller than ``batch_size``.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable, batch_size: int, drop_last: bool) -> None:
        if not _positive_int(batch_size):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        it = iter(self.sampler)
        size = self.batch_size
        # islice slices in C: no Python-level step per index.
        batch = list(islice(it, size))
        while len(batch) == size:
            yield batch
            batch = list(islice(it, size))
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the DataLoader's placeholder sampler for an IterableDataset, whose
    batches are as long as the batch sampler's lists of ``None``."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None
