"""Reading a model is io's job, in one place: nothing outside ``rnn_theory.io`` imports a private
name of it, its modules import each other without a circle, and each imports on its own."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rnn_theory"
IO = PACKAGE / "io"


def _imports(path):
    """(module, names) of every import in ``path``, relative imports resolved to dotted names."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_nothing_outside_io_imports_a_private_name_of_io():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if IO in path.parents:
            continue
        for module, names in _imports(path):
            if not module.startswith("rnn_theory.io"):
                continue
            private = [part for part in module.split(".")[2:] if part.startswith("_")]
            private += [name for name in names if name.startswith("_")]
            if private:
                offenders.append(f"{path.relative_to(PACKAGE)}: {module} {private}")
    assert offenders == []


def _io_graph():
    graph = {}
    for path in IO.glob("*.py"):
        name = f"rnn_theory.io.{path.stem}" if path.stem != "__init__" else "rnn_theory.io"
        edges = set()
        for module, names in _imports(path):
            if module == "rnn_theory.io":  # from . import _h5, _keras
                edges |= {f"rnn_theory.io.{n}" for n in names}
            elif module.startswith("rnn_theory.io."):
                edges.add(module)
        graph[name] = edges - {name}
    return graph


def test_io_modules_import_each_other_without_a_circle():
    graph = _io_graph()
    graph.pop("rnn_theory.io")  # the package's __init__ imports its modules; they never import it
    done, path = set(), []

    def visit(node):
        if node in path:
            raise AssertionError("import circle: " + " -> ".join([*path[path.index(node) :], node]))
        if node in done or node not in graph:
            return
        path.append(node)
        for child in sorted(graph[node]):
            visit(child)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
    assert not any("rnn_theory.io" in edges for edges in graph.values())


# The readers and the conversion core (where a circle once was, _api <-> _h5): each imported first, in
# a fresh interpreter, so that no import order hides a circle (the scan above covers every module).
@pytest.mark.parametrize("module", ["_api", "_convert", "_h5", "_read", "_read_onnx", "_read_torch"])
def test_each_reader_imports_first_in_a_fresh_interpreter(module):
    done = subprocess.run(
        [sys.executable, "-c", f"import rnn_theory.io.{module}"],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
