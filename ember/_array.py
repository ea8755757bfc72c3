"""The one seam to NumPy.

Every array that becomes a tensor's storage passes through here: NumPy scalars become 0-d
arrays, float64 from NumPy's own defaults is refused where the caller did not ask for it, and
broadcast gradients are summed back to an input's shape. A CuPy backend would slot in here.
"""

from __future__ import annotations

import warnings

import numpy as np

ndarray = np.ndarray

# NOTE: PyTorch gives inf and nan silently (1/0, log(0), exp overflow); NumPy warns. The
# warnings are attributed to the module that called the ufunc, so this filter silences the ones
# raised inside ember only: user code keeps NumPy's warnings, and no op pays for an errstate
# context (0.7 us each). pyproject.toml repeats it for pytest, which resets filters per test.
warnings.filterwarnings(
    "ignore", message=".*encountered in", category=RuntimeWarning, module=r"ember\."
)


def as_array(x) -> np.ndarray:
    """A NumPy scalar or array as an ndarray (NumPy reductions return scalars for 0-d)."""
    if type(x) is np.ndarray:
        return x
    return np.asarray(x)


def sum_to(a: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``a`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if a.shape == shape:
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and a.shape[i + lead] != 1
    )
    out = a.sum(axis=axes, keepdims=True) if axes else a
    if lead:
        out = out.reshape(out.shape[lead:])
    return as_array(out)


def broadcast_view(a: np.ndarray, shape: tuple) -> np.ndarray:
    """``a`` broadcast to ``shape`` (known to be compatible) as a zero-stride view, for
    gradients inside backward: NOT read-only, so nothing may write into it.

    NOTE: np.broadcast_to builds an nditer in Python (~4.8 us even for one element); here a
    C-contiguous ``a`` takes one ndarray constructor (~0.5 us), and making the view read-only
    would cost as much again.
    """
    n = len(shape)
    if a.size == 1 and a.ndim <= n:
        return np.ndarray(shape, a.dtype, a, 0, _ZERO_STRIDES[n])
    if not a.flags.c_contiguous or a.ndim > n:
        return np.broadcast_to(a, shape)
    strides = []
    step = a.itemsize
    for k in reversed(a.shape):
        strides.append(step if k != 1 else 0)
        step *= k
    strides.extend((0,) * (n - a.ndim))
    return np.ndarray(shape, a.dtype, a, 0, tuple(reversed(strides)))


_ZERO_STRIDES = [(0,) * n for n in range(65)]


def broadcastable_to(src: tuple, dst: tuple) -> bool:
    """Whether an array of shape ``src`` sums down from ``dst`` (``sum_to`` is defined)."""
    if len(src) > len(dst):
        return False
    for s, d in zip(reversed(src), reversed(dst)):
        if s != d and s != 1:
            return False
    return True


def broadcast_error(exc: Exception, operands) -> RuntimeError | None:
    """PyTorch's RuntimeError for operands whose shapes do not broadcast.

    NumPy raises ValueError on a broadcast failure; callers catch it only on that (rare) path
    and ask here for PyTorch's message, so the path that succeeds pays nothing. Returns None
    when ``exc`` is about something else, so the caller re-raises it unchanged.
    """
    if "broadcast" not in str(exc):
        return None
    acc: tuple = ()
    for x in operands:
        shape = getattr(getattr(x, "_data", x), "shape", None)
        if shape is None:
            continue
        # Like PyTorch, compare from the last dim backwards and name the dim of the result.
        n = max(len(acc), len(shape))
        for i in range(n - 1, -1, -1):
            j, k = i - (n - len(acc)), i - (n - len(shape))
            a = acc[j] if j >= 0 else 1
            b = shape[k] if k >= 0 else 1
            if a != b and a != 1 and b != 1:
                return RuntimeError(
                    f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                    f"non-singleton dimension {i}"
                )
        acc = np.broadcast_shapes(acc, shape)
    return None
