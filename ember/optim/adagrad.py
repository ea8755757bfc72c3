"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients (Duchi et
al., 2011)."""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    _arrays,
    _blocks,
    _check,
    _check_differentiable,
    _check_fused,
    _check_lr,
    _effective_grad,
    _full,
    _next_step,
    _scalar,
    _scalar_tensor,
)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """Adagrad. Works with sparse gradients too (same update, densified).

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        lr_decay: the step size is ``lr / (1 + (t - 1) * lr_decay)`` (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of the sums of squares (default 0).
        eps: added to the denominator for numerical stability (default 1e-10).
        maximize: ascend the objective instead of descending it.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        fused=None,
    ):
        _check_lr(lr)
        _check("lr_decay value", lr_decay)
        _check("weight_decay value", weight_decay)
        _check("initial_accumulator_value value", initial_accumulator_value)
        _check("epsilon value", eps)
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        # NOTE: unlike the other optimizers, Adagrad's state exists from the start (PyTorch's
        # layout: a state_dict taken before the first step already lists every parameter).
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._init_state(p, group))

    def _init_state(self, p, group):
        # The constructor's initial_accumulator_value, not the group's (as in PyTorch).
        return {
            "step": _scalar_tensor(),
            "sum": _full(p, self.defaults["initial_accumulator_value"]),
        }

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            wd = group["weight_decay"]
            if wd != 0 and any(p._grad is not None and p._grad.is_sparse for p in group["params"]):
                raise RuntimeError("weight_decay option is not compatible with sparse gradients")
            adagrad(
                params,
                grads,
                _arrays(states, "sum"),
                _arrays(states, "step"),
                lr=_scalar(group["lr"]),
                weight_decay=wd,
                lr_decay=group["lr_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
            )
        return loss

    def share_memory(self) -> None:
        """Accepted for compatibility: ember runs in one process's memory."""


def adagrad(params, grads, state_sums, steps, *, lr, weight_decay, lr_decay, eps, maximize) -> None:
    """Adagrad on arrays, in place.

    t += 1;  g = (-grad if maximize else grad) + weight_decay * p
    s += g^2
    p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)

    A sparse gradient densified gives the same result: rows without gradient add 0 to ``s``
    and move by 0.
    """
    for i, p in enumerate(params):
        t = _next_step(steps[i])
        clr = lr / (1 + (t - 1) * lr_decay)
        for pb, gb, s in _blocks(p, grads[i], state_sums[i]):
            g = _effective_grad(gb, pb, weight_decay, maximize)
            tmp = np.multiply(g, g)
            s += tmp
            np.sqrt(s, out=tmp)
            tmp += eps
            np.divide(g, tmp, out=tmp)
            tmp *= clr
            pb -= tmp
