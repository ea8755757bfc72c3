"""Broken files give clear errors, and saving never destroys the previous checkpoint."""

from __future__ import annotations

import io
import os
import pickle
import stat
import struct
import tarfile
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import CheckpointError, _writer


def _checkpoint(path) -> bytes:
    ember.save({"w": ember.arange(100.0), "b": ember.ones(3), "meta": {"epoch": 2}}, path)
    return path.read_bytes()


def _rezip(path, records: dict) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in records.items():
            zf.writestr(name, data)


def _records(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _load_error(path) -> str:
    with pytest.raises(CheckpointError) as info:
        ember.load(path)
    msg = str(info.value)
    assert repr(str(path)) in msg  # the error names the file
    return msg


# -- foreign, empty, truncated and corrupted files ----------------------------------------


def test_an_empty_file(tmp_path):
    (tmp_path / "e.pt").write_bytes(b"")
    assert "empty" in _load_error(tmp_path / "e.pt")


def test_a_text_file(tmp_path):
    (tmp_path / "notes.pt").write_text("epoch 3: loss 0.25\n")
    msg = _load_error(tmp_path / "notes.pt")
    assert "not a PyTorch checkpoint" in msg and "b'epoch 3" in msg


def test_a_zip_without_data_pkl(tmp_path):
    _rezip(tmp_path / "z.pt", {"readme.txt": b"hello"})
    assert "without data.pkl" in _load_error(tmp_path / "z.pt")


def test_a_torchscript_archive(tmp_path):
    _rezip(tmp_path / "s.pt", {"s/constants.pkl": b"", "s/code/x.py": b""})
    assert "TorchScript" in _load_error(tmp_path / "s.pt")


def test_a_tar_file(tmp_path):
    with tarfile.open(tmp_path / "old.pt", "w") as tf:
        tf.add(__file__, arcname="x")
    assert "tar archive" in _load_error(tmp_path / "old.pt")


def test_a_missing_storage_record(tmp_path):
    path = tmp_path / "m.pt"
    _checkpoint(path)
    records = _records(path)
    del records["m/data/1"]
    _rezip(path, records)
    msg = _load_error(path)
    assert "no record m/data/1" in msg and "truncated or corrupted" in msg


@pytest.mark.parametrize("delta", [-4, 4])
def test_a_storage_of_the_wrong_size(tmp_path, delta):
    path = tmp_path / "m.pt"
    _checkpoint(path)
    records = _records(path)
    data = records["m/data/0"]
    records["m/data/0"] = data[:delta] if delta < 0 else data + bytes(delta)
    _rezip(path, records)
    msg = _load_error(path)
    assert f"holds {400 + delta} bytes" in msg and "100 elements of float32" in msg


def test_an_unknown_byte_order(tmp_path):
    path = tmp_path / "m.pt"
    _checkpoint(path)
    records = _records(path)
    records["m/byteorder"] = b"middle"
    _rezip(path, records)
    assert "unknown byte order 'middle'" in _load_error(path)


def test_truncated_at_any_offset(tmp_path):
    full = _checkpoint(tmp_path / "full.pt")
    for cut in list(range(1, len(full), 37)) + [len(full) - 1]:
        path = tmp_path / "cut.pt"
        path.write_bytes(full[:cut])
        msg = _load_error(path)
        assert "truncated" in msg or "corrupted" in msg or "not a PyTorch checkpoint" in msg


def test_truncated_legacy_checkpoints(tmp_path):
    path = tmp_path / "legacy.pt"
    ember.save({"w": ember.arange(50.0)}, path, _use_new_zipfile_serialization=False)
    full = path.read_bytes()
    for cut in list(range(1, len(full), 23)) + [len(full) - 1]:
        path.write_bytes(full[:cut])
        _load_error(path)


def test_a_flipped_byte_in_data_pkl(tmp_path):
    path = tmp_path / "f.pt"
    raw = bytearray(_checkpoint(path))
    at = raw.index(b"_rebuild_tensor_v2")
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    msg = _load_error(path)
    assert "f/data.pkl" in msg and "CRC" in msg


def test_a_flipped_byte_in_tensor_data(tmp_path):
    path = tmp_path / "f.pt"
    raw = bytearray(_checkpoint(path))
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("f/data/0")
    n, m = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
    raw[info.header_offset + 30 + n + m + 10] ^= 0x01
    path.write_bytes(bytes(raw))
    msg = _load_error(path)
    assert "f/data/0 fails its CRC check" in msg


def test_flipped_bytes_anywhere_give_clear_errors_or_load(tmp_path):
    """Fuzz: one flipped byte never escapes as a bare zipfile/pickle/numpy exception."""
    full = _checkpoint(tmp_path / "full.pt")
    rng = np.random.default_rng(0)
    path = tmp_path / "fuzz.pt"
    for at in rng.choice(len(full), size=150, replace=False):
        raw = bytearray(full)
        raw[at] ^= int(rng.integers(1, 256))
        path.write_bytes(bytes(raw))
        try:
            ember.load(path)
        except CheckpointError as e:
            assert repr(str(path)) in str(e)


def test_flipped_bytes_in_a_legacy_checkpoint(tmp_path):
    path = tmp_path / "legacy.pt"
    ember.save({"w": ember.arange(20.0), "n": 3}, path, _use_new_zipfile_serialization=False)
    full = path.read_bytes()
    rng = np.random.default_rng(1)
    for at in rng.choice(len(full), size=100, replace=False):
        raw = bytearray(full)
        raw[at] ^= int(rng.integers(1, 256))
        path.write_bytes(bytes(raw))
        try:
            ember.load(path)
        except CheckpointError:
            pass


def test_a_buffer_is_named_in_errors():
    with pytest.raises(CheckpointError, match="<BytesIO>: the file is empty"):
        ember.load(io.BytesIO(b""))


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "nope.pt")


# -- atomic writes ---------------------------------------------------------------------------


def _leftovers(folder) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_failure_mid_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pth"
    ember.save({"epoch": 1, "w": ember.ones(1000)}, path)
    before = path.read_bytes()
    calls = []
    real = _writer._write_record

    def crash_on_third_record(zf, fp, name, data):
        calls.append(name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(zf, fp, name, data)

    monkeypatch.setattr(_writer, "_write_record", crash_on_third_record)
    with pytest.raises(OSError, match="No space left"):
        ember.save({"epoch": 2, "w": ember.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert ember.load(path)["epoch"] == 1
    assert _leftovers(tmp_path) == []


def test_a_failure_at_the_rename_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pth"
    ember.save({"epoch": 1}, path)

    def fail(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        ember.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert ember.load(path)["epoch"] == 1 and _leftovers(tmp_path) == []


def test_an_unpicklable_object_keeps_the_previous_file(tmp_path):
    path = tmp_path / "ckpt.pth"
    ember.save({"epoch": 1}, path)
    with pytest.raises(pickle.PicklingError):
        ember.save({"epoch": 2, "f": lambda: 0}, path)
    assert ember.load(path)["epoch"] == 1 and _leftovers(tmp_path) == []


def test_save_flushes_to_disk_before_renaming(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    ember.save({"x": ember.ones(2)}, tmp_path / "c.pt")
    assert events[:2] == ["fsync", "replace"]


def test_new_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        ember.save(1, tmp_path / "c.pt")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "c.pt").stat().st_mode) == 0o644


def test_overwriting_keeps_the_files_permissions(tmp_path):
    path = tmp_path / "c.pt"
    ember.save(1, path)
    path.chmod(0o600)
    ember.save(2, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and ember.load(path) == 2


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real.pt"
    ember.save(1, target)
    link = tmp_path / "latest.pt"
    link.symlink_to(target)
    ember.save(2, link)
    assert link.is_symlink() and ember.load(target) == 2


def test_saving_into_a_missing_folder(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        ember.save(1, tmp_path / "nope" / "c.pt")


def test_saving_onto_a_folder(tmp_path):
    with pytest.raises(IsADirectoryError):
        ember.save(1, tmp_path)


def test_saving_to_a_non_seekable_stream(tmp_path):
    class Pipe(io.RawIOBase):
        def __init__(self):
            self.chunks = []

        def writable(self):
            return True

        def write(self, b):
            self.chunks.append(bytes(b))
            return len(b)

    pipe = Pipe()
    ember.save({"w": ember.ones(3)}, pipe)
    assert ember.load(io.BytesIO(b"".join(pipe.chunks)))["w"].tolist() == [1.0, 1.0, 1.0]
