"""Finite-difference gradient checks (``torch.autograd.gradcheck``)."""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    from ..tensor import Tensor

    return (x,) if isinstance(x, Tensor) else tuple(x)


def _numerical(fn, inputs, k, out_index, eps):
    """d out[out_index] / d inputs[k] by central differences, as a (numel_in, numel_out) array."""
    x = inputs[k]
    flat = x._data.reshape(-1)
    out0 = _as_tuple(fn(*inputs))[out_index]
    jac = np.zeros((flat.size, out0._data.size))
    for i in range(flat.size):
        orig = flat[i].copy()
        flat[i] = orig + eps
        plus = _as_tuple(fn(*inputs))[out_index]._data.astype(np.float64).reshape(-1).copy()
        flat[i] = orig - eps
        minus = _as_tuple(fn(*inputs))[out_index]._data.astype(np.float64).reshape(-1).copy()
        flat[i] = orig
        jac[i] = (plus - minus) / (2 * eps)
    return jac


def _analytical(fn, inputs, out_index, diff_idx, create_graph=False):
    from ..tensor import _make
    from . import grad

    out = _as_tuple(fn(*inputs))[out_index]
    diff = [inputs[k] for k in diff_idx]
    jacs = [np.zeros((inputs[k]._data.size, out._data.size)) for k in diff_idx]
    for j in range(out._data.size):
        g = np.zeros(out._data.size, out._data.dtype)
        g[j] = 1
        gs = grad(
            out, diff, _make(g.reshape(out._data.shape)), retain_graph=True, allow_unused=True
        )
        for n, gk in enumerate(gs):
            if gk is not None:
                jacs[n][:, j] = gk._data.reshape(-1)
    return jacs


def gradcheck(
    func,
    inputs,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    fast_mode=False,
    **kwargs,
) -> bool:
    """Compare backward's gradients with central finite differences; inputs should be float64."""
    from ..tensor import Tensor

    inputs = _as_tuple(inputs)
    diff_idx = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )
    for k in diff_idx:
        if inputs[k].dtype.name != "float64":
            import warnings

            warnings.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=2,
            )
    n_out = len(_as_tuple(func(*inputs)))
    for o in range(n_out):
        out = _as_tuple(func(*inputs))[o]
        if not out.requires_grad:
            continue
        analytical = _analytical(func, inputs, o, diff_idx)
        for n, k in enumerate(diff_idx):
            # NOTE: grad mode stays on: gradgradcheck's function itself calls autograd.grad.
            numerical = _numerical(func, inputs, k, o, eps)
            a = analytical[n]
            if not np.allclose(a, numerical, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                from ..tensor import _make

                raise GradcheckError(
                    f"Jacobian mismatch for output {o} with respect to input {k},\n"
                    f"numerical:{_make(numerical)!r}\nanalytical:{_make(a)!r}\n"
                )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    **kwargs,
) -> bool:
    """gradcheck of the first derivative (checks backward's own backward)."""
    from ..tensor import Tensor, _make
    from . import grad

    inputs = _as_tuple(inputs)
    outs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [
            _make(rng.standard_normal(o._data.shape).astype(o._data.dtype)).requires_grad_()
            for o in outs
        ]
    grad_outputs = list(_as_tuple(grad_outputs))

    def first(*args):
        xs = args[: len(inputs)]
        gos = args[len(inputs) :]
        os = [o for o in _as_tuple(func(*xs))]
        d = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        pairs = [(o, g) for o, g in zip(os, gos) if o.requires_grad]
        gs = grad(
            [p[0] for p in pairs], d, [p[1] for p in pairs], create_graph=True, allow_unused=True
        )
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first,
        tuple(inputs) + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
