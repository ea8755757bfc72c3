"""The ``ember`` command: ``ember run | train | evaluate | predict | bench``.

One argparse parser with a subcommand each. A subcommand is added by an ``_add_<name>`` function
that declares its options and sets ``handler``; the handler imports its implementation when it
runs, so ``ember run`` loads nothing it does not use before the program starts.
"""

from __future__ import annotations

import argparse
import sys


def _add_run(sub) -> None:
    p = sub.add_parser(
        "run",
        help="run an unmodified PyTorch program on ember",
        description=(
            "Run PROGRAM as `python PROGRAM [ARGS...]` would, with `import torch` (and its "
            "submodules, and torchsummary) resolved to ember for this process only. Without "
            "a display, plt.show() saves each figure as a PNG next to the program."
        ),
    )
    p.add_argument(
        "--figures",
        metavar="DIR",
        help="save the figures of plt.show() as PNG files into DIR (even with a display)",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="run PROGRAM under ember and under the real PyTorch (if installed), each in its "
        "own process, and print wall time and peak memory side by side",
    )
    p.add_argument("program", metavar="PROGRAM", help="the Python file to run")
    # REMAINDER: everything after PROGRAM is the program's, options that look like ours too.
    p.add_argument("args", metavar="ARGS", nargs=argparse.REMAINDER, help="arguments for PROGRAM")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from . import runner

    if args.compare:
        return runner.compare(args.program, args.args, args.figures)
    return runner.run(args.program, args.args, args.figures)


def _add_train(sub) -> None:
    from .vision import train

    p = sub.add_parser(
        "train",
        help="train an image classifier (LeNet-5 by default) on Fashion-MNIST or MNIST",
        description=train.__doc__.split("\n\n")[0],
    )
    train.add_arguments(p)
    p.set_defaults(handler=lambda args: _quiet(train.train, args))


def _add_evaluate(sub) -> None:
    from .vision import infer

    p = sub.add_parser("evaluate", help="test accuracy (overall and per class) of trained weights")
    infer.add_evaluate_arguments(p)
    p.set_defaults(handler=lambda args: _quiet(infer.run_evaluate, args))


def _add_predict(sub) -> None:
    from .vision import infer

    p = sub.add_parser("predict", help="the class of each image, with trained weights")
    infer.add_predict_arguments(p)
    p.set_defaults(handler=lambda args: _quiet(infer.run_predict, args))


def _add_bench(sub) -> None:
    from .tools import bench

    p = sub.add_parser("bench", help="time ember against PyTorch on the same CPU, side by side")
    bench.add_arguments(p)
    p.set_defaults(handler=lambda args: _quiet(bench.run_args, args))


def _quiet(fn, args) -> int:
    """Run a subcommand; its return value is for tests, the exit status is 0."""
    fn(args)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ember", description="ember: a deep-learning framework on NumPy that speaks PyTorch."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (_add_run, _add_train, _add_evaluate, _add_predict, _add_bench):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ember`` console script and ``python -m ember``."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return args.handler(args)
