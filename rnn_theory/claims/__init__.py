"""The claims registry: published claims about gradient flow, each cited by its source's own words,
with a computed verdict per reading (worst case, typical).

>>> import rnn_theory.claims as claims
>>> claims.resolve("seed.cell-state-diagonal")
'goodfellow2016.forget-gate-self-loop'
>>> claims.resolve("olah2015.conveyor-belt")  # Olah's words, read for the gradient: a folklore claim
'folklore.conveyor-belt-gradient'
>>> claims.CLAIMS["ganguli2008.nonnormal-transient"].source.cite
'Ganguli, Huh & Sompolinsky 2008, abstract'
"""

from . import (  # noqa: F401  (registers)
    dynamics,
    exploding,
    gates,
    gates_modern,
    hochreiter,
    indrnn,
    latching,
    learning,
    memory,
    pascanu_hochreiter,
    random_init,
    retention,
    rglru_scale,
    slstm,
    vanilla,
)
from ._counterexample import counterexample
from ._registry import (
    ALIASES,
    CLAIMS,
    READINGS,
    VERDICTS,
    Claim,
    Context,
    Result,
    Source,
    Verdict,
    process_executor,
    resolve,
    verify,
)

# The order of every report: the vanilla RNN's story first, then gates, then the bounds and dynamics, then
# the exploding side, random initialisations and memory times; last, the LSTM's descendants.
ORDER = (
    "pascanu2013.jacobian-product",
    "folklore.rho-below-one-vanishes",
    "folklore.rho-above-one-explodes",
    "folklore.jacobian-radius-below-one",
    "goodfellow2016.ten-to-twenty-steps",
    "folklore.ten-to-twenty-steps-any-optimiser",
    "goodfellow2016.forget-gate-self-loop",
    "folklore.forget-gate-product",
    "folklore.conveyor-belt-gradient",
    "chung2014.additive-update",
    "olah2015.gru-simpler",
    "hochreiter1997.output-gate-protects",
    "pascanu2013.sufficient-vanishing",
    "pascanu2013.necessary-exploding",
    "hochreiter1997.sigmoid-weight-bound",
    "hochreiter1997.cec",
    "folklore.chaos-at-gain-one",
    "jozefowicz2015.forget-bias-one",
    "rnn-theory.peephole-cell-path",
    "feng2024.diagonal-jacobian",
    "orvieto2023.exact-decay",
    "pascanu2013.wall",
    "pascanu2013.clipping",
    "ganguli2008.nonnormal-transient",
    "chen2018.meanfield-rate",
    "chen2018.critical-isometry",
    "rnn-theory.orthogonal-isometry-rnn",
    "arjovsky2016.orthogonal-norm",
    "rnn-theory.orthogonal-tanh-decay",
    "le2015.irnn",
    "oseledets1968.lambda1-rate",
    "rnn-theory.remembering-is-default",
    "tallec2018.chrono",
    "gers2000.state-grows",
    "orvieto2023.exp-parametrisation",
    "can2020.slow-modes",
    "rnn-theory.contracting-stretch-vanishes",
    "hochreiter1997.global-bound",
    "beck2024.stabiliser-invariance",
    "gu2023.state-gradient-cannot-explode",
    "de2024.rglru-gate-in-unit-interval",
    "rnn-theory.rglru-normalised-scale",
    "rnn-theory.indrnn-regulated-bounds",
)
_registered = dict(CLAIMS)
CLAIMS.clear()
CLAIMS.update({claim_id: _registered.pop(claim_id) for claim_id in ORDER if claim_id in _registered})
CLAIMS.update(_registered)

__all__ = [
    "ALIASES",
    "CLAIMS",
    "READINGS",
    "VERDICTS",
    "Claim",
    "Context",
    "Result",
    "Source",
    "Verdict",
    "counterexample",
    "process_executor",
    "resolve",
    "verify",
]
