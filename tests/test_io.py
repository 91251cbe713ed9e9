"""rt.save / rt.load: the native format, PyTorch and Keras layouts, round trips and safety."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import ZOO, ZOO_IDS, generic_cell, generic_point

import rnn_theory as rt
from rnn_theory.io import read_model, read_tensors
from rnn_theory.io._safetensors import decode, encode

EXTS = ["safetensors", "npz"]


def same_params(a, b):
    return (
        a.key == b.key
        and a.params.keys() == b.params.keys()
        and all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    )


@pytest.mark.parametrize("ext", EXTS)
@pytest.mark.parametrize("key,options", ZOO, ids=ZOO_IDS)
def test_native_round_trip_is_exact_and_deterministic(tmp_path, key, options, ext):
    cell = generic_cell(key, 3, 2, seed=7, **options)
    path = tmp_path / f"cell.{ext}"
    rt.save(cell, path)
    first = path.read_bytes()
    back = rt.load(path)
    assert same_params(back, cell)
    assert getattr(back, "activation", None) == getattr(cell, "activation", None)
    x, s = generic_point(cell, 7)
    assert np.array_equal(back.jacobian(x, s), cell.jacobian(x, s))
    rt.save(back, path)  # the same cell gives the same bytes
    assert path.read_bytes() == first
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]  # no temporary left behind


def test_native_npz_loads_with_plain_numpy_and_no_pickle(tmp_path):
    cell = rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0, activation="relu")
    rt.save(cell, tmp_path / "rnn.npz", metadata={"task": "adding"})
    with np.load(tmp_path / "rnn.npz", allow_pickle=False) as archive:
        assert str(archive["__kind__"]) == "rnn" and str(archive["__activation__"]) == "relu"
        assert archive["__kind__"].dtype.kind == "U" and archive["__kind__"].ndim == 0
        assert archive["W"].dtype == np.float64
    assert read_tensors(tmp_path / "rnn.npz")[1]["task"] == "adding"


def test_own_safetensors_codec_agrees_with_the_safetensors_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(0)
    tensors = {"a": rng.normal(size=(3, 2)), "b.c": rng.normal(size=(4,)), "e": np.zeros((0, 3))}
    st.save_file(
        {k: v.astype(np.float32) for k, v in tensors.items()}, str(tmp_path / "f32.safetensors"), metadata={"k": "v"}
    )
    ours, meta = read_tensors(tmp_path / "f32.safetensors")
    assert meta == {"k": "v"}
    assert all(ours[k].dtype == np.float32 and np.array_equal(ours[k], tensors[k].astype(np.float32)) for k in tensors)
    theirs = st.load(encode(tensors, {"k": "v"}))
    assert all(np.array_equal(theirs[k], tensors[k]) for k in tensors)


def test_bfloat16_is_widened_exactly():
    # 1.5 in bfloat16 is 0x3FC0, the top half of float32 1.5 (0x3FC00000).
    header = b'{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}'
    blob = len(header).to_bytes(8, "little") + header + np.array([0x3FC0, 0xC000], "<u2").tobytes()
    assert decode(blob)[0]["x"].tolist() == [1.5, -2.0]


# -- PyTorch and Keras layouts ---------------------------------------------------------------

FRAMEWORK_CASES = {
    "torch": [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}), ("gru", {})],
    "keras": [("rnn", {"activation": "tanh"}), ("lstm", {}), ("gru", {}), ("gru_rb", {})],
}


@pytest.mark.parametrize("fmt,key,options", [(f, k, o) for f, cases in FRAMEWORK_CASES.items() for k, o in cases])
@pytest.mark.parametrize("ext", EXTS)
def test_framework_round_trips_are_exact(tmp_path, fmt, key, options, ext):
    """native -> torch/keras -> native, and onwards to the other framework where it exists."""
    cell = generic_cell(key, 4, 3, seed=3, **options)
    path = tmp_path / f"{fmt}.{ext}"
    rt.save(cell, path, format=fmt)
    back = rt.load(path, activation=options.get("activation"))
    assert same_params(back, cell)
    x, s = generic_point(cell, 3)
    assert np.array_equal(back.jacobian(x, s), cell.jacobian(x, s))
    other = {"torch": "keras", "keras": "torch"}[fmt]
    if (key, options) in FRAMEWORK_CASES[other]:
        rt.save(back, tmp_path / f"other.{ext}", format=other)
        again = rt.load(tmp_path / f"other.{ext}", format=other, activation=options.get("activation"))
        assert np.array_equal(again.jacobian(x, s), cell.jacobian(x, s))


def test_gru_export_negates_the_update_gate(tmp_path):
    cell = generic_cell("gru", 3, 2, seed=1)
    rt.save(cell, tmp_path / "g.npz", format="torch")
    tensors, _ = read_tensors(tmp_path / "g.npz")
    assert np.array_equal(tensors["weight_hh_l0"][3:6], -cell.params["W_z"])  # rows r, z, n
    assert np.array_equal(tensors["bias_hh_l0"][6:], cell.params["c_n"])
    rt.save(cell, tmp_path / "k.npz", format="keras")
    tensors, _ = read_tensors(tmp_path / "k.npz")
    assert np.array_equal(tensors["recurrent_kernel"][:, :3], -cell.params["W_z"].T)  # columns z, r, h
    assert tensors["bias"].shape == (2, 9)


def test_cells_without_a_framework_layer_are_refused(tmp_path):
    with pytest.raises(ValueError, match="no PyTorch or Keras layer"):
        rt.save(rt.CELLS["mingru"].random(hidden_size=2, input_size=1, rng=0), tmp_path / "m.npz", format="keras")
    with pytest.raises(ValueError, match="gru_rb has no PyTorch module"):
        rt.save(rt.CELLS["gru_rb"].random(hidden_size=2, input_size=1, rng=0), tmp_path / "m.npz", format="torch")
    assert not os.listdir(tmp_path)


def test_io_works_without_the_safetensors_package(tmp_path):
    """safetensors is optional: with its import blocked, files still save and load."""
    script = (
        "import sys; sys.modules['safetensors'] = None\n"
        "import rnn_theory as rt\n"
        "cell = rt.CELLS['gru'].random(hidden_size=2, input_size=1, rng=0)\n"
        f"rt.save(cell, {str(tmp_path / 'g.safetensors')!r}, format='torch')\n"
        f"print(rt.load({str(tmp_path / 'g.safetensors')!r}).key)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "gru\n", "")


def test_tensors_of_other_modules_are_not_decoded(tmp_path):
    """An ignored tensor of a dtype numpy lacks (F8) does not block the model; a used one is refused."""
    cell = rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0)
    rt.save(cell, tmp_path / "t.safetensors", format="torch")
    tensors, _ = decode((tmp_path / "t.safetensors").read_bytes())
    header = {name: {"dtype": "F64", "shape": list(tensors[name].shape)} for name in sorted(tensors)}
    header["quantized.weight"] = {"dtype": "F8_E4M3", "shape": [4]}
    offset, chunks = 0, []
    for name, entry in header.items():
        data = tensors[name].tobytes() if name in tensors else bytes(4)
        entry["data_offsets"] = [offset, offset + len(data)]
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header).encode()
    (tmp_path / "f8.safetensors").write_bytes(len(text).to_bytes(8, "little") + text + b"".join(chunks))
    model = read_model(tmp_path / "f8.safetensors")
    assert model.ignored == ("quantized.weight",) and same_params(model.cell, cell)
    with pytest.raises(ValueError, match="dtype F8_E4M3"):
        read_tensors(tmp_path / "f8.safetensors")[0]["quantized.weight"]


def test_indrnn_keeps_its_activation(tmp_path):
    """φ is metadata, not a tensor: a tanh IndRNN comes back tanh, not as the relu default."""
    cell = rt.CELLS["indrnn"].random(hidden_size=3, input_size=2, rng=0, activation="tanh")
    rt.save(cell, tmp_path / "ind.npz")
    back = rt.load(tmp_path / "ind.npz")
    assert back.activation == "tanh" and back.key == "indrnn"
