"""``analyze``: the gradient flow through a user's own model, as one ``Analysis``.

The run starts from the zero state, s_0 = 0, and steps through the inputs xs (T, m); lag τ = 1..T
pairs s_T with s_{T−τ}: log_norm[τ−1] = ln‖∂s_T/∂s_{T−τ}‖₂ (natural log, spectral norm).
A direction-1 layer (the backward half of a bidirectional layer) runs over reversed time, as PyTorch
and Keras run it: its step t reads x_{T+1−t}, so lag τ pairs its final state (after reading the
first input x_1) with its state after reading x_{τ+1}, τ steps later in the original order.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from ..flow import lyapunov_spectrum, trajectory_statistics
from ..flow.norms import system_flow
from ..flow.stack import Stack
from ..io import read_network
from ._network import layer_inputs
from ._progress import expected_work, progress
from ._report import Analysis

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

# Lyapunov exponents are time averages of per-step log growth rates; their statistical error falls
# like 1/√T' with the T' averaged steps (a central limit theorem for ergodic averages), so below
# this many steps the leading exponents of nearby runs can differ in the second digit.
MIN_LYAPUNOV_STEPS = 1000
DEFAULT_STEPS = 100
REVERSED_NOTE = (
    "direction 1 runs over reversed time, as the model runs it: step t reads x_(T+1−t), and lag τ "
    "pairs the state after the first input x_1 with the state after x_(τ+1), τ steps later in the original order"
)
MAX_EXPONENTS = 32
_BANDS = (0.25, 0.5, 0.75)


def analyze(
    model: object,
    inputs: ArrayLike | None = None,
    *,
    steps: int | None = None,
    seed: int | None = None,
    layer: int | str | None = None,
    layers: str | None = None,
    direction: int | None = None,
    format: str | None = None,
    kind: str | None = None,
    prefix: str | None = None,
    activation: str | None = None,
    recurrent_activation: str | None = None,
    exponents: int | None = None,
    burn_in: int | None = None,
    method: str = "exact",
    workers: int | None = None,
) -> Analysis:
    """Analyse ``model`` on ``inputs``: curves, Lyapunov exponents, gate statistics, recurrent spectra.

    model: an ``rt.Cell``; a weights file (.safetensors/.npz, PyTorch, Keras or native names; a Keras
    .keras/.h5 file); a live ``torch.nn.RNN/LSTM/GRU``, ``*Cell`` or a Module containing one (``prefix``
    picks it when there are several); a Keras LSTM/GRU/SimpleRNN layer, Bidirectional or model.
    inputs: the model's inputs, (T, m) or a batch (B, T, m); None: N(0, 1) draws of ``steps`` (100)
    rows with ``seed`` (0). layer, direction: one layer of a stack (its index, or its name where
    the model names its layers) and, if bidirectional, its direction (1 runs over reversed time); layer k > 0 reads the outputs of the layers below it.
    layers="all": the whole (unidirectional) stack as one recurrent system (``rnn_theory.flow.stack``), by
    the same ``method`` as one cell, its curves for every pair of layers (h from h) and every layer's c
    block. recurrent_activation: a Keras
    model's gate nonlinearity where its file does not state it (``rt.io.read_model``); by default the
    file's Keras version decides, and the report's notes say which version and defaults were used. exponents: how many
    Lyapunov exponents (default all, at most 32); burn_in: QR steps left out of their average (T // 10).
    workers: processes for the sequences of a batch (default: the CPUs this process may use, at most
    B). Everything runs on one BLAS thread, so the numbers do not depend on ``workers``.
    Returns an ``Analysis``; bad arguments raise ValueError (TypeError for an unknown model object).

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["gru"].random(hidden_size=4, input_size=2, rng=0)
    >>> result = rt.analyze(cell, steps=30)
    >>> result
    Analysis(gru, n = 4, T = 30: ln‖∂s_T/∂s_0‖₂ = -6.74, λ_1 = -0.232)
    >>> result.to_dict()["lags"][:3], len(result.to_dict()["log_norm"])
    ([1, 2, 3], 30)
    """
    network = read_network(
        model,
        format=format,
        kind=kind,
        prefix=prefix,
        activation=activation,
        recurrent_activation=recurrent_activation,
    )
    with _one_blas_thread():
        return _analyze(network, inputs, steps, seed, layer, layers, direction, exponents, burn_in, method, workers)


def _analyze(network, inputs, steps, seed, layer, layers, direction, exponents, burn_in, method, workers):
    # The largest system this call may analyse, for the memory check and the time estimate.
    sizes = [cell.state_size for each in network.layers for cell in each.cells.values()]
    d = sum(sizes) if layers == "all" else max(sizes)
    xs, described = _inputs(inputs, steps, seed, network.input_size, d)
    batch = xs.ndim == 3
    sequences = xs if batch else xs[None]
    seconds = expected_work(d, sequences.shape[1], method) * len(sequences)
    with progress(seconds, "analyze"):
        return _analyze_sequences(
            network, sequences, described, batch, layer, layers, direction, exponents, burn_in, method, workers
        )


def _analyze_sequences(
    network, sequences, described, batch, layer, layers, direction, exponents, burn_in, method, workers
):
    if layers is not None:
        if layers != "all" or layer is not None or direction is not None:
            raise ValueError("layers takes 'all' (the whole stack), without layer or direction")
        if any(set(each.cells) != {0} or each.reversed[0] for each in network.layers):
            raise ValueError(
                "a bidirectional stack runs both ways in time and is not one recurrent system: "
                "analyse its layers one at a time (layer=…, direction=…)"
            )
    if layers == "all" and len(network.layers) > 1:
        cells = [layer.cells[0] for layer in network.layers]
        report = _stack_report(cells, sequences, exponents, burn_in, method, workers)
        where = {"layer": "all"}
    else:
        if layer is None and network.chosen is not None:
            layer = network.chosen
        index, chosen = _choose(network, 0 if layers == "all" else layer, direction)
        cell, reverse = network.layers[index].cells[chosen], network.layers[index].reversed[chosen]
        feeds = [layer_inputs(network, x, index) for x in sequences]
        report = _cell_report(cell, [f[::-1] if reverse else f for f in feeds], exponents, burn_in, method, workers)
        where = (
            {"layer": index, "direction": chosen} if len(network.layers) > 1 or len(network.layers[0].cells) > 1 else {}
        )
        report["time"] = "reversed" if reverse else "forward"
    head = {
        "weights": network.source,
        "format": network.format,
        "module": {**network.where, **where},
        "ignored": list(network.ignored),
        "notes": list(network.notes),
        "inputs": described,
    }
    conventions = {cell.convention for layer in network.layers for cell in layer.cells.values()} - {None}
    if network.format == "native":  # imported weights carry the conversion's own note
        head["notes"] += sorted(conventions)
    if report.get("time") == "reversed":
        head["notes"].append(REVERSED_NOTE)
    report = {**head, **report}
    if batch:
        report["batch"] = len(sequences)
    report["warnings"] = _warnings(report)
    return Analysis(report)


def _inputs(inputs, steps, seed, m, d):
    if inputs is None:
        steps = DEFAULT_STEPS if steps is None else steps
        seed = 0 if seed is None else seed
        if not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        expected_work(d, steps)  # the memory check, before the draws
        return np.random.default_rng(seed).normal(size=(steps, m)), {"normal": {"steps": int(steps), "seed": int(seed)}}
    if steps is not None or seed is not None:
        raise ValueError("give either inputs or steps/seed, not both")
    xs = np.asarray(inputs)
    if xs.ndim not in (2, 3) or xs.shape[-1] != m or xs.shape[-2] < 1 or xs.shape[0] < 1:
        raise ValueError(f"inputs: expected shape (T, {m}) or (B, T, {m}) with T >= 1, got {xs.shape}")
    if xs.dtype.kind not in "fiu" or not np.isfinite(xs).all():
        raise ValueError("inputs: must hold finite real numbers")
    return xs.astype(np.float64), {"shape": list(xs.shape)}


def _choose(network, layer, direction):
    count = len(network.layers)
    if layer is None and count > 1:
        raise ValueError(
            f"the model holds {count} layers ({network.listing()}): choose one with layer=0..{count - 1} "
            "or a layer's name (--layer), or the whole stack with layers='all' (--layer all)"
        )
    layer = 0 if layer is None else network.index(layer)
    if count == 1 and len(network.layers[0].cells) == 1 and direction not in (None, 0):
        raise ValueError("direction applies to bidirectional layers; this model has 1 layer and 1 direction")
    directions = sorted(network.layers[layer].cells)
    if direction is None:
        if len(directions) > 1:
            raise ValueError(
                f"layer {layer} is bidirectional: choose direction=0 (forward) or 1 (reversed time) (--direction)"
            )
        direction = directions[0]
    if direction not in directions:
        raise ValueError(f"layer {layer} has no direction {direction}; it has {directions}")
    return layer, direction


def _cell_report(cell, sequences, exponents, burn_in, method, workers):
    T = len(sequences[0])
    k, burn_in = _lyapunov_options(cell.state_size, T, exponents, burn_in)
    flows, spectra = _flows(cell, sequences, method, k, burn_in, workers)
    curves = {
        name: np.array([getattr(f, name) for f in flows])
        for name in ("log_norm", "log_norm_h", "log_norm_c", "log_norm_direct", "error_bound", "rank")
        if getattr(flows[0], name) is not None
    }
    statistics = trajectory_statistics(cell, np.array(sequences))
    report = {
        "kind": cell.key,
        "hidden_size": cell.hidden_size,
        "input_size": cell.input_size,
        "state_size": cell.state_size,
        "state_parts": list(cell.state_parts),
        "steps": T,
        "recurrent": statistics["recurrent"],
        "lags": list(range(1, T + 1)),
        **_curves(curves),
        "lyapunov": _finite_or_none(np.median(spectra, axis=0)),
        # The QR frame starts random: its first steps are a transient, left out of the averages.
        "lyapunov_burn_in": burn_in,
        "method": method,
    }
    if len(sequences) > 1:
        report["bands"] = _bands(curves)
        report["per_sequence"] = {
            **{
                name: [_finite_or_none(c) for c in v]
                for name, v in curves.items()
                if name in ("log_norm", "log_norm_h", "log_norm_c")
            },
            "lyapunov": [_finite_or_none(s) for s in spectra],
        }
    report |= _block_bounds(flows, {"h": "log_norm_h", "c": "log_norm_c"})
    if getattr(cell, "activation", None) is not None:
        report["activation"] = cell.activation
    if cell.options.get("gate_activation"):
        report["gate_activation"] = cell.options["gate_activation"]
    if statistics["gates"]:
        report["gates"] = statistics["gates"]
    for name in ("activation_derivative", "memory_time"):
        if statistics[name] is not None:
            report[name] = statistics[name]
    if cell.retention_label is not None:
        report["retention"] = cell.retention_label[0]
    return report


def _flows(model, sequences, method, k, burn_in, workers):
    """(``GradientFlow``, Lyapunov exponents) of each sequence for a cell or a stack ``model``, the
    sequences of a batch shared among ``workers`` processes (default: the CPUs this process may use)."""
    jobs = [(model, xs, method, k, burn_in) for xs in sequences]
    workers = min(len(jobs), len(os.sched_getaffinity(0)) if workers is None else workers)
    if workers > 1:
        with ProcessPoolExecutor(workers, initializer=_worker) as pool:
            return zip(*pool.map(_sequence, jobs))
    return zip(*map(_sequence, jobs))


def _sequence(job):
    """The curves (``flow.norms.system_flow``) and Lyapunov exponents of one sequence (a worker's
    share of a batch), of a cell or a stack."""
    model, xs, method, k, burn_in = job
    return system_flow(model, xs, method=method), lyapunov_spectrum(model, xs, k=k, burn_in=burn_in)


def _one_blas_thread():
    """One BLAS thread: the matrices here are small (n ≤ a few hundred), where threads mostly contend
    (measured on 2 shared cores: a 2-layer LSTM stack, n = 64, T = 200, 56 s with the default
    threads, 4 s with one). Parallelism comes from the sequences of a batch instead."""
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415 (optional)
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _worker():
    _one_blas_thread()  # for the worker's lifetime


def _stack_report(cells, sequences, exponents, burn_in, method="exact", workers=None):
    """The report of a stack as one recurrent system (``flow.stack.Stack``): its curves by ``method``
    (full, every pair of layers "l<-k", every layer's c block), exponents and each layer's statistics."""
    stack = Stack(cells)
    T = len(sequences[0])
    k, burn_in = _lyapunov_options(stack.state_size, T, exponents, burn_in)
    flows, spectra = _flows(stack, sequences, method, k, burn_in, workers)
    curves = {
        name: np.array([getattr(f, name) for f in flows])
        for name in ("log_norm", "error_bound", "rank")
        if getattr(flows[0], name) is not None
    }
    blocks = {name: np.array([f.blocks[name] for f in flows]) for name, _, _ in stack.blocks}
    pairs = {name: v for name, v in blocks.items() if "<-" in name}
    top = f"{len(cells) - 1}<-0"
    runs = [stack.run(xs) for xs in sequences]
    layer_inputs = [sequences] + [
        np.array([S[1:, rows][:, : cell.hidden_size] for S in runs])
        for cell, rows in zip(cells[:-1], stack.layer_slices[:-1])
    ]
    layer_reports = []
    for cell, inputs in zip(cells, layer_inputs):
        statistics = trajectory_statistics(cell, inputs)
        entry = {
            "kind": cell.key,
            "hidden_size": cell.hidden_size,
            "input_size": cell.input_size,
            "state_size": cell.state_size,
            "state_parts": list(cell.state_parts),
            "recurrent": statistics["recurrent"],
        }
        entry.update({name: statistics[name] for name in ("gates", "memory_time") if statistics[name]})
        if cell.options.get("gate_activation"):
            entry["gate_activation"] = cell.options["gate_activation"]
        if cell.retention_label is not None:
            entry["retention"] = cell.retention_label[0]
        layer_reports.append(entry)
    report = {
        "kind": stack.key,
        "hidden_size": cells[-1].hidden_size,
        "input_size": cells[0].input_size,
        "state_size": stack.state_size,
        "steps": T,
        "layers": layer_reports,
        "recurrent": {
            f"layer {l}: {name}": value
            for l, entry in enumerate(layer_reports)
            for name, value in entry["recurrent"].items()
        },
        "lags": list(range(1, T + 1)),
        **_curves(curves),
        "log_norm_h": _finite_or_none(np.median(pairs[top], axis=0)),
        "pairs": {name: _finite_or_none(np.median(v, axis=0)) for name, v in pairs.items()},
        "top_from_bottom": top,
        "lyapunov": _finite_or_none(np.median(spectra, axis=0)),
        "lyapunov_burn_in": burn_in,
        "method": method,
        "time": "forward",
    }
    c_blocks = {name.split()[1]: v for name, v in blocks.items() if name.startswith("c ")}
    if c_blocks:  # ln‖∂c^(l)_T/∂c^(l)_{T−τ}‖₂ of every layer with a cell state, by layer
        report["c_blocks"] = {l: _finite_or_none(np.median(v, axis=0)) for l, v in c_blocks.items()}
    report |= _block_bounds(flows, {name: name for name, _, _ in stack.blocks})
    if len(sequences) > 1:
        c_bands = _bands({f"log_norm_c {l}": v for l, v in c_blocks.items()})
        report["bands"] = {
            **_bands(curves),
            **{f"pair {name}": b for name, b in _bands(pairs).items()},
            **{f"c block {name.split()[1]}": b for name, b in c_bands.items()},
        }
        report["per_sequence"] = {
            "log_norm": [_finite_or_none(c) for c in curves["log_norm"]],
            "pairs": {name: [_finite_or_none(c) for c in v] for name, v in pairs.items()},
            "lyapunov": [_finite_or_none(s) for s in spectra],
        }
        if c_blocks:
            report["per_sequence"]["c_blocks"] = {l: [_finite_or_none(c) for c in v] for l, v in c_blocks.items()}
    return report


def _block_bounds(flows, names):
    """{"block_error_bounds": {report name: bound per lag}} (else {}): each block curve's
    ``GradientFlow.block_error_bounds``, with the method's meaning, the largest over a batch (a
    median of values each within b of its truth is within max b of their truths' median); None
    where a curve is an upper bound only (exact: a block under the truncation level)."""
    if flows[0].block_error_bounds is None:
        return {}
    bounds = {
        shown: _finite_or_none(np.max([f.block_error_bounds[block] for f in flows], axis=0))
        for block, shown in names.items()
        if block in flows[0].block_error_bounds
    }
    return {"block_error_bounds": bounds} if bounds else {}


def _lyapunov_options(d, T, exponents, burn_in):
    k = min(d, MAX_EXPONENTS) if exponents is None else exponents
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= d:
        raise ValueError(f"exponents must lie in 1..{d} (the state size), got {k}")
    burn_in = T // 10 if burn_in is None else burn_in
    if not isinstance(burn_in, (int, np.integer)) or not 0 <= burn_in < T:
        raise ValueError(f"burn_in must lie in 0..{T - 1} (T − 1), got {burn_in}")
    return int(k), int(burn_in)


def _curves(curves):
    """The reported curve of each name: the sequence's own, or the median over a batch."""
    with np.errstate(invalid="ignore"):
        return {
            name: _finite_or_none(np.quantile(v, 0.5, axis=0, method="inverted_cdf"))
            if name != "rank"
            else [int(x) for x in np.quantile(v, 0.5, axis=0, method="inverted_cdf")]
            for name, v in curves.items()
        }


def _bands(curves):
    """Per curve of a batch: its quartiles q25, q50, q75 over the sequences at every lag."""
    with np.errstate(invalid="ignore"):
        return {
            name: {
                f"q{round(100 * q)}": _finite_or_none(np.quantile(v, q, axis=0, method="inverted_cdf")) for q in _BANDS
            }
            for name, v in curves.items()
            if name.startswith("log_norm") or "<-" in name
        }


def _warnings(report):
    averaged = report["steps"] - report["lyapunov_burn_in"]
    if averaged >= MIN_LYAPUNOV_STEPS:
        return []
    return [
        f"Lyapunov exponents averaged over {averaged} steps (< {MIN_LYAPUNOV_STEPS}): they are time averages "
        "whose statistical error falls like 1/√steps; treat their later digits as uncertain "
        "(use longer inputs, or a batch to see their spread)"
    ]


def _finite_or_none(values):
    """JSON has no infinities: ln 0 (an exactly vanished gradient, e.g. dead ReLUs) becomes null."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]
