"""Reading the IDX files that MNIST and Fashion-MNIST ship as (raw or gzip-compressed).

An IDX file is a 4-byte magic (two zero bytes, a type code, the number of dims), one
big-endian uint32 per dim, then the values, big-endian. Files come from outside, so every
length is checked against the header before the data is used.
"""

from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IDXError(RuntimeError):
    """A file that is not a well-formed IDX file (the message names the file and the fault)."""


def read_bytes(path: str) -> bytes:
    """The file's bytes, decompressed when it is gzip (by its magic, not its name)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise IDXError(f"cannot read {path}: {e.strerror}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError(f"{path} is a damaged gzip file ({e}); download it again") from None
    return raw


def parse(data: bytes, path: str = "<bytes>") -> np.ndarray:
    """The array an IDX byte string holds, in native byte order."""
    if len(data) < 4:
        raise IDXError(f"{path} is not an IDX file: only {len(data)} bytes")
    if data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise IDXError(
            f"{path} is not an IDX file: bad magic number 0x{data[:4].hex()} "
            "(expected 0x0000 then a type code and the number of dims)"
        )
    dtype, ndim = _TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{path} is truncated: the header needs {header} bytes, found {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        what = "truncated" if found < expected else "longer than its header says"
        raise IDXError(
            f"{path} is {what}: shape {list(shape)} needs {expected} bytes of data, found {found}"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=False) if dtype.itemsize > 1 else arr


def read(path: str) -> np.ndarray:
    """Read an IDX file (raw or .gz)."""
    return parse(read_bytes(path), path)


def find(root: str, stem: str) -> str | None:
    """The path of ``stem`` or ``stem.gz`` under ``root`` (also root/raw), or None."""
    for folder in (root, os.path.join(root, "raw")):
        for name in (stem, stem + ".gz"):
            p = os.path.join(folder, name)
            if os.path.isfile(p):
                return p
    return None
