"""The decision rules of the claims, the same in every claim and in quick and full runs.

One setting ("typically"): a fraction over seeds is read as "in more than half of the cases"
(HALF): the setting *holds* when the 95% interval of its fraction lies above 1/2, *fails* when it
lies below, and is *undecided* when it contains 1/2 (``classify``, ``typical_verdict``).

Several settings (forget biases, gains, cells, lags, …): ``settings_verdict`` turns the classes of
the settings measured into one verdict, standard settings first (the settings the claim's wording
refers to, such as a framework's default initialisation):

1. every setting holds: **holds**;
2. a standard setting fails: **refuted** (the condition says where it holds instead);
3. otherwise, some setting holds: **holds-if**, the condition naming the settings where it does;
4. otherwise, some setting fails: **refuted**;
5. otherwise: **undecided**.

A claim whose wording names no standard setting (all settings alike) is decided by rules 1, 3–5.
Quick and full runs use the same seeds for every decision, so they never state different
conditions. docs/claims.md states these rules for users.
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


def settings_verdict(classes, evidence, refute, *, standard=(), label="", prefix="", suffix=""):
    """The verdict of a claim read over settings (the rule of the module docstring).

    ``classes``: {setting: "holds" | "fails" | "undecided"} in the order measured; ``standard``:
    the settings the claim's wording refers to, a subset of ``classes``; ``refute(setting)``: the
    counterexample record (``claims.counterexample``) of a failing setting, called only for a
    refuted verdict, with the first failing standard setting, else the first failing one. The
    condition is ``prefix`` + ``settings_condition(classes, label)`` + ``suffix``.

    >>> rule = lambda classes, standard=(): settings_verdict(classes, {}, lambda s: {"generic": True},
    ...                                                      standard=standard).verdict
    >>> rule({"0": "fails", "1": "fails", "3": "holds"}, standard=("0", "1"))
    'refuted'
    >>> rule({"0": "fails", "1": "fails", "3": "holds"}), rule({"0": "holds", "1": "holds", "3": "fails"}, ("0", "1"))
    ('holds-if', 'holds-if')
    >>> rule({"0": "holds", "1": "undecided"}), rule({"0": "undecided", "1": "fails"}), rule({"0": "undecided"})
    ('holds-if', 'refuted', 'undecided')
    """
    unknown = set(standard) - set(classes)
    if unknown:
        raise ValueError(f"standard settings {sorted(unknown)} were not measured")
    values = set(classes.values())
    if values == {"holds"}:
        return Verdict("holds", evidence)
    condition = prefix + settings_condition(classes, label) + suffix
    failing = [s for s in standard if classes[s] == "fails"]
    if not failing and "holds" in values:
        return Verdict("holds-if", evidence, condition=condition)
    failing = failing or [s for s, c in classes.items() if c == "fails"]
    if failing:
        return Verdict("refuted", evidence, condition=condition, counterexample=refute(failing[0]))
    return Verdict("undecided", evidence, condition=condition)


def typical_verdict(successes, n, evidence, refute, *, condition=None, key="as_stated"):
    """The typical reading of a claim measured at one setting: ``successes`` of ``n`` seeds agree.

    holds or refuted (``refute()`` builds the counterexample, called only then; ``condition``, if
    given, says what holds instead) by ``classify``; undecided, saying so, when the interval
    contains 1/2. The fraction record is added to ``evidence`` under ``key``."""
    cls, record = classify(successes, n)
    evidence = {**evidence, key: record}
    if cls == "holds":
        return Verdict("holds", evidence)
    if cls == "undecided":
        return Verdict("undecided", evidence, condition=f"95% interval {record['interval_95']} contains 1/2")
    return Verdict("refuted", evidence, condition=condition, counterexample=refute())


def outcome(failed, evidence, refute, condition=None):
    """A worst-case reading decided by one test: refuted (``refute()`` builds the counterexample, called
    only then; ``condition`` says what holds instead) when ``failed``, else holds."""
    if failed:
        return Verdict("refuted", evidence, condition=condition, counterexample=refute())
    return Verdict("holds", evidence)
