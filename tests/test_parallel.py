"""ember._parallel: the worker threads that run the kernels' batch slices."""

from __future__ import annotations

import os
import threading

import pytest

from ember import _parallel, _threads


@pytest.fixture
def two_workers(monkeypatch):
    monkeypatch.setattr(_threads, "_limit", 2)
    monkeypatch.setattr(_threads, "_chosen", True)


def test_map_keeps_order_and_uses_both_threads(two_workers):
    seen = set()
    started = threading.Barrier(2, timeout=10)

    def work(i):
        if i < 2:
            started.wait()  # returns only when two threads run items at once
        seen.add(threading.get_ident())
        return i * i

    assert _parallel.map(work, list(range(7))) == [i * i for i in range(7)]
    assert len(seen) == 2


def test_map_with_one_worker_stays_on_the_calling_thread(monkeypatch):
    monkeypatch.setattr(_threads, "_limit", 1)
    me = threading.get_ident()
    assert _parallel.map(lambda i: threading.get_ident(), [0, 1, 2]) == [me] * 3


def test_an_error_in_a_slice_reaches_the_caller(two_workers):
    def work(i):
        if i == 3:
            raise ValueError("slice 3 is bad")
        return i

    with pytest.raises(ValueError, match="slice 3 is bad"):
        _parallel.map(work, list(range(6)))
    assert _parallel.map(lambda i: i, [0, 1]) == [0, 1]  # the pool still works


def test_nested_map_runs_serially_instead_of_deadlocking(two_workers):
    def outer(i):
        return sum(_parallel.map(lambda j: i * j, [1, 2, 3]))

    assert _parallel.map(outer, [1, 2, 3, 4]) == [6, 12, 18, 24]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_its_own_pool(two_workers):
    _parallel.map(lambda i: i, [0, 1])  # the parent's pool exists
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's threads are gone, a new pool must serve it
        try:
            ok = _parallel._pool is None and _parallel.map(lambda i: i + 1, [0, 1]) == [1, 2]
            os.write(w, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(w)
    answer = os.read(r, 1)
    os.waitpid(pid, 0)
    assert answer == b"1"
