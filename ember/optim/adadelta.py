"""Adadelta: steps sized by the ratio of running RMS of past updates and of gradients (Zeiler,
2012), so the units of the update match the parameter's."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _arrays,
    _blocks,
    _check,
    _check_differentiable,
    _check_lr,
    _effective_grad,
    _next_step,
    _scalar,
    _scalar_tensor,
    _zeros,
)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    """Adadelta.

    Args:
        params: parameters or parameter groups to optimize.
        lr: coefficient that scales the delta before it is applied (default 1.0).
        rho: decay rate of the running averages (default 0.9).
        eps: added inside the square roots for numerical stability (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: ascend the objective instead of descending it.
    """

    _sparse_grad_error = "Adadelta does not support sparse gradients"

    def __init__(
        self,
        params,
        lr=1.0,
        rho=0.9,
        eps=1e-6,
        weight_decay=0,
        foreach=None,
        *,
        capturable=False,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        _check("rho value", rho, high=1.0)
        _check("epsilon value", eps)
        _check("weight_decay value", weight_decay)
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": _scalar_tensor(), "square_avg": _zeros(p), "acc_delta": _zeros(p)}

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            adadelta(
                params,
                grads,
                _arrays(states, "square_avg"),
                _arrays(states, "acc_delta"),
                _arrays(states, "step"),
                lr=_scalar(group["lr"]),
                rho=group["rho"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def adadelta(
    params, grads, square_avgs, acc_deltas, steps, *, lr, rho, eps, weight_decay, maximize
) -> None:
    """Adadelta on arrays, in place.

    g = (-grad if maximize else grad) + weight_decay * p
    v = rho v + (1 - rho) g^2
    delta = sqrt(u + eps) / sqrt(v + eps) * g
    u = rho u + (1 - rho) delta^2
    p -= lr * delta
    """
    for i, p in enumerate(params):
        _next_step(steps[i])
        for pb, gb, v, u in _blocks(p, grads[i], square_avgs[i], acc_deltas[i]):
            g = _effective_grad(gb, pb, weight_decay, maximize)
            v *= rho
            tmp = np.multiply(g, g)
            tmp *= 1 - rho
            v += tmp
            std = np.add(v, eps)
            np.sqrt(std, out=std)
            delta = np.add(u, eps, out=tmp)
            np.sqrt(delta, out=delta)
            delta /= std
            delta *= g
            u *= rho
            np.multiply(delta, delta, out=std)
            std *= 1 - rho
            u += std
            delta *= lr
            pb -= delta
