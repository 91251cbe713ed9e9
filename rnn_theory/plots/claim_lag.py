"""``claim_<id>``: one figure per refuted claim, its counterexample's gradient norm against lag.

The counterexample is the record of ``rnn_theory.claims.verify`` (docs/design.md#verify-json), replayed
with ``replay_cell`` and ``gradient_norms`` from its own s_0 and inputs: ln‖∂s_T/∂s_{T−τ}‖₂ for
τ = 1..T, for the LSTM family also the c-block and the direct carousel path, for the RNN the
rates the spectral radius and the Pascanu bound would give. Hollow markers: the values the claim
check recorded at its lag, so the figure shows that the replay reproduces them. Which claims are
refuted is computed by running the checks, never listed by hand.
"""

import functools

import numpy as np

from .. import gradient_norms
from ._errors import UnknownFigure
from ._style import GREY, REFERENCE, SINGLE, lag_axis, new_figure, series

PREFIX = "claim_"
GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}  # sup |φ'|
# Eigenvalues of a defective W (e.g. nilpotent) are accurate only to about √ε·‖W‖: below this,
# ρ(W) is reported as 0 instead of drawing a rate from rounding noise.
_RHO_ZERO = 1e-6
_RECORDED = {  # key in a counterexample record -> (legend label, marker)
    "log_norm": (r"recorded $\ln\|\partial s_T/\partial s_{T-\tau}\|_2$", "o"),
    "log_norm_c": (r"recorded c-block", "s"),
    "log_norm_direct": (r"recorded $\ln\|\prod\,\mathrm{diag}(f)\|_2$", "D"),
}


def figure_name(claim_id):
    return PREFIX + claim_id.replace(".", "_")


def builders(names=None, pool=None):
    """Figure name -> builder for each refuted claim (of all claims, or of the figure ``names``);
    the checks run through ``pool.map`` when a pool is given."""
    from ..claims import CLAIMS  # noqa: PLC0415 - the claims load only when their figures are asked for

    if names is not None and not names:
        return {}
    ids = {figure_name(claim_id): claim_id for claim_id in CLAIMS}
    for name in names or ():
        if name not in ids:
            raise UnknownFigure(f"no figure named {name!r}")
    wanted = list(ids.values()) if names is None else [ids[name] for name in names]
    results = (pool.map if pool else map)(_verify, wanted)
    refuted = {figure_name(r.claim.id): r for r in results if r.found.verdict == "refuted"}
    for name in names or ():
        if name not in refuted:
            raise UnknownFigure(f"{name}: claim {ids[name]} is not refuted now, so it has no counterexample figure")
    return {name: functools.partial(build, result) for name, result in refuted.items()}


def _verify(claim_id):
    from ..claims import verify  # noqa: PLC0415

    return verify([claim_id])[0]


def build(result):
    """The figure of one refuted claim (a ``rnn_theory.claims.Result``) and its caption."""
    from ..claims._counterexample import replay_cell  # noqa: PLC0415

    record = result.found.counterexample
    cell = replay_cell(record)
    xs = np.asarray(record["inputs"], dtype=float).reshape(-1, cell.input_size)
    flow = gradient_norms(cell, xs, record["s0"])
    lags, T = flow.lags, len(flow.lags)
    signed = _signed_factors(cell, xs, record["s0"], T)
    figure, panels = new_figure(SINGLE, 5.4, 2, 1) if signed else new_figure(SINGLE, 3.4)
    axes = panels[0, 0] if signed else panels
    marks = {"markevery": max(T // 10, 1)}
    curves = [(flow.log_norm, r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$")]
    if flow.log_norm_c is not None:
        curves += [
            (flow.log_norm_c, r"c-block $\ln\|\partial c_T/\partial c_{T-\tau}\|_2$"),
            (flow.log_norm_direct, cell.carousel_label),
        ]
    for i, (curve, label) in enumerate(curves):
        axes.plot(lags, curve, label=label, **series(i), **marks)
    if _pascanu(cell):
        _rnn_rates(axes, cell, lags, len(curves))
    for key, (label, marker) in _RECORDED.items():
        if key in record:
            axes.plot(
                [record["lag"]],
                [record[key]],
                ls="none",
                marker=marker,
                ms=7,
                mfc="none",
                mec="black",
                mew=0.9,
                label=label + rf" at $\tau = {record['lag']}$",
            )
    # Room for the markers at τ = T; a counterexample of a few steps is centred.
    lag_axis(axes, T + max(0.5, 0.03 * T), first=0.5 if T < 10 else 0)
    axes.set_ylabel(r"$\ln\|\cdot\|_2$ (natural log)")
    title = f"{'(a) ' if signed else ''}counterexample to {result.claim.id}"
    axes.set_title(title if len(title) <= 40 else title.replace(" to ", " to\n", 1))  # the column's width
    figure.legend(loc="outside lower center", ncols=1)
    if signed:
        _integer_lags(axes, T)
        _signed_carousel(panels[1, 0], signed, T)
    return figure, _caption(result, cell, T, bool(signed))


def _integer_lags(axes, T):
    """The lag axis, with a tick at every lag when there are few (a lag is a whole number of steps)."""
    lag_axis(axes, T + max(0.5, 0.03 * T), first=0.5 if T < 10 else 0)
    if T < 10:
        axes.set_xticks(np.arange(1, T + 1))


def _signed_factors(cell, xs, s0, T):
    """The one-step carousel factor ∂c_t/∂c_(t−1) (diagonal, h held fixed) and the retention gate
    per step, (T, n) each, when the factor is not the retention itself (e.g. peepholes add terms to
    it, which can flip its sign); None otherwise (the LSTM's factor is f, exactly)."""
    if cell.retention_label is None or not _has_blocks(cell):
        return None
    from ..flow import gate_values  # noqa: PLC0415

    states = cell.run(xs, s0)
    c = cell.part_slices()[cell.state_parts.index("c")]  # the rows (and columns) of the part c
    factor = np.array([np.diag(cell.jacobian(xs[t], states[t])[c, c]) for t in range(T)])
    retention = cell.retention(gate_values(cell, xs, states))
    if retention is None or np.array_equal(factor, retention):
        return None
    return factor, retention, cell.retention_label


def _signed_carousel(axes, signed, T):
    """Panel (b): the signed products over the last τ steps of the carousel factor and of the
    retention gate, per unit; a log-norm cannot show the sign that separates them."""
    factor, retention, (_, symbol) = signed
    n = factor.shape[1]
    lags = np.arange(1, T + 1)
    # The factor in the colour of (a)'s direct path; f as (a)'s hollow diamond of the recorded ∏ diag(f).
    curves = (
        (factor, r"$\prod\,\partial c_t/\partial c_{t-1}$ ($h$ held fixed)", series(2)),
        (
            retention,
            rf"$\prod$ {symbol} (the retention gate)",
            {"color": "black", "linestyle": ":", "marker": "D", "mfc": "none"},
        ),
    )
    for rows, label, look in curves:
        products = np.cumprod(rows[::-1], axis=0)  # row τ − 1: the product over steps T−τ+1..T
        for unit in range(min(n, 4)):
            axes.plot(lags, products[:, unit], label=label if unit == 0 else None, **look, markevery=max(T // 10, 1))
    axes.axhline(0.0, color="black", lw=0.5)
    _integer_lags(axes, T)
    axes.set_ylabel("signed value")
    axes.set_title("(b) the carousel factor, with its sign")
    axes.legend(loc="best")


def _pascanu(cell):
    """The state's own φ and one recurrent matrix W, h' = φ(W h + …): Pascanu's bound applies."""
    return any(g.role == "state" for g in cell.gates) and len(cell.recurrent_matrices()) == 1


def _rnn_rates(axes, cell, lags, first):
    """τ·ln ρ(W) (the rate the spectral radius suggests) and τ·ln(γσ_max(W)) (Pascanu's bound)."""
    (W,) = cell.recurrent_matrices().values()
    rho, sigma = np.abs(np.linalg.eigvals(W)).max(), np.linalg.norm(W, 2)
    (phi,) = (g.activation for g in cell.gates if g.role == "state")
    bound = GAMMA[phi] * sigma
    label = rf"bound $\tau\,\ln(\gamma\,\sigma_{{\max}}(W))$, $\gamma\,\sigma_{{\max}} = {bound:.3g}$"
    if np.isclose(rho, bound, rtol=1e-9):  # e.g. one unit: the two lines coincide, draw one
        label = rf"$\tau\,\ln\rho(W)$ = the bound, $\rho(W) = \gamma\,\sigma_{{\max}}(W) = {bound:.3g}$"
    elif rho > _RHO_ZERO:
        axes.plot(
            lags,
            lags * np.log(rho),
            color=series(first)["color"],
            **REFERENCE,
            label=rf"$\tau\,\ln\rho(W)$, $\rho(W) = {rho:.3g}$",
        )
    else:
        axes.plot([], [], ls="none", label=r"$\rho(W) = 0$ (nilpotent $W$): no rate to draw")
    axes.plot(lags, lags * np.log(bound), color=GREY, **REFERENCE, label=label)


def _caption(result, cell, T, signed=False):
    claim, found, record = result.claim, result.found, result.found.counterexample
    sizes = {name: np.asarray(value) for name, value in record["params"].items()}
    if sum(value.size for value in sizes.values()) <= 40:
        params = "; ".join(f"{name} = {value.tolist()}" for name, value in sizes.items())
    else:
        params = "; ".join(f"{name} {value.shape}" for name, value in sizes.items()) + " (numbers in the record)"
    s0 = record["s0"] if len(record["s0"]) <= 8 else "in the record"
    inputs = "all zero" if not np.any(record["inputs"]) else "in the record"
    recorded = ", ".join(f"{key} = {record[key]:.6g}" for key in _RECORDED if key in record)
    plotted = [f"{'(a) ' if signed else ''}ln‖∂s_T/∂s_(T−τ)‖₂ (natural log, spectral norm)"]
    if _has_blocks(cell):
        plotted.append("the c-block ln‖∂c_T/∂c_(T−τ)‖₂ (h_(T−τ) held fixed) and the direct carousel path alone")
    if signed:
        plotted.append(
            "(b) on a linear scale, the signed products over the last τ steps of the one-step carousel "
            "factor ∂c_t/∂c_(t−1) (diagonal with h held fixed) and of the retention gate, per unit (at most 4 units)"
        )
    if _pascanu(cell):
        plotted.append("dotted, τ·ln ρ(W) and the Pascanu bound τ·ln(γ·σ_max(W)), γ = sup|φ′|")
    condition = (found.condition or "").rstrip(".")
    return f"""
    Counterexample to the claim {claim.id}: "{claim.statement}" ({claim.source.cite}). Verdict: refuted ({claim.asks.replace("_", " ")} reading, {"generic" if record["generic"] else "not generic: a measure-zero construction"}){"; " + condition if condition else ""}.

    Plotted against the lag τ = 1..{T}: {"; ".join(plotted)}; computed by replaying the counterexample
    of rnn-theory verify (the record in its --json output) with rnn_theory.gradient_norms (method
    "exact"). Hollow markers: the values the claim check recorded at its lag τ = {record["lag"]}
    ({recorded}).

    Cell: {cell.key}{f" ({cell.activation})" if getattr(cell, "activation", None) else ""}, n = {cell.hidden_size},
    m = {cell.input_size}; {params}. Initial state s_0: {s0}; inputs ({T} steps): {inputs}. No
    randomness here: everything comes from the record. How the claim was checked: {claim.method}.
    """


def _has_blocks(cell):
    """A cell state c: the flow then reports its c-block and direct path (``rnn_theory.flow``)."""
    return "c" in cell.state_parts
