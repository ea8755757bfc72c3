"""``ember run``: the program runs as ``python PROGRAM.py`` would run it (argv, __main__,
sys.path, exit status, tracebacks), on ember, headless figures saved; ``--compare``'s table."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from helpers import requires_torch

from ember.runner import format_table


def ember_run(*args, cwd, display=None, backend=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("MPLBACKEND", None)
    if display:
        env["DISPLAY"] = display
    if backend:
        env["MPLBACKEND"] = backend
    cmd = [sys.executable, "-m", "ember", "run", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def write(path, source):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def test_runs_as_main_with_pythons_argv_and_path(tmp_path):
    write(
        tmp_path / "prog" / "show.py",
        """
        import json, sys
        import torch
        import helper_beside_it
        print(json.dumps({
            "name": __name__, "argv": sys.argv, "path0": sys.path[0], "file": __file__,
            "main": sys.modules["__main__"].__file__, "torch": torch.__name__,
            "device": "cuda" if torch.cuda.is_available() else "cpu",
        }))
        """,
    )
    write(tmp_path / "prog" / "helper_beside_it.py", "")
    proc = ember_run("prog/show.py", "a", "--figures", "-x", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    program = str(tmp_path / "prog" / "show.py")
    assert seen == {
        "name": "__main__",
        # As typed, and ember's own options after PROGRAM belong to the program.
        "argv": ["prog/show.py", "a", "--figures", "-x"],
        "path0": os.path.realpath(tmp_path / "prog"),
        "file": program,
        "main": program,
        "torch": "ember",
        "device": "cpu",
    }


def test_exit_status_is_the_programs(tmp_path):
    write(tmp_path / "exit3.py", "import sys\nsys.exit(3)\n")
    write(tmp_path / "exitmsg.py", "import sys\nsys.exit('stopped here')\n")
    assert ember_run("exit3.py", cwd=tmp_path).returncode == 3
    proc = ember_run("exitmsg.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "stopped here"


def test_traceback_starts_at_the_program(tmp_path):
    write(
        tmp_path / "fails.py",
        """
        def inner():
            raise ValueError("boom")

        inner()
        """,
    )
    proc = ember_run("fails.py", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == f'  File "{tmp_path / "fails.py"}", line 5, in <module>'
    assert lines[-1] == "ValueError: boom"
    for noise in ("runner.py", "cli.py", "__main__.py", "runpy"):
        assert noise not in proc.stderr


def test_missing_feature_names_itself(tmp_path):
    write(tmp_path / "fft.py", "import torch\nimport torch.fft\n")
    proc = ember_run("fft.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1].startswith(
        "ModuleNotFoundError: torch.fft is not provided by ember"
    )
    assert "compat.py" not in proc.stderr  # the alias's frames are not the program's concern
    assert f'File "{tmp_path / "fft.py"}", line 2' in proc.stderr


def test_syntax_error_is_reported_like_python(tmp_path):
    write(tmp_path / "bad.py", "x = (1,\n")
    proc = ember_run("bad.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f'File "{tmp_path / "bad.py"}", line 1' in proc.stderr
    assert "SyntaxError" in proc.stderr


def test_missing_program(tmp_path):
    proc = ember_run("nope.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert "can't open file 'nope.py'" in proc.stderr


PLOTS = """
import matplotlib.pyplot as plt
plt.plot([1, 2, 3])
plt.figure()
plt.plot([3, 2, 1])
print("before show")
plt.show()
plt.scatter([1], [1])
plt.show()
print("after show")
"""


def _assert_saved(proc, folder, stem, n):
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["before show", "after show"]
    for i in range(1, n + 1):
        png = folder / f"{stem}-{i}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"ember: figure saved to {png}" in proc.stderr
    assert not (folder / f"{stem}-{n + 1}.png").exists()  # each figure once: show closes it


def test_headless_show_saves_beside_the_program(tmp_path):
    pytest.importorskip("matplotlib")
    write(tmp_path / "prog" / "plots.py", PLOTS)
    proc = ember_run("prog/plots.py", cwd=tmp_path)
    _assert_saved(proc, tmp_path / "prog", "plots", 3)


def test_figures_dir_and_agg_backend(tmp_path):
    pytest.importorskip("matplotlib")
    write(tmp_path / "plots.py", PLOTS)
    # MPLBACKEND=Agg counts as headless even with a display.
    proc = ember_run("--figures", "out/figs", "plots.py", cwd=tmp_path, display=":0", backend="Agg")
    _assert_saved(proc, tmp_path / "out" / "figs", "plots", 3)


def test_format_table():
    table = format_table({"ember": (0, 1.5, 100 * 2**20), "PyTorch": (0, 3.0, 400 * 2**20)})
    assert table.splitlines() == [
        "               ember  PyTorch  ember/PyTorch",
        "exit status        0        0",
        "wall time     1.50 s   3.00 s           0.50",
        "peak memory  100 MiB  400 MiB           0.25",
    ]
    alone = format_table({"ember": (1, 2.0, None), "PyTorch": None})
    assert alone.splitlines()[1:] == [
        "exit status       1  not installed",
        "wall time    2.00 s  not installed",
        "peak memory       ?  not installed",
    ]


@requires_torch
def test_compare_prints_both_runs(tmp_path):
    write(tmp_path / "tiny.py", "import torch\nprint('sum', torch.ones(3).sum().item())\n")
    proc = ember_run("--compare", "tiny.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.count("sum 3.0") == 2  # once under each framework
    header, status, wall, memory = out.splitlines()[-4:]
    assert header.split() == ["ember", "PyTorch", "ember/PyTorch"]
    assert status.split() == ["exit", "status", "0", "0"]
    assert re.fullmatch(r"wall time +\d+\.\d\d s +\d+\.\d\d s +\d+\.\d\d", wall)
    assert re.fullmatch(r"peak memory +\d+ MiB +\d+ MiB +\d+\.\d\d", memory)
