"""The versions that shape a figure's bytes, recorded beside the figures in ``VERSIONS.json``.

Byte-identical regeneration holds only with the same matplotlib and FreeType (text is rasterised
and laid out by FreeType; matplotlib changes its writers between releases). ``rnn-theory figures``
records, per figure, the versions it was made with; ``--check`` compares them with the running
ones, so that a stale file made by another version is reported with that cause.

>>> record = {"lyapunov_vs_gain": {"matplotlib": "3.8.0", "freetype": "2.6.1"}}
>>> print(explain(record, ["lyapunov_vs_gain"], {"matplotlib": "3.10.1", "freetype": "2.6.1"}))
lyapunov_vs_gain was made with matplotlib 3.8.0, this is matplotlib 3.10.1: byte identity needs the same matplotlib and FreeType (recorded in VERSIONS.json)
"""

import json
import os

FILE = "VERSIONS.json"
_NAMES = {"matplotlib": "matplotlib", "freetype": "FreeType"}


def current():
    """{"matplotlib": version, "freetype": version} of the running process."""
    import matplotlib
    from matplotlib import ft2font

    return {"matplotlib": matplotlib.__version__, "freetype": ft2font.__freetype_version__}


def read(folder):
    """The record in ``folder`` (figure name -> versions); empty when there is none or it is unreadable."""
    try:
        with open(os.path.join(folder, FILE), encoding="utf-8") as file:
            record = json.load(file)
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def updated(folder, names):
    """The record of ``folder`` with ``names`` set to the running versions, as the file's text; a
    figure whose caption is no longer in ``folder`` leaves the record."""
    kept = {name: made for name, made in read(folder).items() if os.path.exists(os.path.join(folder, name + ".txt"))}
    record = kept | {name: current() for name in names}
    return json.dumps(dict(sorted(record.items())), indent=1, sort_keys=True) + "\n"


def explain(record, names, running=None):
    """One line naming the figures among ``names`` recorded with other versions than ``running``
    (default: the running ones), or None when every recorded version matches."""
    running = running or current()
    causes = {}
    for name in names:
        made = record.get(name, {})
        diffs = [f"{_NAMES[k]} {made[k]}" for k in _NAMES if k in made and made[k] != running[k]]
        if diffs:
            causes.setdefault(", ".join(diffs), []).append(name)
    if not causes:
        return None
    ours = ", ".join(f"{_NAMES[k]} {running[k]}" for k in _NAMES if any(_NAMES[k] in made for made in causes))
    made = "; ".join(f"{', '.join(figures)} was made with {versions}" for versions, figures in causes.items())
    return f"{made}, this is {ours}: byte identity needs the same matplotlib and FreeType (recorded in {FILE})"
