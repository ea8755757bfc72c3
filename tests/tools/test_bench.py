"""``ember bench`` runs and prints its table. No test here asserts a time."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import torch

from ember.cli import main
from ember.tools import bench, bench_workloads


def _table_rows(out: str) -> list[list[str]]:
    lines = [ln for ln in out.splitlines() if ln.startswith("| ") and "---" not in ln]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]


def test_quick_mode_prints_the_table(capsys):
    assert main(["bench", "--reps", "1", "--only", "tiny"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ember bench, ")
    header, row = _table_rows(out)
    assert header == ["workload", "ember", "PyTorch", "ember / PyTorch"]
    assert row[0] == "tiny op fwd+bwd (per op)"
    assert row[1].endswith("us")
    if torch is not None:
        assert float(row[3]) > 0


def test_one_thread_cpu_time():
    # A subprocess: the thread settings are process-wide.
    cmd = [sys.executable, "-m", "ember", "bench", "--threads", "1", "--cpu-time"]
    out = subprocess.run(cmd + ["--reps", "1", "--only", "tiny"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "(ember 1 thread(s), CPU time)" in out.stdout.splitlines()[0]
    assert _table_rows(out.stdout)[1][0] == "tiny op fwd+bwd (per op)"


def test_rows_and_json(tmp_path):
    path = tmp_path / "bench.json"
    rows = bench.run(reps=1, only="tiny", json_path=str(path))
    assert [r["workload"] for r in rows] == ["tiny op fwd+bwd (per op)"]
    assert path.read_text().startswith("[")


def test_mlp_flops_count_the_needed_matmuls():
    # forward 2BIO per layer, weight gradients as much again, input gradients for layers 2, 3
    b = 64
    fwd = [2 * b * i * o for i, o in bench_workloads.MLP_LAYERS]
    assert bench_workloads.mlp_step_flops(b) == 2 * sum(fwd) + fwd[1] + fwd[2]


def test_the_products_alone_are_the_ones_the_flops_count():
    import numpy as np

    prods = bench_workloads.mlp_products(np, 64)
    flops = sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b, _ in prods)
    assert flops == bench_workloads.mlp_step_flops(64)
    assert all(a.shape[1] == b.shape[0] for a, b, _ in prods)
    # the forward and input-gradient products read a weight, the weight gradients do not
    assert [r for _, _, r in prods] == [True] * 3 + [False, True, False, True, False]


def test_products_alone_times_numpy_and_torch():
    import ember

    libs = {"ember": ember} if torch is None else {"ember": ember, "torch": torch}
    res = bench.products_alone(libs, reps=1)
    assert set(res) == ({"NumPy"} if torch is None else {"NumPy", "torch"})
    assert all(t > 0 for t in res.values())


def test_workloads_import_no_framework():
    # The peak-memory child runs this file alone, so each library is measured by itself.
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); "
        "assert 'ember' not in sys.modules and 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code, bench_workloads.__file__], check=True)


@pytest.mark.slow
def test_separate_process_rows(capsys):
    rows = bench.run(reps=1, only="peak memory")
    rows += bench.run(reps=1, only="import time")
    assert [r["workload"] for r in rows] == [bench.MEMORY_ROW + " (MiB)", bench.IMPORT_ROW]
    assert all(r["ember"] > 0 for r in rows)
