"""ember's worker threads: the batch of a convolution or pooling kernel split across the cores.

NumPy releases the GIL inside its copies, ufunc loops and matrix products, so Python threads
that each take a slice of the batch run truly in parallel. Only ember's kernels use them; the
matrix products inside each slice stay on one OpenBLAS thread (``_threads``).

Unlike OpenBLAS's threads, which spin while they wait, these block: on a machine where other
processes run, a split costs the same CPU time as no split, plus its dispatch (~10 us).

NOTE: measured on the 2-core bench machine, LeNet-5's convolutions at batch 64 (forward,
weight and input gradients): 2.28 -> 1.47 ms (first conv), 2.16 -> 1.71 ms (second); at batch
256: 13.5 -> 6.0 ms and 10.5 -> 5.5 ms.
"""

from __future__ import annotations

import os
import queue
import threading

_workers: int | None = None  # threads used by map(), the caller's included
_pool: _Pool | None = None


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def get_workers() -> int:
    global _workers
    if _workers is None:
        _workers = usable_cpus()
    return _workers


def set_workers(n: int) -> None:
    """Use ``n`` threads (the caller's included) for the kernels' batch slices."""
    global _workers, _pool
    _workers = n
    if _pool is not None and _pool.size != n - 1:
        _pool.close()
        _pool = None


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
    workers = min(get_workers(), n)
    if workers <= 1:
        return [fn(item) for item in items]
    pool = _pool
    if pool is None:
        pool = _pool = _Pool(get_workers() - 1)
    if not pool.busy.acquire(blocking=False):
        return [fn(item) for item in items]
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
        pool.busy.release()
    if errors:
        raise errors[0]
    return results


def _after_fork_in_child() -> None:
    # A forked child (a DataLoader worker) has none of the parent's threads.
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
