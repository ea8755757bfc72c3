"""The programs ``ember bench`` times, each written once against a library object ``T``.

``T`` is the ``ember`` or the ``torch`` module, so both libraries run the same program line by
line. Each factory builds its state (models with the same weights, the same batch) and returns
a callable doing one timed unit of work.

NOTE: this file imports only NumPy and the standard library. The peak-memory child runs it with
``runpy.run_path`` (no package import), so PyTorch's measurement does not include ember's
modules, nor ember's PyTorch's.
"""

from __future__ import annotations

import numpy as np


def two_layer(T, steps=500):
    """Seeds 000/001: 64x1000 -> 100 -> 10, autograd, manual SGD, ``steps`` steps."""
    rng = np.random.default_rng(0)
    x = T.from_numpy(rng.standard_normal((64, 1000), dtype=np.float32))
    y = T.from_numpy(rng.standard_normal((64, 10), dtype=np.float32))
    w1 = T.from_numpy(rng.standard_normal((1000, 100), dtype=np.float32)).requires_grad_()
    w2 = T.from_numpy(rng.standard_normal((100, 10), dtype=np.float32)).requires_grad_()

    def run():
        nonlocal w1, w2  # `w1 -= ...` rebinds the names, as in the seed
        for _ in range(steps):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.item()  # the seed prints the loss every step
            loss.backward()
            with T.no_grad():
                w1 -= 1e-6 * w1.grad
                w2 -= 1e-6 * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()

    return run


def mlp(T):
    nn = T.nn
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512),
        nn.ReLU(),
        nn.Linear(512, 256),
        nn.ReLU(),
        nn.Linear(256, 10),
    )


def lenet(T):
    """Seed 004's LeNet-5 (max pooling, then average pooling), without its dropout."""
    nn = T.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


MLP_LAYERS = ((784, 512), (512, 256), (256, 10))


def mlp_step_flops(batch: int) -> int:
    """Multiply-adds x 2 of one MLP training step: forward, weight gradients, and the input
    gradients of all layers but the first (the images need none, and neither library makes it).
    """
    fwd = sum(2 * batch * i * o for i, o in MLP_LAYERS)
    return 2 * fwd + fwd - 2 * batch * MLP_LAYERS[0][0] * MLP_LAYERS[0][1]


def mlp_products(T, batch: int) -> list:
    """The matrix products ``mlp_step_flops`` counts, as (a, b, reads_weight) on random data,
    in the order of a training step; ``T`` is a library or NumPy itself. Timed alone they are
    the floor of that library's step: the same work with nothing else."""
    rng = np.random.default_rng(2)

    def arr(*shape):
        a = rng.standard_normal(shape, dtype=np.float32)
        return a if T is np else T.from_numpy(a)

    layers = [(arr(batch, i), arr(o, i), arr(batch, o)) for i, o in MLP_LAYERS]
    forward = [(x, w.T, True) for x, w, _ in layers]
    backward = []
    for k in reversed(range(len(layers))):
        x, w, g = layers[k]
        backward.append((g.T, x, False))  # weight gradient
        if k:
            backward.append((g, w, True))  # input gradient (none for the images)
    return forward + backward


def _same_weights(T, model, seed=0):
    rng = np.random.default_rng(seed)
    with T.no_grad():
        for p in model.parameters():
            p.copy_(T.from_numpy(rng.uniform(-0.1, 0.1, tuple(p.shape)).astype(np.float32)))
    return model


def _batch(T, batch):
    rng = np.random.default_rng(1)
    x = T.from_numpy(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
    y = T.from_numpy(rng.integers(0, 10, batch).astype(np.int64))
    return x, y


def train_step(T, make, batch, steps=10):
    """``steps`` training steps: SGD with momentum, cross-entropy, on one fixed batch."""
    model = _same_weights(T, make(T))
    opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = T.nn.CrossEntropyLoss()
    x, y = _batch(T, batch)

    def run():
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        loss.item()

    return run


def inference(T, make, batch, steps=10):
    model = _same_weights(T, make(T)).eval()
    x, _ = _batch(T, batch)

    def run():
        with T.no_grad():
            for _ in range(steps):
                model(x)

    return run


TINY_OPS = 5  # x * w, + 1, relu, * 2, sum


def tiny_ops(T, steps=200):
    """Per-op autograd overhead: ``TINY_OPS`` ops on 4-element tensors, then backward."""
    x = T.ones(4, requires_grad=True)
    w = T.ones(4, requires_grad=True)

    def run():
        for _ in range(steps):
            ((x * w + 1.0).relu() * 2.0).sum().backward()

    return run


# name -> (factory(T), units of work per call). Times are quoted per unit.
WORKLOADS = {
    "two-layer seed net, 500 steps": (two_layer, 1),
    "MLP train step, B=64": (lambda T: train_step(T, mlp, 64), 10),
    "LeNet-5 train step, B=64": (lambda T: train_step(T, lenet, 64), 10),
    "LeNet-5 train step, B=256": (lambda T: train_step(T, lenet, 256, steps=4), 4),
    "MLP inference, B=256": (lambda T: inference(T, mlp, 256), 10),
    "LeNet-5 inference, B=256": (lambda T: inference(T, lenet, 256, steps=4), 4),
    "tiny op fwd+bwd (per op)": (tiny_ops, 200 * TINY_OPS),
}
