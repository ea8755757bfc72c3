"""The op table: one row per op drives the generic checks in test_op_table.py.

A row names the op, a function ``fn(lib, *inputs)`` that calls it through either library
(``lib`` is ``ember`` or ``torch``, so one lambda serves both), the input shapes (several sets,
broadcasting among them), and the domain inputs are drawn from. Adding an op adds a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Op:
    name: str
    fn: object
    shapes: list = field(default_factory=lambda: [[(3, 4)]])
    domain: tuple = (-2.0, 2.0)
    grad: bool = True  # differentiable: compare gradients and run gradcheck
    dtype: str = "float32"  # forward dtype for the comparison with torch
    rtol: float = 1e-5
    atol: float = 1e-6
    # Inputs that are not random floats: index -> callable(rng, shape) giving a numpy array.
    special: dict = field(default_factory=dict)
    gradcheck: bool = True


UNARY = [(3, 4)], [(2, 3, 4)], [()]
BINARY = [(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 1, 4), (3, 1)], [(), (3,)]

OPS = [
    # -- elementwise arithmetic
    Op("add", lambda T, a, b: T.add(a, b), list(BINARY)),
    Op("add_alpha", lambda T, a, b: T.add(a, b, alpha=2.5), list(BINARY)),
    Op("add_scalar", lambda T, a: a + 1.5, list(UNARY)),
    Op("radd_scalar", lambda T, a: 2 + a, list(UNARY)),
    Op("sub", lambda T, a, b: a - b, list(BINARY)),
    Op("rsub_scalar", lambda T, a: 3.0 - a, list(UNARY)),
    Op("mul", lambda T, a, b: a * b, list(BINARY)),
    Op("mul_scalar", lambda T, a: a * 3, list(UNARY)),
    Op("rmul_scalar", lambda T, a: 0.5 * a, list(UNARY)),
    Op("div", lambda T, a, b: a / b, list(BINARY), domain=(0.5, 2.0)),
    Op(
        "div_floor",
        lambda T, a, b: T.div(a, b, rounding_mode="floor"),
        list(BINARY),
        domain=(0.5, 2.0),
    ),
    Op(
        "div_trunc",
        lambda T, a, b: a.div(b, rounding_mode="trunc"),
        list(BINARY),
        domain=(0.5, 2.0),
    ),
    Op("rdiv_scalar", lambda T, a: 2.0 / a, list(UNARY), domain=(0.5, 2.0)),
    Op("neg", lambda T, a: -a, list(UNARY)),
    Op("pow_scalar", lambda T, a: a**3, list(UNARY)),
    Op("pow_frac", lambda T, a: a**0.5, list(UNARY), domain=(0.5, 2.0)),
    Op("pow_tensor", lambda T, a, b: T.pow(a, b), list(BINARY), domain=(0.5, 2.0)),
    Op("rpow", lambda T, a: 2.0**a, list(UNARY)),
    Op("square", lambda T, a: T.square(a), list(UNARY)),
    Op("remainder", lambda T, a, b: a % b, list(BINARY), domain=(0.5, 2.0)),
    Op("remainder_scalar", lambda T, a: T.remainder(a, 0.7), list(UNARY)),
    # -- unary math
    Op("exp", lambda T, a: T.exp(a), list(UNARY)),
    Op("log", lambda T, a: T.log(a), list(UNARY), domain=(0.5, 3.0)),
    Op("log1p", lambda T, a: T.log1p(a), list(UNARY), domain=(0.0, 3.0)),
    Op("expm1", lambda T, a: T.expm1(a), list(UNARY)),
    Op("sqrt", lambda T, a: T.sqrt(a), list(UNARY), domain=(0.5, 3.0)),
    Op("rsqrt", lambda T, a: T.rsqrt(a), list(UNARY), domain=(0.5, 3.0)),
    Op("abs", lambda T, a: T.abs(a), list(UNARY)),
    Op("sign", lambda T, a: T.sign(a), list(UNARY)),
    Op("sin", lambda T, a: T.sin(a), list(UNARY)),
    Op("cos", lambda T, a: T.cos(a), list(UNARY)),
    Op("tan", lambda T, a: T.tan(a), list(UNARY), domain=(-1.0, 1.0)),
    Op("tanh", lambda T, a: T.tanh(a), list(UNARY)),
    Op("sigmoid", lambda T, a: T.sigmoid(a), list(UNARY), domain=(-6.0, 6.0)),
    Op("relu", lambda T, a: T.relu(a), list(UNARY)),
    Op("clamp", lambda T, a: T.clamp(a, -0.5, 0.7), list(UNARY)),
    Op("clamp_min", lambda T, a: a.clamp(min=0), list(UNARY)),
    Op("clip_max", lambda T, a: T.clip(a, max=0.3), list(UNARY)),
    Op("maximum", lambda T, a, b: T.maximum(a, b), list(BINARY)),
    Op("minimum", lambda T, a, b: T.minimum(a, b), list(BINARY)),
    Op("where", lambda T, a, b: T.where(a > 0, a, b), list(BINARY)),
    Op("floor", lambda T, a: T.floor(a), list(UNARY)),
    Op("ceil", lambda T, a: T.ceil(a), list(UNARY)),
    Op("round", lambda T, a: T.round(a), list(UNARY)),
    # -- comparisons and logic (forward only)
    Op("eq", lambda T, a, b: a == b, list(BINARY), grad=False),
    Op("lt", lambda T, a, b: a < b, list(BINARY), grad=False),
    Op("ne", lambda T, a, b: a != b, list(BINARY), grad=False),
    Op("gt", lambda T, a, b: T.gt(a, b), list(BINARY), grad=False),
    Op("le", lambda T, a, b: a <= b, list(BINARY), grad=False),
    Op("ge_scalar", lambda T, a: a >= 0.5, list(UNARY), grad=False),
    Op("logical_or", lambda T, a, b: T.logical_or(a > 0, b), list(BINARY), grad=False),
    Op("logical_xor", lambda T, a, b: T.logical_xor(a > 0, b > 0), list(BINARY), grad=False),
    Op("bool_operators", lambda T, a, b: ~((a > 0) & (b < 0)) | (a > 1), list(BINARY), grad=False),
    Op("logical_and", lambda T, a, b: T.logical_and(a > 0, b > 0), list(BINARY), grad=False),
    Op("logical_not", lambda T, a: T.logical_not(a > 0), list(UNARY), grad=False),
    # -- reductions
    Op("sum", lambda T, a: a.sum(), list(UNARY)),
    Op("sum_dim", lambda T, a: a.sum(dim=-1), [[(3, 4)], [(2, 3, 4)]]),
    Op("sum_dims_keep", lambda T, a: a.sum((0, 2), keepdim=True), [[(2, 3, 4)]]),
    Op("mean", lambda T, a: a.mean(), list(UNARY)),
    Op("mean_dim", lambda T, a: a.mean(1), [[(3, 4)], [(2, 3, 4)]]),
    Op("max_all", lambda T, a: a.max(), [[(3, 4)]]),
    Op("max_dim", lambda T, a: a.max(dim=1)[0], [[(3, 4)], [(2, 3, 4)]]),
    Op("max_dim_idx", lambda T, a: a.max(dim=1)[1], [[(3, 4)]], grad=False),
    Op("min_dim_keep", lambda T, a: a.min(dim=0, keepdim=True).values, [[(3, 4)]]),
    Op("min_dim_idx", lambda T, a: T.min(a, -1)[1], [[(3, 4)], [(2, 3, 4)]], grad=False),
    Op("amax", lambda T, a: T.amax(a, dim=(0, 1)), [[(2, 3, 4)]]),
    Op("amin", lambda T, a: T.amin(a, dim=-1, keepdim=True), [[(2, 3, 4)]]),
    Op("argmax", lambda T, a: a.argmax(dim=1), [[(3, 4)]], grad=False),
    Op("argmin", lambda T, a: T.argmin(a), [[(3, 4)]], grad=False),
    Op("all", lambda T, a: (a > -1).all(dim=0), [[(3, 4)]], grad=False),
    Op("any", lambda T, a: (a > 1).any(), [[(3, 4)]], grad=False),
    # -- linear algebra
    Op("mm", lambda T, a, b: a.mm(b), [[(3, 4), (4, 5)]]),
    Op("matmul_2d", lambda T, a, b: a @ b, [[(3, 4), (4, 2)]]),
    Op(
        "matmul_batched",
        lambda T, a, b: T.matmul(a, b),
        [[(2, 3, 4), (4, 5)], [(2, 1, 3, 4), (3, 4, 2)]],
    ),
    Op("matmul_vec", lambda T, a, b: a @ b, [[(3, 4), (4,)], [(4,), (4, 3)], [(4,), (4,)]]),
    Op("bmm", lambda T, a, b: T.bmm(a, b), [[(2, 3, 4), (2, 4, 5)]]),
    Op("dot", lambda T, a, b: T.dot(a, b), [[(5,), (5,)]]),
    Op("outer", lambda T, a, b: T.outer(a, b), [[(3,), (4,)]]),
    Op("t", lambda T, a: a.t(), [[(3, 4)]]),
    Op("transpose", lambda T, a: a.transpose(0, 2), [[(2, 3, 4)]]),
    Op("permute", lambda T, a: a.permute(2, 0, 1), [[(2, 3, 4)]]),
    # -- shape
    Op("view", lambda T, a: a.view(4, -1), [[(2, 3, 4)]]),
    Op("reshape", lambda T, a: a.t().reshape(-1), [[(3, 4)]]),
    Op("flatten", lambda T, a: a.flatten(1), [[(2, 3, 4)]]),
    Op("squeeze", lambda T, a: a.squeeze(), [[(2, 1, 4, 1)]]),
    Op("unsqueeze", lambda T, a: a.unsqueeze(1), [[(3, 4)]]),
    Op("expand", lambda T, a: a.expand(2, 3, 4), [[(3, 1)]]),
    Op("contiguous", lambda T, a: a.transpose(0, 1).contiguous(), [[(2, 3, 4)]]),
    Op("cat", lambda T, a, b: T.cat([a, b], dim=1), [[(2, 3), (2, 5)]]),
    Op("stack", lambda T, a, b: T.stack([a, b], dim=1), [[(2, 3), (2, 3)]]),
    Op("split", lambda T, a: a.split(2, dim=1)[1], [[(3, 5)]]),
    Op("chunk", lambda T, a: a.chunk(3)[2], [[(7, 2)]]),
    Op("unbind", lambda T, a: a.unbind(1)[1], [[(3, 4)]]),
    # -- indexing
    Op("index_basic", lambda T, a: a[1:, ::2], [[(3, 4)]]),
    Op("index_int", lambda T, a: a[1, -1], [[(3, 4)]]),
    Op("index_none_ellipsis", lambda T, a: a[None, ..., 1], [[(2, 3, 4)]]),
    Op("index_advanced", lambda T, a: a[[0, 2, 0]], [[(3, 4)]]),
    Op("index_mask", lambda T, a: a[a > 0], [[(3, 4)]]),
]


# The core families beyond elementwise math (reductions, movement, sorting, einsum, indexing,
# in-place) live in op_table_core.py, which imports Op from here.
from op_table_core import CORE_ROWS  # noqa: E402

OPS += CORE_ROWS

# Diagonals, running reductions, special functions, products, distances, torch.linalg and
# interpolate live in op_table_extra.py.
from op_table_extra import EXTRA_ROWS  # noqa: E402

OPS += EXTRA_ROWS

# Order statistics, NaN-ignoring reductions, covariance, more pointwise math, index writes,
# rearranging, unfold/fold and torch.special live in op_table_more.py.
from op_table_more import MORE_ROWS  # noqa: E402

OPS += MORE_ROWS

OPS += [
    # -- convolution and pooling (more combinations: tests/ops/test_conv.py, test_pooling.py)
    Op(
        "conv2d",
        lambda T, x, w, b: T.nn.functional.conv2d(x, w, b, stride=2, padding=1),
        [[(2, 3, 5, 6), (4, 3, 3, 2), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "conv2d_groups_dilation_same",
        lambda T, x, w: T.nn.functional.conv2d(x, w, groups=2, dilation=2, padding="same"),
        [[(1, 4, 6, 5), (4, 2, 3, 3)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "conv1d",
        lambda T, x, w, b: T.nn.functional.conv1d(x, w, b, padding=1),
        [[(2, 3, 7), (4, 3, 3), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "conv_transpose2d",
        lambda T, x, w, b: T.nn.functional.conv_transpose2d(x, w, b, stride=2, output_padding=1),
        [[(2, 3, 3, 4), (3, 2, 3, 3), (2,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op("max_pool2d", lambda T, x: T.nn.functional.max_pool2d(x, 2), [[(2, 3, 6, 7)], [(3, 4, 4)]]),
    Op(
        "max_pool2d_overlap_ceil",
        lambda T, x: T.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True),
        [[(1, 2, 6, 7)]],
    ),
    Op("max_pool1d", lambda T, x: T.nn.functional.max_pool1d(x, 3, 2), [[(2, 3, 7)]]),
    Op("avg_pool2d", lambda T, x: T.nn.functional.avg_pool2d(x, 2), [[(2, 3, 6, 7)]]),
    Op(
        "avg_pool2d_pad_ceil",
        lambda T, x: T.nn.functional.avg_pool2d(x, 3, 2, 1, True, False),
        [[(1, 2, 6, 7)]],
    ),
    Op("avg_pool1d", lambda T, x: T.nn.functional.avg_pool1d(x, 2), [[(2, 3, 7)]]),
    Op(
        "adaptive_avg_pool2d",
        lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, (2, 3)),
        [[(2, 3, 5, 7)]],
    ),
    Op(
        "adaptive_max_pool2d",
        lambda T, x: T.nn.functional.adaptive_max_pool2d(x, (2, 3)),
        [[(2, 3, 5, 7)]],
    ),
    # -- nn.functional: linear, activations, normalisation, embedding, padding, losses
    Op("linear", lambda T, x, w, b: T.nn.functional.linear(x, w, b), [[(4, 3), (5, 3), (5,)]]),
    Op("linear_nobias_3d", lambda T, x, w: T.nn.functional.linear(x, w), [[(2, 4, 3), (5, 3)]]),
    Op(
        "bilinear",
        lambda T, a, b, w, c: T.nn.functional.bilinear(a, b, w, c),
        [[(4, 3), (4, 2), (5, 3, 2), (5,)]],
    ),
    Op("gelu", lambda T, x: T.nn.functional.gelu(x), list(UNARY)),
    Op("gelu_tanh", lambda T, x: T.nn.functional.gelu(x, approximate="tanh"), list(UNARY)),
    Op("elu", lambda T, x: T.nn.functional.elu(x, 0.7), list(UNARY)),
    Op("selu", lambda T, x: T.nn.functional.selu(x), list(UNARY)),
    Op("celu", lambda T, x: T.nn.functional.celu(x, 1.5), list(UNARY)),
    Op("leaky_relu", lambda T, x: T.nn.functional.leaky_relu(x, 0.2), list(UNARY)),
    Op("silu", lambda T, x: T.nn.functional.silu(x), list(UNARY)),
    Op("mish", lambda T, x: T.nn.functional.mish(x), list(UNARY)),
    Op("softplus", lambda T, x: T.nn.functional.softplus(x, 2.0, 2.0), list(UNARY)),
    Op("hardtanh", lambda T, x: T.nn.functional.hardtanh(x, -0.5, 0.7), list(UNARY)),
    Op("relu6", lambda T, x: T.nn.functional.relu6(x * 4), list(UNARY)),
    Op("logsigmoid", lambda T, x: T.nn.functional.logsigmoid(x), list(UNARY)),
    Op("prelu", lambda T, x, w: T.nn.functional.prelu(x, w), [[(2, 3, 4), (3,)]]),
    Op(
        "batch_norm_train",
        lambda T, x, w, b: T.nn.functional.batch_norm(x, None, None, w, b, training=True),
        [[(4, 3), (3,), (3,)], [(2, 3, 2, 2), (3,), (3,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "layer_norm",
        lambda T, x, w, b: T.nn.functional.layer_norm(x, (4,), w, b),
        [[(3, 4), (4,), (4,)], [(2, 3, 4), (4,), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "group_norm",
        lambda T, x, w, b: T.nn.functional.group_norm(x, 2, w, b),
        [[(2, 4, 3), (4,), (4,)]],
        rtol=1e-4,
        atol=1e-5,
    ),
    Op(
        "embedding",
        lambda T, w, i: T.nn.functional.embedding(i, w),
        [[(5, 3), (2, 4)]],
        special={1: lambda rng, s: rng.integers(0, 5, s)},
    ),
    Op("pad_reflect", lambda T, x: T.nn.functional.pad(x, (2, 1), mode="reflect"), [[(2, 3, 4)]]),
    Op("pad_constant", lambda T, x: T.nn.functional.pad(x, (1, -1, 2, 0), value=0.5), [[(3, 4)]]),
    Op("mse_loss", lambda T, a, b: T.nn.functional.mse_loss(a, b), [[(3, 4), (3, 4)]]),
    Op(
        "l1_loss_sum",
        lambda T, a, b: T.nn.functional.l1_loss(a, b, reduction="sum"),
        [[(3, 4), (3, 4)]],
    ),
    Op("smooth_l1_loss", lambda T, a, b: T.nn.functional.smooth_l1_loss(a, b), [[(3, 4), (3, 4)]]),
    Op(
        "huber_loss",
        lambda T, a, b: T.nn.functional.huber_loss(a, b, delta=0.5),
        [[(3, 4), (3, 4)]],
    ),
    Op(
        "cross_entropy",
        lambda T, x, t: T.nn.functional.cross_entropy(x, t, label_smoothing=0.1),
        [[(4, 5), (4,)], [(2, 5, 3), (2, 3)]],
        special={1: lambda rng, s: rng.integers(0, 5, s)},
    ),
    Op(
        "cross_entropy_probs",
        lambda T, x, p: T.nn.functional.cross_entropy(x, p.softmax(1)),
        [[(4, 5), (4, 5)]],
    ),
    Op(
        "nll_loss",
        lambda T, x, t: T.nn.functional.nll_loss(x, t, reduction="sum"),
        [[(4, 5), (4,)]],
        special={1: lambda rng, s: rng.integers(0, 5, s)},
    ),
    Op(
        "binary_cross_entropy",
        lambda T, x, t: T.nn.functional.binary_cross_entropy(x, t),
        [[(3, 4), (3, 4)]],
        domain=(0.05, 0.95),
    ),
    Op(
        "bce_with_logits",
        lambda T, x, t: T.nn.functional.binary_cross_entropy_with_logits(x, t.sigmoid()),
        [[(3, 4), (3, 4)]],
    ),
    Op(
        "kl_div_batchmean",
        lambda T, x, t: T.nn.functional.kl_div(x, t.softmax(1), reduction="batchmean"),
        [[(3, 4), (3, 4)]],
    ),
]
