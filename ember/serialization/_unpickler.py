"""The restricted unpickler: a checkpoint may only rebuild what the allow-list names.

A pickle is a program: its GLOBAL opcodes import any callable and its REDUCE opcodes call it,
so loading an untrusted pickle with ``pickle.load`` runs whatever the file says. Here every
global goes through ``find_class``, which hands back ember's own rebuild functions for
PyTorch's tensor and storage globals, plain containers and numbers, and refuses everything
else, naming the global. BUILD (which sets attributes on an object) is allowed only on the
dictionaries PyTorch itself sets them on (a state dict's ``_metadata``).

The pure-Python unpickler is used, not the C one, because only it lets BUILD be restricted;
the tensors' bytes are not in the pickle, so its speed does not matter.
"""

from __future__ import annotations

import _codecs
import collections
import pickle

from ..device import device
from ..tensor import Size
from . import _format as fmt

# Python 2 spellings, which protocol 2 pickles use (``__builtin__.set``).
_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


def _encode(text, encoding="utf-8", errors="strict"):
    # Protocol 2 pickles bytes as ``_codecs.encode(text, 'latin1')``; any other codec could be a
    # text transform nobody asked for, so only the byte-preserving ones are allowed.
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise fmt.CheckpointError(f"_codecs.encode with {encoding!r} is not allowed")
    return _codecs.encode(text, encoding, errors)


_ALLOWED = {
    "collections.OrderedDict": collections.OrderedDict,
    "collections.Counter": collections.Counter,
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "builtins.complex": complex,
    "builtins.bytearray": bytearray,
    "_codecs.encode": _encode,
    "torch.Size": Size,
    "torch.device": device,
    "torch.Tensor": fmt.TENSOR_TYPE,
    "torch.nn.Parameter": fmt.PARAMETER_TYPE,
    "torch.nn.parameter.Parameter": fmt.PARAMETER_TYPE,
    "torch._utils._rebuild_tensor": fmt.rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": fmt.rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": fmt.rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": fmt.rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": fmt.rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": fmt.rebuild_from_type_v2,
    "torch.storage.UntypedStorage": fmt.UNTYPED_STORAGE,
    "torch.UntypedStorage": fmt.UNTYPED_STORAGE,
}
_ALLOWED.update({f"torch.{name}": t for name, t in fmt.STORAGE_TYPES.items()})
_ALLOWED.update({f"torch.{name}": d for name, d in fmt.DTYPE_GLOBALS.items()})
# Types whose instances may receive BUILD (attributes from the pickle): PyTorch sets
# ``_metadata`` on state dicts, and nothing else a checkpoint holds needs it.
_BUILDABLE = (collections.OrderedDict, collections.Counter)

# Objects the user declared safe with ``add_safe_globals``: "module.qualname" -> object.
_user_safe: dict[str, object] = {}


def add_safe_globals(objects) -> None:
    """Allow these classes or functions in checkpoints, as ``torch.serialization`` does.

    Only for objects you trust: unpickling calls them with arguments the file chooses. An entry
    may be the object or ``(object, "module.name")`` when the file spells its name differently.
    """
    for entry in objects:
        obj, name = entry if isinstance(entry, tuple) else (entry, None)
        if name is None:
            name = f"{obj.__module__}.{obj.__qualname__}"
        _user_safe[name] = obj


def get_safe_globals() -> list:
    return list(_user_safe.values())


def clear_safe_globals() -> None:
    _user_safe.clear()


class safe_globals:
    """``with safe_globals([Foo]):`` allows ``Foo`` while the block runs."""

    def __init__(self, objects):
        self._objects = objects
        self._saved: dict = {}

    def __enter__(self):
        self._saved = dict(_user_safe)
        add_safe_globals(self._objects)
        return self

    def __exit__(self, *exc):
        _user_safe.clear()
        _user_safe.update(self._saved)


def _hint(name: str) -> str:
    if name.startswith("torch.nn.modules.") or name.startswith("__main__."):
        return (
            " The file holds a whole pickled object (torch.save(model)), which can only be "
            "rebuilt by running its code: save model.state_dict() instead and load it into an "
            "ember model with load_state_dict()."
        )
    if name.startswith("numpy."):
        return " NumPy arrays in a checkpoint are refused, as torch.load(weights_only=True) does."
    return ""


def _refuse_storage(name: str) -> None:
    what = fmt.UNSUPPORTED_STORAGES[name]
    raise fmt.CheckpointError(f"the checkpoint holds {what} tensors, which ember does not support")


class RestrictedUnpickler(pickle._Unpickler):
    """Unpickles a checkpoint's pickle, resolving globals only through the allow-list.

    ``persistent_load`` is given by the reader (zip or legacy): it turns the storage ids of
    the pickle into storages.
    """

    def __init__(self, file, source: str, persistent_load, encoding: str = "utf-8"):
        super().__init__(file, encoding=encoding)
        self._source = source
        self.persistent_load = persistent_load

    def find_class(self, module: str, name: str):
        module = _PY2_MODULES.get(module, module)
        full = f"{module}.{name}"
        if full in _ALLOWED:
            return _ALLOWED[full]
        if full in _user_safe:
            return _user_safe[full]
        if module == "torch" and name in fmt.UNSUPPORTED_STORAGES:
            _refuse_storage(name)
        if module == "torch" and fmt.is_unsupported_dtype(name):
            raise fmt.CheckpointError(
                f"the checkpoint holds torch.{name} values, a dtype ember does not support"
            )
        hint = _hint(full) or (
            " If you trust the file and this global is a plain data class, allow it with "
            "ember.serialization.add_safe_globals([...])."
        )
        raise fmt.UnsafeGlobalError(
            f"{self._source}: refusing to load the global '{full}'. ember.load rebuilds only "
            "tensors, storages, dtypes, sizes, plain containers, numbers and strings, and never "
            "runs code from a file; nothing in the file was executed." + hint
        )

    def load_build(self):
        state, inst = self.stack[-1], self.stack[-2]
        user_types = tuple(t for t in _user_safe.values() if isinstance(t, type))
        if isinstance(inst, user_types) and not isinstance(inst, fmt.Storage):
            return super().load_build()
        if type(inst) not in _BUILDABLE or not isinstance(state, dict):
            raise fmt.UnsafeGlobalError(
                f"{self._source}: refusing to set attributes on a {type(inst).__name__} "
                "(pickle BUILD): checkpoints only set them on state dicts"
            )
        if not all(isinstance(k, str) and not k.startswith("__") for k in state):
            raise fmt.UnsafeGlobalError(
                f"{self._source}: refusing to set attributes {sorted(map(str, state))} on a "
                f"{type(inst).__name__}"
            )
        return super().load_build()

    dispatch = dict(pickle._Unpickler.dispatch)
    dispatch[pickle.BUILD[0]] = load_build
