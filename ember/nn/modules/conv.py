"""Convolution layers: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d.

The layers hold the weight and bias and their PyTorch default initialisation; the math is
``ember.ops.conv`` (im2col + one matmul). A bad input raises the functional's error prefixed
with the layer, so the message says which layer of a model was fed the wrong shape.
"""

from __future__ import annotations

import math

from ... import dtypes
from ...creation import empty as _empty
from ...ops import conv as _conv
from .. import init
from ..parameter import Parameter
from .module import Module, _named_call

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(v, n: int) -> tuple:
    if isinstance(v, (tuple, list)):
        return tuple(int(e) for e in v) if len(v) != 1 else (int(v[0]),) * n
    return (int(v),) * n


class _ConvNd(Module):
    """What Conv1d/2d and ConvTranspose1d/2d share: options, parameters, init, repr."""

    _n: int  # spatial dims

    def __init__(
        self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
        output_padding, groups, bias, padding_mode, device=None, dtype=None,
    ):  # fmt: skip
        super().__init__()
        n = self._n
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        stride = _ntuple(stride, n)
        dilation = _ntuple(dilation, n)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, n)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but "
                f"got padding_mode={padding_mode!r}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, n)
        self.groups = groups
        self.padding_mode = padding_mode
        dt = dtypes.to_dtype(dtype) if dtype is not None else None
        if transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(_empty(shape, dtype=dt))
        self.register_parameter("bias", Parameter(_empty(out_channels, dtype=dt)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight ~ kaiming_uniform_(a=sqrt(5)), which is
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias ~ the same bound."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = self._n
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self.__dict__.setdefault("padding_mode", "zeros")


class _Conv(_ConvNd):
    def __init__(
        self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
        groups=1, bias=True, padding_mode="zeros", device=None, dtype=None,
    ):  # fmt: skip
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, False,
            0, groups, bias, padding_mode, device, dtype,
        )  # fmt: skip

    def _conv_forward(self, input, weight, bias):
        fn = _conv.conv1d if self._n == 1 else _conv.conv2d
        if self.padding_mode == "zeros":
            return _named_call(
                self, fn, input, weight, bias, self.stride, self.padding, self.dilation, self.groups
            )
        from ...ops.padding import pad

        padded = _named_call(self, pad, input, self._pad_amounts(), self.padding_mode)
        return _named_call(
            self, fn, padded, weight, bias, self.stride, 0, self.dilation, self.groups
        )

    def _pad_amounts(self) -> tuple:
        """F.pad's (left, right, top, bottom) for a non-zero padding mode, last dim first."""
        out = []
        for i in reversed(range(self._n)):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                out += [total // 2, total - total // 2]
            elif self.padding == "valid":
                out += [0, 0]
            else:
                out += [self.padding[i]] * 2
        return tuple(out)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L): ``Conv1d(in_channels, out_channels, kernel_size,
    stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros')``.

    Shape: (N, C_in, L) -> (N, C_out, L_out), L_out = (L + 2p - d(k - 1) - 1) // s + 1.
    """

    _n = 1


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W): ``Conv2d(in_channels, out_channels, kernel_size,
    stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros')``.

    padding may be an int, a pair, 'valid' or 'same'. Shape: (N, C_in, H, W) ->
    (N, C_out, H_out, W_out), H_out = (H + 2p - d(k - 1) - 1) // s + 1.

    Example:
        >>> conv = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        >>> conv(ember.randn(64, 1, 28, 28)).shape
        torch.Size([64, 6, 28, 28])
    """

    _n = 2


class _ConvTransposeNd(_ConvNd):
    def __init__(
        self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
        groups=1, bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None,
    ):  # fmt: skip
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, True,
            output_padding, groups, bias, padding_mode, device, dtype,
        )  # fmt: skip

    def _output_padding(self, input, output_size) -> tuple:
        """The output_padding that gives ``output_size`` (PyTorch's forward argument)."""
        if output_size is None:
            return self.output_padding
        n = self._n
        output_size = [int(s) for s in output_size]
        if len(output_size) == n + 2 or (len(output_size) == n + 1 and input.dim() == n + 1):
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} or "
                f"{n + 2} elements (got {len(output_size)})"
            )
        spatial = input.shape[-n:]
        lo = [
            (spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            for d in range(n)
        ]  # fmt: skip
        hi = [lo[d] + self.stride[d] - 1 for d in range(n)]
        if any(not lo[d] <= output_size[d] <= hi[d] for d in range(n)):
            raise ValueError(
                f"requested an output size of {output_size}, but valid sizes range from {lo} to "
                f"{hi} (for an input of {spatial})"
            )
        return tuple(output_size[d] - lo[d] for d in range(n))

    def forward(self, input, output_size=None):
        fn = _conv.conv_transpose1d if self._n == 1 else _conv.conv_transpose2d
        opad = self._output_padding(input, output_size)
        return _named_call(
            self, fn, input, self.weight, self.bias, self.stride, self.padding, opad, self.groups,
            self.dilation,
        )  # fmt: skip


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution (the gradient of Conv1d with respect to its input).

    Shape: (N, C_in, L) -> (N, C_out, (L - 1)s - 2p + d(k - 1) + output_padding + 1).
    """

    _n = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the gradient of Conv2d with respect to its input), used to
    upsample: ``ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1)``; weight (C_in, C_out/groups, kH, kW).

    Shape: (N, C_in, H, W) -> (N, C_out, H_out, W_out),
    H_out = (H - 1)s - 2p + d(kH - 1) + output_padding + 1 (or ``forward(x, output_size)``).
    """

    _n = 2
