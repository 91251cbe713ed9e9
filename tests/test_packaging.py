"""What an installed package holds: every file the package reads at run time, not only the code.

The tests usually import the package from the checkout, where every file is present; a file missing
from ``package-data`` is missing only once installed (``rt.cite`` once read a CITATION.cff that
``pip install .`` did not ship)."""

import fnmatch
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")


def test_every_data_file_in_the_package_is_shipped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]
    unshipped = []
    for path in sorted((ROOT / "rnn_theory").rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(ROOT)
        shipped = False
        for package, globs in patterns.items():
            folder = ROOT.joinpath(*package.split("."))
            if folder in path.parents:
                inside = path.relative_to(folder).as_posix()
                shipped |= any(fnmatch.fnmatch(inside, glob) for glob in globs)
        if not shipped:
            unshipped.append(str(relative))
    assert unshipped == [], f"not in pyproject's package-data: {unshipped}"
