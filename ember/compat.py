"""The import alias behind ``ember run``: ``import torch`` gives ember, in one process only.

A finder placed first on ``sys.meta_path`` answers for ``torch``, every ``torch.<sub>``,
``torchsummary`` and ``torchvision`` (its ``datasets`` and ``transforms`` are ``ember.vision``'s)
before any path-based finder looks at site-packages. So the real PyTorch is never found, opened
or imported, whether it is installed or not, and nothing named torch is written anywhere.
``torch.nn.functional`` is the module ``ember.nn.functional`` itself (not a copy), so classes,
isinstance checks and module state are shared with code that imports ember.

What ember lacks is reported by name, "torch.fft is not provided by ember": ``import
torch.fft`` raises ModuleNotFoundError, ``from torch.nn import Transformer`` ImportError and
``torch.nn.Transformer`` AttributeError. The module-level ``__getattr__`` that does this is
attached to ember's modules only while the alias is installed, so a plain ``import ember``
keeps Python's plain errors.

Example::

    with TorchAlias():
        import torch           # ember
        import torch.nn as nn  # ember.nn
"""

from __future__ import annotations

import dis
import importlib
import importlib.machinery
import sys
import types

# Alias name -> ember module it stands for. torchsummary is the small pip package that the
# tutorials use for their model tables; ember's own summary prints the same table. torchvision
# is what nearly every learner program loads its data with (datasets.FashionMNIST, ToTensor):
# ember.vision has the same datasets and transforms (and transforms.functional) modules; what it
# lacks (torchvision.io, datasets.CIFAR10, ...) is reported by name like torch's missing pieces.
ALIASES = {"torch": "ember", "torchsummary": "ember.tools.summary", "torchvision": "ember.vision"}


def _root(name: str) -> str:
    return name.partition(".")[0]


class _ObjectModule(types.ModuleType):
    """``import torch.cuda`` where ember's ``cuda`` is an object, not a module: a module that
    forwards attribute reads to that object, so ``from torch.cuda import is_available`` works
    and the import system gets the module it requires."""

    def __init__(self, name: str, obj: object):
        super().__init__(name, getattr(obj, "__doc__", None))
        self.__wrapped__ = obj
        # An empty __path__ makes it a package, so ``import torch.cuda.amp`` reaches the alias
        # finder and fails with the "not provided by ember" message rather than Python's
        # "'torch.cuda' is not a package".
        self.__path__ = []

    def __getattr__(self, name: str):
        try:
            return getattr(self.__wrapped__, name)
        except AttributeError:
            if name.startswith("__"):
                raise
            raise _missing_attribute(self.__name__, name, self, sys._getframe(1)) from None

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self.__wrapped__)))


def _missing(alias_name: str, target: str | None = None) -> str:
    where = f" ({target} does not exist)" if target else ""
    return f"{alias_name} is not provided by ember{where}"


_IMPORT_FROM = dis.opmap.get("IMPORT_FROM")


def _missing_attribute(module_name: str, name: str, module, caller) -> Exception:
    """The error for ``<module_name>.<name>`` missing: AttributeError, or ImportError when the
    caller is executing ``from <module_name> import <name>``.

    NOTE: the IMPORT_FROM instruction turns an AttributeError from ``__getattr__`` into its own
    "cannot import name 'X' from 'ember.nn'", losing the message, but lets other exceptions
    through; so there we raise the ImportError it would have raised, in our words. Reading the
    caller's current instruction is CPython's frame API; where it differs, AttributeError.
    """
    msg = _missing(f"{module_name}.{name}")
    code = caller.f_code.co_code
    if 0 <= caller.f_lasti < len(code) and code[caller.f_lasti] == _IMPORT_FROM:
        return ImportError(msg, name=module_name)
    return AttributeError(msg, name=name, obj=module)


class TorchAlias:
    """Resolves ``torch``, ``torch.*``, ``torchsummary`` and ``torchvision.*`` to ember while
    installed.

    ``install()`` puts the finder first on ``sys.meta_path`` (for ``ember run``, for the rest of
    the process); as a context manager it also undoes everything on exit, restoring any real
    torch modules that were imported before (the test suite relies on that).
    """

    def __init__(self, aliases: dict[str, str] | None = None):
        self.aliases = dict(ALIASES if aliases is None else aliases)
        # Longest target first, so ember.tools.summary maps back to torchsummary, not
        # torch.tools.summary, when an error message names it.
        self._reverse = sorted(
            ((t, a) for a, t in self.aliases.items()), key=lambda p: len(p[0]), reverse=True
        )
        self._saved: dict[str, types.ModuleType] = {}
        self._patched: dict[str, tuple[types.ModuleType, object]] = {}
        self._replaced: list[tuple[object, str, object]] = []

    # -- installing ------------------------------------------------------------------------

    def install(self) -> TorchAlias:
        if self in sys.meta_path:
            return self
        # Modules imported before the alias (the real torch in a test process) would be
        # returned from sys.modules without asking any finder: set them aside.
        for name in list(sys.modules):
            if _root(name) in self.aliases:
                self._saved[name] = sys.modules.pop(name)
        sys.meta_path.insert(0, self)
        return self

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for name in list(sys.modules):
            if _root(name) in self.aliases:
                del sys.modules[name]
        sys.modules.update(self._saved)
        self._saved.clear()
        for module, previous in self._patched.values():
            if previous is None:
                module.__dict__.pop("__getattr__", None)
            else:
                module.__getattr__ = previous
        self._patched.clear()
        for parent, attr, original in reversed(self._replaced):
            setattr(parent, attr, original)
        self._replaced.clear()

    def __enter__(self) -> TorchAlias:
        return self.install()

    def __exit__(self, *exc) -> None:
        self.remove()

    # -- the finder / loader protocol ----------------------------------------------------

    def find_spec(self, fullname, path=None, target=None):
        # Called for every import in the process: one dict lookup for everything else.
        if _root(fullname) not in self.aliases:
            return None
        module = self._resolve(fullname)
        spec = importlib.machinery.ModuleSpec(
            fullname, self, is_package=hasattr(module, "__path__")
        )
        spec.loader_state = (module, module.__dict__.get("__spec__"))
        return spec

    def create_module(self, spec):
        # The ember module itself: module_from_spec keeps its __name__, __package__ and
        # __path__ (it fills only what is missing) but overwrites __spec__; exec_module puts
        # ember's back.
        return spec.loader_state[0]

    def exec_module(self, module) -> None:
        # Nothing to run, the ember module was executed when it was imported. Its own spec
        # must stay: relative imports and pickling inside ember read __spec__.
        original = module.__spec__.loader_state[1]
        if original is not None:
            module.__spec__ = original

    # -- resolution ----------------------------------------------------------------------

    def _target(self, fullname: str) -> str:
        root, dot, rest = fullname.partition(".")
        return self.aliases[root] + dot + rest

    def _resolve(self, fullname: str) -> types.ModuleType:
        target = self._target(fullname)
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as e:
            # Only a missing piece of the target itself means "not provided"; a module that
            # ember's code failed to find is a real error and keeps its own message.
            if e.name is None or not (target == e.name or target.startswith(e.name + ".")):
                raise
            module = self._attribute_module(fullname)
            if module is None:
                # name= is the ember module that was looked for: with the alias name,
                # `from torch.cuda import amp` would swallow this error (the import system
                # ignores a missing module of that exact name there) and say less.
                raise ModuleNotFoundError(_missing(fullname, target), name=target) from None
        self._patch_loaded()
        return module

    def _attribute_module(self, fullname: str) -> types.ModuleType | None:
        """``torch.cuda`` where ``ember.cuda`` is an attribute of its parent, not a file."""
        parent_name, _, child = fullname.rpartition(".")
        parent = sys.modules.get(parent_name)
        if parent is None:
            return None
        obj = getattr(parent, child, None)
        if obj is None or isinstance(obj, types.ModuleType):
            return obj
        module = _ObjectModule(fullname, obj)
        # The import system will set parent.<child> to this module; put the object back when
        # the alias is removed.
        self._replaced.append((parent, child, obj))
        return module

    def _alias_of(self, module_name: str) -> str:
        for target, alias in self._reverse:
            if module_name == target or module_name.startswith(target + "."):
                return alias + module_name[len(target) :]
        return module_name

    def _patch_loaded(self) -> None:
        """Give every loaded ember module the helpful ``__getattr__``. Done on each resolve,
        because ember imports some of its modules lazily and ``torch.nn.X`` is often reached
        as an attribute without an import statement."""
        roots = {_root(t) for t in self.aliases.values()}
        for name, module in list(sys.modules.items()):
            if name in self._patched or _root(name) not in roots:
                continue
            if isinstance(module, types.ModuleType) and not isinstance(module, _ObjectModule):
                previous = module.__dict__.get("__getattr__")
                self._patched[name] = (module, previous)
                module.__getattr__ = _make_getattr(self, module, self._alias_of(name), previous)


def _make_getattr(alias: TorchAlias, module: types.ModuleType, alias_name: str, previous):
    """The module-level ``__getattr__`` (PEP 562) for one ember module under the alias."""

    def __getattr__(name: str):
        if previous is not None:
            try:
                return previous(name)
            except AttributeError:
                pass
        if name.startswith("__"):
            # Dunders are probed by tools (inspect, pickle, doctest): keep Python's wording.
            raise AttributeError(f"module {alias_name!r} has no attribute {name!r}")
        if not name.startswith("_") and "__path__" in vars(module):
            # PyTorch imports its subpackages in torch/__init__, so programs use torch.nn or
            # torch.utils.data without importing them: load ember's counterpart on first use.
            sub = f"{module.__name__}.{name}"
            try:
                found = importlib.import_module(sub)
            except ModuleNotFoundError as e:
                if e.name != sub:
                    raise
            else:
                alias._patch_loaded()  # the modules this import loaded report missing names too
                return found
        raise _missing_attribute(alias_name, name, module, sys._getframe(1))

    return __getattr__
