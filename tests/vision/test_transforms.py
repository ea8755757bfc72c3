"""Transforms against torchvision's documented behaviour (torchvision itself has no CPU build
here, so the expected values are computed by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import requires_torch

import ember
from ember.vision import transforms as T


def test_to_tensor_scales_and_moves_channels():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    t = T.ToTensor()(img)
    assert t.shape == (1, 3, 4) and t.dtype == ember.float32
    np.testing.assert_allclose(t.numpy()[0], img / 255.0, rtol=1e-6)
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[..., 2] = 255
    assert T.ToTensor()(rgb).numpy()[2].min() == 1.0


def test_to_tensor_accepts_pil():
    from PIL import Image

    img = Image.fromarray(np.full((5, 6), 51, np.uint8))
    t = T.ToTensor()(img)
    assert t.shape == (1, 5, 6)
    assert t.numpy().max() == pytest.approx(0.2)


def test_normalize_per_channel():
    x = ember.ones(2, 3, 3)
    out = T.Normalize((0.5, 0.25), (0.5, 0.25))(x)
    np.testing.assert_allclose(out.numpy()[0], 1.0)
    np.testing.assert_allclose(out.numpy()[1], 3.0)
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2)))


def test_compose_and_lambda_and_repr():
    tf = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2)])
    assert tf(np.full((2, 2), 255, np.uint8)).numpy().max() == 2.0
    assert repr(tf) == "Compose(\n    ToTensor()\n    Lambda()\n)"


def test_random_crop_with_padding_is_seeded_and_keeps_pixels():
    x = ember.arange(16, dtype=ember.float32).reshape(1, 4, 4)
    ember.manual_seed(3)
    a = T.RandomCrop(4, padding=2)(x)
    ember.manual_seed(3)
    b = T.RandomCrop(4, padding=2)(x)
    assert a.shape == (1, 4, 4) and a.equal(b)
    kept = set(a.numpy().ravel().tolist()) - {0.0}
    assert kept <= set(range(16))
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(5)(x)


def test_horizontal_flip_probability():
    x = ember.arange(6, dtype=ember.float32).reshape(1, 2, 3)
    assert T.RandomHorizontalFlip(p=1.0)(x).numpy().tolist() == [[[2, 1, 0], [5, 4, 3]]]
    assert T.RandomHorizontalFlip(p=0.0)(x) is x


def test_resize_smaller_edge_keeps_aspect_and_repr():
    x = ember.rand(1, 4, 8)
    assert T.Resize(2)(x).shape == (1, 2, 4)
    assert T.Resize([2])(ember.rand(3, 8, 4)).shape == (3, 4, 2)
    assert T.Resize((3, 5))(x).shape == (1, 3, 5)
    assert T.Resize(4)(x) is x  # already the requested size
    assert T.Resize(2, max_size=3)(x).shape == (1, 1, 3)
    assert repr(T.Resize(32)) == (
        "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"
    )
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))


def test_resize_nearest_and_uint8_array():
    x = ember.arange(16, dtype=ember.float32).reshape(1, 4, 4)
    out = T.Resize((2, 2), interpolation=T.InterpolationMode.NEAREST)(x)
    assert out.numpy().tolist() == [[[0, 2], [8, 10]]]
    arr = np.arange(16, dtype=np.uint8).reshape(4, 4)
    small = T.Resize((2, 2), interpolation=T.InterpolationMode.NEAREST)(arr)
    assert small.dtype == np.uint8 and small.tolist() == [[0, 2], [8, 10]]


def test_resize_pil_image():
    from PIL import Image

    img = Image.fromarray(np.zeros((10, 20), np.uint8))
    out = T.Resize(5)(img)
    assert isinstance(out, Image.Image) and out.size == (10, 5)


@requires_torch
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("size", [(3, 5), (11, 13)])
def test_resize_bilinear_tensor_matches_interpolate(size, antialias):
    import torch

    x = np.random.default_rng(0).random((2, 7, 9), dtype=np.float32)
    got = T.Resize(size, antialias=antialias)(ember.from_numpy(x))
    want = torch.nn.functional.interpolate(
        torch.from_numpy(x)[None],
        size=size,
        mode="bilinear",
        align_corners=False,
        antialias=antialias,
    )[0]
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-5)


def test_center_crop_and_padding():
    x = ember.arange(25, dtype=ember.float32).reshape(1, 5, 5)
    assert T.CenterCrop(3)(x).numpy()[0].tolist() == [[6, 7, 8], [11, 12, 13], [16, 17, 18]]
    assert T.CenterCrop(4)(x).numpy()[0, 0].tolist() == [0, 1, 2, 3]  # round(0.5) == 0
    big = T.CenterCrop((7, 6))(x).numpy()[0]
    assert big.shape == (7, 6) and big[0].sum() == 0 and big[:, -1].sum() == 0
    assert big[1, 0] == 0 and big[1, 1] == 1  # columns: 0 left, 1 right
    assert repr(T.CenterCrop(3)) == "CenterCrop(size=(3, 3))"


def test_grayscale():
    from PIL import Image

    rgb = ember.tensor([[[1.0]], [[0.0]], [[0.0]]])
    assert T.Grayscale()(rgb).numpy().ravel().tolist() == pytest.approx([0.2989])
    assert T.Grayscale(3)(rgb).shape == (3, 1, 1)
    img = Image.fromarray(np.full((2, 2, 3), 200, np.uint8))
    assert T.Grayscale()(img).mode == "L" and T.Grayscale(3)(img).mode == "RGB"
    assert repr(T.Grayscale()) == "Grayscale(num_output_channels=1)"


def test_to_pil_image():
    img = T.ToPILImage()(ember.full((1, 2, 3), 0.5))
    assert img.mode == "L" and img.size == (3, 2)
    assert np.asarray(img).tolist() == [[127] * 3] * 2  # 127.5 truncated, as torchvision
    rgb = T.ToPILImage()(np.zeros((2, 2, 3), np.uint8))
    assert rgb.mode == "RGB"
    assert repr(T.ToPILImage()) == "ToPILImage()"
    back = T.ToTensor()(T.ToPILImage()(ember.full((1, 2, 2), 1.0)))
    assert back.numpy().min() == 1.0
