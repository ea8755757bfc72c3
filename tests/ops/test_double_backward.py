"""Backward formulas written with ember's own ops are differentiable again: a float64
finite-difference check of the second derivative (gradgradcheck) for the ops whose backward is
more than a single elementwise product."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import gradgradcheck


def _t(rng, *shape):
    return ember.from_numpy(rng.uniform(0.5, 1.5, shape)).requires_grad_()


def _setitem(a, b):
    y = a * 1.0
    y[0] = b
    return y**2


CASES = {
    "softmax": (lambda a: a.softmax(1), [(3, 4)]),
    "log_softmax": (lambda a: a.log_softmax(0), [(3, 4)]),
    "logsumexp": (lambda a: a.logsumexp(1), [(3, 4)]),
    "var": (lambda a: a.var(1), [(3, 4)]),
    "std": (lambda a: a.std(0), [(3, 4)]),
    "norm2": (lambda a: a.norm(dim=1), [(3, 4)]),
    "norm3": (lambda a: a.norm(3), [(3, 4)]),
    "prod": (lambda a: a.prod(1), [(3, 4)]),
    "cumsum": (lambda a: a.cumsum(1) ** 2, [(3, 4)]),
    "einsum": (lambda a, b: ember.einsum("ij,jk->ik", a, b), [(3, 4), (4, 2)]),
    "einsum_diag": (lambda a, b: ember.einsum("iij,j->i", a, b), [(3, 3, 2), (2,)]),
    "sort": (lambda a: a.sort(1).values ** 2, [(3, 4)]),
    "topk": (lambda a: a.topk(2).values ** 2, [(3, 4)]),
    "repeat": (lambda a: a.repeat(2, 1) ** 2, [(3, 4)]),
    "roll_flip": (lambda a: a.roll(1, 1).flip(0) ** 2, [(3, 4)]),
    "setitem": (_setitem, [(3, 4), (4,)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradgradcheck(name):
    fn, shapes = CASES[name]
    rng = np.random.default_rng(0)
    assert gradgradcheck(fn, [_t(rng, *s) for s in shapes])
