"""``rt.analyze`` on models as users hold them, against the frameworks' own numbers.

- a PyTorch-trained 2-layer LSTM, live and as a safetensors file: the stack's curves (full state,
  top-from-bottom) at every lag against torch autograd in float64;
- a bidirectional GRU's reverse direction against torch's reverse outputs and Jacobians;
- Keras ``.keras`` files with an LSTM and a GRU(reset_after=False): one written by Keras itself
  (where Keras is installed) and one built here with h5py + zipfile in Keras 3's layout (always),
  both against an independent float64 implementation of Keras' equations (``keras_step``).
"""

import io
import json
import os
import zipfile

import numpy as np
import pytest
from test_io_frameworks import complex_step_jacobian, keras_shapes, keras_step, random_weights

import rnn_theory as rt
from rnn_theory.analysis._network import layer_inputs
from rnn_theory.io import read_network as as_network

# ln‖·‖ of products computed by two routes in float64 (dense products over ≤ 40 steps, rounding
# ~T·D·2⁻⁵³ relative): the bar, 1e-9, with room above the measured ≤ 1e-12.
TOL = 1e-9


def _norms(P, rows=None, cols=None):
    block = P if rows is None else P[rows][:, cols]
    return np.log(np.linalg.norm(block, 2))


def _torch_trained_lstm(torch, n=6, m=3, layers=2):
    """A 2-layer nn.LSTM after 30 Adam steps in float32 on a toy regression, then float64."""
    torch.manual_seed(0)
    model = torch.nn.LSTM(m, n, num_layers=layers)
    head = torch.nn.Linear(n, 1)
    optimiser = torch.optim.Adam([*model.parameters(), *head.parameters()], lr=0.05)
    xs = torch.randn(20, 8, m)
    target = xs.sum(dim=(0, 2))[:, None]
    for _ in range(30):
        optimiser.zero_grad()
        out, _ = model(xs)
        loss = ((head(out[-1]) - target) ** 2).mean()
        loss.backward()
        optimiser.step()
    return model


def _torch_stack_products(torch, module, xs, n, layers):
    """∂S_T/∂S_{T−τ} for τ = 1..T, S = [h⁰; c⁰; h¹; c¹; …], by stepping the module once per step
    from S_0 = 0 and one backward pass per coordinate of S_T."""
    T, m = xs.shape
    d = 2 * n * layers
    states = [torch.zeros(d, dtype=torch.float64, requires_grad=True)]
    for t in range(T):
        s = states[-1].reshape(layers, 2, n)
        _, (h, c) = module(
            torch.from_numpy(xs[t]).reshape(1, 1, m), (s[:, 0, None, :].contiguous(), s[:, 1, None, :].contiguous())
        )
        states.append(torch.stack([h[:, 0], c[:, 0]], dim=1).reshape(d))
    rows = [torch.autograd.grad(states[-1][i], states[:-1], retain_graph=True) for i in range(d)]
    return [np.stack([rows[i][T - tau].numpy() for i in range(d)]) for tau in range(1, T + 1)]


@pytest.fixture(scope="module")
def trained_lstm():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only contend on a shared machine
    try:
        return _torch_trained_lstm(torch).double()
    finally:
        torch.set_num_threads(threads)


@pytest.mark.torch
@pytest.mark.parametrize("as_file", [False, True], ids=["live", "safetensors"])
def test_trained_two_layer_lstm_stack_agrees_with_torch_autograd(tmp_path, as_file, trained_lstm):
    torch = pytest.importorskip("torch")
    n, m, T = 6, 3, 40
    module = trained_lstm
    model = module
    if as_file:
        safetensors_torch = pytest.importorskip("safetensors.torch")
        safetensors_torch.save_file(
            {k: v.contiguous() for k, v in module.state_dict().items()}, tmp_path / "lstm.safetensors"
        )
        model = tmp_path / "lstm.safetensors"
    xs = np.random.default_rng(3).normal(size=(T, m))
    report = rt.analyze(model, xs, layers="all").to_dict()
    products = _torch_stack_products(torch, module, xs, n, 2)
    h0, h1 = slice(0, n), slice(2 * n, 3 * n)
    want = np.array([_norms(P) for P in products])
    top = np.array([_norms(P, h1, h0) for P in products])
    same = np.array([_norms(P, h1, h1) for P in products])
    assert report["top_from_bottom"] == "1<-0" and report["state_size"] == 4 * n
    assert np.abs(np.array(report["log_norm"]) - want).max() < TOL
    assert np.abs(np.array(report["pairs"]["1<-0"]) - top).max() < TOL
    assert np.abs(np.array(report["pairs"]["1<-1"]) - same).max() < TOL
    # Top-from-bottom is a real path through the layers: not zero, and at lag 1 below the full norm.
    assert top[0] < want[0]


@pytest.mark.torch
@pytest.mark.parametrize("method", ["exact", "probe"])
def test_stack_reports_its_method_error_bound_and_every_layers_c_block(method, trained_lstm):
    """The stack goes through the engines of one cell: the report names the method, carries its
    error bound, and the c block ln‖∂c^(l)_T/∂c^(l)_{T−τ}‖₂ of each LSTM layer, against autograd
    (exact: to 1e-9; probe: lower estimates, the full curve within its error bound above)."""
    torch = pytest.importorskip("torch")
    n, T = 6, 40
    xs = np.random.default_rng(8).normal(size=(T, 3))
    report = rt.analyze(trained_lstm, xs, layers="all", method=method).to_dict()
    products = _torch_stack_products(torch, trained_lstm, xs, n, 2)
    want = np.array([_norms(P) for P in products])
    rows = {str(l): slice((2 * l + 1) * n, (2 * l + 2) * n) for l in (0, 1)}  # c of layer l in [h⁰; c⁰; h¹; c¹]
    c = {l: np.array([_norms(P, r, r) for P in products]) for l, r in rows.items()}
    got, bound = np.array(report["log_norm"]), np.array(report["error_bound"])
    assert report["method"] == method and set(report["c_blocks"]) == {"0", "1"}
    if method == "exact":
        assert np.abs(got - want).max() < TOL and bound.max() <= 1e-9
        for l, curve in c.items():
            assert np.abs(np.array(report["c_blocks"][l]) - curve).max() < TOL
    else:
        assert (got <= want + TOL).all() and (want <= got + bound + TOL).all()
        for l, curve in c.items():
            assert (np.array(report["c_blocks"][l]) <= curve + TOL).all()


@pytest.mark.torch
def test_layer_one_reads_layer_zero_outputs_as_in_the_model(trained_lstm):
    torch = pytest.importorskip("torch")
    module = trained_lstm
    xs = np.random.default_rng(4).normal(size=(15, 3))
    network = as_network(module)
    cell = network.layers[1].cells[0]
    ours = cell.run(layer_inputs(network, xs, 1))[1:, : cell.hidden_size]
    with torch.no_grad():
        theirs = module(torch.from_numpy(xs)[:, None])[0][:, 0].numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-13)


@pytest.mark.torch
def test_bidirectional_gru_reverse_direction_agrees_with_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    n, m, T = 5, 3, 30
    module = torch.nn.GRU(m, n, bidirectional=True).double()
    xs = np.random.default_rng(5).normal(size=(T, m))
    with torch.no_grad():
        out = module(torch.from_numpy(xs)[:, None])[0][:, 0].numpy()
    # The reverse cell, run over reversed time, gives torch's reverse outputs (h at original position t).
    cell = as_network(module).layers[0].cells[1]
    ours = cell.run(xs[::-1])[1:][::-1]
    np.testing.assert_allclose(ours, out[:, n:], rtol=0, atol=1e-13)
    # Jacobians: torch's own GRUCell with the _reverse weights, stepped over reversed time with autograd;
    # its states are checked against the bidirectional module's outputs first.
    step = torch.nn.GRUCell(m, n).double()
    with torch.no_grad():
        for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(step, p).copy_(getattr(module, f"{p}_l0_reverse"))
    states = [torch.zeros(n, dtype=torch.float64, requires_grad=True)]
    for x in xs[::-1]:
        states.append(step(torch.from_numpy(x.copy())[None], states[-1][None])[0])
    np.testing.assert_allclose(torch.stack(states[1:]).detach().numpy()[::-1], out[:, n:], rtol=0, atol=1e-13)
    rows = [torch.autograd.grad(states[-1][i], states[:-1], retain_graph=True) for i in range(n)]
    want = np.array([_norms(np.stack([rows[i][T - tau].numpy() for i in range(n)])) for tau in range(1, T + 1)])
    result = rt.analyze(module, xs, direction=1)
    report = result.to_dict()
    assert report["time"] == "reversed" and report["module"]["direction"] == 1
    assert "reversed time" in result.summary() and "reversed time" in repr(result)
    assert np.abs(np.array(report["log_norm"]) - want).max() < TOL
    forward = rt.analyze(module, xs, direction=0).to_dict()
    assert forward["time"] == "forward" and np.abs(np.array(forward["log_norm"]) - want).max() > 1e-3


# -- Keras ---------------------------------------------------------------------------------------


def _keras_layer_config(class_name, name, n, **options):
    config = {
        "name": name,
        "units": n,
        "activation": "tanh",
        "recurrent_activation": "sigmoid",
        "use_bias": True,
        "return_sequences": True,
        "go_backwards": False,
        **options,
    }
    return {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None}


def _write_keras(path, layers, m):
    """A .keras archive in Keras 3's layout (config.json, model.weights.h5 with layers/<group>/cell/vars/i
    and the layer's own name in layers/<group>/vars), as Keras 3.15 writes it (seen in a saved file)."""
    h5py = pytest.importorskip("h5py")
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, None, m], "name": "input_layer"},
                },
                *[
                    _keras_layer_config(cls, name, w["recurrent_kernel"].shape[0], **options)
                    for cls, name, w, options in layers
                ],
            ],
        },
    }
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as store:
        store.create_group("vars").attrs["name"] = "sequential"
        for k, (cls, name, w, _) in enumerate(layers):
            group = f"layers/{cls.lower()}" + (f"_{k}" if k else "")
            store.create_group(f"{group}/vars").attrs["name"] = name
            cell = store.create_group(f"{group}/cell/vars")
            for i, key in enumerate(("kernel", "recurrent_kernel", "bias")):
                cell[str(i)] = w[key]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", buffer.getvalue())


def _keras_stack_curves(weights, kinds, xs):
    """ln‖∂S_T/∂S_{T−τ}‖₂ and ln‖∂h^(1)_T/∂h^(0)_{T−τ}‖₂ of Keras' equations, by complex step."""
    n0 = weights[0]["recurrent_kernel"].shape[0]
    d0 = 2 * n0 if kinds[0] == "lstm" else n0

    def step(x, S):
        s0 = keras_step(kinds[0], weights[0], x, S[:d0])
        return np.concatenate([s0, keras_step(kinds[1], weights[1], s0[:n0], S[d0:])])

    S, jacobians = np.zeros(d0 + weights[1]["recurrent_kernel"].shape[0]), []
    for x in xs:
        jacobians.append(complex_step_jacobian(lambda s, x=x: step(x, s), S.astype(complex)))
        S = step(x, S)
    P, full, top = np.eye(len(S)), [], []
    for J in reversed(jacobians):
        P = P @ J
        full.append(_norms(P))
        top.append(_norms(P, slice(d0, d0 + weights[1]["recurrent_kernel"].shape[0]), slice(0, n0)))
    return np.array(full), np.array(top)


def test_keras_file_built_with_h5py_agrees_with_keras_equations(tmp_path):
    n0, n1, m, T = 4, 3, 2, 30
    w0 = {k: v * 0.8 for k, v in random_weights(keras_shapes("lstm", n0, m), seed=7).items()}
    w1 = random_weights(keras_shapes("gru_rb", n1, n0), seed=8)
    _write_keras(
        tmp_path / "model.keras", [("LSTM", "encoder", w0, {}), ("GRU", "decoder", w1, {"reset_after": False})], m
    )
    xs = np.random.default_rng(9).normal(size=(T, m))
    report = rt.analyze(tmp_path / "model.keras", xs, layers="all").to_dict()
    assert report["kind"] == "stack of lstm + gru_rb" and report["format"] == "keras"
    assert report["module"] == {"names": ["encoder", "decoder"], "layer": "all"}
    full, top = _keras_stack_curves([w0, w1], ["lstm", "gru_rb"], xs)
    assert np.abs(np.array(report["log_norm"]) - full).max() < TOL
    assert np.abs(np.array(report["pairs"]["1<-0"]) - top).max() < TOL
    # One layer by its name: fed by the encoder, as in the model; its curve is the stack's 1<-1 block.
    one = rt.analyze(tmp_path / "model.keras", xs, prefix="decoder").to_dict()
    assert (one["kind"], one["module"]["layer"]) == ("gru_rb", 1)
    np.testing.assert_allclose(one["log_norm"], report["pairs"]["1<-1"], rtol=0, atol=TOL)


def test_keras_config_refuses_what_the_cells_do_not_compute(tmp_path):
    w = random_weights(keras_shapes("lstm", 3, 2), seed=1)
    _write_keras(tmp_path / "soft.keras", [("LSTM", "lstm", w, {"recurrent_activation": "softsign"})], 2)
    with pytest.raises(ValueError, match="recurrent_activation 'softsign' is not supported"):
        rt.analyze(tmp_path / "soft.keras")


def test_keras_written_by_keras_agrees_with_its_outputs_and_equations(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        n0, n1, m, T = 4, 3, 2, 25
        model = keras.Sequential(
            [
                keras.Input((None, m)),
                keras.layers.LSTM(n0, return_sequences=True, name="enc"),
                keras.layers.GRU(n1, return_sequences=True, reset_after=False, name="dec"),
            ]
        )
        rng = np.random.default_rng(10)
        for layer in model.layers:
            layer.set_weights([rng.normal(0.0, 0.6, size=w.shape) for w in layer.get_weights()])
        model.save(tmp_path / "model.keras")
        weights = [dict(zip(("kernel", "recurrent_kernel", "bias"), layer.get_weights())) for layer in model.layers]
        xs = rng.normal(size=(T, m))
        keras_out = keras.ops.convert_to_numpy(model.predict(xs[None], verbose=0))[0]
    finally:
        keras.config.set_floatx(previous)
    # The live model, duck-typed, gives what its file gives.
    live = rt.analyze(model, xs, layers="all").to_dict()
    from_file = rt.analyze(tmp_path / "model.keras", xs, layers="all").to_dict()
    assert live["log_norm"] == from_file["log_norm"] and live["module"]["names"] == ["enc", "dec"]
    network = as_network(tmp_path / "model.keras")
    cell = network.layers[1].cells[0]
    ours = cell.run(layer_inputs(network, xs, 1))[1:]
    # GRU(reset_after=False) runs through keras.ops, whose matmul returned float32 for float64 tensors
    # (Keras 3.15, torch backend; see test_io_keras): ~1e-7 there, a wrong gate or sign would be O(0.1).
    np.testing.assert_allclose(ours, keras_out, rtol=0, atol=1e-5)
    report = rt.analyze(tmp_path / "model.keras", xs, layers="all").to_dict()
    full, top = _keras_stack_curves(weights, ["lstm", "gru_rb"], xs)
    assert np.abs(np.array(report["log_norm"]) - full).max() < TOL
    assert np.abs(np.array(report["pairs"]["1<-0"]) - top).max() < TOL


@pytest.mark.torch
def test_live_torch_forms_cells_and_modules_containing_them():
    torch = pytest.importorskip("torch")
    torch.manual_seed(2)
    xs = np.random.default_rng(6).normal(size=(12, 3))
    # A *Cell module: the same numbers as the nn.GRU with its weights.
    gru_cell, gru = torch.nn.GRUCell(3, 4).double(), torch.nn.GRU(3, 4).double()
    with torch.no_grad():
        for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(gru, f"{p}_l0").copy_(getattr(gru_cell, p))
    assert rt.analyze(gru_cell, xs).to_dict()["log_norm"] == rt.analyze(gru, xs).to_dict()["log_norm"]

    class Model(torch.nn.Module):  # embedding, recurrent core and head, as models are written
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(3, 3)
            self.rnn = torch.nn.RNN(3, 4, nonlinearity="relu")
            self.head = torch.nn.Linear(4, 1)

    model = Model().double()
    report = rt.analyze(model, xs).to_dict()
    assert (report["kind"], report["activation"]) == ("rnn", "relu")  # a live nn.RNN records it
    assert report["ignored"] == ["head.bias", "head.weight", "proj.bias", "proj.weight"]
    with pytest.raises(TypeError, match="cannot analyse a Linear"):
        rt.analyze(torch.nn.Linear(2, 2))


def test_rt_load_reads_a_keras_file_layer_by_name(tmp_path):
    w0 = random_weights(keras_shapes("lstm", 3, 2), seed=2)
    w1 = random_weights(keras_shapes("gru", 4, 3), seed=3)
    _write_keras(tmp_path / "m.keras", [("LSTM", "enc", w0, {}), ("GRU", "dec", w1, {"reset_after": True})], 2)
    cell = rt.load(tmp_path / "m.keras", prefix="dec")
    x, s = np.random.default_rng(0).normal(size=3), np.random.default_rng(1).normal(size=4)
    np.testing.assert_allclose(cell.step(x, s), keras_step("gru", w1, x, s), rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="several recurrent layers: 'dec', 'enc'; choose one with prefix"):
        rt.load(tmp_path / "m.keras")


@pytest.mark.torch
def test_cli_layer_all_is_the_library_stack(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    from rnn_theory.cli import main  # noqa: PLC0415

    torch.manual_seed(3)
    module = torch.nn.GRU(2, 3, num_layers=3).double()
    safetensors_torch.save_file(module.state_dict(), tmp_path / "gru.safetensors")
    args = [
        "analyze",
        str(tmp_path / "gru.safetensors"),
        "--layer",
        "all",
        "--steps",
        "20",
        "--json",
        str(tmp_path / "r.json"),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "stack of gru + gru + gru" in out and "ln‖∂h⁽2⁾_T/∂h⁽0⁾_{T−τ}‖₂" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert report == rt.analyze(module, steps=20, layers="all").to_dict() | {
        "weights": str(tmp_path / "gru.safetensors")
    }
    assert main(["analyze", str(tmp_path / "gru.safetensors"), "--steps", "5"]) == 2
    assert (
        "choose one with layer=0..2 or a layer's name (--layer), or the whole stack with layers='all' (--layer all)"
        in capsys.readouterr().err
    )


@pytest.mark.torch
def test_upper_layer_of_a_bidirectional_stack_reads_both_directions_below():
    torch = pytest.importorskip("torch")
    torch.manual_seed(4)
    n, m, T = 4, 3, 15
    module = torch.nn.LSTM(m, n, num_layers=2, bidirectional=True).double()
    xs = np.random.default_rng(7).normal(size=(T, m))
    with torch.no_grad():
        out = module(torch.from_numpy(xs)[:, None])[0][:, 0].numpy()
    network = as_network(module)
    feed = layer_inputs(network, xs, 1)
    assert feed.shape == (T, 2 * n)  # [forward; backward] of layer 0, in original time
    for direction, columns in ((0, slice(0, n)), (1, slice(n, 2 * n))):
        cell = network.layers[1].cells[direction]
        run = cell.run(feed[::-1] if direction else feed)[1:, :n]
        np.testing.assert_allclose(run[::-1] if direction else run, out[:, columns], rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="bidirectional: choose direction=0"):
        rt.analyze(module, xs, layer=1)
    with pytest.raises(ValueError, match="not one recurrent system"):
        rt.analyze(module, xs, layers="all")
    assert rt.analyze(module, xs, layer=1, direction=1).to_dict()["module"] == {
        "prefix": "",
        "layer": 1,
        "direction": 1,
    }
