"""Trajectory statistics on PyTorch-CPU's array-API namespace, and on ``array_api_strict`` (the
standard's own reference namespace, on its non-default device "device1", where an array made on the
wrong device fails), equal the NumPy path's.

Every cell of the zoo (rnn once per activation), a batch of two runs: the same structure (keys,
None where NumPy has None) and the same values to rtol 1e-12. Both paths evaluate the same
equations (the cell's ``update``, φ' by the same formulas), only the GEMMs and the run are rounded
in another order, a few ulps per step (measured ≤ 1.5e-14 relative, on the GRUs' memory times,
τ = −1/mean ln(1 − z), which divides by a mean of logarithms).
"""

import json
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import ZOO, ZOO_IDS, generic_cell

import rnn_theory as rt
from rnn_theory.flow import statistics

pytest.importorskip("array_api_compat")

RTOL = 1e-12
NAMESPACES = [pytest.param("torch", marks=pytest.mark.torch), "array_api_strict"]


def on(name):
    """A function putting a NumPy array on the namespace ``name`` (skipped where it is not installed)."""
    library = pytest.importorskip(name)
    if name == "torch":
        return library.tensor
    return lambda x: library.asarray(x, device=library.Device("device1"))


def assert_same(got, want, rtol=RTOL, path=""):
    """Equal structure (dict keys, list lengths, None) and floats equal to ``rtol``."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), path
        for key in want:
            assert_same(got[key], want[key], rtol, f"{path}/{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, rtol, f"{path}[{i}]")
    elif want is None:
        assert got is None, path
    else:
        assert type(got) is float, path
        assert got == pytest.approx(want, rel=rtol, abs=1e-300), path


def no_numpy_path(monkeypatch, cell):
    """Make the NumPy path's run and ops fail: what passes then ran on the namespace."""

    def fail(*args, **kwargs):
        raise AssertionError("the NumPy path ran")

    monkeypatch.setattr(type(cell), "run", fail)
    monkeypatch.setattr(statistics, "_numpy_ops", SimpleNamespace())  # no functions at all


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("entry", ZOO, ids=ZOO_IDS)
def test_trajectory_statistics_on_a_namespace_equal_numpys(entry, name, monkeypatch):
    to = on(name)
    key, options = entry
    cell = generic_cell(key, 5, 3, 0, **options)
    xs = np.random.default_rng(1).normal(size=(2, 30, 3))
    s0 = np.random.default_rng(2).normal(size=cell.state_size)
    if options.get("activation") == "relu":
        s0 = np.abs(s0)  # relu states are ≥ 0
    want = rt.trajectory_statistics(cell, xs, s0)
    no_numpy_path(monkeypatch, cell)
    got = rt.trajectory_statistics(cell, to(xs), to(s0))
    assert_same(got, want)
    json.dumps(got, allow_nan=False)


@pytest.mark.parametrize("name", NAMESPACES)
def test_gate_values_and_device_on_a_namespace(name):
    to = on(name)
    cell = generic_cell("lstm", 4, 3, 0)
    xs = np.random.default_rng(1).normal(size=(25, 3))
    states = cell.run(xs)
    want = rt.gate_values(cell, xs, states)
    found = [rt.gate_values(cell, to(xs), to(states)), rt.gate_values(cell, xs, to(states))]
    if name == "torch":  # device= names PyTorch's devices
        found.append(rt.gate_values(cell, xs, states, device="cpu"))
        assert_same(rt.trajectory_statistics(cell, xs, device="cpu"), rt.trajectory_statistics(cell, xs))
    for got in found:
        assert got.keys() == want.keys()
        for gate in want:
            assert isinstance(got[gate], np.ndarray)
            np.testing.assert_allclose(got[gate], want[gate], rtol=1e-13, atol=0, err_msg=gate)


@pytest.mark.torch
def test_float32_on_request():
    """float32's rounding (6e-8 a step) over 25 steps of a GRU: the gate summaries within 1e-5
    (measured 6.7e-7 relative)."""
    pytest.importorskip("torch")
    cell = generic_cell("gru", 4, 3, 0)
    xs = np.random.default_rng(1).normal(size=(25, 3))
    want = rt.trajectory_statistics(cell, xs)
    got = rt.trajectory_statistics(cell, xs, device="cpu", dtype="float32")
    assert_same(got["gates"], want["gates"], rtol=1e-5)


@pytest.mark.torch
def test_bad_namespace_arguments_say_so():
    torch = pytest.importorskip("torch")
    cell = generic_cell("rnn", 3, 2, 0)
    with pytest.raises(ValueError, match="dtype must be"):
        rt.trajectory_statistics(cell, np.zeros((4, 2)), device="cpu", dtype="float16")
    with pytest.raises(ValueError, match=r"xs has shape \(4, 3\), expected \(T, 2\)"):
        rt.trajectory_statistics(cell, torch.zeros((4, 3), dtype=torch.float64))
