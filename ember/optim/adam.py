"""Adam: bias-corrected running averages of the gradient and its square (Kingma & Ba, 2014)."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _arrays,
    _blocks,
    _check,
    _check_betas,
    _check_differentiable,
    _check_fused,
    _check_lr,
    _decayed_grad,
    _next_step,
    _scalar,
    _scalar_tensor,
    _zeros,
)

__all__ = ["Adam", "adam"]


class Adam(Optimizer):
    """Adam, with optional AMSGrad and L2 (or, with ``decoupled_weight_decay``, AdamW) decay.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moment averages (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        amsgrad: use the maximum of past second moments (default False).
        maximize: ascend the objective instead of descending it.
        decoupled_weight_decay: shrink the weights directly, as AdamW (default False).
    """

    _sparse_grad_error = (
        "Adam does not support sparse gradients, please consider SparseAdam instead"
    )

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        _check_lr(lr)
        _check("epsilon value", eps)
        _check_betas(betas)
        _check("weight_decay value", weight_decay)
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_differentiable(differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def _init_state(self, p, group):
        st = {"step": _scalar_tensor(), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}
        if group["amsgrad"]:
            st["max_exp_avg_sq"] = _zeros(p)
        return st

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group, params, grads, states in self._groups():
            amsgrad = group["amsgrad"]
            beta1, beta2 = group["betas"]
            adam(
                params,
                grads,
                _arrays(states, "exp_avg"),
                _arrays(states, "exp_avg_sq"),
                _arrays(states, "max_exp_avg_sq") if amsgrad else [],
                _arrays(states, "step"),
                amsgrad=amsgrad,
                beta1=_scalar(beta1),
                beta2=_scalar(beta2),
                lr=_scalar(group["lr"]),
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
            )
        return loss


def adam(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    max_exp_avg_sqs,
    steps,
    *,
    amsgrad,
    beta1,
    beta2,
    lr,
    weight_decay,
    eps,
    maximize,
    decoupled_weight_decay,
) -> None:
    """Adam on arrays, in place (``steps`` are 0-d float32 arrays, incremented here).

    t += 1;  g = -grad if maximize else grad
    p *= 1 - lr * weight_decay          (decoupled, AdamW)   or   g += weight_decay * p (L2)
    m = m + (1 - beta1) (g - m)
    v = beta2 v + (1 - beta2) g^2;      v_max = max(v_max, v) with amsgrad (used for v below)
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """
    decoupled = decoupled_weight_decay
    for i, p in enumerate(params):
        t = _next_step(steps[i])
        step_size = lr / (1 - beta1**t)
        bias2 = (1 - beta2**t) ** 0.5
        v_max = max_exp_avg_sqs[i] if amsgrad else None
        for pb, gb, m, v, vm in _blocks(p, grads[i], exp_avgs[i], exp_avg_sqs[i], v_max):
            g = _decayed_grad(gb, pb, lr, weight_decay, decoupled, maximize)
            tmp = moments(g, m, v, beta1, beta2)
            if vm is not None:
                v = np.maximum(vm, v, out=vm)
            np.sqrt(v, out=tmp)
            tmp /= bias2
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            pb -= tmp


def moments(g, m, v, beta1, beta2):
    """Adam's moment estimates, in place: m += (1 - beta1)(g - m), v = beta2 v + (1 - beta2) g^2.
    Returns a scratch array of g's shape (the Adam family reuses it for the step)."""
    tmp = np.subtract(g, m)
    tmp *= 1 - beta1
    m += tmp
    v *= beta2
    np.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    v += tmp
    return tmp
