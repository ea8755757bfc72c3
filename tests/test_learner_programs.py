"""The learner programs in tests/programs run under the real PyTorch and under ``ember run``, and
learn the same.

Each program runs twice, as ``python prog.py`` (the reference) and through ``ember run`` with
the real torch unimportable (test_programs.py's guard); both must exit 0. Random streams differ
between the two libraries, so what is compared is what the program learned: accuracy above a
threshold and a loss that fell by a similar factor in both; and, where a program is
deterministic (fixed data and weights, tensor idioms, printed models), the same text.

Every program prints its facts as ``name: value`` lines (``final_loss: 0.0123``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_programs import _NO_REAL_TORCH, run_program

from ember.vision import datasets

PROGRAMS = Path(__file__).parent / "programs"
HAVE_TORCH = importlib.util.find_spec("torch") is not None
REQUIRED = os.environ.get("EMBER_REQUIRE_TORCH") == "1"
NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
TIMEOUT = 300


def _env():
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    # Tiny tensors: PyTorch's thread pool only costs time on a shared machine.
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def run_both(program: Path, tmp_path: Path):
    """(torch stdout, ember stdout), run side by side; fails when either exits non-zero."""
    figures = tmp_path / "figures"
    ember_cmd = [sys.executable, "-c", _NO_REAL_TORCH, "run", "--figures", str(figures)]
    procs = {
        "torch": subprocess.Popen(
            [sys.executable, str(program)], **_popen_args(tmp_path / "torch-cwd")
        ),
        "ember": subprocess.Popen([*ember_cmd, str(program)], **_popen_args(tmp_path)),
    }
    outs = {}
    for lib, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        if proc.returncode != 0:
            pytest.fail(
                f"{program.name} under {lib} exited with {proc.returncode}\n"
                f"--- stdout (end)\n{out[-2000:]}\n--- stderr (end)\n{err[-3000:]}",
                pytrace=False,
            )
        outs[lib] = out
    return outs["torch"], outs["ember"], figures


def _popen_args(cwd: Path) -> dict:
    cwd.mkdir(parents=True, exist_ok=True)
    return dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=cwd)


def fact(out: str, name: str) -> float:
    found = re.findall(rf"^{re.escape(name)}: ({NUM})$", out, re.M)
    assert found, f"no '{name}: <number>' line"
    return float(found[-1])


def lines(out: str, *prefixes: str) -> list[str]:
    """The lines starting with any of ``prefixes`` (all lines when none is given)."""
    return [ln for ln in out.splitlines() if not prefixes or ln.startswith(prefixes)]


def same_lines(t: str, e: str, *prefixes: str) -> None:
    got, want = lines(e, *prefixes), lines(t, *prefixes)
    assert want, f"torch printed no line starting with {prefixes}"
    assert got == want


def learned(t: str, e: str, factor: float, accuracy: float | None = None, below=None) -> None:
    """Both runs cut their loss at least ``factor``-fold (or to ``below``, for a program whose
    random start may already be good) and reach ``accuracy``."""
    for lib, out in (("torch", t), ("ember", e)):
        first, final = fact(out, "first_loss"), fact(out, "final_loss")
        ok = final <= first / factor or (below is not None and final < min(below, first))
        assert ok, f"{lib}: loss {first} -> {final}, not {factor}x lower"
        if accuracy is not None:
            acc = fact(out, "accuracy")
            assert acc >= accuracy, f"{lib}: accuracy {acc} < {accuracy}"


def learned_accuracy(t, e, accuracy):
    for lib, out in (("torch", t), ("ember", e)):
        assert fact(out, "accuracy") >= accuracy, f"{lib}: accuracy {fact(out, 'accuracy')}"


def close_facts(t: str, e: str, names: list[str], rel: float) -> None:
    for name in names:
        assert fact(e, name) == pytest.approx(fact(t, name), rel=rel, abs=1e-4), name


def figures_saved(figures: Path, stem: str, n: int) -> None:
    for i in range(1, n + 1):
        png = figures / f"{stem}-{i}.png"
        assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG", f"{png.name} not saved"


# -- what each program must show under both libraries ---------------------------------------


def mlp_moons(t, e, figures):
    same_lines(t, e, "X:")
    learned(t, e, factor=20, accuracy=0.97)


def logistic_regression(t, e, figures):
    same_lines(t, e, "weight shape:", "both weights positive:")
    learned(t, e, factor=5, accuracy=0.97, below=0.1)
    figures_saved(figures, "logistic_regression", 1)


def dataset_split(t, e, figures):
    same_lines(t, e, "sizes:", "batches:", "training mode after eval:")
    learned(t, e, factor=1.5, accuracy=0.9)


def clip_grad(t, e, figures):
    # Fixed data and weights: the same numbers up to float32 rounding.
    same_lines(t, e, "grad norms before:", "num params as vector:")
    close_facts(t, e, ["total_norm", "norm_after_clip", "max_abs_grad_after_value_clip"], 1e-5)
    close_facts(t, e, ["first_loss", "final_loss"], 1e-3)
    assert fact(e, "norm_after_clip") == pytest.approx(1.0, abs=1e-4)


def device_setup(t, e, figures):
    same_lines(t, e, "device:", "cuda", "gpu", "mps", "model on:", "amp", "loss on:")
    same_lines(t, e, "numpy type:")
    learned(t, e, factor=20)


def lr_schedulers(t, e, figures):
    same_lines(t, e, "epoch ", "last lr:", "plateau ")
    learned(t, e, factor=5)


def checkpoint_resume(t, e, figures):
    same_lines(t, e, "optimizer state steps:", "keys:", "resume matches: True")
    assert re.search(r"^resumed_epoch: 50 ", e, re.M)
    learned(t, e, factor=20)


def save_load_predict(t, e, figures):
    same_lines(t, e, "state_dict keys:", "load result:", "predictions:", "rows sum to one:")
    same_lines(t, e, "same as trained model: True", "num_batches_tracked:")
    learned_accuracy(t, e, 0.93)


def small_cnn(t, e, figures):
    model_text = t.split("trainable params:")[0]
    assert model_text.startswith("SmallCNN(") and e.startswith(model_text)
    same_lines(t, e, "trainable params:", "output shape:")
    learned(t, e, factor=3, accuracy=0.95)


def exact(t, e, figures):
    """Deterministic programs: the whole output is the same text."""
    assert lines(e) == lines(t)


def custom_function(t, e, figures):
    same_lines(t, e, "forward:", "grad_fn is custom:", "straight-through grad:")
    same_lines(t, e, "ordinary clamp grad:", "square grad:", "gradcheck:", "learned clamped:")
    assert fact(e, "final_loss") < 1e-6


def embedding_classifier(t, e, figures):
    same_lines(t, e, "padding row zero: True", "padding row still zero: True")
    learned(t, e, factor=5, accuracy=0.9)


def regression_plot(t, e, figures):
    learned(t, e, factor=20)
    figures_saved(figures, "regression_plot", 2)


def lstm_sequence(t, e, figures):
    model_text = t.split("state_dict keys:")[0]
    assert model_text.startswith("SinePredictor(") and e.startswith(model_text)
    same_lines(t, e, "state_dict keys:", "output shape:", "gru cell state shape:")
    learned(t, e, factor=20)


CHECKS = {
    "mlp_moons": mlp_moons,
    "logistic_regression": logistic_regression,
    "dataset_split": dataset_split,
    "clip_grad": clip_grad,
    "device_setup": device_setup,
    "lr_schedulers": lr_schedulers,
    "checkpoint_resume": checkpoint_resume,
    "save_load_predict": save_load_predict,
    "small_cnn": small_cnn,
    "weight_init": exact,
    "custom_function": custom_function,
    "tensor_idioms": exact,
    "embedding_classifier": embedding_classifier,
    "sequential_ordereddict": exact,
    "reproducibility": exact,
    "regression_plot": regression_plot,
    "lstm_sequence": lstm_sequence,
}


@pytest.mark.skipif(not HAVE_TORCH and not REQUIRED, reason="the real PyTorch is not installed")
@pytest.mark.parametrize("stem", sorted(CHECKS))
def test_learns_the_same(stem, tmp_path):
    t, e, figures = run_both(PROGRAMS / f"{stem}.py", tmp_path)
    try:
        CHECKS[stem](t, e, figures)
    except AssertionError as err:
        pytest.fail(
            f"{stem}: {err}\n--- torch stdout\n{t[-2500:]}\n--- ember stdout\n{e[-2500:]}",
            pytrace=False,
        )


# -- programs that need what only ember provides here --------------------------------------
# torchvision has no CPU build in this environment, so these run under ``ember run`` only.


def quickstart_fashion(out, program_dir):
    assert "using the installed copy in" in out  # download=True fell back to Debian's copy
    assert "Shape of X [N, C, H, W]: [64, 1, 28, 28]" in out
    assert "Shape of y: [64] torch.int64" in out
    for name in ("first_loss", "final_loss", "accuracy"):
        fact(out, name)
    assert fact(out, "final_loss") < fact(out, "first_loss") / 2
    assert fact(out, "accuracy") > 0.6
    assert not (program_dir / "data").exists(), "ember wrote into the program's data root"


EMBER_ONLY = {"quickstart_fashion": quickstart_fashion}
HAVE_FASHION = datasets.idx.find(datasets.FASHION_MNIST_ROOT, "t10k-labels-idx1-ubyte") is not None


@pytest.mark.skipif(
    not HAVE_FASHION,
    reason=f"Fashion-MNIST is not installed in {datasets.FASHION_MNIST_ROOT} "
    "(apt-get install dataset-fashion-mnist)",
)
@pytest.mark.parametrize("stem", sorted(EMBER_ONLY))
def test_learns_under_ember(stem, tmp_path):
    proc = run_program(PROGRAMS / f"{stem}.py", tmp_path / "figures", tmp_path, TIMEOUT)
    if proc.returncode != 0:
        pytest.fail(
            f"{stem} exited with {proc.returncode}\n--- stdout (end)\n{proc.stdout[-2000:]}\n"
            f"--- stderr (end)\n{proc.stderr[-3000:]}",
            pytrace=False,
        )
    try:
        EMBER_ONLY[stem](proc.stdout, PROGRAMS)
    except AssertionError as err:
        pytest.fail(f"{stem}: {err}\n--- ember stdout\n{proc.stdout[-2500:]}", pytrace=False)


def test_every_program_is_checked():
    """A new program must get its check; a renamed one must not lose it."""
    on_disk = {p.stem for p in PROGRAMS.glob("*.py")}
    assert on_disk == set(CHECKS) | set(EMBER_ONLY)
    assert not set(CHECKS) & set(EMBER_ONLY)
