"""The package's bibliography, ``rnn_theory/data/references.bib``: read at run time, never copied.

``entries()`` parses the file (one ``field = {value},`` per line, as it is written); ``cited_in``
finds the works a free-text reference names ("Gers, Schmidhuber & Cummins 2000", "Cho et al. 2014"):
same year, and the same surnames, or the same first surname followed by "et al.";
``bibitem`` formats one entry for a LaTeX ``thebibliography``.

>>> bib = entries()
>>> cited_in("Gers & Schmidhuber 2000, 'Recurrent nets that time and count'; Olah 2015", bib)
['gers2000peephole', 'olah2015']
>>> cited_in("Gers, Schmidhuber & Cummins 2000; Greff et al. 2017", bib)
['gers2000', 'greff2017']
>>> print(bibitem("feng2024", bib["feng2024"]))  # doctest: +NORMALIZE_WHITESPACE
\\bibitem{feng2024} Leo Feng, Frederick Tung, Mohamed Osama Ahmed, Yoshua Bengio and Hossein Hajimirsadeghi.
\\emph{Were {RNNs} All We Needed?} 2024. arXiv:2410.01201.
"""

import re
from importlib import resources

_ENTRY = re.compile(r"@(\w+)\{([^,\s]+),\s*\n(.*?)\n\}", re.S)
_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$")


def entries():
    """Key -> {"type": entry type, field: value, ...}, in the file's order."""
    text = resources.files("rnn_theory.data").joinpath("references.bib").read_text(encoding="utf-8")
    out = {}
    for kind, key, body in _ENTRY.findall(text):
        fields = {"type": kind.lower()}
        for line in body.splitlines():
            match = _FIELD.match(line)
            if match:
                fields[match.group(1).lower()] = match.group(2)
        out[key] = fields
    return out


def _people(entry):
    """[(given names, surname)] of the authors ("Surname, Given" or "Given Surname")."""
    people = []
    for name in entry.get("author", "").split(" and "):
        surname, _, given = (
            name.partition(", ") if ", " in name else (name.rsplit(" ", 1)[-1], "", name.rsplit(" ", 1)[0])
        )
        people.append((given.strip(), surname.strip()))
    return people


def _plain(tex):
    """Surname comparison ignores TeX accents and braces: Koutn{\\'i}k -> Koutnik."""
    return re.sub(r"\\.|[{}]", "", tex)


def cited_in(reference, bib):
    """Keys of the works that ``reference`` names, segment by segment (';'-separated), in order."""
    keys = []
    for segment in reference.split(";"):
        match = re.search(r"^(.*?)\b(\d{4})\b", segment.strip())
        if not match:
            continue
        names, year = match.group(1), match.group(2)
        et_al = "et al" in names
        named = {n.strip(" .,") for n in re.split(r",|&|\band\b|et al\.?", names) if n.strip(" .,")}
        for key, entry in bib.items():
            surnames = [_plain(s) for _, s in _people(entry)]
            if entry.get("year") != year or not surnames:
                continue
            # "et al." stands for three or more authors
            if (et_al and named == {surnames[0]} and len(surnames) > 2) or (not et_al and named == set(surnames)):
                keys.append(key)
    return keys


def _authors(entry):
    names = [f"{given} {surname}".strip() for given, surname in _people(entry)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def bibitem(key, entry):
    """``\\bibitem{key}`` Authors. Title. Venue, volume(number):pages, year. (LaTeX, from the bib's own markup)"""
    venue = entry.get("journal") or entry.get("booktitle") or entry.get("howpublished") or entry.get("school") or ""
    if entry.get("publisher"):
        venue = ", ".join(
            x for x in (entry.get("edition", "") and f"{entry['edition']} edition", entry["publisher"]) if x
        )
    where = venue
    if entry.get("volume"):
        where += f", {entry['volume']}" + (f"({entry['number']})" if entry.get("number") else "")
    if entry.get("pages"):
        where += f":{entry['pages']}" if entry.get("volume") else f", pp.~{entry['pages']}"
    title = entry.get("title", "")
    parts = [
        rf"\bibitem{{{key}}} {_authors(entry)}.",
        rf"\emph{{{title}}}" + ("" if title.endswith(("?", "!", ".")) else "."),
    ]
    parts.append(", ".join(x for x in (where, entry.get("year", "")) if x) + ".")
    if entry.get("eprint"):
        parts.append(f"arXiv:{entry['eprint']}.")
    return " ".join(parts)
