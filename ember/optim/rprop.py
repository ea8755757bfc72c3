"""Rprop (Riedmiller & Braun, 1993): each coordinate moves by its own step size, grown while
the gradient keeps its sign and shrunk when it flips; only the gradient's sign is used."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _arrays,
    _check_differentiable,
    _check_lr,
    _full,
    _scalar,
    _scalar_tensor,
    _zeros,
)

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    """Resilient backpropagation.

    Args:
        params: parameters or parameter groups to optimize.
        lr: initial step size of every coordinate (default 1e-2).
        etas: (shrink, grow) factors of the step size (default (0.5, 1.2)).
        step_sizes: (minimal, maximal) step size (default (1e-6, 50)).
        maximize: ascend the objective instead of descending it.
    """

    _sparse_grad_error = "Rprop does not support sparse gradients"

    def __init__(
        self,
        params,
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {
            "step": _scalar_tensor(),
            "prev": _zeros(p),
            "step_size": _full(p, _scalar(group["lr"])),
        }

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(
                params,
                grads,
                _arrays(states, "prev"),
                _arrays(states, "step_size"),
                _arrays(states, "step"),
                step_size_min=step_size_min,
                step_size_max=step_size_max,
                etaminus=etaminus,
                etaplus=etaplus,
                maximize=group["maximize"],
            )
        return loss


def rprop(
    params,
    grads,
    prevs,
    step_sizes,
    steps,
    *,
    step_size_min,
    step_size_max,
    etaminus,
    etaplus,
    maximize,
) -> None:
    """Rprop on arrays, in place.

    s = sign(g * g_prev)
    step = clip(step * (etaplus if s > 0, etaminus if s < 0, 1 if s == 0), min, max)
    g = 0 where s < 0 (after a sign flip, skip this move and forget the gradient)
    p -= sign(g) * step;  g_prev = g
    """
    for i, p in enumerate(params):
        steps[i] += 1
        g = np.negative(grads[i]) if maximize else np.array(grads[i], copy=True)
        prev, step = prevs[i], step_sizes[i]
        s = np.multiply(g, prev)
        grow, shrink = s > 0, s < 0
        factor = np.ones_like(g)
        factor[grow] = etaplus
        factor[shrink] = etaminus
        step *= factor
        np.clip(step, step_size_min, step_size_max, out=step)
        g[shrink] = 0
        np.sign(g, out=s)
        s *= step
        p -= s
        np.copyto(prev, g)
