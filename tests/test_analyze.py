"""``rnn-theory analyze``: the README's user paths against independent oracles, the JSON contract,
gate statistics, determinism of the JSON and the figures."""

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from test_io_frameworks import complex_step_jacobian, keras_shapes, keras_step, random_weights, sig

import rnn_theory as rt
from rnn_theory.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
DESIGN_KEYS = {
    "kind",
    "hidden_size",
    "input_size",
    "state_size",
    "steps",
    "recurrent",
    "lags",
    "log_norm",
    "log_norm_h",
    "lyapunov",
}


def readme_blocks():
    """The code blocks of the README section "Analyse your own model", in order: (language, text)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Analyse your own model", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(python|bash)\n(.*?)```", section, flags=re.S)


def run_command(line, capsys):
    """Run one README command line in-process: (exit code, stdout, stderr)."""
    argv = shlex.split(line)
    assert argv[0] == "rnn-theory"
    code = main(argv[1:])
    out, err = capsys.readouterr()
    return code, out, err


def lag_curve(jacobians):
    """ln‖J_T ··· J_{T−τ+1}‖₂ for τ = 1..T by plain products (short runs: no underflow here)."""
    P, curve = np.eye(len(jacobians[0])), []
    for J in reversed(jacobians):
        P = P @ J
        curve.append(np.log(np.linalg.norm(P, 2)))
    return np.array(curve)


@pytest.mark.torch
def test_readme_pytorch_path_agrees_with_torch_autograd(tmp_path, monkeypatch, capsys):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors.torch")
    (lang, snippet), (_, command) = readme_blocks()[1:3]
    assert lang == "python" and "save_file(model.state_dict()" in snippet
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(snippet, namespace)  # the README's own code, as a user would run it
    code, out, err = run_command(command.strip(), capsys)
    assert (code, err) == (0, "")
    assert "lstm" in out and "lag τ" in out
    report = json.loads(Path("lstm.json").read_text())
    module = namespace["model"].double()
    T, n, m = report["steps"], report["hidden_size"], report["input_size"]
    xs = torch.from_numpy(np.random.default_rng(0).normal(size=(T, m)))  # --steps T --seed 0
    # Oracle: torch's own nn.LSTM stepped T times from s_0 = 0 (a leaf), then one backward pass per
    # coordinate of s_T gives that row of ∂s_T/∂s_t for every t at once.
    states = [torch.zeros(2 * n, dtype=torch.float64, requires_grad=True)]
    for t in range(T):
        s = states[-1]
        _, (h, c) = module(xs[t].reshape(1, 1, m), (s[:n].reshape(1, 1, n), s[n:].reshape(1, 1, n)))
        states.append(torch.cat([h.reshape(n), c.reshape(n)]))
    rows = [torch.autograd.grad(states[-1][i], states[:-1], retain_graph=True) for i in range(2 * n)]
    products = [np.stack([rows[i][T - tau].numpy() for i in range(2 * n)]) for tau in range(1, T + 1)]
    # Lag τ pairs with s_{T−τ}; 1e-8 in log-norm is the issue's bar.
    want = np.array([np.log(np.linalg.norm(P, 2)) for P in products])
    want_h = np.array([np.log(np.linalg.norm(P[:n, :n], 2)) for P in products])
    assert np.abs(np.array(report["log_norm"]) - want).max() < 1e-8
    assert np.abs(np.array(report["log_norm_h"]) - want_h).max() < 1e-8
    assert Path("lstm.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.torch
def test_readme_notebook_path_a_live_module_in_a_figure_out(tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    lang, snippet = readme_blocks()[0]
    assert lang == "python" and "rt.analyze(model, xs" in snippet
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(snippet, namespace)  # the README's own code, as a user would run it
    out = capsys.readouterr().out
    assert "stack of lstm + lstm" in out and "ln‖∂h⁽1⁾_T/∂h⁽0⁾_{T−τ}‖₂" in out
    assert Path("stack.png").read_bytes()[:4] == b"\x89PNG"
    report = namespace["result"].to_dict()
    assert report["batch"] == 4 and set(report["pairs"]) == {"0<-0", "1<-0", "1<-1"}
    # The medians lie inside their quartile bands at every lag.
    bands = report["bands"]["log_norm"]
    assert all(lo <= mid <= hi for lo, mid, hi in zip(bands["q25"], report["log_norm"], bands["q75"]))


class _KerasLayer:
    def __init__(self, weights):
        self._weights = weights

    def get_weights(self):
        return list(self._weights)


class _KerasModel:
    """Stands in for a trained keras.Model: ``get_layer(name).get_weights()`` returns the layer's
    arrays in Keras' layout and order, which is all the README's snippet uses."""

    def __init__(self, layers):
        self._layers = layers

    def get_layer(self, name):
        return _KerasLayer(self._layers[name])


def test_readme_keras_path_agrees_with_keras_equations(tmp_path, monkeypatch, capsys):
    (lang, snippet), (_, command) = readme_blocks()[3:5]
    assert lang == "python" and "get_weights()" in snippet
    n, m = 6, 3
    w = random_weights(keras_shapes("gru", n, m), seed=11)
    monkeypatch.chdir(tmp_path)
    exec(snippet, {"model": _KerasModel({"gru": [w["kernel"], w["recurrent_kernel"], w["bias"]]})})
    code, out, err = run_command(command.strip(), capsys)
    assert (code, err) == (0, "")
    report = json.loads(Path("gru.json").read_text())
    assert (report["kind"], report["format"]) == ("gru", "keras")
    xs = np.random.default_rng(0).normal(size=(report["steps"], m))
    states = [np.zeros(n)]
    for x in xs:
        states.append(keras_step("gru", w, x, states[-1]))
    jacobians = [
        complex_step_jacobian(lambda s, x=x: keras_step("gru", w, x, s), s.astype(complex)) for x, s in zip(xs, states)
    ]
    assert np.abs(np.array(report["log_norm"]) - lag_curve(jacobians)).max() < 1e-8
    # Gates in the native convention: z = share of new content = 1 − Keras' z.
    keras_z = np.array(
        [
            sig(x @ w["kernel"][:, :n] + w["bias"][0, :n] + s @ w["recurrent_kernel"][:, :n] + w["bias"][1, :n])
            for x, s in zip(xs, states)
        ]
    )
    assert report["gates"]["z"]["mean"] == pytest.approx(1 - keras_z.mean(), abs=1e-14)
    assert any("1 − the z of PyTorch and Keras" in note for note in report["notes"])


@pytest.mark.parametrize("key", list(rt.CELLS))
def test_json_contract_and_gate_statistics(tmp_path, capsys, key):
    cell = rt.CELLS[key].random(hidden_size=4, input_size=2, rng=1, gain=1.2)
    rt.save(cell, tmp_path / "cell.npz")
    xs = np.random.default_rng(5).normal(size=(25, 2))
    np.save(tmp_path / "xs.npy", xs)
    code = main(
        [
            "analyze",
            str(tmp_path / "cell.npz"),
            "--inputs",
            str(tmp_path / "xs.npy"),
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and key in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert DESIGN_KEYS <= set(report)
    assert report["lags"] == list(range(1, 26)) and len(report["log_norm"]) == 25
    assert (report["kind"], report["state_size"], report["steps"]) == (key, cell.state_size, 25)
    # null is ln 0: a direction whose gradient vanished exactly (the relu IndRNN's units that are off).
    lyapunov = [-np.inf if v is None else v for v in report["lyapunov"]]
    assert lyapunov == sorted(lyapunov, reverse=True)
    # The lag curve by plain products of the closed-form Jacobians (short run: no underflow).
    S = cell.run(xs)
    with np.errstate(divide="ignore"):  # ln 0 where the product vanished exactly
        want = lag_curve([cell.jacobian(x, s) for x, s in zip(xs, S[:-1])])
    got = np.array([-np.inf if v is None else v for v in report["log_norm"]])
    assert (np.isinf(got) == np.isinf(want)).all()
    finite = np.isfinite(want)
    assert np.abs(got[finite] - want[finite]).max() < 1e-8
    # each block curve's own bound (exact method), by the curve's name: here all within 1e-9
    blocks = {f"log_norm_{part}" for part in ("h", "c") if part in cell.state_parts and len(cell.state_parts) > 1}
    assert set(report.get("block_error_bounds", {})) == blocks
    assert all(max(bound) <= 1e-9 for bound in report.get("block_error_bounds", {}).values())
    for name, stats in report["recurrent"].items():
        M = cell.recurrent_matrices()[name]
        assert stats["sigma_max"] == pytest.approx(np.linalg.svd(M, compute_uv=False)[0], rel=1e-12)
    if not [g for g in cell.gates if g.role not in ("state", "readout")]:
        assert "gates" not in report
        return
    # Gates by the textbook formulas (exp sigmoid) on the run's states: an independent route.
    n, p = cell.hidden_size, cell.params
    want_gates = _gates_by_formula(key, p, xs, S, n)
    # The σ-gates by formula; the tanh candidates (g, n) are reported too.
    assert set(want_gates) <= set(report["gates"])
    assert set(report["gates"]) - set(want_gates) <= {"g", "n"}
    for name, values in want_gates.items():
        assert report["gates"][name]["mean"] == pytest.approx(values.mean(), abs=1e-14)
        assert report["gates"][name]["q50"] == pytest.approx(np.median(values), abs=1e-14)


def _gates_by_formula(key, p, xs, S, n):
    h, c = S[:-1, :n], S[:-1, n:]
    pre = lambda g, with_h=True: xs @ p[f"U_{g}"].T + p[f"b_{g}"] + (h @ p[f"W_{g}"].T if with_h else 0)  # noqa: E731
    if key in ("gru", "gru_rb"):
        return {"r": sig(pre("r")), "z": sig(pre("z"))}
    if key == "mingru":
        return {"z": sig(pre("z", False))}
    if key == "minlstm":
        return {"f": sig(pre("f", False)), "i": sig(pre("i", False))}
    if key == "rglru":  # a_t in the paper's power form σ(Λ)^{c·r}, not the cell's log-space form
        x_in = xs @ p["W_in"].T
        r, i = sig(x_in @ p["W_a"].T + p["b_a"]), sig(x_in @ p["W_x"].T + p["b_x"])
        return {"r": r, "i": i, "a": sig(p["Lambda"]) ** (8 * r)}
    if key == "mamba":  # softplus as ln(1 + e^a), Ā = e^{ΔA}
        delta = np.log1p(np.exp(xs @ p["W_delta"].T + p["b_delta"]))
        return {"a": np.exp(delta * p["A"])}
    if key == "slstm":  # f' = σ(ã_f)·e^{m − m'} with m' = max(ln σ(ã_f) + m, ã_i), by np.maximum
        m = S[:-1, 3 * n :]
        a = {g: xs @ p[f"W_{g}"].T + h @ p[f"R_{g}"].T + p[f"b_{g}"] for g in "zifo"}
        m_new = np.maximum(np.log(sig(a["f"])) + m, a["i"])
        return {
            "z": np.tanh(a["z"]),
            "o": sig(a["o"]),
            "i": np.exp(a["i"] - m_new),
            "f": sig(a["f"]) * np.exp(m - m_new),
        }
    if key == "mlstm":  # scalar gates read x alone: f' = σ(ã_f)·e^{m − m'}, m' by np.maximum
        m = S[:-1, -1:]
        a_i, a_f = xs @ p["w_i"].T + p["b_i"], xs @ p["w_f"].T + p["b_f"]
        m_new = np.maximum(np.log(sig(a_f)) + m, a_i)
        return {"o": sig(xs @ p["W_o"].T + p["b_o"]), "i": np.exp(a_i - m_new), "f": sig(a_f) * np.exp(m - m_new)}
    gates = {g: pre(g) for g in "ifo" if f"W_{g}" in p}
    if key == "peephole":
        gates["i"], gates["f"] = gates["i"] + p["p_i"] * c, gates["f"] + p["p_f"] * c
        gates["o"] = gates["o"] + p["p_o"] * S[1:, n:]  # the output gate peeks at the new cell state
    return {g: sig(a) for g, a in gates.items()}


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_outputs_are_byte_identical_on_regeneration(tmp_path, capsys, fmt):
    cell = rt.CELLS["lstm"].random(hidden_size=5, input_size=2, rng=2)
    rt.save(cell, tmp_path / "lstm.safetensors", format="torch")
    outputs = []
    for run in range(2):
        paths = [tmp_path / f"r{run}.json", tmp_path / f"r{run}.{fmt}"]
        args = [
            "analyze",
            str(tmp_path / "lstm.safetensors"),
            "--steps",
            "40",
            "--seed",
            "1",
            "--json",
            str(paths[0]),
            "--plot",
            str(paths[1]),
        ]
        assert main(args) == 0
        outputs.append([p.read_bytes() for p in paths])
    capsys.readouterr()
    json0, json1 = (json.loads(o[0].replace(f"r{i}".encode(), b"r")) for i, o in enumerate(outputs))
    assert json0 == json1
    assert outputs[0][1] == outputs[1][1]
    assert b"matplotlib" not in outputs[0][1].lower() or fmt == "svg"  # no version stamp in PNG/PDF


def test_exactly_vanished_gradients_are_null_in_strict_json(tmp_path, capsys):
    """Every ReLU off (b ≪ 0): J = 0 at every step, ln‖P‖ = −∞, which strict JSON writes as null."""
    cell = rt.CELLS["rnn"](W=[[0.9, 0.5], [-0.4, 0.8]], U=np.ones((2, 1)), b=[-30.0, -30.0], activation="relu")
    rt.save(cell, tmp_path / "relu.npz")
    args = [
        "analyze",
        str(tmp_path / "relu.npz"),
        "--steps",
        "5",
        "--json",
        str(tmp_path / "r.json"),
        "--plot",
        str(tmp_path / "r.png"),
    ]
    assert main(args) == 0
    assert "exactly 0" in capsys.readouterr().out

    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")

    report = json.loads((tmp_path / "r.json").read_text(), parse_constant=refuse)
    assert report["log_norm"] == [None] * 5 and report["lyapunov"] == [None, None]


def test_lru_report_matches_its_closed_forms(tmp_path, capsys):
    """A = blockdiag r_k·Rot(θ_k): ‖A^τ‖₂ = (max r)^τ, and the exponents are ln r_k, each twice."""
    r = np.array([0.8, 0.5, 0.95])
    cell = rt.CELLS["lru"](r=r, theta=[0.3, 2.0, 1.1], B=np.ones((6, 2)))
    rt.save(cell, tmp_path / "lru.safetensors")
    assert (
        main(["analyze", str(tmp_path / "lru.safetensors"), "--steps", "300", "--json", str(tmp_path / "r.json")]) == 0
    )
    capsys.readouterr()
    report = json.loads((tmp_path / "r.json").read_text())
    lags = np.array(report["lags"])
    assert np.abs(np.array(report["log_norm"]) - lags * np.log(0.95)).max() < 1e-9
    # The QR frame starts random; after the default burn-in (T // 10 = 30 steps) what is left of that
    # transient was measured at 7e-6 (without burn-in: 1e-2), so 3e-5 separates the two.
    want = np.sort(np.repeat(np.log(r), 2))[::-1]
    assert report["lyapunov_burn_in"] == 30
    np.testing.assert_allclose(report["lyapunov"], want, rtol=0, atol=3e-5)
    assert report["recurrent"]["A"] == {
        "spectral_radius": pytest.approx(0.95, rel=1e-14),
        "sigma_max": pytest.approx(0.95, rel=1e-14),
    }
