"""``ember.summary`` prints torchsummary's table: compared with the package itself on the same
architectures, and with the numbers the seed tutorial printed."""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from helpers import torch

import ember
from ember import nn
from ember.tools.summary import summary, summary_string

try:
    import torchsummary
except ImportError:  # pragma: no cover - installed by the Makefile next to torch
    torchsummary = None

# CI (EMBER_REQUIRE_TORCH=1) must not skip these silently when an install failed.
requires_torchsummary = pytest.mark.skipif(
    (torch is None or torchsummary is None) and os.environ.get("EMBER_REQUIRE_TORCH") != "1",
    reason="torch and torchsummary are not installed",
)

# The table seed 002 printed for nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)).
SEED_002 = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Linear-1                    [-1, 8]              24
              ReLU-2                    [-1, 8]               0
            Linear-3                    [-1, 1]               9
================================================================
Total params: 33
Trainable params: 33
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.00
Params size (MB): 0.00
Estimated Total Size (MB): 0.00
----------------------------------------------------------------
"""


# -- small ember layers, named as PyTorch's, so the tables can be compared row by row --------


class Linear(nn.Module):
    def __init__(self, n_in: int, n_out: int, bias: bool = True):
        super().__init__()
        self.weight = nn.Parameter(ember.randn(n_out, n_in))
        self.bias = nn.Parameter(ember.zeros(n_out)) if bias else None

    def forward(self, x):
        y = x @ self.weight.t()
        return y + self.bias if self.bias is not None else y


class ReLU(nn.Module):
    def forward(self, x):
        return ember.relu(x)


class Flatten(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Block(nn.Module):
    """A custom module with children: torchsummary gives it a row after theirs."""

    def __init__(self, n: int):
        super().__init__()
        self.fc = Linear(n, n)
        self.act = ReLU()

    def forward(self, x):
        return self.act(self.fc(x)) + x


class Twin(nn.Module):
    """Returns a tuple: each element's shape is listed with -1 first."""

    def forward(self, x):
        return x, x[:, :2]


def _ember_model(kind: str):
    if kind == "seed":
        return nn.Sequential(Linear(2, 8), ReLU(), Linear(8, 1))
    if kind == "image":
        return nn.Sequential(Flatten(), Linear(12, 5, bias=False), ReLU(), Block(5), Linear(5, 3))
    if kind == "frozen":
        model = nn.Sequential(Linear(4, 3), Linear(3, 2))
        model[0].weight.requires_grad_(False)
        return model
    if kind == "twin":
        return nn.Sequential(Linear(4, 4), Twin())
    raise ValueError(kind)


def _torch_model(kind: str):
    tnn = torch.nn

    class Block(tnn.Module):  # noqa: F811 - the same class name as ember's, on purpose
        def __init__(self, n):
            super().__init__()
            self.fc = tnn.Linear(n, n)
            self.act = tnn.ReLU()

        def forward(self, x):
            return self.act(self.fc(x)) + x

    class Twin(tnn.Module):  # noqa: F811
        def forward(self, x):
            return x, x[:, :2]

    if kind == "seed":
        return tnn.Sequential(tnn.Linear(2, 8), tnn.ReLU(), tnn.Linear(8, 1))
    if kind == "image":
        return tnn.Sequential(
            tnn.Flatten(), tnn.Linear(12, 5, bias=False), tnn.ReLU(), Block(5), tnn.Linear(5, 3)
        )
    if kind == "frozen":
        model = tnn.Sequential(tnn.Linear(4, 3), tnn.Linear(3, 2))
        model[0].weight.requires_grad_(False)
        return model
    if kind == "twin":
        return tnn.Sequential(tnn.Linear(4, 4), Twin())
    raise ValueError(kind)


def _printed(fn, *args, **kwargs) -> tuple[str, object]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args, **kwargs)
    return out.getvalue(), result


SIZES = {"seed": (2,), "image": (3, 2, 2), "frozen": (4,), "twin": (4,)}


@requires_torchsummary
@pytest.mark.parametrize("kind", list(SIZES))
@pytest.mark.parametrize("batch_size", [-1, 16])
def test_table_equals_torchsummarys(kind, batch_size):
    want, _ = _printed(
        torchsummary.summary, _torch_model(kind), SIZES[kind], batch_size, device="cpu"
    )
    got, result = _printed(summary, _ember_model(kind), SIZES[kind], batch_size, device="cpu")
    assert got == want
    assert result is None


@requires_torchsummary
def test_big_numbers_match_torchsummary():
    # Thousands separators and megabyte estimates, on a layer large enough to show them.
    big = torch.nn.Sequential(torch.nn.Linear(1000, 600))
    want, _ = _printed(torchsummary.summary, big, (1000,), device="cpu")
    got, _ = _printed(summary, nn.Sequential(Linear(1000, 600)), (1000,), device="cpu")
    assert got == want


def test_a_model_without_rows_prints_zero_totals():
    # The model itself gets no row; torchsummary fails on this (0 has no .numpy()).
    text, totals = summary_string(Linear(3, 2), (3,))
    assert totals == (0, 0) and "Total params: 0" in text


def test_the_seed_002_table():
    got, result = _printed(summary, _ember_model("seed"), (2,), device="cpu")
    assert got == SEED_002 and result is None


def test_print_of_summary_prints_the_table_then_none():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print(summary(_ember_model("seed"), (2,), device="cpu"))
    assert out.getvalue() == SEED_002 + "None\n"


def test_the_seed_table_with_ember_nn_layers():
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    got, _ = _printed(summary, model, (2,), device="cpu")
    assert got == SEED_002


def test_totals_and_memory_by_hand():
    # Frozen first weight: 12 + 3 params are non-trainable; outputs 3 + 2 numbers per sample.
    text, (total, trainable) = summary_string(_ember_model("frozen"), (4,), batch_size=10)
    assert (total, trainable) == (15 + 8, 8)
    assert "Non-trainable params: 15" in text
    assert f"Input size (MB): {4 * 10 * 4 / 2**20:0.2f}" in text
    assert f"Forward/backward pass size (MB): {2 * (30 + 20) * 4 / 2**20:0.2f}" in text
    rows = [line.split() for line in text.splitlines()[3:5]]
    assert rows == [["Linear-1", "[10,", "3]", "15"], ["Linear-2", "[10,", "2]", "8"]]


def test_several_inputs_and_dtypes():
    class Pair(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = Linear(3, 2)

        def forward(self, x, idx):
            assert idx.dtype == ember.int64
            return self.fc(x)

    text, _ = summary_string(Pair(), [(3,), (1,)], dtypes=[ember.float32, ember.int64])
    assert "Linear-1                    [-1, 2]               8" in text
    assert "Input size (MB): 0.00" in text


def test_hooks_are_removed_even_when_forward_fails():
    model = nn.Sequential(Linear(2, 3))
    with pytest.raises(RuntimeError):
        summary_string(model, (5,))  # 5 features into a 2-feature layer
    assert not model[0]._forward_hooks
    summary_string(model, (2,))
    assert not model[0]._forward_hooks


def test_an_invalid_device_is_refused_as_torchsummary_does():
    with pytest.raises(AssertionError, match="please specify 'cuda' or 'cpu'"):
        summary(_ember_model("seed"), (2,), device="tpu")


def test_cuda_runs_on_the_cpu():
    text, _ = summary_string(_ember_model("seed"), (2,), device="cuda")
    assert text == SEED_002


def test_exported_as_ember_summary():
    assert ember.summary is summary
