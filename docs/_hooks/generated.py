"""MkDocs hook: the proofs and the figure gallery, read from proofs/ and figures/ at build time.

The pages are generated from the repository's own generated documents (``rnn-theory proofs``,
``rnn-theory figures``), so the site never holds a second copy that could go stale:
proofs/NAME.md becomes the page proofs/NAME/ (proofs/README.md the index), each figures/NAME.png
is served as figures/NAME.png (with its PDF and SVG), and the gallery shows every figure with its
caption NAME.txt and the command that writes its slides version. The
learning-experiments page (learning.md) gets its tables and the verdicts of the claim they decide
from the shipped results (``rnn_theory.training.success_tables``), read when the site is built.
"""

import html
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
TABLES, CLAIM = "<!-- generated: learning tables -->", "<!-- generated: learning claim -->"


def _gallery(figures):
    lines = [
        "# Figure gallery",
        "",
        "Every figure made by `rnn-theory figures`, with its caption, sized for a journal (one column",
        "3.3 in, both 7 in). Each is also written as PDF and SVG beside the PNG in `figures/`;",
        "`rnn-theory figures --check` fails when one is stale.",
        "",
        "**For slides.** `rnn-theory figures --style slides` builds the same figures from the same data",
        "at 16:9 (13.33 × 7.5 in, the size of a widescreen slide; PNG 1920 × 1080) with text 2.5 times",
        "and lines twice their print size, into `figures-slides/` (or `--out DIR`). They are not kept in",
        "the repository: each figure's section below gives the command that writes its slide, which",
        "takes from seconds to a few minutes (the figures of refuted claims rerun their checks). In",
        'Python: `rnn_theory.plots.generate("figures-slides", ["grad_norm_vs_lag_rnn"], look="slides")`.',
        "",
    ]
    for png in figures:
        caption = png.with_suffix(".txt").read_text(encoding="utf-8").strip()
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in caption.split("\n\n"))
        lines += [
            f"## `{png.stem}`",
            "",
            f'<figure markdown="span">![{png.stem}](figures/{png.name}){{ loading=lazy }}</figure>',
            "",
            f'<div class="caption">{paragraphs}</div>',
            "",
            f"Print: [PNG](figures/{png.name}) · [PDF](figures/{png.stem}.pdf) · [SVG](figures/{png.stem}.svg). "
            f"Slide (16:9): `rnn-theory figures --style slides --only {png.stem}` writes "
            f"`figures-slides/{png.stem}.png`, `.pdf` and `.svg`.",
            "",
        ]
    return "\n".join(lines)


def on_files(files, config):
    for page in sorted((ROOT / "proofs").glob("*.md")):
        name = "index.md" if page.name == "README.md" else page.name
        files.append(File.generated(config, f"proofs/{name}", content=page.read_text(encoding="utf-8")))
    # The counterexample records that proofs/claims.md links to, served as they are.
    for record in sorted((ROOT / "proofs" / "counterexamples").glob("*.json")):
        files.append(File.generated(config, f"proofs/counterexamples/{record.name}", abs_src_path=str(record)))
    # The figures of the package's own analyses first, then one per refuted claim.
    figures = sorted((ROOT / "figures").glob("*.png"), key=lambda png: (png.stem.startswith("claim_"), png.stem))
    for png in figures:
        for path in (png, png.with_suffix(".pdf"), png.with_suffix(".svg")):
            files.append(File.generated(config, f"figures/{path.name}", abs_src_path=str(path)))
    files.append(File.generated(config, "gallery.md", content=_gallery(figures)))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != "learning.md":
        return markdown
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the package of this checkout, as mkdocstrings reads it
    from rnn_theory.claims.learning import verdicts_markdown
    from rnn_theory.training.tables import markdown as tables_markdown
    from rnn_theory.training.tables import success_tables

    tables = success_tables()
    return markdown.replace(CLAIM, verdicts_markdown(tables)).replace(TABLES, tables_markdown(tables))
