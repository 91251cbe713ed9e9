"""The claims registry: all claims of the issue, verdicts as recorded, counterexamples that replay
in an implementation independent of the package, deterministic output, the verify command."""

import json

import numpy as np
import pytest

import rnn_theory.claims as claims
from rnn_theory.cli import main

ISSUE_IDS = {
    "seed.jacobian-product", "seed.rho-below-one-vanishes", "seed.rho-above-one-explodes",
    "seed.eigenvalues-typically-below-one", "seed.ten-to-twenty-steps", "seed.cell-state-diagonal",
    "seed.cell-state-multistep", "seed.hundreds-of-steps", "seed.gru-additive", "seed.gru-fewer-params",
    "seed.output-gate-decouples", "pascanu.sufficient-vanishing", "pascanu.necessary-exploding",
    "hochreiter.sigmoid-weight-bound", "hochreiter.cec", "scs.chaos-at-gain-one",
    "jozefowicz.forget-bias-one", "peephole.cell-path", "mingru.diagonal", "lru.exact-decay",
}


@pytest.fixture(scope="module")
def quick_results():
    return {r.claim.id: r for r in claims.verify(quick=True)}


def test_every_claim_of_the_issue_is_registered():
    assert ISSUE_IDS <= set(claims.CLAIMS)


def test_quick_verdicts_match_the_record(quick_results):
    deviations = {i: (r.found.verdict, r.claim.recorded) for i, r in quick_results.items() if r.regression}
    assert not deviations


# -- an independent replay: plain numpy, its own equations, derivatives by complex step -------------

def _sigma(a):
    return 1 / (1 + np.exp(-a))


def _replay_step(record, x, s):
    p = {k: np.array(v, dtype=float) for k, v in record["params"].items()}
    if record["kind"] == "rnn":
        phi = {"tanh": np.tanh, "sigmoid": _sigma, "relu": lambda a: np.where(a.real > 0, a, 0)}[record["activation"]]
        return phi(p["W"] @ s + p["U"] @ x + p["b"])
    n = len(p["b_o"])
    h, c = s[:n], s[n:]
    peep = {g: p.get(f"p_{g}", np.zeros(n)) for g in "ifo"}
    i = _sigma(p["W_i"] @ h + p["U_i"] @ x + p["b_i"] + peep["i"] * c)
    f = _sigma(p["W_f"] @ h + p["U_f"] @ x + p["b_f"] + peep["f"] * c)
    g = np.tanh(p["W_g"] @ h + p["U_g"] @ x + p["b_g"])
    c_new = f * c + i * g
    o = _sigma(p["W_o"] @ h + p["U_o"] @ x + p["b_o"] + peep["o"] * c_new)
    return np.concatenate([o * np.tanh(c_new), c_new])


def _replay_log_norm(record):
    xs, s = np.array(record["inputs"], dtype=float), np.array(record["s0"], dtype=float)
    states = [s]
    for x in xs:
        states.append(_replay_step(record, x, states[-1]))
    T, lag, d = len(xs), record["lag"], len(s)
    P, log_scale, eps = np.eye(d), 0.0, 1e-30
    for t in range(T, T - lag, -1):  # P ← P·J_t, J_t by complex step at (x_t, s_{t−1})
        J = np.stack([_replay_step(record, xs[t - 1], states[t - 1] + 1j * eps * e).imag / eps for e in np.eye(d)], axis=1)
        P = P @ J
        scale = np.abs(P).max()
        P, log_scale = P / scale, log_scale + np.log(scale)
    return log_scale + np.log(np.linalg.norm(P, 2))


def test_refuted_claims_carry_counterexamples_that_replay(quick_results):
    refuted = [r for r in quick_results.values() if r.found.verdict == "refuted"]
    assert refuted
    for result in refuted:
        record = json.loads(json.dumps(result.to_dict()["counterexample"]))  # exactly what the JSON holds
        assert set(record) >= {"kind", "params", "inputs", "s0", "lag", "log_norm"}
        # Complex step is exact to rounding: a few ulps per factor, so over <= 50 factors ~1e-13 in ln
        # (relative to |ln| up to 350). A wrong trajectory or Jacobian would be off by O(1).
        assert _replay_log_norm(record) == pytest.approx(record["log_norm"], rel=1e-12, abs=1e-9), result.claim.id


def test_refuted_vanilla_claims_contradict_their_statement(quick_results):
    below = quick_results["seed.rho-below-one-vanishes"].to_dict()["counterexample"]
    assert np.abs(np.linalg.eigvals(np.array(below["params"]["W"]))).max() < 1 and below["log_norm"] > 10
    above = quick_results["seed.rho-above-one-explodes"].to_dict()["counterexample"]
    assert np.abs(np.linalg.eigvals(np.array(above["params"]["W"]))).max() > 1 and above["log_norm"] < -10


def test_verdict_form_is_enforced():
    with pytest.raises(ValueError, match="counterexample"):
        claims.Verdict("refuted", {})
    with pytest.raises(ValueError, match="condition"):
        claims.Verdict("holds-if", {})
    with pytest.raises(ValueError, match="verdict must be"):
        claims.Verdict("probably", {})


def test_verify_json_is_deterministic_and_complete(tmp_path, capsys):
    ids = ["seed.gru-fewer-params", "peephole.cell-path", "mingru.diagonal"]
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path, workers in zip(paths, ("0", "2")):
        assert main(["verify", "--quick", "--workers", workers, "--json", str(path), "--only", *ids]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    records = json.loads(paths[0].read_text())
    assert [r["id"] for r in records] == ids
    for record in records:
        assert set(record) >= {"id", "statement", "source", "verdict", "condition", "method", "evidence", "counterexample"}
    assert "3 claims" in capsys.readouterr().out


def test_verify_exits_1_on_a_regression(monkeypatch, tmp_path):
    claim = claims.CLAIMS["mingru.diagonal"]
    monkeypatch.setitem(claims.CLAIMS, claim.id, claims.Claim(**{**claim.__dict__, "recorded": "refuted"}))
    assert main(["verify", "--quick", "--workers", "0", "--only", claim.id]) == 1


def test_verify_rejects_bad_usage(tmp_path, capsys):
    assert main(["verify", "--only", "no.such-claim"]) == 2
    assert main(["verify", "--workers", "-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("rnn-theory verify:") for line in err)
