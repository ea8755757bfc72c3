"""The Optimizer base class: parameter groups, lazy per-parameter state, hooks, state dicts.

Subclasses validate their hyperparameters (``_check``), then in ``step()`` gather each group's
parameters that have a gradient (``_groups``, which makes their state with ``_init_state`` on
first use) and call one pure update function that works on the raw NumPy arrays in place.
The layout of ``state_dict()`` is PyTorch's, so optimizer checkpoints cross between the two
libraries.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor, _make

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook"]


class _RequiredParameter:
    """Marks a hyperparameter that every parameter group must give (no default)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks: OrderedDict = OrderedDict()
_global_post_hooks: OrderedDict = OrderedDict()


class _Handle:
    """Removable hook handle, as ``torch.utils.hooks.RemovableHandle``."""

    _next_id = 0

    def __init__(self, hooks: OrderedDict):
        self._hooks = hooks
        self.id = _Handle._next_id
        _Handle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add_hook(hooks: OrderedDict, hook, prepend: bool = False) -> _Handle:
    handle = _Handle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook) -> _Handle:
    """Run ``hook(optimizer, args, kwargs)`` before every optimizer's ``step``."""
    return _add_hook(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook) -> _Handle:
    """Run ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    return _add_hook(_global_post_hooks, hook)


def _with_step_hooks(step):
    """Wrap a subclass's ``step``: hooks around it, graph recording off inside it.

    NOTE: the update works on raw arrays, so no_grad only matters for what a subclass does with
    tensors; the closure turns recording back on itself (``_evaluate``). A subclass step that
    calls ``super().step()`` runs the hooks once, on the outer call.
    """

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self.__dict__.get("_in_step"):
            return step(self, *args, **kwargs)
        for hook in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but "
                        f"got {result}."
                    )
                args, kwargs = result
        self._in_step = True
        try:
            with no_grad():
                out = step(self, *args, **kwargs)
        finally:
            self._in_step = False
        # Read by the learning-rate schedulers to warn when they step before the optimizer.
        self._opt_called = True
        for hook in chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper._ember_hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs (``named_parameters()``),
            or of dicts (parameter groups, each with a ``'params'`` entry and its own options).
        defaults: the default value of each option, used where a group does not set it.
    """

    # Whether ``state[p]['step']`` is a 0-d float32 tensor (PyTorch's layout) rather than int.
    _tensor_step = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_ember_hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- pickling (copy.deepcopy, torch.save of the whole optimizer) --------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        # Groups saved by an older version may lack newer options: fill them from defaults.
        for group in self.param_groups:
            for key, value in self.defaults.items():
                if value is not required:
                    group.setdefault(key, value)
        if self._tensor_step:
            # Old checkpoints keep 'step' as a number; ours is a 0-d float32 tensor.
            for st in self.state.values():
                if isinstance(st, dict) and "step" in st and not isinstance(st["step"], Tensor):
                    st["step"] = _scalar_tensor(float(st["step"]))

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- parameter groups ----------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. to unfreeze layers later)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for item in params:
            if isinstance(item, tuple):  # a (name, tensor) pair from named_parameters()
                names.append(item[0])
                tensors.append(item[1])
            else:
                tensors.append(item)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names

        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    f"{name}"
                )
            param_group.setdefault(name, default)

        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                UserWarning,
                stacklevel=3,
            )
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and stepping -------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to None (default), or to zeros in place.

        With ``set_to_none=True`` a parameter that gets no gradient in the next backward keeps
        ``grad is None``, and optimizers skip it instead of stepping with a zero gradient.
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                # Zeroing in place keeps the tensor object but cuts it out of any graph.
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                if g.is_sparse:
                    g.zero_()
                else:
                    g._data.fill(0)
                    g._vc[0] += 1

    def step(self, closure=None):
        """One update; ``closure`` (optional) re-evaluates the model and returns the loss."""
        raise NotImplementedError

    @staticmethod
    def _evaluate(closure):
        """Run the closure (if any) with graph recording on, as step() itself runs without."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # The RuntimeError message ``_groups`` gives for a sparse gradient; None takes the gradient
    # densified (for updates where that is the same as the sparse update).
    _sparse_grad_error: str | None = None

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of ``p`` before its first update (each algorithm with state gives it)."""
        raise NotImplementedError

    def _groups(self) -> Iterator[tuple[dict[str, Any], list, list, list[dict[str, Any]]]]:
        """Each group with its parameters that have a gradient, ready for an update function.

        Yields ``(group, params, grads, states)``: the parameters' arrays, their gradients'
        arrays and their state dicts. State is made (``_init_state``) on a parameter's first
        update, so parameters that never get a gradient never get state. The update writes
        into the parameters in place, so their versions are bumped once the caller is done.
        """
        state, sparse_error = self.state, self._sparse_grad_error  # looked up once, not per p
        for group in self.param_groups:
            params, grads, states = [], [], []
            for p in group["params"]:
                if p._grad is None:
                    continue
                params.append(p)
                grads.append(_dense_grad(p, sparse_error))
                st = state[p]
                if len(st) == 0:
                    st.update(self._init_state(p, group))
                states.append(st)
            yield group, [p._data for p in params], grads, states
            _bump(params)

    # -- hooks -----------------------------------------------------------------------------

    def register_step_pre_hook(self, hook) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new args."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> _Handle:
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> _Handle:
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> _Handle:
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> _Handle:
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state dicts -----------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The state as ``{'state': {id: {...}}, 'param_groups': [{..., 'params': [ids]}]}``.

        Parameters are replaced by integer ids numbered across groups in order; the state
        tensors are the live ones (not copies), as in PyTorch.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        ids: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                ids.setdefault(id(p), i)
            packed["params"] = [ids[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(ids[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            out = hook(self, result)
            if out is not None:
                result = out
        return result

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()`` (ember's or PyTorch's): options and per-parameter state.

        State tensors are cast to their parameter's floating dtype ('step' counters stay
        float32); a tensor already of the right dtype is used as is, as PyTorch does.
        """
        import copy

        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            out = hook(self, state_dict)
            if out is not None:
                state_dict = out
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        keep_step = {}
        for g in state_dict["param_groups"]:
            for i in g["params"]:
                keep_step[i] = not (g.get("fused") or g.get("capturable"))

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast_state(id_map[k], v, None, keep_step.get(k, True))
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _cast_state(param: Tensor, value, key, keep_step: bool):
    """A loaded state value with its tensors cast to ``param``'s floating dtype."""
    if isinstance(value, Tensor):
        if key == "step":
            if keep_step or value._data.dtype == np.float32:
                return value
            return _make(value._data.astype(np.float32))
        target = param._data.dtype
        if param._data.dtype.kind == "f" and value._data.dtype != target:
            return _make(value._data.astype(target))
        return value
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k, keep_step) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v, None, keep_step) for v in value)
    return value


# -- helpers shared by the algorithms ---------------------------------------------------------


def _typename(obj) -> str:
    """PyTorch's ``torch.typename``: ``torch.FloatTensor`` for tensors, the class otherwise."""
    if isinstance(obj, Tensor):
        return dtypes.legacy_type_name(obj.dtype)
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", None) else f"{module}.{cls.__qualname__}"


def _scalar(x):
    """A hyperparameter as a Python number (a one-element tensor lr is allowed)."""
    return x.item() if isinstance(x, Tensor) else x


def _scalar_tensor(value: float = 0.0) -> Tensor:
    """The 0-d float32 tensor PyTorch keeps step counters (and ASGD's eta, mu) in."""
    return _make(np.array(value, dtype=np.float32))


def _zeros(p: Tensor) -> Tensor:
    return _make(np.zeros_like(p._data))


def _full(p: Tensor, value) -> Tensor:
    return _make(np.full_like(p._data, value))


def _arrays(states: list[dict[str, Any]], key: str) -> list[np.ndarray]:
    """The arrays of one state entry across a group's parameters, as update functions take."""
    return [st[key]._data for st in states]


def _check(what: str, value, low: float = 0.0, high: float = float("inf")) -> None:
    """PyTorch's ``ValueError("Invalid <what>: <value>")`` unless ``low <= value <= high``.

    NaN is outside every range. ``what`` is PyTorch's wording: "epsilon value", "rho value".
    """
    if not low <= value <= high:
        raise ValueError(f"Invalid {what}: {value}")


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    _check("learning rate", lr)


def _check_betas(betas) -> None:
    """Each of the two decay rates in [0, 1)."""
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def _check_differentiable(differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported by ember's optimizers: their updates run on "
            "raw arrays in place and record no graph. Write the update with tensor ops under "
            "enable_grad() if you need gradients through it."
        )


def _check_fused(fused, foreach, differentiable) -> None:
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _dense_grad(p: Tensor, name: str | None) -> np.ndarray:
    """``p.grad`` as an array; a sparse gradient raises ``name``'s error (None: densify it)."""
    g = p._grad
    if g.is_sparse:
        if name is not None:
            raise RuntimeError(name)
        return g.to_dense()._data
    return g._data


def _effective_grad(g: np.ndarray, p: np.ndarray, weight_decay, maximize: bool) -> np.ndarray:
    """g' = (-g if maximize else g) + weight_decay * p, never writing into ``g`` (``p.grad``)."""
    if weight_decay != 0:
        out = np.multiply(p, weight_decay)
        return np.subtract(out, g, out=out) if maximize else np.add(out, g, out=out)
    return np.negative(g) if maximize else g


def _decayed_grad(g, p, lr, weight_decay, decoupled: bool, maximize: bool) -> np.ndarray:
    """Adam's weight decay: decoupled (AdamW) shrinks the weights, p *= 1 - lr * weight_decay,
    and steps with g' = -g if maximize else g; otherwise it is L2, as ``_effective_grad``."""
    if not decoupled:
        return _effective_grad(g, p, weight_decay, maximize)
    g = _effective_grad(g, p, 0, maximize)
    if weight_decay != 0:
        p *= 1 - lr * weight_decay
    return g


def _next_step(step: np.ndarray) -> float:
    """``step += 1`` on a 0-d step counter; returns the new count as a float.

    NOTE: the in-place ufunc on a 0-d array takes 740 ns, float() and an item write 20 ns each
    (Adam over 200 parameters of 10 elements: 1145 -> 1006 us). Same bits: x + 1 is exact in
    float64, so rounding it to the counter's dtype rounds as that dtype's own add.
    """
    step[()] = float(step) + 1
    return float(step)


# NOTE: elements per block of ``_blocks``. SGD with momentum over an MLP's parameters (512x784,
# 512, 256x512, 256, 10x256, 10; float32), each parameter whole: 445 us; blocks of 8192: 418,
# 16384: 352, 32768: 317, 65536: 300, 131072: 312. Adam's step(): whole 1400, 32768: 1180,
# 65536: 1140, 131072: 1160. A block of 5 float32 arrays (1.25 MiB) stays in a 2 MiB L2.
_BLOCK = 65536


def _blocks(*arrays):
    """Same-position flat blocks of a parameter's array and its gradient and state arrays.

    The update functions run all their elementwise passes on one block before the next, so a
    large parameter is read from memory once instead of once per pass. ``arrays[0]`` is the
    parameter; None entries stay None in every block. Returns ``(arrays,)`` (one block, the
    arrays whole) for a parameter of at most ``_BLOCK`` elements, or when some array is not
    C-contiguous or not of the parameter's size (flat views would not line up).
    """
    n = arrays[0].size
    if n <= _BLOCK:
        return (arrays,)
    flat = []
    for a in arrays:
        if a is not None:
            if a.size != n or not a.flags.c_contiguous:
                return (arrays,)
            a = a.reshape(-1)
        flat.append(a)
    return [
        tuple(None if a is None else a[s : s + _BLOCK] for a in flat) for s in range(0, n, _BLOCK)
    ]


def _bump(params: Iterable[Tensor]) -> None:
    """Bump the version counter of parameters that were modified in place."""
    for p in params:
        p._vc[0] += 1
