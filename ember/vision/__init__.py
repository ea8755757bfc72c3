"""Vision: MNIST-style datasets, image transforms, and the models ``ember train`` offers."""

from . import datasets, transforms
