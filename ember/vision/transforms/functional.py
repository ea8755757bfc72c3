"""Functional transforms, torchvision-shaped: the work behind the transform classes.

Images are PIL images, (H, W) or (H, W, C) arrays, or (..., C, H, W) tensors; each function
returns the kind it was given. Resampling follows torchvision: PIL images use Pillow's own
filters; tensors use PyTorch's nearest rule, and for bilinear/bicubic with ``antialias=True``
(torchvision's default) Pillow's filters on float32 planes, which torchvision's antialiased
tensor resize was built to match (bicubic's kernel constant differs slightly from PyTorch's).
"""

from __future__ import annotations

import numbers
from enum import Enum

import numpy as np

from ...creation import from_numpy
from ...tensor import Tensor


class InterpolationMode(Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _pil():
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image


def _is_pil(img) -> bool:
    Image = _pil()
    return Image is not None and isinstance(img, Image.Image)


def _as_array(img):
    """(array in H, W[, C] layout or C, H, W for tensors, and a function rebuilding the type)."""
    if isinstance(img, Tensor):
        return img._data, from_numpy, True
    arr = np.asarray(img)
    if _is_pil(img):
        return arr, _pil().fromarray, False
    return arr, lambda a: a, False


def _hw(arr: np.ndarray, chw: bool) -> tuple[int, int]:
    h_axis = arr.ndim - 2 if chw else 0
    return arr.shape[h_axis], arr.shape[h_axis + 1]


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


def _size2(size, what: str = "size") -> tuple[int, int]:
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"Please provide only two dimensions (h, w) for {what}.")
    return int(size[0]), int(size[1])


def to_tensor(pic) -> Tensor:
    arr = np.asarray(pic)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise TypeError(f"ToTensor expects an image of 2 or 3 dims, got shape {arr.shape}")
    out = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if out.dtype == np.uint8:
        out = out.astype(np.float32) / np.float32(255)
    return from_numpy(out.astype(np.float32, copy=False))


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    if not isinstance(tensor, Tensor) or not tensor.is_floating_point():
        kind = type(tensor).__name__
        if isinstance(tensor, Tensor):
            kind += f" of {tensor.dtype}"
        raise TypeError(f"Normalize expects a float tensor (apply ToTensor first), got {kind}")
    d = tensor._data
    mean = np.asarray(mean, dtype=d.dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=d.dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError(
            f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by "
            "zero."
        )
    if inplace:
        np.subtract(d, mean, out=d)
        np.divide(d, std, out=d)
        tensor._vc[0] += 1
        return tensor
    return from_numpy((d - mean) / std)


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height`` x ``width`` window at (top, left); parts outside the image are zeros."""
    arr, rebuild, chw = _as_array(img)
    h, w = _hw(arr, chw)
    pl, pt = max(-left, 0), max(-top, 0)
    pr, pb = max(left + width - w, 0), max(top + height - h, 0)
    if pl or pt or pr or pb:
        arr = _pad(arr, chw, pl, pt, pr, pb, 0, "constant")
    top, left = top + pt, left + pl
    if chw:
        out = arr[..., top : top + height, left : left + width]
    else:
        out = arr[top : top + height, left : left + width]
    return rebuild(np.ascontiguousarray(out))


def center_crop(img, output_size):
    th, tw = _size2(output_size)
    arr, _, chw = _as_array(img)
    h, w = _hw(arr, chw)
    # Larger than the image: torchvision pads with zeros, the odd pixel going right/bottom.
    top = -((th - h) // 2) if th > h else int(round((h - th) / 2.0))
    left = -((tw - w) // 2) if tw > w else int(round((w - tw) / 2.0))
    return crop(img, top, left, th, tw)


def hflip(img):
    arr, rebuild, chw = _as_array(img)
    return rebuild(np.ascontiguousarray(arr[..., ::-1] if chw else arr[:, ::-1]))


def _resized_hw(h: int, w: int, size, max_size) -> tuple[int, int]:
    if isinstance(size, numbers.Integral) or len(size) == 1:
        short_req = size if isinstance(size, numbers.Integral) else size[0]
        short, long = (h, w) if h <= w else (w, h)
        new_short, new_long = short_req, int(short_req * long / short)
        if max_size is not None:
            if max_size <= short_req:
                raise ValueError(
                    f"max_size = {max_size} must be strictly greater than the requested size for "
                    f"the smaller edge size = {size}"
                )
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_short, new_long) if h <= w else (new_long, new_short)
    if max_size is not None:
        raise ValueError(
            "max_size should only be passed if size specifies the length of the smaller edge, "
            "i.e. size should be an int or a sequence of length 1 in torchscript mode."
        )
    return int(size[0]), int(size[1])


def _nearest_index(n_out: int, n_in: int, exact: bool) -> np.ndarray:
    # PyTorch's 'nearest' floors dst * in/out; 'nearest-exact' uses pixel centres.
    scale = n_in / n_out
    src = (np.arange(n_out) + (0.5 if exact else 0.0)) * scale
    return np.minimum(np.floor(src).astype(np.int64), n_in - 1)


def _linear_weights(n_out: int, n_in: int):
    src = np.maximum((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, (src - i0).astype(np.float32)


def _resize_planes(planes: np.ndarray, oh: int, ow: int, mode, antialias: bool) -> np.ndarray:
    """(N, H, W) float32 planes resized to (N, oh, ow)."""
    n, h, w = planes.shape
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        exact = mode is InterpolationMode.NEAREST_EXACT
        return planes[:, _nearest_index(oh, h, exact)][:, :, _nearest_index(ow, w, exact)]
    if mode is InterpolationMode.BILINEAR and not antialias:
        r0, r1, fr = _linear_weights(oh, h)
        c0, c1, fc = _linear_weights(ow, w)
        rows = planes[:, r0] * (1 - fr)[:, None] + planes[:, r1] * fr[:, None]
        return rows[:, :, c0] * (1 - fc) + rows[:, :, c1] * fc
    Image = _pil()
    if Image is None:
        raise RuntimeError(f"Resize with {mode.value} interpolation on tensors needs Pillow")
    resample = _PIL_FILTERS[mode]
    out = np.empty((n, oh, ow), np.float32)
    for i in range(n):
        plane = Image.fromarray(np.ascontiguousarray(planes[i], dtype=np.float32))
        out[i] = np.asarray(plane.resize((ow, oh), resample))
    return out


_PIL_FILTERS = {
    InterpolationMode.NEAREST: 0,
    InterpolationMode.LANCZOS: 1,
    InterpolationMode.BILINEAR: 2,
    InterpolationMode.BICUBIC: 3,
    InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
}


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    mode = InterpolationMode(interpolation) if isinstance(interpolation, str) else interpolation
    arr, rebuild, chw = _as_array(img)
    h, w = _hw(arr, chw)
    oh, ow = _resized_hw(h, w, size, max_size)
    if (oh, ow) == (h, w):
        return img
    if _is_pil(img):
        if mode not in _PIL_FILTERS:
            raise ValueError(f"{mode.value} interpolation is not supported for PIL images")
        return img.resize((ow, oh), _PIL_FILTERS[mode])
    planes = arr if chw else np.moveaxis(arr.reshape(h, w, -1), 2, 0)
    lead = planes.shape[:-2]
    out = _resize_planes(planes.reshape(-1, h, w).astype(np.float32), oh, ow, mode, antialias)
    if np.issubdtype(arr.dtype, np.integer):
        info = np.iinfo(arr.dtype)
        out = np.clip(np.round(out), info.min, info.max)
    out = out.astype(arr.dtype, copy=False).reshape(*lead, oh, ow)
    if not chw:
        out = np.moveaxis(out, 0, 2).reshape((oh, ow) + arr.shape[2:])
    return rebuild(np.ascontiguousarray(out))


def rgb_to_grayscale(img, num_output_channels: int = 1):
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _is_pil(img):
        gray = img.convert("L")
        if num_output_channels == 3:
            return _pil().merge("RGB", [gray, gray, gray])
        return gray
    arr, rebuild, chw = _as_array(img)
    if not chw:
        arr = (arr[:, :, None] if arr.ndim == 2 else arr).transpose(2, 0, 1)
    if arr.ndim < 3 or arr.shape[-3] not in (1, 3):
        raise TypeError(f"Input image should have 1 or 3 channels, got shape {list(arr.shape)}")
    if arr.shape[-3] == 3:
        r, g, b = arr[..., 0, :, :], arr[..., 1, :, :], arr[..., 2, :, :]
        lum = (0.2989 * r + 0.587 * g + 0.114 * b).astype(arr.dtype)[..., None, :, :]
    else:
        lum = arr.copy()
    out = np.repeat(lum, num_output_channels, axis=-3)
    if not chw:
        out = out.transpose(1, 2, 0)
    return rebuild(np.ascontiguousarray(out))


to_grayscale = rgb_to_grayscale

_PIL_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def to_pil_image(pic, mode=None):
    Image = _pil()
    if Image is None:
        raise RuntimeError("ToPILImage needs Pillow (pip install pillow)")
    if isinstance(pic, Tensor):
        arr = pic._data
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        arr = arr.transpose(1, 2, 0)
    else:
        arr = np.asarray(pic)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    if np.issubdtype(arr.dtype, np.floating) and mode != "F":
        # torchvision's mul(255).byte(): truncation, not rounding.
        arr = (arr * 255).astype(np.uint8)
    c = arr.shape[2]
    if c not in _PIL_MODES:
        raise ValueError(f"pic should not have > 4 channels. Got {c} channels.")
    if c == 1:
        arr = arr[:, :, 0]
        mode = mode or {np.uint8: "L", np.int16: "I;16", np.int32: "I", np.float32: "F"}.get(
            arr.dtype.type
        )
        if mode is None:
            raise TypeError(f"Input type {arr.dtype} is not supported")
    mode = mode or _PIL_MODES[c]
    img = Image.fromarray(np.ascontiguousarray(arr))
    return img if img.mode == mode else img.convert(mode)
