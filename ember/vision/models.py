"""The models ``ember train`` offers: LeNet-5 (the seed's layout), an MLP, a small CNN."""

from __future__ import annotations

from .. import nn


class LeNet5(nn.Module):
    """LeNet-5 as seed 004 builds it, for 1x28x28 inputs and 10 classes.

    conv5x5(6, pad 2) - ReLU - maxpool2 - conv5x5(16) - ReLU - avgpool2 - 400 - 120 - 84 - 10,
    with dropout after the first fully connected layer.
    """

    def __init__(self, num_classes: int = 10, dropout: float = 0.2, in_channels: int = 1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5),
            nn.ReLU(),
            nn.AvgPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class MLP(nn.Module):
    """784-512-256-10 with ReLU and dropout."""

    def __init__(self, num_classes: int = 10, dropout: float = 0.2, in_features: int = 784):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features, 512),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(512, 256),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(256, num_classes),
        )

    def forward(self, x):
        return self.net(x)


class SmallCNN(nn.Module):
    """conv32 - conv64 - fc128: stronger than LeNet-5 on Fashion-MNIST, and slower."""

    def __init__(self, num_classes: int = 10, dropout: float = 0.25, in_channels: int = 1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(64 * 7 * 7, 128),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(128, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


MODELS = {"lenet5": LeNet5, "mlp": MLP, "cnn": SmallCNN}


def lenet5(**kwargs) -> LeNet5:
    return LeNet5(**kwargs)


def mlp(**kwargs) -> MLP:
    return MLP(**kwargs)


def cnn(**kwargs) -> SmallCNN:
    return SmallCNN(**kwargs)


def create(name: str, **kwargs) -> nn.Module:
    """A model by name: 'lenet5', 'mlp' or 'cnn'."""
    try:
        return MODELS[name](**kwargs)
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}") from None
