"""Shape and layout ops: view, reshape, permute, transpose, expand, squeeze, cat, stack, split.

Views share memory with their base, as NumPy views do, and share its version counter, so an
in-place change through either is seen by saved-tensor checks.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import wrap_dim


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    out._base = base._base if base._base is not None else base
    out._vc = base._vc
    return out


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(shape: tuple, numel: int, src: tuple) -> tuple:
    """Resolve one -1 and check the element count, with PyTorch's messages."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(
                    f"invalid shape dimension {s} at index {i} of shape {list(shape)}"
                )
            known *= s
    if neg:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[: neg[0]] + (numel // known,) + shape[neg[0] + 1 :]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class Reshape(Op):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.src_shape = x._data.shape
        return x._data.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.src_shape), None


def view(x: Tensor, *shape) -> Tensor:
    """Same data, new shape; raises when the strides cannot express it (use ``reshape``)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        from .. import dtypes

        return _view_dtype(x, dtypes.to_dtype(shape[0]))
    shape = _infer_shape(_shape_arg(shape), x._data.size, x._data.shape)
    try:
        np.reshape(x._data, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return _as_view(named(Reshape.apply(x, shape), "ViewBackward0"), x)


def _view_dtype(x, dtype):
    return _make(x._data.view(dtype.np))


def reshape(x: Tensor, *shape) -> Tensor:
    """New shape; a view when the layout allows it, else a copy."""
    shape = _infer_shape(_shape_arg(shape), x._data.size, x._data.shape)
    if shape == x._data.shape and not x._rg:
        return _as_view(_make(x._data.view()), x)
    out = Reshape.apply(x, shape)
    # NOTE: a copy is fresh memory, so overlapping bounds mean a view; shares_memory solves
    # the exact overlap problem instead (~20 us on a broadcast gradient).
    if np.may_share_memory(out._data, x._data):
        _as_view(named(out, "ViewBackward0"), x)
    else:
        named(out, "UnsafeViewBackward0")  # PyTorch's name for a reshape that copies
    return out


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = x._data.ndim
    if nd == 0:
        return reshape(x, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = x._data.shape
    n = 1
    for d in shp[s : e + 1]:
        n *= d
    return reshape(x, shp[:s] + (n,) + shp[e + 1 :])


def unflatten(x: Tensor, dim: int, sizes) -> Tensor:
    d = wrap_dim(dim, x._data.ndim)
    shp = x._data.shape
    sizes = tuple(sizes)
    if len([s for s in sizes if s == -1]) <= 1 and all(s >= -1 for s in sizes):
        known = int(np.prod([s for s in sizes if s != -1]))
        if (-1 not in sizes and known != shp[d]) or (known and shp[d] % known):
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                f"{dim} ({shp[d]}) in the input tensor"
            )
    sizes = _infer_shape(sizes, shp[d], (shp[d],))
    return reshape(x, shp[:d] + sizes + shp[d + 1 :])


def squeeze(x: Tensor, dim=None) -> Tensor:
    shp = x._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        ds = {wrap_dim(d, len(shp)) for d in ds} if shp else set()
        new = tuple(s for i, s in enumerate(shp) if not (i in ds and s == 1))
    out = view(x, new) if new != shp else _as_view(Reshape.apply(x, shp), x)
    # PyTorch numbers the overloads: all dims, one dim, a tuple of dims.
    k = 0 if dim is None else 2 if isinstance(dim, (tuple, list)) else 1
    return named(out, f"SqueezeBackward{k}")


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    nd = x._data.ndim
    d = wrap_dim(dim, nd + 1)
    shp = x._data.shape
    return named(view(x, shp[:d] + (1,) + shp[d:]), "UnsqueezeBackward0")


class Permute(Op):
    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x._data.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return permute(g, *np.argsort(ctx.axes)), None


def permute(x: Tensor, *dims) -> Tensor:
    dims = _shape_arg(dims)
    nd = x._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    axes = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(axes)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(Permute.apply(x, axes), x)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = x._data.ndim
    if nd == 0:
        return _as_view(_make(x._data), x) if not x._rg else x
    axes = list(range(nd))
    a, b = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    axes[a], axes[b] = axes[b], axes[a]
    return _as_view(named(Permute.apply(x, tuple(axes)), "TransposeBackward0"), x)


swapaxes = swapdims = transpose


def t(x: Tensor) -> Tensor:
    if x._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.dim()}D")
    axes = tuple(reversed(range(x._data.ndim)))
    return _as_view(named(Permute.apply(x, axes), "TBackward0"), x)


class Expand(Op):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.src_shape = x._data.shape
        return np.broadcast_to(x._data, shape)

    @staticmethod
    def backward(ctx, g):
        from .reduction import sum_to_size

        return sum_to_size(g, ctx.src_shape), None


def expand(x: Tensor, *sizes) -> Tensor:
    sizes = _shape_arg(sizes)
    shp = x._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(
            f"expand({x.type()}{{{list(shp)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(shp)})"
        )
    lead = len(sizes) - len(shp)
    new = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dim")
            new.append(s)
            continue
        cur = shp[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shp)}"
            )
        new.append(s)
    return _as_view(Expand.apply(x, tuple(new)), x)


def expand_as(x: Tensor, other: Tensor) -> Tensor:
    return expand(x, other._data.shape)


def broadcast_to(x: Tensor, shape) -> Tensor:
    return expand(x, tuple(shape))


def view_as(x: Tensor, other: Tensor) -> Tensor:
    return view(x, other._data.shape)


def reshape_as(x: Tensor, other: Tensor) -> Tensor:
    return reshape(x, other._data.shape)


class Cat(Op):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.sizes = [x._data.shape[dim] for x in xs]
        ctx.dim = dim
        return np.concatenate([x._data for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None,) + tuple(split(g, ctx.sizes, ctx.dim))


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    from .. import dtypes

    d = tensors[0].dtype
    for x in tensors[1:]:
        d = dtypes.promote(d, x.dtype)
    # PyTorch skips legacy empty 1-D tensors in cat.
    ts = [x for x in tensors if not (x._data.ndim == 1 and x._data.size == 0)] or tensors[:1]
    nd = ts[0]._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = wrap_dim(dim, nd)
    ref = ts[0]._data.shape
    for i, x in enumerate(ts):
        s = x._data.shape
        if len(s) != nd:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {nd} and {len(s)}"
            )
        for k in range(nd):
            if k != dim and s[k] != ref[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref[k]} but got size {s[k]} for tensor number {i} in the list."
                )
    ts = [x.to(d) for x in ts]
    return Cat.apply(dim, *ts)


concat = concatenate = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shp = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != shp:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shp)} at entry 0 "
                f"and {list(x._data.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(shp) + 1)
    return named(cat([unsqueeze(x, d) for x in tensors], d), "StackBackward0")


def hstack(tensors):
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([x if x._data.ndim > 1 else x.reshape(1, -1) for x in tensors], 0)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    if x._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return x[idx]


def split(x: Tensor, split_size_or_sections, dim: int = 0):
    """Chunks of a given size (the last may be smaller), or of the listed sizes."""
    if x._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0 and n:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        sizes = [min(s, n - i) for i in range(0, n, s)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    out, start = [], 0
    sized = isinstance(split_size_or_sections, int)
    name = "SplitBackward0" if sized else "SplitWithSizesBackward0"
    for s in sizes:
        out.append(named(narrow(x, d, start, s), name))
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0):
    if x._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = x._data.shape[wrap_dim(dim, x._data.ndim)]
    size = -(-n // chunks) if n else 1
    return split(x, max(size, 1), dim)


def unbind(x: Tensor, dim: int = 0):
    _check_has_dims(x, dim)
    d = wrap_dim(dim, x._data.ndim)
    lead = (slice(None),) * d
    return tuple(named(x[lead + (i,)], "UnbindBackward0") for i in range(x._data.shape[d]))


def movedim(x: Tensor, source, destination) -> Tensor:
    nd = x._data.ndim
    src = [wrap_dim(s, nd) for s in (source if isinstance(source, (list, tuple)) else [source])]
    dst = [
        wrap_dim(s, nd)
        for s in (destination if isinstance(destination, (list, tuple)) else [destination])
    ]
    order = [i for i in range(nd) if i not in src]
    for s, dd in sorted(zip(dst, src)):
        order.insert(s, dd)
    return permute(x, *order)


moveaxis = movedim


def _check_has_dims(x: Tensor, dim) -> None:
    if x._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


def _dim_list(dims, ndim: int) -> tuple:
    """Wrap a dim or list of dims, refusing repeats as PyTorch does."""
    out = tuple(wrap_dim(d, ndim) for d in (dims if isinstance(dims, (tuple, list)) else (dims,)))
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


# -- copies that rearrange: repeat, tile, flip, roll ---------------------------------------------


class Repeat(Op):
    @staticmethod
    def forward(ctx, x, reps):
        src = (1,) * (len(reps) - x._data.ndim) + x._data.shape
        ctx.src_shape, ctx.reps, ctx.lifted = x._data.shape, reps, src
        return np.tile(x._data.reshape(src), reps)

    @staticmethod
    def backward(ctx, g):
        # Output dim i holds reps[i] copies of the input dim: split it in two and sum the copies.
        split_shape = []
        for r, s in zip(ctx.reps, ctx.lifted):
            split_shape += [r, s]
        summed = reshape(g, tuple(split_shape)).sum(tuple(range(0, len(split_shape), 2)))
        return reshape(summed, ctx.src_shape), None


def repeat(x: Tensor, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along dim ``i`` (a copy, unlike ``expand``)."""
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _shape_arg(sizes)
    if len(reps) < x._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    src = (1,) * (len(reps) - x._data.ndim) + x._data.shape
    out_shape = [r * s for r, s in zip(reps, src)]
    for n in out_shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {out_shape}")
    return Repeat.apply(x, reps)


def tile(x: Tensor, *dims) -> Tensor:
    """``repeat`` with ones prepended to ``dims`` when it has fewer entries than dims."""
    reps = _shape_arg(dims)
    return repeat(x, (1,) * (x._data.ndim - len(reps)) + reps)


class Flip(Op):
    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        # A copy, as in PyTorch (NumPy's flip would be a view with negative strides).
        return np.flip(x._data, axes).copy()

    @staticmethod
    def backward(ctx, g):
        return flip(g, ctx.axes), None


def flip(x: Tensor, *dims) -> Tensor:
    """Reverse the order of elements along ``dims``."""
    dims = dims[0] if len(dims) == 1 else dims
    nd = x._data.ndim
    axes = _dim_list(dims, nd)
    return Flip.apply(x, () if nd == 0 else axes)


def _as_seq(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def fliplr(x: Tensor) -> Tensor:
    if x._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(x, 1)


def flipud(x: Tensor) -> Tensor:
    if x._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(x, 0)


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return np.roll(x._data, shifts, axes)

    @staticmethod
    def backward(ctx, g):
        back = tuple(-s for s in ctx.shifts) if ctx.axes is not None else -ctx.shifts
        return Roll.apply(g, back, ctx.axes), None, None


def roll(x: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements circularly along ``dims`` (over the flattened tensor when None)."""
    sh = _as_seq(shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(x, int(sh[0]), None)
    ds = _as_seq(dims)
    if not sh:
        raise RuntimeError("`shifts` required")
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    for d in ds:
        _check_has_dims(x, d)
    axes = tuple(wrap_dim(d, x._data.ndim) for d in ds)
    return Roll.apply(x, tuple(int(s) for s in sh), axes)
