"""Helpers shared by the op families: operand promotion, dims, in-place application."""

from __future__ import annotations

import weakref

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.function import check_inplace_allowed, push_history, snapshot
from ..tensor import Tensor, _make, _wrap_dim

_state = grad_mode.state
wrap_dim = _wrap_dim
_INT64 = np.dtype(np.int64)


def as_tensor_operand(x) -> Tensor:
    """A tensor for an operand that may be an ndarray or a Python number."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    from ..creation import tensor

    return tensor(x)


def promote_pair(a, b, float_result: bool = False):
    """Operands cast to PyTorch's common dtype. Python scalars stay scalars (NumPy keeps them
    weak), tensors are converted with differentiable casts.

    Returns (a, b, dtype).
    """
    # Fast path: a tensor with a Python number that cannot change its dtype (NumPy keeps Python
    # scalars weak, so the op computes in the tensor's dtype).
    ta, tb = type(a), type(b)
    if ta is Tensor and (tb is float or tb is int):
        k = a._data.dtype.kind
        # Narrow integer tensors take the slow path, where out-of-range ints wrap around.
        if k == "f" or (tb is int and a._data.dtype is _INT64 and not float_result):
            return a, b, dtypes.from_numpy(a._data.dtype)
    elif tb is Tensor and (ta is float or ta is int):
        k = b._data.dtype.kind
        if k == "f" or (ta is int and b._data.dtype is _INT64 and not float_result):
            return a, b, dtypes.from_numpy(b._data.dtype)
    if ta is np.ndarray:
        a = _make(a)
    if tb is np.ndarray:
        b = _make(b)
    d = dtypes.result_type(a, b)
    if float_result and not d.is_floating_point:
        d = dtypes.get_default_dtype()
    return _cast(a, d), _cast(b, d), d


def _cast(x, d):
    if isinstance(x, Tensor):
        if x._data.dtype != d.np:
            from .conversion import to_dtype

            return to_dtype(x, d)
        return x
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        # NumPy treats Python scalars as weak, so they keep the tensor's dtype; a NumPy scalar
        # is not weak, so it becomes a plain Python number first.
        if isinstance(x, np.generic):
            x = x.item()
        if d.is_floating_point and isinstance(x, int):
            return float(x)
        if isinstance(x, int) and d.np.kind in "iu" and d.np.itemsize < 8:
            # PyTorch converts the scalar to the tensor's integer type, wrapping around (uint8
            # + -1 adds 255); NumPy 2 would raise OverflowError instead.
            bits = 8 * d.np.itemsize
            low = 0 if d.np.kind == "u" else -(1 << (bits - 1))
            return (x - low) % (1 << bits) + low
        return x
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def dims(dim, ndim: int) -> tuple | None:
    """Normalize a dim argument (int, tuple, list or None) to a tuple of non-negative axes.

    A 0-d tensor accepts dim 0 and -1 (as PyTorch does); NumPy has no axis to name there, so
    the result is None: reducing everything, which for one element is the same.
    """
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        out = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(out)) != len(out):
            d = next(d for d in out if out.count(d) > 1)
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    else:
        out = (_wrap_dim(dim, ndim),)
    return out if ndim else None


def int_tuple(v, n: int, message) -> tuple:
    """An int, or a sequence of 1 or ``n`` ints, as ``n`` ints (conv and pool sizes).

    Any other length raises RuntimeError(message(ints given as a list)): each op family words
    the error its own way in PyTorch, and some messages quote the bad value.
    """
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(e) for e in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(message(list(v)))
    return v


def inplace(self: Tensor, op, *args, **kwargs) -> Tensor:
    """Apply the out-of-place ``op(self, *args)`` and write its result into ``self``.

    Without a graph to record this is a plain write into the storage; with one, ``self`` takes
    over the result's place in the graph while a stand-in keeps its old history.
    """
    record = _state.enabled and (self._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if not record:
        with grad_mode.no_grad():
            out = op(self, *args, **kwargs)
        write(self, out._data)
        return self
    root = self._base
    if root is not None:
        check_view_inplace_allowed(root)
        flat = _storage_index(root._data, self._data)
    else:
        check_inplace_allowed(self)
    stand = snapshot(self)
    # ``x.mul_(x)``: the operand is the old x too (the object x is about to get a new history).
    args = tuple(stand if a is self else a for a in args)
    out = op(stand, *args, **kwargs)
    node = out.grad_fn
    if node is not None and any(t is stand for t in node._saved):
        # The op saved its input for backward, and the write below overwrites it: keep the old
        # values in a private copy (PyTorch saves the original self of an in-place op too).
        stand._data = stand._data.copy()
        stand._vc = [stand._vc[0]]
    write(self, out._data)
    if node is not None:
        push_history(self)
        self.grad_fn = node
        self._output_nr = out._output_nr
        self._rg = True
        ref = getattr(node, "_out_ref", None)
        if ref is not None and ref() is out:
            node._out_ref = weakref.ref(self)
            node._out_version = self._vc[0]
    if root is not None and self._rg:
        _rebase_root(root, self, flat)
    return self


def check_view_inplace_allowed(root: Tensor) -> None:
    if root._rg and root.grad_fn is None and _state.enabled:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def _storage_index(base: np.ndarray, view: np.ndarray) -> np.ndarray:
    """For each element of ``view``, its flat position in ``base`` (which it is a view of)."""
    if not base.flags.c_contiguous:
        raise NotImplementedError(
            "in-place operations that record a graph on a view of a non-contiguous tensor are "
            "not supported by ember yet; use the out-of-place form (x = x.op(...)) instead"
        )
    size = base.itemsize
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    pos = np.full(view.shape, start // size, np.int64)
    for k, (n, st) in enumerate(zip(view.shape, view.strides)):
        shape = [1] * view.ndim
        shape[k] = n
        pos = pos + (np.arange(n, dtype=np.int64) * (st // size)).reshape(shape)
    return pos


def _rebase_root(root: Tensor, view: Tensor, flat: np.ndarray) -> None:
    """After an in-place op on ``view``, give ``root`` the history "old root with the view's new
    values written in", so gradients through ``root`` reach both (PyTorch's CopySlices).

    NOTE: other views of ``root`` made earlier keep their old history; PyTorch regenerates
    theirs, ember does not yet.
    """
    from .indexing import IndexPut
    from .movement import Reshape

    old = snapshot(root)
    flat_root = Reshape.apply(old, (root._data.size,))
    new = Reshape.apply(IndexPut.apply(flat_root, view, (flat,)), root._data.shape)
    push_history(root)
    root.grad_fn = new.grad_fn
    root._output_nr = 0
    root._rg = True


def write(self: Tensor, values: np.ndarray) -> None:
    """Store ``values`` into ``self``'s storage (views see it) and bump its version."""
    dst = self._data
    if values.dtype != dst.dtype and not np.can_cast(values.dtype, dst.dtype, "same_kind"):
        raise RuntimeError(
            f"result type {_type_word(values.dtype)} can't be cast to the desired output type "
            f"{_type_word(dst.dtype)}"
        )
    if values is not dst:
        if values.shape != dst.shape and _broadcast_shape(values.shape, dst.shape) != dst.shape:
            raise RuntimeError(
                f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                f"{list(_broadcast_shape(values.shape, dst.shape))}"
            )
        np.copyto(dst, values, casting="unsafe")
    self._vc[0] += 1


def _broadcast_shape(a: tuple, b: tuple) -> tuple | None:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        return None


def _type_word(np_dtype) -> str:
    """PyTorch's capitalised type word ('Float', 'Long'): the X of torch.XTensor."""
    return dtypes.legacy_type_name(dtypes.from_numpy(np.dtype(np_dtype)))[6:-6]


# The C++ scalar names PyTorch's kernel messages use ("expected scalar type float != double").
_SCALAR_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


def scalar_name(np_dtype) -> str:
    return _SCALAR_NAMES[np.dtype(np_dtype).name]


def check_inplace_dtype(self: Tensor, other) -> None:
    """PyTorch refuses in-place ops whose result dtype is wider in kind than ``self``'s."""
    d = dtypes.result_type(self, other)
    if d._kind > self.dtype._kind:
        raise RuntimeError(
            f"result type {_type_word(d.np)} can't be cast to the desired output type "
            f"{_type_word(self._data.dtype)}"
        )
