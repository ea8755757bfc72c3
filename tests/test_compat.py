"""ember.compat: ``torch`` and its submodules resolve to ember while the alias is installed, what
ember lacks is named as missing, and the real PyTorch is never touched."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
import textwrap

import pytest

import ember
from ember.compat import TorchAlias

SUBMODULES = [
    "nn",
    "nn.functional",
    "nn.init",
    "optim",
    "optim.lr_scheduler",
    "utils",
    "utils.data",
    "autograd",
    "random",
]


def test_torch_is_ember():
    with TorchAlias():
        import torch

        assert torch is ember
        assert sys.modules["torch"] is ember
        assert torch.cuda.is_available() is False


@pytest.mark.parametrize("sub", SUBMODULES)
def test_submodules_are_embers_own(sub):
    with TorchAlias():
        if importlib.util.find_spec(f"ember.{sub}") is None:
            # Not written yet: the alias must say so, by name.
            with pytest.raises(ModuleNotFoundError, match=rf"torch\.{sub} is not provided by"):
                importlib.import_module(f"torch.{sub}")
            return
        assert importlib.import_module(f"torch.{sub}") is importlib.import_module(f"ember.{sub}")


def test_module_keeps_its_own_spec():
    # The import system overwrites __spec__ of what a loader returns; ember's must stay, or
    # relative imports inside ember would resolve against "torch".
    with TorchAlias():
        import torch.autograd

        assert torch.autograd.__spec__.name == "ember.autograd"
        assert ember.__spec__.name == "ember"


def test_subpackage_reached_as_attribute():
    with TorchAlias():
        import torch

        assert torch.autograd.grad is ember.autograd.grad


def test_cuda_object_imports_as_module():
    original = ember.cuda
    with TorchAlias():
        import torch.cuda
        from torch.cuda import is_available

        assert is_available() is False
        assert torch.cuda.device_count() == 0
        with pytest.raises(AttributeError, match=r"torch\.cuda\.no_such_thing is not provided"):
            torch.cuda.no_such_thing  # noqa: B018
    assert ember.cuda is original


def test_missing_submodule_is_named():
    with TorchAlias():
        with pytest.raises(ModuleNotFoundError, match=r"^torch\.fft is not provided by ember"):
            import torch.fft  # noqa: F401
        with pytest.raises(ImportError, match=r"^torch\.fft is not provided by ember"):
            from torch import fft  # noqa: F401


def test_missing_attribute_is_named():
    with TorchAlias():
        import torch

        with pytest.raises(AttributeError, match=r"^torch\.no_such_function is not provided"):
            torch.no_such_function  # noqa: B018
        with pytest.raises(AttributeError, match=r"^torch\.nn\.NoSuchLayer is not provided"):
            torch.nn.NoSuchLayer  # noqa: B018
        with pytest.raises(ImportError, match=r"^torch\.nn\.NoSuchLayer is not provided"):
            from torch.nn import NoSuchLayer  # noqa: F401
        with pytest.raises(ImportError, match=r"^torch\.nn\.functional\.no_such is not provided"):
            from torch.nn.functional import no_such  # noqa: F401
        assert not hasattr(torch, "no_such_function")
        assert getattr(torch, "no_such_function", 7) == 7
        # Dunders are probed by tools: Python's own wording.
        with pytest.raises(AttributeError, match="has no attribute '__no_such__'"):
            torch.__no_such__  # noqa: B018


def test_removal_restores_everything():
    nn = importlib.import_module("ember.nn")
    had_getattr = "__getattr__" in vars(ember), "__getattr__" in vars(nn)
    before = {name: m for name, m in sys.modules.items() if name.partition(".")[0] == "torch"}
    with TorchAlias():
        import torch  # noqa: F401
        import torch.nn  # noqa: F401
    assert ("__getattr__" in vars(ember), "__getattr__" in vars(nn)) == had_getattr
    after = {name: m for name, m in sys.modules.items() if name.partition(".")[0] == "torch"}
    assert after.keys() == before.keys() and all(after[k] is before[k] for k in after)
    assert TorchAlias not in map(type, sys.meta_path)
    # Plain ember keeps Python's plain error.
    with pytest.raises(AttributeError, match="module 'ember' has no attribute 'no_such'"):
        ember.no_such  # noqa: B018


def test_install_is_idempotent():
    alias = TorchAlias()
    with alias:
        alias.install()
        assert sum(f is alias for f in sys.meta_path) == 1
    assert alias not in sys.meta_path


def test_torchsummary_is_embers_summary():
    with TorchAlias():
        from torchsummary import summary

        assert summary is importlib.import_module("ember.tools.summary").summary


def test_alias_table(tmp_path, monkeypatch):
    """Any alias -> package pair works the same; a failure inside the target keeps its own
    error instead of being reported as "not provided"."""
    pkg = tmp_path / "target_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("VALUE = 1\n")
    (pkg / "good.py").write_text("X = 2\n")
    (pkg / "broken.py").write_text("import module_that_does_not_exist_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with TorchAlias({"fakelib": "target_pkg"}):
        import fakelib
        import fakelib.good

        assert fakelib.VALUE == 1 and fakelib.good.X == 2
        with pytest.raises(ModuleNotFoundError) as e:
            import fakelib.broken  # noqa: F401
        assert e.value.name == "module_that_does_not_exist_anywhere"
        with pytest.raises(AttributeError, match=r"^fakelib\.good\.Y is not provided by ember"):
            fakelib.good.Y  # noqa: B018


# The real PyTorch must stay closed: not imported, and none of its files even opened (the
# audit hook sees every open, including the import system's reads of .py and .so files).
_NEVER_OPENED = r"""
import importlib, sys

real = sys.argv[1] + "/"
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from ember.compat import TorchAlias
TorchAlias().install()
import torch, torch.nn, torch.nn.functional, torch.autograd, torch.cuda, torch.random
import ember
try:
    import torch.fft
except ImportError:
    pass
assert sys.modules["torch"] is ember, sys.modules["torch"]
bad = [p for p in opened if p.startswith(real)]
assert not bad, bad
files = [getattr(m, "__file__", None) or "" for m in list(sys.modules.values())]
assert not [f for f in files if f.startswith(real)]
print("ok")
"""


def test_real_torch_never_opened():
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.submodule_search_locations is None:
        pytest.skip("the real PyTorch is not installed: nothing to keep closed")
    (real,) = spec.submodule_search_locations
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_NEVER_OPENED), real],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_torchvision_is_embers_vision():
    vision = importlib.import_module("ember.vision")
    with TorchAlias():
        import torchvision
        from torchvision import datasets, transforms
        from torchvision.transforms import ToTensor

        assert torchvision is vision
        assert datasets is vision.datasets and transforms is vision.transforms
        assert ToTensor is vision.transforms.ToTensor
        import torchvision.transforms.functional as F

        assert F is vision.transforms.functional
        assert importlib.import_module("torchvision.datasets").FashionMNIST is (
            vision.datasets.FashionMNIST
        )


def test_torchvision_missing_names_are_named():
    with TorchAlias():
        import torchvision

        with pytest.raises(ModuleNotFoundError, match=r"^torchvision\.io is not provided by ember"):
            import torchvision.io  # noqa: F401
        with pytest.raises(ImportError, match=r"^torchvision\.datasets\.CIFAR10 is not provided"):
            from torchvision.datasets import CIFAR10  # noqa: F401
        with pytest.raises(AttributeError, match=r"^torchvision\.transforms\.NoSuch is not prov"):
            torchvision.transforms.NoSuch  # noqa: B018
    assert "torchvision" not in sys.modules
