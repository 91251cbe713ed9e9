"""The reproducibility policy (``rnn_theory.reproducible``): what counts as the same number, and
claims whose evidence holds to it under another BLAS kernel."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rnn_theory.claims import verify
from rnn_theory.claims._search import structured_matrices
from rnn_theory.reproducible import ATOL, RTOL, compare_json, compare_text, estimate, fingerprint, main


@pytest.mark.parametrize(
    "old, new, same",
    [
        ("ρ = 1.669 at lag 50", "ρ = 1.669 at lag 50", True),
        ("growth 0.5139 per step", "growth 0.5138 per step", True),  # one unit of a 4-digit number
        ("growth 0.5139 per step", "growth 0.5121 per step", False),  # the 3rd digit: a changed search
        ("g = 0.8", "g = 0.9", False),  # a short number is a setting: exactly
        ("at lag 50", "at lag 51", False),  # integers exactly
        ("deviation 1e-14", "deviation 8e-15", True),  # below ATOL: rounding noise
        ("λ₁ 0.034 ± 0.006", "λ₁ 0.033 ± 0.006", True),  # an estimate within its error
        ("λ₁ 0.034 ± 0.006", "λ₁ 0.074 ± 0.006", False),
        ("holds at g ∈ {1.5, 2}", "refuted at g ∈ {1.5, 2}", False),  # words exactly
        ("goodfellow2016.rho", "goodfellow2017.rho", False),  # digits inside a word are the word's
    ],
)
def test_text_comparison(old, new, same):
    assert (compare_text(old, new) is None) is same


def test_json_comparison_at_the_tolerances():
    assert compare_json({"x": 1.0}, {"x": 1.0 + 0.9 * RTOL}) == []
    assert compare_json({"x": 1.0}, {"x": 1.0 + 2 * RTOL}) != []
    assert compare_json({"x": 0.0}, {"x": 0.9 * ATOL}) == []
    assert compare_json({"n": 3}, {"n": 4}) != [] and compare_json({"v": "holds"}, {"v": "holds-if"}) != []
    assert compare_json({"x": [1.0, 2.0]}, {"x": [1.0]}) == ["/x: 2 items against 1"]


def test_estimate_keeps_the_digits_of_its_error():
    values = np.random.default_rng(0).normal(0.1, 0.01, size=16)
    found = estimate(values)
    error = np.std(values, ddof=1) / 4
    assert found["runs"] == 16 and abs(found["standard_error"] - error) <= 0.5e-3  # one digit
    assert abs(found["mean"] - np.mean(values)) <= 0.5e-3 and round(found["mean"], 3) == found["mean"]


def test_files_are_compared_from_the_command_line(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"verdict": "holds", "rate": 0.5}))
    b.write_text(json.dumps({"verdict": "holds", "rate": 0.5 + 1e-12}))
    assert main([str(a), str(b)]) == 0
    b.write_text(json.dumps({"verdict": "refuted", "rate": 0.5}))
    assert main([str(a), str(b)]) == 1 and "/verdict" in capsys.readouterr().out
    assert main([str(a), str(tmp_path / "missing.json")]) == 2


def test_fingerprint_names_what_shapes_the_bytes():
    found = fingerprint()
    assert {"numpy", "numpy_simd", "blas", "matplotlib", "freetype", "fonttools", "pillow", "zlib"} <= set(found)


def test_structured_matrices_have_the_declared_radius():
    """The closed-form radius against the eigenvalues, where these are well-conditioned; the rotated
    Jordan block's computed eigenvalues lie within ε^{1/n} of its exact radius."""
    for n in (2, 4, 8):
        found = structured_matrices(n, 0.9, np.random.default_rng(n))
        for family, W in found.items():
            radius = np.abs(np.linalg.eigvals(W)).max()
            tolerance = 4 * np.finfo(float).eps ** (1 / n) if family == "rotated Jordan" else 1e-12
            assert abs(radius - 0.9) <= tolerance, (family, n, radius)


def _verify_under_two_kernels(ids, tmp_path):
    """The claims checked here and in a process on OpenBLAS's generic kernel (another rounding)."""
    if not any("openblas" in part for part in fingerprint()["blas"].split(";")):
        pytest.skip("OPENBLAS_CORETYPE selects a kernel of OpenBLAS only")
    here = json.loads(json.dumps([r.to_dict() for r in verify(ids, quick=True)]))
    out = tmp_path / "prescott.json"
    env = os.environ | {"OPENBLAS_CORETYPE": "Prescott"}
    command = [sys.executable, "-m", "rnn_theory", "verify", "--quick", "--json", str(out), "--only", *ids]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return here, json.loads(out.read_text(encoding="utf-8"))


def test_a_search_agrees_under_another_blas_kernel(tmp_path):
    """The spectral-radius search used to stop elsewhere on another kernel (a Jordan block's computed
    eigenvalues); now verdicts, conditions and words are identical and numbers within the policy."""
    here, there = _verify_under_two_kernels(["folklore.rho-below-one-vanishes"], tmp_path)
    assert compare_json(here, there) == []


@pytest.mark.slow
def test_chaotic_statistics_agree_under_another_blas_kernel(tmp_path):
    """λ₁ of chaotic runs, reported over seeds with its standard error (a minute on two cores; CI
    compares every claim under both kernels after the tests)."""
    here, there = _verify_under_two_kernels(["folklore.chaos-at-gain-one"], tmp_path)
    assert compare_json(here, there) == []


def test_a_figure_of_chaotic_runs_is_compared_within_its_declared_tolerance():
    from rnn_theory.plots._data import compare_figure_data, declare_statistics, figure_data
    from rnn_theory.plots._style import new_figure, style

    samples = [[0.10, 0.13, 0.16], [0.20, 0.22, 0.27]]  # the runs behind two plotted medians
    with style():
        figure, axes = new_figure()
        axes.plot([1.0, 2.0], [0.13, 0.22])
        declare_statistics(figure, samples, "medians of chaotic runs")
    old = figure_data(figure)
    # 4·√2 · 1.5·s/√3 with the larger sample's s = 0.0361: 5.66 · 0.0313 = 0.177.
    assert old["tolerance"]["atol"] == 0.18
    moved = json.loads(json.dumps(old))
    moved["axes"][0]["lines"][0]["y"][0] += 0.05
    assert compare_figure_data(json.loads(json.dumps(old)), moved) == []
    moved["axes"][0]["lines"][0]["y"][0] += 0.2
    assert compare_figure_data(json.loads(json.dumps(old)), moved) != []
