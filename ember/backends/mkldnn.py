"""``torch.backends.mkldnn``: ember does not use oneDNN; its flag is settable and inert."""

from __future__ import annotations

enabled = True


def is_available() -> bool:
    return False
