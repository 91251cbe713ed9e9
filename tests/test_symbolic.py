"""The symbolic layer: every block of every cell derived for general n and proven equal to its
closed form; wrong closed forms are caught; the symbolic and numeric equations are the same."""

import numpy as np
import pytest
import sympy as sp
from conftest import ZOO, ZOO_IDS, generic_cell, generic_point

import rnn_theory as rt
from rnn_theory.cells import LSTM, RNN, GRUResetBefore, Peephole
from rnn_theory.symbolic import rewrite
from rnn_theory.symbolic.derive import derive
from rnn_theory.symbolic.functions import sigma
from rnn_theory.symbolic.indexed import i, j, n
from rnn_theory.symbolic.prove import prove
from rnn_theory.symbolic.rewrite import canonical, certificate, contract, normal
from rnn_theory.symbolic.steps import Partial


@pytest.mark.parametrize("key, options", ZOO, ids=ZOO_IDS)
def test_every_block_is_derived_and_proven_for_general_n(key, options):
    proof = prove(key, **options)
    parts = rt.CELLS[key].state_parts
    assert [(b.output, b.input) for b in proof.derivation.blocks] == [(a, b) for a in parts for b in parts]
    assert all(r.proven for r in proof.blocks), [r.detail for r in proof.blocks if not r.proven]
    for block in proof.derivation.blocks:
        for entry in block.entries:
            # A general-n derivation: symbolic n in the sums, symbolic indices (none between two scalar
            # parts, the mLSTM's stabiliser), no Piecewise.
            assert not entry.derived.has(sp.Piecewise)
            assert entry.derived.free_symbols & {i, j} or entry.derived == 0 or entry.row == entry.col == 0


# Each mutant changes one closed form the way a plausible slip would.
class LSTMNoCarousel(LSTM):
    def cell_jacobian(self, p, pre, c, *, ops):
        dc_dh, _ = super().cell_jacobian(p, pre, c, ops=ops)
        return dc_dh, ops.identity_like(c)  # forgets that ∂c'/∂c = diag(f)


class GRUWrongReset(GRUResetBefore):
    def candidate_jacobian(self, p, x, h, a_r, *, ops):  # W_n·diag(r) written as diag(r)·W_n
        return p.W_n @ ops.diag_matmul(h * ops.dsigmoid(a_r), p.W_r) + ops.diag_matmul(ops.sigmoid(a_r), p.W_n)


class PeepholeWithoutOutputPeep(Peephole):
    def output_sensitivity(self, p, a_o, c_new, *, ops):
        return ops.sigmoid(a_o) * ops.dtanh(c_new)  # drops tanh(c')⊙σ'(a_o)⊙p_o


class RNNTransposed(RNN):
    def jacobian_blocks(self, p, x, h, *, ops):
        a = p.W @ h + p.U @ x + p.b
        return ((ops.matmul_diag(p.W, ops.dtanh(a)),),)  # W·diag(φ') instead of diag(φ')·W


@pytest.mark.parametrize(
    "mutant, wrong",
    [
        (LSTMNoCarousel, [("h", "c"), ("c", "c")]),
        (GRUWrongReset, [("h", "h")]),
        (PeepholeWithoutOutputPeep, [("h", "h"), ("h", "c")]),
        (RNNTransposed, [("h", "h")]),
    ],
)
def test_a_wrong_closed_form_is_detected(mutant, wrong):
    proof = prove(mutant)
    assert not proof.proven
    failed = [(b.output, b.input) for b, r in zip(proof.derivation.blocks, proof.blocks) if not r.proven]
    assert failed == wrong
    assert all("non-zero remainder" in r.detail for r in proof.blocks if not r.proven)
    # Both routes fail: the derivation in steps and the diff of the whole update.
    assert all(not step.ok for r in proof.blocks if not r.proven for step in r.steps)


@pytest.mark.parametrize("mutant", [LSTMNoCarousel, GRUWrongReset, PeepholeWithoutOutputPeep, RNNTransposed])
def test_mutants_are_really_wrong_numerically(mutant):
    """The failure is not an artefact of the rewriting: the mutant's Jacobian is numerically wrong."""
    base = generic_cell(mutant.key, 3, 2, seed=5)
    cell = mutant(**base.params)
    x, s = generic_point(cell, 5)
    assert np.abs(cell.jacobian(x, s) - base.jacobian(x, s)).max() > 1e-3


def test_contraction_needs_the_same_range():
    """Σ_k A_k δ_kj is A_j only when j runs over k's range: an input index (0..m−1) is not contracted."""
    m = sp.Symbol("m", integer=True, positive=True)
    A, k = sp.IndexedBase("A"), sp.Symbol("k", integer=True)
    e = sp.Sum(A[k] * sp.KroneckerDelta(k, j), (k, 0, n - 1))
    assert normal(e, {j: (0, n - 1)}) == A[j]
    assert normal(e, {j: (0, m - 1)}) != A[j]
    assert contract(e, {}).has(sp.Sum)


def test_normal_form_commutes_sums_and_keeps_differences():
    A, B, k, l = sp.IndexedBase("A"), sp.IndexedBase("B"), *sp.symbols("k l", integer=True)
    ranges = {i: (0, n - 1), j: (0, n - 1)}
    left = sp.Sum(sp.Sum(A[i, k] * B[k, l] * A[l, j], (k, 0, n - 1)), (l, 0, n - 1))
    right = sp.Sum(A[i, l] * sp.Sum(B[l, k] * A[k, j], (k, 0, n - 1)), (l, 0, n - 1))
    assert normal(left - right, ranges) == 0
    transposed = sp.Sum(A[i, l] * sp.Sum(B[k, l] * A[k, j], (k, 0, n - 1)), (l, 0, n - 1))
    assert normal(left - transposed, ranges) != 0


def test_derive_accepts_keys_classes_and_instances_and_rejects_unknown_keys():
    cell = rt.CELLS["gru"].random(hidden_size=3, input_size=2, rng=1)
    texts = {str(derive(c).blocks[0].entries[0].derived) for c in ("gru", rt.CELLS["gru"], cell)}
    assert len(texts) == 1
    with pytest.raises(ValueError, match="unknown cell"):
        derive("elman")


def test_closed_forms_are_displayed_in_matrix_notation():
    lstm = {(b.output, b.input): b.closed_tex for b in derive("lstm").blocks}
    assert lstm[("c", "c")] == r"\operatorname{diag}\left(f\right)"
    assert derive("mingru").blocks[0].closed_tex == r"\operatorname{diag}\left(1 - z\right)"
    assert derive("rnn").blocks[0].closed_tex == r"\operatorname{diag}\left(\tanh'\left(a\right)\right) W"


@pytest.mark.parametrize("key, options", ZOO, ids=ZOO_IDS)
def test_every_block_has_a_complete_derivation_in_steps(key, options):
    """Steps from the pre-activations to the new state part, each one's result used by the next."""
    proof = prove(key, **options)
    for block, result in zip(proof.derivation.blocks, proof.blocks):
        for entry in block.entries:
            names = [step.name for step in entry.steps]
            assert names[-1] == f"{block.output}'" and entry.steps[-1].kind == "state"
            assert len(set(names)) == len(names)
            for later, step in enumerate(entry.steps):
                used = {str(p.args[0]) for p in step.chain.atoms(Partial)}
                assert used <= set(names[:later])  # only earlier steps are referred to
        assert [step.claim.split(" − ")[0] for step in result.steps] == [
            "the derivation in steps",
            "SymPy's diff of the whole update",
        ]


def test_the_certificate_names_the_rules_and_does_not_depend_on_the_cache():
    first = [r.steps for r in prove("gru_rb").blocks]
    canonical.cache_clear()
    rewrite._reduce.cache_clear()
    prove("lstm")  # other work first, then the same proof from a different cache
    assert [r.steps for r in prove("gru_rb").blocks] == first
    assert "(3) contraction" in first[0][1].argument and "(6) collection of equal terms" in first[0][0].argument
    W, h, k = sp.IndexedBase("W"), sp.IndexedBase("h"), sp.Symbol("k", integer=True)
    ranges = {i: (0, n - 1), j: (0, n - 1)}
    assert certificate(sp.Sum(W[i, k] * h[k], (k, 0, n - 1)).diff(h[j]) - W[i, j], ranges) == (0, (1, 3, 6))
    assert certificate(W[i, j] - W[i, j], ranges) == (0, ())


def test_restoring_a_function_does_not_capture_a_summation_index():
    """σ(Σ_k W[p, k] x[k]) restored at p = k must rename its own k (this once made a true identity fail)."""
    W, x, r = sp.IndexedBase("W"), sp.IndexedBase("x"), sp.IndexedBase("r")
    k, l = sp.symbols("k l", integer=True, nonnegative=True)
    inner_k = sigma(sp.Sum(W[l, k] * x[k], (k, 0, n - 1)))  # met at l, summed over k
    inner_l = sigma(sp.Sum(W[k, l] * x[l], (l, 0, n - 1)))  # the same function met at k
    lhs = sp.Sum(r[l] * inner_k, (l, 0, n - 1))
    rhs = sp.Sum(r[k] * inner_l, (k, 0, n - 1))
    assert normal(lhs - rhs, {}) == 0


def test_softplus_derivative_is_the_sigmoid():
    """softplus' = σ, as the symbolic function declares it, against SymPy's own ln(1 + e^a)."""
    from rnn_theory.symbolic.functions import softplus

    a = sp.Symbol("a", real=True)
    declared = sp.diff(softplus(a), a).rewrite(sp.exp)
    assert sp.simplify(declared - sp.diff(sp.log(1 + sp.exp(a)), a)) == 0
    assert sp.simplify(declared - sp.diff(sp.log(2 + sp.exp(a)), a)) != 0  # the check can fail
