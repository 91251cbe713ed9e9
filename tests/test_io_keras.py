"""Real Keras layers, exported as the README says, read back by rt.load.

Skipped unless Keras 3 is installed (it is not a dependency; any backend, torch by default here).
Keras runs in float64 so that its hidden-state sequence and ours can agree to rounding.
"""

import os

import numpy as np
import pytest

import rnn_theory as rt

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

LAYERS = {
    "rnn": lambda n: keras.layers.SimpleRNN(n, return_sequences=True),
    "lstm": lambda n: keras.layers.LSTM(n, return_sequences=True),
    "gru": lambda n: keras.layers.GRU(n, return_sequences=True, reset_after=True),
    "gru_rb": lambda n: keras.layers.GRU(n, return_sequences=True, reset_after=False),
}

# LSTM and GRU(reset_after=True) run through fused float64 kernels: the same formulas in another order
# over 20 steps, agreement to rounding. SimpleRNN and GRU(reset_after=False) run through keras.ops,
# whose matmul (Keras 3.15, torch backend) was measured to return float32 for float64 tensors, so the
# oracle itself carries ~1e-7 errors there; a gate-order or sign error would still be O(0.1).
ATOL = {"rnn": 1e-5, "lstm": 1e-12, "gru": 1e-12, "gru_rb": 1e-5}


@pytest.fixture(autouse=True)
def float64():
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield
    keras.config.set_floatx(previous)


@pytest.mark.parametrize("naming", ["positional", "paths"])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_keras_layer_matches_the_loaded_cell(tmp_path, kind, naming):
    n, m, T = 5, 3, 20
    layer = LAYERS[kind](n)
    layer.build((1, T, m))
    rng = np.random.default_rng(len(kind))
    # Beyond Keras' initialisers (and a nonzero bias), so that every gate leaves its linear range.
    layer.set_weights([rng.normal(0.0, 0.7, size=w.shape) for w in layer.get_weights()])
    if naming == "positional":
        np.savez(tmp_path / "w.npz", *layer.get_weights())  # the README's command
    else:
        np.savez(tmp_path / "w.npz", **{f"model/{w.path}": np.asarray(w.numpy()) for w in layer.weights})
    model = rt.io.read_model(tmp_path / "w.npz")
    assert (model.format, model.cell.key) == ("keras", kind)
    xs = rng.normal(size=(T, m))
    want = keras.ops.convert_to_numpy(layer(xs[None]))[0]
    got = model.cell.run(xs)[1:, :n]
    np.testing.assert_allclose(got, want, rtol=0, atol=ATOL[kind])
