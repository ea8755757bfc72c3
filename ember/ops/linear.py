"""The fused affine map behind nn.Linear: y = x W^T + b, one matmul forward, matmuls back.

One node instead of three (transpose, matmul, add) keeps the graph short; the bias is added in
place into the fresh matmul result, and its gradient is the output gradient in its broadcast
shape (the engine's sum_to reduces it, STYLE.md point 3).
"""

from __future__ import annotations

import numpy as np

from .._threads import for_product
from ..autograd import grad_mode
from ..autograd.function import Op
from ..tensor import Tensor, _make
from ._util import _type_word
from .linalg import is_param, matmul
from .movement import reshape

_state = grad_mode.state  # recording is on in backward only for create_graph=True


class Addmm(Op):
    """Linear with bias (PyTorch names the node AddmmBackward0)."""

    @staticmethod
    def forward(ctx, x, w, b):
        if ctx.inputs is not None:
            ctx.save_for_backward(x, w)
        xd = x._data
        for_product(xd.size * w._data.shape[0])
        if xd.ndim > 2 and xd.flags.c_contiguous:
            # One big GEMM over all leading dims instead of NumPy's loop over them.
            out = np.matmul(xd.reshape(-1, xd.shape[-1]), w._data.T)
            out = out.reshape(xd.shape[:-1] + (out.shape[-1],))
        else:
            out = np.matmul(xd, w._data.T)
        if b is not None:
            out += b._data
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        gb = g if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2] else None
        if not _state.enabled:
            # No graph (create_graph=False): the two products straight in NumPy, without
            # the dispatch and checks of matmul and mT (~10 us per layer).
            gd, wd = g._data, w._data
            macs = gd.size * wd.shape[1]
            gx = gw = None
            if need_x:
                for_product(macs)
                gx = _make(np.matmul(gd, wd))
            if need_w:
                for_product(macs, is_param(x))
                xd = x._data
                g2 = gd.reshape(-1, wd.shape[0]) if gd.ndim != 2 else gd
                x2 = xd.reshape(-1, wd.shape[1]) if xd.ndim != 2 else xd
                gw = _make(np.matmul(g2.T, x2))
            return gx, gw, gb
        gx = gw = None
        if need_x:
            gx = matmul(g, w)
        if need_w:
            n_out, n_in = w._data.shape
            g2 = reshape(g, (-1, n_out)) if g._data.ndim != 2 else g
            x2 = reshape(x, (-1, n_in)) if x._data.ndim != 2 else x
            gw = matmul(g2.mT, x2)
        return gx, gw, gb


class Mm(Addmm):
    """Linear without bias (the node PyTorch calls MmBackward0)."""


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight.T + bias; ``weight`` is (out_features, in_features).

    Shape: input (*, in_features) -> (*, out_features).
    """
    xd, wd = input._data, weight._data
    if wd.ndim == 1:
        # PyTorch accepts a 1-D weight: a dot product over the last dim.
        out = matmul(input, weight)
        return out if bias is None else out + bias
    if wd.ndim != 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {wd.ndim}D")
    if xd.ndim == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are 0D and 2D"
        )
    if xd.shape[-1] != wd.shape[1]:
        rows = int(np.prod(xd.shape[:-1])) if xd.ndim > 1 else 1
        cols = xd.shape[-1]
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
            f"{wd.shape[1]}x{wd.shape[0]})"
        )
    if xd.dtype != wd.dtype:
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{_type_word(xd.dtype)} and {_type_word(wd.dtype)}"
        )
    if bias is not None:
        if bias._data.dtype != wd.dtype:
            raise RuntimeError(
                "self and mat2 must have the same dtype, but got "
                f"{_type_word(bias._data.dtype)} and {_type_word(wd.dtype)}"
            )
        bs, n = bias._data.shape, wd.shape[0]
        if bs not in ((n,), (1,), ()):
            target = list(xd.shape[:-1]) + [n]
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) must match the existing size "
                f"({bs[-1]}) at non-singleton dimension {len(target) - 1}.  Target sizes: "
                f"{target}.  Tensor sizes: {list(bs)}"
            )
        return Addmm.apply(input, weight, bias)
    return Mm.apply(input, weight, None)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None):
    """y_k = x1^T W_k x2 + b_k; weight (out, in1, in2).

    Composed from two matmuls: (x1 @ W viewed as (in1, out*in2)) then a batched dot with x2.
    """
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            "bilinear(): input batch dimensions do not match: got "
            f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}"
        )
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3D, but got {weight.dim()}D")
    n_out, n1, n2 = weight.shape
    if input1.shape[-1] != n1:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {n1}"
        )
    if input2.shape[-1] != n2:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {n2}"
        )
    lead = tuple(input1.shape[:-1])
    x1 = reshape(input1, (-1, n1))
    x2 = reshape(input2, (-1, n2))
    # (B, in1) @ (in1, out*in2) -> (B, out, in2), then contract in2 with x2.
    w = reshape(weight.permute(1, 0, 2), (n1, n_out * n2))
    t = reshape(matmul(x1, w), (-1, n_out, n2))
    y = reshape(matmul(t, reshape(x2, (-1, n2, 1))), (-1, n_out))
    if bias is not None:
        y = y + bias
    return reshape(y, lead + (n_out,))
