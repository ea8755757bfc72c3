"""MNIST-style datasets: reading a split, transforms, and the errors for missing or bad data."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from vision.test_idx import idx_bytes

from ember.vision import datasets, idx, transforms


def write_split(root, split, n, labels=None, gz=True, corrupt=False):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
    labels = np.arange(n, dtype=np.uint8) % 10 if labels is None else labels
    for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
        data = idx_bytes(arr)
        if corrupt and kind == "images-idx3":
            data = data[:-100]
        name = f"{split}-{kind}-ubyte"
        if gz:
            (root / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (root / name).write_bytes(data)
    return images, labels


def test_reads_split_with_transforms(tmp_path):
    images, labels = write_split(tmp_path, "t10k", 12, gz=False)
    ds = datasets.FashionMNIST(
        str(tmp_path),
        train=False,
        transform=transforms.ToTensor(),
        target_transform=lambda y: y + 100,
    )
    assert len(ds) == 12
    x, y = ds[5]
    assert x.shape == (1, 28, 28) and y == labels[5] + 100
    np.testing.assert_allclose(x.numpy()[0], images[5] / 255.0, rtol=1e-6)
    assert ds.data.shape == (12, 28, 28) and str(ds.targets.dtype) == "torch.int64"
    assert ds.classes[9] == "Ankle boot"


def test_missing_files_say_where_and_how(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        datasets.FashionMNIST(str(tmp_path), train=True)
    msg = str(e.value)
    assert str(tmp_path) in msg and "train-images-idx3-ubyte" in msg
    assert "apt-get install dataset-fashion-mnist" in msg


def test_corrupted_file_is_refused(tmp_path):
    write_split(tmp_path, "train", 8, corrupt=True)
    with pytest.raises(idx.IDXError, match="truncated"):
        datasets.MNIST(str(tmp_path), train=True)


def test_labels_out_of_range_are_refused(tmp_path):
    write_split(tmp_path, "train", 4, labels=np.array([0, 1, 2, 42], np.uint8))
    with pytest.raises(idx.IDXError, match="labels outside"):
        datasets.MNIST(str(tmp_path), train=True)


def test_mismatched_counts_are_refused(tmp_path):
    write_split(tmp_path, "train", 6, labels=np.zeros(5, np.uint8))
    with pytest.raises(idx.IDXError, match="same N"):
        datasets.MNIST(str(tmp_path))


@pytest.mark.skipif(
    not (datasets.idx.find(datasets.FASHION_MNIST_ROOT, "t10k-labels-idx1-ubyte")),
    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)",
)
def test_default_root_is_debians():
    ds = datasets.FashionMNIST(train=False)
    assert len(ds) == 10000 and ds.data.shape == (10000, 28, 28)


def test_torchvision_layout_is_found(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    write_split(raw, "t10k", 3)
    assert len(datasets.FashionMNIST(str(tmp_path), train=False)) == 3


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A stand-in for Debian's /usr/share/datasets/fashion-mnist."""
    folder = tmp_path / "installed"
    folder.mkdir()
    write_split(folder, "t10k", 5)
    monkeypatch.setattr(datasets.FashionMNIST, "default_root", str(folder))
    return folder


def test_download_falls_back_to_installed_copy(tmp_path, installed, capsys):
    root = tmp_path / "data"
    root.mkdir()
    ds = datasets.FashionMNIST(str(root), train=False, download=True)
    assert len(ds) == 5 and ds.root == str(root)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and str(installed) in out and "does not download" in out
    assert list(root.iterdir()) == []  # nothing written into the user's root


def test_download_of_missing_root_writes_nothing(tmp_path, installed, capsys):
    root = tmp_path / "data"
    assert len(datasets.FashionMNIST(str(root), train=False, download=True)) == 5
    assert not root.exists()


def test_no_fallback_without_download(tmp_path, installed):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        datasets.FashionMNIST(str(tmp_path / "data"), train=False)


def test_download_without_any_copy_says_where_it_looked(tmp_path, installed):
    with pytest.raises(FileNotFoundError) as e:
        datasets.FashionMNIST(str(tmp_path / "data"), train=True, download=True)  # no train split
    msg = str(e.value)
    assert str(tmp_path / "data") in msg and str(installed) in msg
    assert "cannot download" in msg and "apt-get install dataset-fashion-mnist" in msg
    with pytest.raises(FileNotFoundError, match="cannot download"):
        datasets.MNIST(str(tmp_path / "data"), download=True)  # MNIST has no installed copy
