"""ember's threads: ``ember.set_num_threads`` / ``get_num_threads``, and when to use them.

Two kinds of threads do ember's work besides the caller's: OpenBLAS's, inside the matrix
products, and ember's own workers (``_parallel``), which run batch slices of the convolution
and max-pooling kernels. ``get_num_threads()`` is how many ember may use: the usable CPUs
unless the user or the environment (``EMBER_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS``) chose.

A count the user chose holds for every product. By default ember adapts, because OpenBLAS's
threads spin while they wait and a product split over two threads finishes when the slower
half does: each matrix product of at least ``_BIG`` multiply-adds gets all the threads while
no other process is running, and one thread otherwise (``for_product``); a product that
reads no parameter (a weight gradient) from ``_BIG_GRADIENT``.

NOTE: measured on the 2-core bench machine (a VM, Intel Xeon). While other processes ran
(load 3-4), an MLP training step (784-512-256-10, batch 64) took 23-38 ms with two OpenBLAS
threads against 5.2-5.5 ms with one, a LeNet-5 step 40-140 ms against 8.4-8.9 ms. On an idle
machine two threads took the MLP step from 2.02 to 1.65 ms (hand-written NumPy) but made the
seed net (products of 6.4 M multiply-adds) slower: 138 -> 176 ms for 500 steps.
"""

from __future__ import annotations

import ctypes
import os
import re
import time

_ENV = ("EMBER_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
_SET = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_")
_GET = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_")

# Multiply-adds from which a product gets more than one OpenBLAS thread (see the NOTE above).
_BIG = 8_000_000
# ... for a product that reads no parameter (a weight gradient, g^T x). NOTE: an array read on
# two cores sits in both caches, and writing it then costs the invalidation of the other copy:
# the optimizer's in-place update pays that for a parameter the product read. Seed net by hand
# (64x1000 -> 100 -> 10, products of 6.4 M): 294 us a step on one thread, 386 with x @ w1 on
# two, 259 with only the weight gradient x^T g on two (60 against 105 us for that product).
_BIG_GRADIENT = 2_000_000
# Seconds between two looks at what else runs on the machine.
_LOOK_EVERY = 0.25

_api: list | None = None  # [(set, get)] of each OpenBLAS loaded in this process
_limit = 1  # threads ember may use
_chosen = False  # the user or the environment chose _limit: no adapting
_blas = None  # OpenBLAS's current thread count, as ember last set it
_quiet = False  # no other process was running at the last look
_next_look = 0.0
_split_until = 0.0  # ember's own workers were in use until recently (see for_product)


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


def set_blas_threads(n: int) -> None:
    """OpenBLAS's thread count, for the next products."""
    global _blas
    _blas = n
    for set_, _ in _openblas():
        set_(n)


def blas_threads() -> int:
    """OpenBLAS's thread count as ember last set it (1 before it did)."""
    return _blas or 1


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def set_num_threads(n: int) -> None:
    """Threads ember may use, as ``torch.set_num_threads``: every product and kernel uses them,
    whatever else runs on the machine."""
    global _limit, _chosen
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _limit, _chosen = n, True
    set_blas_threads(n)


def get_num_threads() -> int:
    """Threads ember may use (the usable CPUs unless chosen)."""
    return _limit


def others_running() -> int:
    """Threads of other processes running right now, from /proc (a large number where /proc
    cannot tell, so that ember then keeps to one thread)."""
    try:
        with open("/proc/loadavg") as f:
            running = int(f.read().split()[3].split("/")[0])
        own = 0
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat") as f:
                    # The state follows the command name, which may hold spaces and ')'.
                    own += f.read().rpartition(")")[2].split()[0] == "R"
            except OSError:  # the thread ended meanwhile
                pass
    except (OSError, ValueError, IndexError):
        return 1 << 20
    return running - own


def spare() -> int:
    """Threads ember may use now: all of them when the user chose, or when no other process
    was running at the last look (taken at most every ``_LOOK_EVERY`` seconds), else one."""
    global _quiet, _next_look
    if _chosen or _limit == 1:
        return _limit
    now = time.monotonic()
    if now >= _next_look:
        _quiet = others_running() <= 0
        _next_look = now + _LOOK_EVERY
    return _limit if _quiet else 1


def workers_used() -> None:
    """Called when ember's own workers take a kernel's batch slices (``_parallel.map``)."""
    global _split_until
    _split_until = time.monotonic() + _LOOK_EVERY


def for_product(macs: int, reads_params: bool = True) -> None:
    """Give OpenBLAS the threads a product of ``macs`` multiply-adds should use; a product that
    reads no parameter (``reads_params`` False) splits from a smaller size.

    NOTE: one thread while ember's own workers were recently in use: OpenBLAS's idle threads
    spin for ~0.1 s after a product, on the core a worker needs. LeNet-5 step at batch 256
    (its 12 M multiply-add linear layers): 27 ms with two OpenBLAS threads there, 24 without.
    """
    if _chosen:
        return
    big = macs >= (_BIG if reads_params else _BIG_GRADIENT)
    n = spare() if big and time.monotonic() >= _split_until else 1
    if n != _blas:
        set_blas_threads(n)


def default() -> None:
    """At import: adapt up to the usable CPUs, unless the environment chose a count."""
    global _limit, _chosen, _blas
    for name in _ENV:
        value = os.environ.get(name)
        if value:
            try:
                n = int(value)
            except ValueError:
                continue
            if n > 0:
                _limit, _chosen = n, True
                if name == "EMBER_NUM_THREADS":
                    set_blas_threads(n)
                else:  # OpenBLAS read the variable itself
                    api = _openblas()
                    _blas = int(api[0][1]()) if api else n
                return
    _limit = usable_cpus()
    set_blas_threads(1)
