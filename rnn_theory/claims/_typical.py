"""The decision rule of a typical reading, the same in every claim and in quick and full runs.

"Typically" is read as "in more than half of the cases" (HALF): a setting is decided only when the
95% interval of its fraction over seeds lies on one side of 1/2; otherwise it is undecided. Quick
and full runs use the same seeds for every decision, so they never state different conditions.
"""

from ._registry import Verdict
from ._statistics import fraction

HALF = 0.5


def classify(successes, n):
    """(class, fraction record): "holds" when the 95% interval lies above 1/2, "fails" when below,
    "undecided" when it contains 1/2."""
    record = fraction(successes, n)
    low, high = record["interval_95"]
    return ("holds" if low > HALF else "fails" if high < HALF else "undecided"), record


def settings_condition(classes, label):
    """'<label> ∈ {…} (holds); fails at {…}; undecided at {…}', over the settings actually measured."""
    parts = []
    for cls, word in (("holds", "holds at"), ("fails", "fails at"), ("undecided", "undecided at")):
        chosen = [name for name, c in classes.items() if c == cls]
        if chosen:
            parts.append(f"{word} {label + ' ∈ ' if label else ''}{{{', '.join(chosen)}}}")
    return "; ".join(parts) + f" (of the measured {{{', '.join(classes)}}})"


def settings_verdict(classes, evidence, condition):
    """The typical reading over settings: holds when every setting holds, holds-if (``condition``)
    when some do, undecided when none holds and none fails; None when settings fail and none holds,
    where the caller records the refuting case it found."""
    values = set(classes.values())
    if values == {"holds"}:
        return Verdict("holds", evidence)
    if "holds" in values:
        return Verdict("holds-if", evidence, condition=condition)
    if "fails" not in values:
        return Verdict("undecided", evidence, condition=condition)
    return None
