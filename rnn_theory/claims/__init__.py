"""The claims registry: published claims about gradient flow, each cited by its source's own words,
with a computed verdict per reading (worst case, typical).

>>> import rnn_theory.claims as claims
>>> claims.resolve("seed.cell-state-diagonal")
'goodfellow2016.forget-gate-self-loop'
>>> claims.CLAIMS["olah2015.conveyor-belt"].source.cite
'Olah 2015, section “The Core Idea Behind LSTMs”'
"""

from . import (  # noqa: F401  (registers)
    descendants,
    dynamics,
    exploding,
    gates,
    gates_modern,
    hochreiter,
    latching,
    learning,
    memory,
    pascanu_hochreiter,
    random_init,
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
    "goodfellow2016.rho-below-one-vanishes",
    "goodfellow2016.rho-above-one-explodes",
    "goodfellow2016.jacobian-radius-below-one",
    "goodfellow2016.ten-to-twenty-steps",
    "goodfellow2016.forget-gate-self-loop",
    "goodfellow2016.self-loop-gradient-path",
    "olah2015.conveyor-belt",
    "chung2014.additive-update",
    "olah2015.gru-simpler",
    "hochreiter1997.output-gate-protects",
    "pascanu2013.sufficient-vanishing",
    "pascanu2013.necessary-exploding",
    "hochreiter1997.sigmoid-weight-bound",
    "hochreiter1997.cec",
    "sompolinsky1988.chaos-at-gain-one",
    "goodfellow2016.forget-bias-one",
    "gers2000peephole.cell-path",
    "feng2024.diagonal-jacobian",
    "orvieto2023.exact-decay",
    "pascanu2013.wall",
    "pascanu2013.clipping",
    "orhan2020.nonnormal-transient",
    "chen2018.meanfield-rate",
    "chen2018.critical-isometry",
    "arjovsky2016.orthogonal-norm",
    "le2015.irnn",
    "oseledets1968.lambda1-rate",
    "olah2015.default-behavior",
    "tallec2018.chrono",
    "gers2000.state-grows",
    "orvieto2023.exp-parametrisation",
    "can2020.slow-modes",
    "bengio1994.latching-vanishes",
    "hochreiter1997.global-bound",
    "beck2024.stabiliser-invariance",
    "gu2023.state-gradient-cannot-explode",
    "de2024.rglru-gate-in-unit-interval",
    "de2024.rglru-normalised-scale",
    "li2018.regulated-gradient",
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
