"""Matrix products: mm, matmul (@), bmm, dot, outer, einsum."""

from __future__ import annotations

import numpy as np

from .._array import broadcast_error
from .._threads import for_product
from ..autograd import grad_mode
from ..autograd.function import Op, named
from ..tensor import Tensor, _make
from ._util import _type_word, scalar_name

_state = grad_mode.state  # recording is on in backward only for create_graph=True


def _mismatch_m1_m2(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: "
            f"{scalar_name(a._data.dtype)} != {scalar_name(b._data.dtype)}"
        )


def _mismatch_scalar_type(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected scalar type {_type_word(a._data.dtype)} but found "
            f"{_type_word(b._data.dtype)}"
        )


def _check_tensors(name: str, input, other) -> None:
    for pos, (arg, x) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                f"{type(x).__name__}"
            )


def is_param(t: Tensor) -> bool:
    """Whether ``t`` is a leaf that requires grad: what an optimizer writes in place (see
    ``_threads.for_product``)."""
    return t._rg and t.grad_fn is None


class MatMul(Op):
    """Batched matrix product of tensors with at least 2 dims (batch dims broadcast)."""

    @staticmethod
    def forward(ctx, a, b):
        if ctx.inputs is not None:
            ctx.save_for_backward(a, b)
        ad, bd = a._data, b._data
        for_product(ad.size * bd.shape[-1] if bd.ndim > 1 else 0, is_param(a) or is_param(b))
        return np.matmul(ad, bd)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if not _state.enabled:  # no graph: the two products straight in NumPy
            gd = g._data
            macs = gd.size * a._data.shape[-1]
            need_a, need_b = ctx.needs_input_grad
            ga = gb = None
            if need_a:
                for_product(macs, is_param(b))
                ga = _make(np.matmul(gd, b._data.swapaxes(-1, -2)))
            if need_b:
                for_product(macs, is_param(a))
                gb = _make(np.matmul(a._data.swapaxes(-1, -2), gd))
            return ga, gb
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
    _check_mm_shapes(input._data.shape, mat2._data.shape)
    _mismatch_m1_m2(input, mat2)
    return Mm.apply(input, mat2)


def _check_mm_shapes(sa: tuple, sb: tuple) -> None:
    if sa[1] != sb[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
        )


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of 3-D tensors: (b, n, m) @ (b, m, p) -> (b, n, p)."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = input._data.shape, mat2._data.shape
    _check_batch2(s1[0], s1[2], s2[0], s2[1])
    _mismatch_scalar_type(input, mat2)
    return Bmm.apply(input, mat2)


def _check_batch2(b1: int, k1: int, b2: int, k2: int) -> None:
    if b1 != b2 or k1 != k2:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b1}, {k1}] "
            f"but got: [{b2}, {k2}]."
        )


def _check_mv(sm: tuple, sv: tuple, m: Tensor, v: Tensor) -> None:
    if sm[-1] != sv[0]:
        rows = int(np.prod(sm[:-1]))
        raise RuntimeError(
            f"size mismatch, got input ({rows}), mat ({rows}x{sm[-1]}), vec ({sv[0]})"
        )
    if m._data.dtype != v._data.dtype:
        # PyTorch's addmv names the result (in the vector's dtype), the matrix, the vector.
        wv, wm = _type_word(v._data.dtype), _type_word(m._data.dtype)
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {wv}, {wm}, and {wv}"
        )


def matmul(input, other) -> Tensor:
    """NumPy-style matmul: 1-D operands are promoted to matrices, batch dims broadcast.

    The checks follow the path PyTorch takes for each pair of ranks (dot, mv, mm, or a
    broadcast bmm), so the errors carry the same facts.
    """
    from .movement import squeeze, unsqueeze

    _check_tensors("matmul", input, other)
    na, nb = input._data.ndim, other._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    sa, sb = input._data.shape, other._data.shape
    if na == 1 and nb == 1:
        return dot(input, other)
    if nb == 1:  # (..., n, k) @ (k,): matrix-vector
        _check_mv(sa, sb, input, other)
        out = squeeze(MatMul.apply(input, unsqueeze(other, -1)), -1)
        return named(out, "MvBackward0") if na == 2 else out
    if na <= 2 and nb == 2:  # mm, with a vector on the left promoted to one row
        a = unsqueeze(input, 0) if na == 1 else input
        _check_mm_shapes(a._data.shape, sb)
        _mismatch_m1_m2(input, other)
        out = Mm.apply(a, other)
        return squeeze(out, 0) if na == 1 else out
    if nb == 2:  # (..., n, k) @ (k, p): PyTorch folds the batch into the rows
        rows = int(np.prod(sa[:-1]))
        _check_mm_shapes((rows, sa[-1]), sb)
        _mismatch_m1_m2(input, other)
        return MatMul.apply(input, other)
    # A broadcast batched product.
    a = unsqueeze(input, 0) if na == 1 else input
    ba, bb = a._data.shape[:-2], sb[:-2]
    try:
        batch = np.broadcast_shapes(ba, bb)
    except ValueError as e:
        shapes = (np.broadcast_to(np.int8(0), ba), np.broadcast_to(np.int8(0), bb))
        raise broadcast_error(e, shapes) or e from None
    _check_batch2(int(np.prod(batch)), a._data.shape[-1], int(np.prod(batch)), sb[-2])
    _mismatch_scalar_type(input, other)
    out = MatMul.apply(a, other)
    return squeeze(out, -2) if na == 1 else out


def dot(input: Tensor, other: Tensor) -> Tensor:
    """The inner product of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found "
            f"{_type_word(input._data.dtype)} and {_type_word(other._data.dtype)}"
        )
    n, m = input._data.shape[0], other._data.shape[0]
    if n != m:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    from .movement import squeeze, unsqueeze

    out = squeeze(Mm.apply(unsqueeze(input, 0), unsqueeze(other, 1)), (0, 1))
    return named(out, "DotBackward0")


inner = dot


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two vectors (dtypes promote, as in PyTorch)."""
    from .movement import unsqueeze

    for name, x in (("self", input), ("vec2", vec2)):
        if x._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x._data.ndim}-D")
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product: (n, m) @ (m,) -> (n,)."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}"
        )
    return matmul(input, vec)


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (not necessarily square); integer matrices
    give int64, as their sums do."""
    from .reduction import sum

    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    # Composed from an index and a sum, so the gradient (ones on the diagonal) and higher
    # orders come from those ops.
    diag = _make(np.arange(min(input._data.shape)))
    return named(sum(input[diag, diag]), "TraceBackward0")


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
