"""Which array library a flow computation runs on: NumPy (the default CPU path) or another
array-API namespace (PyTorch on CPU or CUDA, CuPy, any library the array API standard covers),
found as SciPy and scikit-learn find it, with ``array_api_compat.array_namespace``.

A NumPy input without ``device`` stays on the NumPy path; any other array-API array
(``array_api_compat.is_array_api_obj``: PyTorch's, CuPy's, JAX's, ``array_api_strict``'s, ...),
or a ``device`` ("cpu", "cuda", "cuda:1": PyTorch's devices), selects the namespace path. Results
come back as NumPy arrays.

>>> import numpy as np
>>> wants_namespace(np.zeros((3, 2)), None), wants_namespace(np.zeros((3, 2)), "cpu")
(False, True)
"""

import numpy as np

_LIBRARIES = ("torch", "cupy")


def wants_namespace(xs, device):
    """Whether ``xs``/``device`` ask for the namespace path. Cheap: NumPy arrays and Python values
    answer at once, and nothing is imported but array-api-compat, for a foreign object (without
    it, PyTorch's and CuPy's arrays still ask, and ``namespace`` says what is missing)."""
    if device is not None:
        return True
    if isinstance(xs, (np.ndarray, np.generic, list, tuple, int, float)) or xs is None:
        return False
    if type(xs).__module__.split(".")[0] in _LIBRARIES:
        return True
    try:
        from array_api_compat import is_array_api_obj  # noqa: PLC0415 (only foreign objects need it)
    except ImportError:
        return False
    return is_array_api_obj(xs)


def namespace(where, xs, device, dtype):
    """(xp, device, dtype) for ``xs`` or for PyTorch on ``device``; dtype "float64" (default) or "float32"."""
    try:
        import array_api_compat  # noqa: PLC0415 (only the namespace path needs it)
    except ImportError:
        raise ValueError(
            f"{where}: arrays other than NumPy's (or device=) need the package array-api-compat "
            "(pip install array-api-compat, or rnn-theory[array])"
        ) from None
    if dtype not in (None, "float64", "float32"):
        raise ValueError(f"{where}: dtype must be 'float64' or 'float32', got {dtype!r}")
    if device is not None:
        try:
            import torch  # noqa: PLC0415
        except ImportError:
            raise ValueError(f"{where}: device={device!r} runs on PyTorch, which is not installed") from None
        try:
            device = torch.device(device)
            if device.type == "meta":  # shapes only: nothing to compute with
                raise RuntimeError("the meta device holds no data")
            torch.empty(0, device=device)
        except (RuntimeError, AssertionError) as error:
            raise ValueError(f"{where}: device {str(device)!r} is not available ({error})".splitlines()[0]) from None
        xp = array_api_compat.array_namespace(torch.empty(0))
    else:
        xp = array_api_compat.array_namespace(xs)
        device = array_api_compat.device(xs)
    return xp, device, xp.float32 if dtype == "float32" else xp.float64


def relu_underflow_message(key, dtype, tiny):
    """The refusal of a relu run that underflows ``dtype`` (smallest normal number ``tiny``)."""
    return (
        f"{key} (relu): the run underflows {dtype} (values below {tiny:.2g} are flushed towards 0, "
        "where relu′ jumps from 1 to 0), so its Jacobians would be wrong; rescale the weights or inputs"
    )


def refuse_relu_underflow(cell, xp, xs, states):
    """Refuse a relu run that underflows, as the NumPy path does (``system.CellSystem.run``), for xs (T, m)
    and states (T+1, d) of the namespace. Without the floating-point flags NumPy reads, by the ways
    an underflow shows, with u the dtype's smallest normal number:

    - a subnormal state, 0 < |s| < u (a relu cell's state is its relu's value);
    - a parameter entry p ≠ 0 and an entry v ≠ 0 of a step's input (s_{t−1} or x_t) with |p·v| < u,
      tested as |v| < u/min|p| (the product a matrix–vector step forms may be flushed to 0; the test
      does not ask whether p and v meet in a product, so it may refuse a run NumPy's flags pass);
    - a parameter entry 0 < |p| < u (float32: flushed when the weights are converted).
    """
    if getattr(cell, "activation", None) != "relu":
        return
    tiny = float(xp.finfo(states.dtype).smallest_normal)
    weights = np.concatenate([np.abs(np.ravel(value)) for value in cell.params.values()])
    weights = weights[weights > 0]
    bound = tiny / float(weights.min()) if weights.size else 0.0

    def below(v, low):
        return bool(xp.any((v != 0) & (xp.abs(v) < low)))

    if (weights < tiny).any() or below(states, tiny) or below(states[:-1, :], bound) or below(xs, bound):
        name = "float32" if states.dtype == xp.float32 else "float64"
        raise ValueError(relu_underflow_message(cell.key, name, tiny))


def to_numpy(x):
    """A NumPy copy of an array of any of the namespaces (from the GPU, or another device, if it is
    there: PyTorch's and CuPy's own copies, else DLPack's, as the array API standard transfers).

    >>> to_numpy([1.0, 2.0])
    array([1., 2.])
    """
    library = type(x).__module__.split(".")[0]
    if library == "torch":
        return x.detach().cpu().numpy()
    if hasattr(x, "get") and library == "cupy":
        return x.get()
    if isinstance(x, np.ndarray) or not hasattr(x, "__dlpack__"):
        return np.asarray(x)
    return np.from_dlpack(x, device="cpu")
