"""repr/str of tensors, laid out as PyTorch prints them."""

from __future__ import annotations

import numpy as np

from . import dtypes

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


def _formatter(arr: np.ndarray):
    """A function formatting one element, and the width every element is padded to."""
    if arr.dtype == np.bool_:
        return (lambda v: "True" if v else "False"), (5 if (~arr).any() else 4)
    if arr.dtype.kind in "iu":
        width = max((len(str(int(v))) for v in arr.flat), default=1)
        return (lambda v: str(int(v))), width
    finite = arr[np.isfinite(arr)].astype(np.float64)
    nonzero = np.abs(finite[finite != 0])
    sci = False
    if finite.size and np.all(finite == np.ceil(finite)):
        fmt = "{:.0f}."
        if nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8):
            sci = True
    else:
        fmt = f"{{:.{PRECISION}f}}"
        if nonzero.size and (
            nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4
        ):
            sci = True
    if sci:
        fmt = f"{{:.{PRECISION}e}}"

    def one(v):
        v = float(v)
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        return fmt.format(v)

    width = max((len(one(v)) for v in arr.flat), default=1)
    return one, width


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements that get printed when a large tensor is summarized (edges of each dim)."""
    if arr.ndim == 0:
        return arr.reshape(1)
    if arr.shape[0] > 2 * EDGEITEMS:
        arr = np.concatenate([arr[:EDGEITEMS], arr[-EDGEITEMS:]])
    return np.stack([_summarized(a) for a in arr]) if arr.ndim > 1 else arr


def _rows(arr, fmt, width, indent, summarize):
    if arr.ndim == 1:
        n = arr.shape[0]
        if summarize and n > 2 * EDGEITEMS:
            items = [fmt(v).rjust(width) for v in arr[:EDGEITEMS]] + ["..."]
            items += [fmt(v).rjust(width) for v in arr[-EDGEITEMS:]]
        else:
            items = [fmt(v).rjust(width) for v in arr]
        per_line = max(1, (LINEWIDTH - indent) // (width + 2))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = arr.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        parts = [_rows(a, fmt, width, indent + 1, summarize) for a in arr[:EDGEITEMS]]
        parts += ["..."]
        parts += [_rows(a, fmt, width, indent + 1, summarize) for a in arr[-EDGEITEMS:]]
    else:
        parts = [_rows(a, fmt, width, indent + 1, summarize) for a in arr]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def format_values(arr: np.ndarray, indent: int) -> str:
    summarize = arr.size > THRESHOLD
    shown = _summarized(arr) if summarize else arr
    fmt, width = _formatter(shown)
    if arr.ndim == 0:
        return fmt(arr.item())
    return _rows(arr, fmt, width, indent, summarize)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    arr = t._data
    suffixes = []
    if arr.size == 0 and arr.ndim != 1:
        body = "[]"
        suffixes.append(f"size={tuple(arr.shape)}")
    else:
        body = format_values(arr, len(prefix))
    d = t.dtype
    if d not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
        suffixes.append(f"dtype={d!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    tail = "".join(", " + s for s in suffixes)
    return f"{prefix}{body}{tail})"
