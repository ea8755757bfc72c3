"""default_collate and default_convert: samples in, batches of tensors out.

``default_collate`` turns a list of samples into one batch with the samples' structure:
tensors and arrays are stacked along a new dim 0, Python and NumPy numbers become 1-D tensors,
strings stay lists, and tuples, lists, dicts and namedtuples are collated field by field.
``default_convert`` is its unbatched sibling: arrays and NumPy scalars become tensors.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from ... import dtypes
from ...tensor import Tensor, _make

__all__ = ["default_collate", "default_convert"]

_UNSUPPORTED = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)
_NUMPY_SCALAR = (np.number, np.bool_)


def _is_numpy(x) -> bool:
    # NumPy's own string scalars are str/bytes subclasses; they collate as strings.
    return isinstance(x, (np.ndarray, *_NUMPY_SCALAR))


def _type_name(x) -> str:
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _stack(arrays: list[np.ndarray]) -> Tensor:
    """The arrays stacked along a new dim 0, with PyTorch's checks and type promotion."""
    try:
        # np.array of equal-shaped arrays is one C-level stack, about twice as fast as
        # np.stack for a batch of small samples (no per-array Python work).
        out = np.array(arrays)
    except ValueError:
        out = None
    shape = arrays[0].shape
    if out is None or out.shape[1:] != shape:
        for i, a in enumerate(arrays):
            if a.shape != shape:
                raise RuntimeError(
                    f"stack expects each tensor to be equal size, but got {list(shape)} at "
                    f"entry 0 and {list(a.shape)} at entry {i}"
                ) from None
    if out.dtype != arrays[0].dtype:
        # Mixed dtypes: NumPy would widen int64 + float32 to float64; PyTorch's promotion gives
        # float32.
        target = None
        for a in arrays:
            d = dtypes.from_numpy(a.dtype)
            target = d if target is None else dtypes.promote(target, d)
        out = np.stack(arrays, dtype=target.np, casting="unsafe")
    return _make(out)


def _collate_tensors(batch) -> Tensor:
    if not all(isinstance(b, Tensor) for b in batch):
        i, b = next((i, b) for i, b in enumerate(batch) if not isinstance(b, Tensor))
        raise TypeError(f"expected Tensor as element {i} in argument 0, but got {_type_name(b)}")
    if any(b._rg for b in batch):
        # Samples that carry a graph keep it: the recorded stack routes gradients back.
        from ...ops.movement import stack

        return stack(list(batch))
    return _stack([b._data for b in batch])


def _collate_arrays(batch) -> Tensor:
    if all(type(b) is np.ndarray for b in batch):
        arrays = list(batch)
    else:
        # PyTorch converts each element with as_tensor: lists and tensors are accepted too.
        from ...creation import as_tensor

        arrays = [b._data if isinstance(b, Tensor) else as_tensor(b)._data for b in batch]
    for dt in {a.dtype for a in arrays}:
        if dt.kind in "USO":
            raise TypeError(_UNSUPPORTED.format(dt))
        dtypes.from_numpy(dt)  # TypeError naming the dtype for the ones ember lacks
    return _stack(arrays)


def _numpy_scalars(batch) -> Tensor:
    target = None
    for b in batch:
        d = dtypes.from_numpy(np.asarray(b).dtype)
        target = d if target is None else dtypes.promote(target, d)
    return _make(np.array(batch, dtype=target.np))


def _of_type(elem, items):
    """``items`` as ``elem``'s type where that type can be built from them, else as they are."""
    try:
        return type(elem)(items)
    except TypeError:
        return items


def _rebuild_mapping(elem: Mapping, items: dict):
    if type(elem) is dict:
        return items
    if isinstance(elem, MutableMapping):
        # A copy keeps the mapping's type and extra state (a defaultdict's factory).
        try:
            clone = copy.copy(elem)
            clone.update(items)
            return clone
        except TypeError:
            return items
    return _of_type(elem, items)


def _rebuild_sequence(elem: Sequence, items: list):
    if type(elem) is list or isinstance(elem, tuple):
        # PyTorch gives a list for tuples (they are immutable) and for lists.
        return items
    if isinstance(elem, MutableSequence):
        try:
            clone = copy.copy(elem)
            for i, v in enumerate(items):
                clone[i] = v
            return clone
        except TypeError:
            return items
    return _of_type(elem, items)


def default_collate(batch: Sequence) -> Any:
    """Merge a list of samples into a batch.

    Args:
        batch: the samples, all of one structure.

    Returns:
        The batch: tensors, arrays and numbers stacked along a new dim 0 (Python floats as
        float64, ints as int64), strings as a list, containers collated per field (tuples and
        lists give lists; dicts and namedtuples keep their type).

    Example:
        >>> default_collate([(ember.zeros(2), 0), (ember.ones(2), 1)])
        [tensor([[0., 0.],
                [1., 1.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _collate_tensors(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USO":
            raise TypeError(_UNSUPPORTED.format(elem.dtype))
        return _collate_arrays(batch)
    if isinstance(elem, _NUMPY_SCALAR):
        return _numpy_scalars(batch)
    if isinstance(elem, float):
        return _make(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        from ...creation import tensor

        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        items = {}
        for key in elem:
            items[key] = default_collate([d[key] for d in batch])
        return _rebuild_mapping(elem, items)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return _rebuild_sequence(elem, [default_collate(field) for field in zip(*batch)])
    raise TypeError(_UNSUPPORTED.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars in ``data`` into tensors, keeping the structure.

    The DataLoader's collate function when batching is off (``batch_size=None``). Arrays are
    shared, not copied; tuples come back as lists, as in PyTorch.
    """
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data):
        a = np.asarray(data)
        if a.dtype.kind in "USO":
            return data
        dtypes.from_numpy(a.dtype)
        return _make(a)
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, Mapping):
        return _rebuild_mapping(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
