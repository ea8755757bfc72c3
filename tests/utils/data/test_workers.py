"""DataLoader with worker processes: the same batches as in one process, errors that surface,
and no process left behind."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    get_worker_info,
)


class Records(Dataset):
    def __init__(self, n=11, fail_at=None, exc=ValueError):
        self.n, self.fail_at, self.exc = n, fail_at, exc

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise self.exc(f"sample {i} is broken")
        return {"x": np.full(3, i, np.float32), "y": i % 2, "name": f"r{i}"}


class WhoAmI(Dataset):
    """Each sample says which worker made it, and with which random state."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "worker": -1 if info is None else info.id,
            "num_workers": 0 if info is None else info.num_workers,
            "seed": 0 if info is None else info.seed,
            "ember_rand": ember.rand(1).item(),
            "np_rand": float(np.random.random()),
            "init": _INIT.get("worker", -1),
        }


_INIT: dict = {}


def _init(worker_id):
    _INIT["worker"] = worker_id * 10


def _flat(batches):
    """Batches as plain Python values, for comparing."""
    out = []
    for b in batches:
        if isinstance(b, ember.Tensor):
            out.append(("T", str(b.dtype), b.tolist()))
        elif isinstance(b, dict):
            out.append({k: _flat([v])[0] for k, v in b.items()})
        elif isinstance(b, (list, tuple)):
            out.append([_flat([v])[0] for v in b])
        else:
            out.append(b)
    return out


_X = ember.from_numpy(np.random.default_rng(0).standard_normal((13, 2), dtype=np.float32))


def _no_children_left():
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: DataLoader(Records(), **kw),
        lambda **kw: DataLoader(TensorDataset(_X, ember.arange(13)), **kw),
    ],
    ids=["records", "tensors"],
)
@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 3},
        {"batch_size": 3, "shuffle": True},
        {"batch_size": 4, "drop_last": True, "shuffle": True},
        {"batch_size": None},
        {"batch_sampler": [[0, 9], [4], [1, 2, 3]]},
        {"batch_size": 2, "prefetch_factor": 1},
    ],
)
def test_workers_give_the_single_process_batches(make, kw):
    ember.manual_seed(11)
    single = {k: v for k, v in kw.items() if k != "prefetch_factor"}
    want = [_flat(make(**single)) for _ in range(2)]
    for workers in (1, 3):
        ember.manual_seed(11)
        loader = make(num_workers=workers, **kw)
        got = [_flat(loader) for _ in range(2)]  # two epochs: two shuffles
        assert got == want
    _no_children_left()


def test_persistent_workers_keep_their_processes_and_the_order():
    ember.manual_seed(5)
    want = [_flat(DataLoader(Records(), batch_size=2, shuffle=True)) for _ in range(3)]
    ember.manual_seed(5)
    loader = DataLoader(
        Records(), batch_size=2, shuffle=True, num_workers=2, persistent_workers=True
    )
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    got = [_flat(it)]
    for _ in range(2):
        it2 = iter(loader)
        assert it2 is it and [w.pid for w in it2._workers] == pids
        got.append(_flat(it2))
    assert got == want
    # An epoch abandoned half-way does not leak its batches into the next one.
    partial = iter(loader)
    next(partial)
    assert len(_flat(iter(loader))) == len(loader)
    it._shutdown_workers()
    _no_children_left()


def test_in_order_false_gives_the_same_batches_in_some_order():
    want = _flat(DataLoader(Records(), batch_size=2))
    got = _flat(DataLoader(Records(), batch_size=2, num_workers=2, in_order=False))
    assert sorted(map(repr, got)) == sorted(map(repr, want))


def test_worker_info_seeds_and_init_fn():
    assert get_worker_info() is None
    loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2, worker_init_fn=_init)
    ember.manual_seed(0)
    first = list(loader)
    workers = [s["worker"] for s in first]
    assert workers == [0, 1, 0, 1, 0, 1]  # round-robin, in order
    assert all(s["num_workers"] == 2 for s in first)
    assert [s["init"] for s in first] == [10 * w for w in workers]
    assert first[0]["seed"] + 1 == first[1]["seed"]  # base_seed + worker id
    # Workers draw different random numbers (ember's and NumPy's), reproducibly.
    assert first[0]["ember_rand"] != first[1]["ember_rand"]
    assert first[0]["np_rand"] != first[1]["np_rand"]
    ember.manual_seed(0)
    assert list(loader) == first
    assert list(loader) != first  # a new base seed each epoch
    assert "worker" not in _INIT  # worker_init_fn ran in the workers only


def test_worker_info_is_read_only():
    def grab(batch):
        info = get_worker_info()
        try:
            info.id = 5
        except RuntimeError as e:
            return (repr(info), str(e))

    r, err = next(iter(DataLoader(range(2), num_workers=1, collate_fn=grab)))
    assert r.startswith("WorkerInfo(id=0, num_workers=1, seed=")
    assert "Cannot assign attributes to WorkerInfo objects" in err


def test_an_exception_in_a_worker_surfaces_naming_the_worker():
    loader = DataLoader(Records(fail_at=4), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as e:
        list(loader)
    text = str(e.value)
    assert "Caught ValueError in DataLoader worker process 0." in text
    assert "sample 4 is broken" in text and "Traceback" in text
    gc.collect()
    _no_children_left()


def test_worker_errors_keep_their_class_when_they_can():
    with pytest.raises(KeyError) as e:
        list(DataLoader(Records(fail_at=1, exc=KeyError), num_workers=2))
    assert "Caught KeyError in DataLoader worker process 1." in str(e.value)
    assert "\n" in str(e.value)  # readable, not KeyError's repr of one line

    class NeedsTwo(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)

    def bad(i):
        raise NeedsTwo(1, 2)

    with pytest.raises(RuntimeError, match="Caught NeedsTwo in DataLoader worker process 0"):
        list(DataLoader(range(3), num_workers=1, collate_fn=bad))


def test_iteration_goes_on_after_a_worker_error():
    it = iter(DataLoader(Records(n=6, fail_at=2), batch_size=2, num_workers=2))
    assert _flat([next(it)])[0]["y"][2] == [0, 1]
    with pytest.raises(ValueError):
        next(it)
    assert _flat([next(it)])[0]["name"] == ["r4", "r5"]
    with pytest.raises(StopIteration):
        next(it)


def test_worker_init_fn_failure_surfaces():
    def boom(worker_id):
        raise OSError("no GPU in the worker")

    with pytest.raises(OSError, match="worker process 0 .in worker_init_fn.") as e:
        list(DataLoader(range(4), num_workers=1, worker_init_fn=boom))
    assert "no GPU in the worker" in str(e.value)
    _no_children_left()


def test_a_batch_that_cannot_be_sent_is_an_error_not_a_hang():
    with pytest.raises(Exception, match="while sending its batch to the main process"):
        list(DataLoader(range(2), num_workers=1, collate_fn=lambda b: lambda: b))
    gc.collect()
    _no_children_left()


class _Killer(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_a_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match=r"worker 0 \(pid\(s\) \d+\) exited unexpectedly"):
        list(DataLoader(_Killer(), num_workers=1))
    _no_children_left()


class _Slow(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(0.6)
        return i


def test_timeout():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.1 seconds"):
        list(DataLoader(_Slow(), num_workers=1, timeout=0.1))
    _no_children_left()


def test_abandoned_iterators_stop_their_workers():
    it = iter(DataLoader(Records(), batch_size=2, num_workers=2))
    workers = list(it._workers)
    next(it)
    del it
    gc.collect()
    assert all(w.exitcode == 0 for w in workers)
    _no_children_left()


def test_spawned_workers_give_the_same_batches():
    ds = TensorDataset(ember.randn(7, 2), ember.arange(7))
    want = _flat(DataLoader(ds, batch_size=3))
    got = _flat(DataLoader(ds, batch_size=3, num_workers=1, multiprocessing_context="spawn"))
    assert got == want


class Shard(IterableDataset):
    """Splits range(n) between workers, as PyTorch's documentation shows."""

    def __init__(self, m, n):
        self.m, self.n = m, n

    def __iter__(self):
        info = self.m.utils.data.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        yield from range(start, self.n, step)


@requires_torch
@pytest.mark.parametrize("kw", [{"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {}])
def test_iterable_dataset_with_workers_as_torch(kw):
    class TorchShard(Shard, torch.utils.data.IterableDataset):
        pass

    ours = DataLoader(Shard(ember, 9), num_workers=2, **kw)
    theirs = torch.utils.data.DataLoader(TorchShard(torch, 9), num_workers=2, **kw)
    want = [b.tolist() for b in theirs]
    assert [b.tolist() for b in ours] == want
    # Single-process: the whole stream once.
    ours = DataLoader(Shard(ember, 9), **kw)
    theirs = torch.utils.data.DataLoader(TorchShard(torch, 9), **kw)
    assert [b.tolist() for b in ours] == [b.tolist() for b in theirs]


def test_persistent_workers_restart_an_iterable_dataset():
    loader = DataLoader(Shard(ember, 5), num_workers=2, persistent_workers=True)
    first = [b.item() for b in loader]
    assert sorted(first) == [0, 1, 2, 3, 4]
    assert [b.item() for b in loader] == first
    loader._iterator._shutdown_workers()


def test_persistent_workers_are_stopped_at_exit():
    script = textwrap.dedent(
        """
        import ember
        from ember.utils.data import DataLoader
        loader = DataLoader(range(100), batch_size=2, num_workers=2, persistent_workers=True)
        it = iter(loader)
        next(it)
        print(" ".join(str(w.pid) for w in it._workers), flush=True)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    for pid in map(int, out.stdout.split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_main_process_is_killed():
    script = textwrap.dedent(
        """
        import os, signal
        from ember.utils.data import DataLoader
        it = iter(DataLoader(range(100), num_workers=2, persistent_workers=True))
        next(it)
        print(" ".join(str(w.pid) for w in it._workers), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == -signal.SIGKILL
    pids = list(map(int, out.stdout.split()))
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _running(p)]
        time.sleep(0.1)
    assert pids == []


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is not running
    except FileNotFoundError:
        return False


def test_prefetch_factor_zero_fails_on_iteration_as_torch():
    loader = DataLoader(range(4), num_workers=1, prefetch_factor=0)
    with pytest.raises(AssertionError, match="prefetch_factor must be greater than 0"):
        iter(loader)
