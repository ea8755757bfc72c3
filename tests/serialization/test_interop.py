"""Checkpoints cross both ways with the real PyTorch, and round-trip through ember itself."""

from __future__ import annotations

import io
import pathlib
import pickletools
import struct
import zipfile
import zlib
from collections import Counter, OrderedDict

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember import nn

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _values(dtype: str, shape) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(repr((dtype, shape)).encode()))
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(0, 100, shape).astype(dtype)


def _same(e, t) -> None:
    """An ember tensor equals a torch one: dtype, shape, values, requires_grad."""
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.requires_grad == t.requires_grad
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())


# -- the file's layout ---------------------------------------------------------------------


def test_layout_is_pytorchs(tmp_path):
    path = tmp_path / "my.model.pth"
    ember.save({"w": ember.ones(3, 5), "b": ember.zeros(5)}, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names == [
            "my.model/data.pkl",
            "my.model/byteorder",
            "my.model/data/0",
            "my.model/data/1",
            "my.model/version",
        ]
        assert zf.read("my.model/byteorder") == b"little"
        assert zf.read("my.model/version") == b"3\n"
        pkl = zf.read("my.model/data.pkl")
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        infos = zf.infolist()
    assert pkl[:2] == b"\x80\x02"  # protocol 2
    globals_ = {arg for op, arg, _ in pickletools.genops(pkl) if op.name == "GLOBAL"}
    assert globals_ == {
        "torch._utils _rebuild_tensor_v2",
        "torch FloatStorage",
        "collections OrderedDict",
    }
    pids = [arg for op, arg, _ in pickletools.genops(pkl) if op.name == "BINUNICODE"]
    assert pids[:5] == ["w", "storage", "0", "cpu", "b"]
    raw = path.read_bytes()
    for info in infos:  # every record's data starts on a 64-byte boundary
        n, m = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
        assert (info.header_offset + 30 + n + m) % 64 == 0


def test_buffer_archive_is_named_archive():
    buf = io.BytesIO()
    ember.save(ember.ones(2), buf)
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()[0] == "archive/data.pkl"


def test_storage_bytes_are_little_endian(tmp_path):
    ember.save(ember.tensor([1.0, -2.5]), tmp_path / "x.pt")
    with zipfile.ZipFile(tmp_path / "x.pt") as zf:
        assert zf.read("x/data/0") == np.array([1.0, -2.5], "<f4").tobytes()


# -- ember writes, PyTorch reads -----------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 1, 3)])
def test_torch_reads_every_dtype_and_shape(tmp_path, dtype, shape):
    arr = _values(dtype, shape)
    ember.save({"x": ember.from_numpy(arr)}, tmp_path / "t.pt")
    got = torch.load(tmp_path / "t.pt", weights_only=True)["x"]
    assert str(got.dtype) == f"torch.{dtype}" and tuple(got.shape) == shape
    np.testing.assert_array_equal(got.numpy(), arr)


@requires_torch
def test_torch_reads_a_state_dict_and_its_order(tmp_path):
    sd = OrderedDict(
        [
            ("0.weight", ember.randn(8, 2)),
            ("0.bias", ember.randn(8)),
            ("bn.running_mean", ember.zeros(8)),
            ("bn.num_batches_tracked", ember.tensor(3)),
            ("emb.weight", ember.randn(4, 3).to(ember.float16)),
        ]
    )
    ember.save(sd, tmp_path / "sd.pth")
    got = torch.load(tmp_path / "sd.pth", weights_only=True)
    assert type(got) is OrderedDict and list(got) == list(sd)
    for k in sd:
        _same(sd[k], got[k])


@requires_torch
def test_torch_reads_views_as_views_of_one_storage(tmp_path):
    base = ember.arange(24.0).reshape(4, 6)
    obj = {"base": base, "row": base[1], "col": base[:, 2], "t": base.t(), "tail": base[2:, 3:]}
    ember.save(obj, tmp_path / "v.pt")
    with zipfile.ZipFile(tmp_path / "v.pt") as zf:
        assert [n for n in zf.namelist() if "/data/" in n] == ["v/data/0"]  # saved once
    got = torch.load(tmp_path / "v.pt", weights_only=True)
    ptr = got["base"].untyped_storage().data_ptr()
    for k, e in obj.items():
        _same(e, got[k])
        assert got[k].untyped_storage().data_ptr() == ptr
    assert got["col"].stride() == (6,) and got["t"].stride() == (1, 6)
    got["base"][1, 2] = -1.0
    assert got["col"][1] == -1.0 and got["row"][2] == -1.0


@requires_torch
def test_torch_reads_non_contiguous_expanded_and_zero_dim(tmp_path):
    x = ember.arange(12.0).reshape(3, 4)
    obj = [x.t(), x[:, ::2], ember.tensor(7.0).expand(3, 2), ember.tensor(5), x[1, 2]]
    ember.save(obj, tmp_path / "n.pt")
    got = torch.load(tmp_path / "n.pt", weights_only=True)
    for e, t in zip(obj, got):
        _same(e, t)


@requires_torch
def test_torch_reads_requires_grad_and_parameters(tmp_path):
    w = ember.randn(3, requires_grad=True)
    y = w * 2  # a non-leaf: saved as a leaf that requires grad, as PyTorch does
    p = nn.Parameter(ember.ones(2))
    frozen = nn.Parameter(ember.ones(2), requires_grad=False)
    ember.save({"w": w, "y": y, "p": p, "frozen": frozen}, tmp_path / "g.pt")
    got = torch.load(tmp_path / "g.pt", weights_only=True)
    assert got["w"].requires_grad and got["y"].requires_grad and got["y"].is_leaf
    assert isinstance(got["p"], torch.nn.Parameter) and got["p"].requires_grad
    assert isinstance(got["frozen"], torch.nn.Parameter) and not got["frozen"].requires_grad
    np.testing.assert_allclose(got["y"].detach().numpy(), (w * 2).detach().numpy())


@requires_torch
def test_torch_reads_nested_containers_and_plain_values(tmp_path):
    obj = {
        "epoch": 7,
        "loss": 0.125,
        "name": "lenet",
        "flags": [True, False, None],
        "nested": {"a": (1, 2.5, "x"), "b": [ember.ones(2), {"c": ember.zeros(1)}]},
        "shape": ember.Size([2, 3]),
        "dtype": ember.float16,
        "bytes": b"\x00\xff",
        "big": 2**80,
        "set": {1, 2},
    }
    ember.save(obj, tmp_path / "c.pt")
    got = torch.load(tmp_path / "c.pt", weights_only=True)
    assert got["epoch"] == 7 and got["loss"] == 0.125 and got["name"] == "lenet"
    assert got["flags"] == [True, False, None] and got["nested"]["a"] == (1, 2.5, "x")
    assert got["shape"] == torch.Size([2, 3]) and got["dtype"] is torch.float16
    assert got["bytes"] == b"\x00\xff" and got["big"] == 2**80 and got["set"] == {1, 2}
    _same(obj["nested"]["b"][1]["c"], got["nested"]["b"][1]["c"])


@requires_torch
def test_torch_reads_an_optimizer_like_state(tmp_path):
    state = {
        "state": {0: {"step": ember.tensor(3.0), "exp_avg": ember.randn(2, 2)}, 1: {}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "foreach": None}],
    }
    ember.save(state, tmp_path / "o.pt")
    got = torch.load(tmp_path / "o.pt", weights_only=True)
    assert got["param_groups"] == state["param_groups"]
    _same(state["state"][0]["exp_avg"], got["state"][0]["exp_avg"])


@requires_torch
def test_torch_loads_an_ember_state_dict_into_a_torch_model(tmp_path):
    sd = OrderedDict([("weight", ember.randn(4, 3)), ("bias", ember.randn(4))])
    ember.save(sd, tmp_path / "lin.pth")
    lin = torch.nn.Linear(3, 4)
    lin.load_state_dict(torch.load(tmp_path / "lin.pth", weights_only=True))
    x = np.ones((2, 3), np.float32)
    want = x @ sd["weight"].numpy().T + sd["bias"].numpy()
    np.testing.assert_allclose(lin(torch.from_numpy(x)).detach().numpy(), want, rtol=1e-6)


@requires_torch
def test_torch_mmaps_an_ember_file(tmp_path):
    x = ember.randn(100, 7)
    ember.save({"x": x, "i": ember.arange(5)}, tmp_path / "m.pt")
    got = torch.load(tmp_path / "m.pt", weights_only=True, mmap=True)
    np.testing.assert_array_equal(got["x"].numpy(), x.numpy())


@requires_torch
def test_torch_reads_the_legacy_format_ember_writes(tmp_path):
    x = ember.arange(6.0)
    obj = {"x": x, "v": x[2:], "n": 3}
    ember.save(obj, tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    got = torch.load(tmp_path / "l.pt", weights_only=True)
    _same(x, got["x"])
    _same(obj["v"], got["v"])
    assert got["v"].untyped_storage().data_ptr() == got["x"].untyped_storage().data_ptr()


# -- PyTorch writes, ember reads -----------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_reads_every_dtype(tmp_path, dtype, legacy):
    obj = {s: torch.from_numpy(_values(dtype, s)) for s in [(), (4,), (2, 3)]}
    torch.save(obj, tmp_path / "t.pt", _use_new_zipfile_serialization=not legacy)
    got = ember.load(tmp_path / "t.pt")
    for s in obj:
        _same(got[s], obj[s])


@requires_torch
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_ember_reads_torch_views_sharing_storage(tmp_path, legacy):
    base = torch.arange(20.0).reshape(4, 5)
    obj = {"base": base, "t": base.t(), "row": base[2], "tail": base[1:, 2:]}
    torch.save(obj, tmp_path / "v.pt", _use_new_zipfile_serialization=not legacy)
    got = ember.load(tmp_path / "v.pt")
    for k in obj:
        _same(got[k], obj[k])
        assert np.shares_memory(got[k].numpy(), got["base"].numpy())
    assert got["t"].stride() == (1, 5) and got["tail"].stride() == (5, 1)
    got["base"][2, 3] = -7.0
    assert got["row"][3].item() == -7.0 and got["t"][3, 2].item() == -7.0


@requires_torch
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_ember_reads_a_torch_model_state_dict(tmp_path, legacy):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(), torch.nn.Linear(8, 3)
    )
    torch.save(model.state_dict(), tmp_path / "m.pth", _use_new_zipfile_serialization=not legacy)
    got = ember.load(tmp_path / "m.pth")
    assert type(got) is OrderedDict and list(got) == list(model.state_dict())
    for k, v in model.state_dict().items():
        _same(got[k], v)
    assert got._metadata[""] == {"version": 1}  # set by PyTorch's state_dict(), kept


@requires_torch
def test_ember_reads_parameters_and_requires_grad(tmp_path):
    obj = {
        "p": torch.nn.Parameter(torch.randn(3)),
        "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False),
        "rg": torch.ones(2, requires_grad=True),
        "plain": torch.ones(2),
    }
    torch.save(obj, tmp_path / "p.pt")
    got = ember.load(tmp_path / "p.pt")
    assert isinstance(got["p"], nn.Parameter) and got["p"].requires_grad
    assert isinstance(got["frozen"], nn.Parameter) and not got["frozen"].requires_grad
    assert got["rg"].requires_grad and got["rg"].is_leaf
    assert not got["plain"].requires_grad and not isinstance(got["plain"], nn.Parameter)
    for k in obj:
        _same(got[k], obj[k])


@requires_torch
def test_ember_reads_torch_optimizer_and_scheduler_states(tmp_path):
    model = torch.nn.Linear(2, 2)
    adam = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.ones(1, 2)).sum().backward()
    adam.step()
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    multistep = torch.optim.lr_scheduler.MultiStepLR(sgd, [2, 4])
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(sgd)
    onecycle = torch.optim.lr_scheduler.OneCycleLR(sgd, 1.0, total_steps=10)
    states = {
        "adam": adam.state_dict(),
        "multistep": multistep.state_dict(),
        "plateau": plateau.state_dict(),
        "onecycle": onecycle.state_dict(),
    }
    torch.save(states, tmp_path / "opt.pt")
    got = ember.load(tmp_path / "opt.pt")
    assert got["adam"]["param_groups"] == adam.state_dict()["param_groups"]
    for i, s in adam.state_dict()["state"].items():
        for k, v in s.items():
            _same(got["adam"]["state"][i][k], v)
    assert got["multistep"]["milestones"] == Counter({2: 1, 4: 1})
    assert got["plateau"] == plateau.state_dict()  # inf, strings, floats
    assert got["onecycle"] == onecycle.state_dict()


@requires_torch
def test_ember_reads_tensors_saved_with_python_attributes(tmp_path):
    t = torch.ones(2)
    t.note = "hello"  # PyTorch then pickles through _rebuild_from_type_v2
    torch.save({"t": t, "p": torch.nn.Parameter(torch.zeros(1))}, tmp_path / "a.pt")
    with pytest.warns(UserWarning, match="note"):
        got = ember.load(tmp_path / "a.pt")
    _same(got["t"], t)
    assert isinstance(got["p"], nn.Parameter)


@requires_torch
def test_ember_reads_plain_python_values_from_torch(tmp_path):
    obj = {"a": [1, 2.5, "s", None, True], "b": (b"xy", {3, 4}), "c": 1 + 2j, "d": torch.Size([3])}
    torch.save(obj, tmp_path / "py.pt")
    got = ember.load(tmp_path / "py.pt")
    assert got["a"] == obj["a"] and got["b"] == obj["b"] and got["c"] == obj["c"]
    assert got["d"] == ember.Size([3]) and isinstance(got["d"], ember.Size)


@requires_torch
def test_ember_mmaps_a_torch_file(tmp_path):
    x = torch.randn(50, 3)
    torch.save({"x": x}, tmp_path / "m.pt")
    got = ember.load(str(tmp_path / "m.pt"), mmap=True)["x"]
    _same(got, x)
    got[0, 0] = 100.0  # copy-on-write: the file keeps its values
    _same(ember.load(tmp_path / "m.pt")["x"], x)


# -- ember round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_round_trip_keeps_values_dtypes_and_sharing(tmp_path, legacy):
    base = ember.arange(12.0).reshape(3, 4)
    obj = {
        "base": base,
        "t": base.t(),
        "col": base[:, 1],
        "h": ember.ones(3, dtype=ember.float16),
        "mask": ember.tensor([True, False]),
        "i8": ember.tensor([-3, 4], dtype=ember.int8),
        "scalar": ember.tensor(2.5),
        "empty": ember.zeros(0, 3),
        "rg": ember.ones(2, requires_grad=True),
        "p": nn.Parameter(ember.randn(2)),
        "meta": {"epoch": 3, "hist": [0.5, 0.25], "ok": None, "t": (1, "a")},
    }
    ember.save(obj, tmp_path / "r.pt", _use_new_zipfile_serialization=not legacy)
    got = ember.load(tmp_path / "r.pt")
    for k, v in obj.items():
        if isinstance(v, ember.Tensor):
            assert got[k].dtype == v.dtype and got[k].shape == v.shape
            assert got[k].requires_grad == v.requires_grad
            np.testing.assert_array_equal(got[k].detach().numpy(), v.detach().numpy())
    assert isinstance(got["p"], nn.Parameter) and got["meta"] == obj["meta"]
    assert np.shares_memory(got["t"].numpy(), got["col"].numpy())


def test_round_trip_through_bytesio_and_file_objects(tmp_path):
    obj = OrderedDict([("w", ember.randn(2, 3)), ("n", 5)])
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    got = ember.load(buf)
    assert got["n"] == 5 and got["w"].equal(obj["w"])
    with open(tmp_path / "f.pt", "wb") as f:
        ember.save(obj, f)
    with open(tmp_path / "f.pt", "rb") as f:
        assert ember.load(f)["w"].equal(obj["w"])
    assert ember.load(pathlib.Path(tmp_path / "f.pt"))["n"] == 5


def test_round_trip_of_pure_python_objects(tmp_path):
    obj = [1, -(2**70), 2.5, float("inf"), "text", b"\x01", None, True, (1, (2, [3])), {"k": {}}]
    ember.save(obj, tmp_path / "py.pt")
    assert ember.load(tmp_path / "py.pt") == obj


def test_round_trip_of_an_optimizer_like_state(tmp_path):
    state = {
        "state": {0: {"step": ember.tensor(2.0), "momentum_buffer": ember.ones(3)}},
        "param_groups": [{"lr": 0.1, "momentum": 0.9, "nesterov": False, "params": [0]}],
        "scheduler": {"milestones": Counter({3: 1}), "last_epoch": 4, "_last_lr": [0.01]},
    }
    ember.save(state, tmp_path / "o.pt")
    got = ember.load(tmp_path / "o.pt")
    assert got["param_groups"] == state["param_groups"] and got["scheduler"] == state["scheduler"]
    assert got["state"][0]["momentum_buffer"].equal(ember.ones(3))


def test_a_shared_tensor_object_loads_as_one_object(tmp_path):
    t = ember.ones(2)
    ember.save([t, t], tmp_path / "s.pt")
    a, b = ember.load(tmp_path / "s.pt")
    assert a is b


def test_a_slice_saves_its_whole_storage_as_pytorch_does(tmp_path):
    big = ember.arange(1000.0)
    ember.save(big[:3], tmp_path / "s.pt")
    with zipfile.ZipFile(tmp_path / "s.pt") as zf:
        assert zf.getinfo("s/data/0").file_size == 4000
    assert ember.load(tmp_path / "s.pt").tolist() == [0.0, 1.0, 2.0]


def test_loaded_tensors_are_writable_and_independent_of_the_file(tmp_path):
    ember.save(ember.zeros(3), tmp_path / "z.pt")
    x = ember.load(tmp_path / "z.pt")
    x += 1
    assert ember.load(tmp_path / "z.pt").tolist() == [0.0, 0.0, 0.0]


def test_module_state_dict_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    ember.save(model.state_dict(), tmp_path / "mymodel.pth")
    fresh = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    fresh.load_state_dict(ember.load(tmp_path / "mymodel.pth"))
    x = ember.randn(3, 2)
    assert fresh(x).equal(model(x))


# -- map_location ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    ["cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage, lambda s, loc: None],
    ids=["str", "device", "dict", "callable", "callable-none"],
)
def test_map_location_to_cpu(tmp_path, where):
    ember.save({"x": ember.ones(2)}, tmp_path / "c.pt")
    assert ember.load(tmp_path / "c.pt", map_location=where)["x"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    "where",
    ["cuda", "cuda:0", ember.device("cuda", 0), {"cpu": "cuda:1"}, lambda s, loc: s.cuda()],
    ids=["str", "str-index", "device", "dict", "callable"],
)
def test_map_location_to_cuda_is_refused(tmp_path, where):
    ember.save({"x": ember.ones(2)}, tmp_path / "c.pt")
    with pytest.raises(RuntimeError, match="CUDA device but torch.cuda.is_available"):
        ember.load(tmp_path / "c.pt", map_location=where)


def _retag(path: pathlib.Path, location: str) -> None:
    """Rewrite a checkpoint's storages as saved on ``location`` (no GPU needed)."""
    with zipfile.ZipFile(path) as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    pkl = next(n for n in records if n.endswith("data.pkl"))
    old = b"X\x03\x00\x00\x00cpu"
    new = b"X" + struct.pack("<I", len(location)) + location.encode()
    records[pkl] = records[pkl].replace(old, new)
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in records.items():
            zf.writestr(n, data)


def test_a_checkpoint_saved_on_a_gpu_needs_map_location(tmp_path):
    ember.save({"x": ember.ones(2)}, tmp_path / "g.pt")
    _retag(tmp_path / "g.pt", "cuda:0")
    with pytest.raises(RuntimeError, match="map_location=torch.device\\('cpu'\\)"):
        ember.load(tmp_path / "g.pt")
    seen = []
    for where in ["cpu", {"cuda:0": "cpu"}, lambda s, loc: seen.append(loc) or s]:
        assert ember.load(tmp_path / "g.pt", map_location=where)["x"].tolist() == [1.0, 1.0]
    assert seen == ["cuda:0"]


def test_map_location_of_a_wrong_type_is_refused(tmp_path):
    ember.save(ember.ones(1), tmp_path / "c.pt")
    with pytest.raises(TypeError, match="map_location"):
        ember.load(tmp_path / "c.pt", map_location=3)


def test_mmap_needs_a_path_and_the_zip_format(tmp_path):
    buf = io.BytesIO()
    ember.save(ember.ones(1), buf)
    with pytest.raises(ValueError, match="file path"):
        ember.load(buf, mmap=True)
    ember.save(ember.ones(1), tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used"):
        ember.load(tmp_path / "l.pt", mmap=True)


def test_big_endian_checkpoints_are_byteswapped(tmp_path):
    x = ember.tensor([1.5, -2.0, 3.25])
    ember.save({"x": x, "i": ember.tensor([1, 256], dtype=ember.int32)}, tmp_path / "be.pt")
    with zipfile.ZipFile(tmp_path / "be.pt") as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    records["be/byteorder"] = b"big"
    records["be/data/0"] = np.array([1.5, -2.0, 3.25], ">f4").tobytes()
    records["be/data/1"] = np.array([1, 256], ">i4").tobytes()
    with zipfile.ZipFile(tmp_path / "be.pt", "w") as zf:
        for n, data in records.items():
            zf.writestr(n, data)
    got = ember.load(tmp_path / "be.pt")
    assert got["x"].tolist() == [1.5, -2.0, 3.25] and got["i"].tolist() == [1, 256]


@requires_torch
@pytest.mark.parametrize("dtype", ["bfloat16", "complex64", "uint16", "float8_e4m3fn"])
def test_dtypes_ember_lacks_are_named(tmp_path, dtype):
    torch.save({"x": torch.zeros(2, dtype=getattr(torch, dtype))}, tmp_path / "d.pt")
    with pytest.raises(ember.serialization.CheckpointError, match=dtype):
        ember.load(tmp_path / "d.pt")


def test_tensors_loaded_with_mmap_save_again(tmp_path):
    ember.save({"a": ember.arange(5.0), "b": ember.ones(2, 2)}, tmp_path / "a.pt")
    mapped = ember.load(tmp_path / "a.pt", mmap=True)
    ember.save(mapped, tmp_path / "b.pt")
    with zipfile.ZipFile(tmp_path / "b.pt") as zf:
        sizes = [zf.getinfo(f"b/data/{k}").file_size for k in "01"]
    assert sizes == [20, 16]  # each storage alone, not the whole mapped file
    again = ember.load(tmp_path / "b.pt")
    assert again["a"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0] and again["b"].equal(ember.ones(2, 2))


@requires_torch
def test_a_training_checkpoint_crosses_to_torch_and_back(tmp_path):
    optim = ember.optim
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2)
    model(ember.ones(4, 3)).sum().backward()
    opt.step()
    sched.step()
    ckpt = {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}
    ember.save(ckpt, tmp_path / "ember.pt")

    got = torch.load(tmp_path / "ember.pt", weights_only=True)
    tmodel = torch.nn.Linear(3, 2)
    tmodel.load_state_dict(got["model"])
    topt = torch.optim.Adam(tmodel.parameters(), lr=0.5)
    topt.load_state_dict(got["opt"])
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=2)
    tsched.load_state_dict(got["sched"])
    assert topt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    torch.save(
        {"model": tmodel.state_dict(), "opt": topt.state_dict(), "sched": tsched.state_dict()},
        tmp_path / "torch.pt",
    )

    back = ember.load(tmp_path / "torch.pt")
    model2 = nn.Linear(3, 2)
    model2.load_state_dict(back["model"])
    opt2 = optim.Adam(model2.parameters(), lr=0.5)
    opt2.load_state_dict(back["opt"])
    assert model2.weight.equal(model.weight) and opt2.param_groups[0]["lr"] == 0.01
    for k, v in opt.state_dict()["state"][0].items():
        assert opt2.state_dict()["state"][0][k].equal(v)
