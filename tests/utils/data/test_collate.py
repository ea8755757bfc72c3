"""default_collate and default_convert against PyTorch's, structure by structure."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.utils.data import default_collate, default_convert

Point = collections.namedtuple("Point", "x y")


def _samples(m):
    """Sample lists built with module ``m`` (ember or torch) for tensors."""

    def t(a):
        return m.from_numpy(np.array(a))

    return {
        "floats": [1.0, 2.5, -3.0],
        "ints": [1, 2, 3],
        "bools": [True, False],
        "int_then_float": [1, 2.0],
        "float_then_int": [1.0, 2],
        "bool_then_int": [True, 2],
        "strings": ["a", "bc"],
        "bytes": [b"a", b"b"],
        "np_float32": [np.float32(1), np.float32(2)],
        "np_int32": [np.int32(1), np.int32(2)],
        "np_float64": [np.float64(1), np.float64(2)],
        "np_bool": [np.bool_(True), np.bool_(False)],
        "np_mixed": [np.int64(1), np.float32(2)],
        "arrays": [np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)],
        "arrays_0d": [np.array(1.5), np.array(2.5)],
        "arrays_mixed_dtype": [np.zeros(2, np.int64), np.ones(2, np.float32)],
        "array_then_tensor": [np.zeros(2, np.float32), t(np.ones(2, np.float32))],
        "tensors": [t(np.arange(6, dtype=np.float32).reshape(2, 3)), t(np.ones((2, 3), "f4"))],
        "tensors_0d": [t(np.int64(3)), t(np.int64(4))],
        "tensors_mixed_dtype": [t(np.zeros(2, "f4")), t(np.ones(2, "f8"))],
        "tensors_int_float": [t(np.zeros(2, "i8")), t(np.ones(2, "f4"))],
        "tuples": [(1, 2.0, "a"), (3, 4.0, "b")],
        "lists": [[1, 2.0], [3, 4.0]],
        "dicts": [
            {"a": 1, "b": [1.0, 2.0], "c": t(np.zeros(2, "f4"))},
            {"a": 2, "b": [3.0, 4.0], "c": t(np.ones(2, "f4"))},
        ],
        "ordered_dicts": [collections.OrderedDict(z=1, a=2), collections.OrderedDict(z=3, a=4)],
        "namedtuples": [Point(1, np.zeros(2, "f4")), Point(2, np.ones(2, "f4"))],
        "nested": [
            (t(np.zeros((1, 2), "f4")), {"label": 0, "meta": ("x", np.float64(0.5))}),
            (t(np.ones((1, 2), "f4")), {"label": 1, "meta": ("y", np.float64(1.5))}),
        ],
        "range_elements": [range(2), range(2)],
        "single": [(t(np.zeros(3, "f4")), 7)],
    }


CASES = list(_samples(ember))


@requires_torch
@pytest.mark.parametrize("case", CASES)
def test_default_collate_as_torch(case, assert_same):
    ours = default_collate(_samples(ember)[case])
    theirs = torch.utils.data.default_collate(_samples(torch)[case])
    assert_same(ours, theirs)


def test_collated_containers_keep_their_type():
    dd = collections.defaultdict(list, a=1)
    out = default_collate([dd, collections.defaultdict(list, a=2)])
    assert type(out) is collections.defaultdict and out.default_factory is list
    assert type(default_collate([Point(1, 2), Point(3, 4)])) is Point


def test_collated_tensors_are_new_memory():
    a, b = ember.zeros(3), ember.ones(3)
    out = default_collate([a, b])
    out[0] += 5
    assert a.sum().item() == 0


def test_collate_keeps_the_graph_of_samples_that_require_grad():
    w = ember.ones(3, requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    assert batch.requires_grad and batch.grad_fn is not None
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [5, 5, 5])


@requires_torch
@pytest.mark.parametrize(
    "make",
    [
        lambda m: [m.zeros(2), m.ones(3)],
        lambda m: [np.zeros(2), np.ones(3)],
        lambda m: [[1, 2.0], [3]],
        lambda m: [(1, 2.0), (3,)],
        lambda m: [None, None],
        lambda m: [object(), object()],
        lambda m: [np.array(["a"]), np.array(["b"])],
        lambda m: [np.zeros(2, object)],
        lambda m: [{"a": 1}, {"b": 2}],
        lambda m: [m.ones(2), np.zeros(2, np.float32)],
        lambda m: [],
    ],
)
def test_default_collate_errors_as_torch(make):
    with pytest.raises(Exception) as theirs:
        torch.utils.data.default_collate(make(torch))
    with pytest.raises(type(theirs.value)) as ours:
        default_collate(make(ember))
    if not isinstance(theirs.value, TypeError) or "default_collate" in str(theirs.value):
        assert str(ours.value) == str(theirs.value)
    else:  # torch's type names differ from ember's
        assert "expected Tensor as element 1 in argument 0, but got numpy.ndarray" in str(
            ours.value
        )


@requires_torch
@pytest.mark.parametrize(
    "data",
    [
        1.0,
        "s",
        np.zeros(3),
        np.float32(3),
        np.array(3.0),
        np.array(["a"]),
        (1, 2),
        [np.zeros(1)],
        (np.zeros(1),),
        {"a": np.ones(1), "b": (np.int32(2), "x")},
        Point(np.zeros(1), 2),
    ],
    ids=repr,
)
def test_default_convert_as_torch(data, assert_same):
    assert_same(default_convert(data), torch.utils.data.default_convert(data))


def test_default_convert_shares_array_memory():
    a = np.zeros(3, np.float32)
    t = default_convert(a)
    a[0] = 7
    assert t[0].item() == 7
    x = ember.zeros(2)
    assert default_convert(x) is x
