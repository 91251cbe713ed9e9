"""``rnn-theory cite`` and ``rt.cite``: the source's entry and the package's (built from CITATION.cff,
with the version), a verdict computed by the claim's check, every id and alias, bad input."""

import re
import subprocess
from pathlib import Path

import pytest

import rnn_theory as rt
import rnn_theory.claims as claims
from rnn_theory import citation
from rnn_theory.cli import main

ROOT = Path(__file__).resolve().parent.parent
CHEAP = "pascanu2013.sufficient-vanishing"  # a check of a few seconds


def _entries(bibtex):
    return re.findall(r"^@(\w+)\{([^,]+),$", bibtex, re.MULTILINE)


def test_bibtex_prints_the_sources_entry_and_the_packages_with_its_version(capsys):
    assert main(["cite", CHEAP, "--format", "bibtex"]) == 0
    out = capsys.readouterr().out
    assert _entries(out) == [("inproceedings", "pascanu2013"), ("software", f"rnntheory-{rt.__version__}")]
    assert f"  version = {{{rt.__version__}}}," in out
    # The source's entry is the bibliography's, byte for byte.
    assert citation.source_entry("pascanu2013") in (ROOT / "rnn_theory/data/references.bib").read_text(encoding="utf-8")
    assert out.count("{") == out.count("}")


def test_every_id_and_alias_has_a_bibtex_citation():
    for name in [*claims.CLAIMS, *claims.ALIASES]:
        bibkey = claims.CLAIMS[claims.resolve(name)].source.bibkey
        keys = [key for _, key in _entries(rt.cite(name, "bibtex"))]
        assert keys == [bibkey, f"rnntheory-{rt.__version__}"], name


def test_text_names_the_computed_verdict_and_latex_cites_both_entries(capsys):
    (result,) = claims.verify([CHEAP], quick=True)
    text = " ".join(rt.cite(CHEAP, result=result).split())  # unwrapped
    assert f"Verdict: {result.found.verdict}, the worst-case reading" in text
    assert claims.CLAIMS[CHEAP].source.quote in text and f"rnn-theory {rt.__version__}" in text
    assert "quick run" in text and "symbolic steps proven" in text
    assert main(["cite", CHEAP, "--format", "latex"]) == 0  # the command runs the check itself
    latex = capsys.readouterr().out
    assert latex == rt.cite(CHEAP, "latex", result=result)
    assert "\\cite{pascanu2013}" in latex and f"\\cite{{rnntheory-{rt.__version__}}}" in latex
    assert "W\\_rec" in latex  # LaTeX's specials escaped in the quote


def test_an_unknown_id_is_one_line_naming_close_ids_and_exit_2(capsys):
    assert main(["cite", "pascanu2013.sufficent-vanishing"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and CHEAP in err and "Traceback" not in err
    with pytest.raises(ValueError, match="unknown claim"):
        rt.cite("no.such-claim")
    with pytest.raises(ValueError, match="format"):
        rt.cite(CHEAP, "yaml")
    assert main(["cite", CHEAP, "--format", "yaml"]) == 2


def test_the_package_entry_is_built_from_citation_cff():
    yaml = pytest.importorskip("yaml")  # an oracle independent of the package's small reader
    shipped, root = ROOT / "rnn_theory/data/CITATION.cff", ROOT / "CITATION.cff"
    assert shipped.read_bytes() == root.read_bytes(), "copy CITATION.cff to rnn_theory/data/ when it changes"
    want = yaml.safe_load(root.read_text(encoding="utf-8"))
    got = citation.read_cff(str(root))
    assert got == {k: (str(v) if not isinstance(v, (list, dict)) else v) for k, v in want.items()}
    entry = citation.package_entry()
    assert f"title = {{{want['title']}}}" in entry and f"year = {{{str(want['date-released'])[:4]}}}" in entry
    assert "author = {{the rnn-theory developers}}" in entry  # an organisation: braced, not split


def test_the_commit_is_named_only_in_a_checkout(tmp_path, monkeypatch):
    # Run from a checkout (not from an installed copy, as CI's tests are): the checkout's commit.
    if (
        Path(citation._ROOT, ".git").exists()
        and subprocess.run(["git", "--version"], capture_output=True).returncode == 0
    ):
        assert re.fullmatch(r"[0-9a-f]{12}(-dirty)?", citation._commit())
    monkeypatch.setattr(citation, "_ROOT", str(tmp_path))  # an installed package: no .git beside it
    assert citation._commit() is None
    assert "note" not in citation.package_entry()
