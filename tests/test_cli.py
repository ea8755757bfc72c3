"""The ``ember`` command line: subcommands, and the console script's entry point."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ember.cli import main


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_help_lists_run(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    assert "run an unmodified PyTorch program on ember" in capsys.readouterr().out


def test_python_dash_m_ember(tmp_path):
    (tmp_path / "hello.py").write_text("print('hello', __name__)\n")
    cmd = [sys.executable, "-m", "ember", "run", "hello.py"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, "hello __main__\n")
