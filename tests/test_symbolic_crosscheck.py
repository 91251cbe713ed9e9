"""The general-n expressions evaluated at concrete n = 1, 2, 3 (lambdify) against the numeric cells.

Three routes meet: the derived entries (SymPy diff of the update), the symbolic closed form, and
the numeric ``cell.jacobian`` / ``cell.step``; plus central differences of ``cell.step``, which
share no formula with any of them. σ in the lambdified code is 1/(1 + e^{−a}), the backend's is
(1 + tanh(a/2))/2, so agreement is to rounding, not bit for bit.
"""

import functools

import numpy as np
import pytest
from conftest import ZOO, ZOO_IDS, generic_cell, generic_point

from rnn_theory.symbolic.derive import derive
from rnn_theory.symbolic.numeric import jacobian_from, step_from

# Entries are O(1) sums of at most ~3n + 6 products of O(1) factors: float64 rounding stays
# below 1e-13; 1e-12 leaves a margin while still catching any wrong term (those are O(0.01)+).
ROUNDING = 1e-12
# Central differences with step 1e-6: truncation ~ h²·|f'''| ≈ 1e-12, cancellation ~ ε/h ≈ 1e-10.
CENTRAL = 1e-7


@functools.cache
def _derivation(key, *options):
    """``derive`` of the cell ``key`` with ``options`` (name, value pairs), once per module: the derivation
    is for general n and uses only the cell's methods (``rnn_theory.symbolic.derive.as_cell``), so it is
    the same object at every n and seed checked here (the module runs on one xdist worker: SHARED)."""
    return derive(key, **dict(options))


def central_differences(cell, x, s, h=1e-6):
    columns = [(cell.step(x, s + h * e) - cell.step(x, s - h * e)) / (2 * h) for e in np.eye(cell.state_size)]
    return np.array(columns).T


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("key, options", ZOO, ids=ZOO_IDS)
def test_derived_entries_match_the_numeric_jacobian(key, options, n):
    cell = generic_cell(key, n, 2, seed=10 + n, **options)
    derivation = _derivation(key, *options.items())
    for point in range(2):
        x, s = generic_point(cell, 100 * n + point)
        J = cell.jacobian(x, s)
        np.testing.assert_allclose(jacobian_from(derivation, cell, x, s), J, rtol=0, atol=ROUNDING)
        np.testing.assert_allclose(jacobian_from(derivation, cell, x, s, which="closed"), J, rtol=0, atol=ROUNDING)
        # The derivation in steps, its last result written out: a third symbolic route, numerically.
        np.testing.assert_allclose(jacobian_from(derivation, cell, x, s, which="expanded"), J, rtol=0, atol=ROUNDING)
        np.testing.assert_allclose(
            jacobian_from(derivation, cell, x, s), central_differences(cell, x, s), rtol=0, atol=CENTRAL
        )


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("key, options", ZOO, ids=ZOO_IDS)
def test_symbolic_update_is_the_numeric_step(key, options, n):
    """One source of truth: the update SymPy differentiates is the step the numeric code runs."""
    cell = generic_cell(key, n, 2, seed=20 + n, **options)
    x, s = generic_point(cell, 7 * n)
    derivation = _derivation(key, *options.items())
    np.testing.assert_allclose(step_from(derivation, cell, x, s), cell.step(x, s), rtol=0, atol=ROUNDING)


def test_relu_at_zero_follows_the_numeric_convention():
    """At a pre-activation exactly 0, both sides take relu'(0) = 0."""
    from rnn_theory.cells import RNN

    cell = RNN(W=np.array([[0.5, -1.0], [2.0, 0.3]]), U=np.zeros((2, 1)), b=np.array([0.0, 1.0]), activation="relu")
    x, s = np.zeros(1), np.zeros(2)  # a = (0, 1)
    J = jacobian_from(derive(cell), cell, x, s)
    np.testing.assert_array_equal(J, cell.jacobian(x, s))
    np.testing.assert_array_equal(J[0], [0.0, 0.0])
