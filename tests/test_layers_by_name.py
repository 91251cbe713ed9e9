"""Layers chosen by index or by name, in Python and on the command line; a wrong one is refused
with one line listing the layers there are."""

import numpy as np
import pytest
from test_analyze_models import _write_keras
from test_io_frameworks import keras_shapes, random_weights

import rnn_theory as rt
from rnn_theory.cli import main


@pytest.fixture
def two_layers(tmp_path):
    w0 = random_weights(keras_shapes("lstm", 3, 2), seed=2)
    w1 = random_weights(keras_shapes("gru", 4, 3), seed=3)
    path = tmp_path / "m.keras"
    _write_keras(path, [("LSTM", "enc", w0, {}), ("GRU", "dec", w1, {"reset_after": True})], 2)
    return path


def test_a_layer_by_name_is_the_layer_by_index(two_layers):
    by_name = rt.analyze(two_layers, steps=12, layer="dec").to_dict()
    by_index = rt.analyze(two_layers, steps=12, layer=1).to_dict()
    assert by_name == by_index and by_name["kind"] == "gru" and by_name["module"]["layer"] == 1
    assert by_name == rt.analyze(two_layers, steps=12, prefix="dec").to_dict()
    cell = rt.load(two_layers, layer="dec")
    assert rt.load(two_layers, layer=1).params.keys() == cell.params.keys() and cell.key == "gru"


@pytest.mark.parametrize("layer", ["nope", 2, -1])
def test_an_unknown_layer_names_the_layers_there_are(two_layers, layer):
    wanted = repr(layer) if isinstance(layer, str) else str(layer)
    with pytest.raises(ValueError, match=f"no layer {wanted}: the model has layers 0 'enc', 1 'dec'$"):
        rt.analyze(two_layers, steps=5, layer=layer)
    with pytest.raises(ValueError, match="the model has layers 0 'enc', 1 'dec'"):
        rt.load(two_layers, layer=layer)


def test_the_command_takes_a_name_and_refuses_an_unknown_one_in_one_line(two_layers, capsys):
    assert main(["analyze", str(two_layers), "--steps", "5", "--layer", "dec"]) == 0
    assert "gru" in capsys.readouterr().out
    assert main(["analyze", str(two_layers), "--steps", "5", "--layer", "nope"]) == 2
    err = capsys.readouterr().err
    assert err == "rnn-theory analyze: no layer 'nope': the model has layers 0 'enc', 1 'dec'\n"


def test_unnamed_layers_are_listed_by_index(tmp_path):
    torch_names = {}
    rng = np.random.default_rng(0)
    for k, m in enumerate((2, 3)):
        torch_names |= {
            f"weight_ih_l{k}": rng.normal(size=(3, m)),
            f"weight_hh_l{k}": rng.normal(size=(3, 3)),
            f"bias_ih_l{k}": rng.normal(size=3),
            f"bias_hh_l{k}": rng.normal(size=3),
        }
    rt.io.write_tensors(tmp_path / "rnn.safetensors", torch_names)
    with pytest.raises(ValueError, match="no layer 'top': the model has layers 0, 1$"):
        rt.analyze(tmp_path / "rnn.safetensors", steps=5, layer="top")
