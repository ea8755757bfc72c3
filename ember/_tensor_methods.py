"""The op methods of Tensor (``x.sum()``, ``x.view(...)``, ``x.add_(y)`` ...).

Each is one explicit line calling the op; kept apart from tensor.py so that file holds the
Tensor's state and protocol only. Tensor inherits this mixin.
"""

from __future__ import annotations

import numpy as np

from . import _tensor_methods_extra, dtypes
from . import device as _device


class TensorMethods(_tensor_methods_extra.ExtraTensorMethods):
    __slots__ = ()

    # -- conversion ----------------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """Convert dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(other)``."""
        dtype = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, TensorMethods):
                dtype = a.dtype
            elif isinstance(a, dtypes.dtype) or a in (float, int, bool):
                dtype = a
            elif isinstance(a, (str, _device.device)):
                dev = a
            elif isinstance(a, bool):
                pass
            else:
                raise TypeError(f"to() received an invalid argument {a!r}")
        _device.check(dev)
        if dtype is None or dtypes.to_dtype(dtype).np == self._data.dtype:
            return self.clone() if copy else self
        return _conv.to_dtype(self, dtypes.to_dtype(dtype))

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        _device.check("cuda")
        return self

    def type(self, dtype=None):
        if dtype is None:
            return dtypes.legacy_type_name(self.dtype)
        if isinstance(dtype, str) and dtype in dtypes.LEGACY_NAMES:
            dtype = dtypes.LEGACY_NAMES[dtype]
        return self.to(dtypes.to_dtype(dtype))

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def short(self):
        return self.to(dtypes.int16)

    def char(self):
        return self.to(dtypes.int8)

    def byte(self):
        return self.to(dtypes.uint8)

    def bool(self):
        return self.to(dtypes.bool)

    def clone(self, memory_format=None):
        return _conv.clone(self)

    def contiguous(self, memory_format=None):
        return self if self._data.flags.c_contiguous else _conv.clone(self)

    def share_memory_(self):
        return self

    def pin_memory(self):
        return self

    def is_pinned(self) -> bool:
        return False

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return _creation.tensor(
            data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.zeros(
            *size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.ones(
            *size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return _creation.full(
            size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.empty(
            *size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    # -- elementwise ---------------------------------------------------------------------------
    def add(self, other, *, alpha=1):
        return _ar.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return _ar.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return _ar.mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return _ar.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def floor_divide(self, other):
        return _ar.floor_divide(self, other)

    def remainder(self, other):
        return _ar.remainder(self, other)

    def fmod(self, other):
        return _ar.fmod(self, other)

    def pow(self, exponent):
        return _ar.pow(self, exponent)

    def square(self):
        return _ar.square(self)

    def neg(self):
        return _ar.neg(self)

    negative = neg

    def exp(self):
        return _ew.exp(self)

    def log(self):
        return _ew.log(self)

    def log2(self):
        return _ew.log2(self)

    def log10(self):
        return _ew.log10(self)

    def log1p(self):
        return _ew.log1p(self)

    def expm1(self):
        return _ew.expm1(self)

    def sqrt(self):
        return _ew.sqrt(self)

    def rsqrt(self):
        return _ew.rsqrt(self)

    def reciprocal(self):
        return _ew.reciprocal(self)

    def abs(self):
        return _ew.abs(self)

    absolute = abs

    def sign(self):
        return _ew.sign(self)

    def sin(self):
        return _ew.sin(self)

    def cos(self):
        return _ew.cos(self)

    def tan(self):
        return _ew.tan(self)

    def tanh(self):
        return _ew.tanh(self)

    def sigmoid(self):
        return _ew.sigmoid(self)

    def relu(self):
        return _ew.relu(self)

    def clamp(self, min=None, max=None):
        return _ew.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return _ew.clamp(self, min=min)

    def clamp_max(self, max):
        return _ew.clamp(self, max=max)

    def maximum(self, other):
        return _ew.maximum(self, other)

    def minimum(self, other):
        return _ew.minimum(self, other)

    def where(self, condition, other):
        return _ew.where(condition, self, other)

    def floor(self):
        return _ew.floor(self)

    def ceil(self):
        return _ew.ceil(self)

    def round(self, *, decimals=0):
        return _ew.round(self, decimals=decimals)

    def trunc(self):
        return _ew.trunc(self)

    def eq(self, other):
        return _cmp.eq(self, other)

    def ne(self, other):
        return _cmp.ne(self, other)

    def lt(self, other):
        return _cmp.lt(self, other)

    def le(self, other):
        return _cmp.le(self, other)

    def gt(self, other):
        return _cmp.gt(self, other)

    def ge(self, other):
        return _cmp.ge(self, other)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def logical_and(self, other):
        return _cmp.logical_and(self, other)

    def logical_or(self, other):
        return _cmp.logical_or(self, other)

    def logical_xor(self, other):
        return _cmp.logical_xor(self, other)

    def logical_not(self):
        return _cmp.logical_not(self)

    def isnan(self):
        return _cmp.isnan(self)

    def isinf(self):
        return _cmp.isinf(self)

    def isfinite(self):
        return _cmp.isfinite(self)

    # -- in-place ------------------------------------------------------------------------------
    def add_(self, other, *, alpha=1):
        return _ar.add_(self, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return _ar.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return _ar.mul_(self, other)

    def div_(self, other, *, rounding_mode=None):
        return _ar.div_(self, other, rounding_mode=rounding_mode)

    def pow_(self, exponent):
        return _ar.pow_(self, exponent)

    def neg_(self):
        return _ew.neg_(self)

    def exp_(self):
        return _ew.exp_(self)

    def log_(self):
        return _ew.log_(self)

    def sqrt_(self):
        return _ew.sqrt_(self)

    def abs_(self):
        return _ew.abs_(self)

    def sigmoid_(self):
        return _ew.sigmoid_(self)

    def tanh_(self):
        return _ew.tanh_(self)

    def relu_(self):
        return _ew.relu_(self)

    def clamp_(self, min=None, max=None):
        return _ew.clamp_(self, min, max)

    clip_ = clamp_

    def floor_(self):
        return _ew.floor_(self)

    def ceil_(self):
        return _ew.ceil_(self)

    def round_(self):
        return _ew.round_(self)

    def sign_(self):
        return _ew.sign_(self)

    def zero_(self):
        return _init.zero_(self)

    def fill_(self, value):
        return _init.fill_(self, value)

    def copy_(self, src, non_blocking=False):
        return _init.copy_(self, src)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return _init.uniform_(self, a, b, generator=generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return _init.normal_(self, mean, std, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return _init.bernoulli_(self, p, generator=generator)

    def random_(self, low=0, high=None, *, generator=None):
        return _init.random_(self, low, high, generator=generator)

    def masked_fill_(self, mask, value):
        return _ix.masked_fill_(self, mask, value)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return _ix.scatter_(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add_(self, dim, index, src):
        return _ix.scatter_add_(self, dim, index, src)

    def index_put_(self, indices, values, accumulate=False):
        return _ix.index_put_(self, indices, values, accumulate)

    # -- reductions ----------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return _red.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return _red.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim=False):
        return _red.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _red.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return _red.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return _red.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _red.argmin(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _stat.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _stat.std(self, dim, unbiased, keepdim, correction=correction)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _stat.norm(self, p, dim, keepdim, dtype=dtype)

    def logsumexp(self, dim, keepdim=False):
        return _sm.logsumexp(self, dim, keepdim)

    def softmax(self, dim, dtype=None):
        return _sm.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _sm.log_softmax(self, dim, dtype=dtype)

    def cumsum(self, dim, *, dtype=None):
        return _red.cumsum(self, dim, dtype=dtype)

    def all(self, dim=None, keepdim=False):
        return _red.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _red.any(self, dim, keepdim)

    def sum_to_size(self, *size):
        return _red.sum_to_size(self, *size)

    # -- linear algebra ------------------------------------------------------------------------
    def mm(self, mat2):
        return _la.mm(self, mat2)

    def matmul(self, other):
        return _la.matmul(self, other)

    def bmm(self, mat2):
        return _la.bmm(self, mat2)

    def dot(self, other):
        return _la.dot(self, other)

    def outer(self, vec2):
        return _la.outer(self, vec2)

    def mv(self, vec):
        return _la.mv(self, vec)

    def trace(self):
        return _la.trace(self)

    # -- shape ---------------------------------------------------------------------------------
    def view(self, *shape):
        return _mv.view(self, *shape)

    def view_as(self, other):
        return _mv.view_as(self, other)

    def reshape(self, *shape):
        return _mv.reshape(self, *shape)

    def reshape_as(self, other):
        return _mv.reshape_as(self, other)

    def flatten(self, start_dim=0, end_dim=-1):
        return _mv.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _mv.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return _mv.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _mv.unsqueeze(self, dim)

    def permute(self, *dims):
        return _mv.permute(self, *dims)

    def transpose(self, dim0, dim1):
        return _mv.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self):
        return _mv.t(self)

    def expand(self, *sizes):
        return _mv.expand(self, *sizes)

    def expand_as(self, other):
        return _mv.expand_as(self, other)

    def broadcast_to(self, shape):
        return _mv.broadcast_to(self, shape)

    def repeat(self, *sizes):
        return _mv.repeat(self, *sizes)

    def split(self, split_size, dim=0):
        return _mv.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return _mv.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _mv.unbind(self, dim)

    def narrow(self, dim, start, length):
        return _mv.narrow(self, dim, start, length)

    def movedim(self, source, destination):
        return _mv.movedim(self, source, destination)

    def flip(self, *dims):
        return _mv.flip(self, *dims)

    def fliplr(self):
        return _mv.fliplr(self)

    def flipud(self):
        return _mv.flipud(self)

    def tile(self, *dims):
        return _mv.tile(self, *dims)

    def roll(self, shifts, dims=None):
        return _mv.roll(self, shifts, dims)

    # -- indexing ------------------------------------------------------------------------------
    def gather(self, dim, index):
        return _ix.gather(self, dim, index)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return _ix.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        return _ix.scatter_add(self, dim, index, src)

    def index_select(self, dim, index):
        return _ix.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return _ix.masked_fill(self, mask, value)

    def masked_select(self, mask):
        return _ix.masked_select(self, mask)

    def nonzero(self, *, as_tuple=False):
        return _ix.nonzero(self, as_tuple=as_tuple)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _srt.topk(self, k, dim, largest, sorted)

    def sort(self, dim=-1, descending=False, stable=False):
        return _srt.sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _srt.argsort(self, dim, descending, stable=stable)

    def msort(self):
        return _srt.msort(self)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _srt.unique(self, sorted, return_inverse, return_counts, dim)

    def _np(self) -> np.ndarray:
        return self._data


def bind_ops() -> None:
    """Import the op modules; called by ember.tensor once Tensor exists (the ops need it)."""
    global _ar, _cmp, _conv, _creation, _ew, _ix, _init, _la, _mv, _red, _sm, _srt, _stat
    from . import creation as _creation
    from .ops import arithmetic as _ar
    from .ops import comparison as _cmp
    from .ops import conversion as _conv
    from .ops import elementwise as _ew
    from .ops import fill as _init
    from .ops import indexing as _ix
    from .ops import linalg as _la
    from .ops import movement as _mv
    from .ops import reduction as _red
    from .ops import softmax as _sm
    from .ops import sorting as _srt
    from .ops import statistics as _stat

    _tensor_methods_extra.bind_ops()
