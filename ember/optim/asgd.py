"""Averaged SGD (Polyak & Juditsky, 1992): SGD with a decaying step size that also keeps a
running average ``ax`` of the iterates, which is the estimate to use once averaging starts."""

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

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """Averaged stochastic gradient descent.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        lambd: decay term (default 1e-4).
        alpha: power of the step-size decay (default 0.75).
        t0: step at which averaging starts (default 1e6).
        weight_decay: L2 penalty (default 0).
        maximize: ascend the objective instead of descending it.
    """

    _sparse_grad_error = "ASGD does not support sparse gradients"

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd=1e-4,
        alpha=0.75,
        t0=1e6,
        weight_decay=0,
        foreach=None,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _check_lr(lr)
        _check("weight_decay value", weight_decay)
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {
            "step": _scalar_tensor(),
            "eta": _scalar_tensor(_scalar(group["lr"])),
            "mu": _scalar_tensor(1.0),
            "ax": _zeros(p),
        }

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            asgd(
                params,
                grads,
                _arrays(states, "ax"),
                _arrays(states, "mu"),
                _arrays(states, "eta"),
                _arrays(states, "step"),
                lambd=group["lambd"],
                lr=_scalar(group["lr"]),
                t0=group["t0"],
                alpha=group["alpha"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def asgd(
    params, grads, axs, mus, etas, steps, *, lambd, lr, t0, alpha, weight_decay, maximize
) -> None:
    """ASGD on arrays, in place (``mus``, ``etas``, ``steps``: 0-d float32 arrays).

    t += 1;  g = (-grad if maximize else grad) + weight_decay * p
    p = p (1 - lambd eta) - eta g
    ax = p if mu == 1 else ax + mu (p - ax)
    eta = lr / (1 + lambd lr t)^alpha;   mu = 1 / max(1, t - t0)
    """
    for i, p in enumerate(params):
        t = _next_step(steps[i])
        # eta and mu are kept in float32 (as PyTorch keeps them), then used at that precision.
        eta = float(etas[i])
        mu = float(mus[i])
        shrink = 1 - lambd * eta
        for pb, gb, ax in _blocks(p, grads[i], axs[i]):
            g = _effective_grad(gb, pb, weight_decay, maximize)
            pb *= shrink
            tmp = np.multiply(g, eta)
            pb -= tmp
            if mu != 1:
                np.subtract(pb, ax, out=tmp)
                tmp *= mu
                ax += tmp
            else:
                np.copyto(ax, pb)
        etas[i][...] = lr / ((1 + lambd * lr * t) ** alpha)
        mus[i][...] = 1 / max(1, t - t0)
