"""Every check can fail: for each claim, each verdict its check can return besides the recorded one
(which ``test_claims`` compares with a fresh run) is forced here, by a mutant cell, a counter-setting
or a shifted measurement; a consistency identity is shown to raise on a mismatch instead. Where the
forced measurement is not a real cell's (so no real case could replay it), the counterexample
builder is replaced by a stub: the branch, not the replay, is under test (``test_claims`` replays
every recorded counterexample). The settings rule is shown to decide the conveyor belt and Olah's
default behaviour alike.

The other forced verdicts live beside their subjects: ``test_claims_refuting`` (chrono, slow modes,
LRU normalisation, mean-field rate, orthogonal tanh decay, wall, clipping, non-normal transient,
necessary exploding, λ₁), ``test_claims_hochreiter`` (the global bound), ``test_learning_claim``
(the 10–20-steps claim)."""

import numpy as np
import pytest

import rnn_theory.claims as claims
from rnn_theory.cells import CELLS
from rnn_theory.claims import (
    dynamics,
    exploding,
    gates,
    gates_modern,
    hochreiter,
    indrnn,
    latching,
    memory,
    pascanu_hochreiter,
    random_init,
    retention,
    rglru_scale,
    slstm,
    vanilla,
)
from rnn_theory.claims._typical import settings_verdict

STUB = {"kind": "stub", "generic": True}


def _readings(claim_id):
    found = claims.CLAIMS[claim_id].check(claims.Context(quick=True))
    return found if isinstance(found, dict) else {claims.CLAIMS[claim_id].asks: found}


def _verdict(claim_id, reading=None):
    return _readings(claim_id)[reading or claims.CLAIMS[claim_id].asks]


def _stub(monkeypatch, module):
    monkeypatch.setattr(module, "counterexample", lambda *args, **kwargs: dict(STUB))


def _half(seed):
    """True for every other seed: 3 of 6 (or 4 of 8) agree, an interval that contains 1/2."""
    return seed % 2 == 0


def _leaky(kind):
    """A mutant of the cell ``kind`` whose memory keeps ½ of its old state beyond the forget gate:
    ∂c'/∂c (h held fixed) = diag(f) + ½·I."""

    class Leaky(CELLS[kind]):
        def step(self, x, s):
            new, n = super().step(x, s), self.hidden_size
            return np.concatenate([new[:n], new[n:] + 0.5 * s[n:]])

    return Leaky


# -- the settings rule ---------------------------------------------------------------------------------


def test_the_settings_rule_decides_conveyor_belt_and_default_behaviour_alike(monkeypatch):
    """Both claims measured with the same pattern, failing at the standard biases 0 and 1 and holding
    at 3 (the conveyor belt's real pattern): both refuted. Holding at 0 and 1 and failing at 3: both
    holds-if."""
    monkeypatch.setattr(memory, "DEFAULT_BIASES", (0.0, 1.0, 3.0))
    monkeypatch.setattr(gates, "FORGET_BIASES", (0.0, 1.0, 3.0))
    _stub(monkeypatch, gates), _stub(monkeypatch, memory)
    for holding in ((3.0,), (0.0, 1.0)):
        monkeypatch.setattr(memory, "_median_time", lambda case, h=holding: 20.0 if case[0] in h else 2.0)
        monkeypatch.setattr(
            gates,
            "_conveyor_case",
            lambda case, h=holding: (0.0, 0.0) if case[2] in h or case[2] is None else (9.0, 0.0),
        )
        found = {
            claim_id: _verdict(claim_id)
            for claim_id in ("folklore.conveyor-belt-gradient", "rnn-theory.remembering-is-default")
        }
        expected = "refuted" if holding == (3.0,) else "holds-if"
        assert {v.verdict for v in found.values()} == {expected}, holding
    assert claims.CLAIMS["folklore.conveyor-belt-gradient"].recorded == "refuted"
    assert claims.CLAIMS["rnn-theory.remembering-is-default"].recorded == "refuted"


def test_the_settings_rule_in_all_its_cases():
    refute = lambda setting: {"generic": True, "setting": setting}  # noqa: E731
    rule = lambda classes, standard=(): settings_verdict(classes, {}, refute, standard=standard)  # noqa: E731
    assert rule({"a": "holds", "b": "holds"}).verdict == "holds"
    refuted = rule({"a": "holds", "b": "fails"}, standard=("b",))
    assert (
        refuted.verdict == "refuted"
        and refuted.counterexample["setting"] == "b"
        and "holds at {a}" in refuted.condition
    )
    assert rule({"a": "holds", "b": "fails"}, standard=("a",)).verdict == "holds-if"
    assert rule({"a": "holds", "b": "fails"}).verdict == "holds-if"
    assert rule({"a": "undecided", "b": "fails"}).counterexample["setting"] == "b"
    assert rule({"a": "undecided", "b": "undecided"}).verdict == "undecided"
    with pytest.raises(ValueError, match="not measured"):
        rule({"a": "holds"}, standard=("z",))


# -- vanilla RNNs ----------------------------------------------------------------------------------------


def test_jacobian_product_refuted_when_the_product_is_not_the_derivative(monkeypatch):
    real = vanilla._complex_step_lag_derivative
    monkeypatch.setattr(vanilla, "_complex_step_lag_derivative", lambda cell, xs, s: 1.01 * real(cell, xs, s))
    verdict = _verdict("pascanu2013.jacobian-product")
    assert verdict.verdict == "refuted" and verdict.counterexample["kind"] == "rnn"


def test_a_failed_proof_makes_agreeing_numbers_conditional(monkeypatch):
    monkeypatch.setattr(vanilla, "symbolic_evidence", lambda *items: {"a proof": False})
    assert _verdict("pascanu2013.jacobian-product").verdict == "holds-if"


def test_spectral_radius_claims_hold_or_stay_open_when_the_measurements_say_so(monkeypatch):
    monkeypatch.setattr(vanilla, "minimal_two_unit_counterexample", lambda: 0.5 * np.eye(2))
    monkeypatch.setattr(vanilla, "_gaussian_growth", lambda case: -1.0)
    below = _readings("folklore.rho-below-one-vanishes")
    assert below["worst_case"].verdict == "holds" and below["typical"].verdict == "holds"
    monkeypatch.setattr(vanilla, "_autonomous_decay", lambda w: (None, 50, [0.1 * t for t in range(1, 51)]))
    monkeypatch.setattr(vanilla, "_gaussian_growth", lambda case: 1.0 if _half(case[1]) else -1.0)
    above = _readings("folklore.rho-above-one-explodes")
    assert above["worst_case"].verdict == "holds" and above["typical"].verdict == "undecided"
    _stub(monkeypatch, vanilla)
    monkeypatch.setattr(vanilla, "_gaussian_growth", lambda case: 1.0)
    assert _verdict("folklore.rho-below-one-vanishes", "typical").verdict == "refuted"


def test_jacobian_radius_holds_is_refuted_or_undecided_by_gain(monkeypatch):
    _stub(monkeypatch, vanilla)
    monkeypatch.setattr(vanilla, "trained_models", lambda kind, episodes: [])
    for radius, expected in ((0.5, "holds"), (2.0, "refuted")):
        monkeypatch.setattr(vanilla, "_jacobian_radii", lambda case, r=radius: [r] * 50)
        assert _verdict("folklore.jacobian-radius-below-one").verdict == expected
    monkeypatch.setattr(vanilla, "_jacobian_radii", lambda case: [0.5 if _half(case[1]) else 2.0] * 50)
    assert _verdict("folklore.jacobian-radius-below-one").verdict == "undecided"


# -- gates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim_id, kind", [("goodfellow2016.forget-gate-self-loop", "lstm"), ("hochreiter1997.cec", "lstm_nofg")]
)
def test_a_self_loop_off_its_claimed_form_is_raised_as_a_cell_bug(monkeypatch, claim_id, kind):
    """A consistency identity: a mutant cell whose memory leaks beyond f is a bug of the cell, raised."""
    real = gates._random_lstm
    monkeypatch.setattr(
        gates, "_random_lstm", lambda kind, *args, **kwargs: _leaky(kind)(**real(kind, *args, **kwargs).params)
    )
    with pytest.raises(RuntimeError, match="not a counterexample"):
        _readings(claim_id)


def test_the_forget_gate_product_holds_where_no_gap_is_found(monkeypatch):
    monkeypatch.setattr(gates, "_largest_gap", lambda: (0.0, None, None, 0.0, 0.0))
    assert _verdict("folklore.forget-gate-product").verdict == "holds"


def test_the_conveyor_belt_holds_or_stays_open(monkeypatch):
    monkeypatch.setattr(gates, "_conveyor_case", lambda case: (0.0, 0.0))
    readings = _readings("folklore.conveyor-belt-gradient")
    assert readings["typical"].verdict == "holds" and "worst_case" not in readings
    _stub(monkeypatch, gates)
    monkeypatch.setattr(gates, "_conveyor_case", lambda case: (0.0, 0.0) if _half(case[1]) else (9.0, 0.0))
    assert _verdict("folklore.conveyor-belt-gradient").verdict == "undecided"


def test_the_additive_gru_update_is_refuted_by_a_wrong_jacobian(monkeypatch):
    monkeypatch.setattr(gates, "_direct_path_error", lambda cell, x, h: 1.0)
    verdict = _verdict("chung2014.additive-update")
    assert verdict.verdict == "refuted" and verdict.counterexample["kind"] == "gru"


def test_a_parameter_count_that_fails_the_identity_is_raised(monkeypatch):
    real = gates.parameter_count
    monkeypatch.setattr(gates, "parameter_count", lambda kind: 10 * real(kind) if kind == "gru" else real(kind))
    with pytest.raises(RuntimeError, match="non-positive coefficient"):
        _readings("olah2015.gru-simpler")


def test_the_output_gate_protection_is_raised_when_a_closed_gate_leaks_and_open_gates_do_leak(monkeypatch):
    evidence = _verdict("hochreiter1997.output-gate-protects").evidence
    # the counter-setting: with open gates the memory reaches the other units, far beyond the tolerance
    assert evidence["relative_deviation_from_identity_with_open_output_gate_lag50"] > 1e3 * gates.CLOSED_TOLERANCE
    real = gates.carousel_paths
    leak = lambda *args: {lag: (*row[:2], 1.0) for lag, row in real(*args).items()}  # noqa: E731
    monkeypatch.setattr(gates, "carousel_paths", leak)
    with pytest.raises(RuntimeError, match="not a counterexample to Hochreiter"):
        _readings("hochreiter1997.output-gate-protects")


# -- gate design --------------------------------------------------------------------------------------------


def test_the_forget_bias_is_refuted_or_undecided_by_the_seeds(monkeypatch):
    _stub(monkeypatch, gates_modern)
    monkeypatch.setattr(gates_modern, "trained_models", lambda kind, episodes: [])
    monkeypatch.setattr(gates_modern, "_memory_case", lambda case: [(2.0, 1.0), (1.0, 0.0)])
    assert _verdict("jozefowicz2015.forget-bias-one").verdict == "refuted"
    monkeypatch.setattr(
        gates_modern,
        "_memory_case",
        lambda case: [(1.0, 0.0), (2.0, 1.0)] if _half(case[0]) else [(2.0, 1.0), (1.0, 0.0)],
    )
    assert _verdict("jozefowicz2015.forget-bias-one").verdict == "undecided"


def test_the_peephole_path_holds_when_the_carousel_is_f(monkeypatch):
    monkeypatch.setattr(gates_modern, "_peephole_search", lambda: ((0.0, None, None, 0.5, 0.5), 0.0))
    assert _verdict("rnn-theory.peephole-cell-path").verdict == "holds"


def test_diagonal_min_cells_refuted_by_an_off_diagonal_entry_and_raised_on_a_wrong_diagonal(monkeypatch):
    monkeypatch.setattr(gates_modern, "step_jacobian", lambda cell, x, s: np.ones((len(s), len(s))))
    verdict = _verdict("feng2024.diagonal-jacobian")
    assert verdict.verdict == "refuted" and verdict.counterexample["kind"] == "mingru"
    monkeypatch.setattr(gates_modern, "step_jacobian", lambda cell, x, s: np.zeros((len(s), len(s))))
    with pytest.raises(RuntimeError, match="diagonal differs"):
        _readings("feng2024.diagonal-jacobian")


# -- dynamics -------------------------------------------------------------------------------------------------


def test_chaos_at_gain_one_holds_is_refuted_or_undecided(monkeypatch):
    _stub(monkeypatch, dynamics)
    monkeypatch.setattr(dynamics, "_lyapunov_case", lambda case: -0.1 if case[0] < 1 else 0.1)
    assert _verdict("folklore.chaos-at-gain-one").verdict == "holds"
    monkeypatch.setattr(dynamics, "_lyapunov_case", lambda case: 0.1 if case[0] < 1 else -0.1)
    assert _verdict("folklore.chaos-at-gain-one").verdict == "refuted"
    monkeypatch.setattr(dynamics, "_lyapunov_case", lambda case: 0.1 if _half(case[1]) else -0.1)
    assert _verdict("folklore.chaos-at-gain-one").verdict == "undecided"


def test_a_drifting_lru_decay_is_raised(monkeypatch):
    monkeypatch.setattr(dynamics, "_lru_case", lambda case: 1.0)
    with pytest.raises(RuntimeError, match="drifts"):
        _readings("orvieto2023.exact-decay")


# -- the exploding side ---------------------------------------------------------------------------------------


def test_the_wall_and_clipping_hold_only_at_some_settings(monkeypatch):
    real = exploding._wall_row
    monkeypatch.setattr(exploding, "WALL_WEIGHTS", (4.5, 6.0))
    monkeypatch.setattr(exploding, "_wall_row", lambda w: {**real(w), "passes": w < 5})
    verdict = _verdict("pascanu2013.wall")
    assert verdict.verdict == "holds-if" and "holds at w ∈ {4.5}" in verdict.condition
    monkeypatch.setattr(exploding, "CLIP_ITERATIONS", 1)  # most clipped descents are still on their way
    verdict = _verdict("pascanu2013.clipping")
    assert verdict.verdict == "holds-if" and "fails at (w, b) ∈ {(4.5, -2.801)" in verdict.condition


def test_the_typical_transient_undecided_when_half_the_seeds_show_it(monkeypatch):
    monkeypatch.setattr(exploding, "_gaussian_case", lambda seed: [(0.8, 1.0, 5 if _half(seed) else 0)] * 2)
    assert _verdict("ganguli2008.nonnormal-transient", "typical").verdict == "undecided"


# -- random initialisations -------------------------------------------------------------------------------------


def test_critical_isometry_refuted_when_g_c_is_not_critical(monkeypatch):
    _stub(monkeypatch, random_init)
    monkeypatch.setattr(random_init, "measured_rate", lambda g, s: (1.0, [1.0] * 5))
    assert _verdict("chen2018.critical-isometry").verdict == "refuted"


def test_orthogonal_isometry_refuted_or_conditional_by_input_scale(monkeypatch):
    _stub(monkeypatch, random_init)
    monkeypatch.setattr(random_init, "_isometry_case", lambda case: {"orthogonal": 2.0, "gaussian": 1.0})
    assert _verdict("rnn-theory.orthogonal-isometry-rnn").verdict == "refuted"
    monkeypatch.setattr(
        random_init, "_isometry_case", lambda case: {"orthogonal": 1.0 if case[0] < 0.5 else 2.0, "gaussian": 1.5}
    )
    verdict = _verdict("rnn-theory.orthogonal-isometry-rnn")
    assert verdict.verdict == "holds-if" and "holds at s ∈ {0.1}" in verdict.condition


def test_an_irnn_disagreement_is_raised(monkeypatch):
    monkeypatch.setattr(random_init, "_irnn_case", lambda seed: (False, np.ones(10)))
    with pytest.raises(RuntimeError, match="disagree"):
        _readings("le2015.irnn")


# -- memory times ---------------------------------------------------------------------------------------------


def test_default_behaviour_holds_or_stays_open(monkeypatch):
    monkeypatch.setattr(memory, "trained_models", lambda kind, episodes: [])
    monkeypatch.setattr(memory, "_median_time", lambda case: 20.0)
    assert _verdict("rnn-theory.remembering-is-default").verdict == "holds"
    monkeypatch.setattr(memory, "_median_time", lambda case: 20.0 if _half(case[1]) else 2.0)
    assert _verdict("rnn-theory.remembering-is-default").verdict == "undecided"


def test_chrono_undecided_when_half_the_seeds_pass(monkeypatch):
    monkeypatch.setattr(memory, "_chrono_case", lambda case: ([case[1]], [case[1]]))
    monkeypatch.setattr(memory, "_chrono_ok", lambda rule, predicted, measured: _half(predicted[0]))
    assert _verdict("tallec2018.chrono").verdict == "undecided"


def test_the_state_without_forget_gate_refuted_or_conditional(monkeypatch):
    _stub(monkeypatch, memory)
    monkeypatch.setattr(memory, "_gers_case", lambda case: 1.0)  # nothing grows: the 1997 cell fails
    assert _verdict("gers2000.state-grows").verdict == "refuted"
    grows = lambda case: (2.0 if _half(case[1]) else 1.0) if case[0] == "no forget gate" else 1.0  # noqa: E731
    monkeypatch.setattr(memory, "_gers_case", grows)
    verdict = _verdict("gers2000.state-grows")
    assert verdict.verdict == "holds-if" and "undecided at {no forget gate}" in verdict.condition


def test_the_lru_parametrisation_raises_when_the_proof_fails(monkeypatch):
    monkeypatch.setattr(memory, "LRU_STEPS", 400)
    monkeypatch.setattr(memory, "_symbolic_modulus", lambda: False)
    with pytest.raises(RuntimeError, match="SymPy"):
        _readings("orvieto2023.exp-parametrisation")


def test_slow_modes_conditional_when_one_cell_is_undecided(monkeypatch):
    accumulating, flat = [0.1, 0.3, 0.6, 0.9], [0.5, 0.5, 0.5, 0.5]
    monkeypatch.setattr(
        memory, "_slow_case", lambda case: accumulating if case[0] == "lstm" or _half(case[1]) else flat
    )
    verdict = _verdict("can2020.slow-modes")
    assert verdict.verdict == "holds-if" and "holds at {lstm}" in verdict.condition


def test_a_contracting_stretch_that_grows_is_raised_and_none_found_is_undecided(monkeypatch):
    monkeypatch.setattr(latching, "_model_row", lambda cell, xs, lag, delay_norms: ([0.0], [1.0], [1.0]))
    with pytest.raises(RuntimeError, match="engine bug"):
        _readings("rnn-theory.contracting-stretch-vanishes")
    monkeypatch.setattr(latching, "_model_row", lambda cell, xs, lag, delay_norms: ([0.0], [0.0], []))
    assert _verdict("rnn-theory.contracting-stretch-vanishes").verdict == "undecided"


# -- the LSTM's descendants -----------------------------------------------------------------------------------


def test_a_stabiliser_that_changes_the_output_is_raised(monkeypatch):
    monkeypatch.setattr(slstm, "_stabiliser_case", lambda case: (1.0, 0.0, 0.0))
    with pytest.raises(RuntimeError, match="beyond rounding"):
        _readings("beck2024.stabiliser-invariance")


@pytest.mark.parametrize("claim_id", ["gu2023.state-gradient-cannot-explode", "de2024.rglru-gate-in-unit-interval"])
def test_retention_refuted_by_an_off_diagonal_entry_and_raised_on_a_wrong_diagonal(monkeypatch, claim_id):
    _stub(monkeypatch, retention)
    row = {"off_diagonal": 1.0, "diagonal_error": 0.0, "max_log_norm": 1.0, "min_retention": 0.5}
    row |= {"max_retention": 0.5, "rounded_to_one": 0, "rounded_to_zero": 0}
    monkeypatch.setattr(retention, "_retention_case", lambda case: row)
    assert _verdict(claim_id).verdict == "refuted"
    monkeypatch.setattr(retention, "_retention_case", lambda case: {**row, "diagonal_error": 1.0})
    with pytest.raises(RuntimeError, match="diagonal differs"):
        _readings(claim_id)


def test_the_rglru_scale_holds_or_is_refuted_in_each_reading(monkeypatch):
    _stub(monkeypatch, rglru_scale)
    monkeypatch.setattr(rglru_scale, "_constant_drive_gain", lambda cell, xs: (np.ones(4), np.ones(4)))
    monkeypatch.setattr(rglru_scale, "_scale_case", lambda seed: (np.full(8, 10.0), np.ones(8)))
    readings = _readings("rnn-theory.rglru-normalised-scale")
    assert readings["worst_case"].verdict == "holds" and readings["typical"].verdict == "refuted"


def test_indrnn_bounds_hold_and_an_active_unit_off_u_pow_tau_is_raised(monkeypatch):
    assert _verdict("rnn-theory.indrnn-regulated-bounds").verdict == "holds"
    off = lambda seed: (np.full(16, 0.4), np.ones(16, bool), np.full(16, 0.4))  # noqa: E731  below ε though active
    monkeypatch.setattr(indrnn, "_regulated_case", off)
    with pytest.raises(RuntimeError, match="not a counterexample"):
        _readings("rnn-theory.indrnn-regulated-bounds")
    above = lambda seed: (np.full(16, 3.0), np.zeros(16, bool), np.ones(16))  # noqa: E731  above γ
    monkeypatch.setattr(indrnn, "_regulated_case", above)
    with pytest.raises(RuntimeError, match="not a counterexample"):
        _readings("rnn-theory.indrnn-regulated-bounds")


def test_sufficient_vanishing_refuted_when_the_bound_is_too_small(monkeypatch):
    monkeypatch.setattr(pascanu_hochreiter, "GAMMA", {"tanh": 0.1, "sigmoid": 0.025, "relu": 0.1})
    verdict = _verdict("pascanu2013.sufficient-vanishing")
    assert verdict.verdict == "refuted" and verdict.counterexample["kind"] == "rnn"


def test_the_sigmoid_bound_refuted_when_a_factor_reaches_one(monkeypatch):
    _stub(monkeypatch, pascanu_hochreiter)
    monkeypatch.setattr(pascanu_hochreiter, "logistic", lambda a: np.full_like(a, -1.0))
    assert _verdict("hochreiter1997.sigmoid-weight-bound").verdict == "refuted"


def test_the_typical_global_bound_conditional_by_size(monkeypatch):
    monkeypatch.setattr(hochreiter, "_typical_case", lambda case: (True, -1.0) if case[0] == 4 else (False, 1.0))
    verdict = _readings("hochreiter1997.global-bound")["typical"]
    assert verdict.verdict == "holds-if" and "holds at n ∈ {4}" in verdict.condition


def test_the_mean_field_rate_conditional_where_only_some_settings_agree(monkeypatch):
    monkeypatch.setattr(random_init, "MF_GAINS", (0.5, 2.0))
    monkeypatch.setattr(random_init, "MF_SCALES", (1.0,))
    rows = {0.5: {"error": 0.0}, 2.0: {"error": 1.0}}
    monkeypatch.setattr(
        random_init,
        "_rate_row",
        lambda setting: {
            "gain": setting[0],
            "input_scale": setting[1],
            "predicted": 0.0,
            "measured": 0.0,
            "slopes": [rows[setting[0]]["error"]] * 5,  # the five seeds' slopes, all at the stated error
            **rows[setting[0]],
        },
    )
    verdict = _verdict("chen2018.meanfield-rate")
    assert verdict.verdict == "holds-if" and "holds at (g, s) ∈ {(0.5, 1)}" in verdict.condition


def test_necessary_exploding_refuted_when_gamma_makes_every_run_admissible(monkeypatch):
    """With γ ≈ 0 every run has γ·σ_max(W) <= 1, so the saturation-steered runs that grow (ρ(W) < 1,
    a principal block of radius > 1) refute the necessary condition, each replayable."""
    monkeypatch.setattr(pascanu_hochreiter, "GAMMA", {"tanh": 1e-3, "sigmoid": 1e-3, "relu": 1e-3})
    verdict = _verdict("pascanu2013.necessary-exploding")
    assert verdict.verdict == "refuted" and verdict.counterexample["log_norm"] > 0


def test_lambda1_rate_conditional_when_few_runs_converge(monkeypatch):
    monkeypatch.setattr(random_init, "OSELEDETS_GAINS", (1.5,))
    monkeypatch.setattr(random_init, "OSELEDETS_SEEDS", range(8))
    monkeypatch.setattr(random_init, "trained_models", lambda kind, episodes: [])
    monkeypatch.setattr(random_init, "_oseledets_random", lambda case: case[1])
    never = {"lambda_1": 0.1, "lags": 100, "settle_lag": None, "error_at_longest_lag": 0.5, "error_decay_exponent": 0.0}
    monkeypatch.setattr(random_init, "_summary", lambda seed: never | {"converged": seed == 0})
    verdict = _verdict("oseledets1968.lambda1-rate")
    assert verdict.verdict == "holds-if" and "random g = 1.5, seed 0" in verdict.condition
