"""Reading checkpoints: PyTorch's zip format and its legacy (pre-1.6) pickle format.

Every way a file can be broken ends in a ``CheckpointError`` that names the file and says what
is wrong with it; a refused global ends in an ``UnsafeGlobalError``. The pickle is read by the
restricted unpickler, and storages are read into fresh arrays (or memory-mapped) only after
their sizes have been checked against what the pickle says they hold.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
import zlib

import numpy as np

from ..device import device as _Device
from . import _format as fmt
from ._unpickler import RestrictedUnpickler
from ._writer import LEGACY_PROTOCOL_VERSION, MAGIC_NUMBER

_ZIP_MAGIC = b"PK\x03\x04"
# What a malformed pickle or archive raises on its way down; each becomes a CheckpointError.
_BROKEN = (
    pickle.UnpicklingError,
    EOFError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    struct.error,
    UnicodeDecodeError,
    zipfile.BadZipFile,
    zlib.error,
    OverflowError,
    MemoryError,
    RecursionError,
)


# What Python's zipfile raises on a damaged archive (NotImplementedError: a corrupted "version
# needed" or compression method).
_ZIP_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,  # "File ... is encrypted": a flipped flag bit
    EOFError,
    OSError,
    ValueError,
    struct.error,
    zlib.error,
    UnicodeDecodeError,
    OverflowError,
)


def _reason(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return f"{type(e).__name__}: {text}"


class _Placement:
    """Where each storage goes, from ``map_location`` (None, a device, a dict or a callable)."""

    def __init__(self, map_location):
        if map_location is not None and not isinstance(map_location, str | _Device | dict):
            if not callable(map_location):
                raise TypeError(
                    "map_location should be a string, a device, a dict or a callable, got "
                    f"{type(map_location).__name__}"
                )
        self.map_location = map_location

    def place(self, storage: fmt.Storage) -> fmt.Storage:
        ml, location = self.map_location, storage.location
        if callable(ml) and not isinstance(ml, str | _Device | dict):
            result = ml(storage, location)
            if result is None:
                target = location
            elif isinstance(result, fmt.Storage):
                result.location = "cpu"
                return result
            else:
                raise TypeError(
                    f"map_location returned a {type(result).__name__}; it must return a storage "
                    "(e.g. lambda storage, loc: storage) or None"
                )
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        else:
            target = location if ml is None else ml
        if target is location:
            # The file's own location string: a damaged one is the file's fault.
            try:
                target = str(_Device(location))
            except (RuntimeError, TypeError):
                raise fmt.CheckpointError(f"unknown storage location {location!r}") from None
        fmt.check_location(str(_Device(str(target))))
        storage.location = "cpu"
        return storage


def _storage_pid(pid, source: str):
    """Check a persistent id's fields: (storage type, key, location, numel, rest)."""
    if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
        if isinstance(pid, tuple) and pid and pid[0] == "module":
            raise fmt.UnsafeGlobalError(
                f"{source}: the checkpoint holds a pickled module with its source code; ember "
                "loads tensors only (save model.state_dict() instead)"
            )
        raise fmt.CheckpointError(f"{source}: unexpected persistent id {pid!r} in the pickle")
    _, stype, key, location, numel = pid[:5]
    if not isinstance(stype, fmt.StorageType):
        raise fmt.CheckpointError(f"{source}: {stype!r} is not a storage type")
    if not isinstance(key, str) or not isinstance(location, str):
        raise fmt.CheckpointError(f"{source}: malformed storage id {pid!r}")
    if not isinstance(numel, int) or numel < 0:
        raise fmt.CheckpointError(f"{source}: storage {key!r} has an invalid size {numel!r}")
    return stype, key, location, numel, pid[5:]


def _np_dtype(stype: fmt.StorageType):
    return np.dtype(np.uint8) if stype.dtype is None else stype.dtype.np


def _unpickle(data_file, source, persistent_load, encoding):
    try:
        return RestrictedUnpickler(data_file, source, persistent_load, encoding).load()
    except fmt.CheckpointError as e:
        if str(e).startswith(source):
            raise
        raise type(e)(f"{source}: {e}") from None
    except _BROKEN as e:
        raise fmt.CheckpointError(
            f"{source}: the pickle is corrupted or not a checkpoint's ({_reason(e)})"
        ) from None


# -- the zip format ------------------------------------------------------------------------


class _ZipReader:
    def __init__(self, fp, source: str, placement: _Placement, mmap_path: str | None):
        self.fp, self.source, self.placement = fp, source, placement
        self.mmap_path = mmap_path
        try:
            self.zf = zipfile.ZipFile(fp)
            names = self.zf.namelist()
        except _ZIP_BROKEN as e:
            raise fmt.CheckpointError(
                f"{source}: it starts like a zip archive (torch.save's format) but cannot be "
                f"read as one ({_reason(e)}): the file is truncated or corrupted"
            ) from None
        pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if not pkl:
            what = (
                "a TorchScript archive (torch.jit.save), which ember cannot load"
                if any(n.endswith("/constants.pkl") for n in names)
                else "a zip archive without data.pkl, so not a PyTorch checkpoint"
            )
            raise fmt.CheckpointError(f"{source}: the file is {what}")
        self.prefix = pkl[0][: -len("data.pkl")]
        self.big_endian = self._byteorder() == "big"
        self.loaded: dict = {}

    def _record(self, name: str) -> bytes:
        try:
            return self.zf.read(name)
        except _ZIP_BROKEN as e:
            raise fmt.CheckpointError(
                f"{self.source}: the record {name} is damaged ({_reason(e)}): the file is "
                "truncated or corrupted"
            ) from None

    def _byteorder(self) -> str:
        name = self.prefix + "byteorder"
        if name not in self.zf.NameToInfo:
            return "little"  # files without the record were all written on little-endian hosts
        order = self._record(name).decode("ascii", "replace")
        if order not in ("little", "big"):
            raise fmt.CheckpointError(f"{self.source}: unknown byte order {order!r} in {name}")
        return order

    def load(self, encoding: str):
        data = io.BytesIO(self._record(self.prefix + "data.pkl"))
        return _unpickle(data, self.source, self.persistent_load, encoding)

    def persistent_load(self, pid):
        stype, key, location, numel, _ = _storage_pid(pid, self.source)
        if key in self.loaded:
            return self.loaded[key]
        dtype = _np_dtype(stype)
        name = f"{self.prefix}data/{key}"
        info = self.zf.NameToInfo.get(name)
        if info is None:
            raise fmt.CheckpointError(
                f"{self.source}: the pickle refers to storage {key!r}, but the archive has no "
                f"record {name}: the file is truncated or corrupted"
            )
        if info.file_size != numel * dtype.itemsize:
            raise fmt.CheckpointError(
                f"{self.source}: record {name} holds {info.file_size} bytes, but the pickle "
                f"says it stores {numel} elements of {dtype} ({numel * dtype.itemsize} bytes): "
                "the file is truncated or corrupted"
            )
        arr = self._read(info, dtype)
        if self.big_endian:
            arr = arr.byteswap().view(arr.dtype)
        storage = self.placement.place(fmt.Storage(arr, location))
        self.loaded[key] = storage
        return storage

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        self.fp.seek(info.header_offset)
        header = self.fp.read(30)
        if len(header) != 30 or header[:4] != _ZIP_MAGIC:
            raise fmt.CheckpointError(
                f"{self.source}: the local header of {info.filename} is damaged: the file is "
                "truncated or corrupted"
            )
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def _read(self, info: zipfile.ZipInfo, dtype: np.dtype) -> np.ndarray:
        if info.compress_type != zipfile.ZIP_STORED:
            if self.mmap_path is not None:
                raise RuntimeError(f"{self.source}: mmap needs uncompressed records")
            return np.frombuffer(bytearray(self._record(info.filename)), dtype)
        offset = self._data_offset(info)
        n = info.file_size // dtype.itemsize
        if self.mmap_path is not None:
            if n == 0:
                return np.empty(0, dtype)
            # Copy-on-write: writes to the tensors stay in memory, as MAP_PRIVATE in PyTorch.
            return np.memmap(self.mmap_path, dtype, mode="c", offset=offset, shape=(n,))
        arr = np.empty(n, dtype)
        view = memoryview(arr).cast("B")
        self.fp.seek(offset)
        got = _read_into(self.fp, view)
        if got != info.file_size or zlib.crc32(view) != info.CRC:
            problem = "is cut short" if got != info.file_size else "fails its CRC check"
            raise fmt.CheckpointError(
                f"{self.source}: the data of {info.filename} {problem}: the file is truncated "
                "or corrupted"
            )
        return arr


def _read_into(fp, view: memoryview) -> int:
    """Fill ``view`` from ``fp``; the count of bytes read (less at the end of the file)."""
    got = 0
    readinto = getattr(fp, "readinto", None)
    while got < view.nbytes:
        if readinto is not None:
            n = readinto(view[got:])
        else:
            chunk = fp.read(view.nbytes - got)
            n = len(chunk)
            view[got : got + n] = chunk
        if not n:
            break
        got += n
    return got


# -- the legacy format ---------------------------------------------------------------------


def _not_a_checkpoint(source: str, head: bytes) -> fmt.CheckpointError:
    if len(head) >= 262 and head[257:262] == b"ustar":
        what = "a tar archive (PyTorch < 0.1.10 wrote these), which ember cannot load"
    else:
        what = (
            "neither a zip archive (torch.save's format) nor a legacy checkpoint (it does not "
            f"start with PyTorch's magic number); it starts with {head[:16]!r}"
        )
    return fmt.CheckpointError(f"{source}: not a PyTorch checkpoint: the file is {what}")


def _no_storages(pid):
    raise fmt.CheckpointError(f"unexpected persistent id {pid!r} in a checkpoint header")


def load_legacy(fp, source: str, placement: _Placement, encoding: str):
    start = fp.tell()
    head = fp.read(512)
    fp.seek(start)
    try:
        magic = _unpickle(fp, source, _no_storages, encoding)
    except fmt.UnsafeGlobalError:
        raise  # a plain pickle with a payload: say which global it wanted
    except fmt.CheckpointError:
        magic = None
    if magic != MAGIC_NUMBER:
        raise _not_a_checkpoint(source, head) from None
    version = _unpickle(fp, source, _no_storages, encoding)
    if version != LEGACY_PROTOCOL_VERSION:
        raise fmt.CheckpointError(f"{source}: unsupported legacy format version {version!r}")
    sys_info = _unpickle(fp, source, _no_storages, encoding)
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    size = _file_size(fp)
    roots: dict = {}  # key -> (flat array to fill, its storage type name)
    views: dict = {}

    def persistent_load(pid):
        stype, key, location, numel, rest = _storage_pid(pid, source)
        if key not in roots:
            dtype = _np_dtype(stype)
            if size is not None and numel * dtype.itemsize > size:
                raise fmt.CheckpointError(
                    f"{source}: storage {key!r} claims {numel} elements of {dtype}, more than "
                    "the whole file holds: the file is truncated or corrupted"
                )
            roots[key] = placement.place(fmt.Storage(np.empty(numel, dtype), location))
        storage = roots[key]
        view = rest[0] if rest else None
        if view is None:
            return storage
        # (view key, offset, size): a storage view, which PyTorch < 0.4 saved.
        view_key, offset, view_size = view
        if view_key not in views:
            if not 0 <= offset <= offset + view_size <= storage.array.size:
                raise fmt.CheckpointError(f"{source}: storage view {view!r} is out of bounds")
            views[view_key] = fmt.Storage(storage.array[offset : offset + view_size])
        return views[view_key]

    result = _unpickle(fp, source, persistent_load, encoding)
    keys = _unpickle(fp, source, _no_storages, encoding)
    if not isinstance(keys, list) or set(keys) != set(roots):
        raise fmt.CheckpointError(
            f"{source}: the list of storage keys does not match the storages the pickle uses"
        )
    order = "<q" if little else ">q"
    for key in keys:
        arr = roots[key].array
        raw = fp.read(8)
        if len(raw) != 8 or struct.unpack(order, raw)[0] != arr.size:
            raise fmt.CheckpointError(
                f"{source}: the header of storage {key!r} is missing or does not match its "
                f"size ({arr.size} elements): the file is truncated or corrupted"
            )
        view = memoryview(arr).cast("B")
        if _read_into(fp, view) != view.nbytes:
            raise fmt.CheckpointError(
                f"{source}: the data of storage {key!r} is cut short: the file is truncated"
            )
        if not little:
            arr.byteswap(inplace=True)
    return result


def _file_size(fp):
    try:
        here = fp.tell()
        end = fp.seek(0, os.SEEK_END)
        fp.seek(here)
        return end - here
    except (OSError, AttributeError, ValueError):
        return None


# -- entry point ----------------------------------------------------------------------------


def read(fp, source: str, map_location, mmap_path: str | None, encoding: str):
    """Load a checkpoint from the seekable binary file ``fp``."""
    placement = _Placement(map_location)
    start = fp.tell()
    head = fp.read(4)
    fp.seek(start)
    if not head:
        raise fmt.CheckpointError(
            f"{source}: the file is empty (0 bytes), so not a checkpoint: was the save interrupted?"
        )
    if head == _ZIP_MAGIC:
        reader = _ZipReader(fp, source, placement, mmap_path)
        return reader.load(encoding)
    if mmap_path is not None:
        raise RuntimeError(
            "mmap can only be used with files saved with "
            f"`torch.save({mmap_path}, _use_new_zipfile_serialization=True), please torch.save "
            "your checkpoint with this option in order to use mmap."
        )
    return load_legacy(fp, source, placement, encoding)
