"""Linear layers: Identity, Linear, Bilinear."""

from __future__ import annotations

import math

from ... import dtypes
from ...creation import empty
from ...device import check as _check_device
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def _factory(device, dtype) -> dict:
    _check_device(device)
    return {"dtype": dtypes.to_dtype(dtype) if dtype is not None else None}


class Identity(Module):
    """Returns its input; accepts and ignores any constructor arguments."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x W^T + b.

    Args:
        in_features: size of each input sample's last dim.
        out_features: size of each output sample's last dim.
        bias: learn an additive bias (default True).

    Shape: (*, in_features) -> (*, out_features).

    Weights start as PyTorch's: W ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with
    a = sqrt(5)), b ~ U(-1/sqrt(in), 1/sqrt(in)).

    Example:
        >>> fc = nn.Linear(784, 10)
        >>> fc(ember.randn(64, 784)).shape
        torch.Size([64, 10])
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, **kw))
        self.register_parameter("bias", Parameter(empty(out_features, **kw)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        w = self.weight
        xs = input._data.shape
        if not xs or xs[-1] != w._data.shape[1]:
            self._raise_width(input)
        return F.linear(input, w, self.bias)

    def _raise_width(self, input: Tensor) -> None:
        """PyTorch's message, prefixed with this layer and, for image-like input, a hint."""
        try:
            F.linear(input, self.weight, self.bias)
        except RuntimeError as e:
            msg = f"{self._get_name()}({self.extra_repr()}): {e}"
            xs = tuple(input.shape)
            flat = math.prod(xs[1:]) if len(xs) >= 3 else 0
            # An image batch (N, C, H, W), or any input whose trailing dims hold exactly
            # in_features values, most likely missed a Flatten; a (batch, seq, features)
            # input with the wrong width did not, so it gets no hint.
            if len(xs) >= 4 or flat == self.in_features:
                hint = (
                    f"the input has shape {list(xs)}; an image-like input needs flattening "
                    f"first: nn.Flatten() (or x.flatten(1)) gives [{xs[0]}, {flat}]"
                )
                if flat != self.in_features:
                    hint += f", and then in_features should be {flat}"
                msg += f". Hint: {hint}."
            raise RuntimeError(msg) from None

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Bilinear(Module):
    """y_k = x1^T W_k x2 + b_k.

    Shape: (*, in1_features), (*, in2_features) -> (*, out_features). Weights and bias start
    as U(-1/sqrt(in1), 1/sqrt(in1)).
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in1_features, in2_features, **kw))
        self.register_parameter("bias", Parameter(empty(out_features, **kw)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
