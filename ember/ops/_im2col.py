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

OUTER, INNER = 0, 1

# NOTE: measured on LeNet-5 shapes (batch 64): OUTER won for 28x28 outputs, INNER for 10x10.
_OUTER_MIN_PIXELS = 256
# Samples per chunk of the INNER input gradient (conv_input).
_CHUNK = 64


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


def im2col(x: np.ndarray, geom: Geometry, layout: int, out_hw: tuple) -> np.ndarray:
    """The columns of ``x`` (N, C, H, W): (N, G, Kg, L) for OUTER, (G, Kg, L*N) for INNER.

    ``out_hw`` may be smaller than the geometry's output: the adjoint of a transposed
    convolution with output_padding >= stride needs only the first (Ho, Wo) windows.
    """
    n, c = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    ho, wo = out_hw
    g = geom.groups
    kg = c // g * kh * kw
    if layout == OUTER:
        win = sliding_window_view(_padded(x, geom, False), geom.span(), axis=(2, 3))
        win = win[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]
        cols = np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3))  # (N, C, kh, kw, Ho, Wo)
        return cols.reshape(n, g, kg, ho * wo)
    win = sliding_window_view(_padded(x, geom, True), geom.span(), axis=(1, 2))
    win = win[:, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, :, ::dh, ::dw]
    cols = np.ascontiguousarray(win.transpose(0, 4, 5, 1, 2, 3))  # (C, kh, kw, Ho, Wo, N)
    return cols.reshape(g, kg, ho * wo * n)


def _grouped(w: np.ndarray, g: int) -> np.ndarray:
    """Weight (O, C/G, kh, kw) as (G, O/G, Kg)."""
    return w.reshape(g, w.shape[0] // g, -1)


def _to_inner(a: np.ndarray, g: int) -> np.ndarray:
    """An NCHW gradient as (G, O/G, Ho*Wo*N), the INNER layout of the columns."""
    n, o = a.shape[:2]
    if n <= _CHUNK:
        return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).reshape(g, o // g, -1)
    # NOTE: the transposing copy in batch chunks stays in cache: 0.53 -> 0.27 ms for LeNet's
    # second conv at batch 256 (one thread).
    out = np.empty((o,) + a.shape[2:] + (n,), a.dtype)
    for s in range(0, n, _CHUNK):
        out[..., s : s + _CHUNK] = a[s : s + _CHUNK].transpose(1, 2, 3, 0)
    return out.reshape(g, o // g, -1)


def conv_forward(x, w, geom: Geometry, layout: int, out_hw: tuple):
    """y = conv(x, w) as (N, O, Ho, Wo), with the columns (for the weight gradient)."""
    n = x.shape[0]
    ho, wo = out_hw
    cols = im2col(x, geom, layout, out_hw)
    wg = _grouped(w, geom.groups)
    o = w.shape[0]
    if layout == OUTER:
        return np.matmul(wg, cols).reshape(n, o, ho, wo), cols
    # NOTE: y^T = cols^T W^T, (G, L*N, O/G), not W cols: OpenBLAS is slow when the product has
    # few rows (O/G = 16 in LeNet's second conv), and the copy to NCHW reads (Ho, Wo, N, O)
    # faster too. Forward 1.03 -> 0.79 ms at batch 64, 3.83 -> 2.98 at 256 (one thread).
    g, og = geom.groups, o // geom.groups
    yt = np.matmul(cols.swapaxes(-1, -2), wg.swapaxes(-1, -2)).reshape(g, ho, wo, n, og)
    return np.ascontiguousarray(yt.transpose(3, 0, 4, 1, 2)).reshape(n, o, ho, wo), cols


def conv_weight(x, gy, geom: Geometry, layout: int, wshape: tuple, cols=None):
    """dW of y = conv(x, w) given dY, as ``(cols @ dY^T)^T`` (1.3-2x faster than the other
    orientation, PERF-NOTES.md); ``cols`` from the forward pass saves redoing im2col."""
    if cols is None:
        cols = im2col(x, geom, layout, gy.shape[2:4])
    g = geom.groups
    if layout == OUTER:
        n, o = gy.shape[:2]
        gg = gy.reshape(n, g, o // g, -1)
        dw = np.matmul(cols, gg.swapaxes(-1, -2)).sum(0)  # (G, Kg, Og)
    else:
        dw = np.matmul(cols, _to_inner(gy, g).swapaxes(-1, -2))
    return np.ascontiguousarray(dw.swapaxes(-1, -2)).reshape(wshape)


def conv_input(gy, w, geom: Geometry, layout: int, xshape: tuple):
    """dX of y = conv(x, w) given dY (the transposed convolution): W^T dY, then col2im."""
    n, c, h, wd = xshape
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    pt, pb, pl, pr = geom.pad
    g = geom.groups
    ho, wo = gy.shape[2:4]
    wt = _grouped(w, g).swapaxes(-1, -2)  # (G, Kg, Og)
    hspan, wspan = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    if layout == OUTER:
        dcols = np.matmul(wt, gy.reshape(n, g, -1, ho * wo)).reshape(n, c, kh, kw, ho, wo)
        dxp = np.zeros((n, c, h + pt + pb, wd + pl + pr), gy.dtype)
        for i in range(kh):
            for j in range(kw):
                r, q = i * dh, j * dw
                dxp[:, :, r : r + hspan : sh, q : q + wspan : sw] += dcols[:, :, i, j]
        if pt or pb or pl or pr:
            return np.ascontiguousarray(dxp[:, :, pt : pt + h, pl : pl + wd])
        return dxp
    # NOTE: in batch chunks, so that each chunk's columns stay in cache between the matmul
    # that writes them and the col2im that reads them: the whole batch's are 15 MB for LeNet's
    # second conv at batch 256. Input gradient 5.2 -> 4.2 ms there (one thread); each sample's
    # result is computed exactly as before.
    dx = np.empty(xshape, gy.dtype)
    for s in range(0, n, _CHUNK):
        gc = gy[s : s + _CHUNK]
        m = gc.shape[0]
        dcols = np.matmul(wt, _to_inner(gc, g)).reshape(c, kh, kw, ho, wo, m)
        dxt = np.zeros((c, h + pt + pb, wd + pl + pr, m), gy.dtype)
        for i in range(kh):
            for j in range(kw):
                r, q = i * dh, j * dw
                dxt[:, r : r + hspan : sh, q : q + wspan : sw] += dcols[:, i, j]
        dx[s : s + m] = dxt[:, pt : pt + h, pl : pl + wd].transpose(3, 0, 1, 2)
    return dx
