"""The claims registry: every claim of the seed and its sources, with a computed verdict.

>>> import rnn_theory.claims as claims
>>> "seed.cell-state-diagonal" in claims.CLAIMS
True
"""

from . import dynamics, gates_modern, learning, pascanu_hochreiter, seed_gates, seed_vanilla  # noqa: F401  (registers)
from ._registry import CLAIMS, VERDICTS, Claim, Context, Result, Verdict, process_executor, verify

# The order of the claims table in the issue that defined them: the order of every report.
ORDER = (
    "seed.jacobian-product", "seed.rho-below-one-vanishes", "seed.rho-above-one-explodes",
    "seed.eigenvalues-typically-below-one", "seed.ten-to-twenty-steps", "seed.cell-state-diagonal",
    "seed.cell-state-multistep", "seed.hundreds-of-steps", "seed.gru-additive", "seed.gru-fewer-params",
    "seed.output-gate-decouples", "pascanu.sufficient-vanishing", "pascanu.necessary-exploding",
    "hochreiter.sigmoid-weight-bound", "hochreiter.cec", "scs.chaos-at-gain-one",
    "jozefowicz.forget-bias-one", "peephole.cell-path", "mingru.diagonal", "lru.exact-decay",
)
_registered = dict(CLAIMS)
CLAIMS.clear()
CLAIMS.update({claim_id: _registered.pop(claim_id) for claim_id in ORDER if claim_id in _registered})
CLAIMS.update(_registered)

__all__ = ["CLAIMS", "VERDICTS", "Claim", "Context", "Result", "Verdict", "process_executor", "verify"]
