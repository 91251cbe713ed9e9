"""Fuzz: the numeric API's arguments (issue: numbers never silently off).

Integers must be integers and real inputs real: anything else is a ValueError naming the
argument, never a silent rounding or a dropped imaginary part. Weights near the ends of float64's
range either give the right curve or a ValueError saying why.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnn_theory as rt
from rnn_theory.flow import gradient_norms, largest_lyapunov, lyapunov_spectrum

CELL = rt.CELLS["rnn"].random(hidden_size=3, input_size=1, rng=0)
XS = np.random.default_rng(0).normal(size=(30, 1))

CALLS = {
    "spectrum": lambda **kw: lyapunov_spectrum(CELL, **{"xs": XS, **kw}),
    "largest": lambda **kw: largest_lyapunov(CELL, **{"xs": XS, **kw}),
    "norms-exact": lambda **kw: gradient_norms(CELL, **{"xs": XS, **kw}),
    "norms-probe": lambda **kw: gradient_norms(CELL, method="probe", **{"xs": XS, **kw}),
}
LYAPUNOV = ("spectrum", "largest")

BAD = {
    "burn_in-float": (LYAPUNOV, {"burn_in": 2.5}),
    "burn_in-integral-float": (LYAPUNOV, {"burn_in": 2.0}),
    "burn_in-bool": (LYAPUNOV, {"burn_in": True}),
    "burn_in-str": (LYAPUNOV, {"burn_in": "2"}),
    "k-float": (("spectrum",), {"k": 2.0}),
    "k-bool": (("spectrum",), {"k": True}),
    "xs-complex": (tuple(CALLS), {"xs": XS + 1j}),
    "s0-complex": (tuple(CALLS), {"s0": np.ones(3) * 1j}),
    "xs-strings": (tuple(CALLS), {"xs": np.array([["a"]] * 30)}),
    "xs-1d": (tuple(CALLS), {"xs": np.zeros(30)}),
    "xs-wrong-m": (tuple(CALLS), {"xs": np.zeros((30, 2))}),
    "xs-empty": (LYAPUNOV, {"xs": np.zeros((0, 1))}),  # gradient_norms: an empty curve
    "xs-nan": (tuple(CALLS), {"xs": np.full((30, 1), np.nan)}),
    "s0-wrong": (tuple(CALLS), {"s0": np.zeros(4)}),
    "seed-negative": (tuple(CALLS), {"seed": -1}),
    "seed-float": (tuple(CALLS), {"seed": 1.5}),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_argument_is_refused_by_name(case):
    functions, arguments = BAD[case]
    for name in functions:
        with pytest.raises(ValueError) as error:
            CALLS[name](**arguments)
        assert "\n" not in str(error.value)


@settings(max_examples=40, deadline=None)
@given(burn_in=st.one_of(st.floats(0, 29).filter(lambda b: b != int(b)), st.booleans(), st.just(np.float64(3.0))))
def test_burn_in_must_be_an_integer(burn_in):
    with pytest.raises(ValueError, match="burn_in"):
        lyapunov_spectrum(CELL, XS, burn_in=burn_in)


def test_numpy_integers_are_integers():
    assert np.array_equal(lyapunov_spectrum(CELL, XS, burn_in=np.int64(2)), lyapunov_spectrum(CELL, XS, burn_in=2))


@pytest.mark.parametrize("method", ["exact", "probe"])
@pytest.mark.parametrize("scale", [1e-200, 1e-300, 1e-310])
def test_tiny_weights_give_the_right_slope_or_a_reason(method, scale):
    """tanh RNN with W = scale·I and zero input: s stays 0, J_t = scale·I, so ln‖P_τ‖ = τ·ln(scale)
    exactly (the probe too: with I its probes see the whole norm); or a ValueError saying why."""
    cell = rt.CELLS["rnn"](W=scale * np.eye(3), U=np.ones((3, 1)), b=np.zeros(3))
    try:
        flow = gradient_norms(cell, np.zeros((6, 1)), method=method)
    except ValueError as error:
        assert "underflow" in str(error)
        return
    np.testing.assert_allclose(flow.log_norm, np.log(scale) * flow.lags, rtol=1e-12)


def test_relu_underflow_is_right_or_refused():
    """relu RNN, W = 1e-200·I, s0 = 1: the state is 1e-200·τ-fold smaller each step, positive, so
    relu' = 1 and ln‖P_τ‖ = −460.517…·τ; float64 underflows the state to 0 at the second step."""
    cell = rt.CELLS["rnn"](W=1e-200 * np.eye(2), U=np.zeros((2, 1)), b=np.zeros(2), activation="relu")
    try:
        flow = gradient_norms(cell, np.zeros((4, 1)), s0=np.ones(2))
    except ValueError as error:
        assert "underflow" in str(error) and "relu" in str(error)
        return
    np.testing.assert_allclose(flow.log_norm, np.log(1e-200) * flow.lags, rtol=1e-12)
