"""The NumPy kernels behind convolution: im2col, the matmuls, col2im.

All three convolution primitives (ember.ops.conv) reduce to these: lay the input's windows out
as the columns of a matrix (one transposing copy of a ``sliding_window_view``), multiply by the
weight (one batched matmul), and for the adjoint add the columns back into an image by looping
over the kernel offsets with slice-adds (``np.add.at`` was 6x slower here, PERF-NOTES.md).

Arrays here are 4-D (N, C, H, W); 1-D convolutions arrive with H == 1. Two column layouts, both
invisible outside this module (every function takes and returns contiguous NCHW arrays):

- ``OUTER`` (batch outermost): columns (N, G, Kg, L), one small matmul per sample. No layout
  change of the input or the output is needed, so it wins when the output image is large (the
  first LeNet conv: 0.99 ms against 1.97 ms forward + weight gradient, 2 cores).
- ``INNER`` (batch innermost, images as (C, H, W, N)): columns (G, Kg, L*N), one big matmul,
  and every kernel shift copies or adds runs of W*N contiguous values instead of W. It wins when
  the output image is small (the second LeNet conv, 10x10: 1.86 ms against 3.81 ms), where runs
  of W are too short and per-sample matmuls too small.

G is groups, Kg = C/G*kh*kw the rows of one group's columns, L = Ho*Wo the output pixels.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import _parallel

OUTER, INNER = 0, 1

# NOTE: measured on LeNet-5 shapes (batch 64): OUTER won for 28x28 outputs, INNER for 10x10.
_OUTER_MIN_PIXELS = 256
# Samples per batch slice at most (_plan).
_CHUNK = 64
# Multiply-adds below which a kernel runs on one thread. NOTE: waking an idle worker takes
# 100-200 us on the bench machine (a virtual CPU), so small jobs gain nothing. Forward with
# two threads, LeNet's first conv at batch 64 (7.5 M): 0.58 -> 0.52 ms; its second (15 M):
# 0.73 -> 0.60 ms; at batch 256: 2.4 -> 2.2 and 3.0 -> 1.9 ms.
_MIN_SPLIT = 5_000_000


class Geometry:
    """One convolution's options, normalised to 2-D: kernel, stride, padding, dilation, groups.

    ``pad`` is (top, bottom, left, right) because padding='same' with an even kernel pads one
    more on the bottom/right, as PyTorch does.
    """

    __slots__ = ("kernel", "stride", "pad", "dilation", "groups", "one_d")

    def __init__(self, kernel, stride, pad, dilation, groups, one_d):
        self.kernel = kernel
        self.stride = stride
        self.pad = pad
        self.dilation = dilation
        self.groups = groups
        self.one_d = one_d

    def span(self) -> tuple:
        """Extent of one dilated kernel window (rows, columns)."""
        (kh, kw), (dh, dw) = self.kernel, self.dilation
        return dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def out_size(self, h: int, w: int) -> tuple:
        """Output (Ho, Wo) of the convolution of an h x w image (may be < 1 for bad input)."""
        eh, ew = self.span()
        pt, pb, pl, pr = self.pad
        sh, sw = self.stride
        return (h + pt + pb - eh) // sh + 1, (w + pl + pr - ew) // sw + 1

    def layout(self, n: int, ho: int, wo: int) -> int:
        return OUTER if n == 1 or ho * wo >= _OUTER_MIN_PIXELS else INNER


def as4d(a: np.ndarray) -> np.ndarray:
    """(N, C, L) as (N, C, 1, L) for 1-D convolutions; 4-D arrays pass through."""
    return a[:, :, None, :] if a.ndim == 3 else a


def _padded(x: np.ndarray, geom: Geometry, inner: bool) -> np.ndarray:
    """The zero-padded input, (N, C, Hp, Wp), or (C, Hp, Wp, N) for the INNER layout."""
    pt, pb, pl, pr = geom.pad
    n, c, h, w = x.shape
    if inner:
        src = x.transpose(1, 2, 3, 0)
        shape = (c, h + pt + pb, w + pl + pr, n)
        if not (pt or pb or pl or pr):
            return np.ascontiguousarray(src)
        # NOTE: zeros + one assignment is 3x faster than np.pad here.
        out = np.zeros(shape, x.dtype)
        out[:, pt : pt + h, pl : pl + w, :] = src
        return out
    if not (pt or pb or pl or pr):
        return x
    out = np.zeros((n, c, h + pt + pb, w + pl + pr), x.dtype)
    out[:, :, pt : pt + h, pl : pl + w] = x
    return out


def im2col(x: np.ndarray, geom: Geometry, layout: int, out_hw: tuple, out=None) -> np.ndarray:
    """The columns of ``x`` (N, C, H, W): (N, G, Kg, L) for OUTER, (G, Kg, L*N) for INNER.

    ``out_hw`` may be smaller than the geometry's output: the adjoint of a transposed
    convolution with output_padding >= stride needs only the first (Ho, Wo) windows. ``out``,
    a flat array of the columns' size, receives them.
    """
    n, c = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    ho, wo = out_hw
    g = geom.groups
    kg = c // g * kh * kw
    if out is None:
        out = np.empty(n * c * kh * kw * ho * wo, x.dtype)
    if layout == OUTER:
        win = sliding_window_view(_padded(x, geom, False), geom.span(), axis=(2, 3))
        win = win[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]
        np.copyto(out.reshape(n, c, kh, kw, ho, wo), win.transpose(0, 1, 4, 5, 2, 3))
        return out.reshape(n, g, kg, ho * wo)
    win = sliding_window_view(_padded(x, geom, True), geom.span(), axis=(1, 2))
    win = win[:, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, :, ::dh, ::dw]
    np.copyto(out.reshape(c, kh, kw, ho, wo, n), win.transpose(0, 4, 5, 1, 2, 3))
    return out.reshape(g, kg, ho * wo * n)


def _plan(n: int, per_sample: int, og: int) -> list:
    """The batch slices a kernel works on, shared out among ember's worker threads.

    At most ``_CHUNK`` samples each, so that a slice's columns stay in cache between the
    matmul and the copy that use them; one slice when the whole job is too small to split.
    """
    return _parallel.batch_slices(n, n * per_sample * og, _MIN_SPLIT, _CHUNK)


def _grouped(w: np.ndarray, g: int) -> np.ndarray:
    """Weight (O, C/G, kh, kw) as (G, O/G, Kg)."""
    return w.reshape(g, w.shape[0] // g, -1)


def _to_inner(a: np.ndarray, g: int) -> np.ndarray:
    """An NCHW gradient as (G, O/G, Ho*Wo*N), the INNER layout of the columns."""
    o = a.shape[1]
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).reshape(g, o // g, -1)


def _per_sample(geom: Geometry, c: int, out_hw: tuple) -> int:
    """Elements of one sample's columns."""
    (kh, kw), (ho, wo) = geom.kernel, out_hw
    return c * kh * kw * ho * wo


def conv_forward(x, w, geom: Geometry, layout: int, out_hw: tuple):
    """y = conv(x, w) as (N, O, Ho, Wo), with the columns (for the weight gradient): one flat
    array, each batch slice of ``_plan`` holding its own columns in turn."""
    n, c = x.shape[:2]
    ho, wo = out_hw
    g, o = geom.groups, w.shape[0]
    og = o // g
    wg = _grouped(w, g)
    per = _per_sample(geom, c, out_hw)
    cols = np.empty(n * per, x.dtype)
    y = np.empty((n, o, ho, wo), x.dtype)

    def run(sl):
        m = sl.stop - sl.start
        cs = im2col(x[sl], geom, layout, out_hw, cols[sl.start * per : sl.stop * per])
        if layout == OUTER:
            np.matmul(wg, cs, out=y[sl].reshape(m, g, og, ho * wo))
            return
        # NOTE: y^T = cols^T W^T, (G, L*N, O/G), not W cols: OpenBLAS is slow when the product
        # has few rows (O/G = 16 in LeNet's second conv), and the copy to NCHW reads
        # (Ho, Wo, N, O) faster too. Forward 1.03 -> 0.79 ms at batch 64 (one thread).
        yt = np.matmul(cs.swapaxes(-1, -2), wg.swapaxes(-1, -2)).reshape(g, ho, wo, m, og)
        y[sl].reshape(m, g, og, ho, wo)[...] = yt.transpose(3, 0, 4, 1, 2)

    _parallel.map(run, _plan(n, per, og))
    return y, cols


def _slice_cols(cols, sl, per: int, layout: int, g: int, pixels: int) -> np.ndarray:
    """Batch slice ``sl``'s columns, as im2col lays them out, in conv_forward's flat array."""
    part = cols[sl.start * per : sl.stop * per]
    kg = per // (g * pixels)
    return part.reshape(-1, g, kg, pixels) if layout == OUTER else part.reshape(g, kg, -1)


def conv_weight(x, gy, geom: Geometry, layout: int, wshape: tuple, cols=None):
    """dW of y = conv(x, w) given dY, as ``(cols @ dY^T)^T`` (1.3-2x faster than the other
    orientation, PERF-NOTES.md); ``cols`` from the forward pass saves redoing im2col."""
    n, c = x.shape[:2]
    g = geom.groups
    og = gy.shape[1] // g
    out_hw = gy.shape[2:4]
    per = _per_sample(geom, c, out_hw)

    def run(sl):
        m = sl.stop - sl.start
        if cols is None:
            cs = im2col(x[sl], geom, layout, out_hw)
        else:
            cs = _slice_cols(cols, sl, per, layout, g, out_hw[0] * out_hw[1])
        if layout == OUTER:
            gg = gy[sl].reshape(m, g, og, -1)
            return np.matmul(cs, gg.swapaxes(-1, -2)).sum(0)  # (G, Kg, Og)
        return np.matmul(cs, _to_inner(gy[sl], g).swapaxes(-1, -2))

    parts = _parallel.map(run, _plan(n, per, og))
    dw = parts[0]
    for p in parts[1:]:
        dw += p
    return np.ascontiguousarray(dw.swapaxes(-1, -2)).reshape(wshape)


def conv_input(gy, w, geom: Geometry, layout: int, xshape: tuple):
    """dX of y = conv(x, w) given dY (the transposed convolution): W^T dY, then col2im by
    slice-adds over the kernel offsets, each batch slice on its own."""
    n, c, h, wd = xshape
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    pt, pb, pl, pr = geom.pad
    padded = pt or pb or pl or pr
    g = geom.groups
    ho, wo = gy.shape[2:4]
    wt = _grouped(w, g).swapaxes(-1, -2)  # (G, Kg, Og)
    hspan, wspan = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    dx = np.empty(xshape, gy.dtype)

    def run(sl):
        gs = gy[sl]
        m = gs.shape[0]
        if layout == OUTER:
            dcols = np.matmul(wt, gs.reshape(m, g, -1, ho * wo)).reshape(m, c, kh, kw, ho, wo)
            if padded:
                dxp = np.zeros((m, c, h + pt + pb, wd + pl + pr), gy.dtype)
            else:
                dxp = dx[sl]
                dxp[...] = 0
            for i in range(kh):
                for j in range(kw):
                    r, q = i * dh, j * dw
                    dxp[:, :, r : r + hspan : sh, q : q + wspan : sw] += dcols[:, :, i, j]
            if padded:
                dx[sl] = dxp[:, :, pt : pt + h, pl : pl + wd]
            return
        dcols = np.matmul(wt, _to_inner(gs, g)).reshape(c, kh, kw, ho, wo, m)
        dxt = np.zeros((c, h + pt + pb, wd + pl + pr, m), gy.dtype)
        for i in range(kh):
            for j in range(kw):
                r, q = i * dh, j * dw
                dxt[:, r : r + hspan : sh, q : q + wspan : sw] += dcols[:, i, j]
        dx[sl] = dxt[:, pt : pt + h, pl : pl + wd].transpose(3, 0, 1, 2)

    _parallel.map(run, _plan(n, _per_sample(geom, c, (ho, wo)), gy.shape[1] // g))
    return dx
