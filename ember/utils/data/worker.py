"""Worker processes for ``DataLoader(num_workers=n)``: the loop each worker runs, and the main
process's iterator that feeds them and puts their batches back in order.

Protocol. The main process sends each worker ``(epoch, task, indices)`` on the worker's own
queue, round-robin, keeping at most ``prefetch_factor`` tasks per worker in flight. A worker
fetches and collates the batch and sends ``(epoch, task, payload)`` back on one shared pipe;
the main process yields payloads in task order, so the batches equal the single-process ones.
``None`` on a worker's queue stops it. The epoch number lets persistent workers start a new
epoch while results of an abandoned one are still on their way (those are dropped).
"""

from __future__ import annotations

import atexit
import io
import itertools
import multiprocessing
import multiprocessing.connection
import multiprocessing.util  # noqa: F401  (imported before our atexit hook: see _shutdown_all)
import os
import pickle
import queue
import random
import signal
import sys
import time
import traceback
import warnings
import weakref

import numpy as np

from ...tensor import Tensor, _make
from ._fetch import BaseIter, make_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_S = 0.1  # how often a waiting main process checks that its workers are still alive
_PARENT_POLL_S = 1.0  # how often an idle worker checks that its main process is still alive
_JOIN_S = 5.0  # how long shutdown waits for workers to stop before terminating them


class WorkerInfo:
    """What a worker process knows about itself: ``id``, ``num_workers``, ``seed``, and its
    copy of the ``dataset``. Read-only."""

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_keys", tuple(kwargs))

    def __setattr__(self, key, value):
        raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._keys)
        return f"{type(self).__name__}({fields})"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The current worker's :class:`WorkerInfo` inside a DataLoader worker process; ``None``
    in the main process.

    Example (an IterableDataset that splits its stream between workers):
        >>> info = get_worker_info()
        >>> start = 0 if info is None else info.id
        >>> step = 1 if info is None else info.num_workers
        >>> yield from islice(self.stream(), start, None, step)
    """
    return _worker_info


# -- moving batches between processes ----------------------------------------------------------


def _rebuild_tensor(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = _make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


class _Pickler(pickle.Pickler):
    """Pickles tensors as their arrays (NumPy's pickling is compact and fast): a batch needs
    no graph or file format, only its values."""

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return _rebuild_tensor, (obj._data, obj._rg)
        return NotImplemented


def _dumps(obj) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


class _IterationEnd:
    """A worker's answer once its IterableDataset copy has no batch left."""


class _KeyErrorText(str):
    # KeyError's str() is the repr of its argument; this keeps the traceback text readable.
    def __repr__(self) -> str:
        return str(self)


class _ExceptionWrapper:
    """An exception raised in a worker, carried to the main process and raised there."""

    def __init__(self, worker_id: int, where: str = "", fatal: bool = False):
        exc_type, exc, tb = sys.exc_info()
        self.worker_id = worker_id
        self.where = where
        self.fatal = fatal
        self.type_name = exc_type.__name__
        self.text = "".join(traceback.format_exception(exc_type, exc, tb))
        try:
            # The class travels by reference; one the main process cannot import is raised
            # as RuntimeError instead.
            pickle.dumps(exc_type)
            self.exc_type = exc_type
        except Exception:
            self.exc_type = None

    def exception(self) -> BaseException:
        msg = (
            f"Caught {self.type_name} in DataLoader worker process {self.worker_id}{self.where}."
            f"\nOriginal {self.text}"
        )
        if self.exc_type is KeyError:
            msg = _KeyErrorText(msg)
        try:
            return self.exc_type(msg)
        except Exception:
            # Exception classes whose constructor wants more than a message.
            return RuntimeError(msg)


# -- the worker's side ------------------------------------------------------------------------


def _seed_worker(base_seed: int, worker_id: int) -> int:
    from ... import random as _random

    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    # Without this, forked workers would share NumPy's global stream and draw the same
    # "random" augmentations.
    np.random.seed([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32])
    return seed


def _worker_loop(
    worker_id, num_workers, dataset, is_iterable, auto_collation, collate_fn, drop_last,
    base_seed, init_fn, index_queue, writer, write_lock, parent_pid,
):  # fmt: skip
    global _worker_info
    # Ctrl-C reaches the whole process group; the main process handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(dataset, bytes):  # pickled by the main process for spawn/forkserver
        dataset = pickle.loads(dataset)
    seed = _seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

    def send(epoch, task, payload) -> None:
        try:
            blob = _dumps((epoch, task, payload))
        except Exception:
            err = _ExceptionWrapper(worker_id, " while sending its batch to the main process")
            blob = _dumps((epoch, task, err))
        with write_lock:
            writer.send_bytes(blob)

    fetcher = init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
    except Exception:
        init_error = _ExceptionWrapper(worker_id, " (in worker_init_fn)", fatal=True)
    if init_error is None:
        try:
            fetcher = make_fetcher(dataset, is_iterable, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = _ExceptionWrapper(worker_id, " (in iter(dataset))", fatal=True)

    while True:
        try:
            msg = index_queue.get(timeout=_PARENT_POLL_S)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process is gone: do not linger
                return
            continue
        if msg is None:
            return
        epoch, task, index = msg
        if task is None:  # a persistent worker starts a new epoch
            if is_iterable and init_error is None:
                try:
                    fetcher = make_fetcher(
                        dataset, is_iterable, auto_collation, collate_fn, drop_last
                    )
                except Exception:
                    init_error = _ExceptionWrapper(worker_id, " (in iter(dataset))", fatal=True)
            continue
        if init_error is not None:
            send(epoch, task, init_error)
            continue
        try:
            payload = fetcher.fetch(index)
        except StopIteration:
            payload = _IterationEnd()
        except Exception:
            payload = _ExceptionWrapper(worker_id)
        send(epoch, task, payload)
        del payload  # free the batch before blocking on the next task


# -- the main process's side ------------------------------------------------------------------

_live: weakref.WeakSet = weakref.WeakSet()


def _shutdown_all() -> None:
    # Registered after multiprocessing's own exit hook, so it runs first (atexit is LIFO):
    # workers get a clean stop message before multiprocessing would terminate them.
    for it in list(_live):
        it._shutdown_workers()


atexit.register(_shutdown_all)


def _default_context():
    # NOTE: fork on Linux, as PyTorch gets by default there: the dataset needs no pickling, and
    # a script without an ``if __name__ == "__main__"`` guard (the seeds) is not re-run in each
    # worker as spawn would do. Elsewhere Python's default (spawn on macOS, where fork is unsafe).
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class MultiProcessIter(BaseIter):
    """Iterates a DataLoader with worker processes; batches come in the single-process order
    (``in_order=False`` yields them as they arrive instead)."""

    def __init__(self, loader):
        self._shutdown = True  # until the workers are up
        if loader.prefetch_factor <= 0:
            # PyTorch accepts 0 when building the loader and fails here, with this class.
            raise AssertionError(
                "prefetch_factor must be greater than 0 for worker processes, but got "
                f"prefetch_factor={loader.prefetch_factor}"
            )
        super().__init__(loader)
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor * loader.num_workers
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        self._in_order = loader.in_order
        self._owner_pid = os.getpid()
        ctx = loader.multiprocessing_context or _default_context()
        self._reader, self._writer = ctx.Pipe(duplex=False)
        self._write_lock = ctx.Lock()
        dataset = self._dataset
        if ctx.get_start_method() != "fork":
            dataset = _dumps(dataset)
        self._index_queues, self._workers = [], []
        for i in range(self._num_workers):
            q = ctx.Queue()
            args = (
                i, self._num_workers, dataset, self._is_iterable, self._auto_collation,
                self._collate_fn, self._drop_last, self._base_seed, loader.worker_init_fn, q,
                self._writer, self._write_lock, self._owner_pid,
            )  # fmt: skip
            w = ctx.Process(target=_worker_loop, args=args, daemon=True)
            self._index_queues.append(q)
            self._workers.append(w)
        with warnings.catch_warnings():
            # Python 3.12+ warns on any fork in a process with threads; NumPy's BLAS pool makes
            # that every process. Workers only run the dataset and collate code, as in PyTorch.
            warnings.filterwarnings(
                "ignore", r".*fork\(\) may lead to deadlocks", DeprecationWarning
            )
            for w in self._workers:
                w.start()
        self._shutdown = False
        _live.add(self)
        self._epoch = -1
        self._start_epoch()

    # -- epochs -------------------------------------------------------------------------------

    def _reset(self, loader) -> None:
        """Start another epoch on the same (persistent) workers."""
        self._reset_epoch(loader)
        for q in self._index_queues:
            q.put((self._epoch + 1, None, None))
        self._start_epoch()

    def _start_epoch(self) -> None:
        self._epoch += 1
        self._send_idx = 0
        self._rcvd_idx = 0
        self._outstanding: dict[int, int] = {}  # task -> worker, sent and not yet received
        self._buffer: dict[int, object] = {}  # task -> payload, received and not yet yielded
        self._active = [True] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        self._sampler_done = False
        for _ in range(self._prefetch):
            self._try_put_index()

    def _try_put_index(self) -> None:
        if self._sampler_done or len(self._outstanding) + len(self._buffer) >= self._prefetch:
            return
        for _ in range(self._num_workers):
            worker = next(self._cycle)
            if self._active[worker]:
                break
        else:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            self._sampler_done = True
            return
        self._index_queues[worker].put((self._epoch, self._send_idx, index))
        self._outstanding[self._send_idx] = worker
        self._send_idx += 1

    # -- iteration ----------------------------------------------------------------------------

    def __next__(self):
        while not self._shutdown:
            if self._in_order and self._rcvd_idx in self._buffer:
                payload = self._buffer.pop(self._rcvd_idx)
            elif not self._in_order and self._buffer:
                payload = self._buffer.pop(next(iter(self._buffer)))
            elif not self._outstanding and not self._buffer:
                break
            else:
                self._receive()
                continue
            self._rcvd_idx += 1
            self._try_put_index()
            if isinstance(payload, _IterationEnd):
                continue
            if isinstance(payload, _ExceptionWrapper):
                if payload.fatal:
                    self._shutdown_workers()
                exc = payload.exception()
                # NOTE: the traceback keeps this frame alive; without ``self`` in it, a caught
                # error does not keep the iterator, and so the worker processes, alive.
                del self, payload
                raise exc
            self._num_yielded += 1
            return payload
        if not self._persistent:
            self._shutdown_workers()
        raise StopIteration

    def _receive(self) -> None:
        """Wait for one result of this epoch and file it."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = (
                _POLL_S if deadline is None else max(0.0, min(_POLL_S, deadline - time.monotonic()))
            )
            if self._reader.poll(wait):
                epoch, task, payload = pickle.loads(self._reader.recv_bytes())
                if epoch != self._epoch:
                    continue  # a result of an abandoned epoch
                worker = self._outstanding.pop(task)
                if isinstance(payload, _IterationEnd):
                    self._active[worker] = False
                self._buffer[task] = payload
                return
            self._check_workers()
            if deadline is not None and time.monotonic() >= deadline:
                self._shutdown_workers(wait=False)
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _check_workers(self) -> None:
        for i, w in enumerate(self._workers):
            if not w.is_alive():
                code = w.exitcode
                self._shutdown_workers(wait=False)
                why = f"exit code {code}"
                if code is not None and code < 0:
                    name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
                    why = f"killed by signal {name}"
                    if -code == signal.SIGKILL:
                        why += " (often the out-of-memory killer: try fewer workers)"
                raise RuntimeError(
                    f"DataLoader worker {i} (pid(s) {w.pid}) exited unexpectedly: {why}"
                )

    # -- shutdown -----------------------------------------------------------------------------

    def _shutdown_workers(self, wait: bool = True) -> None:
        """Stop the workers: ask them, give them ``_JOIN_S`` to finish their current batch
        (none with ``wait=False``, when they are stuck or one crashed), then terminate."""
        # A forked worker holds a copy of this object; only the process that made it cleans up.
        if self._shutdown or os.getpid() != self._owner_pid:
            return
        self._shutdown = True
        _live.discard(self)
        for q in self._index_queues:
            q.put(None)
        deadline = time.monotonic() + (_JOIN_S if wait else 0.0)
        alive = [w for w in self._workers if w.is_alive()]
        while alive and time.monotonic() < deadline:
            # Drain results meanwhile: a worker blocked on a full pipe must finish its send
            # before it can read its stop message.
            ready = multiprocessing.connection.wait(
                [self._reader] + [w.sentinel for w in alive], timeout=deadline - time.monotonic()
            )
            if self._reader in ready:
                self._reader.recv_bytes()
            alive = [w for w in alive if w.is_alive()]
        for w in alive:
            w.terminate()
        for w in self._workers:
            w.join()  # reaps the process: no zombies left behind
        for q in self._index_queues:
            # The workers are gone, so nothing will read what is still queued.
            q.cancel_join_thread()
            q.close()
        self._reader.close()
        self._writer.close()

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:
            pass
