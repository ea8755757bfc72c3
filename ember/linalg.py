"""``ember.linalg``: PyTorch's ``torch.linalg`` (norms, inverses, solves, decompositions).

Re-exports only; the ops live in ember/ops (linalg_solve.py, linalg_decomp.py,
linalg_norms.py, products.py). Real dtypes only: what needs complex numbers (``eig``,
``eigvals``) raises NotImplementedError, and what ember lacks (``lu``, ``ldl_factor``,
``matrix_exp``, ``householder_product``, ``tensorinv``, ``tensorsolve``) is missing by name.
"""

from __future__ import annotations

from .ops.linalg import matmul
from .ops.linalg_decomp import (
    cond,
    eigh,
    eigvalsh,
    lstsq,
    matrix_rank,
    pinv,
    qr,
    svd,
    svdvals,
)
from .ops.linalg_norms import (
    linalg_diagonal as diagonal,
)
from .ops.linalg_norms import matrix_norm, multi_dot, norm, vander, vecdot, vector_norm
from .ops.linalg_solve import (
    LinAlgError,
    cholesky,
    cholesky_ex,
    det,
    inv,
    inv_ex,
    matrix_power,
    slogdet,
    solve,
    solve_ex,
    solve_triangular,
)
from .ops.products import linalg_cross as cross


def _complex(name: str):
    def fn(*args, **kwargs):
        raise NotImplementedError(
            f"torch.linalg.{name} is not provided by ember: its results are complex, and ember "
            "computes in real dtypes only (for a symmetric matrix, use torch.linalg.eigh or "
            "eigvalsh)"
        )

    fn.__name__ = name
    return fn


eig = _complex("eig")
eigvals = _complex("eigvals")

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "inv_ex",
    "lstsq",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "vander",
    "vecdot",
    "vector_norm",
]
