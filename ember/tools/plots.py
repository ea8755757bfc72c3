"""Training pictures: loss/accuracy curves per epoch and a confusion matrix (matplotlib)."""

from __future__ import annotations

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def curves(history: list[dict], path: str) -> str:
    """Plot train/validation loss and validation accuracy against the epoch; save to ``path``."""
    plt = _pyplot()
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-", label="train")
    ax_loss.plot(epochs, [h["val_loss"] for h in history], "o-", label="validation")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss")
    ax_loss.legend()
    ax_loss.set_title("Loss")
    ax_acc.plot(epochs, [h["val_accuracy"] for h in history], "o-", color="tab:green")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_title("Validation accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def confusion_matrix(targets: np.ndarray, predictions: np.ndarray, n: int) -> np.ndarray:
    """Counts: row = true class, column = predicted class."""
    return np.bincount(targets * n + predictions, minlength=n * n).reshape(n, n)


def confusion(matrix: np.ndarray, classes: list[str], path: str, title: str = "") -> str:
    """Draw a confusion matrix with class names and counts; save to ``path``."""
    plt = _pyplot()
    n = len(classes)
    fig, ax = plt.subplots(figsize=(8, 7))
    im = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_xticks(range(n), classes, rotation=45, ha="right")
    ax.set_yticks(range(n), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "Confusion matrix (test)")
    hi = matrix.max() if matrix.size else 0
    for i in range(n):
        for j in range(n):
            v = matrix[i, j]
            ax.text(
                j,
                i,
                str(v),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if v > hi / 2 else "black",
            )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
