"""Convolution and pooling, forward + backward, ember against PyTorch on LeNet-5 shapes.

    .venv/bin/python bench/conv_micro.py [--reps 15] [--batch 64] [--mallopt] [--threads N]

Each workload is written once against a library object (``ember`` or ``torch``) through
``T.nn.functional``. Repetitions alternate between the libraries; before each timed repetition
a library gets a short idle and one untimed call (an idle OpenBLAS/MKL worker spins for ~0.1 s
after a call and slows the other library's threads). Medians per call are quoted with the
ratio ember / PyTorch (below 1: ember is faster). One process, no assertions: speed lives here,
never in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# --threads must reach OpenBLAS before NumPy loads it (torch is set in main()).
if "--threads" in sys.argv[:-1]:
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402

IDLE = 0.15


def _t(T, a, grad=False):
    t = T.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    return t.requires_grad_() if grad else t


def _params(T, rng, *shapes):
    return [_t(T, rng.uniform(-0.2, 0.2, s), grad=True) for s in shapes]


def _step(T, fn, leaves, grad_out):
    """A callable: forward, backward with a fixed output gradient, grads reset to None."""

    def run():
        for p in leaves:
            p.grad = None
        fn().backward(grad_out)

    return run


def conv1(T, batch):
    """Conv2d(1, 6, 5, padding=2) on 28x28: the input needs no gradient (it is the data)."""
    rng = np.random.default_rng(0)
    x = _t(T, rng.standard_normal((batch, 1, 28, 28)))
    w, b = _params(T, rng, (6, 1, 5, 5), (6,))
    g = _t(T, rng.standard_normal((batch, 6, 28, 28)))
    F = T.nn.functional
    return _step(T, lambda: F.conv2d(x, w, b, padding=2), [w, b], g)


def maxpool(T, batch):
    rng = np.random.default_rng(0)
    # relu'd input, as in LeNet: many ties at 0, routed to the first maximum
    x = _t(T, np.maximum(rng.standard_normal((batch, 6, 28, 28)), 0), grad=True)
    g = _t(T, rng.standard_normal((batch, 6, 14, 14)))
    return _step(T, lambda: T.nn.functional.max_pool2d(x, 2), [x], g)


def conv2(T, batch):
    """Conv2d(6, 16, 5) on 14x14: input, weight and bias gradients."""
    rng = np.random.default_rng(0)
    x = _t(T, rng.standard_normal((batch, 6, 14, 14)), grad=True)
    w, b = _params(T, rng, (16, 6, 5, 5), (16,))
    g = _t(T, rng.standard_normal((batch, 16, 10, 10)))
    return _step(T, lambda: T.nn.functional.conv2d(x, w, b), [x, w, b], g)


def avgpool(T, batch):
    rng = np.random.default_rng(0)
    x = _t(T, rng.standard_normal((batch, 16, 10, 10)), grad=True)
    g = _t(T, rng.standard_normal((batch, 16, 5, 5)))
    return _step(T, lambda: T.nn.functional.avg_pool2d(x, 2), [x], g)


def _features(T, rng):
    F = T.nn.functional
    w1, b1, w2, b2 = _params(T, rng, (6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,))

    def fwd(x):
        y = F.max_pool2d(T.relu(F.conv2d(x, w1, b1, padding=2)), 2)
        return F.avg_pool2d(T.relu(F.conv2d(y, w2, b2)), 2)

    return fwd, [w1, b1, w2, b2]


def chain(T, batch):
    """LeNet-5's feature extractor: conv-relu-maxpool-conv-relu-avgpool, forward + backward."""
    rng = np.random.default_rng(0)
    fwd, params = _features(T, rng)
    x = _t(T, rng.standard_normal((batch, 1, 28, 28)))
    g = _t(T, rng.standard_normal((batch, 16, 5, 5)))
    return _step(T, lambda: fwd(x), params, g)


def chain_inference(T, batch):
    rng = np.random.default_rng(0)
    fwd, _ = _features(T, rng)
    x = _t(T, rng.standard_normal((batch, 1, 28, 28)))

    def run():
        with T.no_grad():
            fwd(x)

    return run


WORKLOADS = {
    "conv 1->6 k5 pad2 28x28, fwd+bwd": conv1,
    "max_pool2d 2, 6x28x28, fwd+bwd": maxpool,
    "conv 6->16 k5 14x14, fwd+bwd": conv2,
    "avg_pool2d 2, 16x10x10, fwd+bwd": avgpool,
    "LeNet features, fwd+bwd": chain,
    "LeNet features, no_grad fwd": chain_inference,
}


def _keep_freed_memory() -> None:
    """glibc returns big freed blocks to the OS, so each step's large temporaries (im2col
    columns, col2im buffers) page-fault again; on this VM that cost several ms per LeNet
    step. These settings (PERF-NOTES.md) keep freed memory in the process, for both libraries.
    """
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    libc.mallopt(m_mmap_threshold, 1 << 30)
    libc.mallopt(m_trim_threshold, 1 << 30)
    libc.mallopt(m_top_pad, 64 << 20)


def _time(fn, inner: int) -> float:
    time.sleep(IDLE)
    fn()  # untimed: warms caches and wakes the BLAS threads
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - t0) / inner


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--inner", type=int, default=10, help="calls per timed repetition")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--only", default=None, help="run workloads whose name contains this")
    ap.add_argument("--mallopt", action="store_true", help="keep freed memory (see below)")
    ap.add_argument(
        "--threads", type=int, default=None, help="BLAS/intra-op threads of both libraries"
    )
    args = ap.parse_args(argv)
    if args.mallopt:
        _keep_freed_memory()

    import torch

    import ember
    import ember.nn.functional  # noqa: F401 - T.nn.functional below

    libs = {"ember": ember, "torch": torch}
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"batch {args.batch}, {args.reps} alternating repetitions of {args.inner} calls"
        + (", glibc keeping freed memory (mallopt)" if args.mallopt else "")
        + (f", {args.threads} thread(s) each" if args.threads else "")
    )
    print(f"{'workload':38s} {'ember':>10s} {'torch':>10s} {'ratio':>7s}")
    for name, make in WORKLOADS.items():
        if args.only and args.only.lower() not in name.lower():
            continue
        runs = {k: make(T, args.batch) for k, T in libs.items()}
        times: dict = {k: [] for k in libs}
        for _ in range(args.reps):
            for k, fn in runs.items():
                times[k].append(_time(fn, args.inner))
        e, t = statistics.median(times["ember"]), statistics.median(times["torch"])
        print(f"{name:38s} {e * 1e3:8.3f}ms {t * 1e3:8.3f}ms {e / t:7.2f}")


if __name__ == "__main__":
    main()
