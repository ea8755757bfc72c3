"""repr/str of tensors, laid out as PyTorch prints them, and ``set_printoptions``.

The layout rules, learnt by comparing with PyTorch's output:

- Integer and bool tensors print ``str(value)``, right-aligned to the widest value.
- Floats pick one mode for the whole tensor from its nonzero finite values: "int mode"
  (``1.``) when all are whole numbers, else fixed point with ``precision`` digits; either turns
  into scientific notation when max/min > 1000 or max > 1e8, and fixed point also when
  min < 1e-4. ``set_printoptions(sci_mode=...)`` overrides the choice.
- Every element is right-aligned to the widest nonzero finite value as printed (zeros, nan and
  inf are padded to that width but never widen it).
- Tensors with more than ``threshold`` elements show ``edgeitems`` at each end of every dim;
  the mode and width then come from the shown elements only.
- A row wraps after as many elements as fit in ``linewidth``; suffixes (``dtype=``,
  ``grad_fn=``) go to a new line when they would pass it.
"""

from __future__ import annotations

import math

import numpy as np

from . import dtypes


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None


OPTS = _Options()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """Set how tensors print, as ``torch.set_printoptions`` does.

    Args:
        precision: digits after the point (4).
        threshold: element count above which a tensor is summarized with ``...`` (1000).
        edgeitems: elements shown at each end of a summarized dim (3).
        linewidth: characters per line before wrapping (80).
        profile: ``"default"``, ``"short"`` or ``"full"``, applied before the other arguments.
        sci_mode: True/False forces scientific notation on/off; None chooses automatically.
    """
    if profile is not None:
        for name, value in _PROFILES[profile].items():
            setattr(OPTS, name, value)
    if precision is not None:
        OPTS.precision = precision
    if threshold is not None:
        OPTS.threshold = threshold
    if edgeitems is not None:
        OPTS.edgeitems = edgeitems
    if linewidth is not None:
        OPTS.linewidth = linewidth
    # NOTE: sci_mode is always assigned, so that passing None restores the automatic choice.
    OPTS.sci_mode = sci_mode


class _Formatter:
    """Formats one element of a given tensor; ``width`` is what every element is padded to."""

    def __init__(self, arr: np.ndarray):
        self.kind = arr.dtype.kind
        self.width = 1
        if self.kind != "f":
            for v in arr.flat:
                self.width = max(self.width, len(str(v.item())))
            return
        values = arr.astype(np.float64, copy=False).ravel()
        finite = values[np.isfinite(values) & (values != 0)]
        self.int_mode = True
        self.sci = False
        if finite.size:
            mags = np.abs(finite)
            lo, hi = mags.min(), mags.max()
            self.int_mode = bool(np.all(finite == np.ceil(finite)))
            if self.int_mode:
                self.sci = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if OPTS.sci_mode is not None:
            self.sci = OPTS.sci_mode
        for v in finite:
            self.width = max(self.width, len(self._text(float(v))))

    def _text(self, v) -> str:
        if self.kind != "f":
            return str(v)
        if self.sci:
            return f"{v:.{OPTS.precision}e}"
        if self.int_mode:
            return f"{v:.0f}" if math.isinf(v) or math.isnan(v) else f"{v:.0f}."
        return f"{v:.{OPTS.precision}f}"

    def __call__(self, v) -> str:
        return self._text(v.item()).rjust(self.width)


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements shown when a large tensor is summarized (the edges of every dim)."""
    e = OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * e:
        arr = np.concatenate([arr[:e], arr[-e:]])
    if arr.ndim == 1:
        return arr
    return np.stack([_summarized(a) for a in arr])


def _body(arr: np.ndarray, fmt: _Formatter, indent: int, summarize: bool) -> str:
    e = OPTS.edgeitems
    cut = summarize and arr.shape[0] > 2 * e
    if arr.ndim == 1:
        if cut:
            items = [fmt(v) for v in arr[:e]] + [" ..."] + [fmt(v) for v in arr[-e:]]
        else:
            items = [fmt(v) for v in arr]
        per_line = max(1, int((OPTS.linewidth - indent) // (fmt.width + 2)))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if cut:
        parts = [_body(a, fmt, indent + 1, summarize) for a in arr[:e]]
        parts += ["..."] + [_body(a, fmt, indent + 1, summarize) for a in arr[-e:]]
    else:
        parts = [_body(a, fmt, indent + 1, summarize) for a in arr]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def format_values(arr: np.ndarray, indent: int) -> str:
    """The bracketed values of a non-empty array, as they appear inside ``tensor(...)``."""
    summarize = arr.size > OPTS.threshold
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    if arr.ndim == 0:
        return fmt._text(arr.item())
    return _body(arr, fmt, indent, summarize)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    last = len(text) - text.rfind("\n") - 1
    out = [text]
    for s in suffixes:
        if last + len(s) + 2 > OPTS.linewidth:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    return "".join(out) + ")"


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """``repr(t)``: ``tensor([...], dtype=..., grad_fn=<...>)``."""
    arr = t._data
    d = t.dtype
    suffixes = []
    if arr.size == 0:
        body = "[]"
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        # Empty tensors name every dtype but the default float one.
        if d is not dtypes.get_default_dtype():
            suffixes.append(f"dtype={d!r}")
    else:
        body = format_values(arr, len(prefix))
        if d not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={d!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))
