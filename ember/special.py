"""``torch.special``: special functions under SciPy-style names.

Most are the ops ember already has (``expit`` is sigmoid, ``erf`` ...); ``logit`` and ``ndtr``
compose them. Not here yet: the gamma family (gammaln, digamma, polygamma, multigammaln), the
Bessel functions (i0, i0e, i1, i1e, ...), zeta, entr, erfcx, log_ndtr, ndtri.
"""

from __future__ import annotations

import math

from .autograd.function import named
from .ops.elementwise import _float_input, clamp, expm1, log, log1p, round, sigmoid
from .ops.pointwise import erf, erfc, erfinv
from .ops.pointwise_more import exp2, sinc, xlogy
from .ops.softmax import log_softmax, logsumexp, softmax
from .tensor import Tensor

__all__ = [
    "erf",
    "erfc",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "log1p",
    "log_softmax",
    "logit",
    "logsumexp",
    "ndtr",
    "round",
    "sinc",
    "softmax",
    "xlogy",
]

expit = sigmoid


def logit(input: Tensor, eps=None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to [eps, 1 - eps]."""
    x = _float_input(input)
    if eps is not None:
        x = clamp(x, eps, 1.0 - eps)
    return named(log(x / (1.0 - x)), "LogitBackward0")


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF, ``(1 + erf(x / sqrt(2))) / 2``."""
    return named(erfc(_float_input(input) * (-1.0 / math.sqrt(2.0))) * 0.5, "NdtrBackward0")
