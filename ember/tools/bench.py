"""``ember bench``: ember against PyTorch on the same CPU, side by side, in one process.

Each workload is written once against a library object (``ember`` or ``torch``), so both run
the same program. Repetitions alternate between the libraries; before each timed repetition a
library gets a short idle and one untimed call (an idle OpenBLAS/MKL worker spins for ~0.1 s
after a call and would slow the other library's threads). Medians are quoted, and the ratio
ember / PyTorch (below 1: ember is faster). Import time and peak memory run in fresh processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

IDLE = 0.15


def _libs():
    import ember

    libs = {"ember": ember}
    try:
        import torch

        libs["torch"] = torch
    except ImportError:
        pass
    return libs


# -- workloads: each returns a callable doing one timed unit of work -------------------------


def two_layer(T, steps=500):
    """The seeds' two-layer net: 64x1000 -> 100 -> 10, autograd, manual SGD, ``steps`` steps."""
    rng = np.random.default_rng(0)
    x = T.from_numpy(rng.standard_normal((64, 1000), dtype=np.float32))
    y = T.from_numpy(rng.standard_normal((64, 10), dtype=np.float32))
    w1 = T.from_numpy(rng.standard_normal((1000, 100), dtype=np.float32)).requires_grad_()
    w2 = T.from_numpy(rng.standard_normal((100, 10), dtype=np.float32)).requires_grad_()

    def run():
        nonlocal w1, w2
        for _ in range(steps):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            with T.no_grad():
                w1 -= 1e-6 * w1.grad
                w2 -= 1e-6 * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()
            loss.item()

    return run


def _mlp(T):
    nn = T.nn
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512),
        nn.ReLU(),
        nn.Linear(512, 256),
        nn.ReLU(),
        nn.Linear(256, 10),
    )


def _lenet(T):
    nn = T.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def _same_weights(T, model, seed=0):
    rng = np.random.default_rng(seed)
    with T.no_grad():
        for p in model.parameters():
            p.copy_(T.from_numpy(rng.uniform(-0.1, 0.1, tuple(p.shape)).astype(np.float32)))
    return model


def _batch(T, batch):
    rng = np.random.default_rng(1)
    x = T.from_numpy(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
    y = T.from_numpy(rng.integers(0, 10, batch).astype(np.int64))
    return x, y


def train_step(T, make, batch, steps=10):
    model = _same_weights(T, make(T))
    opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = T.nn.CrossEntropyLoss()
    x, y = _batch(T, batch)

    def run():
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        loss.item()

    return run


def inference(T, make, batch, steps=10):
    model = _same_weights(T, make(T)).eval()
    x, _ = _batch(T, batch)

    def run():
        with T.no_grad():
            for _ in range(steps):
                model(x)

    return run


def tiny_ops(T, steps=200):
    """Per-op autograd overhead: 5 ops forward + backward on 4-element tensors."""
    x = T.ones(4, requires_grad=True)
    w = T.ones(4, requires_grad=True)

    def run():
        for _ in range(steps):
            ((x * w + 1.0).relu() * 2.0).sum().backward()

    return run


WORKLOADS = {
    "two-layer seed net, 500 steps": (lambda T: two_layer(T), 1),
    "MLP train step, B=64": (lambda T: train_step(T, _mlp, 64), 10),
    "LeNet-5 train step, B=64": (lambda T: train_step(T, _lenet, 64), 10),
    "LeNet-5 train step, B=256": (lambda T: train_step(T, _lenet, 256, steps=4), 4),
    "MLP inference, B=256": (lambda T: inference(T, _mlp, 256), 10),
    "LeNet-5 inference, B=256": (lambda T: inference(T, _lenet, 256, steps=4), 4),
    "tiny op fwd+bwd (per op)": (lambda T: tiny_ops(T), 200 * 10),
}


def _time(fn) -> float:
    time.sleep(IDLE)
    fn()  # untimed: warms caches and wakes the BLAS threads
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def compare(name, make, per, libs, reps) -> dict:
    runs = {k: make(T) for k, T in libs.items()}
    times: dict = {k: [] for k in libs}
    for _ in range(reps):
        for k in libs:  # alternate the libraries within each repetition
            times[k].append(_time(runs[k]) / per)
    return {k: statistics.median(v) for k, v in times.items()}


# -- separate processes: import time, peak memory ---------------------------------------------


def _child(code: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of ``python -c code`` in a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"benchmark child failed:\n{proc.stderr[-2000:]}")
    peak = int(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else 0
    return wall, peak


_PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def import_time(lib: str, reps: int) -> float:
    base = statistics.median(_child(_PEAK)[0] for _ in range(reps))
    return statistics.median(_child(f"import {lib}; {_PEAK}")[0] for _ in range(reps)) - base


def peak_memory(lib: str, steps: int = 30) -> int:
    """Peak RSS (KiB) of a process training LeNet-5 for ``steps`` steps at batch 64."""
    code = (
        f"import {lib} as T; from ember.tools.bench import train_step, _lenet; "
        f"train_step(T, _lenet, 64, steps={steps})(); {_PEAK}"
    )
    return _child(code)[1]


def matmul_peak() -> float:
    """NumPy's float32 matmul GFLOP/s on 1024x1024, the BLAS ceiling."""
    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    a @ a
    ts = []
    for _ in range(5):
        t0 = time.perf_counter()
        a @ a
        ts.append(time.perf_counter() - t0)
    return 2 * 1024**3 / min(ts) / 1e9


def mlp_flops(batch=64) -> float:
    layers = [(784, 512), (512, 256), (256, 10)]
    return 3 * sum(2 * batch * i * o for i, o in layers)  # forward + two backward matmuls


def _fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def run(reps: int = 5, only: str | None = None, json_path: str | None = None) -> list:
    libs = _libs()
    rows = []
    for name, (make, per) in WORKLOADS.items():
        if only and only.lower() not in name.lower():
            continue
        res = compare(name, make, per, libs, reps)
        rows.append({"workload": name, **res})
        _print_row(rows[-1], "torch" in libs)
    if not only:
        for lib in libs:
            it = import_time(lib, reps)
            mem = peak_memory(lib)
            rows.append({"workload": f"import time ({lib})", lib: it})
            rows.append({"workload": f"LeNet-5 run peak memory MiB ({lib})", lib: mem / 1024})
        _print_pairs(rows, libs)
        mlp = next((r for r in rows if r["workload"].startswith("MLP train")), None)
        if mlp:
            gf = mlp_flops() / mlp["ember"] / 1e9
            print(
                f"\nMLP step sustained: {gf:.1f} GFLOP/s (ember) against NumPy matmul peak "
                f"{matmul_peak():.1f} GFLOP/s"
            )
    if json_path:
        with open(json_path, "w") as f:
            json.dump(rows, f, indent=2)
    return rows


def _print_row(r: dict, has_torch: bool) -> None:
    e = r["ember"]
    if has_torch:
        t = r["torch"]
        print(
            f"{r['workload']:<34} ember {_fmt_time(e):>10}   torch {_fmt_time(t):>10}   "
            f"ratio {e / t:5.2f}",
            flush=True,
        )
    else:
        print(f"{r['workload']:<34} ember {_fmt_time(e):>10}   (torch not installed)", flush=True)


def _print_pairs(rows, libs) -> None:
    if "torch" not in libs:
        return
    imp = {
        lib: next(r[lib] for r in rows if r["workload"] == f"import time ({lib})") for lib in libs
    }
    mem = {
        lib: next(r[lib] for r in rows if r["workload"].startswith("LeNet-5 run peak") and lib in r)
        for lib in libs
    }
    print(
        f"{'import time':<34} ember {_fmt_time(imp['ember']):>10}   torch "
        f"{_fmt_time(imp['torch']):>10}   ratio {imp['ember'] / imp['torch']:5.2f}"
    )
    print(
        f"{'LeNet-5 run peak memory':<34} ember {mem['ember']:7.0f} MiB   torch "
        f"{mem['torch']:7.0f} MiB   ratio {mem['ember'] / mem['torch']:5.2f}"
    )


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="ember bench", description=__doc__.split("\n")[0])
    add_arguments(p)
    args = p.parse_args(argv)
    run_args(args)


def add_arguments(p) -> None:
    p.add_argument("--reps", type=int, default=5, help="repetitions per library (median)")
    p.add_argument("--only", default=None, help="run the workloads whose name contains this")
    p.add_argument("--json", default=None, help="also write the results to this file")


def run_args(args) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", str(len(os.sched_getaffinity(0))))
    run(args.reps, args.only, args.json)


if __name__ == "__main__":
    main()
