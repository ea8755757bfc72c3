"""Random numbers: the global Generator and manual_seed (NumPy's PCG64 underneath).

ember's streams are reproducible for a seed but differ from PyTorch's Mersenne Twister, so the
same seed gives other numbers than in PyTorch.
"""

from __future__ import annotations

import json

import numpy as np


class Generator:
    """``ember.Generator``: a seedable source of random numbers."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721  # PyTorch's default seed, for familiarity
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        self._seed = seed
        self.rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        from .creation import from_numpy

        # The bit generator's state as JSON bytes in a uint8 tensor, as PyTorch returns its
        # state. NOTE: JSON, never pickle: a state may come back from a file ember did not write.
        blob = json.dumps([self._seed, self.rng.bit_generator.state]).encode()
        return from_numpy(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, state) -> Generator:
        try:
            seed, st = json.loads(state.numpy().tobytes())
            if st["bit_generator"] not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"):
                raise ValueError(f"unknown bit generator {st['bit_generator']!r}")
            bit_generator = getattr(np.random, st["bit_generator"])()
            bit_generator.state = st
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise RuntimeError(f"not an ember random-generator state: {e}") from None
        self._seed = seed
        self.rng = np.random.Generator(bit_generator)
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state) -> None:
    default_generator.set_state(state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    return (generator or default_generator).rng
