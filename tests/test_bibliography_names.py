"""Every work named by author and year in the claims, the classics, the design page and the README
("Olah 2015", "Hochreiter & Schmidhuber 1997", "Pascanu et al. 2013", "Cho et al. (2014)") has an
entry in the package's bibliography, found by its first author's surname and its year."""

import re
from pathlib import Path

from rnn_theory.claims._bibliography import BIBLIOGRAPHY, surnames

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [
    *sorted((ROOT / "rnn_theory" / "claims").rglob("*.py")),
    *sorted((ROOT / "rnn_theory" / "classics").rglob("*.py")),
    ROOT / "docs" / "design.md",
    ROOT / "README.md",
]
_NAME = r"[A-Z][a-zà-öø-ÿ'’]+(?:-[A-Z][a-zà-öø-ÿ'’]+)?"
# A surname, then more authors ("A, B & C", "A and B") or "et al.", then the year, maybe in brackets.
CITATION = re.compile(rf"\b({_NAME})(?:,? (?:and|&) {_NAME}|, {_NAME}| et al\.)*,? \(?((?:19|20)\d\d)[a-z]?\b")
# Capitalised words that a year can follow without naming a work ("The 1997 adding problem").
NOT_NAMES = {"The", "A", "An", "In", "Of", "For", "On", "By", "Since", "Until", "From", "Fig", "Figure", "Table"}


def _cited(text):
    """(surname, year) of every 'Author … Year' in ``text``, read across line breaks and comment marks."""
    flat = re.sub(r"\s*\n\s*(?:#\s*)?", " ", text)
    return {(m.group(1), m.group(2)) for m in CITATION.finditer(flat) if m.group(1) not in NOT_NAMES}


def _entries():
    return {(surnames(key)[0], entry["year"]) for key, entry in BIBLIOGRAPHY.items()}


def test_the_scan_finds_the_forms_the_texts_use():
    text = "as Olah 2015 and Hochreiter & Schmidhuber 1997 say; Pascanu et al. 2013; Cho et al. (2014); Chen,\n    Pennington & Schoenholz 2018; The 1997 cell"
    assert _cited(text) == {
        ("Olah", "2015"),
        ("Hochreiter", "1997"),
        ("Pascanu", "2013"),
        ("Cho", "2014"),
        ("Chen", "2018"),
    }


def test_every_work_named_by_author_and_year_is_in_the_bibliography():
    known = _entries()
    missing = {
        (name, year, path.relative_to(ROOT).as_posix())
        for path in SCANNED
        for name, year in _cited(path.read_text(encoding="utf-8"))
        if (name, year) not in known
    }
    assert not missing, sorted(missing)
