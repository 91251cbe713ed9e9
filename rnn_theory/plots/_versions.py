"""The environment that made each figure, recorded beside the figures in ``VERSIONS.json``.

A figure's bytes are the same on every regeneration within one environment: the same numpy (and
SIMD level), BLAS kernel, matplotlib, FreeType, fontTools, Pillow and zlib
(``rnn_theory.reproducible.fingerprint``). ``rnn-theory figures`` records, per figure, the
fingerprint it was made with; ``--check`` compares a figure's PDF, SVG and PNG byte for byte only
where the running fingerprint equals the recorded one, and otherwise through the numbers it plots
(NAME.json) and its caption, saying which comparison it made and why.

>>> record = {"lyapunov_vs_gain": {"matplotlib": "3.8.0", "freetype": "2.6.1"}}
>>> print(explain(record, ["lyapunov_vs_gain"], {"matplotlib": "3.10.1", "freetype": "2.6.1"}))
lyapunov_vs_gain: made with matplotlib 3.8.0, this is matplotlib 3.10.1
"""

import json
import os

from ..reproducible import fingerprint

FILE = "VERSIONS.json"


def current():
    """The running environment's fingerprint."""
    return fingerprint()


def read(folder):
    """The record in ``folder`` (figure name -> fingerprint); empty when there is none or it is unreadable."""
    try:
        with open(os.path.join(folder, FILE), encoding="utf-8") as file:
            record = json.load(file)
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def updated(folder, names):
    """The record of ``folder`` with ``names`` set to the running fingerprint, as the file's text; a
    figure whose caption is no longer in ``folder`` leaves the record."""
    kept = {name: made for name, made in read(folder).items() if os.path.exists(os.path.join(folder, name + ".txt"))}
    record = kept | {name: current() for name in names}
    return json.dumps(dict(sorted(record.items())), indent=1, sort_keys=True) + "\n"


def same_environment(record, name, running=None):
    """Whether figure ``name`` was recorded with exactly the running fingerprint (byte identity holds)."""
    return record.get(name) == (running or current())


def explain(record, names, running=None):
    """One line per group of figures among ``names`` made in another environment than ``running``
    (default: the running one), naming what differs; None when every one matches."""
    running = running or current()
    causes = {}
    for name in names:
        made = record.get(name)
        if made is None:
            causes.setdefault("no recorded environment", []).append(name)
            continue
        diffs = [
            (f"{key} {made.get(key, 'unrecorded')}", f"{key} {value}")
            for key, value in running.items()
            if made.get(key) != value
        ]
        if diffs:
            cause = ", ".join(d for d, _ in diffs) + ", this is " + ", ".join(r for _, r in diffs)
            causes.setdefault(f"made with {cause}", []).append(name)
    if not causes:
        return None
    return "\n".join(f"{', '.join(figures)}: {cause}" for cause, figures in causes.items())
