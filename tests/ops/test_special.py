"""erf, erfc and the normal CDF (ember/ops/_special.py) against Python's math module."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from ember.ops import _special

X = np.concatenate([np.linspace(-30, 30, 6001), [0.0, -0.0, 1.0, -1.0, 1e-30, 1e30, -1e30]])


@pytest.mark.parametrize(
    "dtype,tol_erf,tol_tail", [(np.float64, 2e-15, 1e-12), (np.float32, 2e-7, 2e-5)]
)
def test_against_math(dtype, tol_erf, tol_tail):
    x = X.astype(dtype)
    x64 = x.astype(np.float64)
    erf = _special.erf(x)
    erfc = _special.erfc(x)
    assert erf.dtype == dtype and erfc.dtype == dtype
    np.testing.assert_allclose(erf, [math.erf(v) for v in x64], rtol=0, atol=tol_erf)
    ref = np.array([math.erfc(v) for v in x64])
    ok = ref > np.finfo(dtype).tiny * 1e6  # relative accuracy where erfc is representable
    np.testing.assert_allclose(erfc[ok], ref[ok], rtol=tol_tail)
    ndtr = _special.ndtr(x)
    phi = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x64])
    ok = phi > np.finfo(dtype).tiny * 1e6
    np.testing.assert_allclose(ndtr[ok], phi[ok], rtol=tol_tail)


def test_special_values_without_warnings():
    x = np.array([np.inf, -np.inf, np.nan, 0.0], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        erf, erfc, ndtr = _special.erf(x), _special.erfc(x), _special.ndtr(x)
    np.testing.assert_array_equal(erf[:2], [1, -1])
    np.testing.assert_array_equal(erfc[:2], [0, 2])
    np.testing.assert_array_equal(ndtr[:2], [1, 0])
    assert np.isnan(erf[2]) and erf[3] == 0 and ndtr[3] == 0.5
