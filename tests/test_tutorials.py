"""The tutorials in docs/tutorials/ (jupytext Markdown) run top to bottom without error, each shows
at least one figure computed as it runs, and ends with exercises. jupytext, nbclient and ipykernel
come with the test extra, so this runs wherever the tests do."""

import os
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = sorted(p for p in (ROOT / "docs" / "tutorials").glob("*.md") if p.name != "index.md")  # index: the overview


def test_there_are_at_least_four_tutorials_each_in_the_site_navigation():
    assert len(TUTORIALS) >= 4
    navigation = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert all(f"tutorials/{path.name}" in navigation for path in TUTORIALS)


@pytest.mark.parametrize("path", TUTORIALS, ids=[path.stem for path in TUTORIALS])
def test_tutorial_runs_and_shows_its_figures(path, tmp_path):
    notebook = jupytext.read(path)
    assert notebook.cells[-1].cell_type == "markdown" and "## Exercises" in notebook.cells[-1].source
    # The kernel imports this checkout's package (as the docs build does) and works in a scratch folder.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.update({"MPLBACKEND": "module://matplotlib_inline.backend_inline", "OPENBLAS_NUM_THREADS": "1"})
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=env)
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs), "no figure shown"
