"""CITATION.cff names the version being released; its schema is checked in CI (cffconvert --validate)."""

import re
from pathlib import Path

import rnn_theory as rt

ROOT = Path(__file__).resolve().parent.parent


def test_citation_version_is_the_package_version():
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    cited = re.search(r"^version:\s*\"?([^\s\"]+)\"?\s*$", cff, re.MULTILINE).group(1)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # no tomllib on Python 3.10
    assert cited == re.search(r'^version = "([^"]+)"$', pyproject, re.MULTILINE).group(1) == rt.__version__
    assert re.search(r"^license:\s*MIT\s*$", cff, re.MULTILINE) and 'license = "MIT"' in pyproject
