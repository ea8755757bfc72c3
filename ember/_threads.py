"""BLAS threads: ``ember.set_num_threads`` / ``get_num_threads`` over NumPy's OpenBLAS, and
ember's default of one thread.

ember's own kernels (elementwise ops, im2col, pooling) run on one thread; only the matrix
products inside OpenBLAS use more. OpenBLAS's threads spin while they wait, and a product split
over two threads finishes when the slower half does: on a machine where anything else runs,
that half waits for a whole scheduler slice.

NOTE: measured on the 2-core bench machine while other processes ran (load 3-4): an MLP
training step (784-512-256-10, batch 64) took 23-38 ms with two OpenBLAS threads against
5.2-5.5 ms with one, a LeNet-5 step 40-140 ms against 8.4-8.9 ms; PyTorch with its two threads
took 5.4-5.9 and 16-79 ms. On an idle machine two threads make large products up to 2x faster,
so a user who owns the machine can ask for them: ``ember.set_num_threads(2)``, or
``EMBER_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` in the environment (any of
them set means ember leaves the count alone at import).
"""

from __future__ import annotations

import ctypes
import os
import re

_ENV = ("EMBER_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
_SET = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_")
_GET = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_")

_api: list | None = None  # [(set, get)] of each OpenBLAS loaded in this process


def _openblas() -> list:
    """The thread functions of the OpenBLAS libraries NumPy loaded (none off Linux or with
    another BLAS)."""
    global _api
    if _api is None:
        _api = []
        try:
            with open("/proc/self/maps") as f:
                paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", f.read())))
        except OSError:
            paths = []
        for path in paths:
            lib = ctypes.CDLL(path)
            set_, get = (
                next((getattr(lib, n) for n in ns if hasattr(lib, n)), None) for ns in (_SET, _GET)
            )
            if set_ is not None and get is not None:
                set_.argtypes = (ctypes.c_int,)
                _api.append((set_, get))
    return _api


def set_num_threads(n: int) -> None:
    """Threads of the matrix products (NumPy's OpenBLAS), as ``torch.set_num_threads``."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    for set_, _ in _openblas():
        set_(n)


def get_num_threads() -> int:
    """Threads of the matrix products; the usable CPUs when the BLAS is not OpenBLAS."""
    api = _openblas()
    if api:
        return int(api[0][1]())
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def default() -> None:
    """At import: one BLAS thread unless the environment chose (see the module docstring)."""
    if any(os.environ.get(name) for name in _ENV):
        n = os.environ.get("EMBER_NUM_THREADS")
        if n:
            set_num_threads(int(n))
        return
    set_num_threads(1)
