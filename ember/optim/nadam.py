"""NAdam: Adam with Nesterov momentum (Dozat, 2016), the momentum coefficient warming up as
mu_t = beta1 (1 - 0.5 * 0.96^(t psi))."""

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

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    """NAdam.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 2e-3).
        betas: decay rates of the moment averages (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty, or decoupled decay with ``decoupled_weight_decay`` (default 0).
        momentum_decay: psi, the warm-up rate of the momentum (default 4e-3).
        maximize: ascend the objective instead of descending it.
    """

    _sparse_grad_error = "NAdam does not support sparse gradients"

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
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
        _check("momentum_decay value", momentum_decay)
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {
            "step": _scalar_tensor(),
            "mu_product": _scalar_tensor(1.0),
            "exp_avg": _zeros(p),
            "exp_avg_sq": _zeros(p),
        }

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            beta1, beta2 = group["betas"]
            nadam(
                params,
                grads,
                _arrays(states, "exp_avg"),
                _arrays(states, "exp_avg_sq"),
                _arrays(states, "mu_product"),
                _arrays(states, "step"),
                beta1=beta1,
                beta2=beta2,
                lr=_scalar(group["lr"]),
                weight_decay=group["weight_decay"],
                momentum_decay=group["momentum_decay"],
                eps=group["eps"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def nadam(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    mu_products,
    steps,
    *,
    beta1,
    beta2,
    lr,
    weight_decay,
    momentum_decay,
    eps,
    decoupled_weight_decay,
    maximize,
) -> None:
    """NAdam on arrays, in place (``mu_products``, ``steps``: 0-d float32 arrays).

    t += 1;  g = -grad if maximize else grad;  weight decay as in Adam / AdamW
    mu_t = beta1 (1 - 0.5 * 0.96^(t psi));   M_t = M_{t-1} mu_t  (kept in float32)
    m = m + (1 - beta1)(g - m);  v = beta2 v + (1 - beta2) g^2
    d = sqrt(v / (1 - beta2^t)) + eps
    p -= lr (1 - mu_t) / (1 - M_t) * g / d + lr mu_{t+1} / (1 - M_t mu_{t+1}) * m / d
    """
    decoupled = decoupled_weight_decay
    for i, p in enumerate(params):
        t = _next_step(steps[i])
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
        mu_products[i] *= mu
        mu_product = float(mu_products[i])
        bias2 = 1 - beta2**t
        grad_scale = lr * (1.0 - mu) / (1.0 - mu_product)
        avg_scale = lr * mu_next / (1.0 - mu_product * mu_next)
        for pb, gb, m, v in _blocks(p, grads[i], exp_avgs[i], exp_avg_sqs[i]):
            g = _decayed_grad(gb, pb, lr, weight_decay, decoupled, maximize)
            tmp = moments(g, m, v, beta1, beta2)
            denom = np.divide(v, bias2)
            np.sqrt(denom, out=denom)
            denom += eps
            np.divide(g, denom, out=tmp)
            tmp *= grad_scale
            pb -= tmp
            np.divide(m, denom, out=tmp)
            tmp *= avg_scale
            pb -= tmp
