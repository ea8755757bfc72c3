"""Sparse COO tensors: the gradient ``nn.Embedding(sparse=True)`` gives its weight.

Representation (what ``optim.SparseAdam`` and ``SGD`` consume):

- ``SparseTensor`` subclasses ``Tensor`` (so ``isinstance(p.grad, Tensor)`` holds) with
  ``is_sparse = True`` and ``layout == 'torch.sparse_coo'``.
- ``t._indices()``: int64 tensor (sparse_dim, nnz), row indices into the dense tensor;
  ``t._values()``: tensor (nnz, *dense_dims); ``t.shape``: the dense shape.
- Uncoalesced (indices may repeat; repeated rows add up) until ``coalesce()``, which sorts the
  indices and sums duplicates. ``indices()``/``values()`` need a coalesced tensor, as in PyTorch.
- ``to_dense()`` materialises it. Adding sparse to sparse concatenates (cheap, uncoalesced);
  adding sparse to dense gives dense.

``_data`` holds the values array, so code that wrongly treats the gradient as dense fails on a
shape mismatch instead of silently computing with zeros. Dense optimizers must check
``grad.is_sparse`` and raise PyTorch's error.
"""

from __future__ import annotations

import numpy as np

from . import device as _device
from . import dtypes
from .tensor import Size, Tensor, _make


class SparseTensor(Tensor):
    """A sparse COO tensor (indices, values, dense size)."""

    __slots__ = ()
    is_sparse = True

    @staticmethod
    def _build(indices: np.ndarray, values: np.ndarray, size, coalesced=False) -> SparseTensor:
        t = _make(values, SparseTensor)
        # Always (sparse_dim, nnz): with nnz == 0 the shape alone keeps sparse_dim.
        t.__dict__["_ix"] = np.asarray(indices, np.int64)
        t.__dict__["_size"] = tuple(int(s) for s in size)
        t.__dict__["_coalesced"] = coalesced
        return t

    # -- metadata -------------------------------------------------------------------------

    @property
    def layout(self):
        return "torch.sparse_coo"

    @property
    def shape(self) -> Size:
        return Size(self._size)

    def size(self, dim: int | None = None):
        return Size(self._size) if dim is None else self._size[dim]

    def dim(self) -> int:
        return len(self._size)

    @property
    def ndim(self) -> int:
        return len(self._size)

    def numel(self) -> int:
        return int(np.prod(self._size))

    def sparse_dim(self) -> int:
        return self._ix.shape[0]

    def dense_dim(self) -> int:
        return self._data.ndim - 1

    def _nnz(self) -> int:
        return self._ix.shape[1]

    def is_coalesced(self) -> bool:
        return self._coalesced

    def _indices(self) -> Tensor:
        return _make(self._ix)

    def _values(self) -> Tensor:
        return _make(self._data)

    def indices(self) -> Tensor:
        self._need_coalesced("indices")
        return _make(self._ix)

    def values(self) -> Tensor:
        self._need_coalesced("values")
        return _make(self._data)

    def _need_coalesced(self, what: str) -> None:
        if not self._coalesced:
            raise RuntimeError(
                f"Cannot get {what} on an uncoalesced tensor, please call .coalesce() first"
            )

    # -- conversion -----------------------------------------------------------------------

    def coalesce(self) -> SparseTensor:
        """Sorted, unique indices with the values of repeated indices summed."""
        if self._coalesced:
            return self
        flat = np.ravel_multi_index(tuple(self._ix), self._size[: self.sparse_dim()])
        uniq, inverse = np.unique(flat, return_inverse=True)
        vals = np.zeros((uniq.size,) + self._data.shape[1:], self._data.dtype)
        np.add.at(vals, inverse.reshape(-1), self._data)
        idx = np.stack(np.unravel_index(uniq, self._size[: self.sparse_dim()]))
        return SparseTensor._build(idx, vals, self._size, coalesced=True)

    def to_dense(self) -> Tensor:
        out = np.zeros(self._size, self._data.dtype)
        np.add.at(out, tuple(self._ix), self._data)
        return _make(out)

    def clone(self, memory_format=None) -> SparseTensor:
        return SparseTensor._build(self._ix.copy(), self._data.copy(), self._size, self._coalesced)

    def detach(self) -> SparseTensor:
        return SparseTensor._build(self._ix, self._data, self._size, self._coalesced)

    def to(self, *args, **kwargs) -> SparseTensor:
        d = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtypes.dtype):
                d = a
        if d is None or dtypes.to_dtype(d).np == self._data.dtype:
            return self
        vals = self._data.astype(dtypes.to_dtype(d).np)
        return SparseTensor._build(self._ix, vals, self._size, self._coalesced)

    def __deepcopy__(self, memo) -> SparseTensor:
        return self.clone()

    # -- arithmetic the optimizers need -----------------------------------------------------

    def __add__(self, other):
        if isinstance(other, SparseTensor):
            if other._size != self._size:
                raise RuntimeError(
                    f"add: expected 'self' and 'other' to have same size, but self has size "
                    f"{list(self._size)} while other has size {list(other._size)}"
                )
            idx = np.concatenate([self._ix, other._ix], axis=1)
            vals = np.concatenate([self._data, other._data.astype(self._data.dtype)])
            return SparseTensor._build(idx, vals, self._size)
        if isinstance(other, Tensor):
            out = np.array(other._data, copy=True)
            np.add.at(out, tuple(self._ix), self._data.astype(out.dtype))
            return _make(out)
        return NotImplemented

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, Tensor) and other._data.ndim:
            return NotImplemented
        s = other._data if isinstance(other, Tensor) else other
        return SparseTensor._build(self._ix, self._data * s, self._size, self._coalesced)

    __rmul__ = __mul__

    def __neg__(self) -> SparseTensor:
        return self * -1

    def mul_(self, other) -> SparseTensor:
        self._data *= other
        return self

    def zero_(self) -> SparseTensor:
        self.__dict__["_ix"] = np.zeros((self.sparse_dim(), 0), np.int64)
        self._data = np.zeros((0,) + self._data.shape[1:], self._data.dtype)
        self.__dict__["_coalesced"] = True
        return self

    def __repr__(self) -> str:
        from ._formatting import format_values

        # PyTorch prints the two parts without their dtypes (the outer dtype= says it), and an
        # empty part always with its size.
        def part(arr: np.ndarray, label: str, indent: int) -> str:
            if arr.size == 0:
                return f"{label}=tensor([], size={tuple(arr.shape)})"
            return f"{label}=tensor({format_values(arr, indent)})"

        size = ", ".join(str(s) for s in self._size)
        if len(self._size) == 1:
            size += ","
        tail = f"size=({size}), nnz={self._nnz()}"
        if self.dtype is not dtypes.get_default_dtype():
            tail += f", dtype={self.dtype!r}"
        tail += ", layout=torch.sparse_coo"
        if self.requires_grad:
            tail += ", requires_grad=True"
        ind = part(self._ix, "indices", len("tensor(indices=tensor("))
        vals = part(self._data, "values", len("       values=tensor("))
        return f"tensor({ind},\n       {vals},\n       {tail})"

    __str__ = __repr__


def sparse_coo_tensor(
    indices,
    values,
    size=None,
    *,
    dtype=None,
    device=None,
    requires_grad=False,
    check_invariants=None,
    is_coalesced=None,
):
    """``torch.sparse_coo_tensor``: a sparse tensor from (sparse_dim, nnz) indices and values.

    ``check_invariants`` is accepted and ignored: every index is checked against ``size`` when
    the tensor is used (``to_dense``, ``coalesce``), by NumPy.
    """
    from .creation import tensor as _tensor

    _device.check(device)

    ix = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    vals = values if isinstance(values, Tensor) else _tensor(values)
    vd = vals._data if dtype is None else vals._data.astype(dtypes.to_dtype(dtype).np)
    ix = np.asarray(ix, np.int64)
    if ix.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(ix.shape)}")
    if ix.shape[1] != (vd.shape[0] if vd.ndim else 1):
        raise RuntimeError(
            f"indices and values must have same nnz, but got nnz from indices: {ix.shape[1]}, "
            f"nnz from values: {vd.shape[0] if vd.ndim else 1}"
        )
    if size is None:
        # The smallest size that holds every index; all zeros when there is none (nnz == 0).
        top = ix.max(axis=1) + 1 if ix.shape[1] else np.zeros(ix.shape[0], np.int64)
        size = tuple(int(m) for m in top) + vd.shape[1:]
    # At most one entry cannot repeat an index: PyTorch calls such a tensor coalesced.
    coalesced = ix.shape[1] <= 1 if is_coalesced is None else bool(is_coalesced)
    out = SparseTensor._build(ix, vd, size, coalesced=coalesced)
    if requires_grad:
        out.requires_grad_(True)
    return out


def accumulate(old: Tensor | None, new: Tensor) -> Tensor:
    """``old + new`` for a gradient accumulation where either is sparse (the engine's path)."""
    if old is None:
        return new.clone()
    if isinstance(old, SparseTensor):
        return old + new  # sparse + sparse stays sparse; sparse + dense is a dense copy
    np.add.at(old._data, tuple(new._ix), new._data.astype(old._data.dtype))
    old._vc[0] += 1
    return old
