"""``ember train`` / ``evaluate`` / ``predict`` on a small synthetic Fashion-MNIST-shaped set:
the loss falls, the outputs are written, resuming reproduces the uninterrupted run, and
Ctrl-C keeps the last checkpoint."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import requires_torch, torch
from vision.test_datasets import write_split

import ember
from ember.cli import main

COMMON = [
    "--model",
    "lenet5",
    "--batch-size",
    "32",
    "--val-size",
    "60",
    "--no-progress",
    "--optimizer",
    "Adam",
    "--lr",
    "0.003",
    "--seed",
    "1",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Learnable images: each class is a bright bar at its own row band, plus noise."""
    root = tmp_path_factory.mktemp("fmnist")
    rng = np.random.default_rng(0)
    for split, n in (("train", 360), ("t10k", 120)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, y in enumerate(labels):
            images[i, 2 + 2 * y : 4 + 2 * y, 4:24] = 250
        write_split(root, split, n, labels=labels)
        # write_split drew its own images: overwrite them with the learnable ones
        import gzip

        from vision.test_idx import idx_bytes

        (root / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    return str(root)


def _train(data, out, *extra):
    assert main(["train", "--data-dir", data, "--out", str(out), *COMMON, *extra]) == 0
    with open(os.path.join(out, "metrics.json")) as f:
        return json.load(f)


def test_train_learns_and_writes_outputs(data, tmp_path, capsys):
    m = _train(data, tmp_path, "--epochs", "3", "--graph")
    hist = m["history"]
    assert [h["epoch"] for h in hist] == [1, 2, 3]
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]
    assert m["test_accuracy"] > 0.5
    for name in (
        "model.pth",
        "checkpoint.pth",
        "metrics.json",
        "config.json",
        "curves.png",
        "confusion.png",
        "graph.dot",
    ):
        assert (tmp_path / name).is_file(), name
    out = capsys.readouterr().out
    assert "epoch  1/3  train loss" in out and "val acc" in out and "test accuracy" in out
    state = ember.load(str(tmp_path / "model.pth"))
    assert list(state)[:2] == ["features.0.weight", "features.0.bias"]


@requires_torch
def test_model_pth_loads_in_pytorch(data, tmp_path):
    _train(data, tmp_path, "--epochs", "1")
    state = torch.load(str(tmp_path / "model.pth"), weights_only=True)
    assert tuple(state["features.0.weight"].shape) == (6, 1, 5, 5)


def test_resume_reproduces_the_uninterrupted_run(data, tmp_path, monkeypatch):
    from ember.vision import train as train_mod

    # Keep the checkpoint written after epoch 1 of an uninterrupted 3-epoch run, then resume
    # from it with the same options: every later figure and the weights must be identical.
    write = train_mod._checkpoint

    def keep_epoch_1(args, model, opt, sched, gen, state):
        write(args, model, opt, sched, gen, state)
        if state["epoch"] == 1:
            shutil.copy(os.path.join(args.out, "checkpoint.pth"), tmp_path / "epoch1.pth")

    monkeypatch.setattr(train_mod, "_checkpoint", keep_epoch_1)
    full = _train(data, tmp_path / "full", "--epochs", "3")
    monkeypatch.setattr(train_mod, "_checkpoint", write)
    resumed = _train(
        data, tmp_path / "part", "--epochs", "3", "--resume", str(tmp_path / "epoch1.pth")
    )
    assert len(resumed["history"]) == 3
    for a, b in zip(full["history"], resumed["history"]):
        assert a["train_loss"] == b["train_loss"] and a["val_loss"] == b["val_loss"]
        assert a["lr"] == b["lr"]
    a = ember.load(str(tmp_path / "full" / "model.pth"))
    b = ember.load(str(tmp_path / "part" / "model.pth"))
    assert all(a[k].equal(b[k]) for k in a)


def test_early_stopping_restores_best(data, tmp_path, capsys):
    # A learning rate this high makes the validation loss worse after the first epoch.
    m = _train(
        data, tmp_path, "--epochs", "6", "--patience", "1", "--lr", "0.5", "--optimizer", "SGD"
    )
    assert len(m["history"]) < 6
    assert "early stop" in capsys.readouterr().out
    assert m["best_val_loss"] == min(h["val_loss"] for h in m["history"])


def test_evaluate_and_predict(data, tmp_path, capsys):
    from PIL import Image

    _train(data, tmp_path, "--epochs", "3")
    capsys.readouterr()
    assert main(["evaluate", "--weights", str(tmp_path / "model.pth"), "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "Ankle boot" in out
    img = np.full((28, 28), 20, np.uint8)
    img[2 + 2 * 3 : 4 + 2 * 3, 4:24] = 250  # class 3's bar: "Dress"
    Image.fromarray(img).save(tmp_path / "dress.png")
    assert (
        main(["predict", "--weights", str(tmp_path / "model.pth"), str(tmp_path / "dress.png")])
        == 0
    )
    assert "dress.png: Dress" in capsys.readouterr().out


def test_ctrl_c_keeps_the_last_checkpoint(data, tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "ember",
        "train",
        "--data-dir",
        data,
        "--out",
        str(tmp_path),
        *COMMON,
        "--epochs",
        "200",
        "--patience",
        "0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if line.startswith("epoch  2/"):
            break
    proc.send_signal(signal.SIGINT)
    out = "".join(lines) + proc.communicate(timeout=120)[0]
    assert proc.returncode == 0, out
    assert "interrupted in epoch" in out and "--resume" in out
    ckpt = ember.load(str(tmp_path / "checkpoint.pth"))
    assert ckpt["epoch"] >= 2


def test_missing_data_is_explained(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        main(["train", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o")])
