"""The flow on any array-API namespace, not only PyTorch's: ``array_api_strict``, the standard's own
reference namespace (it refuses what the standard leaves unspecified: NumPy's implicit trailing
axes, mixing its arrays with NumPy's, arrays on different devices), stands in for CuPy, which needs a
GPU. Its arrays live on its non-default device "device1", so an array the engine made on the
default device would fail there.

Over every cell of the zoo, small: ``gradient_norms(method="exact")`` equals NumPy's ``exact`` to
1e-9 in ln at every lag with every lag certified to 1e-9 (as ``test_flow_namespace`` asserts on
PyTorch; measured ≤ 1e-14 apart here, T = 40), ``lyapunov_spectrum`` equals NumPy's to 1e-12 (the
same Q_0 and QR steps; measured ≤ 1.2e-15). And the relu underflow refusal of the namespace run, on
PyTorch-CPU and array_api_strict, with the NumPy path's message.
"""

import subprocess
import sys

import numpy as np
import pytest
from conftest import ZOO, ZOO_IDS, generic_cell

import rnn_theory as rt

pytest.importorskip("array_api_compat")

NAMESPACES = [pytest.param("torch", marks=pytest.mark.torch), "array_api_strict"]


def on(name, dtype="float64"):
    """A function putting a NumPy array on the namespace ``name`` (skipped where it is not installed)."""
    library = pytest.importorskip(name)
    if name == "torch":
        return lambda x: library.tensor(x, dtype=getattr(library, dtype))
    return lambda x: library.asarray(x, dtype=getattr(library, dtype), device=library.Device("device1"))


def test_a_strict_array_selects_the_namespace_path_without_importing_torch():
    script = (
        "import sys, numpy as np, array_api_strict as xp\n"
        "from rnn_theory.flow._namespace import wants_namespace\n"
        "assert wants_namespace(xp.asarray([1.0]), None)\n"
        "assert not wants_namespace(np.zeros(2), None) and not wants_namespace([[1.0]], None)\n"
        "assert 'torch' not in sys.modules\n"
    )
    pytest.importorskip("array_api_strict")
    subprocess.run([sys.executable, "-c", script], check=True)


@pytest.mark.parametrize("entry", ZOO, ids=ZOO_IDS)
def test_gradient_norms_and_lyapunov_on_strict_equal_numpys(entry):
    to = on("array_api_strict")
    key, options = entry
    cell = generic_cell(key, 4, 3, 0, **options)
    rng = np.random.default_rng(1)
    xs, s0 = rng.normal(size=(40, 3)), np.abs(rng.normal(size=cell.state_size))  # relu states are ≥ 0
    want, got = rt.gradient_norms(cell, xs, s0), rt.gradient_norms(cell, to(xs), to(s0))
    for field in ("log_norm", "log_norm_h", "log_norm_c", "log_norm_direct"):
        if getattr(want, field) is None:
            assert getattr(got, field) is None, field
            continue
        assert isinstance(getattr(got, field), np.ndarray), field
        np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=0, atol=1e-9, err_msg=field)
    assert np.all((got.error_bound >= 0) & (got.error_bound <= 1e-9))
    k = min(3, cell.state_size)
    np.testing.assert_allclose(
        rt.lyapunov_spectrum(cell, to(xs), to(s0), k=k, burn_in=5),
        rt.lyapunov_spectrum(cell, xs, s0, k=k, burn_in=5),
        rtol=0,
        atol=1e-12,
    )


def _relu(scale, u=1.0):
    return rt.CELLS["rnn"](W=scale * np.eye(2), U=np.full((2, 1), u), b=np.zeros(2), activation="relu")


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_relu_run_that_underflows_is_refused_as_on_numpy(name):
    """W = 1e-200·I from s_0 = 1: s_2 = 1e-400 is flushed to 0, where relu′ jumps from 1 to 0 (the
    true ln‖P‖ is τ·ln 1e-200 at every lag; a flushed run reports −inf). NumPy's floating-point
    flags refuse it; the namespace refuses it with the same message, on either entry point."""
    to = on(name)
    cell, xs, s0 = _relu(1e-200), np.zeros((3, 1)), np.ones(2)
    with pytest.raises(ValueError) as numpy_error:
        rt.gradient_norms(cell, xs, s0)
    assert "underflows float64" in str(numpy_error.value)
    for call in (rt.gradient_norms, rt.lyapunov_spectrum):
        with pytest.raises(ValueError) as error:
            call(cell, to(xs), to(s0))
        assert str(error.value) == str(numpy_error.value)
    # a subnormal state (s_2 = 1e-320: kept, but to a few digits) and a subnormal U·x are refused too,
    # on both paths
    for cell, xs in ((_relu(1e-160), np.zeros((3, 1))), (_relu(0.5, 1e-10), np.full((3, 1), 1e-300))):
        for args in ((xs, s0), (to(xs), to(s0))):
            with pytest.raises(ValueError, match="underflows float64"):
                rt.gradient_norms(cell, *args)


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_relu_run_in_range_is_kept_and_float32_has_its_own_range(name):
    """W = 1e-30·I: ln‖P‖₂ = τ·ln 1e-30 exactly (the state stays ≥ 1e-90 ≫ 2.2e-308); in float32 the
    same run underflows (1e-60 < 1.2e-38) and is refused, naming float32."""
    cell, xs, s0 = _relu(1e-30), np.zeros((3, 1)), np.ones(2)
    flow = rt.gradient_norms(cell, on(name)(xs), on(name)(s0))
    np.testing.assert_allclose(flow.log_norm, np.arange(1, 4) * np.log(1e-30), rtol=1e-14)
    with pytest.raises(ValueError, match="underflows float32"):
        rt.gradient_norms(cell, on(name, "float32")(xs), on(name, "float32")(s0), dtype="float32")
