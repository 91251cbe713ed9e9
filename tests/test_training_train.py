"""The training loop: the batched forward is the cells' own run, Adam and clipping as published,
determinism, checkpoints, and a trained model judged again by an independent route."""

import json

import numpy as np
import pytest
from conftest import ZOO, ZOO_IDS, generic_cell

import rnn_theory as rt
from rnn_theory.training import TASKS, forward, initial_cell, train
from rnn_theory.training.adam import Adam, clip_global_norm
from rnn_theory.training.checkpoint import load_trained, log_path, save_trained
from rnn_theory.training.readout import init_readout, softmax
from rnn_theory.training.trainer import loss_and_grads


@pytest.mark.parametrize("key,options", ZOO, ids=ZOO_IDS)
def test_batched_forward_is_cell_run_for_each_sequence(key, options):
    cell = generic_cell(key, 4, 3, seed=2, **options)
    rng = np.random.default_rng(2)
    xs, s0 = rng.normal(size=(7, 3, 5)), rng.normal(size=(cell.state_size, 5))
    tape = forward(cell, cell.params, xs, s0)
    for b in range(5):
        states = cell.run(xs[:, :, b], s0[:, b])
        batched = np.stack([np.concatenate([part[t][:, b] for part in tape.parts]) for t in range(8)])
        # The same equations on columns instead of vectors: BLAS may order a dot product differently,
        # a few ulps of the largest entry (O(1), except the mLSTM's h' = o ⊙ C'q/D with a small D).
        np.testing.assert_allclose(batched, states, rtol=0, atol=1e-14 * max(1.0, np.abs(states).max()))


def test_adam_first_steps_by_hand():
    """Step 1 moves each entry by lr·g/(|g| + ε) (m̂ = g, v̂ = g²); step 2 by the formula."""
    params, g1, g2 = {"w": np.array([1.0, -2.0, 0.5])}, np.array([0.3, -4.0, 1e-3]), np.array([-0.1, 2.0, 0.0])
    adam = Adam(params, lr=0.1)
    adam.step(params, {"w": g1.copy()})
    np.testing.assert_allclose(params["w"], [1.0, -2.0, 0.5] - 0.1 * g1 / (np.abs(g1) + 1e-8), rtol=1e-15)
    before = params["w"].copy()
    adam.step(params, {"w": g2.copy()})
    m = (0.9 * 0.1 * g1 + 0.1 * g2) / (1 - 0.9**2)
    v = (0.999 * 0.001 * g1**2 + 0.001 * g2**2) / (1 - 0.999**2)
    np.testing.assert_allclose(params["w"], before - 0.1 * m / (np.sqrt(v) + 1e-8), rtol=1e-13)


def test_clipping_is_pascanu_algorithm_1():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert clip_global_norm(grads, 10.0) == 5.0 and grads["a"][0] == 3.0  # below threshold: untouched
    assert clip_global_norm(grads, 1.0) == 5.0
    assert np.sqrt(np.sum(grads["a"] ** 2) + np.sum(grads["b"] ** 2)) == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_allclose(grads["a"] / grads["b"][0], [0.75, 0.0])  # direction kept


def _small_run(seed):
    task = TASKS["temporal_order"](12)
    return train(
        task,
        initial_cell("gru", 6, task.input_size, rng=seed),
        steps=30,
        seed=seed,
        check_every=10,
        validation_size=64,
        test_size=64,
        progress=False,
    )


def test_training_is_deterministic_and_the_seed_matters():
    a, b, c = _small_run(1), _small_run(1), _small_run(2)
    assert json.dumps(a.log, sort_keys=True) == json.dumps(b.log, sort_keys=True)
    assert all(np.array_equal(a.cell.params[k], b.cell.params[k]) for k in a.cell.params)
    assert not np.array_equal(a.cell.params["W_r"], c.cell.params["W_r"])
    assert [h["step"] for h in a.log["history"]] == [10, 20, 30]


@pytest.mark.parametrize("key", ["rnn", "lstm", "gru"])
def test_trained_model_rejudged_with_cell_run(key, tmp_path):
    """Train, save, load; the loaded cell's own ``run`` (one sequence at a time, unbatched) and the
    stored readout reproduce the success the training loop reported, on fresh sequences."""
    task = TASKS["recall"](4)
    result = train(task, initial_cell(key, 12, task.input_size, rng=0), steps=400, seed=0, progress=False)
    assert result.log["success"]
    path = tmp_path / "model.npz"
    save_trained(result, path)
    cell, readout, log = load_trained(path)
    assert log["cell"] == key and json.loads(open(log_path(path)).read())["checkpoint"] == "model.npz"
    xs, target = task.sample(np.random.default_rng(99), 200)
    h_T = np.stack([cell.run(xs[:, :, b])[-1, : cell.hidden_size] for b in range(200)], axis=1)
    y = readout["V"] @ h_T + readout["a"][:, None]
    assert (y.argmax(axis=0) == target).mean() >= 0.99
    assert softmax(y).shape == (task.output_size, 200)


def test_diverging_run_stops_and_is_reported():
    task = TASKS["recall"](3)
    cell = initial_cell("rnn", 4, task.input_size, "identity", rng=0)
    result = train(task, cell, steps=20, lr=1e300, clip=None, seed=0, check_every=5, test_size=32, progress=False)
    assert result.log["diverged"] and not result.log["success"]
    assert result.log["steps_run"] < 20
    json.dumps(result.log, allow_nan=False)  # still a valid JSON log


def test_checkpoint_is_a_native_file_for_rt_load(tmp_path):
    result = _small_run(0)
    path = tmp_path / "m.safetensors"
    save_trained(result, path)
    cell = rt.load(path)
    assert cell.key == "gru" and np.array_equal(cell.params["c_n"], result.cell.params["c_n"])


class _Terminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_shows_on_a_terminal_only():
    import io

    from rnn_theory.training.progress import Progress

    piped, terminal = io.StringIO(), _Terminal()
    for stream in (piped, terminal):
        progress = Progress(3, "demo", stream=stream, interval=0.0)
        for step in (1, 2, 3):
            progress.update(step, loss=0.5)
        progress.close()
    assert piped.getvalue() == ""
    assert terminal.text.count("\r") == 3 and "step 3/3 loss 0.5" in terminal.text and terminal.text.endswith("\n")


def test_a_signed_parameter_is_trained_in_log_space_and_keeps_its_sign(monkeypatch):
    """Mamba's A < 0 (``Cell.signed_params``) is updated as ψ = ln(−A): Adam's first step moves ψ
    by lr·g/(|g| + ε) with g = ∂L/∂ψ = A·∂L/∂A, so A changes by a factor, not by ±lr; on recall at lag
    10 the trained A stays negative, where training A itself pushes it past 0 (and the cell refuses it)."""
    task = TASKS["recall"](10)
    cell = initial_cell("mamba", 32, task.input_size, rng=0)
    one = train(task, cell, steps=1, lr=0.05, clip=None, seed=0, check_every=1, test_size=32, progress=False)
    # The first batch and readout as ``train`` draws them (streams 0 and 1 spawned from the seed).
    rng_data, rng_readout = np.random.default_rng(0).spawn(4)[:2]
    readout = init_readout(rng_readout, 32, task.output_size)
    xs, target = task.sample(rng_data, 32)
    _, grads = loss_and_grads(task.head, cell, cell.params, readout, xs, target)
    g = grads["A"] * cell.params["A"]  # ∂L/∂ψ for A = −e^ψ
    # Adam's first step is lr·g/(|g| + ε), ε = 1e-8, on ψ; an additive step on A would move every A_k by ~lr.
    expected = -np.exp(np.log(-cell.params["A"]) - 0.05 * g / (np.abs(g) + 1e-8))
    np.testing.assert_allclose(one.cell.params["A"], expected, rtol=1e-12)
    result = train(task, cell, steps=300, seed=0, progress=False)
    assert result.log["success"] and (result.cell.params["A"] < 0).all()
    monkeypatch.setattr(type(cell), "signed_params", {})
    with pytest.raises(ValueError, match="A must be negative"):
        train(task, cell, steps=300, seed=0, progress=False)


def test_the_papers_initialisations_and_the_indrnn_bound():
    """IndRNN "paper": u ~ U[0, 2^{1/T}], relu, and |u| <= 2^{1/T} after every update, which a large
    rate would otherwise break; sLSTM "paper": R = 0 and the xLSTM code's power-law forget biases."""
    from rnn_theory.training.init import bounds, powerlaw_forget_bias

    task = TASKS["recall"](9)
    b = 2.0 ** (1.0 / task.length)
    cell = initial_cell("indrnn", 64, task.input_size, "paper", rng=0, length=task.length)
    u = cell.params["u"]
    assert cell.activation == "relu" and u.min() >= 0 and u.max() <= b and u.max() > 0.9 * b
    assert bounds("indrnn", "paper", task.length) == {"u": b} and bounds("indrnn", "random", task.length) == {}
    small = initial_cell("indrnn", 8, task.input_size, "paper", rng=0, length=task.length)
    common = dict(steps=60, lr=0.3, clip=None, seed=0, check_every=20, validation_size=32, test_size=32, progress=False)
    free = train(task, small, **common)
    held = train(task, small, **common, bounds={"u": b})
    assert np.abs(free.cell.params["u"]).max() > b  # without the bound, the rate takes u past it
    assert np.abs(held.cell.params["u"]).max() == b and held.log["bounds"] == {"u": float(f"{b:.6g}")}
    assert "bounds" not in free.log
    slstm = initial_cell("slstm", 6, task.input_size, "paper", rng=0)
    k = np.arange(6)
    assert np.array_equal(slstm.params["b_f"], powerlaw_forget_bias(6))
    np.testing.assert_allclose(slstm.params["b_f"], 5 - 12 * (k / 5) ** 0.3, rtol=0, atol=1e-14)
    assert not any(slstm.params[f"R_{g}"].any() or slstm.params[f"b_{g}"].any() for g in "zio")
    with pytest.raises(ValueError, match="defined for indrnn, slstm"):
        initial_cell("rnn", 4, 3, "paper")
    with pytest.raises(ValueError, match="sequence length"):
        initial_cell("indrnn", 4, 3, "paper")
    with pytest.raises(ValueError, match="bounds must be positive"):
        train(task, small, steps=1, bounds={"W": -1.0})
