"""Composite products, built from the matrix products in linalg.py and elementwise ops (so
their gradients and higher orders come from those): addmm, addmv, addbmm, baddbmm, addr, kron,
tensordot, cross, and the cartesian ones, meshgrid and cartesian_prod.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._array import broadcast_error
from ..autograd.function import named
from ..tensor import Tensor, _make
from ._util import _broadcast_shape, _type_word, wrap_dim
from .linalg import _check_batch2, _check_mm_shapes, bmm, matmul, mm, mv, outer


def _scaled_sum(input: Tensor, prod: Tensor, beta, alpha, name: str) -> Tensor:
    """``beta * input + alpha * prod``, with ``input`` broadcast to ``prod``'s shape; beta = 0
    ignores input's values (NaN included), as PyTorch does."""
    from .elementwise import where
    from .movement import expand

    shape = prod._data.shape
    if _broadcast_shape(input._data.shape, shape) != shape:
        expand(input, shape)  # raises PyTorch's message
    out = prod if alpha == 1 else prod * alpha
    if beta == 0:
        # Selecting nothing from input keeps NaN out and still gives it a (zero) gradient.
        out = out + where(_make(np.zeros((), bool)), input, 0)
    else:
        out = out + (input if beta == 1 else input * beta)
    return named(out, name)


def _same_dtype(a: Tensor, b: Tensor, first: str, second: str) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"{first} and {second} must have the same dtype, but got "
            f"{_type_word(a._data.dtype)} and {_type_word(b._data.dtype)}"
        )


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    _check_mm_shapes(mat1._data.shape, mat2._data.shape)
    _same_dtype(input, mat2, "self", "mat2")
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha, "AddmmBackward0")


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha, "AddmvBackward0")


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha, "AddrBackward0")


def _check_batches(batch1: Tensor, batch2: Tensor) -> None:
    for name, b in (("batch1", batch1), ("batch2", batch2)):
        if b._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    s1, s2 = batch1._data.shape, batch2._data.shape
    _check_batch2(s1[0], s1[2], s2[0], s2[1])


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``, input broadcasting to (b, n, p)."""
    _check_batches(batch1, batch2)
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha, "BaddbmmBackward0")


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``."""
    _check_batches(batch1, batch2)
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha, "AddbmmBackward0")


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: block (i, j) of the result is ``input[i, j] * other``."""
    n = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (n - input._data.ndim) + input._data.shape
    sb = (1,) * (n - other._data.ndim) + other._data.shape
    # Interleave the dims: a's (s0, 1, s1, 1, ...) times b's (1, t0, 1, t1, ...).
    a = input.reshape(tuple(v for s in sa for v in (s, 1)))
    b = other.reshape(tuple(v for t in sb for v in (1, t)))
    return (a * b).reshape(tuple(s * t for s, t in zip(sa, sb)))


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Sum over the last ``dims`` dims of ``a`` and the first of ``b`` (an int), or over the
    dims named in a pair of lists ``([dims of a], [dims of b])``."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a._data.ndim - dims, a._data.ndim))
        db = list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    da = [wrap_dim(d, a._data.ndim) for d in da]
    db = [wrap_dim(d, b._data.ndim) for d in db]
    for i, j in zip(da, db):
        sa, sb = a._data.shape[i], b._data.shape[j]
        if sa != sb:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa} in dim {i - a.ndim}"
                f" and second has size {sb} in dim {j}"
            )
    free_a = [d for d in range(a._data.ndim) if d not in da]
    free_b = [d for d in range(b._data.ndim) if d not in db]
    k = int(np.prod([a._data.shape[d] for d in da]))
    left = a.permute(*free_a, *da).reshape(-1, k)
    right = b.permute(*db, *free_b).reshape(k, -1)
    shape = tuple(a._data.shape[d] for d in free_a) + tuple(b._data.shape[d] for d in free_b)
    return matmul(left, right).reshape(shape)


def _cross(input: Tensor, other: Tensor, axis: int) -> Tensor:
    from .movement import stack

    pick = [(slice(None),) * axis + (i, Ellipsis) for i in range(3)]
    a = [input[p] for p in pick]
    b = [other[p] for p in pick]
    parts = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    return named(stack(parts, axis), "LinalgCrossBackward0")


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The 3-D cross product along ``dim`` (size 3 in both), the other dims broadcasting."""
    if input._data.ndim != other._data.ndim:
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions. Got "
            f"{input._data.ndim} and {other._data.ndim}"
        )
    na, nb = input._data.shape[dim], other._data.shape[dim]
    if na != 3 or nb != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {na} and {nb}"
        )
    shape = _common_shape(input, other)
    axis = wrap_dim(dim, len(shape))
    return _cross(input.expand(*shape), other.expand(*shape), axis)


def _common_shape(a: Tensor, b: Tensor) -> tuple:
    try:
        return np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError as e:
        raise broadcast_error(e, (a, b)) from None


_CROSS_WARNED = False


def cross(input: Tensor, other: Tensor, dim=None) -> Tensor:
    """The 3-D cross product along ``dim``; without ``dim``, the first dim of size 3 (which
    PyTorch deprecates, with a warning)."""
    global _CROSS_WARNED
    if dim is None:
        shape = _common_shape(input, other)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
        if not _CROSS_WARNED:
            _CROSS_WARNED = True
            warnings.warn(
                "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
                "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
                "dim will change to agree with that of linalg.cross in a future release.",
                UserWarning,
                stacklevel=2,
            )
    return linalg_cross(input, other, dim=dim)


# -- cartesian ------------------------------------------------------------------------------------


_MESHGRID_WARNED = False


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` output k varies along dim k;
    with ``'xy'`` the first two dims are swapped (the Cartesian convention). The grids are
    expanded views of the inputs."""
    global _MESHGRID_WARNED
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        if not _MESHGRID_WARNED:
            _MESHGRID_WARNED = True
            warnings.warn(
                "torch.meshgrid: in an upcoming release, it will be required to pass the "
                "indexing argument.",
                UserWarning,
                stacklevel=2,
            )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                f"{t._data.ndim}-D tensor of shape {list(t._data.shape)}"
            )
    sizes = [t._data.size for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    grid = tuple(sizes[k] for k in order)
    out = []
    for k, t in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[order.index(k)] = sizes[k]
        out.append(t.reshape(shape).expand(*grid))
    return tuple(out)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element from each 1-D tensor, one per row (like
    ``itertools.product``); a single tensor comes back as it is."""
    from .movement import stack

    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)
