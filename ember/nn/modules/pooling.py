"""Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d.

Stateless wrappers that keep their options (printed as PyTorch prints them) and call
``ember.ops.pooling``; a bad input's error is prefixed with the layer.
"""

from __future__ import annotations

from ...ops import pooling as _pool
from .module import Module, _named_call


class _Pool(Module):
    # The ember.ops.pooling function a layer calls, where its family shares one forward.
    _pool_fn = None


class _MaxPoolNd(_Pool):
    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
        ceil_mode=False,
    ):  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )

    def forward(self, input):
        return _named_call(
            self, self._pool_fn, input, self.kernel_size, self.stride, self.padding, self.dilation,
            self.ceil_mode, self.return_indices,
        )  # fmt: skip


class MaxPool1d(_MaxPoolNd):
    """Max over windows of (N, C, L): ``MaxPool1d(kernel_size, stride=None, padding=0,
    dilation=1, return_indices=False, ceil_mode=False)``; stride defaults to kernel_size."""

    _pool_fn = staticmethod(_pool.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Max over windows of (N, C, H, W): ``MaxPool2d(kernel_size, stride=None, padding=0,
    dilation=1, return_indices=False, ceil_mode=False)``; stride defaults to kernel_size.

    Example:
        >>> nn.MaxPool2d(2)(ember.randn(64, 6, 28, 28)).shape
        torch.Size([64, 6, 14, 14])
    """

    _pool_fn = staticmethod(_pool.max_pool2d)


class AvgPool1d(_Pool):
    """Mean over windows of (N, C, L): ``AvgPool1d(kernel_size, stride=None, padding=0,
    ceil_mode=False, count_include_pad=True)``."""

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
    ):  # fmt: skip
        super().__init__()
        # PyTorch stores the 1-D options as 1-tuples (and prints them so).
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input):
        return _named_call(
            self, _pool.avg_pool1d, input, self.kernel_size, self.stride, self.padding,
            self.ceil_mode, self.count_include_pad,
        )  # fmt: skip


class AvgPool2d(_Pool):
    """Mean over windows of (N, C, H, W): ``AvgPool2d(kernel_size, stride=None, padding=0,
    ceil_mode=False, count_include_pad=True, divisor_override=None)``."""

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
        divisor_override=None,
    ):  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input):
        return _named_call(
            self, _pool.avg_pool2d, input, self.kernel_size, self.stride, self.padding,
            self.ceil_mode, self.count_include_pad, self.divisor_override,
        )  # fmt: skip


def _single(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class _AdaptivePool(_Pool):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"

    def forward(self, input):
        return _named_call(self, self._pool_fn, input, self.output_size)


class _AdaptiveMaxPoolNd(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return _named_call(self, self._pool_fn, input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(_AdaptivePool):
    """Mean over adaptive windows of (N, C, L), giving (N, C, output_size)."""

    _pool_fn = staticmethod(_pool.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Mean over adaptive windows of (N, C, H, W), giving (N, C, *output_size); a None entry
    keeps that input size. ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    _pool_fn = staticmethod(_pool.adaptive_avg_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows of (N, C, L), giving (N, C, output_size)."""

    _pool_fn = staticmethod(_pool.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows of (N, C, H, W), giving (N, C, *output_size)."""

    _pool_fn = staticmethod(_pool.adaptive_max_pool2d)
