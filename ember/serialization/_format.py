"""What a PyTorch checkpoint is made of: storages, the names PyTorch gives them, and tensors
rebuilt as views of storages.

A checkpoint stores each storage (a flat run of elements) once, and each tensor as (storage,
offset, size, stride): this is how views that share memory come back sharing it. In ember a
storage is the NumPy array that owns a tensor's memory; ``locate`` finds it, and the rebuild
functions make tensors as strided views of the flat arrays read back.
"""

from __future__ import annotations

import pickle
import warnings
from collections import OrderedDict

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _make


class CheckpointError(RuntimeError, pickle.UnpicklingError):
    """A file that is not a readable PyTorch checkpoint: truncated, corrupted or foreign.

    It is both a RuntimeError (what PyTorch raises for a broken zip archive) and a
    ``pickle.UnpicklingError`` (what it raises for a broken pickle), so either ``except`` works.
    """


class UnsafeGlobalError(CheckpointError):
    """A checkpoint asks for a Python global outside the allow-list: nothing was run."""


# PyTorch names a storage by its dtype's legacy tensor type: FloatTensor -> FloatStorage.
STORAGE_NAMES = {
    d: dtypes.legacy_type_name(d).removeprefix("torch.").replace("Tensor", "Storage")
    for d in dtypes.ALL
}
DTYPE_OF_STORAGE = {name: d for d, name in STORAGE_NAMES.items()}
# Known to PyTorch, absent from ember: refused with a message that says so.
UNSUPPORTED_STORAGES = {
    "BFloat16Storage": "bfloat16",
    "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
    "QInt8Storage": "qint8",
    "QUInt8Storage": "quint8",
    "QInt32Storage": "qint32",
    "QUInt4x2Storage": "quint4x2",
    "QUInt2x4Storage": "quint2x4",
}
# PyTorch dtypes that ember lacks, named in the error instead of "refusing the global".
UNSUPPORTED_DTYPES = frozenset(
    ["bfloat16", "complex32", "complex64", "complex128", "cfloat", "cdouble", "chalf"]
    + ["uint16", "uint32", "uint64", "qint8", "quint8", "qint32", "quint4x2", "quint2x4"]
    + ["bits1x8", "bits2x4", "bits4x2", "bits8", "bits16"]
    + [f"int{n}" for n in range(1, 8)]
    + [f"uint{n}" for n in range(1, 8)]
)


def is_unsupported_dtype(name: str) -> bool:
    return name in UNSUPPORTED_DTYPES or name.startswith("float8_") or name.startswith("float4_")


# torch.float32 pickles as the global ``torch.float32``; its aliases are globals too.
DTYPE_GLOBALS = {d.name: d for d in dtypes.ALL} | {
    "float": dtypes.float32,
    "double": dtypes.float64,
    "half": dtypes.float16,
    "long": dtypes.int64,
    "int": dtypes.int32,
    "short": dtypes.int16,
}


class StorageType:
    """What ``torch.FloatStorage`` unpickles to: only a dtype tag for the persistent id."""

    __slots__ = ("dtype",)

    def __init__(self, dtype: dtypes.dtype | None):
        self.dtype = dtype  # None: PyTorch's UntypedStorage (bytes, typed by the tensor)

    def __repr__(self) -> str:
        name = "UntypedStorage" if self.dtype is None else STORAGE_NAMES[self.dtype]
        return f"torch.{name}"


STORAGE_TYPES = {name: StorageType(d) for name, d in DTYPE_OF_STORAGE.items()}
UNTYPED_STORAGE = StorageType(None)


class Storage:
    """A checkpoint's storage once read: a flat array and where it lives.

    ``map_location`` callables receive one, as PyTorch's do (``lambda storage, loc: storage``).
    """

    __slots__ = ("array", "location")

    def __init__(self, array: np.ndarray, location: str = "cpu"):
        self.array = array
        self.location = location

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self.array.dtype)

    @property
    def device(self):
        from ..device import device

        return device(self.location)

    @property
    def is_cuda(self) -> bool:
        return False

    def size(self) -> int:
        return self.array.size

    __len__ = size

    def nbytes(self) -> int:
        return self.array.nbytes

    def element_size(self) -> int:
        return self.array.itemsize

    def cpu(self) -> Storage:
        return self

    def cuda(self, device=None, non_blocking: bool = False):
        raise RuntimeError(cuda_message())

    def to(self, device=None, non_blocking: bool = False) -> Storage:
        check_location(str(device))
        return self

    def __repr__(self) -> str:
        return f"ember storage of {self.array.size} {self.dtype} elements on {self.location}"


def cuda_message() -> str:
    return (
        "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
        "False. If you are running on a CPU-only machine, please use torch.load with "
        "map_location=torch.device('cpu') to map your storages to the CPU. (ember computes on "
        "the CPU only.)"
    )


def check_location(location: str) -> None:
    """Storages can only live on the CPU in ember; PyTorch's errors for the rest."""
    if location == "cpu":
        return
    if location.startswith("cuda"):
        raise RuntimeError(cuda_message())
    raise RuntimeError(
        f"don't know how to restore data location of an ember storage (tagged with {location}): "
        "ember keeps tensors on the CPU; pass map_location='cpu'"
    )


# -- saving: where a tensor's memory lives -------------------------------------------------


def _owner(arr: np.ndarray) -> np.ndarray:
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def locate(arr: np.ndarray):
    """``(key, flat, offset, strides)`` for a tensor's array.

    ``flat`` is the 1-D storage (the whole owning array, in memory order, in ``arr``'s dtype),
    ``key`` identifies it so that views are saved once, and offset/strides are in elements.
    Memory a storage cannot describe (negative or misaligned strides, an owner that is not one
    contiguous block) is saved as a contiguous copy of its own, as PyTorch itself has no such
    tensors.
    """
    item = arr.itemsize
    if arr.size:
        owner = _owner(arr)
        if owner.flags.c_contiguous or owner.flags.f_contiguous:
            raw = owner.ravel(order="K").view(np.uint8)
            start = raw.__array_interface__["data"][0]
            offset = arr.__array_interface__["data"][0] - start
            # A dimension of size 1 may carry any stride: give it the contiguous one, as
            # PyTorch does, and check only the strides that are ever stepped along.
            strides = [
                s if n > 1 else c * item
                for s, n, c in zip(arr.strides, arr.shape, _contiguous_strides(arr.shape))
            ]
            ok = raw.nbytes % item == 0 and offset >= 0 and offset % item == 0
            if ok and all(s >= 0 and s % item == 0 for s in strides):
                key = (id(owner), start, arr.dtype.str)
                return key, raw.view(arr.dtype), offset // item, [s // item for s in strides]
    flat = np.ascontiguousarray(arr).reshape(-1)
    return (id(flat), 0, arr.dtype.str), flat, 0, _contiguous_strides(arr.shape)


def _contiguous_strides(shape) -> list:
    out, acc = [], 1
    for n in reversed(shape):
        out.append(acc)
        acc *= max(n, 1)
    return out[::-1]


# -- loading: tensors as views of storages -------------------------------------------------


def _ints(value, what: str) -> tuple:
    if isinstance(value, int):  # PyTorch accepts a bare int for a 1-d size
        value = (value,)
    if not isinstance(value, tuple | list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise CheckpointError(f"a tensor's {what} must be a tuple of ints, got {value!r}")
    return tuple(value)


def view_of(storage, offset, size, stride, dtype=None) -> Tensor:
    """A tensor viewing ``storage`` as PyTorch's ``set_`` would, with its bounds checked.

    The bounds are checked because a corrupted or hostile file could otherwise make a view that
    reads memory outside the storage.
    """
    if not isinstance(storage, Storage):
        raise CheckpointError(f"expected a storage to rebuild a tensor from, got {storage!r}")
    flat = storage.array
    if dtype is not None and dtype.np != flat.dtype:  # an UntypedStorage read as bytes
        if flat.nbytes % dtype.itemsize:
            raise CheckpointError(f"a storage of {flat.nbytes} bytes cannot hold {dtype} elements")
        flat = flat.view(dtype.np)
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if not isinstance(offset, int) or offset < 0:
        raise CheckpointError(f"a tensor's storage offset must be an int >= 0, got {offset!r}")
    if len(size) != len(stride) or any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise CheckpointError(f"invalid tensor geometry: size {list(size)}, stride {list(stride)}")
    numel = int(np.prod(size, dtype=np.int64)) if size else 1
    if numel == 0:
        return _make(np.empty(size, flat.dtype))
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= flat.size:
        raise CheckpointError(
            f"a tensor of size {list(size)} with stride {list(stride)} at offset {offset} "
            f"reaches element {last}, past the end of its storage of {flat.size} elements: the "
            "file is truncated or corrupted"
        )
    item = flat.itemsize
    arr = np.lib.stride_tricks.as_strided(
        flat[offset:], shape=size, strides=tuple(s * item for s in stride), writeable=True
    )
    return _make(arr)


def _requires_grad(t: Tensor, requires_grad) -> Tensor:
    if requires_grad:
        if not t.is_floating_point():
            raise CheckpointError(f"a {t.dtype} tensor cannot require grad")
        t.requires_grad = True
    return t


def rebuild_tensor(storage, storage_offset, size, stride):
    """``torch._utils._rebuild_tensor`` (the legacy format's)."""
    return view_of(storage, storage_offset, size, stride)


def rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    """``torch._utils._rebuild_tensor_v2``: what ``torch.save`` writes for every tensor."""
    return _requires_grad(view_of(storage, storage_offset, size, stride), requires_grad)


def rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    """``torch._utils._rebuild_tensor_v3``: an untyped storage read as ``dtype``."""
    if not isinstance(dtype, dtypes.dtype):
        raise CheckpointError(f"expected a dtype, got {dtype!r}")
    t = view_of(storage, storage_offset, size, stride, dtype)
    return _requires_grad(t, requires_grad)


def _parameter(data, requires_grad):
    from ..nn.parameter import Parameter

    if not isinstance(data, Tensor):
        raise CheckpointError(f"a Parameter must wrap a tensor, got {type(data).__name__}")
    return Parameter(data.detach(), bool(requires_grad))


def rebuild_parameter(data, requires_grad, backward_hooks):
    """``torch._utils._rebuild_parameter``."""
    return _parameter(data, requires_grad)


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    """``torch._utils._rebuild_parameter_with_state``: Python attributes set on a Parameter."""
    _drop_state(state)
    return _parameter(data, requires_grad)


class TensorType:
    """What ``torch.Tensor`` / ``torch.nn.Parameter`` unpickle to: a tag for
    ``_rebuild_from_type_v2``, never a class the unpickler could instantiate."""

    __slots__ = ("parameter",)

    def __init__(self, parameter: bool):
        self.parameter = parameter


TENSOR_TYPE, PARAMETER_TYPE = TensorType(False), TensorType(True)


def rebuild_from_type_v2(func, new_type, args, state):
    """``torch._tensor._rebuild_from_type_v2``: a tensor saved with Python attributes."""
    if func not in (rebuild_tensor, rebuild_tensor_v2, rebuild_tensor_v3, rebuild_parameter):
        raise CheckpointError(f"unexpected tensor rebuild function {func!r}")
    if not isinstance(new_type, TensorType) or not isinstance(args, tuple):
        raise CheckpointError(f"unexpected tensor type {new_type!r}")
    t = func(*args)
    if new_type.parameter and not _is_parameter(t):
        t = _parameter(t, t.requires_grad)
    _drop_state(state)
    return t


def _is_parameter(t) -> bool:
    from ..nn.parameter import Parameter

    return isinstance(t, Parameter)


def _drop_state(state) -> None:
    # ember tensors have __slots__ and no __dict__: attributes set on a saved tensor are lost.
    if state:
        names = sorted(state) if isinstance(state, dict) else state
        warnings.warn(
            f"ember.load: dropping Python attributes {names} saved on a tensor (ember tensors "
            "cannot carry extra attributes)",
            UserWarning,
            stacklevel=4,
        )


def empty_hooks() -> OrderedDict:
    return OrderedDict()
