"""More op methods of Tensor: diagonals and triangles, running reductions, counting, the
less common pointwise math, composite products, linear algebra, and ``apply_``/``map_``.

Kept apart from _tensor_methods.py for size; TensorMethods inherits this mixin. Each method
is one explicit line calling the op.
"""

from __future__ import annotations

import numpy as np

from . import _tensor_methods_more


class ExtraTensorMethods(_tensor_methods_more.MoreTensorMethods):
    __slots__ = ()

    # -- diagonals and triangles -----------------------------------------------------------
    def diag(self, diagonal=0):
        return _dg.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _dg.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _dg.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset=0):
        return _dg.diagflat(self, offset)

    def triu(self, diagonal=0):
        return _dg.triu(self, diagonal)

    def tril(self, diagonal=0):
        return _dg.tril(self, diagonal)

    def triu_(self, diagonal=0):
        return _dg.triu_(self, diagonal)

    def tril_(self, diagonal=0):
        return _dg.tril_(self, diagonal)

    def fill_diagonal_(self, fill_value, wrap=False):
        return _dg.fill_diagonal_(self, fill_value, wrap)

    # -- running reductions ----------------------------------------------------------------
    def cumprod(self, dim, *, dtype=None):
        return _cum.cumprod(self, dim, dtype=dtype)

    def cumprod_(self, dim, *, dtype=None):
        return _cum.cumprod_(self, dim, dtype=dtype)

    def cumsum_(self, dim, *, dtype=None):
        return _cum.cumsum_(self, dim, dtype=dtype)

    def cummax(self, dim):
        return _cum.cummax(self, dim)

    def cummin(self, dim):
        return _cum.cummin(self, dim)

    def logcumsumexp(self, dim):
        return _cum.logcumsumexp(self, dim)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return _cum.diff(self, n, dim, prepend, append)

    # -- counting and indexing -------------------------------------------------------------
    def bincount(self, weights=None, minlength=0):
        return _cnt.bincount(self, weights, minlength)

    def histc(self, bins=100, min=0, max=0):
        return _cnt.histc(self, bins, min, max)

    def count_nonzero(self, dim=None):
        return _cnt.count_nonzero(self, dim)

    def argwhere(self):
        return _cnt.argwhere(self)

    def take(self, index):
        return _ix.take(self, index)

    # -- pointwise math --------------------------------------------------------------------
    def erf(self):
        return _pw.erf(self)

    def erfc(self):
        return _pw.erfc(self)

    def erfinv(self):
        return _pw.erfinv(self)

    def erf_(self):
        return _pw.erf_(self)

    def erfinv_(self):
        return _pw.erfinv_(self)

    def asin(self):
        return _pw.asin(self)

    def acos(self):
        return _pw.acos(self)

    def atan(self):
        return _pw.atan(self)

    def atan_(self):
        return _pw.atan_(self)

    def sinh(self):
        return _pw.sinh(self)

    def cosh(self):
        return _pw.cosh(self)

    def asinh(self):
        return _pw.asinh(self)

    def acosh(self):
        return _pw.acosh(self)

    def atanh(self):
        return _pw.atanh(self)

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def atan2(self, other):
        return _pw.atan2(self, other)

    arctan2 = atan2

    def lerp(self, end, weight):
        return _pw.lerp(self, end, weight)

    def lerp_(self, end, weight):
        return _pw.lerp_(self, end, weight)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _pw.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return _pw.nan_to_num_(self, nan, posinf, neginf)

    # -- composite products ----------------------------------------------------------------
    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _prod.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return _inplace(self, _prod.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _prod.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return _inplace(self, _prod.addmv, mat, vec, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _prod.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return _inplace(self, _prod.addbmm, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _prod.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return _inplace(self, _prod.baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return _prod.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        return _inplace(self, _prod.addr, vec1, vec2, beta=beta, alpha=alpha)

    def kron(self, other):
        return _prod.kron(self, other)

    def cross(self, other, dim=None):
        return _prod.cross(self, other, dim)

    # -- linear algebra --------------------------------------------------------------------
    def inverse(self):
        return _las.inv(self)

    def det(self):
        return _las.det(self)

    def logdet(self):
        return _las.logdet(self)

    def slogdet(self):
        return _las._legacy_slogdet(self)

    def cholesky(self, upper=False):
        return _las._legacy_cholesky(self, upper)

    def matrix_power(self, n):
        return _las.matrix_power(self, n)

    def pinverse(self, rcond=1e-15):
        return _lad.pinverse(self, rcond)

    def qr(self, some=True):
        return _lad._legacy_qr(self, some)

    def svd(self, some=True, compute_uv=True):
        return _lad._legacy_svd(self, some, compute_uv)

    def dist(self, other, p=2):
        return _lan.dist(self, other, p)

    # -- Python functions element by element -----------------------------------------------
    def apply_(self, callable):
        """Replace each element by ``callable(element)`` (a Python number in and out); slow,
        for tensors that do not require grad."""
        return _map(self, "apply_", lambda it: [callable(v) for v in it])

    def map_(self, tensor, callable):
        """Replace each element by ``callable(element, other)``, ``tensor`` broadcast to
        self's shape."""
        other = np.broadcast_to(tensor._data, self._data.shape).ravel().tolist()
        return _map(self, "map_", lambda it: [callable(v, w) for v, w in zip(it, other)])


def _map(self, name: str, fn):
    if self._rg:
        raise RuntimeError(
            f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
            "instead."
        )
    values = fn(self._data.ravel().tolist())
    for v in values:
        if not isinstance(v, (int, float, bool, np.number, np.bool_)):
            raise TypeError(f"must be real number, not {type(v).__name__}")
    from .ops._util import write

    out = np.asarray(values, dtype=np.float64 if self._data.dtype.kind == "f" else None)
    write(self, out.astype(self._data.dtype).reshape(self._data.shape))
    return self


def bind_ops() -> None:
    """Import the op modules; called from _tensor_methods.bind_ops once Tensor exists."""
    global _cnt, _cum, _dg, _inplace, _ix, _lad, _lan, _las, _prod, _pw
    from .ops import counting as _cnt
    from .ops import cumulative as _cum
    from .ops import diagonal as _dg
    from .ops import indexing as _ix
    from .ops import linalg_decomp as _lad
    from .ops import linalg_norms as _lan
    from .ops import linalg_solve as _las
    from .ops import pointwise as _pw
    from .ops import products as _prod
    from .ops._util import inplace as _inplace

    _tensor_methods_more.bind_ops()
