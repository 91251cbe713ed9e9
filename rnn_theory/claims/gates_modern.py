"""Claims about gate design: the forget-gate bias, peepholes, and the diagonal modern recurrences."""

import numpy as np

from ..cells import CELLS
from ._complex_step import step_jacobian
from ._counterexample import counterexample
from ._lstm import carousel_paths, forget_gate, logistic, partial_carousel
from ._registry import Source, Verdict, claim
from ._symbolic import symbolic_evidence, unproven
from ._trained import trained_models
from ._typical import typical_verdict


def _median_time_constant(cell, xs):
    """Median over units of the memory time constant −1/mean_t ln f_t, in steps."""
    S = cell.run(xs)
    log_f = np.log([forget_gate(cell, x, *np.split(s, 2)) for x, s in zip(xs, S[:-1])])
    return float(np.median(-1 / log_f.mean(axis=0)))


def _memory_case(case):
    """Per-unit memory time constants −1/mean_t ln f_t (median over units) and ln‖∂c_T/∂c_{T−20}‖ of a
    random LSTM at initialisation, for forget bias 0 and 1 on the same weights otherwise."""
    seed, n = case
    base = CELLS["lstm"].random(hidden_size=n, input_size=4, rng=seed, forget_bias=0.0)
    xs = np.random.default_rng(seed).normal(size=(120, 4))
    out = []
    for forget_bias in (0.0, 1.0):
        cell = CELLS["lstm"](**{**base.params, "b_f": base.params["b_f"] + forget_bias})
        out.append((_median_time_constant(cell, xs), carousel_paths(cell, xs, None, (20,))[20][0]))
    return out


MEMORY_SEEDS = range(10)  # the same in quick and full runs: they decide the verdict


def _shorter_memory(cell, xs, s0, _log_norm):
    """Refutes 'b_f = 1 lengthens the memory' on one network (``cell`` at b_f = 1): lowering its forget
    bias by 1 does not shorten both the median time constant and ‖∂c_T/∂c_{T−20}‖."""
    lowered = CELLS["lstm"](**{**cell.params, "b_f": cell.params["b_f"] - 1.0})
    longer = (
        [_median_time_constant(c, xs) for c in (lowered, cell)],
        [carousel_paths(c, xs, s0, (20,))[20][0] for c in (lowered, cell)],
    )
    return not (longer[0][1] > longer[0][0] and longer[1][1] > longer[1][0])


@claim(
    id="jozefowicz2015.forget-bias-one",
    aliases=("folklore.forget-bias-one", "goodfellow2016.forget-bias-one", "jozefowicz.forget-bias-one"),
    statement="initialising the forget-gate bias to 1 instead of 0 brings the LSTM's forget gate closer to 1 at "
    "initialisation and lengthens its memory and the gradient's flow along the cell state",
    source=Source(
        "jozefowicz2015",
        "But this initialization effectively sets the forget gate to 0.5. This introduces a vanishing gradient with a "
        "factor of 0.5 per timestep, which can cause problems whenever the long term dependencies are particularly "
        "severe … This problem is addressed by simply initializing the forget gates b_f to a large value such as 1 "
        "or 2. By doing so, the forget gate will be initialized to a value that is close to 1, enabling gradient flow.",
        "section on the LSTM, paragraph on the forget gate bias b_f",
        "quote",
        'read in two verbatim copies of the passage (the section number was not verified); the authors add "This '
        'idea was present in Gers et al. (2000), but we reemphasize it": the initialisation is credited there to Gers '
        "et al. 2000, whose text was not read here, and the vanishing factor per step is these authors' reasoning. "
        '"this initialization" is small random weights with b_f = 0; the check uses gain-1 random weights, and '
        "compares b_f = 0 with b_f = 1 on the same weights",
    ),
    asks="typical",
    method=f"the same random LSTMs (n = 32, gain 1, inputs N(0, 1)) with b_f = 0 and b_f = 1, {len(MEMORY_SEEDS)} seeds: "
    "per-unit memory time constants −1/mean ln f_t (median over units) and ln‖∂c_T/∂c_{T−20}‖ (all paths), paired "
    "by seed; a seed counts when both are longer with b_f = 1; decided by the 95% interval of that fraction against 1/2",
    recorded="holds",
)
def forget_bias_one(ctx):
    rows = ctx.map(_memory_case, [(900 + s, 32) for s in MEMORY_SEEDS])
    longer = [r[1][0] > r[0][0] and r[1][1] > r[0][1] for r in rows]
    evidence = {
        "median_time_constant_steps_b0": float(np.median([r[0][0] for r in rows])),
        "median_time_constant_steps_b1": float(np.median([r[1][0] for r in rows])),
        "median_ln_norm_c_lag20_b0": float(np.median([r[0][1] for r in rows])),
        "median_ln_norm_c_lag20_b1": float(np.median([r[1][1] for r in rows])),
        "median_time_constant_steps_trained": {
            name: _median_time_constant(m, xs) for name, m, xs in trained_models("lstm", 3)
        },
    }

    def refute():
        seed = 900 + longer.index(False)
        base = CELLS["lstm"].random(hidden_size=32, input_size=4, rng=seed, forget_bias=0.0)
        cell = CELLS["lstm"](**{**base.params, "b_f": base.params["b_f"] + 1.0})
        xs = np.random.default_rng(seed).normal(size=(120, 4))
        return counterexample(cell, xs, np.zeros(64), 20, _shorter_memory)

    return typical_verdict(sum(longer), len(longer), evidence, refute, key="seeds_longer_with_b1")


def _peephole_search():
    """One-unit peephole cells over a grid of peepholes p_i, p_f and cell states c: the case whose
    carousel ∂c'/∂c is farthest (in ln) from f, and the worst mismatch of the derived closed form."""
    best, formula_error = None, 0.0
    for p_f in (-2.0, 0.0, 2.0):
        for p_i in (-2.0, 0.0, 2.0):
            for c in (-2.0, -0.5, 0.5, 2.0):
                base = CELLS["peephole"].random(hidden_size=1, input_size=1, rng=0)
                cell = CELLS["peephole"](**{**base.params, "p_f": [p_f], "p_i": [p_i]})
                x, s = np.zeros(1), np.array([0.0, c])
                carousel = partial_carousel(cell, x, s)[0, 0]
                p = cell.params
                a_i = p["W_i"] @ s[:1] + p["b_i"] + p_i * c
                f = forget_gate(cell, x, s[:1], s[1:])[0]
                i, g = logistic(a_i)[0], np.tanh(p["W_g"] @ s[:1] + p["b_g"])[0]
                derived = f + c * f * (1 - f) * p_f + g * i * (1 - i) * p_i
                formula_error = max(formula_error, abs(carousel - derived))
                gap = abs(np.log(abs(carousel)) - np.log(f)) if carousel else np.inf
                if best is None or gap > best[0]:
                    best = (gap, cell, s, carousel, f)
    return best, formula_error


def _carousel_not_f(cell, xs, s0, _log_norm):
    """Refutes '∂c'/∂c = f' for a one-unit peephole cell: the two differ by more than PEEPHOLE_GAP in ln."""
    carousel = partial_carousel(cell, xs[0], s0)[0, 0]
    f = forget_gate(cell, xs[0], s0[:1], s0[1:])[0]
    return carousel == 0 or abs(np.log(abs(carousel)) - np.log(f)) > PEEPHOLE_GAP


# Complex-step derivatives are exact to ~1e-16: a gap above 1e-6 in ln is the peephole terms, not rounding.
PEEPHOLE_GAP = 1e-6


@claim(
    id="rnn-theory.peephole-cell-path",
    aliases=("gers2000peephole.cell-path", "peephole.cell-path"),
    statement="with peephole connections, ∂c_t/∂c_{t−1} is still diag(f_t)",
    source=Source(
        "gers2000peephole",
        None,
        "the peephole LSTM it introduces (gates see the cell state)",
        "derived",
        "a question the package asks of the peephole construction, whose derivative no source states (filed under an "
        "id that names no work); the paper's text was not read, so nothing is quoted",
    ),
    asks="worst_case",
    method="complex-step ∂c_t/∂c_{t−1} of one-unit peephole cells over a grid of peepholes p_i, p_f ∈ "
    "{−2, 0, 2} and states c, against f and against the derived diag(f + c⊙σ'(a_f)⊙p_f + g⊙σ'(a_i)⊙p_i)",
    recorded="refuted",
)
def peephole_cell_path(ctx):
    (gap, cell, s, carousel, f), formula_error = _peephole_search()
    evidence = {
        "symbolic": symbolic_evidence("peephole"),
        "largest_gap_ln_carousel_minus_ln_f": gap,
        "carousel_at_largest_gap": carousel,
        "f_at_largest_gap": f,
        "max_abs_error_of_derived_form": formula_error,
    }
    condition = (
        "∂c_t/∂c_{t−1} = diag(f + c⊙σ'(a_f)⊙p_f + g⊙σ'(a_i)⊙p_i): still diagonal, but not f; it can "
        "exceed 1 (the carousel amplifies) or change sign"
    )
    if gap > PEEPHOLE_GAP:
        example = counterexample(
            cell, np.zeros((1, 1)), s, 1, _carousel_not_f, log_norm_c=np.log(abs(carousel)), log_norm_direct=np.log(f)
        )
        return Verdict("refuted", evidence, condition=condition, counterexample=example)
    return Verdict("holds", evidence)


def _diagonal_setup(case):
    """(cell, x, h) of one case: perturbed random weights, an input of the given scale, a large state."""
    kind, seed, input_scale = case
    rng = np.random.default_rng(seed)
    cell = CELLS[kind].random(hidden_size=6, input_size=3, rng=rng)
    cell = CELLS[kind](**{k: v + rng.normal(0, 2, v.shape) for k, v in cell.params.items()})
    return cell, rng.normal(0, input_scale, 3), rng.normal(0, 10, 6)


def _diagonal_case(case):
    cell, x, h = _diagonal_setup(case)
    kind = cell.key
    J = step_jacobian(cell, x, h)
    p = cell.params
    if kind == "mingru":
        expected = 1 - logistic(p["U_z"] @ x + p["b_z"])
    else:
        f, i = logistic(p["U_f"] @ x + p["b_f"]), logistic(p["U_i"] @ x + p["b_i"])
        expected = f / (f + i)
    off_diagonal = np.abs(J[~np.eye(6, dtype=bool)]).max()
    return float(off_diagonal), float(np.abs(np.diag(J) - expected).max())


def _not_diagonal(cell, xs, s0, _log_norm):
    """Refutes exact diagonality: an off-diagonal entry of the complex-step Jacobian is nonzero."""
    J = step_jacobian(cell, xs[0], s0)
    return np.abs(J[~np.eye(len(s0), dtype=bool)]).max() > 0


@claim(
    id="feng2024.diagonal-jacobian",
    aliases=("mingru.diagonal",),
    statement="minGRU and minLSTM have exactly diagonal one-step Jacobians",
    source=Source(
        "feng2024",
        None,
        "the minGRU and minLSTM updates, whose gates and candidates see only the input",
        "derived",
        "a consequence of the updates' form that the package checks; the paper's text was not read, so nothing is "
        "quoted",
    ),
    asks="worst_case",
    method="complex-step Jacobians (no Jacobian code) of random minGRU/minLSTM cells with perturbed "
    "weights, states N(0, 10²) and inputs up to N(0, 50²) (saturating the gates): off-diagonal entries, "
    "and the diagonal against 1 − z and f/(f + i) computed from the weights; derived symbolically",
    recorded="holds",
)
def min_cells_diagonal(ctx):
    cases = [(k, 1000 + s, scale) for k in ("mingru", "minlstm") for s in range(10) for scale in (1.0, 50.0)]
    rows = ctx.map(_diagonal_case, cases)
    evidence = {
        "symbolic": symbolic_evidence("mingru", "minlstm"),
        "cases": len(cases),
        "max_abs_off_diagonal": float(np.max([r[0] for r in rows])),
        "max_abs_error_diagonal": float(np.max([r[1] for r in rows])),
    }
    # Off-diagonal entries must be exactly 0 (h_j never enters h'_i); the diagonal to a few ulps.
    if evidence["max_abs_off_diagonal"] == 0 and evidence["max_abs_error_diagonal"] <= 1e-15:
        return Verdict("holds", evidence) if all(evidence["symbolic"].values()) else unproven(evidence)
    if evidence["max_abs_off_diagonal"] == 0:
        raise RuntimeError(
            "the diagonal differs from 1 − z or f/(f + i): no off-diagonal case to record; inspect _diagonal_case"
        )
    cell, x, h = _diagonal_setup(cases[int(np.argmax([r[0] for r in rows]))])
    return Verdict("refuted", evidence, counterexample=counterexample(cell, [x], h, 1, _not_diagonal))
