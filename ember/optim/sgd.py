"""Stochastic gradient descent, with momentum (heavy-ball or Nesterov), dampening and L2 decay."""

from __future__ import annotations

import numpy as np

from ..tensor import _make
from .optimizer import (
    Optimizer,
    _blocks,
    _bump,
    _check_differentiable,
    _check_fused,
    _check_lr,
    _dense_grad,
    _effective_grad,
    _scalar,
)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening of the momentum (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        nesterov: use Nesterov momentum (default False).
        maximize: ascend the objective instead of descending it.

    Example:
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
        foreach=None,
        differentiable=False,
        fused=None,
    ):
        _check_lr(lr)
        # NOTE: not _check: PyTorch's SGD lets a NaN momentum or weight_decay through.
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_differentiable(differentiable)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            momentum = group["momentum"]
            params, grads, bufs, states = [], [], [], []
            started = False  # some momentum buffer is made in this step
            for p in group["params"]:
                if p._grad is None:
                    continue
                params.append(p)
                # Sparse gradients (Embedding(sparse=True)) give the same update densified.
                grads.append(_dense_grad(p, None))
                if momentum != 0:
                    st = self.state[p]
                    states.append(st)
                    buf = st.get("momentum_buffer")
                    started = started or buf is None
                    bufs.append(None if buf is None else buf._data)
            sgd(
                [p._data for p in params],
                grads,
                bufs,
                lr=_scalar(group["lr"]),
                momentum=momentum,
                dampening=group["dampening"],
                weight_decay=group["weight_decay"],
                nesterov=group["nesterov"],
                maximize=group["maximize"],
            )
            if started:
                for st, buf in zip(states, bufs):
                    if st.get("momentum_buffer") is None or st["momentum_buffer"]._data is not buf:
                        st["momentum_buffer"] = _make(buf)
            _bump(params)
        return loss


def sgd(
    params,
    grads,
    momentum_buffers,
    *,
    lr,
    momentum,
    dampening,
    weight_decay,
    nesterov,
    maximize,
) -> None:
    """SGD on arrays, in place. ``momentum_buffers[i]`` None means "start it" (set in the list).

    g = -grad if maximize else grad;  g += weight_decay * p
    b = g on the first step, else momentum * b + (1 - dampening) * g
    g = g + momentum * b if nesterov else b
    p -= lr * g
    """
    # Loop-invariant tests hoisted: for many tiny parameters the Python per parameter counts.
    heavy_ball = momentum != 0
    undamped = dampening == 0
    dtype = None
    for i, p in enumerate(params):
        if p.dtype is not dtype:
            # NOTE: a ufunc takes a Python float operand 180 ns slower than a 0-d array of the
            # other operand's dtype (NumPy 2.4, 10 elements): SGD with momentum over 200
            # parameters of 10 elements 306 -> 229 us, more than the blocks cost them. Same
            # bits: NumPy casts a Python float operand to the array's dtype (NEP 50).
            dtype = p.dtype
            lr_, momentum_ = np.array(lr, dtype), np.array(momentum, dtype)
        buf = momentum_buffers[i] if heavy_ball else None
        first = heavy_ball and buf is None
        if first:
            # Made whole here, filled block by block below.
            buf = momentum_buffers[i] = np.empty_like(p)
        for pb, gb, bb in _blocks(p, grads[i], buf):
            g = _effective_grad(gb, pb, weight_decay, maximize)
            if heavy_ball:
                if first:
                    np.copyto(bb, g)
                else:
                    bb *= momentum_
                    if undamped:
                        bb += g
                    else:
                        bb += (1 - dampening) * g
                if nesterov:
                    # A fresh array: g may be p.grad itself, which an optimizer never writes.
                    t = np.multiply(bb, momentum_)
                    t += g
                    g = t
                else:
                    g = bb
            pb -= np.multiply(g, lr_)
