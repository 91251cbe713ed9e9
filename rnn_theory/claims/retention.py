"""Diagonal retention in (0, 1): the state Jacobians of Mamba's selective scan (Gu & Dao 2023) and of
Griffin's RG-LRU (De et al. 2024) are diagonal with entries in (0, 1), so the gradient through the
state cannot grow with the lag."""

import numpy as np
import sympy as sp

from ..cells import CELLS
from ._complex_step import step_jacobian
from ._counterexample import counterexample
from ._products import jacobian_products, log_spectral_norm
from ._registry import Source, Verdict, claim
from ._symbolic import symbolic_evidence, unproven


def _softplus(a):
    return np.logaddexp(0.0, a)


def _sigmoid(a):
    return np.exp(-_softplus(-a))  # σ(a) = e^{−softplus(−a)}: no overflow, full relative precision


def _mamba_retention(p, x):
    """exp(Δ ⊙ A), Δ = softplus(W_Δ x + b_Δ): the selective scan's Ā (Gu & Dao 2023)."""
    return np.exp(_softplus(p["W_delta"] @ x + p["b_delta"]) * p["A"])


def _rglru_retention(p, x):
    """a_t = a^{c r_t} = exp(−c r_t softplus(−Λ)), r_t = σ(W_a W_in x + b_a), c = 8 (De et al. 2024)."""
    r = _sigmoid(p["W_a"] @ (p["W_in"] @ x) + p["b_a"])
    return np.exp(-8.0 * r * _softplus(-p["Lambda"]))


_RETENTION = {"mamba": _mamba_retention, "rglru": _rglru_retention}
# Parameters set to extremes in the adversarial cases: a retention parameter pushed towards 0 and 1.
_EXTREMES = {
    "mamba": {"A": (-1e3, -1e-9), "b_delta": (-50.0, 50.0)},
    "rglru": {"Lambda": (-30.0, 30.0), "b_a": (-50.0, 50.0)},
}


def _retention_setup(case):
    """(cell, xs) of one adversarial case: random weights scaled ×``weight_scale`` and perturbed,
    inputs N(0, input_scale²), and with ``extreme`` one parameter set to an end of its range."""
    kind, seed, weight_scale, input_scale, extreme = case
    rng = np.random.default_rng(seed)
    base = CELLS[kind].random(hidden_size=4, input_size=3, rng=rng)
    params = {k: weight_scale * v + rng.normal(0, 1, v.shape) for k, v in base.params.items() if k != "A"}
    if kind == "mamba":
        params["A"] = base.params["A"]
    if extreme is not None:
        name, end = extreme
        params[name] = np.full(4, _EXTREMES[kind][name][end])
    return CELLS[kind](**params), rng.normal(0, input_scale, (30, 3))


def _retention_case(case):
    """Off-diagonal size and diagonal error of the complex-step Jacobians against the paper's
    retention, the largest ln‖∂h_T/∂h_{T−τ}‖₂ over τ, and the retention's extremes and rounding."""
    cell, xs = _retention_setup(case)
    off, error, retentions = 0.0, 0.0, []
    for x, J in zip(xs, _complex_step_jacobians(cell, xs, None)):
        expected = _RETENTION[cell.key](cell.params, x)
        off = max(off, np.abs(J[~np.eye(4, dtype=bool)]).max())
        error = max(error, np.abs(np.diag(J) - expected).max())
        retentions.append(expected)
    retentions = np.array(retentions)
    largest = max(log_spectral_norm(*product) for product in jacobian_products(cell, xs).values())
    return {
        "off_diagonal": float(off),
        "diagonal_error": float(error),
        "max_log_norm": float(largest),
        "min_retention": float(retentions.min()),
        "max_retention": float(retentions.max()),
        "rounded_to_one": int((retentions == 1.0).sum()),
        "rounded_to_zero": int((retentions == 0.0).sum()),
    }


def _complex_step_jacobians(cell, xs, s0):
    """∂s_t/∂s_{t−1} along the run by complex step (exact to rounding; no Jacobian code)."""
    return [step_jacobian(cell, x, s) for x, s in zip(xs, cell.run(xs, s0)[:-1])]


def _not_contracting_diagonal(cell, xs, s0, log_norm):
    """Refutes the claim on one run: a one-step Jacobian has a nonzero off-diagonal entry, or the
    state gradient grew (ln‖∂h_T/∂h_{T−τ}‖₂ > 0 beyond rounding)."""
    mask = ~np.eye(cell.state_size, dtype=bool)
    return log_norm > LOG_NORM_TOLERANCE or any(
        np.abs(J[mask]).max() > 0 for J in _complex_step_jacobians(cell, xs, s0)
    )


def _retention_cases(kind):
    ordinary = [(kind, 1300 + s, w, x, None) for s in range(3) for w in (1.0, 10.0) for x in (1.0, 100.0)]
    extreme = [(kind, 1400 + k, 1.0, 10.0, (name, end)) for k, name in enumerate(_EXTREMES[kind]) for end in (0, 1)]
    return ordinary + extreme


def _retention_proof(log_retention):
    """{statement: proven}: the retention's logarithm is negative (the retention lies in (0, 1)) and
    decreases as the step size grows (larger Δ or r forgets faster)."""
    step, rate = sp.symbols("step rate", positive=True)  # Δ or c·r; −A or softplus(−Λ)
    value = log_retention(step, rate)
    return {
        "ln(retention) < 0, so 0 < retention < 1": bool(value.is_negative),
        "∂ retention/∂ step < 0 (a larger step forgets faster)": bool(sp.diff(sp.exp(value), step).is_negative),
    }


# Complex step is exact to rounding: the diagonal matches the paper's formula to a few ulps of the
# exponent (|ΔA| up to ~50 here); a product of factors in (0, 1] has ln‖·‖ ≤ 0 up to the rounding of
# the rescaled products.
DIAGONAL_TOLERANCE, LOG_NORM_TOLERANCE = 1e-14, 1e-12


def _retention_verdict(ctx, kind):
    rows = ctx.map(_retention_case, _retention_cases(kind))
    evidence = {
        "symbolic": symbolic_evidence(kind) | _retention_proof(lambda step, rate: -step * rate),
        "cases": len(rows),
        "max_abs_off_diagonal": max(r["off_diagonal"] for r in rows),
        "max_abs_error_diagonal_vs_formula": max(r["diagonal_error"] for r in rows),
        "max_ln_norm_state_gradient": max(r["max_log_norm"] for r in rows),
        "min_retention": min(r["min_retention"] for r in rows),
        "max_retention": max(r["max_retention"] for r in rows),
        "retentions_rounded_to_1": sum(r["rounded_to_one"] for r in rows),
        "retentions_rounded_to_0": sum(r["rounded_to_zero"] for r in rows),
    }
    if evidence["max_abs_error_diagonal_vs_formula"] > DIAGONAL_TOLERANCE:
        raise RuntimeError(
            f"{kind}: the Jacobian's diagonal differs from the paper's retention; inspect _retention_case"
        )
    if evidence["max_abs_off_diagonal"] == 0 and evidence["max_ln_norm_state_gradient"] <= LOG_NORM_TOLERANCE:
        return Verdict("holds", evidence) if all(evidence["symbolic"].values()) else unproven(evidence)
    case = _retention_cases(kind)[int(np.argmax([r["max_log_norm"] + r["off_diagonal"] for r in rows]))]
    cell, xs = _retention_setup(case)
    example = counterexample(cell, xs, np.zeros(4), len(xs), _not_contracting_diagonal)
    return Verdict("refuted", evidence, counterexample=example)


@claim(
    id="gu2023.state-gradient-cannot-explode",
    statement="the selective scan's state Jacobian is diag(exp(Δ_t A)) with entries in (0, 1), so the gradient through "
    "the state cannot grow with the lag, and a larger Δ_t forgets faster",
    source=Source(
        "gu2023",
        None,
        "the selective SSM (S6): h_t = Ā_t h_{t−1} + B̄_t x_t with Ā_t = exp(Δ_t A), Δ_t = softplus(·)",
        "derived",
        "a consequence of the selective scan's equations (A < 0 diagonal, Δ_t > 0) that the package checks; the "
        "paper's text was not read, so nothing is quoted",
    ),
    asks="worst_case",
    method="complex-step Jacobians (no Jacobian code) of Mamba cells (n = 4, m = 3, T = 30) with weights ×{1, 10} plus "
    "N(0, 1), inputs N(0, s²), s ∈ {1, 100}, and A or b_Δ at extremes (A ∈ {−10³, −10⁻⁹}, b_Δ = ±50): off-diagonal "
    "entries, the diagonal against exp(softplus(W_Δ x + b_Δ) ⊙ A) computed here, and max over τ of "
    "ln‖∂h_T/∂h_{T−τ}‖₂ (entries that round to exactly 0 or 1 in float64 are counted); SymPy: ln Ā = ΔA < 0 and "
    "∂Ā/∂Δ < 0 for Δ > 0, A < 0",
    recorded="holds",
)
def scan_cannot_explode(ctx):
    return _retention_verdict(ctx, "mamba")


@claim(
    id="de2024.rglru-gate-in-unit-interval",
    statement="the RG-LRU's state Jacobian is diag(a_t) with a_t = a^{c r_t} in (0, 1), so the gradient through the "
    "state cannot grow with the lag",
    source=Source(
        "de2024",
        None,
        "the RG-LRU: h_t = a_t ⊙ h_{t−1} + √(1 − a_t²) ⊙ (i_t ⊙ x_t), a_t = a^{c r_t}, a = σ(Λ)",
        "derived",
        "a consequence of the RG-LRU's equations that the package checks; the paper's text was not read, so nothing "
        "is quoted",
    ),
    asks="worst_case",
    method="complex-step Jacobians of RG-LRU cells (n = 4, m = 3, T = 30) with weights ×{1, 10} plus N(0, 1), inputs "
    "N(0, s²), s ∈ {1, 100}, and Λ or b_a at extremes (Λ = ±30, b_a = ±50): off-diagonal entries, the diagonal "
    "against exp(−8 σ(W_a W_in x + b_a) softplus(−Λ)) computed here, and max over τ of ln‖∂h_T/∂h_{T−τ}‖₂ (entries "
    "that round to exactly 0 or 1 in float64 are counted); SymPy: ln a_t = −c r_t softplus(−Λ) < 0",
    recorded="holds",
)
def rglru_gate_in_unit_interval(ctx):
    return _retention_verdict(ctx, "rglru")
