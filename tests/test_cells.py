"""The cell API (docs/api/index.md): shapes, dtypes, sizes, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnn_theory as rt

EXPECTED_PARAMS = {  # polynomials in n and m, counted by hand from the cell zoo (docs/design.md#cell-zoo)
    "rnn": lambda n, m: n * n + n * m + n,
    "lstm": lambda n, m: 4 * (n * n + n * m + n),
    "lstm_nofg": lambda n, m: 3 * (n * n + n * m + n),
    "peephole": lambda n, m: 4 * (n * n + n * m + n) + 3 * n,
    "cifg": lambda n, m: 3 * (n * n + n * m + n),
    "gru": lambda n, m: 3 * (n * n + n * m + n) + n,
    "gru_rb": lambda n, m: 3 * (n * n + n * m + n),
    "mingru": lambda n, m: 2 * (n * m + n),
    "minlstm": lambda n, m: 3 * (n * m + n),
    "lru": lambda n, m: n + n * m,
    "indrnn": lambda n, m: n * m + 2 * n,  # u, W, b
    "rglru": lambda n, m: n * m + 2 * n * n + 3 * n,  # W_in; W_a, W_x; b_a, b_x, Λ
    "mamba": lambda n, m: 3 * n * m + 2 * n,  # W_Δ, W_B, W_u; b_Δ, A
    "slstm": lambda n, m: 4 * (n * m + n * n + n),  # W_*, R_*, b_* for z, i, f, o
    "mlstm": lambda n, m: 4 * (n * m + n) + 2 * (m + 1),  # W_*, b_* for q, k, v, o; w_*, b_* for i, f
}
# Sizes of the states, counted by hand: n per part, except the mLSTM's n×n memory and scalar stabiliser.
EXPECTED_STATE = {"mlstm": lambda n: n + n * n + n + 1}


@st.composite
def cells(draw):
    key = draw(st.sampled_from(sorted(rt.CELLS)))
    n = draw(st.integers(1, 6))
    if key == "lru":
        n = 2 * ((n + 1) // 2)
    m = draw(st.integers(1, 4))
    return rt.CELLS[key].random(hidden_size=n, input_size=m, rng=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=60, deadline=None)
@given(cell=cells(), T=st.integers(0, 5), data=st.data())
def test_shapes_and_dtypes(cell, T, data):
    d, n, m = cell.state_size, cell.hidden_size, cell.input_size
    assert d == EXPECTED_STATE.get(cell.key, lambda n: n * len(cell.state_parts))(n)
    assert cell.num_params == EXPECTED_PARAMS[cell.key](n, m)
    xs = np.asarray(data.draw(st.lists(st.lists(st.floats(-3, 3), min_size=m, max_size=m), min_size=T, max_size=T)))
    xs = xs.reshape(T, m)
    S = cell.run(xs)
    assert S.shape == (T + 1, d) and S.dtype == np.float64
    assert np.array_equal(S[0], np.zeros(d))
    x, s = np.ones(m, dtype=np.float32), np.full(d, 0.25)
    assert cell.step(x, s).shape == (d,) and cell.step(x, s).dtype == np.float64
    assert cell.jacobian(x, s).shape == (d, d) and cell.jacobian(x, s).dtype == np.float64
    if T:  # run is step applied in order
        assert np.array_equal(S[1], cell.step(xs[0], S[0]))


@pytest.mark.parametrize("key", sorted(rt.CELLS))
def test_random_is_deterministic_and_round_trips(key):
    a = rt.CELLS[key].random(hidden_size=4, input_size=3, rng=5)
    b = rt.CELLS[key].random(hidden_size=4, input_size=3, rng=5)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    c = rt.CELLS[key](**a.params)
    assert c.hidden_size == 4 and c.input_size == 3
    assert list(c.params) == list(rt.CELLS[key].param_shapes)


@pytest.mark.parametrize("key", sorted(rt.CELLS))
def test_parameters_are_validated(key):
    params = rt.CELLS[key].random(hidden_size=4, input_size=3, rng=0).params
    name = next(iter(params))
    with pytest.raises(ValueError, match=rf"{name} must have shape .* got \(5, 5\)"):
        rt.CELLS[key](**{**params, name: np.zeros((5, 5))})
    for bad in (np.nan, np.inf):
        broken = params[name].copy()
        broken.flat[0] = bad
        with pytest.raises(ValueError, match=rf"{name} contains NaN or inf"):
            rt.CELLS[key](**{**params, name: broken})
    with pytest.raises(ValueError, match=r"missing \['" + name):
        rt.CELLS[key](**{k: v for k, v in params.items() if k != name})
    with pytest.raises(ValueError, match=r"unknown \['Q'\]"):
        rt.CELLS[key](Q=np.zeros(4), **params)


def test_parameters_are_copied_and_read_only():
    W = np.eye(2)
    cell = rt.CELLS["rnn"](W=W, U=np.ones((2, 1)), b=np.zeros(2))
    W[0, 0] = 5.0
    assert cell.params["W"][0, 0] == 1.0
    with pytest.raises(ValueError):
        cell.params["W"][0, 0] = 2.0


@pytest.mark.parametrize("key", sorted(rt.CELLS))
def test_inputs_and_states_are_validated(key):
    cell = rt.CELLS[key].random(hidden_size=4, input_size=3, rng=0)
    x, s = np.zeros(3), np.zeros(cell.state_size)
    with pytest.raises(ValueError, match=r"x must have shape \(3,\)"):
        cell.step(np.zeros(2), s)
    with pytest.raises(ValueError, match=rf"state must have shape \({cell.state_size},\)"):
        cell.jacobian(x, np.zeros(cell.state_size + 1))
    with pytest.raises(ValueError, match="finite"):
        cell.step(np.array([0.0, np.nan, 0.0]), s)
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 3\)"):
        cell.run(np.zeros(3))


def test_cell_specific_options():
    assert rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0, activation="relu").activation == "relu"
    with pytest.raises(ValueError, match="activation must be one of"):
        rt.CELLS["rnn"](W=np.eye(1), U=np.eye(1), b=np.zeros(1), activation="softplus")
    lstm = rt.CELLS["lstm"].random(hidden_size=3, input_size=1, rng=0, forget_bias=2.5)
    assert np.array_equal(lstm.params["b_f"], np.full(3, 2.5))
    with pytest.raises(TypeError):
        rt.CELLS["lstm_nofg"].random(hidden_size=3, input_size=1, forget_bias=1.0)
    with pytest.raises(ValueError, match="even"):
        rt.CELLS["lru"].random(hidden_size=3, input_size=1)
    with pytest.raises(ValueError, match=r"r must lie in \[0, 1\)"):
        rt.CELLS["lru"](r=[1.0], theta=[0.0], B=np.ones((2, 1)))


def test_gain_scales_recurrent_weights():
    """W ~ N(0, gain²/n): the sample standard deviation of n² entries is gain/√n to within 5%."""
    n = 200
    W = rt.CELLS["rnn"].random(hidden_size=n, input_size=1, rng=0, gain=2.0).params["W"]
    assert W.std() == pytest.approx(2.0 / np.sqrt(n), rel=0.05)
