"""Real PyTorch models, exported as their users would, read back by rt.load.

``safetensors.torch.save_file(model.state_dict(), path)`` of a whole model (embedding, recurrent
encoder, decoder) in float32; the cell read from it is compared with the same module in float64
(the float32 weights widen exactly) through torch's own forward pass and torch.autograd.
Skipped when torch is not installed.
"""

import numpy as np
import pytest
from test_torch_oracle import torch_step

import rnn_theory as rt
from rnn_theory.io import read_model

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")
pytestmark = pytest.mark.torch


class Model(torch.nn.Module):
    def __init__(self, kind, m, n, **options):
        super().__init__()
        self.embedding = torch.nn.Linear(5, m)
        layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
        self.encoder = torch.nn.Module()
        self.encoder.rnn = layer(m, n, **options)
        self.decoder = torch.nn.Linear(n * (2 if options.get("bidirectional") else 1), 1)


def exported(tmp_path, kind, n=5, m=3, seed=0, **options):
    torch.manual_seed(seed)
    model = Model(kind, m, n, **options).float()  # float32 as trained, whatever the default dtype
    with torch.no_grad():  # beyond PyTorch's U(±1/√n) init, so that gates leave their linear range
        for p in model.encoder.rnn.parameters():
            p.mul_(2.5)
    path = tmp_path / f"{kind}.safetensors"
    safetensors_torch.save_file(model.state_dict(), str(path))
    return model.encoder.rnn.double(), path


def torch_run(module, cell, xs, s0):
    """The last state of ``module`` run on xs from s0, one torch forward call per step."""
    s = s0
    for x in xs:
        s = torch_step(module, cell, x, s)
    return s


CASES = [("rnn", {"nonlinearity": "tanh"}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {})]


@pytest.mark.parametrize("kind,options", CASES, ids=["rnn-tanh", "rnn-relu", "lstm", "gru"])
def test_exported_model_matches_torch_step_jacobian_and_lag_curve(tmp_path, kind, options):
    module, path = exported(tmp_path, kind, **options)
    model = read_model(path, activation=options.get("nonlinearity"))
    cell = model.cell
    assert model.where == {"prefix": "encoder.rnn.", "layer": 0, "direction": 0}
    assert set(model.ignored) == {"embedding.weight", "embedding.bias", "decoder.weight", "decoder.bias"}
    rng = np.random.default_rng(1)
    T = 12
    xs = rng.normal(size=(T, cell.input_size))
    S = cell.run(xs)
    xt = torch.from_numpy(xs)
    # One step from a generic state: same float64 arithmetic in another order, a few ulps.
    s = rng.normal(size=cell.state_size)
    step = torch_step(module, cell, xt[0], torch.from_numpy(s))
    np.testing.assert_allclose(cell.step(xs[0], s), step.detach().numpy(), rtol=0, atol=1e-13)
    # Lag curve ln‖∂s_T/∂s_{T−τ}‖₂ by autograd through torch's forward pass, each τ separately,
    # against the product of the closed-form Jacobians; 1e-8 in log-norm is the bar.
    P, finite = np.eye(cell.state_size), 0
    for tau in range(1, T + 1):
        P = P @ cell.jacobian(xs[T - tau], S[T - tau])
        J = torch.autograd.functional.jacobian(
            lambda s0: torch_run(module, cell, xt[T - tau :], s0),  # noqa: B023 (called within this iteration)
            torch.from_numpy(S[T - tau]),
        ).numpy()
        if tau == 1:
            np.testing.assert_allclose(cell.jacobian(xs[-1], S[-2]), J, rtol=0, atol=1e-12)
        ours, theirs = np.linalg.norm(P, 2), np.linalg.norm(J, 2)
        finite += ours > 0
        assert ours == theirs == 0 or abs(np.log(ours) - np.log(theirs)) < 1e-8  # 0: all ReLUs dead
    assert finite >= T // 2  # the comparison is mostly of nonzero norms


def test_bidirectional_two_layer_lstm_picks_the_requested_layer(tmp_path):
    module, path = exported(tmp_path, "lstm", n=4, m=3, num_layers=2, bidirectional=True)
    with pytest.raises(ValueError, match="several layers"):
        rt.load(path)
    cell = rt.load(path, layer=1, direction=1)
    assert (cell.hidden_size, cell.input_size) == (4, 8)  # layer 1 reads both directions of layer 0
    state = module.state_dict()
    np.testing.assert_array_equal(
        np.vstack([cell.params[f"W_{g}"] for g in "ifgo"]), state["weight_hh_l1_reverse"].numpy()
    )
    b = (state["bias_ih_l1_reverse"] + state["bias_hh_l1_reverse"]).numpy()
    np.testing.assert_array_equal(np.concatenate([cell.params[f"b_{g}"] for g in "ifgo"]), b)


def test_bfloat16_and_torch_save_files(tmp_path):
    torch.manual_seed(0)
    gru = torch.nn.GRU(2, 3).to(torch.bfloat16)
    safetensors_torch.save_file(gru.state_dict(), str(tmp_path / "bf16.safetensors"))
    cell = rt.load(tmp_path / "bf16.safetensors")
    np.testing.assert_array_equal(cell.params["W_r"], gru.weight_hh_l0[:3].detach().float().numpy())  # exact widening
    torch.save(gru.state_dict(), tmp_path / "gru.pt")
    with pytest.raises(ValueError, match="save_file"):
        rt.load(tmp_path / "gru.pt")
    (tmp_path / "gru.pt").rename(tmp_path / "gru.npz")  # a torch.save zip under another name
    with pytest.raises(ValueError, match="never loaded"):
        rt.load(tmp_path / "gru.npz")
