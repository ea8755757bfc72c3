"""``ember bench``: ember against PyTorch on the same CPU, side by side, in one process.

The workloads (``bench_workloads.py``) are written once against a library object, so both
libraries run the same program. Repetitions alternate between the libraries, and which one goes
first alternates too; before each timed repetition a library gets a short idle and one untimed
call (an idle OpenBLAS/OpenMP worker spins for ~0.1 s after a call and would slow the other
library's threads). Medians are quoted, with the ratio ember / PyTorch (below 1: ember is
faster). Import time and the peak memory of a LeNet-5 run are measured in fresh processes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

from .. import _threads
from . import bench_workloads as wl

IDLE = 0.15
PEAK_STEPS = 30  # LeNet-5 training steps (B=64) of the peak-memory run

IMPORT_ROW = "import time"
MEMORY_ROW = f"LeNet-5 peak memory, {PEAK_STEPS} steps"


def set_threads(n: int, libs: dict) -> None:
    """``n`` BLAS/intra-op threads for both libraries (ember's OpenBLAS, PyTorch's OpenMP).

    With one thread each, ratios survive a busy machine: two threads of a BLAS call wait for
    each other, and a neighbour's load stalls them for whole scheduler slices.
    """
    libs["ember"].set_num_threads(n)
    if "torch" in libs:
        libs["torch"].set_num_threads(n)
    # Children (import time, peak memory) take the same count.
    for var in ("EMBER_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ[var] = str(n)


def _libs() -> dict:
    import ember

    libs = {"ember": ember}
    try:
        import torch

        libs["torch"] = torch
    except ImportError:
        pass
    return libs


# -- in-process timing ------------------------------------------------------------------------


CLOCK = time.perf_counter  # run(cpu_time=True): time.process_time


def _time(fn) -> float:
    time.sleep(IDLE)
    fn()  # untimed: warms caches and wakes the BLAS threads
    t0 = CLOCK()
    fn()
    return CLOCK() - t0


def compare(make, per: int, libs: dict, reps: int) -> dict:
    """Median seconds per unit of work for each library, repetitions alternating."""
    times = _alternate({k: make(T) for k, T in libs.items()}, reps)
    return {k: t / per for k, t in times.items()}


def _alternate(runs: dict, reps: int) -> dict:
    """Median seconds of each callable in ``runs``, repetitions alternating."""
    order = list(runs)
    times: dict = {k: [] for k in runs}
    for _ in range(reps):
        for k in order:
            times[k].append(_time(runs[k]))
        order.reverse()  # neither library always runs right after the other's threads
    return {k: statistics.median(v) for k, v in times.items()}


# -- fresh processes: import time, peak memory ------------------------------------------------

# NOTE: ru_maxrss survives exec on Linux (a child would report at least the bench's own RSS at
# fork time); VmHWM belongs to the new address space.
_PEAK = "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')))"


def _child(code: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of ``python -c code`` in a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"benchmark child failed:\n{proc.stderr[-2000:]}")
    return wall, int(proc.stdout.split()[-1])


def import_time(libs, reps: int) -> dict:
    """Seconds ``import lib`` adds to a bare interpreter's start, median, alternating."""
    times: dict = {k: [] for k in libs}
    base = []
    for _ in range(reps):
        base.append(_child(_PEAK)[0])
        for lib in libs:
            times[lib].append(_child(f"import {lib}; {_PEAK}")[0])
    b = statistics.median(base)
    return {k: statistics.median(v) - b for k, v in times.items()}


def peak_memory(libs) -> dict:
    """Peak RSS (MiB) of a process that imports the library and trains LeNet-5."""
    path = wl.__file__
    out = {}
    for lib in libs:
        code = (
            f"import runpy, {lib} as T; w = runpy.run_path({path!r}); "
            f"w['train_step'](T, w['lenet'], 64, steps={PEAK_STEPS})(); {_PEAK}"
        )
        out[lib] = _child(code)[1] / 1024
    return out


def matmul_peak() -> float:
    """NumPy's float32 matmul GFLOP/s on 1024x1024 (best of 5), the BLAS ceiling, with the
    OpenBLAS threads ember would give such a product now."""
    _threads.for_product(1024**3)
    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    a @ a
    ts = []
    for _ in range(5):
        t0 = time.perf_counter()
        a @ a
        ts.append(time.perf_counter() - t0)
    return 2 * 1024**3 / min(ts) / 1e9


def products_alone(libs: dict, reps: int) -> dict:
    """Median seconds of the MLP step's matrix products alone (``mlp_products``), NumPy with the
    OpenBLAS threads ember would give each product, against PyTorch's; alternating."""
    runs = {}
    prods = wl.mlp_products(np, 64)

    def numpy_products():
        for a, b, reads_weight in prods:
            _threads.for_product(a.shape[0] * a.shape[1] * b.shape[1], reads_weight)
            a @ b

    runs["NumPy"] = numpy_products
    if "torch" in libs:
        tprods = wl.mlp_products(libs["torch"], 64)

        def torch_products():
            for a, b, _ in tprods:
                a @ b

        runs["torch"] = torch_products
    return _alternate(runs, reps)


# -- the table --------------------------------------------------------------------------------


def _fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def _row(name: str, res: dict, fmt) -> str:
    e = res["ember"]
    t = res.get("torch")
    if t is None:
        return f"| {name} | {fmt(e)} | (not installed) | |"
    return f"| {name} | {fmt(e)} | {fmt(t)} | {e / t:.2f} |"


def header(libs: dict, threads: int = 0) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    torch = libs.get("torch")
    tv = f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ""
    n = libs["ember"].get_num_threads()
    blas = f"ember {n} thread(s)" + ("" if _threads._chosen else " while the machine is idle")
    if CLOCK is time.process_time:
        blas += ", CPU time"
    return (
        f"ember bench, {datetime.date.today()}: {cpu}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__} ({blas}), {tv}"
    )


def run(
    reps: int = 5,
    only: str | None = None,
    json_path: str | None = None,
    threads: int = 0,
    cpu_time: bool = False,
) -> list:
    """Run the workloads whose name contains ``only`` (all when None), print the table and
    return its rows. ``threads`` > 0 sets both libraries' thread count (0: their defaults);
    ``cpu_time`` times the process's CPU time instead of the wall clock (meaningful with one
    thread: it leaves out the time the process waited for a busy CPU)."""
    global CLOCK
    CLOCK = time.process_time if cpu_time else time.perf_counter
    libs = _libs()
    if threads:
        set_threads(threads, libs)
    print(header(libs, threads))
    print("\n| workload | ember | PyTorch | ember / PyTorch |\n|---|---:|---:|---:|", flush=True)

    def wanted(name):
        return only is None or only.lower() in name.lower()

    rows = []
    for name, (make, per) in wl.WORKLOADS.items():
        if wanted(name):
            res = compare(make, per, libs, reps)
            rows.append({"workload": name, **res})
            print(_row(name, res, _fmt_time), flush=True)
    if wanted(IMPORT_ROW):
        res = import_time(libs, reps)
        rows.append({"workload": IMPORT_ROW, **res})
        print(_row(IMPORT_ROW, res, _fmt_time), flush=True)
    if wanted(MEMORY_ROW):
        res = peak_memory(libs)
        rows.append({"workload": MEMORY_ROW + " (MiB)", **res})
        print(_row(MEMORY_ROW, res, lambda m: f"{m:.0f} MiB"), flush=True)
    mlp = next((r for r in rows if r["workload"] == "MLP train step, B=64"), None)
    if mlp is not None:
        flops = wl.mlp_step_flops(64)
        sustained = {k: flops / v / 1e9 for k, v in mlp.items() if k != "workload"}
        both = ", ".join(f"{k} {v:.1f}" for k, v in sustained.items())
        print(
            f"\nMLP train step, B=64, sustained GFLOP/s: {both}; NumPy float32 matmul peak "
            f"(1024x1024): {matmul_peak():.1f}"
        )
        alone = ", ".join(f"{k} {_fmt_time(v)}" for k, v in products_alone(libs, reps).items())
        print(f"MLP train step, B=64, its matrix products alone (a floor for the step): {alone}")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(rows, f, indent=2)
    return rows


def add_arguments(p) -> None:
    p.add_argument("--reps", type=int, default=5, help="repetitions per library (median)")
    p.add_argument(
        "--only", default=None, help="run only the rows whose name contains this (e.g. 'tiny')"
    )
    p.add_argument("--json", default=None, help="also write the results to this file")
    p.add_argument(
        "--threads",
        type=int,
        default=0,
        help="BLAS/intra-op threads of both libraries (default: theirs; 1 survives a busy machine)",
    )
    p.add_argument(
        "--cpu-time",
        action="store_true",
        help="time CPU time instead of the wall clock (with --threads 1, on a busy machine)",
    )


def run_args(args) -> list:
    return run(args.reps, args.only, args.json, args.threads, args.cpu_time)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="ember bench", description=__doc__.split("\n")[0])
    add_arguments(p)
    run_args(p.parse_args(argv))


if __name__ == "__main__":
    main()
