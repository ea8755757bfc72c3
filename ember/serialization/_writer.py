"""Writing checkpoints in PyTorch's zip format (and its legacy pickle format).

The pickle names PyTorch's globals (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``)
so that ``torch.load(weights_only=True)`` accepts the file; ember's own classes never appear in
it. Python's pickler can only name a global that it can import and find to be the very object
being pickled, which PyTorch's names are not here, so the pure-Python pickler is extended: a
``_Global`` is written as a GLOBAL opcode by name. Tensors' bytes go to ``data/<key>`` records,
one per storage, referenced from the pickle by persistent id.
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
import struct
import zipfile
from collections import OrderedDict

import numpy as np

from .. import dtypes
from ..device import device
from ..tensor import Size, Tensor
from . import _format as fmt

DEFAULT_PROTOCOL = 2
# The legacy format starts with this number, then the format's version, then a sys_info dict.
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL_VERSION = 1001
# Storages start on 64-byte boundaries, so that a memory map of the file gives aligned arrays.
ALIGNMENT = 64
_PAD_TAG = 0x6D65  # "em": a private zip extra-field id, carrying only padding bytes
_CHUNK = 1 << 26


class _Global:
    """A global written into the pickle by name, never imported: ``torch.FloatStorage``."""

    __slots__ = ("module", "name")
    _cache: dict = {}

    def __new__(cls, module: str, name: str):
        key = (module, name)
        if key not in cls._cache:
            g = object.__new__(cls)
            g.module, g.name = module, name
            cls._cache[key] = g
        return cls._cache[key]

    def __call__(self, *args):  # the pickler only accepts callables as REDUCE functions
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints")


_REBUILD_V2 = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_SIZE = _Global("torch", "Size")
_DEVICE = _Global("torch", "device")


class _StorageRef:
    """One storage being saved: the flat array, and the key naming its ``data/<key>`` record."""

    __slots__ = ("key", "flat")

    def __init__(self, key: str, flat: np.ndarray):
        self.key, self.flat = key, flat


def _save_global(pickler, obj) -> None:
    if pickler.proto >= 4:
        pickler.save(obj.module)
        pickler.save(obj.name)
        pickler.write(pickle.STACK_GLOBAL)
    else:
        pickler.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
    pickler.memoize(obj)


def _save_dtype(pickler, obj) -> None:
    _save_global(pickler, _Global("torch", obj.name))


_PLAIN = frozenset((type(None), bool, int, float, str, bytes, list, tuple, dict))


class _Pickler(pickle._Pickler):
    """Pickles an object tree, turning ember tensors into PyTorch's tensor records."""

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[_Global] = _save_global
    dispatch[dtypes.dtype] = _save_dtype

    def __init__(self, file, protocol: int, legacy: bool = False):
        super().__init__(file, protocol)
        self.legacy = legacy
        self.storages: dict = {}  # locate() key -> _StorageRef, in the order first met

    def persistent_id(self, obj):
        if type(obj) is not _StorageRef:
            return None
        dt = dtypes.from_numpy(obj.flat.dtype.newbyteorder("="))
        pid = ("storage", _Global("torch", fmt.STORAGE_NAMES[dt]), obj.key, "cpu", obj.flat.size)
        return pid + (None,) if self.legacy else pid

    def reducer_override(self, obj):
        t = type(obj)
        if t in _PLAIN:
            return NotImplemented
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if t is Size:
            return _SIZE, (tuple(obj),)
        if t is device:
            return _DEVICE, (str(obj),)
        return NotImplemented

    def _reduce_tensor(self, t: Tensor):
        hooks = OrderedDict()  # PyTorch's slot for backward hooks, which are never saved
        if fmt._is_parameter(t):
            return _REBUILD_PARAMETER, (t.detach(), t.requires_grad, hooks)
        key, flat, offset, strides = fmt.locate(t._data)
        ref = self.storages.get(key)
        if ref is None:
            ref = self.storages[key] = _StorageRef(str(len(self.storages)), flat)
        size = tuple(t._data.shape)
        return _REBUILD_V2, (ref, offset, size, tuple(strides), t.requires_grad, hooks)


def _little_endian_bytes(flat: np.ndarray) -> memoryview:
    # Checkpoints are little-endian whatever the machine; copy only when the array is not.
    little = flat.astype(flat.dtype.newbyteorder("<"), copy=False)
    return memoryview(np.ascontiguousarray(little)).cast("B")


def _write_record(zf: zipfile.ZipFile, fp, name: str, data) -> None:
    """Add one uncompressed record whose data starts on an ``ALIGNMENT`` boundary."""
    data = memoryview(data).cast("B")
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = data.nbytes
    # zipfile appends a 20-byte zip64 field to the local header of records this large.
    zip64 = data.nbytes * 1.05 > zipfile.ZIP64_LIMIT
    header_end = fp.tell() + 30 + len(name.encode()) + (20 if zip64 else 0)
    if header_end % ALIGNMENT:
        pad = -(header_end + 4) % ALIGNMENT
        info.extra = struct.pack("<HH", _PAD_TAG, pad) + bytes(pad)
    with zf.open(info, "w", force_zip64=zip64) as w:
        for start in range(0, data.nbytes, _CHUNK):
            w.write(data[start : start + _CHUNK])


def write_zip(obj, fp, archive: str, protocol: int, byteorder_record: bool = True) -> None:
    """Write ``obj`` as a zip checkpoint into the seekable binary file ``fp``."""
    buf = io.BytesIO()
    pickler = _Pickler(buf, protocol)
    pickler.dump(obj)
    with zipfile.ZipFile(fp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, fp, f"{archive}/data.pkl", buf.getbuffer())
        if byteorder_record:
            _write_record(zf, fp, f"{archive}/byteorder", b"little")
        for ref in pickler.storages.values():
            _write_record(zf, fp, f"{archive}/data/{ref.key}", _little_endian_bytes(ref.flat))
        # NOTE: no ``.format_version``: with it, torch.load may compute record offsets assuming
        # its own zip writer's layout, which Python's zipfile does not produce.
        _write_record(zf, fp, f"{archive}/version", b"3\n")


def write_legacy(obj, fp, protocol: int) -> None:
    """Write the pre-1.6 format: magic, version, sys_info, the pickle, its keys, the storages."""
    sys_info = {
        "protocol_version": LEGACY_PROTOCOL_VERSION,
        "little_endian": True,
        "type_sizes": {"short": 2, "int": 4, "long": 4},
    }
    for header in (MAGIC_NUMBER, LEGACY_PROTOCOL_VERSION, sys_info):
        pickle.dump(header, fp, protocol=protocol)
    pickler = _Pickler(fp, protocol, legacy=True)
    pickler.dump(obj)
    refs = list(pickler.storages.values())
    pickle.dump([r.key for r in refs], fp, protocol=protocol)
    for ref in refs:
        fp.write(struct.pack("<q", ref.flat.size))
        fp.write(_little_endian_bytes(ref.flat))


def atomic_write(path: str, write) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it over ``path``.

    A crash or an exception before the rename leaves the previous file intact: checkpoints are
    typically overwritten every epoch, and a half-written one would lose the run.
    """
    # Write through a symlink to its target, as open(path, 'wb') would.
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory", path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
        try:
            # Mode 0o666 lets the umask decide, as for a file that open() creates.
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    # The rename itself is durable only once the directory entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
