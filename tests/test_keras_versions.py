"""Keras files read by their own version's rules: a legacy weights-only .h5 of Keras 2.2 has
hard-sigmoid gates (clip(0.2a + 0.5, 0, 1)), one of 2.3+ sigmoid ones; a .keras file's "hard_sigmoid"
is Keras 3's relu6(a + 3)/6; Keras 1's per-gate arrays and ``inner_activation``; the layer order from
``layer_names``. Oracles: Keras' equations written here in float64, in Keras' layout and gate order,
their Jacobians by complex step (the clip compares real parts, so the step passes through)."""

import io
import json
import zipfile

import numpy as np
import pytest
from test_analyze_models import _write_keras
from test_io_frameworks import keras_shapes, random_weights

import rnn_theory as rt
from rnn_theory.cli import main

h5py = pytest.importorskip("h5py")

# ln‖·‖ of dense products over ≤ 30 steps by two float64 routes: rounding ~1e-13; the bar 1e-8 is the
# issue's, and a wrong definition (slope 1/5 vs 1/6, σ vs hard) moves the curve by 1e-2 or more.
TOL = 1e-8


def _clip(y):
    return np.where(np.real(y) <= 0, 0.0, np.where(np.real(y) >= 1, 1.0, y))


GATES = {
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "keras2": lambda a: _clip(0.2 * a + 0.5),  # Keras 2's backend: x = 0.2 * x + 0.5; clip(x, 0, 1)
    "keras3": lambda a: _clip((a + 3) / 6),  # Keras 3: relu6(x + 3) / 6, the same clip
}


def keras_step(kind, w, x, s, sig):
    """One step of Keras' LSTM or GRU(reset_after=False), gates ``sig``, kernel x @ K + h @ R + b."""
    kernel, rk, bias = w["kernel"], w["recurrent_kernel"], w["bias"]
    n = rk.shape[0]
    h = s[:n]
    if kind == "lstm":
        i, f, c_hat, o = np.split(x @ kernel + h @ rk + bias, 4)
        c = sig(f) * s[n:] + sig(i) * np.tanh(c_hat)
        return np.concatenate([sig(o) * np.tanh(c), c])
    x_z, x_r, x_h = np.split(x @ kernel + bias, 3)
    k_z, k_r, k_h = np.split(rk, 3, axis=1)
    z, r = sig(x_z + h @ k_z), sig(x_r + h @ k_r)
    return z * h + (1 - z) * np.tanh(x_h + (r * h) @ k_h)


def oracle_curve(layers, xs, sig):
    """ln‖∂S_T/∂S_{T−τ}‖₂, τ = 1..T, of a stack [(kind, weights), …] (layer l reads h of layer l − 1)."""
    sizes = [w["recurrent_kernel"].shape[0] * (2 if kind == "lstm" else 1) for kind, w in layers]
    hidden = [w["recurrent_kernel"].shape[0] for _, w in layers]
    cuts = np.cumsum([0, *sizes])

    def step(x, S):
        out = []
        for l, (kind, w) in enumerate(layers):
            s = keras_step(kind, w, x, S[cuts[l] : cuts[l + 1]], sig)
            out.append(s)
            x = s[: hidden[l]]
        return np.concatenate(out)

    S, jacobians = np.zeros(cuts[-1]), []
    for x in xs:
        Sc = S.astype(complex)
        jacobians.append(np.stack([np.imag(step(x, Sc + 1e-30j * e)) / 1e-30 for e in np.eye(len(S))], axis=1))
        S = step(x, S)
    P, curve = np.eye(len(S)), []
    for J in reversed(jacobians):
        P = P @ J
        curve.append(np.log(np.linalg.norm(P, 2)))
    return np.array(curve)


def _write_legacy_weights(path, layers, version, names_order=None, keras1=False):
    """A weights-only .h5 as Keras 1/2's save_weights writes it: root attrs keras_version, backend,
    layer_names; a group per layer with weight_names; datasets at <layer>/<weight name>."""
    with h5py.File(path, "w") as store:
        if version is not None:
            store.attrs["keras_version"] = np.bytes_(version)
        store.attrs["backend"] = np.bytes_("tensorflow")
        store.attrs["layer_names"] = [np.bytes_(name) for name in (names_order or [name for name, _ in layers])]
        for name, w in layers:
            group = store.create_group(name)
            if keras1:  # one array per gate, in Keras 1's order (LSTM i, c, f, o; GRU z, r, h)
                n = w["recurrent_kernel"].shape[0]
                columns, stored = ("ifco", "icfo") if w["recurrent_kernel"].shape[1] == 4 * n else ("zrh", "zrh")
                blocks = {g: slice(k * n, (k + 1) * n) for k, g in enumerate(columns)}
                arrays = {}
                for g in stored:
                    arrays |= {
                        f"{name}_W_{g}": w["kernel"][:, blocks[g]],
                        f"{name}_U_{g}": w["recurrent_kernel"][:, blocks[g]],
                    }
                    arrays[f"{name}_b_{g}"] = w["bias"][blocks[g]]
                order = [f"{name}_{k}_{g}" for g in stored for k in "WUb"]
            else:
                arrays = {f"{name}/{key}:0": value for key, value in w.items()}
                order = list(arrays)
            group.attrs["weight_names"] = [np.bytes_(n) for n in order]
            for key in order:
                group[key] = arrays[key]


def _two_lstms(seed=1):
    # Large enough weights and inputs that many gate values land on the flat parts.
    w0 = {k: 1.5 * v for k, v in random_weights(keras_shapes("lstm", 3, 2), seed=seed).items()}
    w1 = {k: 1.5 * v for k, v in random_weights(keras_shapes("lstm", 4, 3), seed=seed + 1).items()}
    return w0, w1


XS = 2.0 * np.random.default_rng(3).normal(size=(25, 2))


@pytest.mark.parametrize("version,gates", [("2.2.0", "keras2"), ("2.2.4-tf", "keras2"), ("2.3.1", "sigmoid")])
def test_legacy_weights_only_h5_follows_its_keras_version(tmp_path, version, gates):
    w0, w1 = _two_lstms()
    path = tmp_path / "weights.h5"
    # The model's order (layer_names) is zeta, then alpha: not the HDF5 groups' alphabetical order.
    _write_legacy_weights(path, [("zeta", w0), ("alpha", w1)], version)
    report = rt.analyze(path, XS, layers="all").to_dict()
    assert report["module"]["names"] == ["zeta", "alpha"]
    want = oracle_curve([("lstm", w0), ("lstm", w1)], XS, GATES[gates])
    assert np.abs(np.array(report["log_norm"]) - want).max() < TOL
    assert any(f"Keras {version} (the file's keras_version)" in note for note in report["notes"])
    assert not any("need not be the model's" in note for note in report["notes"])
    if gates == "keras2":
        assert np.abs(want - oracle_curve([("lstm", w0), ("lstm", w1)], XS, GATES["sigmoid"])).max() > 1e-2
        flat = [g["flat"] for layer in report["layers"] for g in layer["gates"].values() if "flat" in g]
        assert len(flat) == 6 and max(flat) > 0  # i, f, o of both layers, some exactly saturated


def test_weights_only_h5_without_version_says_what_it_assumed_and_takes_an_override(tmp_path, capsys):
    w0, w1 = _two_lstms(seed=4)
    path = tmp_path / "weights.h5"
    _write_legacy_weights(path, [("lstm_1", w0), ("lstm_2", w1)], None)
    report = rt.analyze(path, XS, layers="all").to_dict()
    assert any(
        "records no Keras version" in n and "--recurrent-activation hard_sigmoid_keras2" in n for n in report["notes"]
    )
    want = oracle_curve([("lstm", w0), ("lstm", w1)], XS, GATES["sigmoid"])
    assert np.abs(np.array(report["log_norm"]) - want).max() < TOL
    told = rt.analyze(path, XS, layers="all", recurrent_activation="hard_sigmoid_keras2").to_dict()
    want = oracle_curve([("lstm", w0), ("lstm", w1)], XS, GATES["keras2"])
    assert np.abs(np.array(told["log_norm"]) - want).max() < TOL
    with pytest.raises(ValueError, match="records no version: name one"):
        rt.analyze(path, XS, layers="all", recurrent_activation="hard_sigmoid")
    args = ["analyze", str(path), "--steps", "5", "--layer", "lstm_2", "--recurrent-activation", "hard_sigmoid_keras2"]
    assert main(args) == 0
    assert "gates hard_sigmoid_keras2" in capsys.readouterr().out


def test_keras3_file_with_hard_sigmoid_uses_keras3s_definition(tmp_path):
    w0, w1 = _two_lstms(seed=6)
    path = tmp_path / "hard.keras"
    options = {"recurrent_activation": "hard_sigmoid"}
    _write_keras(path, [("LSTM", "enc", w0, options), ("LSTM", "dec", w1, options)], 2)
    report = rt.analyze(path, XS, layers="all").to_dict()
    want = oracle_curve([("lstm", w0), ("lstm", w1)], XS, GATES["keras3"])
    assert np.abs(np.array(report["log_norm"]) - want).max() < TOL
    assert np.abs(want - oracle_curve([("lstm", w0), ("lstm", w1)], XS, GATES["keras2"])).max() > 1e-3
    assert any("relu6(a + 3)/6 (hard_sigmoid_keras3) from the file's config" in n for n in report["notes"])
    with pytest.raises(ValueError, match="the file's config gives recurrent_activation 'hard_sigmoid', not 'sigmoid'"):
        rt.analyze(path, XS, layers="all", recurrent_activation="sigmoid")


def test_keras3_file_whose_config_is_silent_has_sigmoid_gates(tmp_path):
    w0 = random_weights(keras_shapes("gru_rb", 3, 2), seed=7)
    path = tmp_path / "silent.keras"
    _write_keras(path, [("GRU", "gru", w0, {"reset_after": False})], 2)
    with zipfile.ZipFile(path) as archive:  # drop recurrent_activation: Keras 3's default applies
        files = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(files["config.json"])
    del config["config"]["layers"][1]["config"]["recurrent_activation"]
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    report = rt.analyze(path, XS).to_dict()
    assert np.abs(np.array(report["log_norm"]) - oracle_curve([("gru_rb", w0)], XS, GATES["sigmoid"])).max() < TOL
    assert any("Keras 3.15.1 (the file's keras_version)" in n for n in report["notes"])


def test_keras1_per_gate_weights_and_inner_activation(tmp_path):
    w0, _ = _two_lstms(seed=8)
    path = tmp_path / "keras1.h5"
    _write_legacy_weights(path, [("lstm_1", w0)], "1.2.2", keras1=True)
    report = rt.analyze(path, XS).to_dict()
    assert np.abs(np.array(report["log_norm"]) - oracle_curve([("lstm", w0)], XS, GATES["keras2"])).max() < TOL
    # A Keras 1 config names the gates' nonlinearity inner_activation.
    buffer = io.BytesIO()
    _write_legacy_weights(buffer, [("lstm_1", w0)], "1.2.2", keras1=True)
    config = {
        "class_name": "Sequential",
        "config": [
            {"class_name": "LSTM", "config": {"name": "lstm_1", "activation": "tanh", "inner_activation": "sigmoid"}}
        ],
    }
    with h5py.File(buffer, "a") as store:
        store.attrs["model_config"] = json.dumps(config)
    (tmp_path / "keras1_config.h5").write_bytes(buffer.getvalue())
    report = rt.analyze(tmp_path / "keras1_config.h5", XS).to_dict()
    assert np.abs(np.array(report["log_norm"]) - oracle_curve([("lstm", w0)], XS, GATES["sigmoid"])).max() < TOL


def test_legacy_full_model_h5_reads_its_config_and_version(tmp_path):
    """A Keras 2.2 full-model file: config in model_config, weights under model_weights (whose
    attributes carry keras_version and layer_names); its config states the gates' hard_sigmoid."""
    w0, _ = _two_lstms(seed=10)
    buffer = io.BytesIO()
    _write_legacy_weights(buffer, [("lstm_1", w0)], "2.2.4")
    layer = {"name": "lstm_1", "activation": "tanh", "recurrent_activation": "hard_sigmoid"}
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "LSTM", "config": layer}]}}
    with h5py.File(tmp_path / "full.h5", "w") as store, h5py.File(buffer, "r") as weights:
        store.attrs["keras_version"] = np.bytes_("2.2.4")
        store.attrs["model_config"] = json.dumps(config)
        weights.copy(weights["lstm_1"], store.create_group("model_weights"), name="lstm_1")
        for key, value in weights.attrs.items():
            store["model_weights"].attrs[key] = value
    report = rt.analyze(tmp_path / "full.h5", XS).to_dict()
    assert report["gate_activation"] == "hard_sigmoid_keras2"
    assert np.abs(np.array(report["log_norm"]) - oracle_curve([("lstm", w0)], XS, GATES["keras2"])).max() < TOL
    assert any("clip(0.2·a + 0.5, 0, 1) (hard_sigmoid_keras2) from the file's config" in n for n in report["notes"])


def test_keras1_gru_config_without_reset_after_resets_before_the_matmul(tmp_path):
    w = {k: 1.5 * v for k, v in random_weights(keras_shapes("gru_rb", 3, 2), seed=12).items()}
    buffer = io.BytesIO()
    _write_legacy_weights(buffer, [("gru_1", w)], "1.2.2", keras1=True)
    config = {"class_name": "Sequential", "config": [{"class_name": "GRU", "config": {"name": "gru_1"}}]}
    with h5py.File(buffer, "a") as store:
        store.attrs["model_config"] = json.dumps(config)
    (tmp_path / "gru1.h5").write_bytes(buffer.getvalue())
    report = rt.analyze(tmp_path / "gru1.h5", XS).to_dict()
    # Keras 1: no reset_after (reset before the matmul) and inner_activation's default hard_sigmoid.
    assert (report["kind"], report["gate_activation"]) == ("gru_rb", "hard_sigmoid_keras2")
    assert np.abs(np.array(report["log_norm"]) - oracle_curve([("gru_rb", w)], XS, GATES["keras2"])).max() < TOL
