"""``ember run``: a PyTorch program executed on ember, as ``python PROGRAM.py`` would run it.

``run`` executes the file as ``__main__`` in this process with ``import torch`` resolved to
ember (``ember.compat``); ``compare`` runs a program under ember and under the real PyTorch,
each in its own process, and prints their wall time and peak memory side by side.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import io
import os
import subprocess
import sys
import time
import types

from . import compat

HEADLESS_BACKEND = "module://ember._headless"


def run(program: str, args: list[str], figures: str | None = None) -> int:
    """Run ``program`` with ``sys.argv == [program, *args]`` on ember; return its exit status.

    An exception escaping the program is reported as Python reports it, starting at the
    program's own frame (the runner's frames above it are noise to the user), with status 1.
    ``SystemExit`` from the program propagates unchanged.
    """
    path = os.path.abspath(program)
    try:
        with io.open_code(path) as f:
            source = f.read()
    except OSError as e:
        print(f"ember run: can't open file {program!r}: {e}", file=sys.stderr)
        return 2
    _headless_figures(path, figures)
    compat.TorchAlias().install()

    # What `python PROGRAM.py ARGS` sets up: argv as typed, the program's folder (symlinks
    # resolved) first on the path instead of ours, unless -P / -I asked for no such entry.
    sys.argv = [program, *args]
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = os.path.dirname(os.path.realpath(path))
    # NOTE: not runpy.run_path: it sets sys.argv[0] to the path it is given, so argv[0] as
    # typed and __file__ absolute (as Python 3.9+ makes it) cannot both hold, and it puts our
    # __main__ back when the program ends, while Python keeps the program as __main__ until
    # exit (atexit handlers that pickle the program's classes look them up there).
    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=path,
        __cached__=None,
        __builtins__=builtins,
        __loader__=importlib.machinery.SourceFileLoader("__main__", path),
    )
    sys.modules["__main__"] = main
    try:
        # dont_inherit: this module's `from __future__ import annotations` is not the program's.
        exec(compile(source, path, "exec", dont_inherit=True), main.__dict__)
    except SystemExit:
        raise
    except BaseException as e:  # everything, as Python's top level reports everything
        _report(e, path)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    return 0


def _report(exc: BaseException, path: str) -> None:
    """Print ``exc`` through ``sys.excepthook`` as Python would for the program alone: from its
    first frame on, without the alias's frames (they raise "not provided by ember", which
    names the missing piece; where inside the alias is no concern of the program's)."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    starts = [i for i, t in enumerate(frames) if t.tb_frame.f_code.co_filename == path]
    tb = None
    # No program frame (a SyntaxError while compiling): the error carries its own location.
    for t in reversed(frames[starts[0] :] if starts else []):
        if t.tb_frame.f_code.co_filename != compat.__file__:
            tb = types.TracebackType(tb, t.tb_frame, t.tb_lasti, t.tb_lineno)
    # The hook prints the exception's own __traceback__, so it must be the trimmed one.
    sys.excepthook(type(exc), exc.with_traceback(tb), tb)


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True  # their GUI backends need no DISPLAY variable
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _headless_figures(path: str, figures: str | None) -> None:
    """Make ``plt.show()`` save PNGs when there is no display, or where ``--figures`` says.

    Only the environment is touched: matplotlib reads MPLBACKEND when the program first draws,
    and programs that never import it pay nothing.
    """
    backend = os.environ.get("MPLBACKEND", "")
    # An explicit non-Agg backend is the user's choice; Agg alone would show nothing.
    headless = backend.lower() == "agg" or (not backend and not _has_display())
    if figures is not None or headless:
        os.environ.update(_figures_env(path, figures))
        if "matplotlib" in sys.modules:
            # Imported before us (by a subcommand's module, say): it read MPLBACKEND already.
            sys.modules["matplotlib"].use(HEADLESS_BACKEND)


def _figures_env(path: str, figures: str | None, tag: str = "") -> dict[str, str]:
    """The environment that selects the headless backend, saving to ``<folder>/<stem><tag>``."""
    folder = os.path.abspath(figures) if figures else os.path.dirname(path)
    stem = os.path.splitext(os.path.basename(path))[0] + tag
    return {"MPLBACKEND": HEADLESS_BACKEND, "EMBER_FIGURES": os.path.join(folder, stem)}


# -- ember run --compare -------------------------------------------------------------------


def compare(program: str, args: list[str], figures: str | None = None) -> int:
    """Run ``program`` under ember and, if installed, under PyTorch; print a table.

    Each run is its own process, timed from start to exit, its peak resident memory read from
    the kernel's accounting of that child (wait4). Both are headless: figures are saved as PNGs
    (PyTorch's as ``<program>-torch-<n>.png``) so that neither run waits on a window.
    Returns 0 when every run exited with status 0, else 1.
    """
    path = os.path.abspath(program)
    runs = {}
    env = dict(os.environ, **_figures_env(path, figures))
    runs["ember"] = _measure("ember", [sys.executable, "-m", "ember", "run", program, *args], env)
    # find_spec locates the real package without importing it (no alias in this process).
    if importlib.util.find_spec("torch") is not None:
        env = dict(os.environ, **_figures_env(path, figures, tag="-torch"))
        runs["PyTorch"] = _measure("PyTorch", [sys.executable, program, *args], env)
    else:
        runs["PyTorch"] = None
    print(format_table(runs))
    return 0 if all(r is None or r[0] == 0 for r in runs.values()) else 1


def _measure(label: str, cmd: list[str], env: dict) -> tuple[int, float, int | None]:
    """Exit status, wall seconds and peak RSS in bytes (None where wait4 is missing)."""
    print(f"== {label}: {subprocess.list2cmdline(cmd)}", flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    if hasattr(os, "wait4"):
        # This child's own rusage: RUSAGE_CHILDREN would give the largest of all children.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        # ru_maxrss is in KiB on Linux, bytes on macOS.
        peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    else:  # pragma: no cover - Windows
        proc.wait()
        peak = None
    return proc.returncode, time.perf_counter() - start, peak


def format_table(runs: dict[str, tuple[int, float, int | None] | None]) -> str:
    """Exit status, wall time and peak memory per run (None: not run), and the ratios of the
    first run to the second where both ran."""
    results = list(runs.values())
    ratios = len(results) == 2 and None not in results
    header = ["", *runs] + ([f"{'/'.join(runs)}"] if ratios else [])
    rows = [header]
    for title, i, fmt in (
        ("exit status", 0, str),
        ("wall time", 1, lambda s: f"{s:.2f} s"),
        ("peak memory", 2, lambda b: "?" if b is None else f"{b / 2**20:.0f} MiB"),
    ):
        cells = [title] + ["not installed" if r is None else fmt(r[i]) for r in results]
        if ratios:
            a, b = results[0][i], results[1][i]
            cells.append(f"{a / b:.2f}" if i and a and b else "")
        rows.append(cells)
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    # Titles flush left, figures flush right.
    lines = [
        [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])] for r in rows
    ]
    return "\n".join("  ".join(cells).rstrip() for cells in lines)
