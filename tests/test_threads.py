"""ember.set_num_threads / get_num_threads, and when ember uses more than one thread
(ember/_threads.py): all the usable CPUs while no other process runs, unless the user or the
environment chose a count."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import ember
from ember import _threads

CODE = (
    "import ember, ember._threads as t; "
    "print(ember.get_num_threads(), t._chosen, t._openblas()[0][1]() if t._openblas() else 1)"
)
requires_openblas = pytest.mark.skipif(not _threads._openblas(), reason="NumPy without OpenBLAS")


def _at_import(**env_values) -> tuple:
    """(get_num_threads(), whether the count was chosen, OpenBLAS's threads) in a fresh ember."""
    env = {k: v for k, v in os.environ.items() if k not in _threads._ENV}
    env.update(env_values)
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    n, chosen, blas = out.stdout.split()
    return int(n), chosen == "True", int(blas)


@requires_openblas
def test_by_default_every_usable_cpu_adaptively_and_one_blas_thread_at_import():
    assert _at_import() == (_threads.usable_cpus(), False, 1)


@requires_openblas
@pytest.mark.parametrize("var", ["EMBER_NUM_THREADS", "OPENBLAS_NUM_THREADS"])
def test_the_environment_chooses(var):
    assert _at_import(**{var: "2"}) == (2, True, 2)


@requires_openblas
def test_set_and_get():
    before = (_threads._limit, _threads._chosen, _threads.blas_threads())
    try:
        ember.set_num_threads(2)
        assert ember.get_num_threads() == 2
        assert _threads._openblas()[0][1]() == 2
        _threads.for_product(1)  # a chosen count holds for small products too
        assert _threads._openblas()[0][1]() == 2
    finally:
        _threads._limit, _threads._chosen = before[:2]
        _threads.set_blas_threads(before[2])


@pytest.fixture
def adaptive(monkeypatch):
    monkeypatch.setattr(_threads, "_limit", 2)
    monkeypatch.setattr(_threads, "_chosen", False)
    monkeypatch.setattr(_threads, "_next_look", 0.0)
    yield
    _threads.set_blas_threads(1)


@requires_openblas
@pytest.mark.parametrize("others, big, expected", [(0, True, 2), (0, False, 1), (1, True, 1)])
def test_big_products_use_every_thread_only_on_a_quiet_machine(
    monkeypatch, adaptive, others, big, expected
):
    monkeypatch.setattr(_threads, "others_running", lambda: others)
    _threads.for_product(_threads._BIG if big else _threads._BIG - 1)
    assert _threads._openblas()[0][1]() == expected
    assert _threads.spare() == (2 if others == 0 else 1)


@requires_openblas
@pytest.mark.parametrize("reads_params, expected", [(False, 2), (True, 1)])
def test_products_that_read_no_parameter_split_from_a_smaller_size(
    monkeypatch, adaptive, reads_params, expected
):
    monkeypatch.setattr(_threads, "others_running", lambda: 0)
    monkeypatch.setattr(_threads, "_split_until", 0.0)
    _threads.for_product(_threads._BIG_GRADIENT, reads_params)
    assert _threads._openblas()[0][1]() == expected


@pytest.mark.parametrize("x_grad", [False, True])
def test_only_weight_gradients_are_products_that_read_no_parameter(monkeypatch, x_grad):
    from ember.ops import linalg, linear

    calls = []
    record = lambda macs, reads_params=True: calls.append(reads_params)  # noqa: E731
    monkeypatch.setattr(linalg, "for_product", record)
    monkeypatch.setattr(linear, "for_product", record)
    x = ember.randn(4, 3, requires_grad=x_grad)
    w = ember.randn(3, 2, requires_grad=True)
    x.mm(w).sum().backward()
    # forward reads w; x's gradient g w^T reads w; w's gradient x^T g reads x, a parameter
    # only when it is a leaf that requires grad
    assert calls == ([True, True, True] if x_grad else [True, False])
    calls.clear()
    h = ember.randn(4, 3, requires_grad=True) * 2  # an activation, not a leaf
    ember.nn.Linear(3, 2)(h).sum().backward()
    assert calls == [True, True, False]


def test_the_machine_is_looked_at_once_per_interval(monkeypatch, adaptive):
    looks = []
    monkeypatch.setattr(_threads, "others_running", lambda: looks.append(1) or 0)
    for _ in range(100):
        _threads.spare()
    assert len(looks) == 1


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="needs Linux's /proc")
def test_others_running_leaves_out_this_process():
    # This process is running (it reads the files), but it is not another process.
    assert 0 <= _threads.others_running() < 1 << 20


def test_without_proc_ember_keeps_to_one_thread(monkeypatch, adaptive):
    def no_proc(*a, **k):
        raise OSError("no /proc here")

    monkeypatch.setattr("builtins.open", no_proc)
    assert _threads.others_running() == 1 << 20
    assert _threads.spare() == 1


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


@requires_openblas
def test_big_products_keep_one_thread_while_ember_workers_are_in_use(monkeypatch, adaptive):
    from ember import _parallel

    monkeypatch.setattr(_threads, "others_running", lambda: 0)
    monkeypatch.setattr(_threads, "_split_until", 0.0)
    _parallel.map(lambda i: i, [0, 1])  # the workers split a kernel
    _threads.for_product(_threads._BIG)
    assert _threads._openblas()[0][1]() == 1
    monkeypatch.setattr(_threads, "_split_until", 0.0)  # ... long ago
    _threads.for_product(_threads._BIG)
    assert _threads._openblas()[0][1]() == 2
