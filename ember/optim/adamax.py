"""Adamax: Adam with the infinity norm in place of the second moment (Kingma & Ba, 2014, §7)."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _arrays,
    _blocks,
    _check,
    _check_betas,
    _check_differentiable,
    _check_lr,
    _effective_grad,
    _next_step,
    _scalar,
    _scalar_tensor,
    _zeros,
)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    """Adamax, a variant of Adam based on the infinity norm.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 2e-3).
        betas: decay rates of the first moment and of the infinity norm (default (0.9, 0.999)).
        eps: added to the norm for numerical stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        maximize: ascend the objective instead of descending it.
    """

    _sparse_grad_error = "Adamax does not support sparse gradients"

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        capturable=False,
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
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(), "exp_avg": _zeros(p), "exp_inf": _zeros(p)}

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            beta1, beta2 = group["betas"]
            adamax(
                params,
                grads,
                _arrays(states, "exp_avg"),
                _arrays(states, "exp_inf"),
                _arrays(states, "step"),
                eps=group["eps"],
                beta1=beta1,
                beta2=beta2,
                lr=_scalar(group["lr"]),
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def adamax(
    params, grads, exp_avgs, exp_infs, steps, *, eps, beta1, beta2, lr, weight_decay, maximize
) -> None:
    """Adamax on arrays, in place.

    t += 1;  g = (-grad if maximize else grad) + weight_decay * p
    m = m + (1 - beta1) (g - m)
    u = max(beta2 u, |g| + eps)
    p -= lr / (1 - beta1^t) * m / u
    """
    for i, p in enumerate(params):
        t = _next_step(steps[i])
        step_size = lr / (1 - beta1**t)
        for pb, gb, m, u in _blocks(p, grads[i], exp_avgs[i], exp_infs[i]):
            g = _effective_grad(gb, pb, weight_decay, maximize)
            tmp = np.subtract(g, m)
            tmp *= 1 - beta1
            m += tmp
            u *= beta2
            np.abs(g, out=tmp)
            tmp += eps
            np.maximum(u, tmp, out=u)
            np.divide(m, u, out=tmp)
            tmp *= step_size
            pb -= tmp
