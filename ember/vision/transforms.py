"""Image transforms, torchvision-shaped: Compose, ToTensor, Normalize, RandomCrop,
RandomHorizontalFlip, Pad, Lambda.

They accept PIL images, (H, W) or (H, W, C) uint8 arrays, and (C, H, W) tensors; random ones
draw from ember's global generator, so ``ember.manual_seed`` makes them reproducible.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import random as _random
from ..creation import from_numpy
from ..tensor import Tensor


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
        arr = np.asarray(pic)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise TypeError(f"ToTensor expects an image of 2 or 3 dims, got shape {arr.shape}")
        out = np.ascontiguousarray(arr.transpose(2, 0, 1))
        if out.dtype == np.uint8:
            out = out.astype(np.float32) / np.float32(255)
        return from_numpy(out.astype(np.float32, copy=False))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """(x - mean) / std per channel of a (C, H, W) or (N, C, H, W) float tensor."""

    def __init__(self, mean, std, inplace: bool = False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor) or not x.is_floating_point():
            raise TypeError(
                f"Normalize expects a float tensor (apply ToTensor first), got "
                f"{type(x).__name__}{'' if not isinstance(x, Tensor) else ' of ' + str(x.dtype)}"
            )
        d = x._data
        mean = np.asarray(self.mean, dtype=d.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=d.dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(
                f"std evaluated to zero after conversion to {x.dtype}, leading to division by zero."
            )
        if self.inplace:
            np.subtract(d, mean, out=d)
            np.divide(d, std, out=d)
            x._vc[0] += 1
            return x
        return from_numpy((d - mean) / std)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def _as_array(img):
    """(array in H, W[, C] layout or C, H, W for tensors, and a function rebuilding the type)."""
    if isinstance(img, Tensor):
        return img._data, from_numpy, True
    arr = np.asarray(img)
    try:
        from PIL import Image

        if isinstance(img, Image.Image):
            return arr, Image.fromarray, False
    except ImportError:
        pass
    return arr, lambda a: a, False


def _pad(arr: np.ndarray, chw: bool, left, top, right, bottom, fill, mode):
    pads = [(0, 0)] * arr.ndim
    h_axis = arr.ndim - 2 if chw else 0
    pads[h_axis] = (top, bottom)
    pads[h_axis + 1] = (left, right)
    if mode == "constant":
        return np.pad(arr, pads, mode="constant", constant_values=fill)
    return np.pad(
        arr, pads, mode={"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[mode]
    )


def _padding4(padding):
    if isinstance(padding, numbers.Integral):
        return padding, padding, padding, padding
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    return tuple(padding)


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
        arr, rebuild, chw = _as_array(img)
        return rebuild(np.ascontiguousarray(arr[..., ::-1] if chw else arr[:, ::-1]))

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
