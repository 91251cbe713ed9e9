"""Griffe extension: the docstrings' doctests shown as Python sessions.

The package's docstrings are plain text with doctest blocks (``>>>`` lines and their output), run by
pytest. Markdown would read ``>>>`` as a nested quotation and ``x["k"](a=1)`` as a link, so each
doctest block (from its first ``>>>`` line to the next blank line) is fenced as ``pycon`` before
mkdocstrings renders the docstring.
"""

import griffe


def fence_doctests(text):
    """Wrap every doctest block of ``text`` (a ``>>>`` line up to the next blank line) in a
    ```pycon fence at its own indentation; blocks already inside a fence are left alone."""
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
        out.append(line)
    if in_block:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_object(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
