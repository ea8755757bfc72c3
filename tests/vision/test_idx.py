"""IDX reading: well-formed files in both encodings, and damaged ones refused clearly."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from ember.vision import idx


def idx_bytes(arr: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, arr.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def test_reads_raw_and_gzip(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a-idx3-ubyte").write_bytes(idx_bytes(arr))
    (tmp_path / "b-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(arr)))
    np.testing.assert_array_equal(idx.read(str(tmp_path / "a-idx3-ubyte")), arr)
    np.testing.assert_array_equal(idx.read(str(tmp_path / "b-idx3-ubyte.gz")), arr)


def test_reads_wider_types_in_native_order():
    arr = np.array([[1, -2], [300, 4]], dtype=np.int32)
    out = idx.parse(idx_bytes(arr, 0x0C))
    assert out.dtype == np.int32 and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize(
    "data,fact",
    [
        (b"", "only 0 bytes"),
        (b"PK\x03\x04rest", "bad magic"),
        (bytes([0, 0, 8, 3, 0, 0]), "header needs 16 bytes"),
        (bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big") + b"\x00" * 5, "truncated"),
        (bytes([0, 0, 8, 1]) + (2).to_bytes(4, "big") + b"\x00" * 5, "longer than its header"),
    ],
)
def test_malformed_files_name_the_fault(tmp_path, data, fact):
    p = tmp_path / "bad-idx1-ubyte"
    p.write_bytes(data)
    with pytest.raises(idx.IDXError, match=fact) as e:
        idx.read(str(p))
    assert str(p) in str(e.value)


def test_damaged_gzip_is_refused(tmp_path):
    blob = gzip.compress(idx_bytes(np.zeros((50, 28, 28), np.uint8)))
    p = tmp_path / "cut-idx3-ubyte.gz"
    p.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(idx.IDXError, match="damaged gzip"):
        idx.read(str(p))
