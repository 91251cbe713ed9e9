"""What every cell of the zoo shares: parameters, validation, stepping, running, the Jacobian.

A cell subclass declares its parameters (``param_shapes``, ``init``), its state parts by name
(``("h",)``, ``("h", "c")``, ...; the first is the output h), the nonlinearities its update
evaluates (``gates``), its retention and its recurrent matrices, and writes two methods against an
``ops`` backend:

- ``update(p, x, *parts, ops)``: the equations of one step, returning the new parts;
- ``jacobian_blocks(p, x, *parts, ops)``: the closed-form blocks ∂part'_a/∂part_b, rows = outputs;
- ``input_jacobian_blocks(p, x, *parts, ops)`` (where declared): the blocks ∂part'_a/∂x, one row
  per part, what a stack needs of a layer that reads the layer below (``flow.stack``).

``p`` is a namespace of parameters by native name. The numeric methods below call them with
NumPy arrays; the symbolic layer calls the same methods with SymPy objects.
"""

from collections import Counter
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from . import _numpy_ops

# Symbolic dimensions in ``param_shapes`` and ``part_sizes``: "n" hidden size, "m" input size, "n/2"
# rotation blocks, "n*n" a matrix memory stored as a vector, "1" a scalar (one per head).
_DIMS = {
    "n": lambda n, m: n,
    "m": lambda n, m: m,
    "n/2": lambda n, m: n // 2,
    "n*n": lambda n, m: n * n,
    "1": lambda n, m: 1,
}
# How a part's size is written in the state's size formula (plain text, TeX), largest first.
_SIZE_TERMS = (("n*n", "n²", "n^2"), ("n", "n", "n"), ("1", "", ""))
# Roles of a nonlinearity that are not gates: the state's own φ (rnn), h' = o⊙tanh(c')'s tanh, and
# the relu that evaluates the sLSTM's stabiliser max(a, b) = b + relu(a − b), and the mLSTM's normaliser
# max(|u|, e^{−m'}) (its exp and relus).
NOT_GATES = ("state", "readout", "stabiliser", "normaliser")


class Gate(NamedTuple):
    """One nonlinearity that a cell's ``update`` evaluates: ``name`` (the gate letter of the
    parameters), ``activation`` (the ``ops`` function: sigmoid, tanh, relu) and ``role`` (input,
    forget, candidate, output, reset, update; or "state"/"readout" for nonlinearities that are not
    gates)."""

    name: str
    activation: str
    role: str


class Cell:
    """One recurrent cell: s_t = F(s_{t−1}, x_t) with state s = h, or s = [h; c; ...] (h first; each
    part of n entries unless ``part_sizes`` says otherwise).

    Construct from native parameter names, e.g. ``RNN(W=W, U=U, b=b)``; arrays are copied to
    read-only float64 and validated (names, shapes, finiteness). Or draw one with ``random``.
    """

    key: str
    reference: str
    param_shapes: dict  # native name -> tuple of symbolic dims, in a fixed order
    # native name -> how ``random`` draws it: "recurrent" N(0, gain²/n), "input" N(0, 1/m), "zero".
    init: dict
    state_parts: tuple = ("h",)  # the state's parts by name, in the order of s; the first is h
    # part -> its size as a symbolic dimension of ``_DIMS``; a part not named here has n entries.
    part_sizes: dict = {}
    # Every activation ``update`` evaluates, in the order it evaluates them (``gate_values`` checks).
    gates: tuple = ()
    # What the cell keeps of its memory per step (f for the LSTM family, 1 − z for the GRUs): its
    # symbol as plain text and TeX; ``retention`` computes it from the gate values.
    retention_label: tuple = None
    # A sentence on the cell's own convention, reported with its analysis (None: nothing to say).
    convention: str = None
    # Parameters that must keep a strict sign, native name -> −1 or +1 (Mamba's A < 0): training
    # updates ln(sign·θ) in their place, as Mamba's own code trains A_log = ln(−A).
    signed_params: dict = {}

    @classmethod
    def retention(cls, gates):
        """The retention per unit and step from the gate values (dict name -> array), or None."""
        return None

    def recurrent_matrices(self):
        """The n×n matrices that multiply the state: name -> array (default: the square
        parameters that ``init`` draws as "recurrent")."""
        return {
            name: value
            for name, value in self._params.items()
            if self.init[name] == "recurrent" and self.param_shapes[name] == ("n", "n")
        }

    def __init__(self, **params):
        expected, given = set(self.param_shapes), set(params)
        if given != expected:
            missing, unknown = sorted(expected - given), sorted(given - expected)
            raise ValueError(
                f"{self.key}: parameters must be exactly {list(self.param_shapes)}"
                + (f"; missing {missing}" if missing else "")
                + (f"; unknown {unknown}" if unknown else "")
            )
        arrays = {name: _as_float_array(self.key, name, params[name]) for name in self.param_shapes}
        n, m = self._infer_sizes(arrays)
        for name, dims in self.param_shapes.items():
            want = self._shape(dims, n, m)
            if arrays[name].shape != want:
                raise ValueError(
                    f"{self.key}: parameter {name} must have shape {want} "
                    f"({'×'.join(dims)} with n={n}, m={m}), got {arrays[name].shape}"
                )
            arrays[name].setflags(write=False)
        self.hidden_size, self.input_size = n, m
        self._slices = self._part_slices(n, m)
        self._params = arrays
        self._p = SimpleNamespace(**arrays)

    # -- sizes and parameters -------------------------------------------------------------

    @property
    def options(self):
        """The constructor's options besides the parameters (rnn's ``activation``, the gates'
        ``gate_activation``): ``type(cell)(**cell.options, **cell.params)`` is the same cell."""
        return {}

    @property
    def params(self):
        """Native name -> read-only np.ndarray (a fresh dict; the arrays are shared)."""
        return dict(self._params)

    @property
    def state_size(self):
        return self._slices[-1].stop

    def part_slices(self):
        """Where each state part lies in s: one slice per part of ``state_parts``, in order.

        >>> from rnn_theory.cells import CELLS
        >>> CELLS["lstm"].random(hidden_size=3, input_size=1, rng=0).part_slices()
        (slice(0, 3, None), slice(3, 6, None))
        """
        return self._slices

    @classmethod
    def part_size(cls, part):
        """The size of state part ``part`` as a symbolic dimension: "n", or as ``part_sizes`` declares."""
        return cls.part_sizes.get(part, "n")

    @classmethod
    def size_formula(cls, tex=False):
        """The state size in n: "n", "2n", "n² + 2n + 1" (``tex``: "n^2 + 2n + 1")."""
        counts = Counter(cls.part_size(part) for part in cls.state_parts)
        terms = [
            f"{count if count > 1 or not symbol else ''}{symbol}"
            for dim, text, symbol_tex in _SIZE_TERMS
            for count, symbol in [(counts[dim], symbol_tex if tex else text)]
            if count
        ]
        return " + ".join(terms)

    @classmethod
    def _part_slices(cls, n, m):
        ends = np.cumsum([_DIMS[cls.part_size(part)](n, m) for part in cls.state_parts])
        return tuple(slice(int(end - size), int(end)) for end, size in zip(ends, np.diff(ends, prepend=0)))

    @property
    def num_params(self):
        return sum(a.size for a in self._params.values())

    @classmethod
    def _shape(cls, dims, n, m):
        return tuple(_DIMS[d](n, m) for d in dims)

    def _infer_sizes(self, arrays):
        """n and m as most parameters say (so that the one odd parameter out is the one blamed)."""

        def size_of(dim):
            sizes = [
                arrays[name].shape[dims.index(dim)]
                for name, dims in self.param_shapes.items()
                if dim in dims and arrays[name].ndim == len(dims)
            ]
            if not sizes:
                raise ValueError(f"{self.key}: cannot infer the size '{dim}' from the parameter shapes")
            return Counter(sizes).most_common(1)[0][0]

        halves = any("n/2" in dims for dims in self.param_shapes.values())
        n = 2 * size_of("n/2") if halves else size_of("n")
        m = size_of("m")
        if n < 1 or m < 1:
            raise ValueError(f"{self.key}: hidden and input sizes must be >= 1, got n={n}, m={m}")
        return n, m

    # -- random initialisation ------------------------------------------------------------

    @classmethod
    def random(cls, *, hidden_size, input_size, rng=None, gain=1.0, **options):
        """A cell with random weights, drawn in the fixed order of ``param_shapes``.

        As the class's ``init`` declares: "recurrent" ~ N(0, gain²/n) (W_*, peepholes p_*), "input"
        ~ N(0, 1/m) (U_*), "zero" (biases). Cells without recurrent weights (mingru, minlstm, lru)
        have nothing for ``gain`` to scale. Cell-specific ``options``: ``activation`` (rnn), ``forget_bias`` (cells with a
        forget gate, added to b_f), ``r_min``/``r_max``/``max_phase`` (lru).
        """
        rng = np.random.default_rng(rng)
        n, m = hidden_size, input_size
        params = {}
        for name, dims in cls.param_shapes.items():
            shape = cls._shape(dims, n, m)
            draw = cls.init[name]
            if draw == "recurrent":
                params[name] = rng.normal(0.0, gain / np.sqrt(n), size=shape)
            elif draw == "input":
                params[name] = rng.normal(0.0, 1.0 / np.sqrt(m), size=shape)
            elif draw == "zero":
                params[name] = np.zeros(shape)
            else:
                raise ValueError(f"{cls.key}: init of {name} must be recurrent, input or zero, got {draw!r}")
        return cls._from_random(params, **options)

    @classmethod
    def _from_random(cls, params):
        return cls(**params)

    # -- numerics -------------------------------------------------------------------------

    def step(self, x, s0):
        """s_t = F(s_{t−1}, x_t): x (m,), s0 (state_size,) -> (state_size,)."""
        x, s0 = self._check_input(x), self._check_state(s0)
        return np.concatenate(self.update(self._p, x, *self._split(s0), ops=_numpy_ops))

    def run(self, xs, s0=None):
        """All states of a run: xs (T, m) -> (T+1, state_size) with S[0] = s0 (zeros if None)."""
        xs = np.asarray(xs)
        if xs.ndim != 2 or xs.shape[1] != self.input_size:
            raise ValueError(f"{self.key}: xs must have shape (T, {self.input_size}), got {xs.shape}")
        xs = _finite(self.key, "xs", xs)
        s = np.zeros(self.state_size) if s0 is None else self._check_state(s0)
        states = np.empty((len(xs) + 1, self.state_size), dtype=np.result_type(xs, s, float))
        states[0] = s
        for t, x in enumerate(xs):
            s = np.concatenate(self.update(self._p, x, *self._split(s), ops=_numpy_ops), out=states[t + 1])
        return states

    def jacobian(self, x, s0):
        """J = ∂ step(x, s)/∂s at s = s0, in closed form: (state_size, state_size), rows = outputs."""
        x, s0 = self._check_input(x), self._check_state(s0)
        blocks = self.jacobian_blocks(self._p, x, *self._split(s0), ops=_numpy_ops)
        return np.block([list(row) for row in blocks]) if len(blocks) > 1 else blocks[0][0]

    def input_jacobian(self, x, s0):
        """∂ step(x, s)/∂x at s = s0, in closed form: (state_size, input_size), rows = outputs."""
        x, s0 = self._check_input(x), self._check_state(s0)
        blocks = self.input_jacobian_blocks(self._p, x, *self._split(s0), ops=_numpy_ops)
        return np.vstack([row[0] for row in blocks])

    @classmethod
    def declares_input_jacobian(cls):
        """Whether the cell declares ``input_jacobian_blocks`` (∂s'/∂x in closed form)."""
        return cls.input_jacobian_blocks is not Cell.input_jacobian_blocks

    def input_jacobian_blocks(self, p, x, *parts, ops):
        """The closed-form blocks ∂part'_a/∂x, ((∂h'/∂x,), ...): one row per state part."""
        raise NotImplementedError(f"{self.key}: no closed-form input Jacobian ∂s'/∂x is declared")

    def _split(self, s):
        """The state parts of s (state_size, ...) along its first axis."""
        return tuple(s[part] for part in self._slices)

    def _check_input(self, x):
        x = np.asarray(x)
        if x.shape != (self.input_size,):
            raise ValueError(f"{self.key}: x must have shape ({self.input_size},), got {x.shape}")
        return _finite(self.key, "x", x)

    def _check_state(self, s):
        s = np.asarray(s)
        if s.shape != (self.state_size,):
            raise ValueError(f"{self.key}: state must have shape ({self.state_size},), got {s.shape}")
        return _finite(self.key, "state", s)

    def __repr__(self):
        return f"{type(self).__name__}(hidden_size={self.hidden_size}, input_size={self.input_size})"


def forget_bias_init(default):
    """The ``_from_random`` of a cell with a forget-gate bias b_f: ``random(forget_bias=…)`` adds
    ``forget_bias`` (``default`` if not given) to the drawn b_f."""

    def _from_random(cls, params, *, forget_bias=default):
        params["b_f"] = params["b_f"] + forget_bias
        return cls(**params)

    return classmethod(_from_random)


def gate_params(gates, recurrent=True):
    """Native parameters of gates with letters ``gates``: W_* (n, n), U_* (n, m), b_* (n,)."""
    shapes = {f"W_{g}": ("n", "n") for g in gates} if recurrent else {}
    shapes.update({f"U_{g}": ("n", "m") for g in gates})
    shapes.update({f"b_{g}": ("n",) for g in gates})
    return shapes


def gate_init(gates, recurrent=True):
    """``init`` of ``gate_params(gates, recurrent)``: W_* recurrent, U_* input, b_* zero."""
    draws = {"W": "recurrent", "U": "input", "b": "zero"}
    return {name: draws[name[0]] for name in gate_params(gates, recurrent)}


def affine(p, gate, x, h=None):
    """The pre-activation W_gate h + U_gate x + b_gate (without W_gate h when h is None)."""
    a = getattr(p, f"U_{gate}") @ x + getattr(p, f"b_{gate}")
    return a if h is None else getattr(p, f"W_{gate}") @ h + a


def _as_float_array(key, name, value):
    array = np.array(value)  # a copy: the cell owns its parameters
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{key}: parameter {name} must be real numbers, got dtype {array.dtype}")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{key}: parameter {name} contains NaN or inf")
    return array


def _finite(key, what, array):
    if not (np.issubdtype(array.dtype, np.number) and np.isfinite(array).all()):
        raise ValueError(f"{key}: {what} must be finite numbers")
    return array.astype(np.result_type(array, float), copy=False)
