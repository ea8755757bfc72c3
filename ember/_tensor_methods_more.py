"""Still more op methods of Tensor: order statistics, NaN-ignoring reductions, covariance,
writes along an index, rearranging, and the pointwise math of ops/pointwise_more.py.

Kept apart from _tensor_methods_extra.py for size; ExtraTensorMethods inherits this mixin.
Each method is one explicit line calling the op.
"""

from __future__ import annotations


class MoreTensorMethods:
    __slots__ = ()

    # -- order statistics ------------------------------------------------------------------
    def median(self, dim=None, keepdim=False):
        return _os.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _os.nanmedian(self, dim, keepdim)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _os.kthvalue(self, k, dim, keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _os.mode(self, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _os.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _os.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def aminmax(self, *, dim=None, keepdim=False):
        return _os.aminmax(self, dim=dim, keepdim=keepdim)

    # -- NaN-ignoring reductions and covariance --------------------------------------------
    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _st.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _st.nanmean(self, dim, keepdim, dtype=dtype)

    def cov(self, *, correction=1, fweights=None, aweights=None):
        return _st.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self):
        return _st.corrcoef(self)

    # -- writes along an index -------------------------------------------------------------
    def index_add(self, dim, index, source, *, alpha=1):
        return _iu.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim, index, source, *, alpha=1):
        return _iu.index_add_(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim, index, source):
        return _iu.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        return _iu.index_copy_(self, dim, index, source)

    def index_fill(self, dim, index, value):
        return _iu.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value):
        return _iu.index_fill_(self, dim, index, value)

    def masked_scatter(self, mask, source):
        return _iu.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        return _iu.masked_scatter_(self, mask, source)

    # -- rearranging -----------------------------------------------------------------------
    def rot90(self, k=1, dims=(0, 1)):
        return _re.rot90(self, k, dims)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return _re.repeat_interleave(self, repeats, dim, output_size=output_size)

    # -- pointwise math --------------------------------------------------------------------
    def logaddexp(self, other):
        return _pm.logaddexp(self, other)

    def logaddexp2(self, other):
        return _pm.logaddexp2(self, other)

    def hypot(self, other):
        return _pm.hypot(self, other)

    def hypot_(self, other):
        return _pm.hypot_(self, other)

    def xlogy(self, other):
        return _pm.xlogy(self, other)

    def xlogy_(self, other):
        return _pm.xlogy_(self, other)

    def exp2(self):
        return _pm.exp2(self)

    def exp2_(self):
        return _pm.exp2_(self)

    def frac(self):
        return _pm.frac(self)

    def frac_(self):
        return _pm.frac_(self)

    def sinc(self):
        return _pm.sinc(self)

    def sinc_(self):
        return _pm.sinc_(self)

    def deg2rad(self):
        return _pm.deg2rad(self)

    def deg2rad_(self):
        return _pm.deg2rad_(self)

    def rad2deg(self):
        return _pm.rad2deg(self)

    def rad2deg_(self):
        return _pm.rad2deg_(self)

    def heaviside(self, values):
        return _pm.heaviside(self, values)

    def heaviside_(self, values):
        return _pm.heaviside_(self, values)


def bind_ops() -> None:
    """Import the op modules; called from _tensor_methods_extra.bind_ops once Tensor exists."""
    global _iu, _os, _pm, _re, _st
    from .ops import index_update as _iu
    from .ops import order_stats as _os
    from .ops import pointwise_more as _pm
    from .ops import rearrange as _re
    from .ops import statistics as _st
