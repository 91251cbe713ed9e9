"""proofs/: generated, committed, deterministic, checked for staleness; its LaTeX compiles."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import rnn_theory as rt
from rnn_theory.cli import main
from rnn_theory.cli import proofs as command
from rnn_theory.symbolic import article as article_module
from rnn_theory.symbolic import documents
from rnn_theory.symbolic.render import part_words

PROOFS = Path(__file__).resolve().parent.parent / "proofs"
PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"


@pytest.fixture(scope="module")
def symbolic():
    """The cells' pages, the theorems' results and every cell's proof (by its key and options), computed
    once in this process (about 15 s of CPU) and shared by the tests of writing, --check and the article;
    test_regeneration_is_byte_identical computes them afresh on worker processes and compares the files."""
    proofs, real = {}, documents.prove

    def prove(key, **options):
        proofs[key, tuple(options.items())] = real(key, **options)
        return proofs[key, tuple(options.items())]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(documents, "prove", prove)
        pages, theorems = command._symbolic(1)
    return pages, theorems, proofs


def _shared(patch, symbolic):
    """The proofs command, and the article, with the module's computation in place of their own (a
    proof the module did not compute is a KeyError, not a fresh computation)."""
    pages, theorems, proofs = symbolic
    patch.setattr(command, "_symbolic", lambda workers: (dict(pages), theorems))
    patch.setattr(article_module, "theorem_results", lambda: theorems)
    patch.setattr(article_module, "prove", lambda key, **options: proofs[key, tuple(options.items())])


@pytest.fixture
def shared(symbolic, monkeypatch):
    _shared(monkeypatch, symbolic)


@pytest.fixture(scope="module")
def generated(symbolic, tmp_path_factory):
    out = tmp_path_factory.mktemp("proofs")
    with pytest.MonkeyPatch.context() as patch:
        _shared(patch, symbolic)
        assert main(["proofs", "--no-claims", "--out", str(out)]) == 0
    return out


def test_committed_proofs_are_up_to_date(shared):
    """A fresh computation (the module's) against the committed pages, character for character."""
    assert main(["proofs", "--no-claims", "--check", "--out", str(PROOFS)]) == 0


@pytest.mark.slow
def test_committed_claims_page_is_up_to_date():
    """claims.md takes the full claims run (about a minute on 2 cores): behind the slow marker."""
    assert main(["proofs", "--check", "--out", str(PROOFS)]) == 0


def test_regeneration_is_byte_identical(generated, tmp_path, capsys):
    """The command run afresh, its proofs on worker processes, writes the bytes the module's
    in-process computation wrote: where a page is computed changes no character."""
    assert main(["proofs", "--no-claims", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""  # progress goes to a terminal only
    names = sorted(p.name for p in generated.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert all((generated / name).read_bytes() == (tmp_path / name).read_bytes() for name in names)


def test_check_reports_a_stale_page_and_keeps_unknown_files(generated, shared, tmp_path, capsys):
    copy = tmp_path / "proofs"
    shutil.copytree(generated, copy)
    (copy / "claims.md").write_text("# Claims\n")  # a later issue's file: not ours to judge or delete
    page = copy / "gru.md"
    page.write_text(page.read_text().replace("Proven", "Proved", 1))
    assert main(["proofs", "--no-claims", "--check", "--out", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "gru.md is stale" in err and "README.md is stale" in err  # the index now links claims.md
    assert (copy / "claims.md").read_text() == "# Claims\n"
    assert main(["proofs", "--no-claims", "--out", str(copy)]) == 0
    assert "[claims.md](claims.md)" in (copy / "README.md").read_text()
    assert (copy / "claims.md").read_text() == "# Claims\n"
    assert main(["proofs", "--no-claims", "--check", "--out", str(copy)]) == 0


def test_bad_out_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["proofs", "--no-claims", "--out", str(tmp_path / "file")]) == 2
    assert main(["proofs", "--no-claims", "--check", "--out", str(tmp_path / "missing")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def _formulas(text):
    """Every ```math block and every inline $…$ of a Markdown page."""
    blocks = re.findall(r"```math\n(.*?)\n```", text, flags=re.S)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return blocks, re.findall(r"\$([^$\n]+)\$", prose)


def _balanced(tex):
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0 and tex.count(r"\left") == tex.count(r"\right") and tex.count(r"\begin{") == tex.count(r"\end{")


KNOWN = {
    "frac",
    "partial",
    "left",
    "right",
    "operatorname",
    "odot",
    "oslash",
    "sigma",
    "tanh",
    "sum",
    "delta",
    "mathrm",
    "tilde",
    "theta",
    "cos",
    "sin",
    "begin",
    "end",
    "dots",
    "in",
    "ge",
    "le",
    "cdot",
    "times",
    "exp",
    "log",
    "sqrt",
    "Lambda",  # the newer cells: softplus, a^{c·r}, √(1 − a²), the RG-LRU's Λ
    "top",
    "otimes",  # the mLSTM's vec(v kᵀ), nᵀq and I ⊗ qᵀ
}


def test_latex_is_structurally_valid(generated):
    for page in sorted(generated.glob("*.md")):
        blocks, inline = _formulas(page.read_text())
        for tex in blocks + inline:
            assert _balanced(tex), (page.name, tex)
            commands = set(re.findall(r"\\([A-Za-z]+)", tex))
            assert commands <= KNOWN, (page.name, commands - KNOWN)
            assert not re.search(r"[^\x00-\x7f]", tex), (page.name, tex)  # pdflatex math is ASCII


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_compiles_with_amsmath(generated, tmp_path):
    body = []
    for page in sorted(generated.glob("*.md")):
        blocks, inline = _formulas(page.read_text())
        body += [f"\\[\n{tex}\n\\]" for tex in blocks] + [f"${tex}$\\par" for tex in inline]
    (tmp_path / "all.tex").write_text(PREAMBLE + "\n".join(body) + "\n\\end{document}\n")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "! " not in run.stdout


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_derive_prints_every_block(fmt, capsys):
    assert main(["derive", "lstm", "--format", fmt]) == 0
    out = capsys.readouterr().out
    marks = {"text": ["∂h'/∂h", "∂h'/∂c", "∂c'/∂h", "∂c'/∂c"], "latex": [r"\frac{\partial c'}{\partial c}"] * 1}
    marks["markdown"] = ["# `lstm`", "```math", "**Proven**"]
    assert all(mark in out for mark in marks[fmt])
    assert "NOT PROVEN" not in out


def test_derive_usage_errors(capsys):
    assert main(["derive", "elman"]) == 2
    assert main(["derive", "gru", "--activation", "relu"]) == 2
    assert main(["derive", "rnn", "--format", "pdf"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 3
    assert main(["derive", "rnn", "--activation", "relu"]) == 0
    assert "relu" in capsys.readouterr().out


@pytest.fixture(scope="module")
def article(symbolic, tmp_path_factory):
    """proofs.tex written by the command (from the module's proofs and theorems), and the pages the
    command computed for it."""
    out = tmp_path_factory.mktemp("latex")
    computed = {}
    latex_pages = command._latex_pages

    def recorded():
        computed.update(latex_pages())
        return dict(computed)

    with pytest.MonkeyPatch.context() as patch:
        _shared(patch, symbolic)
        patch.setattr(command, "_latex_pages", recorded)
        assert main(["proofs", "--format", "latex", "--out", str(out)]) == 0
    return out / command.LATEX_NAME, computed


def test_every_cell_page_shows_a_derivation_in_steps_per_block(generated):
    for key in rt.CELLS:
        text = (generated / f"{key}.md").read_text()
        blocks = re.findall(r"^#+ Block (∂\S+): (∂\(new [^)]*\)/∂\(previous [^)]*\))$", text, flags=re.M)
        assert blocks, key  # headings in symbols and in words
        for section in re.split(r"^#+ Block ", text, flags=re.M)[1:]:
            assert "Derivation in steps" in section and "1. " in section and "Certificate" in section, key
            words = "|".join(part_words(part) for part in rt.CELLS[key].state_parts)
            assert re.search(rf"^\d+\. The new ({words})", section, flags=re.M), key
        assert "∂a'/∂b" not in text and "NOT PROVEN" not in text  # a and b are pre-activations and biases


def test_the_index_proves_the_product_formula_for_every_lag(generated):
    text = (generated / "README.md").read_text()
    assert "## The product formula for every lag" in text and "by induction on τ" in text
    for label in ("*By definition*", "*Cited*", "*Checked by SymPy*", "*By hand*"):
        assert label in text


def test_latex_article_is_complete_and_check_works(article, monkeypatch, capsys):
    """The article's content, and --check on it (against the article the command computed, which the
    check would compute again: the same function of the same proofs)."""
    article, computed = article
    monkeypatch.setattr(command, "_latex_pages", lambda: dict(computed))
    tex = article.read_text()
    assert tex == computed[command.LATEX_NAME]  # what was computed is what was written
    assert (
        tex.startswith("\\documentclass")
        and "\\usepackage{amsmath,amssymb}" in tex
        and tex.endswith("\\end{document}\n")
    )
    assert not re.search(r"[^\x00-\x7f]", tex)  # pdflatex reads ASCII; every symbol is a command
    for key in rt.CELLS:
        assert f"\\texttt{{{key.replace('_', chr(92) + '_')}}}" in tex
    cited = {k for group in re.findall(r"\\cite\{([^}]*)\}", tex) for k in group.split(",")}
    items = set(re.findall(r"\\bibitem\{([^}]*)\}", tex))
    assert cited == items and {"rudin1976", "horn2013", "pascanu2013", "hochreiter1997"} <= items
    assert "The product formula for every lag" in tex
    assert main(["proofs", "--format", "latex", "--check", "--out", str(article.parent)]) == 0
    article.write_text(tex.replace("Proven", "Proved", 1))
    assert main(["proofs", "--format", "latex", "--check", "--out", str(article.parent)]) == 1
    assert "proofs.tex is stale" in capsys.readouterr().err
    article.write_text(tex)


def test_latex_text_rejects_a_symbol_it_cannot_typeset():
    from rnn_theory.symbolic.article import text

    assert text("σ_max(W) <= 1/4 [pascanu2013]") == r"$\sigma$\textsubscript{max}(W) $\le$ 1/4 \cite{pascanu2013}"
    with pytest.raises(ValueError, match="U\\+2603"):
        text("☃")


# Overfull boxes the article may have: a few formulas are one unbreakable product (at most ~25 pt too wide).
MAX_OVERFULL = 5


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_article_compiles_without_errors(article, tmp_path):
    shutil.copy(article[0], tmp_path / "proofs.tex")
    for _ in range(2):  # the second run resolves the citations
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "proofs.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "proofs.log").read_text(errors="replace")
    assert "! " not in log and "undefined" not in log.lower()
    assert log.count("Overfull \\hbox") <= MAX_OVERFULL


def test_a_counterexample_no_longer_produced_is_stale_and_is_removed(tmp_path, monkeypatch, capsys):
    """The counterexamples folder is wholly generated: a file the claims run no longer writes (a claim
    renamed or no longer refuted) makes --check fail and is removed by the next write."""
    pages = {"claims.md": "# Claims\n", "counterexamples/new.worst_case.json": "{}\n"}
    monkeypatch.setattr(command, "_markdown_pages", lambda args, out: dict(pages))
    out = tmp_path / "proofs"
    assert main(["proofs", "--out", str(out)]) == 0
    (out / "counterexamples" / "old.worst_case.json").write_text("{}\n")
    assert main(["proofs", "--check", "--out", str(out)]) == 1
    assert "old.worst_case.json is stale, not produced any more" in capsys.readouterr().err
    assert main(["proofs", "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "counterexamples").iterdir()) == ["new.worst_case.json"]
    assert main(["proofs", "--check", "--out", str(out)]) == 0
