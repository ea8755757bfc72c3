"""class Tensor: a NumPy array with a dtype, a device, and a place in the autograd graph.

No gradient math lives here: the dunders and methods call the ops in ``ember.ops``, imported at
the bottom of this module because the ops themselves build Tensors.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _formatting, dtypes
from . import device as _device
from ._tensor_methods import TensorMethods, bind_ops
from .autograd import function as _function
from .autograd import grad_mode

_np_dtype_of = dtypes.from_numpy


class Tensor(TensorMethods):
    """A multi-dimensional array that records the operations made on it for autograd.

    ``Tensor(data)`` and ``Tensor(*sizes)`` build a tensor of the default dtype, as
    ``torch.Tensor`` does; prefer ``ember.tensor(data)``, which infers the dtype.
    """

    # Slots for what every op reads or writes; the rarely set fields live in the instance dict,
    # created only when one is set, with their defaults on the class: _make stays cheap.
    __slots__ = (
        "_data",  # np.ndarray holding the values (a view of its base's storage for views)
        "_rg",  # requires_grad
        "grad_fn",  # the autograd node that made this tensor, None for leaves
        "_vc",  # version counter: a one-element list shared by a tensor and its views
        "__dict__",
        "__weakref__",
    )
    _grad = None
    _output_nr = 0  # which output of grad_fn this tensor is
    _base = None  # the tensor this one is a view of
    _hooks = None  # gradient hooks of a leaf (non-leaf hooks live on grad_fn)
    _retains_grad = False
    _fn_history = None  # edges replaced by in-place ops: autograd.function.edge_of

    # NumPy defers binary operators to the Tensor's reflected ones (ndarray + Tensor -> Tensor).
    __array_ufunc__ = None
    is_sparse = False
    is_quantized = False
    is_cuda = False
    is_meta = False

    def __new__(cls, *args, device=None):
        _device.check(device)
        return _creation.legacy_new(cls, args, dtypes.get_default_dtype(), typed=False)

    def __init__(self, *args, **kwargs):
        pass

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _function._TENSOR_TYPES.add(cls)

    # -- construction helpers -------------------------------------------------------------

    @staticmethod
    def _wrap(arr: np.ndarray) -> Tensor:
        return _make(arr)

    # -- metadata -------------------------------------------------------------------------

    @property
    def dtype(self) -> dtypes.dtype:
        return _np_dtype_of(self._data.dtype)

    @property
    def device(self) -> _device.device:
        return _device.CPU

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndim = property(dim)

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim: int | None = None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def get_device(self) -> int:
        return -1

    @property
    def layout(self):
        return "torch.strided"

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self._data.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    @property
    def _version(self) -> int:
        return self._vc[0]

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # -- autograd attributes ----------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        # NOTE: PyTorch words this one without "and complex"; the setter's message has it.
        if requires_grad and self.grad_fn is None and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            # A sparse gradient (p.grad = sparse_coo_tensor(...)) holds its values in _data:
            # its dense size is what must match.
            shape = tuple(value.shape) if value.is_sparse else value._data.shape
            if shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value.dtype.name}' to a "
                    f"tensor with grad_dtype '{self.dtype.name}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype)."
                )
        self._grad = value

    @property
    def data(self) -> Tensor:
        """A detached tensor sharing storage with this one.

        Unlike ``detach()``, it has its own version counter: in-place changes through ``.data``
        are invisible to autograd's saved-tensor checks, as in PyTorch.
        """
        return _make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        # NOTE: swaps the storage under the same Python object, as PyTorch does; seed 003
        # trains with ``w.data = w.data - lr * w.grad.data``.
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    def detach(self) -> Tensor:
        t = _make(self._data)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._rg = False
        return self

    def retain_grad(self) -> None:
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            self._retains_grad = True
            self.grad_fn.add_retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.add_output_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        return _Handle(self._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves."""
        from .autograd import engine

        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # -- conversion -----------------------------------------------------------------------

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return _formatting.tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __reduce_ex__(self, protocol):
        from . import serialization

        return serialization.reduce_tensor(self)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = type(self).__new__(type(self), _make(self._data.copy()))
        if type(self) is Tensor:
            new = _make(self._data.copy())
        else:
            new._data = self._data.copy()
        new._rg = self._rg
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def equal(self, other: Tensor) -> bool:
        return self._data.shape == other._data.shape and bool(
            np.array_equal(self._data, other._data)
        )

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
        return bool(np.allclose(self._data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False) -> Tensor:
        return _make(np.isclose(self._data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    # -- arithmetic dunders (each calls one op) -------------------------------------------

    def __add__(self, other):
        return _ar.add(self, other)

    def __radd__(self, other):
        return _ar.add(other, self)

    def __sub__(self, other):
        return _ar.sub(self, other)

    def __rsub__(self, other):
        return _ar.sub(other, self)

    def __mul__(self, other):
        return _ar.mul(self, other)

    def __rmul__(self, other):
        return _ar.mul(other, self)

    def __truediv__(self, other):
        return _ar.div(self, other)

    def __rtruediv__(self, other):
        return _ar.div(other, self)

    def __floordiv__(self, other):
        return _ar.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ar.floor_divide(other, self)

    def __mod__(self, other):
        return _ar.remainder(self, other)

    def __rmod__(self, other):
        return _ar.remainder(other, self)

    def __pow__(self, other):
        return _ar.pow(self, other)

    def __rpow__(self, other):
        return _ar.pow(other, self)

    def __matmul__(self, other):
        return _la.matmul(self, other)

    def __rmatmul__(self, other):
        return _la.matmul(other, self)

    def __neg__(self):
        return _ar.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ew.abs(self)

    def __invert__(self):
        return _cmp.bitwise_not(self)

    def __and__(self, other):
        return _cmp.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        return _cmp.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return _cmp.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __eq__(self, other):
        return _cmp.eq(self, other)

    def __ne__(self, other):
        return _cmp.ne(self, other)

    def __lt__(self, other):
        return _cmp.lt(self, other)

    def __le__(self, other):
        return _cmp.le(self, other)

    def __gt__(self, other):
        return _cmp.gt(self, other)

    def __ge__(self, other):
        return _cmp.ge(self, other)

    def __iadd__(self, other):
        return _ar.add_(self, other)

    def __isub__(self, other):
        return _ar.sub_(self, other)

    def __imul__(self, other):
        return _ar.mul_(self, other)

    def __itruediv__(self, other):
        return _ar.div_(self, other)

    def __ipow__(self, other):
        return _ar.pow_(self, other)

    def __getitem__(self, index):
        return _ix.getitem(self, index)

    def __setitem__(self, index, value):
        _ix.setitem(self, index, value)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element) -> bool:
        return bool((self == element).any())


class Size(tuple):
    """``tensor.shape``: a tuple of ints, printed as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))


class _Handle:
    """A removable hook handle: ``handle.remove()``."""

    def __init__(self, hooks: list, hook):
        self._hooks = hooks
        self._hook = hook
        hooks.append(hook)

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _make(arr: np.ndarray, cls=Tensor) -> Tensor:
    """Wrap an ndarray as a fresh leaf tensor without copying (the hot path of every op)."""
    t = _new(cls)
    t._data = arr
    t._rg = False
    t.grad_fn = None
    t._vc = [0]
    return t


_new = object.__new__


def _arr(x):
    return x._data if isinstance(x, Tensor) else x


# Imported last: the ops build Tensors, so they need this module complete first.
from . import creation as _creation  # noqa: E402
from .ops import arithmetic as _ar  # noqa: E402
from .ops import comparison as _cmp  # noqa: E402
from .ops import elementwise as _ew  # noqa: E402
from .ops import indexing as _ix  # noqa: E402
from .ops import linalg as _la  # noqa: E402

_function._TENSOR_TYPES.add(Tensor)
_function._make = _make
_function._Tensor = Tensor
bind_ops()
del grad_mode


# The functional spellings of a few Tensor methods (torch.equal(a, b), torch.numel(x), ...).
def is_floating_point(x: Tensor) -> bool:
    return x.is_floating_point()


def numel(x: Tensor) -> int:
    return x.numel()


def equal(a: Tensor, b: Tensor) -> bool:
    return a.equal(b)


def allclose(a: Tensor, b: Tensor, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return a.allclose(b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def isclose(a: Tensor, b: Tensor, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    return a.isclose(b, rtol=rtol, atol=atol, equal_nan=equal_nan)
