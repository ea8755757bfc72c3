"""``ember train``: train an image classifier on (Fashion-)MNIST the way a user expects.

Each epoch: a tqdm progress bar with loss and throughput, then one line with train loss,
validation loss and accuracy, seconds. The out folder gets model.pth (best weights, loadable by
PyTorch too), checkpoint.pth (everything needed to resume, written atomically every epoch),
metrics.json, config.json, curves.png and confusion.png. Ctrl-C stops after the current batch
and keeps the last checkpoint; ``--resume`` continues and reproduces the uninterrupted run.
"""

from __future__ import annotations

import json
import math
import os
import signal
import time

import numpy as np

from .. import nn, optim
from ..autograd import no_grad
from ..creation import from_numpy
from ..random import Generator, manual_seed
from ..random import default_generator as _global_gen
from ..serialization import load, save
from ..utils.data import DataLoader, TensorDataset
from . import datasets, models

DATASETS = {"fashion-mnist": datasets.FashionMNIST, "mnist": datasets.MNIST}
# Per-dataset pixel mean and std (of the training images scaled to [0, 1]).
NORMALIZE = {"fashion-mnist": (0.2860, 0.3530), "mnist": (0.1307, 0.3081)}
SCHEDULES = ("none", "step", "cosine", "onecycle", "plateau", "exponential")


def add_arguments(p) -> None:
    p.add_argument("--model", default="lenet5", choices=sorted(models.MODELS))
    p.add_argument("--dataset", default="fashion-mnist", choices=sorted(DATASETS))
    p.add_argument(
        "--data-dir",
        default=None,
        help="folder with the IDX files (default: where Debian puts Fashion-MNIST)",
    )
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument(
        "--optimizer",
        default="Adam",
        help="any optimizer of ember.optim, by name (Adam, SGD, AdamW, RMSprop, ...)",
    )
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument(
        "--momentum",
        type=float,
        default=None,
        help="momentum for SGD/RMSprop (default: the optimizer's)",
    )
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--lr-schedule", default="cosine", choices=SCHEDULES)
    p.add_argument(
        "--patience",
        type=int,
        default=3,
        help="early stopping: epochs without a better validation loss (0: off)",
    )
    p.add_argument(
        "--val-size", type=int, default=5000, help="training images held out for validation"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="train on the first N samples")
    p.add_argument("--out", default="runs/train", help="folder for weights, metrics, pictures")
    p.add_argument("--resume", default=None, metavar="CHECKPOINT")
    p.add_argument("--graph", action="store_true", help="also save the model's autograd graph")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def load_split(name: str, root: str | None, train: bool, limit: int | None = None):
    """(images N x 1 x 28 x 28 float32 normalised, int64 labels, class names)."""
    ds = DATASETS[name](root, train=train)
    x = ds.data._data[:limit]
    y = ds.targets._data[:limit]
    mean, std = NORMALIZE[name]
    images = (x.astype(np.float32) / np.float32(255) - np.float32(mean)) / np.float32(std)
    return images[:, None], y, ds.classes


def _optimizer(args, params):
    try:
        cls = getattr(optim, args.optimizer)
    except AttributeError:
        cls = None
    if not isinstance(cls, type) or not issubclass(cls, optim.Optimizer):
        names = sorted(
            n
            for n in dir(optim)
            if isinstance(getattr(optim, n), type)
            and issubclass(getattr(optim, n), optim.Optimizer)
            and n != "Optimizer"
        )
        raise SystemExit(f"unknown optimizer {args.optimizer!r}; choose one of {', '.join(names)}")
    kwargs = {"lr": args.lr}
    if args.weight_decay:
        kwargs["weight_decay"] = args.weight_decay
    if args.momentum is not None:
        kwargs["momentum"] = args.momentum
    return cls(params, **kwargs)


def _scheduler(args, opt, steps_per_epoch):
    s = args.lr_schedule
    sched = optim.lr_scheduler
    if s == "none":
        return None, False
    if s == "step":
        return sched.StepLR(opt, step_size=max(1, args.epochs // 3), gamma=0.1), False
    if s == "cosine":
        return sched.CosineAnnealingLR(opt, T_max=args.epochs), False
    if s == "exponential":
        return sched.ExponentialLR(opt, gamma=0.9), False
    if s == "plateau":
        return sched.ReduceLROnPlateau(opt, factor=0.5, patience=1), False
    return sched.OneCycleLR(
        opt, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch
    ), True


class _StopFlag:
    """Ctrl-C sets the flag; the loop stops after the batch in progress."""

    def __init__(self):
        self.set = False
        self._prev = None

    def __enter__(self):
        def handler(signum, frame):
            if self.set:  # a second Ctrl-C stops at once
                raise KeyboardInterrupt
            self.set = True
            print("\nstopping after this batch (Ctrl-C again to stop at once)", flush=True)

        self._prev = signal.signal(signal.SIGINT, handler)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._prev)
        return False


def evaluate(model, x, y, batch_size=1000, loss_fn=None):
    """(mean loss, accuracy, predictions) of ``model`` on arrays x, y."""
    loss_fn = loss_fn or nn.CrossEntropyLoss(reduction="sum")
    model.eval()
    total, preds = 0.0, []
    with no_grad():
        for i in range(0, len(x), batch_size):
            out = model(from_numpy(x[i : i + batch_size]))
            total += loss_fn(out, from_numpy(y[i : i + batch_size])).item()
            preds.append(out.argmax(dim=1).numpy())
    model.train()
    pred = np.concatenate(preds) if preds else np.zeros(0, np.int64)
    n = max(len(x), 1)
    return total / n, float((pred == y).mean()) if len(y) else 0.0, pred


def _progress(loader, epoch, epochs, disable):
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(
        loader,
        desc=f"epoch {epoch}/{epochs}",
        unit="batch",
        leave=False,
        disable=disable,
        dynamic_ncols=True,
    )


def train(args) -> dict:
    """Run a whole training as ``ember train`` does; returns the final metrics."""
    os.makedirs(args.out, exist_ok=True)
    manual_seed(args.seed)
    data_gen = Generator().manual_seed(args.seed)
    x, y, classes = load_split(args.dataset, args.data_dir, True)
    n_val = (
        min(args.val_size, len(x) // 10)
        if args.limit is None
        else max(1, min(args.val_size, args.limit // 5))
    )
    x_val, y_val = x[-n_val:], y[-n_val:]
    x_tr, y_tr = x[:-n_val], y[:-n_val]
    if args.limit is not None:
        x_tr, y_tr = x_tr[: args.limit], y_tr[: args.limit]
    x_te, y_te, _ = load_split(args.dataset, args.data_dir, False)

    model = models.create(args.model, dropout=args.dropout)
    loader = DataLoader(
        TensorDataset(from_numpy(x_tr), from_numpy(y_tr)),
        batch_size=args.batch_size,
        shuffle=True,
        generator=data_gen,
    )
    opt = _optimizer(args, model.parameters())
    sched, per_batch = _scheduler(args, opt, len(loader))
    loss_fn = nn.CrossEntropyLoss()
    state = {
        "epoch": 0,
        "best_val_loss": math.inf,
        "bad_epochs": 0,
        "history": [],
        "best_model": None,
    }
    if args.resume:
        state = _restore(args.resume, model, opt, sched, data_gen)
        print(f"resumed from {args.resume} after epoch {state['epoch']}")
    _write_config(args)

    with _StopFlag() as stop:
        for epoch in range(state["epoch"] + 1, args.epochs + 1):
            t0 = time.perf_counter()
            total, seen = 0.0, 0
            bar = _progress(loader, epoch, args.epochs, args.no_progress)
            for xb, yb in bar:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                if per_batch:
                    sched.step()
                total += loss.item() * len(yb)
                seen += len(yb)
                if hasattr(bar, "set_postfix"):
                    rate = seen / max(time.perf_counter() - t0, 1e-9)
                    bar.set_postfix(loss=f"{total / seen:.4f}", img_s=f"{rate:.0f}", refresh=False)
                if stop.set:
                    break
            if stop.set:
                print(
                    f"interrupted in epoch {epoch}; the checkpoint after epoch "
                    f"{state['epoch']} is kept. Resume with --resume "
                    f"{os.path.join(args.out, 'checkpoint.pth')}"
                )
                break
            val_loss, val_acc, _ = evaluate(model, x_val, y_val)
            if sched is not None and not per_batch:
                if isinstance(sched, optim.lr_scheduler.ReduceLROnPlateau):
                    sched.step(val_loss)
                else:
                    sched.step()
            secs = time.perf_counter() - t0
            record = {
                "epoch": epoch,
                "train_loss": total / max(seen, 1),
                "val_loss": val_loss,
                "val_accuracy": val_acc,
                "seconds": secs,
                "lr": opt.param_groups[0]["lr"],
            }
            state["history"].append(record)
            print(
                f"epoch {epoch:>2}/{args.epochs}  train loss {record['train_loss']:.4f}  "
                f"val loss {val_loss:.4f}  val acc {val_acc:.4f}  {secs:.1f}s",
                flush=True,
            )
            improved = val_loss < state["best_val_loss"]
            if improved:
                state["best_val_loss"], state["bad_epochs"] = val_loss, 0
                state["best_model"] = {k: v.clone() for k, v in model.state_dict().items()}
                save(state["best_model"], os.path.join(args.out, "model.pth"))
            else:
                state["bad_epochs"] += 1
            state["epoch"] = epoch
            _checkpoint(args, model, opt, sched, data_gen, state)
            if args.patience and state["bad_epochs"] >= args.patience:
                print(f"early stop: no better validation loss for {args.patience} epochs")
                break

    if state["best_model"] is not None:
        model.load_state_dict(state["best_model"])
        # Also after a resume whose best epoch came before the interruption.
        save(state["best_model"], os.path.join(args.out, "model.pth"))
    return _finish(args, model, state, x_te, y_te, classes)


def _finish(args, model, state, x_te, y_te, classes) -> dict:
    from ..tools import plots

    test_loss, test_acc, pred = evaluate(model, x_te, y_te)
    metrics = {
        "history": state["history"],
        "best_val_loss": state["best_val_loss"],
        "test_loss": test_loss,
        "test_accuracy": test_acc,
        "model": args.model,
        "dataset": args.dataset,
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    pictures = []
    if state["history"]:
        pictures.append(plots.curves(state["history"], os.path.join(args.out, "curves.png")))
    matrix = plots.confusion_matrix(y_te, pred, len(classes))
    pictures.append(
        plots.confusion(
            matrix,
            classes,
            os.path.join(args.out, "confusion.png"),
            f"{args.model} on {args.dataset} test: {test_acc:.4f}",
        )
    )
    if args.graph:
        from ..tools import draw_graph

        out = model(from_numpy(x_te[:2]))
        pictures.append(
            draw_graph(out, os.path.join(args.out, "graph"), params=dict(model.named_parameters()))
        )
    print(f"test accuracy {test_acc:.4f} (loss {test_loss:.4f}) with the best weights")
    print(f"wrote {os.path.join(args.out, 'model.pth')}, metrics.json and " + ", ".join(pictures))
    return metrics


def _write_config(args) -> None:
    cfg = {"model": args.model, "dataset": args.dataset, "dropout": args.dropout}
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def _checkpoint(args, model, opt, sched, data_gen, state) -> None:
    ckpt = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict() if sched is not None else None,
        "epoch": state["epoch"],
        "best_val_loss": state["best_val_loss"],
        "bad_epochs": state["bad_epochs"],
        "history": state["history"],
        "best_model": state["best_model"],
        "rng": {"global": _global_gen.get_state(), "data": data_gen.get_state()},
    }
    save(ckpt, os.path.join(args.out, "checkpoint.pth"))  # atomic: temp file, then rename


def _restore(path, model, opt, sched, data_gen) -> dict:
    ckpt = load(path)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    if sched is not None and ckpt.get("scheduler") is not None:
        sched.load_state_dict(ckpt["scheduler"])
    _global_gen.set_state(ckpt["rng"]["global"])
    data_gen.set_state(ckpt["rng"]["data"])
    return {
        "epoch": ckpt["epoch"],
        "best_val_loss": ckpt["best_val_loss"],
        "bad_epochs": ckpt["bad_epochs"],
        "history": list(ckpt["history"]),
        "best_model": ckpt["best_model"],
    }
