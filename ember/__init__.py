"""ember: a deep-learning framework on NumPy that speaks PyTorch.

``import ember as torch`` gives tensors with autograd, ``nn``, ``optim``, ``utils.data`` and
save/load in PyTorch's file format. This module only re-exports; the logic lives below it.
"""

from __future__ import annotations

from . import _malloc

# NOTE: process-wide glibc malloc settings that keep a training loop's freed memory for reuse
# instead of faulting fresh pages in every step (LeNet-5 step at batch 64: 13.0 -> 8.1 ms CPU).
# EMBER_MALLOC_TUNING=0 in the environment before the import leaves malloc alone.
_malloc.tune()

from . import (
    amp,
    autograd,
    backends,
    cuda,
    dtypes,
    linalg,
    nn,
    optim,
    return_types,
    sparse,
    special,
    utils,
)
from ._formatting import set_printoptions
from .amp import autocast, is_autocast_enabled
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .backends import (
    are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    use_deterministic_algorithms,
)
from .creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    is_tensor,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import device, get_default_device
from .dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from .nn.functional import cosine_similarity
from .ops.arithmetic import (
    add,
    div,
    divide,
    floor_divide,
    fmod,
    mul,
    multiply,
    neg,
    negative,
    pow,
    remainder,
    square,
    sub,
    subtract,
    true_divide,
)
from .ops.comparison import (
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    eq,
    ge,
    greater,
    greater_equal,
    gt,
    isfinite,
    isinf,
    isnan,
    le,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    ne,
    not_equal,
)
from .ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .ops.conversion import clone
from .ops.counting import (
    argwhere,
    bincount,
    bucketize,
    count_nonzero,
    histc,
    isin,
    searchsorted,
)
from .ops.cumulative import cummax, cummin, cumprod, diff, logcumsumexp
from .ops.diagonal import (
    diag,
    diag_embed,
    diagflat,
    diagonal,
    tril,
    tril_indices,
    triu,
    triu_indices,
)
from .ops.distance import cdist, pairwise_distance
from .ops.elementwise import (
    abs,
    absolute,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    cos,
    exp,
    expm1,
    floor,
    log,
    log1p,
    log2,
    log10,
    maximum,
    minimum,
    reciprocal,
    relu,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    tan,
    tanh,
    trunc,
    where,
)
from .ops.index_update import index_add, index_copy, index_fill, masked_scatter
from .ops.indexing import (
    gather,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    take,
)
from .ops.linalg import bmm, dot, einsum, inner, matmul, mm, mv, outer, trace
from .ops.linalg_decomp import _legacy_qr as qr
from .ops.linalg_decomp import _legacy_svd as svd
from .ops.linalg_decomp import pinverse
from .ops.linalg_norms import dist
from .ops.linalg_solve import _legacy_cholesky as cholesky
from .ops.linalg_solve import _legacy_slogdet as slogdet
from .ops.linalg_solve import det, inverse, logdet, matrix_power
from .ops.movement import (
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    expand_as,
    flatten,
    flip,
    fliplr,
    flipud,
    hstack,
    movedim,
    narrow,
    permute,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    tile,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    vstack,
)
from .ops.order_stats import (
    aminmax,
    kthvalue,
    median,
    mode,
    nanmedian,
    nanquantile,
    quantile,
)
from .ops.pointwise import (
    acos,
    acosh,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cosh,
    erf,
    erfc,
    erfinv,
    lerp,
    nan_to_num,
    sinh,
)
from .ops.pointwise_more import (
    deg2rad,
    exp2,
    frac,
    heaviside,
    hypot,
    logaddexp,
    logaddexp2,
    rad2deg,
    sinc,
    xlogy,
)
from .ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    avg_pool1d,
    max_pool1d,
    max_pool2d,
)
from .ops.products import (
    addbmm,
    addmm,
    addmv,
    addr,
    baddbmm,
    cartesian_prod,
    cross,
    kron,
    meshgrid,
    tensordot,
)
from .ops.rearrange import block_diag, repeat_interleave, rot90
from .ops.reduction import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cumsum,
    max,
    mean,
    min,
    prod,
    sum,
)
from .ops.softmax import log_softmax, logsumexp, softmax
from .ops.sorting import argsort, msort, sort, topk, unique
from .ops.statistics import (
    corrcoef,
    cov,
    nanmean,
    nansum,
    norm,
    std,
    std_mean,
    var,
    var_mean,
)
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from .sparse import sparse_coo_tensor
from .tensor import Size, Tensor, allclose, equal, is_floating_point, isclose, numel
from .tools.summary import summary

__version__ = "0.1.0"


from . import _threads  # noqa: E402
from ._threads import get_num_threads, set_num_threads  # noqa: E402

# NOTE: all the usable CPUs, but only while no other process runs, unless the environment or
# set_num_threads chose a count: OpenBLAS's spinning threads made training steps 4-16x slower
# on the 2-core machine whenever anything else ran (ember/_threads.py has the measurements).
_threads.default()
