"""Acceptance: every program in ../shared/programs runs through ``ember run`` and learns what it
teaches. Each runs in its own process with the real PyTorch unimportable, headless, figures into
a temporary folder; the facts are read from the program's output, not only its exit status.

``-m "not slow"`` leaves out LeNet-5 (minutes); CI runs everything.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# In CI the repository is cloned with shared/ beside it: <root>/main and <root>/shared.
PROGRAMS = Path(__file__).parents[2] / "shared" / "programs"
REQUIRED = os.environ.get("EMBER_REQUIRE_TORCH") == "1"

# Runs ember's CLI with a finder in front of the path finders that refuses the real torch. The
# alias goes in front of it, so an import only gets here when the alias failed to answer; and
# at the end no module named torch* may be anything but ember's.
_NO_REAL_TORCH = r"""
import sys

class NoRealTorch:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("torch", "torchsummary", "torchvision", "functorch"):
            raise ImportError(f"the real {name} is blocked: the ember alias should have answered")

sys.meta_path.insert(0, NoRealTorch())
from ember.cli import main

try:
    status = main(sys.argv[1:])
finally:
    import os, ember

    home = os.path.dirname(ember.__file__)
    leaked = [
        name for name, module in list(sys.modules.items())
        if name.partition(".")[0] == "torch"
        and not (getattr(module, "__file__", None) or home).startswith(home)
    ]
    if leaked:
        print("REAL TORCH LEAKED:", leaked, file=sys.stderr)
        sys.exit(97)
sys.exit(status)
"""

NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def run_program(path: Path, figures: Path, cwd: Path, timeout: float):
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-c", _NO_REAL_TORCH, "run", "--figures", str(figures), str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def step_loss(out: str, step: int) -> float:
    """The loss printed as ``<step> <loss>`` (a float or ``tensor(<loss>)``), last occurrence."""
    found = re.findall(rf"^{step} (?:tensor\()?({NUM})", out, re.M)
    assert found, f"no loss printed for step {step}"
    return float(found[-1])


def figures_saved(figures: Path, stem: str, n: int) -> None:
    for i in range(1, n + 1):
        png = figures / f"{stem}-{i}.png"
        assert png.is_file(), f"{png.name} was not saved by plt.show()"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- what each program must show ------------------------------------------------------------


def two_layer_net(out, figures):
    # 500 steps of the 64x1000x100x10 network: PyTorch ends near 1e-4.
    last = step_loss(out, 499)
    assert last < 1e-2, f"final loss {last}"


def add_two_numbers(out, figures):
    first, last = map(float, re.findall(rf"^({NUM}) ({NUM})$", out, re.M)[-1])
    assert first > last, f"loss did not fall: {first} -> {last}"
    figures_saved(figures, "s002_add_two_numbers", 1)


def dataloader(out, figures):
    # The prediction for [10, 11] is the only 1x1 tensor printed.
    (pred,) = re.findall(rf"tensor\(\[\[\s*({NUM})\]\]", out)
    assert abs(float(pred) - 21) < 1.5, f"predicts {pred} for 10 + 11"


def parameters_by_hand(out, figures):
    assert "[(2, 8), (8, 1)]" in out
    assert math.isfinite(float(out.split()[-1]))


def summary_save_load(out, figures):
    # torchsummary's table for Linear(2, 8) -> ReLU -> Linear(8, 1).
    assert re.search(r"Total params:\s*33\b", out), "no summary table with 33 parameters"
    assert "Linear" in out
    # The predictions for the three validation rows, printed before saving and after loading
    # into a fresh model, are identical (the program also asserts it) and learnt: [10, 11]
    # gives about 21 after 50 epochs.
    preds = re.findall(r"^tensor\(\[\[(.*?)\]\], grad_fn=<\w+>\)$", out, re.M | re.S)
    assert len(preds) == 2, f"expected the predictions before and after loading, got {preds}"
    before, after = ([float(v) for v in re.findall(NUM, p)] for p in preds)
    assert len(before) == 3 and before == after, f"{before} != {after}"
    assert abs(before[1] - 21) < 3, f"predicts {before[1]} for 10 + 11"


def linear_w(out, figures):
    pred = float(re.search(rf"predict \(after training\) 4 ({NUM})", out).group(1))
    assert pred == pytest.approx(8.0, abs=0.05)
    figures_saved(figures, "s003_linear_w", 1)


def linear_regression(out, figures):
    slope, intercept = map(float, out.split()[-2:])
    assert slope == pytest.approx(0.1, abs=0.02)
    assert intercept == pytest.approx(0.2, abs=0.02)
    figures_saved(figures, "s004_linear_regression", 2)


OPTIMIZERS = "SGD Momentum NAG Adam AdamW Adamax Adagrad Adadelta ASGD RMSprop Rprop LBFGS"


def optimizers(out, figures):
    for name in [*OPTIMIZERS.split(), "SparseAdam"]:
        found = re.search(rf"^{name}\s+loss ({NUM}) -> ({NUM})$", out, re.M)
        assert found, f"no result line for {name}"
        first, last = map(float, found.groups())
        assert last < 0.05 * first, f"{name} did not converge: {first} -> {last}"


def lenet5(out, figures):
    best = float(re.search(rf"best test accuracy ({NUM})", out).group(1))
    assert best > 0.80


CHECKS = {
    "s000_manual_grad": two_layer_net,
    "s000_autograd": two_layer_net,
    "s000_nn_sequential": two_layer_net,
    "s001_numpy": two_layer_net,
    "s001_tensors_autograd": two_layer_net,
    "s002_add_two_numbers": add_two_numbers,
    "s002_dataloader": dataloader,
    "s002_parameters_by_hand": parameters_by_hand,
    "s002_sequential_summary_save_load": summary_save_load,
    "s003_linear_w": linear_w,
    "s004_linear_regression": linear_regression,
    "s004_optimizers": optimizers,
    "s004_lenet5": lenet5,
}
SLOW = {"s004_lenet5"}


def _params():
    if not PROGRAMS.is_dir():
        return [pytest.param(None, id="programs-missing")]
    return [
        pytest.param(p, id=p.stem, marks=[pytest.mark.slow] if p.stem in SLOW else [])
        for p in sorted(PROGRAMS.glob("*.py"))
    ]


def _require_programs():
    if not PROGRAMS.is_dir():
        if REQUIRED:
            pytest.fail(f"{PROGRAMS} is missing: CI must clone shared/ beside the repository")
        pytest.skip(f"{PROGRAMS} is missing (shared/ is not beside the repository)")


@pytest.mark.parametrize("program", _params())
def test_program(program, tmp_path):
    _require_programs()
    figures = tmp_path / "figures"
    timeout = 1800 if program.stem in SLOW else 600
    proc = run_program(program, figures, tmp_path, timeout)
    out = proc.stdout
    context = f"\n--- stdout (end)\n{out[-3000:]}\n--- stderr (end)\n{proc.stderr[-3000:]}"
    if proc.returncode != 0:
        pytest.fail(f"{program.name} exited with {proc.returncode}{context}", pytrace=False)
    check = CHECKS.get(program.stem)
    if check is not None:
        try:
            check(out, figures)
        except (AssertionError, AttributeError, ValueError, IndexError) as e:
            pytest.fail(f"{program.name}: {e!r}{context}", pytrace=False)


def test_every_check_has_its_program():
    """A renamed program must not silently lose its checks."""
    _require_programs()
    missing = sorted(stem for stem in CHECKS if not (PROGRAMS / f"{stem}.py").is_file())
    assert not missing, f"checks for programs that no longer exist: {missing}"
