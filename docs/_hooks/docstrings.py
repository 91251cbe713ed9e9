"""Griffe extension: the docstrings' plain text shown as written.

The package's docstrings are plain text with doctest blocks (``>>>`` lines and their output), run by
pytest. Markdown would read ``>>>`` as a nested quotation, ``x["k"](a=1)`` as a link and the ``*``
of ``W_*`` or ``**options`` as emphasis. So, before mkdocstrings renders a docstring, each doctest
block (from its first ``>>>`` line to the next blank line) is fenced as ``pycon``, and every ``*``
outside code is escaped.
"""

import re

import griffe

_CODE_OR_STAR = re.compile(r"(`+)(?:.+?)\1|\*")


def as_markdown(text):
    """``text`` with every doctest block (a ``>>>`` line up to the next blank line) fenced as
    ```pycon at its own indentation, and every ``*`` outside code escaped."""
    out, in_block, indent, fenced = [], False, "", False
    for line in text.split("\n"):
        stripped = line.lstrip()
        if not in_block and stripped.startswith(">>>") and not fenced:
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
            in_block = True
        elif in_block and not stripped:
            out.append(f"{indent}```")
            in_block = False
        if stripped.startswith("```"):
            fenced = not fenced
        out.append(line if in_block or fenced or stripped.startswith("```") else _escape_stars(line))
    if in_block:
        out.append(f"{indent}```")
    return "\n".join(out)


def _escape_stars(line):
    """``*`` outside inline code as ``\\*``; code spans (`…`, ``…``) kept as they are."""
    return _CODE_OR_STAR.sub(lambda match: match.group(0) if match.group(1) else r"\*", line)


class PlainDocstrings(griffe.Extension):
    def on_object(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = as_markdown(obj.docstring.value)
