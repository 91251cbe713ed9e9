"""Hard-sigmoid gates (Keras 2: clip(0.2a + 0.5, 0, 1); Keras 3: relu6(a + 3)/6) in every LSTM-family
cell and the GRUs: Jacobians against central differences away from the kinks and against PyTorch
autograd (F.hardsigmoid is Keras 3's definition; Keras 2's written with clamp), the kinks' convention
(the flat side's derivative 0), the training tape's gradients, the symbolic proofs for general n and
the statistics' fractions of gate values on the flat parts."""

import numpy as np
import pytest
from conftest import generic_cell
from test_training_gradients import central_difference

import rnn_theory as rt
from rnn_theory.cells import _numpy_ops
from rnn_theory.flow.statistics import nonlinearities
from rnn_theory.training import backward, forward

GATED = ("lstm", "lstm_nofg", "peephole", "cifg", "gru", "gru_rb")
HARD = {"hard_sigmoid_keras2": 2.5, "hard_sigmoid_keras3": 3.0}  # name -> the kink |a| = k
CASES = [(key, g) for key in GATED for g in HARD]
# Central differences with h = 1e-6 on O(1) steps: truncation 0 on the linear pieces (and O(h²) for
# tanh), rounding ~1e-16/1e-6 = 1e-10; a point is used only when every gate argument lies farther than
# 1e-3 from a kink, so no difference straddles one. A wrong slope (1/5 vs 1/6) is off by O(1e-2).
H, TOL, MARGIN = 1e-6, 1e-8, 1e-3


def _points(cell, count, seed, scale=2.0):
    """(x, s) pairs at which some gates sit on their flat parts and none within MARGIN of a kink."""
    rng = np.random.default_rng(seed)
    kink = HARD[cell.gate_activation]
    found = []
    while len(found) < count:
        x, s = scale * rng.normal(size=cell.input_size), rng.normal(size=cell.state_size)
        arguments = [a for g, a, _ in nonlinearities(cell, x[None], np.stack([s, s])).values() if g.activation in HARD]
        distance = min(np.abs(np.abs(a) - kink).min() for a in arguments)
        if distance > MARGIN:
            found.append((x, s))
    return found


def _central_jacobian(cell, x, s):
    return np.stack([(cell.step(x, s + H * e) - cell.step(x, s - H * e)) / (2 * H) for e in np.eye(len(s))], axis=1)


@pytest.mark.parametrize("key,gating", CASES)
def test_jacobian_matches_central_differences_away_from_the_kinks(key, gating):
    cell = generic_cell(key, 3, 2, seed=5, gate_activation=gating)
    flat = 0
    for x, s in _points(cell, 6, seed=1):
        np.testing.assert_allclose(cell.jacobian(x, s), _central_jacobian(cell, x, s), rtol=0, atol=TOL)
        gates = rt.flow.gate_values(cell, x[None], np.stack([s, cell.step(x, s)]))
        flat += sum(int(np.sum((v == 0) | (v == 1))) for name, v in gates.items() if name not in "gn")
    assert flat > 0  # the points reach the flat parts, where the derivative is exactly 0


def _torch_step(torch, key, p, gating, x, s):
    """The cell's equations in PyTorch, written from the cell zoo's table, with torch's own hard sigmoid."""
    F = torch.nn.functional
    # Keras 3's relu6(a + 3)/6 as Keras writes it (F.hardsigmoid is the same function, but its CPU kernel
    # multiplies by the float32 constant 1.0f/6.0f even in float64: see the test below), Keras 2's by clamp.
    sig = (
        (lambda a: F.relu6(a + 3) / 6)
        if gating == "hard_sigmoid_keras3"
        else (lambda a: torch.clamp(0.2 * a + 0.5, 0, 1))
    )
    n = p["W_o" if key.startswith(("lstm", "peep", "cifg")) else "W_z"].shape[0]
    h = s[:n]

    def a(g, extra=0.0):
        return p[f"W_{g}"] @ h + p[f"U_{g}"] @ x + p[f"b_{g}"] + extra

    if key in ("gru", "gru_rb"):
        r, z = sig(a("r")), sig(a("z"))
        if key == "gru":
            cand = torch.tanh(p["U_n"] @ x + p["b_n"] + r * (p["W_n"] @ h + p["c_n"]))
        else:
            cand = torch.tanh(p["W_n"] @ (r * h) + p["U_n"] @ x + p["b_n"])
        return (1 - z) * h + z * cand
    c = s[n:]
    g = torch.tanh(a("g"))
    if key == "cifg":
        f = sig(a("f"))
        c_new = f * c + (1 - f) * g
    elif key == "lstm_nofg":
        c_new = c + sig(a("i")) * g
    else:
        peep = key == "peephole"
        i = sig(a("i", p["p_i"] * c if peep else 0.0))
        f = sig(a("f", p["p_f"] * c if peep else 0.0))
        c_new = f * c + i * g
    o = sig(a("o", p["p_o"] * c_new if key == "peephole" else 0.0))
    return torch.cat([o * torch.tanh(c_new), c_new])


@pytest.mark.torch
@pytest.mark.parametrize("key,gating", CASES)
def test_jacobian_matches_pytorch_autograd(key, gating):
    torch = pytest.importorskip("torch")
    cell = generic_cell(key, 3, 2, seed=6, gate_activation=gating)
    p = {name: torch.tensor(value) for name, value in cell.params.items()}
    for x, s in _points(cell, 4, seed=2):
        J = torch.autograd.functional.jacobian(
            lambda state, x=x: _torch_step(torch, key, p, gating, torch.tensor(x), state), torch.tensor(s)
        )
        # Two float64 evaluations of the same formulas: rounding of O(1) entries.
        np.testing.assert_allclose(cell.jacobian(x, s), J.numpy(), rtol=0, atol=1e-13)


@pytest.mark.torch
def test_pytorch_hardsigmoid_is_keras_3s_definition():
    torch = pytest.importorskip("torch")
    a = torch.linspace(-5, 5, 2001, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.hardsigmoid(a)
    (grad,) = torch.autograd.grad(y.sum(), a)
    x = a.detach().numpy()
    # Its kernel's slope is float32's 1/6 (relative 3e-8 off), hence 1e-7, far below the 1/30 that
    # separates the two definitions' slopes; derivative 0 exactly on the flat parts and at the kinks ±3.
    np.testing.assert_allclose(y.detach().numpy(), _numpy_ops.hard_sigmoid_keras3(x), rtol=0, atol=1e-7)
    np.testing.assert_allclose(grad.numpy(), _numpy_ops.dhard_sigmoid_keras3(x), rtol=0, atol=1e-8)
    assert (grad.numpy()[np.abs(x) >= 3] == 0).all()


@pytest.mark.parametrize("gating,k,slope", [("hard_sigmoid_keras2", 2.5, 0.2), ("hard_sigmoid_keras3", 3.0, 1 / 6)])
def test_values_and_the_kinks_convention(gating, k, slope):
    f, df = getattr(_numpy_ops, gating), getattr(_numpy_ops, "d" + gating)
    a = np.array([-k - 1, -k, -k + 1e-9, 0.0, k - 1e-9, k, k + 1])
    np.testing.assert_array_equal(f(a)[[0, 1, 5, 6]], [0, 0, 1, 1])
    assert f(np.array([0.0]))[0] == 0.5
    # Inside the band the slope; on the flat parts and at both kinks 0 (the flat side's derivative).
    np.testing.assert_array_equal(df(a), [0, 0, slope, slope, slope, 0, 0])
    # A complex step passes through inside the band (the cells' input Jacobians use it).
    assert f(np.array([0.3 + 1e-30j]))[0].imag == pytest.approx(slope * 1e-30, rel=1e-15)


@pytest.mark.parametrize("key,gating", CASES)
def test_training_tape_gradients_match_central_differences(key, gating):
    cell = generic_cell(key, 2, 2, seed=3, gate_activation=gating)
    rng = np.random.default_rng(4)
    xs, s0, w = (
        rng.normal(size=(4, 2, 3)),
        0.5 * rng.normal(size=(cell.state_size, 3)),
        rng.normal(size=(cell.state_size, 3)),
    )
    params = {name: value.copy() for name, value in cell.params.items()}

    def loss():
        return float(np.sum(w * forward(cell, params, xs, s0).final_state()))

    grads, ds0 = backward(forward(cell, params, xs, s0), w)
    for name, value in params.items():
        np.testing.assert_allclose(grads[name], central_difference(loss, value), rtol=0, atol=1e-7, err_msg=name)
    np.testing.assert_allclose(ds0, central_difference(loss, s0), rtol=0, atol=1e-7)


@pytest.mark.parametrize("gating", HARD)
def test_statistics_report_the_fraction_on_the_flat_parts(gating):
    cell = generic_cell("lstm", 4, 3, seed=8, gate_activation=gating)
    xs = 2.0 * np.random.default_rng(9).normal(size=(50, 3))
    stats = rt.trajectory_statistics(cell, xs)
    # Independently: the pre-activations recomputed from the run, |a| ≥ k on the flat parts.
    S = cell.run(xs)
    h = S[:-1, :4]
    p = cell.params
    k = HARD[gating]
    for g in "ifo":
        a = h @ p[f"W_{g}"].T + xs @ p[f"U_{g}"].T + p[f"b_{g}"]
        want_low, want_high = np.mean(a <= -k), np.mean(a >= k)
        got = stats["gates"][g]
        assert (got["flat_at_0"], got["flat_at_1"]) == (want_low, want_high)
        assert got["flat"] == want_low + want_high > 0
    assert "flat" not in stats["gates"]["g"]  # tanh has no flat part


@pytest.mark.parametrize("key,gating", CASES)
def test_symbolic_proof_for_general_n(key, gating):
    from rnn_theory.symbolic import prove  # noqa: PLC0415

    proof = prove(key, gate_activation=gating)
    assert proof.proven


def test_save_and_load_keep_the_gate_activation(tmp_path):
    cell = rt.CELLS["gru"].random(hidden_size=3, input_size=2, rng=0, gate_activation="hard_sigmoid_keras3")
    rt.save(cell, tmp_path / "g.safetensors")
    again = rt.load(tmp_path / "g.safetensors")
    assert again.gate_activation == "hard_sigmoid_keras3" and repr(again) == repr(cell)
    with pytest.raises(ValueError, match="gate_activation must be one of"):
        rt.CELLS["lstm"].random(hidden_size=2, input_size=1, gate_activation="hard_sigmoid")


@pytest.mark.parametrize("gating", HARD)
def test_array_api_backend_gives_the_numpy_jacobians_and_statistics(gating):
    xp = pytest.importorskip("array_api_strict")
    from rnn_theory.cells._array_ops import column_params, dense_jacobians  # noqa: PLC0415

    cell = generic_cell("gru", 3, 2, seed=12, gate_activation=gating)
    xs = 2.0 * np.random.default_rng(13).normal(size=(8, 2))
    S = cell.run(xs)
    J = dense_jacobians(cell, xp, xp.asarray(xs), xp.asarray(S[:-1]), column_params(cell, xp))
    for t in range(len(xs)):
        # The same formulas, matrix products batched in another order: rounding of O(1) entries.
        np.testing.assert_allclose(np.asarray(J[t, ...]), cell.jacobian(xs[t], S[t]), rtol=0, atol=1e-14)
    on_xp, on_numpy = rt.trajectory_statistics(cell, xp.asarray(xs)), rt.trajectory_statistics(cell, xs)
    for name, summary in on_numpy["gates"].items():
        assert summary == pytest.approx(on_xp["gates"][name], rel=0, abs=1e-14)
        if name in "rz":  # the hard sigmoid's flat parts, counted on either library
            assert summary["flat"] == on_xp["gates"][name]["flat"] > 0
