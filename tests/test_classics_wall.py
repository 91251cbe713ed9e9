"""The one-unit wall of Pascanu et al. (2013, §3, Fig. 6) and clipping (their Algorithm 1):
derivatives by forward mode against complex step and mpmath, the wall against the fixed points."""

import mpmath as mp
import numpy as np
import pytest

from rnn_theory.classics import (
    clip_by_norm,
    descend,
    final_state,
    fixed_points,
    one_unit_loss,
    saddle_node_biases,
    step_lengths,
    wall_crossing,
    wall_location,
)

# Points off, near and on the wall (w = 4.5: the wall is at b ≈ −2.3011).
POINTS = [(1.0, 0.0), (3.0, -1.0), (4.5, -2.29), (4.5, -2.303), (5.0, -2.6)]
H = 1e-30  # complex step: no subtractive cancellation, so any h far below √eps is exact to rounding


def complex_step(f, w, b, which):
    step = 1j * H
    return np.imag(f(w + step, b) if which == 0 else f(w, b + step)) / H


@pytest.mark.parametrize("w,b", POINTS)
def test_gradient_matches_complex_step(w, b):
    _, grad, _ = one_unit_loss(w, b)
    loss = lambda w_, b_: one_unit_loss(w_, b_)[0]
    for which in range(2):
        # Same operations in complex arithmetic: agreement to ~1e-13 relative even on the wall.
        assert float(grad[which]) == pytest.approx(complex_step(loss, w, b, which), rel=1e-11, abs=1e-15)


@pytest.mark.parametrize("w,b", POINTS)
def test_hessian_matches_complex_step_of_the_gradient(w, b):
    _, _, hess = one_unit_loss(w, b)
    for which in range(2):
        column = complex_step(lambda w_, b_: one_unit_loss(w_, b_)[1], w, b, which)
        np.testing.assert_allclose(hess[:, which], column, rtol=1e-10, atol=1e-14)


def mp_loss(w, b, steps=50):
    x = mp.mpf("0.5")
    for _ in range(steps):
        x = w / (1 + mp.exp(-x)) + b
    return (1 / (1 + mp.exp(-x)) - mp.mpf("0.7")) ** 2


@pytest.mark.parametrize("w,b", [(3.0, -1.0), (4.5, -2.303)])
def test_derivatives_match_mpmath(w, b):
    """mpmath's own numerical differentiation at 40 digits: an independent route (no forward mode)."""
    E, grad, hess = one_unit_loss(w, b)
    with mp.workdps(40):
        w_, b_ = mp.mpf(w), mp.mpf(b)
        assert float(E) == pytest.approx(float(mp_loss(w_, b_)), rel=1e-12)
        assert float(grad[0]) == pytest.approx(float(mp.diff(lambda t: mp_loss(t, b_), w_)), rel=1e-9)
        assert float(grad[1]) == pytest.approx(float(mp.diff(lambda t: mp_loss(w_, t), b_)), rel=1e-9)
        # Float64 forward mode loses ~|∂x_T/∂x_0| ulps on the wall (≈1e3 here): 1e-9 is ample.
        assert float(hess[0, 0]) == pytest.approx(float(mp.diff(lambda t: mp_loss(t, b_), w_, 2)), rel=1e-9)
        assert float(hess[0, 1]) == pytest.approx(
            float(mp.diff(lambda t, u: mp_loss(t, u), (w_, b_), (1, 1))), rel=1e-9
        )


@pytest.mark.parametrize("w,b,count", [(2.0, 0.0, 1), (8.0, -4.0, 3), (8.0, -6.0, 1), (-3.0, 1.0, 1)])
def test_fixed_points_solve_the_map_and_are_all_found(w, b, count):
    points = fixed_points(w, b)
    assert len(points) == count
    for x, _slope in points:
        assert w / (1 + np.exp(-x)) + b == pytest.approx(x, abs=1e-12)
    # Three fixed points of an increasing map alternate stable, unstable, stable.
    assert [abs(slope) < 1 for _, slope in points] == ([True, False, True] if count == 3 else [True])


@pytest.mark.parametrize("w", [4.5, 6.0, 10.0])
def test_saddle_nodes_are_where_the_number_of_fixed_points_changes(w):
    """The closed form (f = x and f' = 1) against counting roots by bisection on either side."""
    low, high = saddle_node_biases(w)
    counts = [len(fixed_points(w, b)) for b in (low - 1e-6, low + 1e-6, high - 1e-6, high + 1e-6)]
    assert counts == [1, 3, 3, 1]


@pytest.mark.parametrize("w", [4.1, 4.5, 5.0, 5.5])
def test_wall_sits_where_the_fixed_points_put_it_and_gradient_and_curvature_explode_together(w):
    crossing = wall_crossing(w, -8.0, 0.0)
    # T = 50 smooths the jump over a width that shrinks like |f'(x*)|^−T; the saddle-node walls
    # (w < 4.26) are the widest: measured 0.013 off at w = 4.1, below 0.002 from w = 4.5 on.
    assert crossing["measured"] == pytest.approx(crossing["predicted"], abs=0.02)
    assert crossing["kind"] == ("saddle-node" if w < 4.26 else "basin boundary")
    assert crossing["gradient"] > 300 * crossing["gradient_far"]
    assert crossing["curvature"] > crossing["gradient"]


def test_wall_follows_the_final_state_jump():
    """The wall is where x_T jumps between the attractors' levels, by bisection on x_T alone."""
    b, _ = wall_location(5.0, -4.0, -1.0)
    assert final_state(5.0, b - 1e-3) < 0 < final_state(5.0, b + 1e-3)
    assert wall_location(3.0, -8.0, 0.0) is None


def test_clipping_keeps_descent_off_the_wall():
    start, rate, threshold = (4.5, -2.6), 0.5, 1.0
    plain, clipped = descend(start, rate, 300), descend(start, rate, 300, threshold=threshold)
    loss = lambda p: float(one_unit_loss(*p)[0])
    # Unclipped: one step on the wall is over 10× the clipped bound and lands on the far plateau
    # σ(x_T) ≈ 1, E ≈ 0.09, where the gradient is ~0; clipped: steps ≤ η·threshold, E → ~0.
    assert step_lengths(plain).max() > 10 * rate * threshold
    assert loss(plain[-1]) > 0.08
    assert step_lengths(clipped).max() <= rate * threshold * (1 + 1e-12)
    assert loss(clipped[-1]) < 0.005


def test_clip_rejects_a_bad_threshold():
    with pytest.raises(ValueError, match="threshold"):
        clip_by_norm(np.ones(2), 0.0)
