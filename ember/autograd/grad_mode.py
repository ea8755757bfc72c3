"""Whether operations record the graph: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each works as a context manager and as a decorator, with or without parentheses
(``@no_grad`` and ``@no_grad()``), on functions and on generator functions (every step of the
generator runs in the mode). The flag is per thread, as in PyTorch.
"""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    inference = False
    anomaly = False


state = _State()


def is_grad_enabled() -> bool:
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _Mode:
    """Sets grad mode on entry and restores the previous one on exit."""

    def __new__(cls, *args, **kwargs):
        # A bare decorator (@no_grad) calls the class with the function itself.
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], bool):
            return cls()(args[0])
        return super().__new__(cls)

    def _target(self, prev: bool) -> bool:
        return prev

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._target(self._prev)

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def clone(self):
        return type(self)()

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(self, fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper


def _wrap_generator(mode: _Mode, fn):
    """A generator function whose steps each run inside ``mode``, as PyTorch decorates them."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        gen = fn(*args, **kwargs)
        with mode.clone():
            item = next(gen, _DONE)
        while item is not _DONE:
            try:
                sent = yield item
            except GeneratorExit:
                with mode.clone():
                    gen.close()
                raise
            except BaseException as e:
                with mode.clone():
                    item = _step(gen.throw, e)
            else:
                with mode.clone():
                    item = _step(gen.send, sent)
        return None

    return wrapper


_DONE = object()


def _step(method, arg):
    try:
        return method(arg)
    except StopIteration:
        return _DONE


class no_grad(_Mode):
    """Operations inside record no graph: results have ``requires_grad=False``."""

    def _target(self, prev: bool) -> bool:
        return False


class enable_grad(_Mode):
    """Turn recording back on inside a ``no_grad`` block (not inside ``inference_mode``)."""

    def _target(self, prev: bool) -> bool:
        # NOTE: inference mode wins over grad mode in PyTorch: nothing records inside it.
        return not state.inference


class inference_mode(_Mode):
    """Like ``no_grad`` (ember has no separate inference tensors); ``inference_mode(False)``
    turns grad mode on, as PyTorch's does."""

    def __init__(self, mode: bool = True):
        self._mode = bool(mode)

    def _target(self, prev: bool) -> bool:
        return not self._mode

    def __enter__(self):
        self._prev_inference = state.inference
        state.inference = self._mode
        super().__enter__()

    def __exit__(self, *exc):
        state.inference = self._prev_inference
        return super().__exit__(*exc)

    def clone(self):
        return inference_mode(self._mode)


class set_grad_enabled(_Mode):
    """``set_grad_enabled(False)`` as a call, a context manager or a decorator."""

    def __new__(cls, mode: bool):
        return object.__new__(cls)

    def __init__(self, mode: bool):
        # As a plain call it takes effect at once; __exit__ (or decorating) restores.
        self._prev = state.enabled
        self._mode = bool(mode)
        state.enabled = self._mode and not state.inference

    def __enter__(self):
        pass

    def __call__(self, fn):
        state.enabled = self._prev
        return super().__call__(fn)

    def clone(self):
        return set_grad_enabled(self._mode)


class set_detect_anomaly:
    """Accepted for compatibility; ember's errors already name the op that failed."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._prev = state.anomaly
        state.anomaly = bool(mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.anomaly = self._prev
        return False


class detect_anomaly(set_detect_anomaly):
    """``with detect_anomaly():`` (accepted; see set_detect_anomaly)."""

    def __init__(self, check_nan: bool = True):
        super().__init__(True, check_nan)


def is_anomaly_enabled() -> bool:
    return state.anomaly
