"""Matrix products: mm, matmul (@), bmm, dot, outer, einsum."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from ._util import _type_word

_SCALAR = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


def _check_dtypes(a: Tensor, b: Tensor, n1="mat1", n2="mat2"):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected {n1} and {n2} to have the same dtype, but got: "
            f"{_SCALAR[a._data.dtype.name]} != {_SCALAR[b._data.dtype.name]}"
        )


class MatMul(Op):
    """Batched matrix product of tensors with at least 2 dims (batch dims broadcast)."""

    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            ctx.save_for_backward(a, b)
        return np.matmul(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = matmul(g, b.mT) if ctx.needs_input_grad[0] else None
        gb = matmul(a.mT, g) if ctx.needs_input_grad[1] else None
        return ga, gb


class Mm(MatMul):
    pass


class Bmm(MatMul):
    pass


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """2-D matrix product: (n, m) @ (m, p) -> (n, p)."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({input._data.shape[0]}x"
            f"{input._data.shape[1]} and {mat2._data.shape[0]}x{mat2._data.shape[1]})"
        )
    _check_dtypes(input, mat2, "self", "mat2")
    return Mm.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of 3-D tensors: (b, n, m) @ (b, m, p) -> (b, n, p)."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = input._data.shape, mat2._data.shape
    if s1[0] != s2[0] or s1[2] != s2[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{s1[0]}, {s1[2]}] "
            f"but got: [{s2[0]}, {s2[1]}]."
        )
    _check_dtypes(input, mat2, "self", "mat2")
    return Bmm.apply(input, mat2)


def matmul(input, other) -> Tensor:
    """NumPy-style matmul: 1-D operands are promoted to matrices, batch dims broadcast."""
    from .movement import squeeze, unsqueeze

    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        from ._util import as_tensor_operand

        input, other = as_tensor_operand(input), as_tensor_operand(other)
    na, nb = input._data.ndim, other._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    _check_dtypes(input, other, "self" if na == 1 else "mat1", "mat2")
    sa, sb = input._data.shape, other._data.shape
    k_a = sa[-1]
    k_b = sb[0] if nb == 1 else sb[-2]
    if k_a != k_b:
        if na == 1 and nb == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                "the same number of elements, but got "
                f"{sa[0]} and {sb[0]} elements respectively"
            )
        left = f"{sa[0]}x{sa[-1]}" if na <= 2 else f"{int(np.prod(sa[:-1]))}x{sa[-1]}"
        right = (
            f"{sb[0]}x{sb[1]}" if nb == 2 else (f"{sb[0]}x1" if nb == 1 else f"{sb[-2]}x{sb[-1]}")
        )
        if na == 1:
            left = f"1x{sa[0]}"
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({left} and {right})")
    if na == 2 and nb == 2:
        return Mm.apply(input, other)
    a = unsqueeze(input, 0) if na == 1 else input
    b = unsqueeze(other, -1) if nb == 1 else other
    if a._data.ndim > 2 and b._data.ndim > 2:
        ba, bb = a._data.shape[:-2], b._data.shape[:-2]
        try:
            np.broadcast_shapes(ba, bb)
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({ba[-1]}) must match the size of tensor b ({bb[-1]}) at "
                f"non-singleton dimension {len(np.broadcast_shapes(ba[-1:], ba[-1:])) - 1}"
            ) from None
    out = MatMul.apply(a, b)
    if na == 1:
        out = squeeze(out, -2)
    if nb == 1:
        out = squeeze(out, -1)
    return out


def dot(input: Tensor, other: Tensor) -> Tensor:
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found "
            f"{_type_word(input._data.dtype)} and {_type_word(other._data.dtype)}"
        )
    return matmul(input, other)


inner = dot


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    from .movement import unsqueeze

    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


def mv(input: Tensor, vec: Tensor) -> Tensor:
    return matmul(input, vec)
