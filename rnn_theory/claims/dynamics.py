"""Claims about long-run dynamics: the chaos transition of random tanh networks, the LRU's exact decay."""

import numpy as np

from ..cells import CELLS
from ..flow import gradient_norms, largest_lyapunov
from ._counterexample import counterexample
from ._registry import Verdict, claim
from ._symbolic import symbolic_evidence, unproven

GAINS = (0.5, 0.8, 0.9, 0.95, 1.05, 1.1, 1.2, 1.5, 2.0, 3.0)
# A finite-time estimate of a zero exponent (a fixed point's neutral direction, a cycle) is off by
# O(1/T): only |λ_1| > 1e-3 counts as a sign, below that λ_1 is "marginal".
MARGIN = 1e-3


def _lyapunov_case(case):
    gain, n, T, seed = case
    cell = CELLS["rnn"].random(hidden_size=n, input_size=1, rng=seed, gain=gain)
    s0 = np.random.default_rng(seed).uniform(-1, 1, n)
    return float(largest_lyapunov(cell, np.zeros((T, 1)), s0, burn_in=T // 3))


@claim(
    id="scs.chaos-at-gain-one",
    statement="a random tanh network, W ~ N(0, g²/n), no input: λ_1 < 0 for g < 1, λ_1 > 0 for g > 1",
    source="Sompolinsky, Crisanti & Sommers 1988, PRL 61:259 (continuous time); here the discrete-time map "
    "h' = tanh(W h) (Molgedey, Schuchhardt & Schuster 1992)",
    method="largest Lyapunov exponent by a renormalised tangent vector over T = 2000 steps (first third "
    "discarded), n = 200, 3 seeds per gain, gains 0.5…3 (quick: n = 100, T = 1500, 1 seed)",
    recorded="holds-if",
)
def chaos_at_gain_one(ctx):
    n, T, seeds = (100, 1500, range(1)) if ctx.quick else (200, 2000, range(3))
    cases = [(g, n, T, 700 + s) for g in GAINS for s in seeds]
    exponents = ctx.map(_lyapunov_case, cases)
    by_gain = {f"{g:g}": [e for (gc, *_), e in zip(cases, exponents) if gc == g] for g in GAINS}
    evidence = {"n": n, "T": T, "lambda_1_by_gain": by_gain}
    wrong_below = [(c, e) for c, e in zip(cases, exponents) if c[0] < 1 and e > MARGIN]
    if wrong_below:
        (gain, n, T, seed), exponent = wrong_below[0]
        cell = CELLS["rnn"].random(hidden_size=n, input_size=1, rng=seed, gain=gain)
        s0 = np.random.default_rng(seed).uniform(-1, 1, n)
        return Verdict("refuted", evidence, counterexample=counterexample(cell, np.zeros((T, 1)), s0, T))
    chaotic = [g for g in GAINS if g > 1 and all(e > MARGIN for e in by_gain[f"{g:g}"])]
    if chaotic and all(g in chaotic for g in GAINS if g > 1):
        return Verdict("holds", evidence)
    onset = min((g for g in chaotic if all(h in chaotic for h in GAINS if h >= g)), default=None)
    if onset is None:
        cell = CELLS["rnn"].random(hidden_size=n, input_size=1, rng=cases[-1][3], gain=GAINS[-1])
        s0 = np.random.default_rng(cases[-1][3]).uniform(-1, 1, n)
        return Verdict("refuted", evidence, counterexample=counterexample(cell, np.zeros((T, 1)), s0, T))
    quiet = [g for g in GAINS if 1 < g < onset]
    return Verdict(
        "holds-if",
        evidence,
        condition=f"λ_1 < {MARGIN:g} for every g < 1 tested; λ_1 > {MARGIN:g} for g >= {onset:g} at n = {n}, but "
        f"at g = {', '.join(f'{g:g}' for g in quiet)} finite networks can settle on fixed points or cycles "
        "(λ_1 ≈ 0 or < 0): the transition at g = 1 is sharp only as n → ∞",
    )


def _lru_case(case):
    seed, T, r_max = case
    rng = np.random.default_rng(seed)
    k = 4
    r = np.sort(rng.uniform(0, r_max, k))
    r[-1] = r_max
    theta = rng.choice([0.0, np.pi, 1e-9, rng.uniform(0, 2 * np.pi)], size=k)  # degenerate rotations too
    cell = CELLS["lru"](r=r, theta=theta, B=rng.normal(size=(2 * k, 1)))
    flow = gradient_norms(cell, rng.normal(size=(T, 1)))
    expected = flow.lags * np.log(r_max)
    return float(np.max(np.abs(flow.log_norm - expected) / np.abs(expected)))


@claim(
    id="lru.exact-decay",
    statement="for the LRU, ‖∂s_T/∂s_{T−τ}‖₂ = (max_k r_k)^τ exactly",
    source="Orvieto et al. 2023, 'Resurrecting recurrent neural networks for long sequences', ICML",
    method="gradient_norms over every lag up to 10⁵ for r_max = 0.5 and 2·10⁴ for r_max = 0.9, 0.999, 0.999999 "
    "(quick: 10⁴) against τ·ln max_k r_k, rotation angles including the degenerate 0 and π; proven: A is block-diagonal "
    "with blocks r_k·R(θ_k), so A^τ has blocks r_k^τ·R(τθ_k) and singular values r_k^τ",
    recorded="holds",
)
def lru_exact_decay(ctx):
    lags = {0.5: 100_000, 0.9: 20_000, 0.999: 20_000, 0.999999: 20_000}
    cases = [(1200 + s, 10_000 if ctx.quick else T, r_max) for s, (r_max, T) in enumerate(lags.items())]
    errors = ctx.map(_lru_case, cases)
    evidence = {
        "symbolic": symbolic_evidence("lru"),
        "max_lag_by_r_max": {f"{c[2]:g}": c[1] for c in cases},
        "max_relative_error_by_r_max": {f"{c[2]:g}": e for c, e in zip(cases, errors)},
    }
    # The tolerance: 1e-9 relative at lag 10⁵, i.e. no drift from accumulated rounding.
    if max(errors) <= 1e-9:
        return Verdict("holds", evidence) if all(evidence["symbolic"].values()) else unproven(evidence)
    seed, _, r_max = cases[int(np.argmax(errors))]
    cell = CELLS["lru"](r=[r_max], theta=[0.0], B=np.ones((2, 1)))
    return Verdict("refuted", evidence, counterexample=counterexample(cell, np.zeros((1, 1)), np.zeros(2), 1))
