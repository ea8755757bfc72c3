"""Named tuples returned by ops with several results (``torch.return_types``).

``x.max(1)`` gives ``torch.return_types.max(values=..., indices=...)``: a tuple that unpacks as
``values, indices = x.max(1)`` and also reads as ``.values`` / ``.indices``.
"""

from __future__ import annotations

from collections import namedtuple


def _structseq(name: str, fields: tuple = ("values", "indices")) -> type:
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})
    return cls


max = _structseq("max")
min = _structseq("min")
sort = _structseq("sort")
topk = _structseq("topk")
cummax = _structseq("cummax")
cummin = _structseq("cummin")
median = _structseq("median")
nanmedian = _structseq("nanmedian")
kthvalue = _structseq("kthvalue")
mode = _structseq("mode")
aminmax = _structseq("aminmax", ("min", "max"))
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
linalg_slogdet = _structseq("linalg_slogdet", ("sign", "logabsdet"))
svd = _structseq("svd", ("U", "S", "V"))
linalg_svd = _structseq("linalg_svd", ("U", "S", "Vh"))
qr = _structseq("qr", ("Q", "R"))
linalg_qr = _structseq("linalg_qr", ("Q", "R"))
linalg_eigh = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_lstsq = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_inv_ex = _structseq("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _structseq("linalg_cholesky_ex", ("L", "info"))
linalg_solve_ex = _structseq("linalg_solve_ex", ("result", "info"))

__all__ = [
    "aminmax",
    "kthvalue",
    "median",
    "mode",
    "nanmedian",
    "cummax",
    "cummin",
    "linalg_cholesky_ex",
    "linalg_eigh",
    "linalg_inv_ex",
    "linalg_lstsq",
    "linalg_qr",
    "linalg_slogdet",
    "linalg_solve_ex",
    "linalg_svd",
    "max",
    "min",
    "qr",
    "slogdet",
    "sort",
    "svd",
    "topk",
]
