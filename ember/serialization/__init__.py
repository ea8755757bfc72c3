"""``ember.save`` / ``ember.load``: checkpoints in PyTorch's file format, safe by default.

Files cross both ways: ``torch.load(path, weights_only=True)`` reads what ember writes, and
ember reads what ``torch.save`` writes (the zip format, and the legacy pre-1.6 format). Loading
never runs code from the file: the pickle inside may only rebuild tensors, storages, dtypes,
sizes, devices, plain containers, numbers and strings (the allow-list in ``_unpickler``), and
anything else is refused, naming the global, before it is called.

The zip format: one folder named after the file's stem (``archive`` for a buffer) holding
``data.pkl`` (the object tree, pickle protocol 2, each storage referenced by the persistent id
``('storage', torch.<Dtype>Storage, key, 'cpu', numel)`` and each tensor rebuilt by
``torch._utils._rebuild_tensor_v2``), ``data/<key>`` (a storage's bytes, little-endian, 64-byte
aligned), ``byteorder`` and ``version``.
"""

from __future__ import annotations

import io
import os
import pickle

import numpy as np

from ..tensor import Tensor, _make
from . import _reader, _writer
from ._format import CheckpointError, Storage, UnsafeGlobalError
from ._unpickler import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals
from ._writer import DEFAULT_PROTOCOL

__all__ = [
    "CheckpointError",
    "DEFAULT_PROTOCOL",
    "Storage",
    "UnsafeGlobalError",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]


def _is_path(f) -> bool:
    return isinstance(f, str | os.PathLike)


def save(
    obj,
    f,
    pickle_module=pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` (tensors, state dicts, optimizer states, plain Python values) to ``f``.

    Args:
        obj: what to save. Tensors and Parameters are written as PyTorch writes them; views of
            one tensor share one storage in the file and share memory again once loaded.
        f: a path (str or os.PathLike) or a binary file object (``io.BytesIO`` works). A path
            is written atomically: into a temporary file in the same folder, flushed to disk,
            then renamed over ``f``, so a crash mid-save leaves the previous file intact. A
            file object is written in place, from its current position.
        pickle_module: accepted for compatibility; ember always writes with its own pickler.
        pickle_protocol: the pickle protocol of ``data.pkl`` (PyTorch's default, 2).
        _use_new_zipfile_serialization: False writes the legacy (pre-1.6) format.

    Example:
        >>> ember.save(model.state_dict(), "model.pth")
        >>> torch.load("model.pth", weights_only=True)  # the real PyTorch reads it
    """

    def write(fp) -> None:
        if _use_new_zipfile_serialization:
            _writer.write_zip(obj, fp, archive, pickle_protocol, not _disable_byteorder_record)
        else:
            _writer.write_legacy(obj, fp, pickle_protocol)

    if _is_path(f):
        archive = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        _writer.atomic_write(os.fspath(f), write)
        return
    if not hasattr(f, "write"):
        raise AttributeError(
            f"ember.save expects a path or a binary file object, got {type(f).__name__}"
        )
    archive = "archive"
    if _seekable(f):
        write(f)
    else:
        # The zip writer seeks back to finish each record's header: go through a buffer.
        buf = io.BytesIO()
        write(buf)
        f.write(buf.getbuffer())


def _seekable(f) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def load(
    f,
    map_location=None,
    pickle_module=None,
    *,
    weights_only: bool = True,
    mmap: bool | None = None,
    **pickle_load_args,
):
    """Load an object saved by ``ember.save`` or ``torch.save``, never running code from it.

    Args:
        f: a path or a binary file object (``io.BytesIO`` works), in PyTorch's zip format or
            its legacy pre-1.6 pickle format.
        map_location: where storages go: None (where they were saved), ``'cpu'``, an
            ``ember.device``, a dict from saved locations to new ones (``{'cuda:0': 'cpu'}``),
            or a callable ``(storage, location) -> storage or None``. ember computes on the
            CPU: a storage that would land on 'cuda' raises PyTorch's RuntimeError (pass
            ``map_location='cpu'`` for checkpoints saved on a GPU).
        pickle_module: accepted for compatibility and ignored: ember always unpickles with its
            restricted unpickler.
        weights_only: accepted for compatibility. True and False load the same way, through
            the same allow-list: ember never executes globals from a file, so
            ``weights_only=False`` does NOT allow arbitrary objects (a whole pickled
            ``nn.Module``, NumPy arrays, custom classes). Objects you trust can be allowed with
            ``ember.serialization.add_safe_globals([...])``.
        mmap: map the storages of a zip checkpoint from its file (copy-on-write) instead of
            reading them; ``f`` must then be a path.
        pickle_load_args: ``encoding`` for pickles written by Python 2.

    Returns:
        The saved object, with tensors rebuilt (``requires_grad`` as saved, Parameters as
        ``ember.nn.Parameter``, views sharing storage as saved).

    Raises:
        UnsafeGlobalError: the file names a global outside the allow-list (nothing was run).
        CheckpointError: the file is empty, truncated, corrupted or not a checkpoint. Both are
            ``pickle.UnpicklingError`` and ``RuntimeError`` subclasses.
    """
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args:
        raise TypeError(f"load() got unexpected arguments {sorted(pickle_load_args)}")
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if _is_path(f):
        path = os.fspath(f)
        with open(path, "rb") as fp:
            return _reader.read(fp, repr(path), map_location, path if mmap else None, encoding)
    name = getattr(f, "name", None)
    source = repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"
    if not _seekable(f):
        f = io.BytesIO(f.read())
    return _reader.read(f, source, map_location, None, encoding)


def reduce_tensor(t: Tensor):
    """How ``pickle`` (not ``ember.save``) pickles a tensor: its values and requires_grad.

    Used by ``Tensor.__reduce_ex__`` for ``copy.copy``, ``multiprocessing`` (DataLoader
    workers) and plain ``pickle.dump``; the result names ember's own rebuild function.
    """
    return _rebuild_pickled, (np.asarray(t._data), t.requires_grad)


def _rebuild_pickled(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = _make(arr)
    if requires_grad:
        t.requires_grad = True
    return t
