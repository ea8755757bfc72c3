"""Every loss against PyTorch: values, gradients (input, and target where PyTorch has one),
every reduction and option; bad targets raise PyTorch's exception class and message."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, requires_torch, to_ember, torch

import ember
from ember import nn
from ember.nn import functional as F

pytestmark = requires_torch
REDUCTIONS = ["mean", "sum", "none"]


def _f(shape, seed=0, lo=None, hi=None, dtype=np.float32):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) if lo is None else rng.uniform(lo, hi, shape)
    return a.astype(dtype)


def _run(name, kwargs, arrays, grad_target=False, rtol=1e-5, atol=1e-6):
    """Call ``nn.<name>(**kwargs)`` on both sides; compare loss and gradients."""
    tkw = {k: (torch.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    ekw = {k: (ember.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    t_in = [torch.from_numpy(a.copy()) for a in arrays]
    e_in = [ember.from_numpy(a.copy()) for a in arrays]
    grads = [True, grad_target]
    for t, e, g in zip(t_in, e_in, grads):
        if g:
            t.requires_grad_(True)
            e.requires_grad_(True)
    lt = getattr(torch.nn, name)(**tkw)(*t_in)
    le = getattr(nn, name)(**ekw)(*e_in)
    assert_close(le, lt, rtol, atol)
    g = (
        np.random.default_rng(5)
        .uniform(0.5, 1.5, tuple(lt.shape))
        .astype(lt.dtype.itemsize == 8 and np.float64 or np.float32)
    )
    lt.backward(torch.from_numpy(g))
    le.backward(ember.from_numpy(g.copy()))
    for t, e in zip(t_in, e_in):
        if t.requires_grad:
            assert_close(e.grad, t.grad, rtol, atol)
    return le


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"])
def test_regression_losses(name, reduction):
    _run(name, {"reduction": reduction}, [_f((4, 3)), _f((4, 3), 1)], grad_target=True)


@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0])
def test_smooth_l1_beta_and_huber_delta(beta):
    _run("SmoothL1Loss", {"beta": beta}, [_f((5, 2)), _f((5, 2), 1)], grad_target=True)
    if beta:
        _run("HuberLoss", {"delta": beta}, [_f((5, 2)), _f((5, 2), 1)], grad_target=True)


def test_mse_broadcast_warning_like_torch():
    with pytest.warns(
        UserWarning,
        match=r"Using a target size \(torch.Size\(\[3\]\)\) that is "
        r"different to the input size \(torch.Size\(\[3, 1\]\)\)",
    ):
        F.mse_loss(ember.zeros(3, 1), ember.zeros(3))


def test_mse_int_target_promotes():
    out = F.mse_loss(ember.ones(3), ember.tensor([1, 2, 3]))
    assert out.dtype == ember.float32 and out.item() == pytest.approx(5 / 3)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "opts",
    [
        {},
        {"label_smoothing": 0.2},
        {"ignore_index": 1},
        {"weight": True},
        {"weight": True, "label_smoothing": 0.1, "ignore_index": 2},
    ],
)
def test_cross_entropy_class_indices(reduction, opts):
    kwargs = dict(opts, reduction=reduction)
    if kwargs.get("weight"):
        kwargs["weight"] = _f((5,), 3, 0.2, 2.0)
    target = np.array([0, 1, 4, 2, 1, 3], np.int64)
    _run("CrossEntropyLoss", kwargs, [_f((6, 5)) * 3, target])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_and_unbatched(reduction):
    target = np.random.default_rng(1).integers(0, 4, (2, 3, 3))
    _run(
        "CrossEntropyLoss",
        {"reduction": reduction, "label_smoothing": 0.1},
        [_f((2, 4, 3, 3)), target],
    )
    _run("CrossEntropyLoss", {"reduction": reduction}, [_f((4,)), np.array(2)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"label_smoothing": 0.3}, {"weight": True}])
def test_cross_entropy_probabilities(reduction, opts):
    kwargs = dict(opts, reduction=reduction)
    if kwargs.get("weight"):
        kwargs["weight"] = _f((5,), 3, 0.2, 2.0)
    p = _f((6, 5), 2, 0, 1)
    p /= p.sum(1, keepdims=True)
    _run("CrossEntropyLoss", kwargs, [_f((6, 5)), p], grad_target=True)


def test_cross_entropy_extreme_logits_stay_finite():
    x = np.array([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 5.0]], np.float32)
    out = _run("CrossEntropyLoss", {}, [x, np.array([1, 1])])
    assert np.isfinite(out.item())


def test_cross_entropy_all_ignored_is_nan_like_torch():
    out = F.cross_entropy(ember.randn(3, 4), ember.tensor([-100, -100, -100]))
    assert np.isnan(out.item())


def test_cross_entropy_double_backward():
    x = ember.tensor(_f((4, 3), dtype=np.float64), requires_grad=True)
    t = ember.tensor([0, 2, 1, 2])
    w = ember.tensor([0.5, 1.0, 2.0], dtype=ember.float64)
    fn = lambda a: F.cross_entropy(a, t, weight=w, label_smoothing=0.1)  # noqa: E731
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"ignore_index": 0}, {"weight": True}])
def test_nll_loss(reduction, opts):
    kwargs = dict(opts, reduction=reduction)
    if kwargs.get("weight"):
        kwargs["weight"] = _f((4,), 3, 0.2, 2.0)
    x = torch.log_softmax(torch.from_numpy(_f((5, 4))), 1).numpy()
    _run("NLLLoss", kwargs, [x, np.array([0, 3, 1, 0, 2])])
    _run("NLLLoss", kwargs, [_f((2, 4, 3)), np.array([[0, 3, 1], [2, 2, 0]])])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(reduction, weighted):
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = _f((3,), 4, 0.5, 2.0)
    x = _f((4, 3), 0, 0.02, 0.98)
    t = _f((4, 3), 1, 0, 1)
    _run("BCELoss", kwargs, [x, t], grad_target=True)


def test_bce_saturated_inputs_clamp_log_like_torch():
    _run(
        "BCELoss",
        {},
        [np.array([0.0, 1.0, 0.5], np.float32), np.array([1.0, 0.0, 1.0], np.float32)],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "opts", [{}, {"weight": True}, {"pos_weight": True}, {"weight": True, "pos_weight": True}]
)
def test_bce_with_logits(reduction, opts):
    kwargs = {"reduction": reduction}
    if opts.get("weight"):
        kwargs["weight"] = _f((3,), 4, 0.5, 2.0)
    if opts.get("pos_weight"):
        kwargs["pos_weight"] = _f((3,), 5, 0.5, 3.0)
    x = _f((4, 3)) * 4
    x[0, 0], x[1, 1] = 100.0, -100.0  # far in the tails: no overflow, exact limits
    _run("BCEWithLogitsLoss", kwargs, [x, _f((4, 3), 1, 0, 1)], grad_target=True)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = torch.log_softmax(torch.from_numpy(_f((4, 5))), 1).numpy()
    p = _f((4, 5), 1, 0, 1)
    p[0, 0] = 0.0  # 0 * log 0 = 0
    p /= p.sum(1, keepdims=True)
    t = np.log(p + 1e-3).astype(np.float32) if log_target else p
    kwargs = {"reduction": reduction, "log_target": log_target}
    if reduction == "mean":
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            _run("KLDivLoss", kwargs, [x, t], grad_target=log_target)
    else:
        _run("KLDivLoss", kwargs, [x, t], grad_target=log_target)


def test_loss_modules_repr_and_state_dict_match_torch():
    w = np.ones(3, np.float32)
    pairs = [
        (nn.MSELoss(), torch.nn.MSELoss()),
        (
            nn.CrossEntropyLoss(weight=to_ember(torch.from_numpy(w)), label_smoothing=0.1),
            torch.nn.CrossEntropyLoss(weight=torch.from_numpy(w), label_smoothing=0.1),
        ),
        (
            nn.BCEWithLogitsLoss(pos_weight=ember.ones(2)),
            torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)),
        ),
        (nn.NLLLoss(weight=ember.ones(2)), torch.nn.NLLLoss(weight=torch.ones(2))),
    ]
    for e, t in pairs:
        assert repr(e) == repr(t)
        assert list(e.state_dict()) == list(t.state_dict())


def test_legacy_size_average_reduce():
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        assert nn.L1Loss(reduce=False).reduction == "none"


# -- bad targets -------------------------------------------------------------------------------

X = ember.randn(3, 5)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (
            lambda: F.cross_entropy(X, ember.tensor([1.0, 2.0, 3.0])),
            RuntimeError,
            r"expected target dtype to be Long or Byte, but got Float \(class-index targets",
        ),
        (
            lambda: F.cross_entropy(X, ember.zeros(3, 5, dtype=ember.long)),
            RuntimeError,
            "Expected floating point type for target with class probabilities, got Long",
        ),
        (
            lambda: F.cross_entropy(X, ember.tensor([1, 2], dtype=ember.int32)),
            RuntimeError,
            "expected target dtype to be Long or Byte, but got Int",
        ),
        (
            lambda: F.cross_entropy(X, ember.tensor([1, 2])),
            ValueError,
            r"Expected input batch_size \(3\) to match target batch_size \(2\).",
        ),
        (
            lambda: F.cross_entropy(X, ember.tensor([1, 2, 7])),
            IndexError,
            "Target 7 is out of bounds.",
        ),
        (
            lambda: F.cross_entropy(X, ember.tensor([1, 2, -3])),
            IndexError,
            "Target -3 is out of bounds.",
        ),
        (
            lambda: F.cross_entropy(ember.randn(2, 5, 4), ember.zeros(2, 3, dtype=ember.long)),
            RuntimeError,
            r"Expected target size \[2, 4\], got \[2, 3\]",
        ),
        (
            lambda: F.cross_entropy(X, ember.tensor([1, 2, 3]), weight=ember.ones(4)),
            RuntimeError,
            "weight tensor should be defined either for all 5 classes or no classes but got "
            r"weight tensor of shape: \[4\]",
        ),
        (
            lambda: F.cross_entropy(X, ember.rand(3, 5), ignore_index=1),
            RuntimeError,
            "ignore_index is not supported for floating point target",
        ),
        (
            lambda: F.cross_entropy(X, ember.zeros(3, 1, dtype=ember.long)),
            RuntimeError,
            "0D or 1D target tensor expected, multi-target not supported",
        ),
        (
            lambda: F.cross_entropy(X, ember.tensor([1, 2, 3]), label_smoothing=1.5),
            RuntimeError,
            "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
        ),
        (
            lambda: F.cross_entropy(X.long(), ember.tensor([1, 2, 3])),
            NotImplementedError,
            "not implemented for 'Long'",
        ),
        (
            lambda: F.nll_loss(ember.tensor(1.0), ember.tensor(0)),
            ValueError,
            r"Expected 1 or more dimensions \(got 0\)",
        ),
        (
            lambda: F.binary_cross_entropy(ember.rand(3, 1), ember.rand(3)),
            ValueError,
            r"Using a target size \(torch.Size\(\[3\]\)\) that is different to the input size "
            r"\(torch.Size\(\[3, 1\]\)\) is deprecated",
        ),
        (
            lambda: F.binary_cross_entropy(ember.rand(3) + 1, ember.rand(3)),
            RuntimeError,
            "all elements of input should be between 0 and 1",
        ),
        (
            lambda: F.binary_cross_entropy(ember.rand(3), ember.ones(3).long()),
            RuntimeError,
            "Found dtype Long but expected Float",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(ember.rand(3, 1), ember.rand(3)),
            ValueError,
            r"Target size \(torch.Size\(\[3\]\)\) must be the same as input size",
        ),
        (
            lambda: F.mse_loss(ember.rand(3), ember.rand(3), reduction="avg"),
            ValueError,
            "avg is not a valid value for reduction",
        ),
        (
            lambda: F.mse_loss(ember.ones(3).long(), ember.ones(3).long()),
            NotImplementedError,
            "\"mse_cpu\" not implemented for 'Long'",
        ),
        (
            lambda: F.smooth_l1_loss(ember.rand(3), ember.rand(3), beta=-1),
            RuntimeError,
            "smooth_l1_loss does not support negative values for beta.",
        ),
        (
            lambda: F.huber_loss(ember.rand(3), ember.rand(3), delta=0),
            RuntimeError,
            "huber_loss does not support non-positive values for delta.",
        ),
    ],
)
def test_bad_input_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_errors_agree_with_torch_classes():
    """The same bad calls raise the same exception classes in PyTorch."""
    x = torch.randn(3, 5)
    for call, exc in [
        (lambda: torch.nn.functional.cross_entropy(x, torch.tensor([1.0, 2.0, 3.0])), RuntimeError),
        (lambda: torch.nn.functional.cross_entropy(x, torch.tensor([1, 2])), ValueError),
        (lambda: torch.nn.functional.cross_entropy(x, torch.tensor([1, 2, 7])), IndexError),
    ]:
        with pytest.raises(exc):
            call()
