"""The slow path of ``Module.__call__``: forward pre-hooks, forward hooks, backward hooks.

Kept apart from module.py so the common call (no hooks) stays one branch and a method call.
Backward hooks wrap the module's tensor inputs and outputs in identity nodes: the node on the
outputs catches ``grad_output``, the node on the inputs sees ``grad_input`` once every gradient
w.r.t. the inputs has arrived, and calls the hooks there.
"""

from __future__ import annotations

import itertools

from ...autograd.function import Function
from ...tensor import Tensor


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods: ``handle.remove()`` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: dict, extra: dict | None = None):
        self.id = next(RemovableHandle._next_id)
        self._dicts = [hooks_dict] if extra is None else [hooks_dict, extra]

    def remove(self) -> None:
        for d in self._dicts:
            d.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def call_with_hooks(module, args: tuple, kwargs: dict):
    kw_pre = module._forward_pre_hooks_with_kwargs
    for hid, hook in list(module._forward_pre_hooks.items()):
        if hid in kw_pre:
            r = hook(module, args, kwargs)
            if r is not None:
                if not (isinstance(r, tuple) and len(r) == 2):
                    raise RuntimeError(
                        "forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {r}."
                    )
                args, kwargs = r
        else:
            r = hook(module, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)

    state = None
    if module._backward_hooks:
        state = _BackwardState(module)
        args = state.wrap_inputs(args)

    try:
        out = module.forward(*args, **kwargs)
    except Exception:
        for hid, hook in list(module._forward_hooks.items()):
            if hid in module._forward_hooks_always_called:
                try:
                    _call_forward_hook(module, hid, hook, args, kwargs, None)
                except Exception:  # noqa: BLE001, S110 - the forward error is the one to see
                    pass
        raise

    for hid, hook in list(module._forward_hooks.items()):
        r = _call_forward_hook(module, hid, hook, args, kwargs, out)
        if r is not None:
            out = r

    if state is not None:
        out = state.wrap_outputs(out)
    return out


def _call_forward_hook(module, hid, hook, args, kwargs, out):
    if hid in module._forward_hooks_with_kwargs:
        return hook(module, args, kwargs, out)
    return hook(module, args, out)


class _BackwardState:
    """Gradients gathered for one call of a module with backward hooks."""

    def __init__(self, module):
        self.module = module
        self.grad_output = None
        self.n_inputs = 0
        self.input_slots: list = []  # positions of the wrapped tensors among the args
        self.inputs_wrapped = False

    def wrap_inputs(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        slots = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not slots:
            return args
        self.input_slots = slots
        self.inputs_wrapped = True
        return tuple(_through(_HookInputs, self, args, slots))

    def wrap_outputs(self, out):
        single = isinstance(out, Tensor)
        seq = (out,) if single else out
        if not isinstance(seq, tuple) or not any(
            isinstance(t, Tensor) and t.requires_grad for t in seq
        ):
            return out
        slots = [i for i, t in enumerate(seq) if isinstance(t, Tensor) and t.requires_grad]
        self.n_outputs = len(seq)
        self.output_slots = slots
        res = _through(_HookOutputs, self, seq, slots)
        return res[0] if single else tuple(res)

    def run_hooks(self, grad_input: tuple) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            r = hook(self.module, grad_input, self.grad_output)
            if r is not None:
                r = r if isinstance(r, tuple) else (r,)
                if len(r) != len(grad_input):
                    raise RuntimeError(
                        f"Backward hook returned an invalid number of grad_input, got {len(r)}, "
                        f"but expected {len(grad_input)}"
                    )
                grad_input = r
        return grad_input


def _through(node: type[Function], state: _BackwardState, seq, slots: list) -> list:
    """``seq`` with its tensors at ``slots`` passed through one ``node`` (an identity)."""
    new = node.apply(state, *(seq[i] for i in slots))
    new = new if isinstance(new, tuple) else (new,)
    out = list(seq)
    for i, t in zip(slots, new):
        out[i] = t
    return out


def _spread(grads: tuple, slots: list, n: int) -> tuple:
    """The gradients of the wrapped tensors put back at their ``slots`` among ``n`` (None
    for the rest)."""
    full = [None] * n
    for i, g in zip(slots, grads):
        full[i] = g
    return tuple(full)


class _HookNode(Function):
    """Identity on some of a module's tensors, holding the call's ``_BackwardState``."""

    @staticmethod
    def forward(ctx, state, *xs):
        ctx.state = state
        return tuple(x._data for x in xs) if len(xs) > 1 else xs[0]._data


class _HookInputs(_HookNode):
    """On the module's inputs: its backward runs the module's backward hooks."""

    @staticmethod
    def backward(ctx, *grads):
        s = ctx.state
        full = s.run_hooks(_spread(grads, s.input_slots, s.n_inputs))
        return (None,) + tuple(full[i] for i in s.input_slots)


class _HookOutputs(_HookNode):
    """On the module's outputs: its backward records ``grad_output``."""

    @staticmethod
    def backward(ctx, *grads):
        s = ctx.state
        s.grad_output = _spread(grads, s.output_slots, s.n_outputs)
        if not s.inputs_wrapped:
            # No input needs grad: PyTorch still calls the hooks, with grad_input all None.
            s.run_hooks((None,) * s.n_inputs)
        return (None,) + grads
