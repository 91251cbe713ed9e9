"""A stack of cells as one recurrent system (``rnn_theory.flow.stack``): its step operators against
dense Jacobians (closed form and complex step), its exact curves against a dense product of
complex-step Jacobians (the route the analysis took before), its probe curves against exact."""

import numpy as np
import pytest
from conftest import assert_blocks_within_their_bounds, forgetful_stack, generic_cell

import rnn_theory as rt
from rnn_theory.flow.norms import system_flow
from rnn_theory.flow.stack import Stack, stack_jacobian
from rnn_theory.flow.system import RecurrentSystem, StepOperators

STACKS = {
    "lstm+lstm": [("lstm", {}), ("lstm", {})],
    "lstm+gru_rb": [("lstm", {}), ("gru_rb", {})],
    "rnn+peephole+gru": [("rnn", {"activation": "relu"}), ("peephole", {}), ("gru", {})],
    "mamba+cifg+minlstm": [("mamba", {}), ("cifg", {}), ("minlstm", {})],
    "lru+lstm_nofg+indrnn+mingru": [("lru", {}), ("lstm_nofg", {}), ("indrnn", {}), ("mingru", {})],
}


def _stack(name, n=3, m=2, seed=0):
    cells, inputs = [], m
    for l, (key, options) in enumerate(STACKS[name]):
        cells.append(generic_cell(key, n, inputs, seed + l, **options))
        inputs = cells[-1].hidden_size
    return Stack(cells)


def _complex_step_jacobian(stack, x, S, h=1e-30):
    """∂S'/∂S of the stacked step (each layer stepping on the new h below), by complex step."""

    def step(S):
        out, x_l = [], x
        for cell, rows in zip(stack.layers, stack.layer_slices):
            s = cell.step(x_l, S[rows])
            out.append(s)
            x_l = s[: cell.hidden_size]
        return np.concatenate(out)

    return np.stack([step(S + 1j * h * e).imag / h for e in np.eye(stack.state_size)], axis=1)


@pytest.mark.parametrize("name", STACKS)
def test_step_operators_are_the_stack_jacobian(name):
    stack = _stack(name)
    xs = np.random.default_rng(1).normal(size=(5, stack.input_size))
    S = stack.run(xs)
    Js = stack.step_operators(xs, S[:5])
    assert isinstance(stack, RecurrentSystem) and isinstance(Js, StepOperators)
    with pytest.raises(ValueError, match="no part 'c'"):  # the engines never ask a stack for it
        Js.carousel(0)
    X = np.random.default_rng(2).normal(size=(stack.state_size, 4))
    for j in range(5):
        J = stack_jacobian(stack, xs[j], S[j])
        # the closed form against complex step: rounding in step alone (as tests/test_jacobian.py)
        assert np.abs(J - _complex_step_jacobian(stack, xs[j], S[j])).max() <= 1e-12 * max(1.0, np.abs(J).max())
        # the operators against the dense J: the same sums in another order, a few ulps
        np.testing.assert_allclose(Js.apply(X, j), J @ X, rtol=0, atol=1e-13 * np.abs(J).max() * np.abs(X).max())
        np.testing.assert_allclose(Js.apply_t(X, j), J.T @ X, rtol=0, atol=1e-13 * np.abs(J).max() * np.abs(X).max())


def _dense_route(stack, xs):
    """ln‖P‖₂ and each named block's ln‖P[a, b]‖₂ at every lag from a dense product of complex-step
    Jacobians, renormalised every lag (the analysis's route before the stack went through flow)."""
    S = stack.run(xs)
    curves = {name: [] for name in ("log_norm", *[name for name, _, _ in stack.blocks])}
    P, log_scale = np.eye(stack.state_size), 0.0
    for t in range(len(xs), 0, -1):
        P = P @ _complex_step_jacobian(stack, xs[t - 1], S[t - 1])
        norm = np.linalg.norm(P, 2)
        log_scale += np.log(norm)
        P /= norm
        curves["log_norm"].append(log_scale)
        for name, a, b in stack.blocks:
            with np.errstate(divide="ignore"):  # a dead relu layer's block is exactly 0
                curves[name].append(log_scale + np.log(np.linalg.norm(P[stack.layout[a], stack.layout[b]], 2)))
    return {name: np.array(v) for name, v in curves.items()}


@pytest.mark.parametrize("name", ["lstm+gru_rb", "rnn+peephole+gru"])
def test_exact_stack_curves_match_the_dense_route(name):
    stack = _stack(name, n=4)
    xs = np.random.default_rng(3).normal(size=(60, stack.input_size))
    flow = system_flow(stack, xs, method="exact")
    want = _dense_route(stack, xs)
    assert set(want) - {"log_norm"} == set(flow.blocks) == {name for name, _, _ in stack.blocks}
    for key, values in want.items():
        # both accurate to rounding (exact: its certified λ_max and truncation check, ≤ 1e-9)
        got = flow.log_norm if key == "log_norm" else flow.blocks[key]
        np.testing.assert_allclose(got, values, rtol=0, atol=1e-9, err_msg=key)
    assert flow.error_bound.max() <= 1e-9 and flow.log_norm_h is None and flow.log_norm_c is None


def test_exact_block_far_below_the_full_norm_is_bounded_not_minus_inf():
    """A block that falls under the truncation level (the GRU's own block, 60 nats below the full
    norm) was reported as −inf: now each block has its own bound (the truncation check's rows on the
    block's columns), inf where the curve is only an upper bound. Without truncation (rtol = 0) the
    graded product keeps it to its own accuracy, and the same check certifies it."""
    stack, xs = forgetful_stack()
    want = _dense_route(stack, xs)
    truth = {name: want[name] for name, _, _ in stack.blocks}
    flow = system_flow(stack, xs, method="exact")
    assert_blocks_within_their_bounds(flow, truth)
    # the case is the one described: the GRU's block is resolved at short lags, not at long ones
    unresolved = ~np.isfinite(flow.block_error_bounds["1<-1"])
    assert not unresolved[:100].any() and unresolved[-100:].all()
    assert (truth["1<-1"] - want["log_norm"])[-1] < -60
    for name in ("0<-0", "1<-0", "c 0"):  # the blocks near the full norm keep the full curve's level
        assert flow.block_error_bounds[name].max() <= 1e-9, name
    full = system_flow(stack, xs, method="exact", rtol=0.0)
    assert_blocks_within_their_bounds(full, truth)
    assert max(bound.max() for bound in full.block_error_bounds.values()) <= 1e-9


def test_probe_stack_full_curve_is_within_the_probes_level_of_exact():
    """The probe's stated level (``gradient_norms``): its full curve a lower estimate within 0.03
    nats of exact at lags ≥ 10, with exact ≤ probe + error_bound."""
    cells = [rt.CELLS["lstm"].random(hidden_size=32, input_size=8, rng=0)]
    cells.append(rt.CELLS["lstm"].random(hidden_size=32, input_size=32, rng=1))
    stack = Stack(cells)
    xs = np.random.default_rng(4).normal(size=(400, 8))
    exact, probe = (system_flow(stack, xs, method=m) for m in ("exact", "probe"))
    miss = exact.log_norm - probe.log_norm
    assert miss.min() >= -1e-9  # a lower estimate
    assert miss[9:].max() <= 0.03
    assert (exact.log_norm <= probe.log_norm + probe.error_bound + 1e-9).all()
    # its block curves are lower estimates too (their level is deliverable of the probe, not here)
    for name, _, _ in stack.blocks:
        assert (probe.blocks[name] <= exact.blocks[name] + 1e-9).all(), name


def test_stack_lyapunov_is_the_qr_method_on_its_jacobians():
    stack = _stack("lstm+gru_rb", n=3)
    xs = np.random.default_rng(5).normal(size=(80, stack.input_size))
    S = stack.run(xs)
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((stack.state_size,) * 2))[0]
    sums = np.zeros(stack.state_size)
    for t in range(1, 81):
        Q, R = np.linalg.qr(stack_jacobian(stack, xs[t - 1], S[t - 1]) @ Q)
        sums += np.log(np.abs(np.diagonal(R)))
    np.testing.assert_allclose(rt.lyapunov_spectrum(stack, xs), np.sort(sums / 80)[::-1], rtol=0, atol=1e-12)


def test_a_stack_refuses_what_it_cannot_compose():
    lstm = rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0)
    with pytest.raises(ValueError, match=r"layer 1 \(mamba\) declares no input Jacobian"):
        Stack([lstm, rt.CELLS["mamba"].random(hidden_size=3, input_size=3, rng=0)])
    with pytest.raises(ValueError, match="layer 1 .* reads 2 inputs, but layer 0 has 3 hidden units"):
        Stack([lstm, lstm])
    with pytest.raises(ValueError, match="at least one layer"):
        Stack([])


def test_a_batch_reports_each_sequences_c_blocks_and_their_quartiles():
    from rnn_theory.analysis._analysis import _stack_report  # noqa: PLC0415 (the stack of two given cells)

    stack = _stack("lstm+lstm", n=3)
    xs = np.random.default_rng(6).normal(size=(3, 30, stack.input_size))
    report = _stack_report(list(stack.layers), xs, None, None, "exact", 1)
    for l in ("0", "1"):
        each = [system_flow(stack, x, method="exact").blocks[f"c {l}"] for x in xs]
        np.testing.assert_array_equal(report["per_sequence"]["c_blocks"][l], each)
        np.testing.assert_array_equal(report["bands"][f"c block {l}"]["q50"], report["c_blocks"][l])
        assert report["c_blocks"][l] == list(np.sort(each, axis=0)[1])  # the median of three


def test_a_stack_report_carries_each_blocks_bound():
    """analyze's report: a block under the truncation level is a number (an upper bound) with a
    null bound, never a null curve; the others' bounds are within the full curve's level."""
    from rnn_theory.analysis._analysis import _stack_report  # noqa: PLC0415 (the stack of two given cells)

    stack, xs = forgetful_stack()
    report = _stack_report(list(stack.layers), xs[None], None, None, "exact", 1)
    bounds = report["block_error_bounds"]
    assert set(bounds) == {name for name, _, _ in stack.blocks}
    assert None not in report["pairs"]["1<-1"] and bounds["1<-1"][-1] is None and bounds["1<-1"][0] is not None
    assert max(bounds["1<-0"]) <= 1e-9 and max(bounds["c 0"]) <= 1e-9
