"""RAdam: Adam whose adaptive step is switched on only once the variance of the adaptive rate
is tractable, and then rectified (Liu et al., 2019); before that it is SGD with momentum."""

from __future__ import annotations

import numpy as np

from .adam import moments
from .optimizer import (
    Optimizer,
    _arrays,
    _blocks,
    _check,
    _check_betas,
    _check_differentiable,
    _check_lr,
    _decayed_grad,
    _next_step,
    _scalar,
    _scalar_tensor,
    _zeros,
)

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    """Rectified Adam.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the moment averages (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty, or decoupled decay with ``decoupled_weight_decay`` (default 0).
        maximize: ascend the objective instead of descending it.
    """

    _sparse_grad_error = "RAdam does not support sparse gradients"

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _check_lr(lr)
        _check("epsilon value", eps)
        _check_betas(betas)
        _check("weight_decay value", weight_decay)
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            beta1, beta2 = group["betas"]
            radam(
                params,
                grads,
                _arrays(states, "exp_avg"),
                _arrays(states, "exp_avg_sq"),
                _arrays(states, "step"),
                beta1=beta1,
                beta2=beta2,
                lr=_scalar(group["lr"]),
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def radam(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    steps,
    *,
    beta1,
    beta2,
    lr,
    weight_decay,
    eps,
    decoupled_weight_decay,
    maximize,
) -> None:
    """RAdam on arrays, in place.

    t += 1;  g = -grad if maximize else grad;  weight decay as in Adam / AdamW
    m = m + (1 - beta1)(g - m);  v = beta2 v + (1 - beta2) g^2;  m_hat = m / (1 - beta1^t)
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                p -= lr m_hat sqrt(1 - beta2^t) / (sqrt(v) + eps) r
    otherwise:  p -= lr m_hat
    """
    decoupled = decoupled_weight_decay
    rho_inf = 2 / (1 - beta2) - 1
    for i, p in enumerate(params):
        t = _next_step(steps[i])
        bc1, bc2 = 1 - beta1**t, 1 - beta2**t
        rho_t = rho_inf - 2 * t * (beta2**t) / bc2
        rectified = rho_t > 5.0
        if rectified:
            rect = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            bc2_sqrt, rect_sqrt = bc2**0.5, rect**0.5
        for pb, gb, m, v in _blocks(p, grads[i], exp_avgs[i], exp_avg_sqs[i]):
            g = _decayed_grad(gb, pb, lr, weight_decay, decoupled, maximize)
            tmp = moments(g, m, v, beta1, beta2)
            update = np.divide(m, bc1, out=tmp)
            update *= lr
            if rectified:
                adaptive = np.sqrt(v)
                adaptive += eps
                np.divide(bc2_sqrt, adaptive, out=adaptive)
                update *= adaptive
                update *= rect_sqrt
            pb -= update
