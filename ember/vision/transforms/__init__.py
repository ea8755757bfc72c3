"""Image transforms, torchvision-shaped: Compose, ToTensor, Normalize, Resize, CenterCrop,
RandomCrop, RandomHorizontalFlip, Pad, Grayscale, ToPILImage, Lambda (``functional`` holds
the work, as ``torchvision.transforms.functional``).

They accept PIL images, (H, W) or (H, W, C) uint8 arrays, and (C, H, W) tensors; random ones
draw from ember's global generator, so ``ember.manual_seed`` makes them reproducible.
"""

from __future__ import annotations

import numbers

import numpy as np

from ... import random as _random
from ...tensor import Tensor
from . import functional
from .functional import InterpolationMode, _as_array, _pad, _padding4


class Compose:
    """Apply transforms in order."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({body}\n)"


class ToTensor:
    """A PIL image or uint8 array (H, W[, C]) as a float32 (C, H, W) tensor in [0, 1]."""

    def __call__(self, pic) -> Tensor:
        return functional.to_tensor(pic)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """(x - mean) / std per channel of a (C, H, W) or (N, C, H, W) float tensor."""

    def __init__(self, mean, std, inplace: bool = False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, x: Tensor) -> Tensor:
        return functional.normalize(x, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Pad:
    def __init__(self, padding, fill=0, padding_mode: str = "constant"):
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        arr, rebuild, chw = _as_array(img)
        return rebuild(_pad(arr, chw, *_padding4(self.padding), self.fill, self.padding_mode))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, "
            f"padding_mode={self.padding_mode})"
        )


class RandomCrop:
    """Crop a random ``size`` window, after optional padding."""

    def __init__(
        self,
        size,
        padding=None,
        pad_if_needed: bool = False,
        fill=0,
        padding_mode: str = "constant",
    ):
        self.size = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def __call__(self, img):
        arr, rebuild, chw = _as_array(img)
        if self.padding is not None:
            arr = _pad(arr, chw, *_padding4(self.padding), self.fill, self.padding_mode)
        h_axis = arr.ndim - 2 if chw else 0
        h, w = arr.shape[h_axis], arr.shape[h_axis + 1]
        th, tw = self.size
        if self.pad_if_needed and (h < th or w < tw):
            dw, dh = max(tw - w, 0), max(th - h, 0)
            arr = _pad(arr, chw, dw, dh, dw, dh, self.fill, self.padding_mode)
            h, w = arr.shape[h_axis], arr.shape[h_axis + 1]
        if h < th or w < tw:
            raise ValueError(
                f"Required crop size {(th, tw)} is larger than input image size {(h, w)}"
            )
        g = _random.rng()
        i = int(g.integers(0, h - th + 1))
        j = int(g.integers(0, w - tw + 1))
        if chw:
            out = arr[..., i : i + th, j : j + tw]
        else:
            out = arr[i : i + th, j : j + tw]
        return rebuild(np.ascontiguousarray(out))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, img):
        if _random.rng().random() >= self.p:
            return img
        return functional.hflip(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class Lambda:
    """Apply a user function."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Resize:
    """Resize to ``size``: (h, w), or an int for the smaller edge keeping the aspect ratio."""

    def __init__(
        self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True
    ):
        if not isinstance(size, (numbers.Integral, list, tuple)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, (list, tuple)) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        if isinstance(interpolation, numbers.Integral):
            interpolation = _FROM_PIL_INT[interpolation]
        self.size, self.max_size = size, max_size
        self.interpolation, self.antialias = interpolation, antialias

    def __call__(self, img):
        return functional.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value}, "
            f"max_size={self.max_size}, antialias={self.antialias})"
        )


# Pillow's integer filter codes, which torchvision still accepts for ``interpolation``.
_FROM_PIL_INT = {
    0: InterpolationMode.NEAREST,
    1: InterpolationMode.LANCZOS,
    2: InterpolationMode.BILINEAR,
    3: InterpolationMode.BICUBIC,
    4: InterpolationMode.BOX,
    5: InterpolationMode.HAMMING,
}


class CenterCrop:
    """The central ``size`` window; zero padding where the image is smaller."""

    def __init__(self, size):
        self.size = functional._size2(size)

    def __call__(self, img):
        return functional.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class Grayscale:
    """ITU-R 601-2 luma, as 1 or 3 identical channels."""

    def __init__(self, num_output_channels: int = 1):
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return functional.rgb_to_grayscale(img, self.num_output_channels)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_output_channels={self.num_output_channels})"


class ToPILImage:
    """A (C, H, W) tensor or (H, W[, C]) array as a PIL image; floats are scaled by 255."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return functional.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'' if self.mode is None else f'mode={self.mode}'})"
