"""Named tuples returned by ops with several results (``torch.return_types``).

``x.max(1)`` gives ``torch.return_types.max(values=..., indices=...)``: a tuple that unpacks as
``values, indices = x.max(1)`` and also reads as ``.values`` / ``.indices``.
"""

from __future__ import annotations

from collections import namedtuple


def _structseq(name: str, fields: tuple = ("values", "indices")) -> type:
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})
    return cls


max = _structseq("max")
min = _structseq("min")
sort = _structseq("sort")
topk = _structseq("topk")

__all__ = ["max", "min", "sort", "topk"]
