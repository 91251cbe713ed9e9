"""Hand-built Keras- and PyTorch-layout files against the frameworks' own equations.

The oracles below are the frameworks' equations written directly from their sources
(keras/src/layers/rnn/{simple_rnn,lstm,gru}.py; torch/nn/modules/rnn.py; docs/design.md#import-conventions),
in their own layout and gate order, with their own z convention and a plain exp sigmoid:
nothing is shared with the import code. Their state Jacobians come by complex step.
"""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.io import read_model, write_tensors


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def keras_step(kind, w, x, s):
    kernel, rk, bias = w["kernel"], w["recurrent_kernel"], w["bias"]
    n = rk.shape[0]
    h = s[:n]
    if kind == "rnn":
        return np.tanh(x @ kernel + h @ rk + bias)
    if kind == "lstm":
        i, f, c_hat, o = np.split(x @ kernel + h @ rk + bias, 4)
        c = sig(f) * s[n:] + sig(i) * np.tanh(c_hat)
        return np.concatenate([sig(o) * np.tanh(c), c])
    if kind == "gru":  # reset_after=True: bias rows (input, recurrent)
        x_z, x_r, x_h = np.split(x @ kernel + bias[0], 3)
        r_z, r_r, r_h = np.split(h @ rk + bias[1], 3)
        z, r = sig(x_z + r_z), sig(x_r + r_r)
        return z * h + (1 - z) * np.tanh(x_h + r * r_h)
    x_z, x_r, x_h = np.split(x @ kernel + bias, 3)  # reset_after=False
    k_z, k_r, k_h = np.split(rk, 3, axis=1)
    z, r = sig(x_z + h @ k_z), sig(x_r + h @ k_r)
    return z * h + (1 - z) * np.tanh(x_h + (r * h) @ k_h)


def torch_step(kind, w, x, s, suffix="_l0"):
    w_ih, w_hh, b_ih, b_hh = (w[f"{p}{suffix}"] for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    n = w_hh.shape[1]
    h = s[:n]
    gi, gh = w_ih @ x + b_ih, w_hh @ h + b_hh
    if kind == "rnn":
        return np.tanh(gi + gh)
    if kind == "lstm":
        i, f, g, o = np.split(gi + gh, 4)
        c = sig(f) * s[n:] + sig(i) * np.tanh(g)
        return np.concatenate([sig(o) * np.tanh(c), c])
    (i_r, i_z, i_n), (h_r, h_z, h_n) = np.split(gi, 3), np.split(gh, 3)
    r, z = sig(i_r + h_r), sig(i_z + h_z)
    return (1 - z) * np.tanh(i_n + r * h_n) + z * h


def complex_step_jacobian(f, s, eps=1e-30):
    return np.stack([np.imag(f(s + 1j * eps * e)) / eps for e in np.eye(len(s))], axis=1)


def random_weights(shapes, seed):
    rng = np.random.default_rng(seed)
    return {name: rng.normal(0.0, 0.6, size=shape) for name, shape in shapes.items()}


def keras_shapes(kind, n, m):
    k = {"rnn": 1, "lstm": 4, "gru": 3, "gru_rb": 3}[kind]
    bias = (2, 3 * n) if kind == "gru" else (k * n,)
    return {"kernel": (m, k * n), "recurrent_kernel": (n, k * n), "bias": bias}


def assert_matches(cell, oracle, seed):
    rng = np.random.default_rng(seed)
    for _ in range(3):
        x, s = rng.normal(size=cell.input_size), rng.normal(size=cell.state_size)
        # Two float64 evaluations of the same formulas in other orders: a few ulps of O(1) values.
        np.testing.assert_allclose(cell.step(x, s), oracle(x, s), rtol=0, atol=1e-14)
        # Complex step has no subtraction error: agreement to rounding, scaled by the Jacobian's size.
        J = complex_step_jacobian(lambda state: oracle(x, state), s.astype(complex))  # noqa: B023 (called within this iteration)
        np.testing.assert_allclose(cell.jacobian(x, s), J, rtol=0, atol=1e-13 * max(1.0, np.abs(J).max()))


@pytest.mark.parametrize("ext", ["safetensors", "npz"])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru", "gru_rb"])
@pytest.mark.parametrize("naming", ["plain", "keras2", "positional"])
def test_keras_layout_file_matches_keras_equations(tmp_path, kind, naming, ext):
    n, m = 4, 3
    w = random_weights(keras_shapes(kind, n, m), seed=len(kind) + n)
    names = {
        "plain": {p: p for p in w},
        "keras2": {p: f"model/{kind}/{kind}_cell/{p}:0" for p in w},  # tf.keras weight.name style
        "positional": {p: f"arr_{i}" for i, p in enumerate(w)},  # np.savez(path, *layer.get_weights())
    }[naming]
    others = {} if naming == "positional" else {"dense/kernel": np.ones((n, 2)), "dense/bias": np.ones(2)}
    write_tensors(tmp_path / f"k.{ext}", {**{names[p]: v for p, v in w.items()}, **others})
    model = read_model(tmp_path / f"k.{ext}")
    assert (model.format, model.cell.key) == ("keras", kind)
    assert model.ignored == tuple(sorted(others))
    assert_matches(model.cell, lambda x, s: keras_step(kind, w, x, s), seed=n)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_torch_layout_file_matches_torch_equations(tmp_path, kind):
    """A whole model's state dict: embedding and decoder ignored, a 2-layer bidirectional encoder."""
    n, m, k = 3, 2, {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    shapes = {}
    for layer, m_in in ((0, m), (1, 2 * n)):
        for suffix in (f"_l{layer}", f"_l{layer}_reverse"):
            shapes.update(
                {
                    f"weight_ih{suffix}": (k * n, m_in),
                    f"weight_hh{suffix}": (k * n, n),
                    f"bias_ih{suffix}": (k * n,),
                    f"bias_hh{suffix}": (k * n,),
                }
            )
    w = random_weights(shapes, seed=k)
    state = {f"encoder.rnn.{name}": v for name, v in w.items()}
    state.update(
        {"embedding.weight": np.ones((5, m)), "decoder.weight": np.ones((1, 2 * n)), "decoder.bias": np.zeros(1)}
    )
    write_tensors(tmp_path / "model.safetensors", state)
    for layer, direction in ((0, 0), (1, 1)):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        model = read_model(tmp_path / "model.safetensors", layer=layer, direction=direction)
        assert model.where == {"prefix": "encoder.rnn.", "layer": layer, "direction": direction}
        assert model.cell.input_size == (m if layer == 0 else 2 * n)
        assert len(model.ignored) == len(state) - 4 and "decoder.bias" in model.ignored
        assert_matches(model.cell, lambda x, s: torch_step(kind, w, x, s, suffix), seed=layer)  # noqa: B023 (called within this iteration)


def test_torch_cell_modules_and_bias_free_layers(tmp_path):
    """nn.GRUCell names have no _l{k}; bias=False layers have no biases at all."""
    w = random_weights({"weight_ih": (9, 2), "weight_hh": (9, 3)}, seed=5)
    write_tensors(tmp_path / "cell.npz", {f"gru_cell.{k}": v for k, v in w.items()})
    cell = rt.load(tmp_path / "cell.npz")
    zeros = {"bias_ih": np.zeros(9), "bias_hh": np.zeros(9)}
    assert_matches(cell, lambda x, s: torch_step("gru", {**w, **zeros}, x, s, suffix=""), seed=5)
