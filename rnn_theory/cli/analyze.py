"""``rnn-theory analyze``: gradient flow through a user's own trained cell (DESIGN.md section 5).

Reads PyTorch, Keras or native weights (``rt.io``), runs the cell from the zero state on the given
inputs (or N(0, 1) draws), and reports the recurrent matrices' spectra, the lag curve
ln‖∂s_T/∂s_{T−τ}‖₂, the Lyapunov exponents and, for gated cells, the gate statistics: on the terminal,
as JSON (--json) and as a figure (--plot). Bad input: one line on stderr, exit 2, no file written.
"""

import json
import os

import numpy as np

from ..cells import CELLS
from ..cells.rnn import ACTIVATIONS
from ..io import FORMATS, read_model, write_atomic
from . import UsageError
from ._analysis import analysis
from ._lag_plot import FORMATS as PLOT_FORMATS
from ._lag_plot import figure_bytes

HELP = "gradient flow through your own trained cell: PyTorch, Keras or native weights"
_NATIVE_GRU_NOTE = "gates in the native convention h' = (1−z)⊙h + z⊙h̃: z is the share of new content (DESIGN.md §3)"


def add_arguments(parser):
    parser.add_argument("weights", metavar="WEIGHTS", help="a .safetensors or .npz file (never a pickle)")
    parser.add_argument("--format", choices=FORMATS, help="the file's layout (default: told from the tensor names)")
    parser.add_argument("--kind", metavar="KIND", help=f"the cell, where names and shapes leave it open: {', '.join(CELLS)}")
    parser.add_argument("--prefix", metavar="P", help="the recurrent module when the file holds several, e.g. encoder.lstm")
    parser.add_argument("--layer", type=int, metavar="L", help="PyTorch layer k (weight_*_l{k}) when there are several")
    parser.add_argument("--direction", type=int, choices=(0, 1), help="PyTorch direction: 1 for the _reverse weights")
    parser.add_argument("--activation", choices=ACTIVATIONS, help="the rnn's nonlinearity when the file does not record it (tanh)")
    parser.add_argument("--inputs", metavar="X.npy", help="inputs, shape (T, m); default: N(0, 1) draws")
    parser.add_argument("--steps", type=int, metavar="T", help="number of N(0, 1) input steps (default 100)")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the N(0, 1) inputs (default 0)")
    parser.add_argument("--exponents", type=int, metavar="K", help="how many Lyapunov exponents (default: all, at most 32)")
    parser.add_argument("--burn-in", type=int, metavar="B",
                        help="steps the Lyapunov QR iteration runs before it averages (default T // 10)")
    parser.add_argument("--json", metavar="PATH", help="write the report as JSON")
    parser.add_argument("--plot", metavar="PATH", help=f"write the lag figure ({', '.join(PLOT_FORMATS)})")


def run(args):
    plot_format = _check_outputs(args)
    try:
        model = read_model(args.weights, args.format, args.kind, prefix=args.prefix, layer=args.layer,
                           direction=args.direction, activation=args.activation)
    except ValueError as error:
        raise UsageError(f"rnn-theory analyze: {error}") from None
    cell = model.cell
    xs, inputs = _inputs(args, cell)
    k = args.exponents if args.exponents is not None else min(cell.state_size, 32)
    if not 1 <= k <= cell.state_size:
        raise UsageError(f"rnn-theory analyze: --exponents must lie in 1..{cell.state_size} (the state size), got {k}")
    burn_in = args.burn_in if args.burn_in is not None else len(xs) // 10
    if not 0 <= burn_in < len(xs):
        raise UsageError(f"rnn-theory analyze: --burn-in must lie in 0..{len(xs) - 1} (T − 1), got {burn_in}")
    report = {
        "weights": args.weights,
        "format": model.format,
        "module": model.where,
        "ignored": list(model.ignored),
        "notes": list(model.notes),
        "inputs": inputs,
        **analysis(cell, xs, exponents=k, burn_in=burn_in),
    }
    if cell.key in ("gru", "gru_rb", "mingru") and model.format == "native":  # imports carry GRU_NOTE
        report["notes"].append(_NATIVE_GRU_NOTE)
    outputs = {}
    if args.json:
        outputs[args.json] = json_text(report)
    if args.plot:
        title = f"{cell.key} from {os.path.basename(args.weights)}: T = {len(xs)}, " + _inputs_text(inputs)
        outputs[args.plot] = figure_bytes(report, title, plot_format)
    for path, data in outputs.items():
        try:
            write_atomic(path, data)
        except OSError as error:
            raise UsageError(f"rnn-theory analyze: cannot write {path}: {error.strerror}") from None
    print(summary(report))
    return 0


def _check_outputs(args):
    """Refuse unusable output paths before any work; return the plot format."""
    for path in filter(None, (args.json, args.plot)):
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise UsageError(f"rnn-theory analyze: cannot write {path}: no folder {folder}")
    if args.json and args.plot and os.path.abspath(args.json) == os.path.abspath(args.plot):
        raise UsageError("rnn-theory analyze: --json and --plot name the same file")
    if not args.plot:
        return None
    fmt = os.path.splitext(args.plot)[1].lstrip(".").lower()
    if fmt not in PLOT_FORMATS:
        raise UsageError(f"rnn-theory analyze: --plot {args.plot}: expected a .png, .pdf or .svg file name")
    return fmt


def _inputs(args, cell):
    """xs (T, m) and how they were made, for the report."""
    m = cell.input_size
    if args.inputs is not None:
        if args.steps is not None or args.seed is not None:
            raise UsageError("rnn-theory analyze: give either --inputs or --steps/--seed, not both")
        try:
            xs = np.load(args.inputs, allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:
            raise UsageError(f"rnn-theory analyze: --inputs {args.inputs}: cannot read a .npy array ({error})") from None
        if not isinstance(xs, np.ndarray) or xs.ndim != 2 or xs.shape[1] != m or len(xs) < 1:
            shape = getattr(xs, "shape", "an archive")
            raise UsageError(f"rnn-theory analyze: --inputs {args.inputs}: expected shape (T, {m}) with T >= 1, got {shape}")
        if xs.dtype.kind not in "fiu" or not np.isfinite(xs).all():
            raise UsageError(f"rnn-theory analyze: --inputs {args.inputs}: must hold finite real numbers")
        return xs.astype(np.float64), {"file": args.inputs}
    steps = 100 if args.steps is None else args.steps
    seed = 0 if args.seed is None else args.seed
    if steps < 1:
        raise UsageError(f"rnn-theory analyze: --steps must be >= 1, got {steps}")
    return np.random.default_rng(seed).normal(size=(steps, m)), {"normal": {"steps": steps, "seed": seed}}


def json_text(report):
    """One top-level key per line, each value compact: readable, diffable, deterministic."""
    items = (f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in report.items())
    return "{\n" + ",\n".join(items) + "\n}\n"


def _inputs_text(inputs):
    return f"inputs from {inputs['file']}" if "file" in inputs else f"inputs N(0, 1), seed {inputs['normal']['seed']}"


def _shown_lags(steps):
    lags = {1, steps} | {d * 10**e for e in range(8) for d in (1, 2, 5) if d * 10**e < steps}
    return sorted(lags)


def _fmt(value):
    return "   -inf" if value is None else f"{value:8.3f}"


def summary(report):
    """The readable terminal summary of a report."""
    n, m, d = report["hidden_size"], report["input_size"], report["state_size"]
    where = ", ".join(f"{k} {v!r}" if k == "prefix" else f"{k} {v}" for k, v in report["module"].items() if k != "prefix" or v)
    lines = [f"{report['weights']}: {report['format']} weights -> {report['kind']} cell"
             + (f" ({report['activation']})" if "activation" in report else "") + (f"; {where}" if where else ""),
             f"  n = {n} hidden, m = {m} inputs, state size {d}" + (" ([h; c])" if d == 2 * n else "")]
    ignored = report["ignored"]
    if ignored:
        shown = ", ".join(ignored[:8]) + (", … (--json lists all)" if len(ignored) > 8 else "")
        lines.append(f"  ignored {len(ignored)} tensors of other modules or layers: {shown}")
    lines += [f"  note: {note}" for note in report["notes"]]
    lines.append(f"run: T = {report['steps']} steps from s_0 = 0, {_inputs_text(report['inputs'])}")
    if not report["recurrent"]:
        lines.append("recurrent matrices: none (gates see only the input: ∂s'/∂s is a diagonal)")
    else:
        lines.append("recurrent matrices:  spectral radius ρ   largest singular value σ_max")
        lines += [f"  {name:18s}{s['spectral_radius']:10.4f}{s['sigma_max']:22.4f}" for name, s in report["recurrent"].items()]
    lstm = d == 2 * n
    lines.append("lag τ   ln‖∂s_T/∂s_{T−τ}‖₂" + ("   ln‖∂h_T/∂h_{T−τ}‖₂" if lstm else ""))
    for tau in _shown_lags(report["steps"]):
        row = f"  {tau:<6d}{_fmt(report['log_norm'][tau - 1])}"
        lines.append(row + (f"{'':13s}{_fmt(report['log_norm_h'][tau - 1])}" if lstm else ""))
    if None in report["log_norm"]:
        lines.append("  (-inf: the product of Jacobians is exactly 0, e.g. every ReLU off at some step)")
    exps = report["lyapunov"]
    lines.append(f"Lyapunov exponents (per step, natural log; {len(exps)} of {d}; QR after {report['lyapunov_burn_in']} steps): "
                 + " ".join("-inf" if e is None else f"{e:.4f}" for e in exps[:8]) + (" …" if len(exps) > 8 else ""))
    if "gates" in report:
        lines.append("gates over the run (mean; 5% 50% 95% quantiles):")
        for name, g in report["gates"].items():
            q = g["quantiles"]
            lines.append(f"  {name}  {g['mean']:.3f};  {q['0.05']:.3f}  {q['0.5']:.3f}  {q['0.95']:.3f}")
    return "\n".join(lines)
