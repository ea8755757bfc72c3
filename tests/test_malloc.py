"""ember tunes glibc's malloc at import (ember/_malloc.py), and EMBER_MALLOC_TUNING=0 stops it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = "import ember, ember._malloc as m; print(m.tuned)"


def _tuned(env_value: str | None) -> str:
    env = dict(os.environ)
    env.pop("EMBER_MALLOC_TUNING", None)
    if env_value is not None:
        env["EMBER_MALLOC_TUNING"] = env_value
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_on_by_default():
    assert _tuned(None) == "True"


def test_switched_off_by_the_environment():
    assert _tuned("0") == "False"
