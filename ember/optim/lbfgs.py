"""L-BFGS (Nocedal & Wright, Numerical Optimization, alg. 7.4 and 7.5).

A quasi-Newton method: the last ``history_size`` steps ``s`` and gradient changes ``y`` give an
implicit inverse-Hessian estimate, applied to the gradient by the two-loop recursion. One
``step(closure)`` runs up to ``max_iter`` iterations, each moving along that direction with a
fixed step (``lr``) or one found by a line search satisfying the strong Wolfe conditions.
All parameters are handled as one flat float vector.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _make
from .optimizer import Optimizer, _check_lr, _scalar

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """L-BFGS. ``step`` needs a closure that zeroes the gradients, computes the loss, calls
    ``backward()`` and returns the loss; it may be called several times per step.

    Args:
        params: parameters to optimize (one group only).
        lr: step length, or the line search's first trial step (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient component is at most this (default 1e-7).
        tolerance_change: stop when the loss or the parameters change less (default 1e-9).
        history_size: number of (s, y) pairs kept (default 100).
        line_search_fn: None (fixed step) or ``'strong_wolfe'``.

    Example:
        >>> opt = ember.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
        >>> opt.step(closure)
    """

    # 'func_evals', 'n_iter' are ints and there is no per-parameter 'step' counter.
    _tensor_step = False

    def __init__(
        self,
        params,
        lr=1,
        max_iter=20,
        max_eval=None,
        tolerance_grad=1e-7,
        tolerance_change=1e-9,
        history_size=100,
        line_search_fn=None,
    ):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # -- the parameters as one flat vector ---------------------------------------------------

    def _flat_grad(self) -> np.ndarray:
        parts = []
        for p in self._params:
            g = p._grad
            if g is None:
                parts.append(np.zeros(p._data.size, p._data.dtype))
            elif g.is_sparse:
                parts.append(g.to_dense()._data.reshape(-1))
            else:
                parts.append(g._data.reshape(-1))
        return np.concatenate(parts)  # always a copy: p.grad is never aliased

    def _move(self, t, d: np.ndarray) -> None:
        """p += t * d, slice by slice."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += np.multiply(d[offset : offset + n], t).reshape(p._data.shape)
            p._vc[0] += 1
            offset += n

    def _restore(self, saved: list[np.ndarray]) -> None:
        for p, x in zip(self._params, saved):
            np.copyto(p._data, x)
            p._vc[0] += 1

    def _evaluate_at(self, closure, saved, t, d):
        """Loss and flat gradient at ``saved + t d``; the parameters are put back afterwards."""
        self._move(t, d)
        loss = float(self._evaluate(closure))
        g = self._flat_grad()
        self._restore(saved)
        return loss, g

    # -- the step --------------------------------------------------------------------------

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss before the first one."""
        group = self.param_groups[0]
        lr = _scalar(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # All of the state lives on the first parameter, as in PyTorch.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._evaluate(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        if opt_cond:  # already at a stationary point
            return orig_loss

        d = _arr(state.get("d"))
        t = _arr(state.get("t"))
        old_dirs = [_arr(y) for y in state.get("old_dirs") or []]
        old_stps = [_arr(s) for s in state.get("old_stps") or []]
        ro = [_arr(r) for r in state.get("ro") or []]
        H_diag = _arr(state.get("H_diag"))
        prev_flat_grad = _arr(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")
        al = [_arr(a) for a in state["al"]] if "al" in state else None

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            if state["n_iter"] == 1:
                d = np.negative(flat_grad)
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                # Curvature pair of the last move: y = g_k - g_{k-1}, s = t d; kept only when
                # y.s > 0 enough, which keeps the implicit Hessian positive definite.
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    # Initial Hessian scale gamma = s.y / y.y (Nocedal & Wright eq. 7.20).
                    H_diag = ys / y.dot(y)
                if al is None:
                    al = [None] * history_size
                    state["al"] = None  # filled at the end; set now for PyTorch's key order
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, H_diag, al)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                np.copyto(prev_flat_grad, flat_grad)
            prev_loss = loss

            # First iteration ever: a cautious step, at most lr / |g|_1 long.
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr

            gtd = flat_grad.dot(d)  # directional derivative
            if gtd > -tolerance_change:  # not a descent direction (any more)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                saved = [p._data.copy() for p in self._params]

                def obj_func(t_, d_, saved=saved):
                    return self._evaluate_at(closure, saved, t_, d_)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._move(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._move(t, d)
                if n_iter != max_iter:
                    # The loss and gradient at the new point (skipped after the last iteration,
                    # where nothing would use them).
                    loss = float(self._evaluate(closure))
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # the parameters barely moved
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss barely moved
                break

        state["d"] = _wrap(d)
        # A NumPy scalar t (computed from the gradients) is a tensor in PyTorch's state too.
        state["t"] = _wrap(t)
        state["old_dirs"] = [_wrap(y) for y in old_dirs]
        state["old_stps"] = [_wrap(s) for s in old_stps]
        state["ro"] = [_wrap(r) for r in ro]
        state["H_diag"] = _wrap(H_diag)
        state["prev_flat_grad"] = _wrap(prev_flat_grad)
        state["prev_loss"] = prev_loss
        if al is not None:
            state["al"] = [_wrap(a) for a in al]
        return orig_loss


def _two_loop(g, old_dirs, old_stps, ro, H_diag, al):
    """The L-BFGS direction -H g by the two-loop recursion (Nocedal & Wright alg. 7.4).

    q = -g;  for i newest..oldest: a_i = rho_i s_i.q,  q -= a_i y_i
    r = gamma q;  for i oldest..newest: b_i = rho_i y_i.r,  r += (a_i - b_i) s_i
    """
    n = len(old_dirs)
    q = np.negative(g)
    for i in range(n - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q -= old_dirs[i] * al[i]
    r = q * H_diag
    for i in range(n):
        be_i = old_dirs[i].dot(r) * ro[i]
        r += old_stps[i] * (al[i] - be_i)
    return r


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, kept in
    ``bounds`` (default: between x1 and x2); the bounds' midpoint when the cubic has none."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        x_min = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x_min = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x_min, lo), hi)


def _strong_wolfe(obj_func, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search along ``d`` for a step t meeting the strong Wolfe conditions
    (Nocedal & Wright alg. 3.5 and 3.6):

        sufficient decrease  f(t) <= f(0) + c1 t f'(0)
        curvature            |f'(t)| <= -c2 f'(0)

    A bracketing phase grows t until an interval must contain such a point, then a zoom phase
    shrinks it by safeguarded cubic interpolation. Returns (f, g, t, evaluations).
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(t, d)
    evals = 1
    gtd_new = g_new.dot(d)

    # Bracketing: the interval [t_prev, t] contains an acceptable step once the decrease fails
    # or the slope turns non-negative.
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = [t_prev, t]
            bracket_f, bracket_g = [f_prev, f_new], [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket = [t_prev, t]
            bracket_f, bracket_g = [f_prev, f_new], [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        # Extrapolate: a cubic step between 1.01 and 10 times further.
        t_next = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10)
        )
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new.copy(), gtd_new
        t = t_next
        f_new, g_new = obj_func(t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter >= max_ls:  # out of evaluations: fall back to the interval [0, t]
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # Zoom: keep bracket[low] the best point so far and shrink the interval around it.
    insuf_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # Safeguard: a trial too close to an end of the interval makes little progress; after
        # two such trials in a row (or one outside it), move it 10% of the interval inside.
        b_max, b_min = max(bracket), min(bracket)
        eps = 0.1 * (b_max - b_min)
        if min(b_max - t, t - b_min) < eps:
            if insuf_progress or t >= b_max or t <= b_min:
                t = b_max - eps if abs(t - b_max) < abs(t - b_min) else b_min + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # Not better than the low end: t becomes the new high end.
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # The slope points away from the high end: the old low end replaces it.
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new

    return bracket_f[low], bracket_g[low], bracket[low], evals


def _arr(x):
    """A stored state value back as an array (0-d tensors as NumPy float32 scalars)."""
    if isinstance(x, Tensor):
        return x._data[()] if x._data.ndim == 0 else x._data
    return x


def _wrap(x):
    """An array or NumPy scalar as a tensor for the state dict (PyTorch keeps tensors there)."""
    if isinstance(x, np.ndarray | np.generic):
        return _make(np.asarray(x))
    return x
