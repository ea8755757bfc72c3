"""``ember evaluate`` and ``ember predict``: use trained weights on the test set or on images."""

from __future__ import annotations

import json
import os

import numpy as np

from ..autograd import no_grad
from ..creation import from_numpy
from ..serialization import load
from . import models
from .train import DATASETS, NORMALIZE, evaluate, load_split


def add_evaluate_arguments(p) -> None:
    p.add_argument("--weights", required=True, help="model.pth written by ember train")
    p.add_argument(
        "--model",
        default=None,
        choices=sorted(models.MODELS),
        help="architecture (default: from config.json beside the weights)",
    )
    p.add_argument("--dataset", default=None, choices=sorted(DATASETS))
    p.add_argument("--data-dir", default=None)


def add_predict_arguments(p) -> None:
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    p.add_argument("--weights", required=True, help="model.pth written by ember train")
    p.add_argument("--model", default=None, choices=sorted(models.MODELS))
    p.add_argument("--dataset", default=None, choices=sorted(DATASETS))


def _config(args) -> dict:
    """Model/dataset names: the command line first, then config.json beside the weights."""
    cfg = {"model": "lenet5", "dataset": "fashion-mnist"}
    path = os.path.join(os.path.dirname(os.path.abspath(args.weights)), "config.json")
    if os.path.isfile(path):
        with open(path) as f:
            saved = json.load(f)
        cfg.update({k: saved[k] for k in ("model", "dataset") if isinstance(saved.get(k), str)})
    for k in ("model", "dataset"):
        if getattr(args, k, None):
            cfg[k] = getattr(args, k)
    return cfg


def load_model(weights: str, name: str):
    model = models.create(name)
    state = load(weights)
    if isinstance(state, dict) and "model" in state and "optimizer" in state:
        state = state["model"]  # a checkpoint.pth works too
    model.load_state_dict(state)
    model.eval()
    return model


def run_evaluate(args) -> float:
    cfg = _config(args)
    model = load_model(args.weights, cfg["model"])
    x, y, classes = load_split(cfg["dataset"], args.data_dir, False)
    loss, acc, pred = evaluate(model, x, y)
    print(
        f"{cfg['model']} on {cfg['dataset']} test set ({len(y)} images): "
        f"accuracy {acc:.4f}, loss {loss:.4f}"
    )
    width = max(len(c) for c in classes)
    for k, name in enumerate(classes):
        mask = y == k
        if mask.any():
            print(
                f"  {name:<{width}}  {float((pred[mask] == k).mean()):.4f}  "
                f"({int(mask.sum())} images)"
            )
    return acc


def read_image(path: str) -> np.ndarray:
    """A 28x28 float image in [0, 1], light strokes on a dark background like the datasets."""
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit("ember predict needs Pillow: pip install pillow") from None
    try:
        img = Image.open(path).convert("L")
    except (OSError, ValueError) as e:
        raise SystemExit(f"cannot read image {path}: {e}") from None
    if img.size != (28, 28):
        img = img.resize((28, 28))
    arr = np.asarray(img, dtype=np.float32) / np.float32(255)
    # NOTE: photos and drawings are usually dark on light; the datasets are light on dark.
    if arr.mean() > 0.5:
        arr = 1 - arr
    return arr


def run_predict(args) -> list:
    cfg = _config(args)
    model = load_model(args.weights, cfg["model"])
    classes = DATASETS[cfg["dataset"]].classes
    mean, std = NORMALIZE[cfg["dataset"]]
    x = np.stack([read_image(p) for p in args.images])[:, None]
    x = (x - np.float32(mean)) / np.float32(std)
    with no_grad():
        probs = model(from_numpy(x)).softmax(dim=1).numpy()
    out = []
    for path, p in zip(args.images, probs):
        k = int(p.argmax())
        out.append(classes[k])
        print(f"{path}: {classes[k]} ({p[k]:.2f})")
    return out
