"""The NumPy kernels behind pooling: windows as strided slices, one per kernel offset.

Windows are never materialised: a k x k pool is k*k strided slices of the (padded) input, one
per kernel offset, combined with ``np.maximum`` or ``+`` into an output-sized array. For a
2 x 2 pool on LeNet shapes (64, 6, 28, 28) that is 0.13 ms, against 2.0 ms for a 6-D
reshape-mean and 7.9 ms for a reshape-max (PERF-NOTES.md). Backward walks the same offsets: max
routes each window's gradient to its first maximum with masks, average adds the scaled gradient
back into each offset's slice. Arrays are (..., H, W); 1-D pools arrive with H == 1.
"""

from __future__ import annotations

import numpy as np

from .. import _parallel

# Input elements from which a pooling kernel splits its batch among the worker threads. NOTE:
# LeNet-5's max pool at batch 256 (1.2 M elements), forward + backward: 4.1 -> 2.7 ms with two
# threads; at batch 64 a split gains nothing (waking a worker costs 100-200 us).
_MIN_SPLIT = 1 << 20


class Window:
    """One pool's geometry: kernel, stride, padding, dilation, input and output sizes."""

    __slots__ = ("kernel", "stride", "pad", "dilation", "in_hw", "out_hw", "padded_hw")

    def __init__(self, kernel, stride, pad, dilation, in_hw, out_hw):
        self.kernel, self.stride, self.pad, self.dilation = kernel, stride, pad, dilation
        self.in_hw, self.out_hw = in_hw, out_hw
        # Rows/columns the windows reach, padding and ceil_mode overhang included.
        self.padded_hw = tuple(
            max(i + p, (o - 1) * s + d * (k - 1) + 1)
            for i, p, o, s, d, k in zip(in_hw, pad, out_hw, stride, dilation, kernel)
        )

    def needs_pad(self) -> bool:
        return (
            self.padded_hw[0] > self.in_hw[0] or self.padded_hw[1] > self.in_hw[1] or any(self.pad)
        )

    def disjoint(self) -> bool:
        """Whether no input element lies in two windows (each slice is written once)."""
        return all(s >= d * (k - 1) + 1 for s, d, k in zip(self.stride, self.dilation, self.kernel))

    def tiles(self) -> bool:
        """Whether the windows cover every input element exactly once (no padding, no gaps,
        no overlap), so that a scatter over all offsets writes the whole input."""
        return not any(self.pad) and all(
            d == 1 and s == k and o * s == i
            for d, s, k, o, i in zip(
                self.dilation, self.stride, self.kernel, self.out_hw, self.in_hw
            )
        )

    def offsets(self):
        """(i, j, index) for each kernel offset in row-major order: ``xp[index]`` is the
        (N, C, Ho, Wo) slice of every window's element at that offset."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        ho, wo = self.out_hw
        hs, ws = sh * (ho - 1) + 1, sw * (wo - 1) + 1
        for i in range(kh):
            for j in range(kw):
                r, c = i * dh, j * dw
                yield i, j, (Ellipsis, slice(r, r + hs, sh), slice(c, c + ws, sw))

    def rows_cols(self, i: int, j: int):
        """Input row and column (unpadded coordinates) read by offset (i, j) of each window."""
        ho, wo = self.out_hw
        rows = np.arange(ho) * self.stride[0] - self.pad[0] + i * self.dilation[0]
        cols = np.arange(wo) * self.stride[1] - self.pad[1] + j * self.dilation[1]
        return rows, cols


def pad(x: np.ndarray, win: Window, fill) -> np.ndarray:
    if not win.needs_pad():
        return x
    (h, w), (ph, pw) = win.in_hw, win.pad
    xp = np.full(x.shape[:-2] + win.padded_hw, fill, x.dtype)
    xp[..., ph : ph + h, pw : pw + w] = x
    return xp


def crop(dxp: np.ndarray, win: Window) -> np.ndarray:
    if not win.needs_pad():
        return dxp
    (h, w), (ph, pw) = win.in_hw, win.pad
    return np.ascontiguousarray(dxp[..., ph : ph + h, pw : pw + w])


def lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def first_max_hits(xp: np.ndarray, out: np.ndarray, win: Window):
    """Yield (index, hit) per kernel offset: hit marks the windows whose max is taken from that
    offset. Ties go to the first maximum in row-major window order and a NaN window to its
    last NaN, as PyTorch's kernel chooses; padding never wins."""
    taken = None
    nan_hits = None
    if out.dtype.kind == "f":
        nan = np.isnan(out)
        if nan.any():
            nan_hits = {}
            for i, j, ix in reversed(list(win.offsets())):
                m = np.isnan(xp[ix]) & nan
                nan_hits[i, j] = m
                nan &= ~m
    padded = win.needs_pad()
    h, w = win.in_hw
    for i, j, ix in win.offsets():
        hit = xp[ix] == out
        if padded:
            rows, cols = win.rows_cols(i, j)
            hit &= ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < w))[None, :]
        if taken is None:
            taken = hit.copy()
        else:
            np.greater(hit, taken, out=hit)  # hit and not yet taken
            taken |= hit
        if nan_hits is not None:
            hit |= nan_hits[i, j]
        yield ix, hit


def batch_slices(a: np.ndarray) -> list:
    """Slices of ``a``'s first axis for ember's worker threads (one when ``a`` is small)."""
    if a.ndim <= 2:  # one image: no batch to split
        return [slice(None)]
    return _parallel.batch_slices(a.shape[0], a.size, _MIN_SPLIT)


def max_forward(x: np.ndarray, win: Window):
    xp = pad(x, win, lowest(x.dtype))
    first, *rest = (ix for _, _, ix in win.offsets())
    out = np.empty(xp[first].shape, x.dtype)

    def run(sl):
        o, p = out[sl], xp[sl]
        np.copyto(o, p[first])
        for ix in rest:
            np.maximum(o, p[ix], out=o)

    _parallel.map(run, batch_slices(xp))
    return xp, out


def max_indices(xp, out, win: Window) -> np.ndarray:
    """Flat input index (row * W + column) of each window's chosen maximum."""
    idx = np.zeros(out.shape, np.int64)
    w = win.in_hw[1]
    ij = [(i, j) for i, j, _ in win.offsets()]
    for (i, j), (_, hit) in zip(ij, first_max_hits(xp, out, win)):
        rows, cols = win.rows_cols(i, j)
        np.copyto(idx, rows[:, None] * w + cols[None, :], where=hit)
    return idx


def avg_divisor(win: Window, count_include_pad: bool, divisor_override, dtype):
    """The divisor of each window: a scalar when all are equal, else an (Ho, Wo) array (in
    ``dtype`` for floats, int64 for integer input).

    PyTorch counts padding (when asked) but never the ceil_mode overhang past it.
    """
    if divisor_override is not None:
        return int(divisor_override)
    sizes = []
    for ax in range(2):
        n, k, s, p = win.in_hw[ax], win.kernel[ax], win.stride[ax], win.pad[ax]
        start = np.arange(win.out_hw[ax]) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        sizes.append(end - start)
    div = sizes[0][:, None] * sizes[1][None, :]
    if (div == div.flat[0]).all():
        return int(div.flat[0])
    return div.astype(dtype) if dtype.kind == "f" else div


def avg_gather(x: np.ndarray, win: Window, div) -> np.ndarray:
    xp = pad(x, win, 0)
    it = win.offsets()
    out = xp[next(it)[2]].copy()
    for _, _, ix in it:
        out += xp[ix]
    if out.dtype.kind != "f":
        # Integer input: the mean truncated toward zero, as PyTorch's integer kernels do.
        return np.trunc(out / div).astype(out.dtype)
    out /= div
    return out


def avg_scatter(g: np.ndarray, win: Window, div, shape) -> np.ndarray:
    gs = g / div
    if win.disjoint() and not win.needs_pad():
        dx = np.zeros(shape, g.dtype)
        for _, _, ix in win.offsets():
            dx[ix] = gs
        return dx
    dxp = np.zeros(shape[:-2] + win.padded_hw, g.dtype)
    for _, _, ix in win.offsets():
        dxp[ix] += gs
    return crop(dxp, win)


def adaptive_bounds(n: int, out: int):
    """PyTorch's adaptive windows: [floor(i * n / out), ceil((i + 1) * n / out))."""
    i = np.arange(out)
    return (i * n) // out, -((-(i + 1) * n) // out)


def mean_matrix(n: int, out: int, dtype) -> np.ndarray:
    """(out, n) matrix whose row i averages adaptive window i."""
    start, end = adaptive_bounds(n, out)
    pos = np.arange(n)
    m = (pos >= start[:, None]) & (pos < end[:, None])
    return (m / (end - start)[:, None]).astype(dtype)


def out_len(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """Pool output length; with ceil_mode the last window must start inside input or padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and out > 0 and (out - 1) * s >= n + p:
        out -= 1
    return out
