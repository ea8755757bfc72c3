"""Loading a state_dict into a module tree: key matching, shape checks, PyTorch's messages.

Kept apart from module.py, which holds the Module class itself. Error text follows PyTorch's
(``Missing key(s) in state_dict: "0.weight". ``), plus a hint when the only difference is a
``module.`` prefix (a checkpoint saved from a DataParallel wrapper).
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from ..parameter import Parameter


def _base():
    from .module import Module

    return Module


class _IncompatibleKeys(namedtuple("_IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and the ones it did not use."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )

    __str__ = __repr__


def load_own(
    module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, errors
) -> None:
    """The default ``Module._load_from_state_dict``: this module's parameters and buffers."""
    local = {k: v for k, v in module._parameters.items() if v is not None}
    for k, v in module._buffers.items():
        if v is not None and k not in module._non_persistent_buffers_set:
            local[k] = v
    assign = local_metadata.get("assign_to_params_buffers", False)
    for name, param in local.items():
        key = prefix + name
        if key not in state_dict:
            missing_keys.append(key)
            continue
        src = state_dict[key]
        if not isinstance(src, Tensor):
            errors.append(
                f'While copying the parameter named "{key}", expected torch.Tensor or '
                f"Tensor-like object from checkpoint but received {type(src)}"
            )
            continue
        # Checkpoints from before PyTorch 0.4 stored scalars as shape [1].
        if param.dim() == 0 and src.dim() == 1 and src.numel() == 1:
            src = src[0]
        if src.shape != param.shape:
            errors.append(
                f"size mismatch for {key}: copying a param with shape {src.shape} from "
                f"checkpoint, the shape in current model is {param.shape}."
            )
            continue
        try:
            with no_grad():
                if assign:
                    _assign(module, name, param, src)
                else:
                    param.copy_(src)
        except Exception as e:  # noqa: BLE001 - reported with the key, as PyTorch does
            errors.append(
                f'While copying the parameter named "{key}", whose dimensions in the model '
                f"are {param.shape} and whose dimensions in the checkpoint are {src.shape}, "
                f"an exception occurred : {e.args}."
            )
    extra_key = prefix + "_extra_state"
    if type(module).set_extra_state is not _base().set_extra_state:
        if extra_key in state_dict:
            module.set_extra_state(state_dict[extra_key])
        elif strict:
            missing_keys.append(extra_key)
    for key in state_dict:
        if not key.startswith(prefix) or key == extra_key:
            continue
        head, dot, _ = key[len(prefix) :].partition(".")
        if (dot and head not in module._modules) or (not dot and head not in local):
            unexpected_keys.append(key)


def _assign(module, name: str, param, src: Tensor) -> None:
    if name in module._parameters:
        new = src if isinstance(src, Parameter) else Parameter(src, param.requires_grad)
        module._parameters[name] = new
    else:
        module._buffers[name] = src


def load(module, state_dict: Mapping, strict: bool, assign: bool):
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    metadata = getattr(state_dict, "_metadata", None)
    state_dict = OrderedDict(state_dict)
    missing, unexpected, errors = [], [], []

    def _load_tree(module, local_state, prefix):
        meta = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
        if assign:
            meta["assign_to_params_buffers"] = True
        module._load_from_state_dict(local_state, prefix, meta, True, missing, unexpected, errors)
        for name, child in module._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                sub = {k: v for k, v in local_state.items() if k.startswith(child_prefix)}
                _load_tree(child, sub, child_prefix)

    _load_tree(module, state_dict, "")
    if strict:
        if unexpected:
            keys = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
        if missing:
            keys = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
    if errors:
        hint = _prefix_hint(missing, unexpected) if strict else ""
        raise RuntimeError(
            f"Error(s) in loading state_dict for {module._get_name()}:\n\t"
            + "\n\t".join(errors)
            + hint
        )
    return _IncompatibleKeys(missing, unexpected)


def _prefix_hint(missing: list, unexpected: list) -> str:
    """Point out a ``module.`` prefix mismatch (a checkpoint saved from DataParallel)."""
    if not missing or not unexpected:
        return ""
    p = "module."
    if {k.removeprefix(p) for k in unexpected if k.startswith(p)} >= set(missing):
        return (
            "\n\tHint: the checkpoint's keys start with 'module.' (it was saved from a "
            "DataParallel/DistributedDataParallel wrapper) and the model's do not; load "
            "{k.removeprefix('module.'): v for k, v in state_dict.items()} instead."
        )
    if {p + k for k in unexpected} >= set(missing):
        return (
            "\n\tHint: the model's keys start with 'module.' and the checkpoint's do not; load "
            "it into the wrapped model (model.module) instead."
        )
    return ""
