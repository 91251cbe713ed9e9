"""Cite a claim's verdict: the source's words, the verdict of each reading computed now, its
evidence, and the package version that computed it, as text, BibTeX or a LaTeX sentence.

``cite(claim_id)`` runs the claim's check (its quick run by default: the quick run shrinks only the
sweeps that add evidence, so it states the same verdicts and conditions as the full run) and
formats the result. The package's own BibTeX entry is built from ``CITATION.cff`` (a copy ships in
``rnn_theory/data``); the source's entry is the one in ``rnn_theory/data/references.bib``.

>>> import rnn_theory as rt
>>> print(rt.cite("pascanu2013.sufficient-vanishing", "bibtex").split("\\n")[0])
@inproceedings{pascanu2013,
"""

import difflib
import os
import re
import subprocess
import textwrap
from typing import TYPE_CHECKING

from .data import FOLDER

if TYPE_CHECKING:
    from .claims import Result

FORMATS = ("text", "bibtex", "latex")
CFF_PATH = os.path.join(FOLDER, "CITATION.cff")
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_KEY_NUMBERS = 4  # evidence numbers quoted per reading; the full evidence is in `rnn-theory verify --json`
_LATEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {"~": r"\textasciitilde{}", "^": r"\^{}", "\\": r"\textbackslash{}"}


def cite(claim_id: str, format: str = "text", *, quick: bool = True, result: "Result | None" = None) -> str:
    """The citation of claim ``claim_id`` (an id or an old alias) in ``format`` (text, bibtex, latex).

    The verdicts are computed now by the claim's check (``quick``: its quick run), or taken from
    ``result``, a ``rnn_theory.claims.Result`` of that claim from ``claims.verify`` (``quick`` then
    says which run made it). ValueError for an unknown id (naming the closest ids) or format."""
    from .claims import ALIASES, CLAIMS, resolve, verify

    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    try:
        claim_id = resolve(claim_id)
    except KeyError:
        close = difflib.get_close_matches(str(claim_id), [*CLAIMS, *ALIASES], n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "see `rnn-theory verify --list`"
        raise ValueError(f"unknown claim {claim_id!r}; {hint}") from None
    if format == "bibtex":  # the entries name no verdict: nothing to compute
        return f"{source_entry(CLAIMS[claim_id].source.bibkey)}\n\n{package_entry()}\n"
    if result is None:
        (result,) = verify([claim_id], quick=quick)
    elif result.claim.id != claim_id:
        raise ValueError(f"the result given is of {result.claim.id}, not of {claim_id}")
    return (_text if format == "text" else _latex)(result, "quick run" if quick else "full run")


def package_entry(fields=None):
    """The package's BibTeX entry, from ``CITATION.cff`` (``fields``: its parsed fields), with this
    version (and the git commit when the package runs from a checkout)."""
    fields = read_cff() if fields is None else fields
    authors = " and ".join(
        f"{{{a['name']}}}" if "name" in a else f"{a['family-names']}, {a.get('given-names', '')}".rstrip(", ")
        for a in fields["authors"]
    )
    entry = {
        "author": authors,
        "title": fields["title"],
        "version": _package_version(),
        "year": fields["date-released"][:4],
        "license": fields.get("license"),
        "doi": fields.get("doi"),
        "url": fields.get("repository-code") or fields.get("url"),
        "note": f"commit {commit}" if (commit := _commit()) else None,
    }
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in entry.items() if value)
    return f"@software{{{package_key()},\n{body},\n}}"


def package_key():
    """The package entry's key: 'rnntheory' and the version, e.g. rnntheory-0.1.0."""
    return f"rnntheory-{_package_version()}"


def read_cff(path=CFF_PATH):
    """The top-level fields of a CITATION.cff: scalars (quoted or not), folded blocks (``>-``), lists
    of scalars and lists of one-level mappings (``authors``). Only the YAML that CFF files use."""
    fields, key, block = {}, None, None
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            key, _, value = line.partition(":")
            value = value.strip()
            block = [] if value in (">-", ">", "|", "|-") else None
            fields[key] = block if block is not None else (_scalar(value) if value else [])
        elif block is not None:
            block.append(line.strip())
            fields[key] = " ".join(block)
        elif line.lstrip().startswith("- "):
            item = line.lstrip()[2:]
            name, colon, value = item.partition(":")
            fields[key].append(
                {name.strip(): _scalar(value.strip())} if colon and not item.startswith('"') else _scalar(item)
            )
        else:  # a further field of the last list item
            name, _, value = line.strip().partition(":")
            fields[key][-1][name.strip()] = _scalar(value.strip())
    return fields


def _scalar(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _commit():
    """The git commit of the checkout the package runs from ('…-dirty' with uncommitted changes),
    or None: installed from a wheel, no git, or anything else that goes wrong."""
    if not os.path.exists(os.path.join(_ROOT, ".git")):
        return None
    try:
        run = lambda *args: subprocess.run(
            ["git", "-C", _ROOT, *args], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        commit = run("rev-parse", "--short=12", "HEAD")
        dirty = run("status", "--porcelain", "--untracked-files=no", "--", "rnn_theory")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit or None


def _package_version():
    from . import __version__  # at call time: this module is imported while the package initialises

    return __version__


def _version():
    commit = _commit()
    return f"rnn-theory {_package_version()}" + (f" (commit {commit})" if commit else "")


def _text(result, run):
    from .claims._bibliography import short_cite

    claim, source = result.claim, result.claim.source
    who = f"{short_cite(source.bibkey)}, {source.locator}"
    if source.quote and source.attribution == "quote":
        opening = f"{who}: “{source.quote}”"
    elif source.quote:
        opening = f"{who} ({_ATTRIBUTION[source.attribution]}): “{source.quote}”"
    else:
        opening = f"{who} ({_ATTRIBUTION[source.attribution]}; the source's text is not quoted)"
    lines = [
        opening + (f" ({source.note})" if source.note else ""),
        f"Checked as: {claim.statement}.",
        f"Verdict: {result.found.verdict}, the {_READING[claim.asks]} reading, which its wording asks for.",
    ]
    for name, reading in result.readings.items():
        line = f"- {_READING[name]}: {reading.verdict}"
        if reading.condition:
            line += f"; {'what holds instead' if reading.verdict == 'refuted' else 'condition'}: {reading.condition}"
        numbers = _key_numbers(reading)
        lines.append(line + (f"; evidence: {numbers}" if numbers else ""))
    lines.append(
        f"Computed by {_version()}, {run}, claim {claim.id}; full evidence: "
        f"rnn-theory verify --only {claim.id} --json FILE."
    )
    return "".join(_wrap(line) + "\n" for line in lines)


def _wrap(line, width=100):
    """One paragraph of the text citation, wrapped; a reading's lines hang under its dash."""
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def _latex(result, run):
    from .claims._bibliography import short_cite

    claim, source, found = result.claim, result.claim.source, result.found
    said = f"``{_tex(source.quote)}''" if source.quote else _tex(claim.statement)
    authors = short_cite(source.bibkey).rsplit(" ", 1)[0]  # the year is the \\cite's
    stop = "" if (source.quote or claim.statement).endswith((".", "!", "?")) else "."
    verdict = {
        "holds": "holds",
        "holds-if": f"holds under a condition ({_tex(found.condition or '')})",
        "refuted": "is refuted by a counterexample",
        "undecided": "is undecided at the sample size measured",
    }[found.verdict]
    return (
        f"{_tex(authors)}~\\cite{{{source.bibkey}}} ({_tex(source.locator)}): {said}"
        f"{stop} "
        f"In its {_READING[claim.asks]} reading this claim {verdict}, as computed by "
        f"\\texttt{{rnn-theory}}~{_tex(_package_version())}~\\cite{{{package_key()}}} "
        f"(claim \\texttt{{{_tex(claim.id)}}}, {run}).\n"
    )


def source_entry(bibkey):
    """The entry ``bibkey`` of the package's bibliography, as written in references.bib."""
    from .claims._bibliography import PATH

    with open(PATH, encoding="utf-8") as file:
        text = file.read()
    return re.search(rf"^@\w+\{{{re.escape(bibkey)},\n.*?^\}}", text, re.MULTILINE | re.DOTALL).group(0)


def _key_numbers(reading):
    """The first numbers of a reading's evidence, shallowest first (a counterexample's lag and norm
    first), e.g. 'cases = 9; max_excess / tanh = 1.066e-14'; proofs counted, not listed."""
    from .claims._registry import _rounded
    from .claims.report import _readable

    evidence = _rounded(reading.evidence)
    leaves = sorted(_leaves(evidence), key=lambda leaf: leaf[0].count("\x00"))
    proven = [value for path, value in leaves if path.startswith("symbolic") and isinstance(value, bool)]
    numbers = [
        (path, value)
        for path, value in leaves
        if not isinstance(value, bool) and isinstance(value, (int, float)) and not path.startswith("symbolic")
    ]
    parts = [f"{sum(proven)} of {len(proven)} symbolic steps proven"] if proven else []
    if reading.counterexample:
        example = reading.counterexample
        parts.append(
            f"counterexample: {example['kind']}, lag {example['lag']}, ln‖∂s_T/∂s_(T−τ)‖₂ = {example['log_norm']:.4g}"
            + (", generic" if example["generic"] else ", not generic")
        )
    parts += [f"{path.replace(chr(0), ' / ')} = {_readable(value)}" for path, value in numbers[:_KEY_NUMBERS]]
    return "; ".join(parts)


def _leaves(value, path=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}\x00{key}" if path else str(key))
    else:
        yield path, value


def _tex(text):
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


_READING = {"worst_case": "worst-case", "typical": "typical"}
_ATTRIBUTION = {
    "quote": "in its own words",
    "paraphrase": "a common paraphrase, cited where it is taught",
    "derived": "a consequence the package derives from the work's equations",
    "extension": "the package's extension of these words, which do not make the claim",
}
