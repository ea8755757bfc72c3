"""ember.set_num_threads / get_num_threads drive NumPy's OpenBLAS; ember starts it with one
thread unless the environment chose (ember/_threads.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import ember
from ember import _threads

CODE = "import ember; print(ember.get_num_threads())"
requires_openblas = pytest.mark.skipif(not _threads._openblas(), reason="NumPy without OpenBLAS")


def _threads_at_import(**env_values) -> int:
    env = {k: v for k, v in os.environ.items() if k not in _threads._ENV}
    env.update(env_values)
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return int(out.stdout)


@requires_openblas
def test_one_thread_by_default():
    assert _threads_at_import() == 1


@requires_openblas
@pytest.mark.parametrize("var", ["EMBER_NUM_THREADS", "OPENBLAS_NUM_THREADS"])
def test_the_environment_chooses(var):
    assert _threads_at_import(**{var: "2"}) == 2


@requires_openblas
def test_set_and_get():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(2)
        assert ember.get_num_threads() == 2
    finally:
        ember.set_num_threads(before)


@pytest.mark.parametrize(
    "value, message",
    [
        (0, "set_num_threads expects a positive integer"),
        (-1, "set_num_threads expects a positive integer"),
        (1.5, "set_num_threads expects an int, but got float"),
    ],
)
def test_bad_counts_raise_as_torch(value, message):
    with pytest.raises(RuntimeError, match=message):
        ember.set_num_threads(value)
