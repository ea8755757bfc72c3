"""Reverse-mode automatic differentiation: ``ember.autograd`` (``torch.autograd``)."""

from __future__ import annotations

from . import grad_mode
from .function import Function
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned rather than accumulated."""
    from ..tensor import Tensor, _make
    from . import engine

    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} for "
            f"{len(outputs)} outputs"
        )
    res = engine.run(
        outputs,
        grad_outputs,
        retain_graph,
        create_graph,
        inputs=inputs,
        accumulate=False,
        allow_unused=bool(allow_unused or materialize_grads),
    )
    if materialize_grads:
        import numpy as np

        res = tuple(_make(np.zeros_like(i._data)) if r is None else r for r, i in zip(res, inputs))
    return res


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """``torch.autograd.backward``: backward from several tensors at once."""
    from ..tensor import Tensor
    from . import engine

    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    engine.run(tensors, grad_tensors, retain_graph, create_graph, inputs=inputs, accumulate=True)


class _VariableType(type):
    def __instancecheck__(cls, obj) -> bool:
        from ..tensor import Tensor

        return isinstance(obj, Tensor)

    def __call__(cls, data, requires_grad: bool = False, volatile: bool = False):
        from ..tensor import Tensor

        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out


class Variable(metaclass=_VariableType):
    """The pre-0.4 wrapper, kept as PyTorch keeps it: ``Variable(t)`` is a detached tensor
    sharing ``t``'s storage, and every tensor is an instance of Variable."""


from .grad_mode import (  # noqa: E402
    detect_anomaly,
    is_inference_mode_enabled,
    set_detect_anomaly,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402

__all__ = [
    "Function",
    "GradcheckError",
    "Variable",
    "detect_anomaly",
    "is_inference_mode_enabled",
    "set_detect_anomaly",
    "backward",
    "enable_grad",
    "grad",
    "grad_mode",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
