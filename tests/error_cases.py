"""The harness of the error tests (tests/ops/test_errors*.py): bad input raises PyTorch's
exception class with PyTorch's message facts.

Each ``Case`` names the exception class and the facts its message must carry (sizes, dims,
dtypes). The facts are checked on ember always, and on PyTorch too when it is installed, so a
fact that PyTorch does not state cannot creep in; ``exact`` cases must match PyTorch's first
line word for word.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from helpers import requires_torch, torch

import ember


@dataclass
class Case:
    name: str
    fn: object  # fn(T) runs the bad call with T = ember or torch
    cls: type
    facts: tuple = ()
    exact: bool = True


def _message(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else ""


def _run(lib, case: Case) -> BaseException:
    with pytest.raises(Exception) as info:
        case.fn(lib)
    return info.value


def error_tests(cases: list[Case], subclasses: bool = False):
    """The two tests of a list of cases, to bind in a test module:
    ``test_ember_raises, test_torch_agrees = error_tests(CASES)``.

    ember must raise the case's class itself, or with ``subclasses`` any subclass of it
    (LinAlgError where PyTorch's private subclass is checked as a RuntimeError).
    """
    parametrize = pytest.mark.parametrize("case", cases, ids=[c.name for c in cases])

    @parametrize
    def test_ember_raises(case: Case) -> None:
        exc = _run(ember, case)
        raised = isinstance(exc, case.cls) if subclasses else type(exc) is case.cls
        assert raised, f"{type(exc).__name__}: {exc}"
        for fact in case.facts:
            assert fact in _message(exc), f"{fact!r} not in {_message(exc)!r}"

    @requires_torch
    @parametrize
    def test_torch_agrees(case: Case) -> None:
        exc = _run(torch, case)
        assert isinstance(exc, case.cls), f"torch raised {type(exc).__name__}: {exc}"
        for fact in case.facts:
            assert fact in _message(exc), f"torch's message lacks {fact!r}: {_message(exc)!r}"
        if case.exact:
            assert _message(_run(ember, case)).replace("ember.", "torch.") == _message(exc)

    return test_ember_raises, test_torch_agrees
