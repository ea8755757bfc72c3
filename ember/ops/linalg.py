"""Matrix products: mm, matmul (@), bmm, dot, outer, einsum."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor, _make
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


# -- einsum ---------------------------------------------------------------------------------------


def _parse_einsum(equation: str, operands) -> tuple[list, str]:
    """Explicit subscripts: each operand's letters (ellipses spelled out) and the output's."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(subs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for i, ch in enumerate(eq):
        if not (ch.isascii() and ch.isalpha()) and ch not in ".,->":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    free = iter(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in eq)
    n_ell = 0
    for s, x in zip(subs, operands):
        if "..." in s:
            n_ell = max(n_ell, x._data.ndim - (len(s) - 3))
    ell = "".join(next(free) for _ in range(n_ell))
    out_subs = []
    for i, (s, x) in enumerate(zip(subs, operands)):
        nd = x._data.ndim
        if "..." in s:
            k = nd - (len(s) - 3)
            # Right-aligned, so that ellipsis dims broadcast as in NumPy.
            s = s.replace("...", ell[n_ell - k :] if k > 0 else "")
        elif len(s) != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(s)}) does not match "
                f"the number of dimensions ({nd}) for operand {i} and no ellipsis was given"
            )
        out_subs.append(s)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
            if not any(c in s for s in out_subs):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
    else:
        # Implicit output: the ellipsis dims, then the letters used once, in alphabetical order.
        joined = "".join(out_subs)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in ell))
    return out_subs, out


def _label_sizes(subs: list, operands) -> dict:
    sizes: dict = {}
    for i, (s, x) in enumerate(zip(subs, operands)):
        for c, n in zip(s, x._data.shape):
            seen = sizes.get(c)
            if seen is None or seen == 1:
                sizes[c] = n
            elif n != seen and n != 1:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
    return sizes


class Einsum(Op):
    """A sum of products over labelled dims; each gradient is an einsum of the others."""

    @staticmethod
    def forward(ctx, spec, *operands):
        subs, out = spec
        ctx.subs, ctx.out = subs, out
        if ctx.inputs is not None:
            ctx.save_for_backward(*operands)
        eq = ",".join(subs) + "->" + out
        # optimize lets NumPy contract pairs with BLAS (tensordot) instead of its own loop.
        return np.asarray(np.einsum(eq, *[x._data for x in operands], optimize=len(operands) > 1))

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        grads = [None]
        for k in range(len(operands)):
            grads.append(
                _einsum_grad(k, g, operands, ctx.subs, ctx.out)
                if ctx.needs_input_grad[k + 1]
                else None
            )
        return tuple(grads)


def _einsum_grad(k: int, g: Tensor, operands, subs: list, out: str) -> Tensor:
    from .movement import expand, reshape

    sizes = _label_sizes(subs, operands)
    sub = subs[k]
    others = [s for j, s in enumerate(subs) if j != k]
    avail = set(out).union(*others)
    uniq = "".join(dict.fromkeys(sub))
    target = "".join(c for c in uniq if c in avail)
    rest = [x for j, x in enumerate(operands) if j != k]
    gk = Einsum.apply(([out, *others], target), g, *rest)
    if len(target) < len(uniq):
        # Labels summed within this operand alone: every element got the same gradient.
        gk = reshape(gk, tuple(sizes[c] if c in avail else 1 for c in uniq))
        gk = expand(gk, tuple(sizes[c] for c in uniq))
    if len(uniq) < len(sub):
        # A repeated label ('ii') read a diagonal: put the gradient back on it, pairing each
        # repeat with a fresh label and an identity matrix.
        free = iter(
            c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in sub + out
        )
        spelled, eyes, eye_subs = "", [], []
        for i, c in enumerate(sub):
            if c in sub[:i]:
                f = next(free)
                spelled += f
                eye_subs.append(c + f)
                eyes.append(_make(np.eye(sizes[c], dtype=g._data.dtype)))
            else:
                spelled += c
        gk = Einsum.apply(([uniq, *eye_subs], spelled), gk, *eyes)
    return gk


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``.

    Operands may also be passed as one list. Labels of size 1 broadcast, and ``...`` stands for
    the leading dims.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    subs, out = _parse_einsum(equation, operands)
    _label_sizes(subs, operands)
    for x in operands[1:]:
        if x._data.dtype != operands[0]._data.dtype:
            raise RuntimeError(
                f"expected scalar type {_type_word(operands[0]._data.dtype)} but found "
                f"{_type_word(x._data.dtype)}"
            )
    return Einsum.apply((subs, out), *operands)
