"""F.interpolate and the upsampling layers against torch over modes, sizes, scale factors
(up, down, non-integer, per dim) and align_corners: values, input gradients, grad_fn names."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import assert_close, requires_torch, torch

import ember

SIZES = [
    {"scale_factor": 2},
    {"scale_factor": 0.5},
    {"scale_factor": 1.7},
    {"scale_factor": (2.5, 0.7)},
    {"scale_factor": 0.6, "recompute_scale_factor": True},
    {"size": (4, 7)},
    {"size": (3, 2)},
    {"size": (1, 1)},
]
MODES = [
    ("nearest", None),
    ("nearest-exact", None),
    ("bilinear", False),
    ("bilinear", True),
    ("bicubic", False),
    ("bicubic", True),
]


def _compare(fn, shape, dtype=np.float32, rtol=1e-5, atol=1e-5):
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    res = []
    for lib in (torch, ember):
        x = lib.from_numpy(a.copy()).requires_grad_()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the deprecated upsample_* names
            y = fn(lib, x)
        g = np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)).astype(dtype)
        y.backward(lib.from_numpy(g))
        res.append((y, x.grad))
    (ty, tg), (ey, eg) = res
    assert_close(ey, ty, rtol, atol)
    assert_close(eg, tg, rtol * 10, atol * 10)
    assert ey.grad_fn.name() == ty.grad_fn.name()


@requires_torch
@pytest.mark.parametrize("mode,align", MODES, ids=[f"{m}-{a}" for m, a in MODES])
@pytest.mark.parametrize("kw", SIZES, ids=[str(k) for k in SIZES])
def test_interpolate_2d(mode, align, kw):
    _compare(
        lambda T, x: T.nn.functional.interpolate(x, mode=mode, align_corners=align, **kw),
        (2, 3, 5, 6),
    )


@requires_torch
@pytest.mark.parametrize("mode", ["nearest", "linear", "area"])
@pytest.mark.parametrize("kw", [{"scale_factor": 2}, {"size": 7}, {"scale_factor": 0.4}])
def test_interpolate_1d(mode, kw):
    _compare(lambda T, x: T.nn.functional.interpolate(x, mode=mode, **kw), (2, 3, 5))


@requires_torch
@pytest.mark.parametrize("mode", ["nearest", "trilinear"])
def test_interpolate_3d(mode):
    f = (2, 1.5, 0.5)
    _compare(
        lambda T, x: T.nn.functional.interpolate(x, mode=mode, scale_factor=f), (1, 2, 3, 4, 5)
    )


@requires_torch
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_interpolate_float64(mode):
    _compare(
        lambda T, x: T.nn.functional.interpolate(x, mode=mode, scale_factor=1.3),
        (1, 1, 7, 9),
        np.float64,
        1e-12,
        1e-12,
    )


@requires_torch
@pytest.mark.parametrize(
    "make",
    [
        lambda T: T.nn.Upsample(scale_factor=2, mode="bilinear"),
        lambda T: T.nn.UpsamplingNearest2d(scale_factor=3),
        lambda T: T.nn.UpsamplingBilinear2d(size=(5, 9)),
        lambda T: T.nn.Upsample(size=(4, 4)),
    ],
)
def test_upsampling_layers(make):
    _compare(lambda T, x: make(T)(x), (2, 3, 4, 4))
    assert repr(make(ember)) == repr(make(torch))
    assert list(make(ember).state_dict()) == []


@requires_torch
def test_deprecated_names_warn():
    x = ember.ones(1, 1, 2, 2)
    for name in ("upsample", "upsample_nearest", "upsample_bilinear"):
        with pytest.warns(UserWarning, match=f"nn.functional.{name}` is deprecated"):
            getattr(ember.nn.functional, name)(x, scale_factor=2)
    _compare(lambda T, x: T.nn.functional.upsample_bilinear(x, scale_factor=2), (1, 2, 3, 3))


def test_repr_of_module_options():
    assert repr(ember.nn.Upsample(scale_factor=(2, 3))) == (
        "Upsample(scale_factor=(2.0, 3.0), mode='nearest')"
    )
    assert repr(ember.nn.Upsample(size=5, mode="bicubic")) == "Upsample(size=5, mode='bicubic')"
