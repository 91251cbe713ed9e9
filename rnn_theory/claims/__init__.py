"""The claims registry: every claim of the seed and its sources, with a computed verdict.

>>> import rnn_theory.claims as claims
>>> "seed.cell-state-diagonal" in claims.CLAIMS
True
"""

from . import seed_gates, seed_vanilla  # noqa: F401  (importing a module registers its claims)
from ._registry import CLAIMS, VERDICTS, Claim, Context, Result, Verdict, verify

__all__ = ["CLAIMS", "VERDICTS", "Claim", "Context", "Result", "Verdict", "verify"]
