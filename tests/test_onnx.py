"""ONNX files in: LSTM, GRU (linear_before_reset 0 and 1), RNN, bidirectional and stacked nodes,
built here with onnx.helper. The analysis is checked within 1e-8 against the ONNX operator
equations written here in float64 (onnx.ai Operators: LSTM, GRU, RNN; gate orders i, o, f, c and
z, r, h), their Jacobians by complex step; onnxruntime (float32) is checked against the same
equations, so the oracle is the operator as it runs, not only as we read its specification."""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.cli import main

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

TOL = 1e-8  # the bar; two float64 routes agree to ~1e-13 here, a wrong gate order by O(0.1)
ORT_TOL = 2e-5  # float32 through ≤ 20 steps of O(1) values: ~1e-6, with room


def sig(a):
    return 1 / (1 + np.exp(-a))


def hard_sig(a):  # ONNX HardSigmoid, alpha 0.2, beta 0.5: max(0, min(1, alpha·a + beta))
    y = 0.2 * a + 0.5
    return np.where(np.real(y) <= 0, 0.0, np.where(np.real(y) >= 1, 1.0, y))


def onnx_step(op, w, x, s, f=sig, linear_before_reset=0):
    """One step of the ONNX operator ``op`` for one direction: w = (W (k·n, m), R (k·n, n), B (2k·n,),
    P (3n,) or None); s = h (GRU, RNN) or [h; c] (LSTM)."""
    W, R, B, P = w
    n = R.shape[1]
    h = s[:n]
    Wb, Rb = np.split(B, 2)
    if op == "RNN":
        return np.tanh(W @ x + R @ h + Wb + Rb)
    if op == "GRU":
        (Wz, Wr, Wh), (Rz, Rr, Rh) = np.split(W, 3), np.split(R, 3)
        (bz, br, bh), (rz, rr, rh) = np.split(Wb, 3), np.split(Rb, 3)
        z = f(Wz @ x + Rz @ h + bz + rz)
        r = f(Wr @ x + Rr @ h + br + rr)
        if linear_before_reset:
            cand = np.tanh(Wh @ x + r * (Rh @ h + rh) + bh)
        else:
            cand = np.tanh(Wh @ x + Rh @ (r * h) + rh + bh)
        return (1 - z) * cand + z * h
    c = s[n:]
    (Wi, Wo, Wf, Wc), (Ri, Ro, Rf, Rc) = np.split(W, 4), np.split(R, 4)
    (bi, bo, bf, bc), (ri, ro, rf, rc) = np.split(Wb, 4), np.split(Rb, 4)
    Pi, Po, Pf = np.split(P, 3) if P is not None else (0, 0, 0)
    i = f(Wi @ x + Ri @ h + Pi * c + bi + ri)
    fg = f(Wf @ x + Rf @ h + Pf * c + bf + rf)
    C = fg * c + i * np.tanh(Wc @ x + Rc @ h + bc + rc)
    o = f(Wo @ x + Ro @ h + Po * C + bo + ro)
    return np.concatenate([o * np.tanh(C), C])


def oracle(steps, sizes, xs):
    """(states per layer, ln‖∂S_T/∂S_{T−τ}‖₂ per lag) of a stack of one-direction steps, layer l
    reading h of layer l − 1; steps[l](x, s) -> s'."""
    cuts = np.cumsum([0, *[d for d, _ in sizes]])

    def step(x, S):
        out = []
        for l, f in enumerate(steps):
            s = f(x, S[cuts[l] : cuts[l + 1]])
            out.append(s)
            x = s[: sizes[l][1]]
        return np.concatenate(out)

    S, jacobians, states = np.zeros(cuts[-1]), [], []
    for x in xs:
        jacobians.append(np.stack([np.imag(step(x, S + 1e-30j * e)) / 1e-30 for e in np.eye(len(S))], axis=1))
        S = step(x, S)
        states.append(S)
    P, curve = np.eye(len(S)), []
    for J in reversed(jacobians):
        P = P @ J
        curve.append(np.log(np.linalg.norm(P, 2)))
    return np.array(states), np.array(curve)


def weights(op, n, m, D=1, seed=0, peepholes=False):
    """float32 W, R, B (and P) of a node, stored as ONNX stores them: (D, k·n, m), (D, k·n, n), (D, 2k·n)."""
    k = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    rng = np.random.default_rng(seed)
    w = {
        "W": rng.normal(0, 0.8, size=(D, k * n, m)),
        "R": rng.normal(0, 0.8, size=(D, k * n, n)),
        "B": rng.normal(0, 0.5, size=(D, 2 * k * n)),
    }
    if peepholes:
        w["P"] = rng.normal(0, 0.5, size=(D, 3 * n))
    return {name: value.astype(np.float32) for name, value in w.items()}


def node(op, name, x, w, n, prefix, **attributes):
    inputs = [x, f"{prefix}W", f"{prefix}R", f"{prefix}B"]
    if "P" in w:
        inputs += ["", "", "", f"{prefix}P"]
    outputs = [f"{prefix}Y", f"{prefix}Y_h"] + ([f"{prefix}Y_c"] if op == "LSTM" else [])
    initializers = [numpy_helper.from_array(value, f"{prefix}{key}") for key, value in w.items()]
    return helper.make_node(op, inputs, outputs, name=name, hidden_size=n, **attributes), initializers


def model(nodes_and_inits, m, final, extra_nodes=()):
    """A model whose graph reads X (T, 1, m) and returns ``final``."""
    nodes = [nd for nd, _ in nodes_and_inits] + list(extra_nodes)
    inits = [t for _, ts in nodes_and_inits for t in ts]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", 1, m])],
        [helper.make_tensor_value_info(final, TensorProto.FLOAT, None)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def save(proto, path):
    path.write_bytes(proto.SerializeToString())
    return path


def parts(w, d=0):
    return tuple(w[key][d].astype(float) if key in w else None for key in ("W", "R", "B", "P"))


XS = np.random.default_rng(11).normal(size=(20, 3))


def _ort(proto, xs, output):
    """onnxruntime's ``output`` for inputs xs (T, m) (called after the analysis' own checks: without
    onnxruntime the test is skipped there)."""
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run([output], {"X": xs[:, None, :].astype(np.float32)})[0]


CASES = {
    "lstm": ("LSTM", {}, {}),
    "lstm-peephole": ("LSTM", {"peepholes": True}, {}),
    "lstm-hardsigmoid": ("LSTM", {}, {"activations": ["HardSigmoid", "Tanh", "Tanh"]}),
    "gru-lbr0": ("GRU", {}, {"linear_before_reset": 0}),
    "gru-lbr1": ("GRU", {}, {"linear_before_reset": 1}),
    "rnn": ("RNN", {}, {}),
}


@pytest.mark.parametrize("case", CASES)
def test_one_node_is_analysed_as_its_operator_computes(tmp_path, case):
    op, options, attributes = CASES[case]
    n, m = 4, 3
    w = weights(op, n, m, seed=len(case), **options)
    proto = model([node(op, "rec", "X", w, n, "", **attributes)], m, "Y")
    report = rt.analyze(save(proto, tmp_path / "m.onnx"), XS).to_dict()
    f = hard_sig if "hardsigmoid" in case else sig
    lbr = attributes.get("linear_before_reset", 0)
    d = 2 * n if op == "LSTM" else n
    states, curve = oracle([lambda x, s: onnx_step(op, parts(w), x, s, f, lbr)], [(d, n)], XS)
    assert report["format"] == "onnx" and report["module"]["names"] == ["rec"]
    want_kind = {"LSTM": "peephole" if options else "lstm", "GRU": "gru" if lbr else "gru_rb", "RNN": "rnn"}[op]
    assert report["kind"] == want_kind
    assert np.abs(np.array(report["log_norm"]) - curve).max() < TOL
    # onnxruntime runs the operator (float32): its outputs are the equations' outputs.
    Y = _ort(proto, XS, "Y")
    np.testing.assert_allclose(Y[:, 0, 0, :], states[:, :n], rtol=0, atol=ORT_TOL)


@pytest.mark.parametrize("op", ["LSTM", "GRU"])
def test_bidirectional_node_reverse_half_runs_in_reversed_time(tmp_path, op):
    n, m = 3, 3
    w = weights(op, n, m, D=2, seed=5)
    proto = model([node(op, "bi", "X", w, n, "", direction="bidirectional")], m, "Y")
    path = save(proto, tmp_path / "bi.onnx")
    d = 2 * n if op == "LSTM" else n
    runs = {}
    for direction, xs in ((0, XS), (1, XS[::-1])):
        report = rt.analyze(path, XS, layer="bi", direction=direction).to_dict()
        states, curve = oracle([lambda x, s, dd=direction: onnx_step(op, parts(w, dd), x, s)], [(d, n)], xs)
        assert report["time"] == ("reversed" if direction else "forward")
        assert np.abs(np.array(report["log_norm"]) - curve).max() < TOL
        runs[direction] = states[:, :n] if direction == 0 else states[::-1, :n]
    # onnxruntime's Y[t, 1] is the reverse direction's state after reading x_T … x_t.
    Y = _ort(proto, XS, "Y")
    for direction, ours in runs.items():
        np.testing.assert_allclose(Y[:, direction, 0, :], ours, rtol=0, atol=ORT_TOL)


def test_stacked_nodes_are_one_system(tmp_path):
    """Two LSTM nodes joined as PyTorch exports a 2-layer LSTM: Y (T, 1, 1, n) -> Squeeze -> X."""
    n0, n1, m = 3, 4, 3
    w0, w1 = weights("LSTM", n0, m, seed=1), weights("LSTM", n1, n0, seed=2)
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    squeeze = helper.make_node("Squeeze", ["l0_Y", "axes"], ["l1_X"], name="squeeze")
    first, inits0 = node("LSTM", "l0", "X", w0, n0, "l0_")
    second, inits1 = node("LSTM", "l1", "l1_X", w1, n1, "l1_")
    graph = helper.make_graph(
        [first, squeeze, second],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", 1, m])],
        [helper.make_tensor_value_info("l1_Y", TensorProto.FLOAT, None)],
        [*inits0, *inits1, axes],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    path = save(proto, tmp_path / "stack.onnx")
    report = rt.analyze(path, XS, layers="all").to_dict()
    steps = [lambda x, s: onnx_step("LSTM", parts(w0), x, s), lambda x, s: onnx_step("LSTM", parts(w1), x, s)]
    states, curve = oracle(steps, [(2 * n0, n0), (2 * n1, n1)], XS)
    assert report["module"]["names"] == ["l0", "l1"]
    assert np.abs(np.array(report["log_norm"]) - curve).max() < TOL
    Y = _ort(proto, XS, "l1_Y")
    np.testing.assert_allclose(Y[:, 0, 0, :], states[:, 2 * n0 : 2 * n0 + n1], rtol=0, atol=ORT_TOL)
    assert rt.analyze(path, XS, layer="l1").to_dict()["kind"] == "lstm"


REFUSED = {
    "clip": ({"clip": 3.0}, "clip = 3 clips the pre-activations"),
    "input-forget": ({"input_forget": 1}, "input_forget = 1"),
    "elu": ({"activations": ["Sigmoid", "Elu", "Tanh"]}, "candidate and readout are Tanh"),
    "hard-alpha": (
        {"activations": ["HardSigmoid", "Tanh", "Tanh"], "activation_alpha": [0.3]},
        "alpha 0.3, beta 0.5 are not supported",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_the_native_cells_do_not_compute_is_refused_in_one_line(tmp_path, capsys, case):
    attributes, fragment = REFUSED[case]
    w = weights("LSTM", 2, 3)
    path = save(model([node("LSTM", "rec", "X", w, 2, "", **attributes)], 3, "Y"), tmp_path / "bad.onnx")
    with pytest.raises(ValueError, match=fragment):
        rt.analyze(path, steps=5)
    assert main(["analyze", str(path), "--steps", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err


def test_weights_that_are_graph_inputs_and_files_that_are_not_onnx_are_refused(tmp_path):
    graph = helper.make_graph(
        [helper.make_node("LSTM", ["X", "W", "R"], ["Y"], hidden_size=2)],
        "g",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in ("X", "W", "R")],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    path = save(helper.make_model(graph), tmp_path / "inputs.onnx")
    with pytest.raises(ValueError, match="its W .* is a graph input"):
        rt.analyze(path, steps=5)
    (tmp_path / "junk.onnx").write_bytes(b"\xff\xfe not protobuf")
    with pytest.raises(ValueError, match="junk.onnx: not an ONNX model"):
        rt.analyze(tmp_path / "junk.onnx", steps=5)


def test_rt_load_reads_one_direction_of_one_node(tmp_path):
    n, m = 3, 3
    w = weights("GRU", n, m, D=2, seed=9)
    proto = model([node("GRU", "bi", "X", w, n, "", direction="bidirectional", linear_before_reset=1)], m, "Y")
    path = save(proto, tmp_path / "bi.onnx")
    cell = rt.load(path, direction=1)
    x, s = XS[0], np.random.default_rng(1).normal(size=n)
    np.testing.assert_allclose(cell.step(x, s), onnx_step("GRU", parts(w, 1), x, s, linear_before_reset=1), atol=1e-14)
    assert cell.key == "gru" and rt.load(path, layer="bi", direction=0).key == "gru"
    with pytest.raises(ValueError, match="no layer 'nope': the model has layer 0 'bi'"):
        rt.load(path, layer="nope", direction=0)
    with pytest.raises(ValueError, match="do not apply to an ONNX file"):
        rt.load(path, kind="lstm")
