"""Whether operations record the graph: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each works as a context manager and as a decorator. The flag is per thread, as in PyTorch.
"""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True


state = _State()


def is_grad_enabled() -> bool:
    return state.enabled


class _Mode:
    """Sets grad mode on entry and restores the previous one on exit."""

    _target = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._target

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_Mode):
    """Operations inside record no graph: results have ``requires_grad=False``."""

    _target = False


class enable_grad(_Mode):
    """Turn recording back on inside a ``no_grad`` block."""

    _target = True


class inference_mode(_Mode):
    """Like ``no_grad`` (ember has no separate inference tensors); ``mode=False`` is a no-op."""

    def __init__(self, mode: bool = True):
        self._target = not mode if mode else state.enabled
        self._mode = mode

    def __call__(self, fn):
        if isinstance(fn, bool):  # @inference_mode(False) style used as decorator factory
            return inference_mode(fn)
        return super().__call__(fn)


class set_grad_enabled(_Mode):
    """``set_grad_enabled(False)`` as a call, a context manager or a decorator."""

    def __init__(self, mode: bool):
        self._prev = state.enabled
        self._target = bool(mode)
        state.enabled = self._target

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        state.enabled = self._prev
        mode = self._target

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper
