"""Loading never runs code from a file: payloads are refused, naming the global, before any call."""

from __future__ import annotations

import argparse
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.serialization import CheckpointError, UnsafeGlobalError, safe_globals


class _Payload:
    """Unpickling this calls ``func(*args)``: the classic pickle attack."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _zip_with_pickle(path, pkl: bytes, extra: dict | None = None) -> None:
    """A checkpoint-shaped zip whose data.pkl is ``pkl``."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/version", b"3\n")
        for name, data in (extra or {}).items():
            zf.writestr(f"archive/{name}", data)


def _touch(marker) -> _Payload:
    return _Payload(os.system, f"touch {marker}")


@pytest.mark.parametrize("weights_only", [True, False])
def test_os_system_payload_is_refused_and_named(tmp_path, weights_only):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    _zip_with_pickle(path, pickle.dumps({"w": _touch(marker)}, protocol=2))
    with pytest.raises(UnsafeGlobalError) as info:
        ember.load(path, weights_only=weights_only)
    msg = str(info.value)
    assert f"'{os.system.__module__}.system'" in msg  # posix.system
    assert str(path) in msg and "nothing in the file was executed" in msg
    assert not marker.exists()


def test_eval_payload_is_refused_and_named(tmp_path):
    marker = tmp_path / "pwned"
    code = f"open({str(marker)!r}, 'w')"
    path = tmp_path / "evil.pth"
    _zip_with_pickle(path, pickle.dumps([_Payload(eval, code)], protocol=2))
    with pytest.raises(UnsafeGlobalError, match="'builtins.eval'"):
        ember.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_payload_in_any_pickle_protocol_is_refused(tmp_path, protocol):
    marker = tmp_path / "pwned"
    _zip_with_pickle(tmp_path / "e.pt", pickle.dumps(_touch(marker), protocol=protocol))
    with pytest.raises(UnsafeGlobalError, match="system"):
        ember.load(tmp_path / "e.pt")
    assert not marker.exists()


def test_payload_hidden_inside_a_real_checkpoint_is_refused(tmp_path):
    # A genuine tensor record followed by a payload inside the same pickle.
    good = tmp_path / "good.pt"
    ember.save({"w": ember.ones(2)}, good)
    with zipfile.ZipFile(good) as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_touch(marker), protocol=2)
    # Put the payload's value on the stack, then pop it: both pickles are valid, STOP removed.
    records["good/data.pkl"] = payload[:-1] + b"0" + records["good/data.pkl"][2:]
    with zipfile.ZipFile(good, "w") as zf:
        for n, data in records.items():
            zf.writestr(n, data)
    with pytest.raises(UnsafeGlobalError, match="system"):
        ember.load(good)
    assert not marker.exists()


def test_a_plain_pickle_file_with_a_payload_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "plain.pkl"
    path.write_bytes(pickle.dumps(_touch(marker), protocol=2))
    with pytest.raises(UnsafeGlobalError, match="system"):
        ember.load(path)
    assert not marker.exists()


def test_a_legacy_checkpoint_with_a_payload_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    for part in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}, _touch(marker), []):
        pickle.dump(part, buf, protocol=2)
    (tmp_path / "legacy.pt").write_bytes(buf.getvalue())
    with pytest.raises(UnsafeGlobalError, match="system"):
        ember.load(tmp_path / "legacy.pt")
    assert not marker.exists()


@requires_torch
def test_a_whole_pickled_torch_module_is_refused_with_advice(tmp_path):
    torch.save(torch.nn.Linear(2, 1), tmp_path / "model.pt")
    with pytest.raises(UnsafeGlobalError) as info:
        ember.load(tmp_path / "model.pt", weights_only=False)
    assert "torch.nn.modules.linear.Linear" in str(info.value)
    assert "state_dict()" in str(info.value)


def test_numpy_arrays_in_a_checkpoint_are_refused(tmp_path):
    _zip_with_pickle(tmp_path / "np.pt", pickle.dumps({"a": np.ones(2)}, protocol=2))
    with pytest.raises(UnsafeGlobalError, match="numpy"):
        ember.load(tmp_path / "np.pt")


def test_setting_attributes_on_a_tensor_is_refused(tmp_path):
    good = tmp_path / "t.pt"
    ember.save(ember.ones(2), good)
    with zipfile.ZipFile(good) as zf:
        pkl = zf.read("t/data.pkl")
    # BUILD with {'_data': 'x'} on the rebuilt tensor, just before STOP.
    build = b"}X\x05\x00\x00\x00_dataX\x01\x00\x00\x00xsb."
    _zip_with_pickle(good, pkl[:-1] + build, {"data/0": np.ones(2, "<f4").tobytes()})
    with pytest.raises(UnsafeGlobalError, match="refusing to set attributes on a Tensor"):
        ember.load(good)


def test_a_view_past_its_storage_is_refused(tmp_path):
    path = tmp_path / "t.pt"
    ember.save(ember.ones(4), path)
    with zipfile.ZipFile(path) as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    pkl = records["t/data.pkl"]
    assert pkl.count(b"QK\x00K\x04\x85") == 1  # offset 0, size (4,)
    records["t/data.pkl"] = pkl.replace(b"QK\x00K\x04\x85", b"QK\x00M\x00\x10\x85")
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in records.items():
            zf.writestr(n, data)
    with pytest.raises(CheckpointError, match="past the end of its storage"):
        ember.load(path)


def test_a_codec_other_than_latin1_is_refused(tmp_path):
    pkl = b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R."
    _zip_with_pickle(tmp_path / "c.pt", pkl)
    with pytest.raises(CheckpointError, match="rot13"):
        ember.load(tmp_path / "c.pt")


def test_user_allowed_globals_load_only_inside_the_context(tmp_path):
    ns = argparse.Namespace(lr=0.1, epochs=3)
    ember.save({"args": ns, "w": ember.ones(1)}, tmp_path / "a.pt")
    with pytest.raises(UnsafeGlobalError, match="argparse.Namespace"):
        ember.load(tmp_path / "a.pt")
    with safe_globals([argparse.Namespace]):
        got = ember.load(tmp_path / "a.pt")
    assert got["args"] == ns
    with pytest.raises(UnsafeGlobalError):
        ember.load(tmp_path / "a.pt")


def test_errors_are_unpickling_errors_and_runtime_errors(tmp_path):
    _zip_with_pickle(tmp_path / "e.pt", pickle.dumps(_Payload(print, "x"), protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "e.pt")
    with pytest.raises(RuntimeError):
        ember.load(tmp_path / "e.pt")


def test_unknown_persistent_ids_are_refused(tmp_path):
    class P(pickle.Pickler):
        def persistent_id(self, obj):
            return ("module", "x", "source") if obj == "m" else None

    buf = io.BytesIO()
    P(buf, protocol=2).dump(["m"])
    _zip_with_pickle(tmp_path / "m.pt", buf.getvalue())
    with pytest.raises(CheckpointError, match="pickled module"):
        ember.load(tmp_path / "m.pt")


def test_unsupported_dtypes_are_named(tmp_path):
    pid = (
        b"(X\x07\x00\x00\x00storagectorch\nBFloat16Storage\n"
        b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQ."
    )
    _zip_with_pickle(tmp_path / "bf.pt", b"\x80\x02" + pid, {"data/0": b"\x00\x00"})
    with pytest.raises(CheckpointError, match="bfloat16"):
        ember.load(tmp_path / "bf.pt")
