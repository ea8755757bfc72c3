"""RMSprop (Hinton, lecture 6e): steps divided by a running RMS of the gradient; optionally
centered (divides by an estimate of the gradient's standard deviation) and with momentum."""

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

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """RMSprop.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the running averages (default 0.99).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: normalize by the estimated variance of the gradient (default False).
        maximize: ascend the objective instead of descending it.
    """

    _sparse_grad_error = "RMSprop does not support sparse gradients"

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        _check("epsilon value", eps)
        _check("momentum value", momentum)
        _check("weight_decay value", weight_decay)
        _check("alpha value", alpha)
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        st = {"step": _scalar_tensor(), "square_avg": _zeros(p)}
        if group["momentum"] > 0:
            st["momentum_buffer"] = _zeros(p)
        if group["centered"]:
            st["grad_avg"] = _zeros(p)
        return st

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            momentum, centered = group["momentum"], group["centered"]
            rmsprop(
                params,
                grads,
                _arrays(states, "square_avg"),
                _arrays(states, "grad_avg") if centered else [],
                _arrays(states, "momentum_buffer") if momentum > 0 else [],
                _arrays(states, "step"),
                lr=_scalar(group["lr"]),
                alpha=group["alpha"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                momentum=momentum,
                centered=centered,
                maximize=group["maximize"],
            )
        return loss


def rmsprop(
    params,
    grads,
    square_avgs,
    grad_avgs,
    momentum_buffers,
    steps,
    *,
    lr,
    alpha,
    eps,
    weight_decay,
    momentum,
    centered,
    maximize,
) -> None:
    """RMSprop on arrays, in place.

    g = (-grad if maximize else grad) + weight_decay * p
    v = alpha v + (1 - alpha) g^2
    avg = sqrt(v - gbar^2) + eps, with gbar = gbar + (1 - alpha)(g - gbar), if centered
    avg = sqrt(v) + eps otherwise
    b = momentum b + g / avg;  p -= lr b       (momentum > 0)
    p -= lr g / avg                            (otherwise)
    """
    for i, p in enumerate(params):
        _next_step(steps[i])
        gbar = grad_avgs[i] if centered else None
        buf = momentum_buffers[i] if momentum > 0 else None
        for pb, gb, v, ga, bb in _blocks(p, grads[i], square_avgs[i], gbar, buf):
            g = _effective_grad(gb, pb, weight_decay, maximize)
            v *= alpha
            tmp = np.multiply(g, g)
            tmp *= 1 - alpha
            v += tmp
            if ga is not None:
                np.subtract(g, ga, out=tmp)
                tmp *= 1 - alpha
                ga += tmp
                np.multiply(ga, ga, out=tmp)
                np.subtract(v, tmp, out=tmp)
                np.sqrt(tmp, out=tmp)
            else:
                np.sqrt(v, out=tmp)
            tmp += eps
            np.divide(g, tmp, out=tmp)
            if bb is not None:
                bb *= momentum
                bb += tmp
                np.multiply(bb, lr, out=tmp)
            else:
                tmp *= lr
            pb -= tmp
