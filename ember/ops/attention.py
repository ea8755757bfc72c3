"""Attention: scaled dot-product attention as one fused node, and multi-head attention on it.

``softmax(q k^T * scale + bias) v`` is one primitive: forward is two matmuls and a stable
softmax, backward two matmuls per input (dv = p^T g, dp = g v^T, ds = p (dp - sum(dp p)),
dq = ds k scale, dk = ds^T q scale), instead of six recorded ops each way. Under
``create_graph`` the backward is composed of ember ops instead, so higher-order gradients hold.

Masks become an additive ``bias`` (0 or -inf for boolean masks). Rows whose every position is
masked give zeros from ``scaled_dot_product_attention`` (PyTorch's safe softmax) but NaN from
the weights path of multi-head attention, as in PyTorch.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import random as _random
from ..autograd import grad_mode
from ..autograd.function import Op
from ..tensor import Tensor, _make
from .elementwise import where
from .linalg import matmul
from .softmax import softmax

_state = grad_mode.state


def _softmax_rows(s: np.ndarray, safe: bool) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.max(s, axis=-1, keepdims=True)
        if safe:  # a row of -inf only: exp(-inf - 0) = 0 everywhere, then 0 / 1
            m = np.where(np.isfinite(m), m, 0).astype(s.dtype, copy=False)
        e = np.exp(s - m)
        den = np.sum(e, axis=-1, keepdims=True)
        if safe:
            den[den == 0] = 1
        e /= den
    return e


class Attention(Op):
    """(q, k, v, bias) -> (softmax(q k^T scale + bias) * keep) v, and those weights."""

    _name = "ScaledDotProductAttentionBackward0"

    @staticmethod
    def forward(ctx, q, k, v, bias, scale, keep, safe, with_weights):
        s = np.matmul(q._data, np.swapaxes(k._data, -1, -2))
        s *= s.dtype.type(scale)
        if bias is not None:
            s = s + bias._data
        p = _softmax_rows(s, safe)
        pd = p if keep is None else p * keep
        out = np.matmul(pd, v._data)
        if ctx.inputs is not None:
            ctx.save_for_backward(q, k, v, bias)
            ctx.p, ctx.pd, ctx.args = p, pd, (scale, keep, safe)
        if with_weights:
            return out, pd
        return out

    @staticmethod
    def backward(ctx, g, gw=None):
        if _state.enabled:
            return _attention_backward_graph(ctx, g, gw)
        q, k, v, bias = ctx.saved_tensors
        scale, keep, _ = ctx.args
        p, pd = ctx.p, ctx.pd
        gd = g._data
        dv = np.matmul(np.swapaxes(pd, -1, -2), gd)
        dp = np.matmul(gd, np.swapaxes(v._data, -1, -2))
        if gw is not None:
            dp = dp + gw._data
        if keep is not None:
            dp *= keep
        ds = dp - np.sum(dp * p, axis=-1, keepdims=True)
        ds *= p
        need = ctx.needs_input_grad
        gb = _make(ds) if len(need) > 3 and need[3] else None
        sc = ds.dtype.type(scale)
        dq = np.matmul(ds, k._data) * sc if need[0] else None
        dk = np.matmul(np.swapaxes(ds, -1, -2), q._data) * sc if need[1] else None
        return (
            None if dq is None else _make(dq),
            None if dk is None else _make(dk),
            _make(dv) if need[2] else None,
            gb,
        )


def _attention_backward_graph(ctx, g, gw):
    """The same gradients as recorded ember ops, from the saved inputs (create_graph)."""
    q, k, v, bias = ctx.saved_tensors
    scale, keep, safe = ctx.args
    s = matmul(q, k.mT) * scale
    if bias is not None:
        s = s + bias
    p = softmax(s, -1)
    if safe:
        dead = _make(~np.isfinite(np.max(s._data, axis=-1, keepdims=True)))
        p = where(dead, _make(np.zeros((), p._data.dtype)), p)
    keep_t = None if keep is None else _make(keep)
    pd = p if keep_t is None else p * keep_t
    dv = matmul(pd.mT, g)
    dp = matmul(g, v.mT)
    if gw is not None:
        dp = dp + gw
    if keep_t is not None:
        dp = dp * keep_t
    ds = p * (dp - (dp * p).sum(-1, keepdim=True))
    return matmul(ds, k) * scale, matmul(ds.mT, q) * scale, dv, ds


def _dropout_keep(shape: tuple, p: float, dtype) -> np.ndarray:
    if p >= 1.0:
        return np.zeros(shape, dtype)
    draw = _random.rng(None).random(shape, dtype=np.float64 if dtype == np.float64 else np.float32)
    return ((draw >= p) * dtype.type(1.0 / (1.0 - p))).astype(dtype, copy=False)


def _mask_bias(mask: Tensor, dtype, allowed_when_true: bool) -> Tensor:
    """A boolean mask as an additive bias (0 / -inf); a float mask is used as it is."""
    if mask._data.dtype == np.bool_:
        blocked = ~mask._data if allowed_when_true else mask._data
        return _make(np.where(blocked, dtype.type(-np.inf), dtype.type(0)))
    return mask


def attention(q, k, v, bias=None, scale=None, dropout_p=0.0, safe=True, with_weights=False):
    """The fused node with a dropout draw over the weights' shape when ``dropout_p`` > 0."""
    qd, kd = q._data, k._data
    if scale is None:
        scale = 1.0 / math.sqrt(qd.shape[-1])
    keep = None
    if dropout_p > 0.0:
        shape = np.broadcast_shapes(
            qd.shape[:-1] + (kd.shape[-2],),
            kd.shape[:-2] + (qd.shape[-2], kd.shape[-2]),
            () if bias is None else bias._data.shape,
        )
        keep = _dropout_keep(shape, dropout_p, qd.dtype)
    return Attention.apply(q, k, v, bias, float(scale), keep, safe, with_weights)


def _repeat_heads(x: Tensor, heads: int) -> Tensor:
    """(..., Hk, S, E) -> (..., heads, S, E), each of the Hk heads repeated in place."""
    shape = x._data.shape
    reps = heads // shape[-3]
    wide = x.unsqueeze(-3).expand(*shape[:-2], reps, *shape[-2:])
    return wide.reshape(*shape[:-3], heads, *shape[-2:])


def _causal_bias(n_q: int, n_k: int, dtype) -> Tensor:
    """-inf above the diagonal of an (n_q, n_k) grid aligned at the top left, as PyTorch's."""
    upper = np.arange(n_k)[None, :] > np.arange(n_q)[:, None]
    return _make(np.where(upper, dtype.type(-np.inf), dtype.type(0)))


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two dims; batch dims broadcast.

    Args:
        attn_mask: boolean (True = may attend) or float (added to the scores), broadcastable
            to (..., L, S).
        dropout_p: dropout on the attention weights (applied whenever > 0, as in PyTorch).
        is_causal: position i attends to positions <= i (no explicit mask then).
        scale: defaults to 1 / sqrt(E).
        enable_gqa: key/value with fewer heads (dim -3) than the query are repeated to match.

    Shape: query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev).
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    qs, ks, vs = query._data.shape, key._data.shape, value._data.shape
    if enable_gqa and len(qs) >= 3 and ks[-3] != qs[-3]:
        key, value = _repeat_heads(key, qs[-3]), _repeat_heads(value, qs[-3])
        ks, vs = key._data.shape, value._data.shape
    batch = int(np.prod(qs[:-2])) if len(qs) > 2 else 1
    if ks[-1] != qs[-1]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{batch}, {qs[-1]}] but got: [{batch}, {ks[-1]}]."
        )
    if vs[-2] != ks[-2]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{batch}, {ks[-2]}] but got: [{batch}, {vs[-2]}]."
        )
    dtype = query._data.dtype
    bias = None
    if is_causal:
        bias = _causal_bias(qs[-2], ks[-2], dtype)
    elif attn_mask is not None:
        bias = _mask_bias(attn_mask, dtype, allowed_when_true=True)
    return attention(query, key, value, bias, scale, dropout_p, safe=True)


# -- multi-head attention -----------------------------------------------------------------------


def _mask_as_bias(mask, name: str, dtype) -> Tensor | None:
    """A key_padding_mask / attn_mask as an additive bias: True (blocked) -> -inf."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind != "b" and kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return _mask_bias(mask, dtype, allowed_when_true=False)


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate):
    from .linear import linear

    if separate is not None:
        w_q, w_k, w_v = separate
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    if query is key and key is value:  # self-attention: one matmul for q, k and v
        return linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _check_attn_mask(mask, tgt_len, src_len, rows):
    if mask is None:
        return None
    nd = mask._data.ndim
    if nd == 2:
        if tuple(mask.shape) != (tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {_size(mask)}, but should be "
                f"{(tgt_len, src_len)}."
            )
        return mask.unsqueeze(0)
    if nd == 3:
        if tuple(mask.shape) != (rows, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {_size(mask)}, but should be "
                f"{(rows, tgt_len, src_len)}."
            )
        return mask
    raise RuntimeError(f"attn_mask's dimension {nd} is not supported")


def _size(t: Tensor) -> str:
    return f"torch.Size([{', '.join(str(s) for s in t._data.shape)}])"


def _pad_last(x: Tensor | None) -> Tensor | None:
    """One more key position, never masked (for bias_k / add_zero_attn)."""
    if x is None:
        return None
    from .movement import cat

    zero = _make(np.zeros(x._data.shape[:-1] + (1,), x._data.dtype))
    return cat([x, zero], -1)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias,
    training: bool = True,
    key_padding_mask=None,
    need_weights: bool = True,
    attn_mask=None,
    use_separate_proj_weight: bool = False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
):
    """Multi-head attention on (L, N, E) query and (S, N, E) key / value (or unbatched (L, E)).

    Returns ``(output, weights)``: output (L, N, E); weights (N, L, S) averaged over heads, or
    (N, heads, L, S), or None without ``need_weights``. Boolean masks block where True.
    """
    from .linear import linear
    from .movement import cat

    if static_k is not None or static_v is not None:
        raise NotImplementedError("static_k / static_v are not supported")
    batched = query._data.ndim == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query._data.shape
    dtype = query._data.dtype
    if key_padding_mask is not None and attn_mask is not None:
        if key_padding_mask._data.dtype != attn_mask._data.dtype:
            warnings.warn(
                "Support for mismatched key_padding_mask and attn_mask is deprecated. Use same "
                "type for both instead.",
                UserWarning,
                stacklevel=3,
            )
    kpm = _mask_as_bias(key_padding_mask, "key_padding_mask", dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    causal_only = is_causal and kpm is None and not need_weights
    bias = None if causal_only else _mask_as_bias(attn_mask, "attn_mask", dtype)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)
    rows = bsz * num_heads
    bias = _check_attn_mask(bias, tgt_len, key._data.shape[0], rows)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        bias, kpm = _pad_last(bias), _pad_last(kpm)
    q = q.reshape(tgt_len, rows, head_dim).transpose(0, 1)
    k = k.reshape(k._data.shape[0], rows, head_dim).transpose(0, 1)
    v = v.reshape(v._data.shape[0], rows, head_dim).transpose(0, 1)
    if add_zero_attn:
        zeros = _make(np.zeros((rows, 1, head_dim), dtype))
        k, v = cat([k, zeros], 1), cat([v, zeros], 1)
        bias, kpm = _pad_last(bias), _pad_last(kpm)
    src_len = k._data.shape[1]
    if kpm is not None:
        if tuple(kpm.shape) != (bsz, src_len):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(bsz, src_len)}, but got {_size(kpm)}"
            )
        kpm = kpm.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(rows, 1, src_len)
        bias = kpm if bias is None else bias + kpm
    if causal_only:
        bias = _causal_bias(tgt_len, src_len, dtype)
    p = dropout_p if training else 0.0
    res = attention(q, k, v, bias, None, p, safe=not need_weights, with_weights=need_weights)
    out, weights = res if need_weights else (res, None)
    out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if weights is not None:
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights
