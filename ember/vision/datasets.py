"""MNIST-style datasets read from IDX files: MNIST and FashionMNIST.

Like torchvision's, a sample is ``(image, label)`` with the image a PIL image (mode 'L') when
Pillow is installed, else a (28, 28) uint8 array; ``transform`` / ``target_transform`` apply to
each. ``data`` (uint8, N x 28 x 28) and ``targets`` (int64, N) hold the whole split as tensors,
for code that batches without per-sample transforms.

``download=True`` cannot fetch anything (no network is assumed): when the files are not under
``root``, FashionMNIST reads Debian's installed copy instead and prints one line saying so;
nothing is ever written into ``root``.
"""

from __future__ import annotations

import os

import numpy as np

from ..creation import from_numpy
from ..utils.data import Dataset
from . import idx

FASHION_MNIST_ROOT = "/usr/share/datasets/fashion-mnist"


class MNIST(Dataset):
    """Handwritten digits. ``root`` holds the four IDX files (``.gz`` or raw)."""

    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]
    default_root: str | None = None
    how_to_get = (
        "Download the four MNIST IDX files (train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) "
        "into that folder."
    )

    def __init__(
        self,
        root: str | None = None,
        train: bool = True,
        transform=None,
        target_transform=None,
        download: bool = False,
    ):
        root = root if root is not None else self.default_root
        if root is None:
            raise ValueError(f"{type(self).__name__} needs a root folder")
        self.root = os.path.expanduser(str(root))
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        split = "train" if train else "t10k"
        stems = [f"{split}-{kind}-ubyte" for kind in ("images-idx3", "labels-idx1")]
        paths = [self._find(self.root, stem) for stem in stems]
        if None in paths and download:
            paths = self._installed_copy(stems) or paths
        for stem, p in zip(stems, paths):
            if p is None:
                extra = ""
                if download:
                    extra = " ember cannot download (no network access is assumed)"
                    fallback = self.default_root
                    extra += f" and found no installed copy in {fallback}." if fallback else "."
                raise FileNotFoundError(
                    f"{type(self).__name__}: {stem}[.gz] not found in {self.root} (also looked "
                    f"in {os.path.join(self.root, type(self).__name__, 'raw')}).{extra} "
                    f"{self.how_to_get}"
                )
        images, labels = idx.read(paths[0]), idx.read(paths[1])
        if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
            raise idx.IDXError(
                f"{type(self).__name__}: {paths[0]} holds shape {list(images.shape)} and "
                f"{paths[1]} shape {list(labels.shape)}; expected [N, H, W] images and [N] "
                "labels with the same N"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= len(self.classes)):
            raise idx.IDXError(
                f"{type(self).__name__}: {paths[1]} has labels outside 0..{len(self.classes) - 1}"
            )
        self.data = from_numpy(np.ascontiguousarray(images, dtype=np.uint8))
        self.targets = from_numpy(labels.astype(np.int64))

    def _find(self, root: str, stem: str) -> str | None:
        # Directly in root, root/raw, or torchvision's layout root/<ClassName>/raw.
        return idx.find(root, stem) or idx.find(os.path.join(root, type(self).__name__), stem)

    def _installed_copy(self, stems: list[str]) -> list[str] | None:
        """``download=True`` without the files under root: torchvision would fetch them into
        root; ember has no network and never writes there, so it reads the system's copy
        (Debian's dataset-fashion-mnist) instead, and says so."""
        folder = self.default_root
        if folder is None or os.path.abspath(folder) == os.path.abspath(self.root):
            return None
        paths = [self._find(folder, stem) for stem in stems]
        if None in paths:
            return None
        print(
            f"{type(self).__name__}: no data in {self.root} and ember does not download; "
            f"using the installed copy in {folder}"
        )
        return paths

    def __len__(self) -> int:
        return self.data._data.shape[0]

    def __getitem__(self, index: int):
        img = _to_image(self.data._data[index])
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    @property
    def class_to_idx(self) -> dict:
        return {c: i for i, c in enumerate(self.classes)}

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append(f"    StandardTransform\nTransform: {self.transform!r}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Zalando's clothing images; by default read from Debian's dataset-fashion-mnist."""

    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
    default_root = FASHION_MNIST_ROOT
    how_to_get = (
        "On Debian or Ubuntu install it with 'sudo apt-get install dataset-fashion-mnist' "
        f"(it puts the IDX files in {FASHION_MNIST_ROOT}), or pass the folder that holds "
        "them."
    )


def _to_image(arr: np.ndarray):
    try:
        from PIL import Image
    except ImportError:
        return arr
    # A 2-D uint8 array is mode 'L' (Pillow 11 deprecates passing the mode).
    return Image.fromarray(arr)
