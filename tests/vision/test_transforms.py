"""Transforms against torchvision's documented behaviour (torchvision itself has no CPU build
here, so the expected values are computed by hand)."""

from __future__ import annotations

import numpy as np
import pytest

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
