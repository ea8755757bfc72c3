"""SparseAdam: Adam restricted to the rows a sparse gradient touches (``nn.Embedding(sparse=
True)``). Moments and parameters of rows absent from the gradient are left alone, so rarely
seen embeddings are not decayed on every step."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _check_betas, _scalar, _zeros

__all__ = ["SparseAdam", "sparse_adam"]


class SparseAdam(Optimizer):
    """Adam for dense parameters with sparse gradients.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the moment averages (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        maximize: ascend the objective instead of descending it.
    """

    # PyTorch keeps SparseAdam's step count as a plain int.
    _tensor_step = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:  # strictly positive here, unlike the other optimizers
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        sparse, complex_ = [], []
        for gi, group in enumerate(self.param_groups):
            for pi, p in enumerate(group["params"]):
                if p.is_sparse:
                    sparse.append([gi, pi])
                if p.is_complex():
                    complex_.append([gi, pi])
        if sparse:
            raise ValueError(
                f"Sparse params at indices {sparse}: SparseAdam requires dense parameter tensors"
            )
        if complex_:
            raise ValueError(
                f"Complex params at indices {complex_}: SparseAdam does not support complex "
                "parameters"
            )

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            params, indices, values, ms, vs, steps = [], [], [], [], [], []
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if not g.is_sparse:
                    raise RuntimeError(
                        "SparseAdam does not support dense gradients, please consider Adam instead"
                    )
                # Coalesced: each row once, since the update is not linear in the gradient.
                g = g.coalesce()
                params.append(p)
                indices.append(g._indices()._data)
                values.append(g._values()._data)
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = 0
                    st["exp_avg"] = _zeros(p)
                    st["exp_avg_sq"] = _zeros(p)
                st["step"] += 1
                ms.append(st["exp_avg"]._data)
                vs.append(st["exp_avg_sq"]._data)
                steps.append(st["step"])
            beta1, beta2 = group["betas"]
            sparse_adam(
                [p._data for p in params],
                indices,
                values,
                ms,
                vs,
                steps,
                eps=group["eps"],
                beta1=beta1,
                beta2=beta2,
                lr=_scalar(group["lr"]),
                maximize=group.get("maximize", False),
            )
            _bump(params)
        return loss


def sparse_adam(
    params, indices, values, exp_avgs, exp_avg_sqs, steps, *, eps, beta1, beta2, lr, maximize
) -> None:
    """SparseAdam on arrays, in place, on the rows ``R = indices`` only (unique, coalesced).

    g = -values if maximize else values
    m[R] += (1 - beta1)(g - m[R]);  v[R] += (1 - beta2)(g^2 - v[R])
    p[R] -= lr sqrt(1 - beta2^t) / (1 - beta1^t) * m[R] / (sqrt(v[R]) + eps)
    """
    for i, p in enumerate(params):
        g = np.negative(values[i]) if maximize else values[i]
        if g.size == 0:
            continue
        rows = tuple(indices[i])  # one index array per sparse dimension
        m, v = exp_avgs[i], exp_avg_sqs[i]
        m_rows = m[rows]
        m_rows += (g - m_rows) * (1 - beta1)
        m[rows] = m_rows
        v_rows = v[rows]
        v_rows += (g * g - v_rows) * (1 - beta2)
        v[rows] = v_rows
        t = steps[i]
        step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        denom = np.sqrt(v_rows)
        denom += eps
        np.divide(m_rows, denom, out=denom)
        denom *= step_size
        p[rows] -= denom
