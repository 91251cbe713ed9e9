"""Which array library a flow computation runs on: NumPy (the default CPU path) or another
array-API namespace (PyTorch on CPU or CUDA, CuPy), found as SciPy and scikit-learn find it, with
``array_api_compat.array_namespace``.

A NumPy input without ``device`` stays on the NumPy path; a PyTorch or CuPy array, or a ``device``
("cpu", "cuda", "cuda:1": PyTorch's devices), selects the namespace path. Results come back as
NumPy arrays.

>>> import numpy as np
>>> wants_namespace(np.zeros((3, 2)), None), wants_namespace(np.zeros((3, 2)), "cpu")
(False, True)
"""

import numpy as np

_LIBRARIES = ("torch", "cupy")


def wants_namespace(xs, device):
    """Whether ``xs``/``device`` ask for the namespace path (cheap: imports nothing)."""
    return device is not None or type(xs).__module__.split(".")[0] in _LIBRARIES


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


def to_numpy(x):
    """A NumPy copy of an array of any of the namespaces (from the GPU if it is there).

    >>> to_numpy([1.0, 2.0])
    array([1., 2.])
    """
    if type(x).__module__.split(".")[0] == "torch":
        return x.detach().cpu().numpy()
    if hasattr(x, "get") and type(x).__module__.split(".")[0] == "cupy":
        return x.get()
    return np.asarray(x)
