"""The seed's claims about vanilla RNNs: the Jacobian product, and what the spectral radius says."""

import numpy as np

from ..cells import CELLS
from ._counterexample import counterexample
from ._products import growth_rate, jacobian_products, log_spectral_norm
from ._registry import Verdict, claim
from ._symbolic import symbolic_evidence, unproven
from ._trained import trained_models
from ._search import (
    best_saturation_set,
    minimal_two_unit_counterexample,
    saturation_steered_rnn,
    spectral_radius,
    structured_matrices,
)

OLAH = "Olah 2015, 'Understanding LSTM Networks' (the seed); Bengio, Simard & Frasconi 1994"


def _complex_step_lag_derivative(cell, xs, s, h=1e-30):
    """∂s_T/∂s_{T−τ} by complex step through the τ = len(xs) steps: no Jacobian code involved."""
    columns = []
    for e in np.eye(cell.state_size):
        z = s + 1j * h * e
        for x in xs:
            z = cell.step(x, z)
        columns.append(z.imag / h)
    return np.stack(columns, axis=1)


def _product_setup(case):
    """(cell, xs, s_{T−τ}) of one case: a random RNN with nonzero biases, τ inputs, a random state."""
    activation, n, tau, seed = case
    rng = np.random.default_rng(seed)
    cell = CELLS["rnn"].random(hidden_size=n, input_size=2, rng=rng, gain=1.5, activation=activation)
    cell = CELLS["rnn"](activation=activation, **{**cell.params, "b": rng.normal(0, 0.5, n)})
    return cell, rng.normal(size=(tau, 2)), rng.normal(size=n)


def _product_case(case):
    cell, xs, s = _product_setup(case)
    n = cell.hidden_size
    states = cell.run(xs, s)
    Js = [cell.jacobian(x, h) for x, h in zip(xs, states[:-1])]  # J_{T−τ+1}, …, J_T
    ordered = np.linalg.multi_dot([np.eye(n), *Js[::-1]])  # J_T···J_{T−τ+1}
    reversed_ = np.linalg.multi_dot([np.eye(n), *Js])
    truth = _complex_step_lag_derivative(cell, xs, s)
    scale = max(np.abs(truth).max(), 1e-300)
    return np.abs(ordered - truth).max() / scale, np.abs(reversed_ - truth).max() / scale


@claim(
    id="seed.jacobian-product",
    statement="∂h_t/∂h_{t−τ} is the ordered product of τ Jacobians diag(φ'(a_k))·W",
    source=f"{OLAH}; Pascanu, Mikolov & Bengio 2013, eq. (5)",
    method="closed-form Jacobians multiplied in order J_t···J_{t−τ+1} against complex-step derivatives "
    "of τ steps of the cell (tanh, sigmoid, relu; n = 1, 3, 8; τ = 1, 2, 3, 10; random weights, gain 1.5); "
    "the chain rule for τ = 2, 3 in index form is proven symbolically",
    recorded="holds",
)
def jacobian_product(ctx):
    cases = [(a, n, tau, 100 * n + tau) for a in ("tanh", "sigmoid", "relu") for n in (1, 3, 8) for tau in (1, 2, 3, 10)]
    errors = ctx.map(_product_case, cases)
    worst = float(np.max([e for e, _ in errors]))
    evidence = {
        "symbolic": symbolic_evidence("chain_rule_rnn_tau2", "chain_rule_rnn_tau3"),
        "cases": len(cases),
        "max_relative_error_ordered_product": worst,
        "median_relative_error_reversed_product_n>1_tau>1": float(np.median([r for (e, r), c in zip(errors, cases) if c[1] > 1 and c[2] > 1])),
    }
    # Complex step is exact to rounding; a product of ten Jacobians accumulates ~10·n ulps.
    if worst <= 1e-11:
        return Verdict("holds", evidence) if all(evidence["symbolic"].values()) else unproven(evidence)
    cell, xs, s = _product_setup(cases[int(np.argmax([e for e, _ in errors]))])
    return Verdict("refuted", evidence, counterexample=counterexample(cell, xs, s, len(xs)))


def _family_growth(case):
    n, seed, rho = case
    rng = np.random.default_rng(seed)
    rows = {}
    for family, W in structured_matrices(n, rho, rng).items():
        S, block_radius = best_saturation_set(W)
        cell, s0 = saturation_steered_rnn(W, S)
        lags = np.arange(1, 41)
        products = jacobian_products(cell, np.zeros((40, 1)), s0, lags)
        steered = growth_rate([log_spectral_norm(*products[t]) for t in lags], lags)
        random_drive = CELLS["rnn"](W=W, U=rng.normal(0, 1, (n, 1)), b=np.zeros(n))
        products = jacobian_products(random_drive, rng.normal(size=(80, 1)), None, np.arange(1, 81))
        driven = growth_rate([log_spectral_norm(*products[t]) for t in range(1, 81)], np.arange(1, 81))
        rows[family] = {
            "block_radius": block_radius,
            "steered_growth_per_step": steered,
            "random_input_growth_per_step": driven,
        }
    return n, rows


@claim(
    id="seed.rho-below-one-vanishes",
    statement="exponential decay [of ∂h_t/∂h_{t−τ}] when the spectral radius [of W] is below 1",
    source=OLAH,
    method="adversarial: structured W with ρ(W) = 0.9 (scaled identity, orthogonal, symmetric, Gaussian, "
    "non-normal Schur, rotated Jordan; n = 2…16) driven by random inputs and by saturation steering "
    "(units outside a set S saturated, units in S held at a = 0, so J = diag(1_S)·W); growth rates "
    "fitted to ln‖P_{T,τ}‖; a minimal 2-unit counterexample found by grid search",
    recorded="refuted",
)
def rho_below_one(ctx):
    sizes = (2, 4, 8) if ctx.quick else (2, 4, 8, 16)
    families = dict(ctx.map(_family_growth, [(n, 11 + n, 0.9) for n in sizes]))
    W = minimal_two_unit_counterexample()
    S, block_radius = best_saturation_set(W)
    cell, s0 = saturation_steered_rnn(W, S)
    lag = 50
    products = jacobian_products(cell, np.zeros((lag, 1)), s0)
    log_norms = [log_spectral_norm(*products[t]) for t in range(1, lag + 1)]
    evidence = {
        "families_rho_0.9": {str(n): rows for n, rows in families.items()},
        "counterexample_rho_W": spectral_radius(W),
        "counterexample_growth_per_step": growth_rate(log_norms, np.arange(1, lag + 1)),
        "counterexample_expected_growth_ln_block_radius": float(np.log(block_radius)),
    }
    condition = (
        "what does hold: γ·σ_max(W) < 1 guarantees decay (Pascanu 2013); for a linear network ρ(W) < 1 "
        "gives eventual decay (‖W^τ‖^{1/τ} → ρ(W)). In a saturating network, diag(φ'(a_t)) can select a "
        "principal block of W whose spectral radius exceeds 1 even when ρ(W) < 1"
    )
    if log_norms[-1] > 0 and evidence["counterexample_growth_per_step"] > 0:
        example = counterexample(cell, np.zeros((lag, 1)), s0, lag)
        return Verdict("refuted", evidence, condition=condition, counterexample=example)
    return Verdict("holds", evidence)


def _autonomous_decay(w):
    """A one-unit tanh RNN h' = tanh(w h) from h = 1: it settles on the stable fixed point h* with
    |J| = w·(1 − h*²) < 1."""
    cell = CELLS["rnn"](W=[[w]], U=[[0.0]], b=[0.0], activation="tanh")
    lag = 50
    products = jacobian_products(cell, np.zeros((lag, 1)), [1.0])
    log_norms = [log_spectral_norm(*products[t]) for t in range(1, lag + 1)]
    return cell, lag, log_norms


def _driven_growth(case):
    n, seed, rho, input_scale = case
    rng = np.random.default_rng(seed)
    W = structured_matrices(n, rho, rng)["gaussian"]
    cell = CELLS["rnn"](W=W, U=rng.normal(0, input_scale, (n, 1)), b=np.zeros(n))
    T = 120
    products = jacobian_products(cell, rng.normal(size=(T, 1)), rng.uniform(-1, 1, n), np.arange(1, T + 1))
    return growth_rate([log_spectral_norm(*products[t]) for t in range(1, T + 1)], np.arange(1, T + 1))


@claim(
    id="seed.rho-above-one-explodes",
    statement="explosion [of ∂h_t/∂h_{t−τ}] when the spectral radius is above 1",
    source=OLAH,
    method="one-unit tanh RNNs with w in {1.25, 1.5, 2, 3, 5} (no input); Gaussian W with ρ(W) = 1.5 and "
    "n = 32 under inputs of growing scale (0, 1, 3, 10), several seeds; growth rates fitted to ln‖P_{T,τ}‖",
    recorded="refuted",
)
def rho_above_one(ctx):
    seeds = range(2) if ctx.quick else range(4)
    scales = (0.0, 1.0, 3.0, 10.0)
    driven = ctx.sweep(_driven_growth, scales, seeds, lambda scale, s: (32, 200 + s, 1.5, scale))
    by_scale = {
        str(scale): {"fraction_vanishing": float(np.mean(np.array(rates) < 0)), "median_growth_per_step": float(np.median(rates))}
        for scale, rates in driven.items()
    }
    one_unit = {w: _autonomous_decay(w) for w in (1.25, 1.5, 2.0, 3.0, 5.0)}
    evidence = {
        "gaussian_rho_1.5_n32_by_input_scale": by_scale,
        "one_unit_growth_per_step": {str(w): growth_rate(r[2], np.arange(1, r[1] + 1)) for w, r in one_unit.items()},
    }
    vanishing = [w for w, (_, _, log_norms) in one_unit.items() if log_norms[-1] < 0]
    condition = (
        "what does hold: for a linear network ρ(W) > 1 makes ‖W^τ‖ ≥ ρ(W)^τ explode; with a saturating φ, "
        "σ_max(W) > 1/γ is necessary for explosion (Pascanu 2013) but ρ(W) > 1 is not sufficient: "
        "saturation (diag φ' ≈ 0) or a stable fixed point makes gradients vanish"
    )
    if vanishing:
        cell, lag, log_norms = one_unit[max(vanishing)]
        example = counterexample(cell, np.zeros((lag, 1)), [1.0], lag)
        return Verdict("refuted", evidence, condition=condition, counterexample=example)
    return Verdict("holds", evidence)


def _jacobian_radii(case):
    gain, seed = case
    rng = np.random.default_rng(seed)
    cell = CELLS["rnn"].random(hidden_size=64, input_size=4, rng=rng, gain=gain)
    xs = rng.normal(size=(200, 4))
    states = cell.run(xs)
    radii = [spectral_radius(cell.jacobian(x, h)) for x, h in zip(xs[100:], states[100:-1])]
    return float(np.mean(np.array(radii) < 1)), float(np.median(radii))


GAINS = (0.25, 0.5, 1 / np.sqrt(3), 1.0, 1.5, 2.0, 3.0)


@claim(
    id="seed.eigenvalues-typically-below-one",
    statement="the Jacobians' eigenvalues are 'typically less than 1'",
    source=OLAH,
    method="spectral radius ρ(J_t) along runs of tanh RNNs (n = 64, m = 4, inputs N(0, 1), steps 100–200) "
    "with W ~ N(0, g²/n) over gains g (g = 1/√3 is PyTorch's default scale), several seeds",
    recorded="holds-if",
)
def eigenvalues_typically_below_one(ctx):
    seeds = range(2) if ctx.quick else range(4)
    per_gain = {}
    for g, chunk in ctx.sweep(_jacobian_radii, GAINS, seeds, lambda g, s: (g, 300 + s)).items():
        per_gain[f"{g:.4g}"] = {
            "fraction_rho_J_below_1": float(np.mean([f for f, _ in chunk])),
            "median_rho_J": float(np.median([r for _, r in chunk])),
        }
    typical = [g for g in GAINS if per_gain[f"{g:.4g}"]["fraction_rho_J_below_1"] > 0.5]
    evidence = {"tanh_rnn_n64_by_gain": per_gain, "trained_rnn": {}}
    for name, cell, xs in trained_models("rnn", episodes=10):
        states = cell.run(xs)
        radii = np.array([spectral_radius(cell.jacobian(x, h)) for x, h in zip(xs, states[:-1])])
        evidence["trained_rnn"][name] = {"fraction_rho_J_below_1": float(np.mean(radii < 1)), "median_rho_J": float(np.median(radii))}
    if len(typical) == len(GAINS):
        return Verdict("holds", evidence)
    largest = max((g for g in typical if all(t in typical for t in GAINS if t <= g)), default=None)
    if largest is None:  # not even the smallest gain keeps ρ(J_t) < 1 typically
        rng = np.random.default_rng(300)
        cell = CELLS["rnn"].random(hidden_size=64, input_size=4, rng=rng, gain=GAINS[0])
        xs = rng.normal(size=(200, 4))
        log_scale, P = jacobian_products(cell, xs, None, [1])[1]
        example = counterexample(cell, xs, np.zeros(64), 1)
        return Verdict("refuted", evidence, counterexample=example)
    beyond = min(g for g in GAINS if g > largest)
    return Verdict(
        "holds-if",
        evidence,
        condition=f"the recurrent gain is small: ρ(J_t) < 1 at most steps for g <= {largest:.3g} "
        f"(W ~ N(0, g²/n), incl. PyTorch's default g = 1/√3), not for g >= {beyond:.3g}",
    )
