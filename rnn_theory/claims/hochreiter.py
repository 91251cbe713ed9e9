"""Hochreiter's global bound on the error scaling (Hochreiter 1991; Hochreiter & Schmidhuber 1997, §3.1)."""

import functools

import numpy as np

from ..classics.hochreiter import diagonal_net, global_bound, random_net, uniform_net
from ._counterexample import counterexample
from ._products import growth_rate
from ._registry import Source, Verdict, claim
from ._symbolic import symbolic_evidence, unproven
from ._typical import classify, settings_verdict

SIZES, STEPS = (2, 4, 8), 41  # lags q = 1..40
TAUS = (0.5, 0.9, 1.5)  # τ = n·w_max/4: decaying, barely decaying, and past the paper's condition
TYPICAL_SIZES, TYPICAL_TAU, TYPICAL_SEEDS = (4, 8), 0.9, tuple(range(10))
# Rounding in 40 products of n×n matrices (n <= 8) moves a log by far less than 1e-9.
SLACK = 1e-9


def _cases(n, seed):
    """(family, cell, xs, s0) for one size: the constructions that meet the bound within 1/n² and
    1/n, random weights held at f' = 1/4, and random weights under random inputs of three scales."""
    rng = np.random.default_rng(seed)
    out = []
    for tau in TAUS:
        w_max = 4 * tau / n
        zeros = np.zeros((STEPS, 1))
        out.append(("uniform, signs aligned", *uniform_net(n, w_max), zeros))
        out.append(("uniform, signs s_i·s_j", *uniform_net(n, w_max, rng.choice([-1.0, 1.0], n)), zeros))
        out.append(("diagonal, ‖W‖_A = 4τ", *diagonal_net(n, 4 * tau), zeros))
        for scale in (0.3, 1.0, 3.0):
            cell = random_net(n, w_max, rng, scale)
            out.append(("random", cell, np.zeros(n), rng.normal(size=(STEPS, 1))))
    return [(family, cell, s0, xs) for family, cell, s0, xs in out]


def _worst_case(n):
    """Per family: the largest ln(measured/bound), ln(measured/bound with f'_max = 1/4) and ln of the
    middle bound's ratio over all lags and τ; the cases exceeding the bound, kept to replay."""
    rows, kept = {}, []
    for family, cell, s0, xs in _cases(n, 900 + n):
        found = global_bound(cell, xs, s0)
        excess = found["measured"] - found["bound"]
        row = rows.setdefault(family, {"ratio": -np.inf, "ratio_sup": -np.inf, "middle": -np.inf})
        row["ratio"] = max(row["ratio"], float(np.max(excess)))
        row["ratio_sup"] = max(row["ratio_sup"], float(np.max(found["measured"] - found["bound_sup"])))
        row["middle"] = max(row["middle"], float(np.max(found["middle"])))
        if family == "uniform, signs aligned":
            row.setdefault("rate_by_tau", []).append(
                (float(np.log(n * np.abs(cell.params["W"]).max() / 4)), growth_rate(found["measured"], found["lags"]))
            )
        if np.max(excess) > SLACK:
            kept.append((cell, xs, s0, int(np.argmax(excess)) + 1))
    return rows, kept


def _exceeds(cell, xs, s0, _log_norm, lag):
    """Refutes the bound: ln max_{u,v}|∂ϑ_v(T−q)/∂ϑ_u(T)| > ln n·(f'_max‖W‖_A)^q at q = ``lag``."""
    found = global_bound(cell, xs, s0)
    return bool(found["measured"][lag - 1] - found["bound"][lag - 1] > SLACK)


def _typical_net(n, seed):
    """A random net at τ = 0.9 with its N(0, 1) inputs: (cell, xs, s0)."""
    rng = np.random.default_rng(seed)
    cell = random_net(n, 4 * TYPICAL_TAU / n, rng)
    return cell, rng.normal(size=(STEPS, 1)), np.zeros(n)


def _decays_within_bound(cell, xs, s0):
    """(the bound holds at every lag, fitted rate of ln max|scaling| over the second half of the lags)."""
    found = global_bound(cell, xs, s0)
    return bool(np.all(found["measured"] - found["bound"] <= SLACK)), growth_rate(found["measured"], found["lags"])


def _typical_case(case):
    return _decays_within_bound(*_typical_net(*case))


def _not_decaying(cell, xs, s0, _log_norm):
    """Refutes the typical reading on one net: the bound fails at some lag, or the scaling does not decay."""
    held, rate = _decays_within_bound(cell, xs, s0)
    return not (held and rate < 0)


@claim(
    id="hochreiter1997.global-bound",
    statement="|∂ϑ_v(t−q)/∂ϑ_u(t)| <= n·(f'_max·‖W‖_A)^q with ‖W‖_A = max_r Σ_s |w_rs|; for logistic units with "
    "|w_ij| <= w_max < 4.0/n this is n·τ^q, τ = n·w_max/4.0 < 1: the error decays exponentially",
    source=Source(
        "hochreiter1997",
        "we obtain the following inequality: | ∂ϑ_v(t−q)/∂ϑ_u(t) | ≤ n (f′_max)^q ‖W_v‖_x ‖W_{u^T}‖_x ‖W‖_A^{q−2} ≤ "
        "n (f′_max ‖W‖_A)^q. … Note that this is a weak, extreme case upper bound — it will be reached only if all "
        "‖F′(t−m)‖_A take on maximal values, and if the contributions of all paths across which error flows back "
        "from unit u to unit v have the same sign. … We observe that if |w_ij| ≤ w_max < 4.0/n ∀i, j, then "
        "‖W‖_A ≤ n w_max < 4.0 will result in exponential decay — by setting τ := (n w_max/4.0) < 1.0, we obtain "
        "| ∂ϑ_v(t−q)/∂ϑ_u(t) | ≤ n (τ)^q.",
        "§3.1, “Weak upper bound for scaling factor” (its outline of Hochreiter 1991, pp. 19–21)",
        note="the scaling is the (u, v) entry of ∂net(t)/∂net(t−q) of the sigmoid rnn cell; f'_max is read as the "
        "paper defines it, max_m ‖F'(t−m)‖_A along the run, and also as its sup 1/4",
    ),
    asks="worst_case",
    method=f"proven symbolically for general n (row sums, the induced norm, the inner product); the scaling by "
    f"eq. (1) against the bound for n ∈ {{{', '.join(map(str, SIZES))}}}, lags 1–{STEPS - 1}, τ ∈ "
    f"{{{', '.join(f'{t:g}' for t in TAUS)}}}: all w_ij = ±w_max with aligned path signs and every unit held at "
    "f' = 1/4 (the paper's extreme case), W = 4τ·I, and W ~ U[−w_max, w_max] under inputs of three scales; "
    f"typical: W ~ U[−w_max, w_max] at τ = {TYPICAL_TAU:g}, inputs N(0, 1), n ∈ "
    f"{{{', '.join(map(str, TYPICAL_SIZES))}}}, {len(TYPICAL_SEEDS)} seeds each: the bound holds at every lag and "
    "the fitted rate of ln max|scaling| is < 0",
    recorded="holds",
)
def global_bound_claim(ctx):
    found = dict(zip(SIZES, ctx.map(_worst_case, SIZES)))
    symbolic = symbolic_evidence("hochreiter_global_bound")
    worst = {
        f"n = {n}": {
            family: {
                "max_ln_measured_over_bound": row["ratio"],
                "max_ln_measured_over_n_tau_q": row["ratio_sup"],
                "max_ln_measured_over_middle_bound": row["middle"],
                **(
                    {"predicted_ln_ratio": -2 * float(np.log(n))}
                    if family == "uniform, signs aligned"
                    else {"predicted_ln_ratio": -float(np.log(n))}
                    if family.startswith("diagonal")
                    else {}
                ),
                **({"ln_tau_and_measured_rate": row["rate_by_tau"]} if "rate_by_tau" in row else {}),
            }
            for family, row in rows.items()
        }
        for n, (rows, _) in found.items()
    }
    excess = max(row["ratio"] for rows, _ in found.values() for row in rows.values())
    worst_evidence = {"symbolic": symbolic, "max_ln_measured_over_bound": excess, "by_size": worst}
    if excess <= SLACK:
        worst_verdict = Verdict("holds", worst_evidence) if all(symbolic.values()) else unproven(worst_evidence)
    else:
        cell, xs, s0, lag = next(case for _, kept in found.values() for case in kept)
        example = counterexample(cell, xs, s0, lag, functools.partial(_exceeds, lag=lag))
        worst_verdict = Verdict("refuted", worst_evidence, counterexample=example)
    groups = ctx.sweep(_typical_case, TYPICAL_SIZES, TYPICAL_SEEDS, lambda n, seed: (n, _typical_seed(n, seed)))
    classes, table = {}, {}
    for n, rows in groups.items():
        agree = [held and rate < 0 for held, rate in rows]
        classes[str(n)], record = classify(sum(agree), len(agree))
        table[f"n = {n}"] = {
            "predicted_rate_ln_tau": float(np.log(TYPICAL_TAU)),
            "measured_rate_by_seed": [rate for _, rate in rows],
            "bound_held_by_seed": [held for held, _ in rows],
            "as_stated": record,
        }

    def refute(size):
        cases, rows = _flat(groups)
        n, seed = next(
            case for case, (held, rate) in zip(cases, rows) if case[0] == int(size) and not (held and rate < 0)
        )
        cell, xs, s0 = _typical_net(n, seed)
        return counterexample(cell, xs, s0, 1, _not_decaying)

    verdict = settings_verdict(classes, {"by_size": table}, refute, label="n")
    return {"worst_case": worst_verdict, "typical": verdict}


def _flat(groups):
    """(the (n, seed) cases, their rows) in sweep order."""
    cases = [(n, _typical_seed(n, seed)) for n in groups for seed in TYPICAL_SEEDS]
    return cases, [row for rows in groups.values() for row in rows]


def _typical_seed(n, seed):
    return 950 + 10 * n + seed
