"""ember's worker threads: the batch of a convolution or pooling kernel split across the cores.

NumPy releases the GIL inside its copies, ufunc loops and matrix products, so Python threads
that each take a slice of the batch run truly in parallel. Only ember's kernels use them, as
many as ``_threads.spare()`` allows (one, so no split, while other processes run); the matrix
products inside each slice stay on one OpenBLAS thread.

NOTE: on the 2-core bench machine (a VM) waking a blocked worker takes 100-200 us once its
CPU has gone idle, so only kernels of a few milliseconds' work gain much (``_im2col._MIN_SPLIT``).
LeNet-5's second conv at batch 256: forward 3.0 -> 1.9 ms, weight gradient 2.1 -> 1.2, input
gradient 4.1 -> 2.4; at batch 64: 0.73 -> 0.60, 0.50 -> 0.38, 0.90 -> 0.85.
"""

from __future__ import annotations

import os
import queue
import threading

from . import _threads

_pool: _Pool | None = None


class _Pool:
    """``size`` daemon threads, each waiting on its own inbox for a job to run."""

    def __init__(self, size: int):
        self.size = size
        self.inboxes = [queue.SimpleQueue() for _ in range(size)]
        self.done = queue.SimpleQueue()
        self.busy = threading.Lock()
        for inbox in self.inboxes:
            threading.Thread(target=self._serve, args=(inbox,), daemon=True).start()

    def _serve(self, inbox) -> None:
        while True:
            job = inbox.get()
            if job is None:
                return
            job()
            self.done.put(None)

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)


def map(fn, items) -> list:  # noqa: A001 (the builtin's contract, on threads)
    """``[fn(item) for item in items]``, the items shared out among the worker threads.

    The calling thread takes items too. A call from inside a job, or while another thread's
    call holds the pool, runs serially rather than wait for busy workers.
    """
    global _pool
    n = len(items)
    workers = min(_threads.spare(), n)
    if workers <= 1:
        return [fn(item) for item in items]
    pool = _pool
    if pool is None or pool.size < workers - 1:
        if pool is not None:
            pool.close()
        pool = _pool = _Pool(workers - 1)
    if not pool.busy.acquire(blocking=False):
        return [fn(item) for item in items]
    _threads.workers_used()
    # The slices' own products run on one OpenBLAS thread each.
    blas = _threads.blas_threads()
    if blas != 1:
        _threads.set_blas_threads(1)
    try:
        results = [None] * n
        errors = []
        # NOTE: one iterator shared by all threads: a range iterator's next() runs under the
        # GIL without releasing it, so each index goes to exactly one thread.
        indices = iter(range(n))

        def job():
            try:
                for i in indices:
                    results[i] = fn(items[i])
            except BaseException as e:  # re-raised in the caller below
                errors.append(e)

        helpers = pool.inboxes[: workers - 1]
        for inbox in helpers:
            inbox.put(job)
        job()
        for _ in helpers:
            pool.done.get()
    finally:
        if blas != 1:
            _threads.set_blas_threads(blas)
        pool.busy.release()
    if errors:
        raise errors[0]
    return results


def batch_slices(n: int, work: int, min_split: int, most: int | None = None) -> list:
    """Slices of a batch of ``n`` for ``map``: one per thread ember may spare when ``work`` (in
    any unit) reaches ``min_split``, else one; at most ``most`` samples each."""
    if n == 0:
        return [slice(0, 0)]
    k = min(_threads.spare(), n) if work >= min_split else 1
    if most:
        k = max(k, -(-n // most))
    step = -(-n // k)
    return [slice(s, min(s + step, n)) for s in range(0, n, step)]


def _after_fork_in_child() -> None:
    # A forked child (a DataLoader worker) has none of the parent's threads.
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
