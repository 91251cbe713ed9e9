r"""The package's bibliography, ``rnn_theory/data/references.bib``, read into {key: {field: value}}.

A reader for that one file's plain form (one ``field = {value},`` per line), not for BibTeX at
large; braces that protect capitals and accents (``{\"u}``) are resolved for display.

>>> short_cite("pascanu2013"), short_cite("goodfellow2016"), short_cite("olah2015")
('Pascanu, Mikolov & Bengio 2013', 'Goodfellow, Bengio & Courville 2016', 'Olah 2015')
>>> short_cite("greff2017")
'Greff et al. 2017'
"""

import os
import re

from ..data import FOLDER

PATH = os.path.join(FOLDER, "references.bib")
_ENTRY = re.compile(r"^@(\w+)\{([^,\s]+),\s*$")
_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$")
_ACCENTS = {'{\\"u}': "ü", '{\\"o}': "ö", '{\\"a}': "ä", '{\\"e}': "ë", "{\\'i}": "í"}


def _read(path):
    entries, current = {}, None
    with open(path, encoding="utf-8") as file:
        for line in file:
            if match := _ENTRY.match(line):
                current = entries.setdefault(match.group(2), {"type": match.group(1)})
            elif current is not None and (match := _FIELD.match(line)):
                current[match.group(1)] = match.group(2)
    return entries


def plain(text):
    """BibTeX text for display: accents resolved, protecting braces and '--' dropped."""
    for code, letter in _ACCENTS.items():
        text = text.replace(code, letter)
    return text.replace("{", "").replace("}", "").replace("--", "–")


BIBLIOGRAPHY = _read(PATH)


def surnames(key):
    return [plain(author.split(",")[0].strip()) for author in BIBLIOGRAPHY[key]["author"].split(" and ")]


def short_cite(key):
    """'Author year', 'A & B year', 'A, B & C year' or 'A et al. year'."""
    names, year = surnames(key), BIBLIOGRAPHY[key]["year"]
    if len(names) > 3:
        return f"{names[0]} et al. {year}"
    return (", ".join(names[:-1]) + " & " + names[-1] if len(names) > 1 else names[0]) + f" {year}"


def reference(key):
    """One line of a references section: authors, year, title, venue, and DOI / arXiv / URL."""
    entry = BIBLIOGRAPHY[key]
    venue = (
        entry.get("journal")
        or entry.get("booktitle")
        or entry.get("publisher")
        or entry.get("howpublished")
        or entry.get("school", "")
    )
    details = ", ".join(
        part
        for part in (
            f"{entry['volume']}" + (f"({entry['number']})" if "number" in entry else "")
            if "volume" in entry and "journal" in entry
            else "",
            f"pp. {entry['pages']}" if "pages" in entry else "",
        )
        if part
    )
    links = []
    if "doi" in entry:
        links.append(f"doi:{entry['doi']}")
    if "eprint" in entry:
        links.append(f"arXiv:{entry['eprint']}")
    if not links and "url" in entry:
        links.append(entry["url"])
    authors = ", ".join(plain(a.strip()) for a in entry["author"].split(" and "))
    title = plain(entry["title"])
    text = f"{authors} ({entry['year']}). {title}{'' if title.endswith(('?', '!')) else '.'} {plain(venue)}"
    return text + (f", {plain(details)}" if details else "") + ". " + "; ".join(links) + "."
