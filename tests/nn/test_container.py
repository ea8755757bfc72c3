"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict: behaviour and repr as
PyTorch's."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from helpers import requires_torch, torch

import ember
from ember import nn


def _seq(lib):
    n = lib.nn
    return n.Sequential(n.Linear(1, 2), n.ReLU(), n.Linear(2, 3))


@requires_torch
def test_sequential_edit_operations_match_torch():
    results = []
    for lib in (ember, torch):
        n = lib.nn
        s = _seq(lib)
        out = [str(s[1:]), str(s[-1]), len(s), str(s[::2])]
        s.append(n.Tanh())
        del s[1]
        s.insert(0, n.ReLU())
        s.extend([n.Sigmoid()])
        out += [str(s), str(s + n.Sequential(n.ReLU())), [type(m).__name__ for m in s]]
        s.pop(0)
        s[0] = n.Identity()
        out += [str(s), list(s.state_dict())]
        results.append(out)
    assert results[0] == results[1]


def test_sequential_forward_and_errors():
    s = nn.Sequential(OrderedDict([("a", nn.Linear(2, 2)), ("b", nn.ReLU())]))
    assert s(ember.randn(3, 2)).shape == (3, 2)
    assert list(s.state_dict()) == ["a.weight", "a.bias"]
    assert s.a is s[0]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        s[5]
    with pytest.raises(TypeError):
        s["a"]
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential"):
        s + nn.ReLU()
    assert str(nn.Sequential()) == "Sequential()"


@requires_torch
def test_module_list_and_dict_match_torch():
    results = []
    for lib in (ember, torch):
        n = lib.nn
        ml = n.ModuleList([n.ReLU(), n.ReLU(), n.Linear(1, 1)])
        ml.append(n.Linear(1, 1))
        ml.extend([n.Linear(1, 1)])
        ml.insert(1, n.Tanh())
        md = n.ModuleDict({"a": n.ReLU(), "b": n.Linear(1, 1)})
        md["c"] = n.Tanh()
        md.update([("d", n.Sigmoid())])
        popped = md.pop("a")
        results.append(
            [
                str(ml),
                len(ml),
                str(ml[1:3]),
                str(ml[-1]),
                list(ml.state_dict()),
                str(md),
                list(md.keys()),
                type(popped).__name__,
                "b" in md,
                str(n.ModuleList()),
                str(n.ModuleList([n.Linear(2, 2)] * 4)),
            ]
        )
    assert results[0] == results[1]


def test_module_list_has_no_forward():
    with pytest.raises(NotImplementedError, match="missing the required"):
        nn.ModuleList([nn.ReLU()])(ember.ones(1))
    with pytest.raises(TypeError, match="should be called with an iterable"):
        nn.ModuleList().extend(nn.ReLU())


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(ember.zeros(2)), ember.ones(3)])
    assert len(pl) == 2 and all(isinstance(p, nn.Parameter) for p in pl)
    pl.append(ember.ones(1))
    assert [k for k, _ in pl.named_parameters()] == ["0", "1", "2"]
    pd = nn.ParameterDict({"w": ember.ones(2)})
    pd["b"] = nn.Parameter(ember.zeros(1))
    assert list(pd.keys()) == ["w", "b"] and isinstance(pd["w"], nn.Parameter)
    assert [k for k, _ in pd.named_parameters()] == ["w", "b"]
    m = nn.Module()
    m.pl = pl
    assert list(m.state_dict()) == ["pl.0", "pl.1", "pl.2"]
