"""``rnn-theory analyze``: gradient flow through a user's own trained cell (DESIGN.md section 5).

Reads PyTorch, Keras or native weights (``rt.io``), runs the cell from the zero state on the given
inputs (or N(0, 1) draws), and reports the recurrent matrices' spectra, the lag curve
ln‖∂s_T/∂s_{T−τ}‖₂, the Lyapunov exponents and, for gated cells, the gate statistics: on the terminal,
as JSON (--json) and as a figure (--plot). Bad input: one line on stderr, exit 2, no file written.
"""

import os

import numpy as np

from ..cells import CELLS
from ..cells.rnn import ACTIVATIONS
from ..io import FORMATS, read_model
from ..io._files import read_npy
from ..io._write import check_outputs, write_set
from . import UsageError
from ._analysis import analysis
from ._lag_plot import FORMATS as PLOT_FORMATS
from ._lag_plot import figure_bytes
from ._progress import expected_work, progress
from ._report_text import inputs_text, json_text, summary

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
    seconds = expected_work(cell.state_size, len(xs), "rnn-theory analyze")
    with progress(seconds, "rnn-theory analyze"):
        results = analysis(cell, xs, exponents=k, burn_in=burn_in)
    report = {
        "weights": args.weights,
        "format": model.format,
        "module": model.where,
        "ignored": list(model.ignored),
        "notes": list(model.notes),
        "inputs": inputs,
        **results,
    }
    if cell.key in ("gru", "gru_rb", "mingru") and model.format == "native":  # imports carry GRU_NOTE
        report["notes"].append(_NATIVE_GRU_NOTE)
    outputs = {}
    if args.json:
        outputs[args.json] = json_text(report)
    if args.plot:
        title = f"{cell.key} from {os.path.basename(args.weights)}: T = {len(xs)}, " + inputs_text(inputs)
        outputs[args.plot] = figure_bytes(report, title, plot_format)
    try:
        write_set(outputs)  # all or none
    except OSError as error:
        raise UsageError(f"rnn-theory analyze: cannot write {error.filename}: {error.strerror}; no file was changed") from None
    print(summary(report))
    return 0


def _check_outputs(args):
    """Refuse unusable output paths before any work; return the plot format."""
    try:
        check_outputs(filter(None, (args.json, args.plot)), inputs=(args.weights, args.inputs))
    except ValueError as error:
        raise UsageError(f"rnn-theory analyze: {error}") from None
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
            xs = read_npy(args.inputs)
        except ValueError as error:
            raise UsageError(f"rnn-theory analyze: --inputs {args.inputs}: cannot read a .npy array (T, {m}): {error}") from None
        if xs.ndim != 2 or xs.shape[1] != m or len(xs) < 1:
            raise UsageError(f"rnn-theory analyze: --inputs {args.inputs}: expected shape (T, {m}) with T >= 1, got {xs.shape}")
        if xs.dtype.kind not in "fiu" or not np.isfinite(xs).all():
            raise UsageError(f"rnn-theory analyze: --inputs {args.inputs}: must hold finite real numbers")
        return xs.astype(np.float64), {"file": args.inputs}
    steps = 100 if args.steps is None else args.steps
    seed = 0 if args.seed is None else args.seed
    if steps < 1 or seed < 0:
        raise UsageError(f"rnn-theory analyze: --steps must be >= 1 and --seed >= 0, got {steps} and {seed}")
    expected_work(cell.state_size, steps, "rnn-theory analyze")  # before drawing the inputs
    return np.random.default_rng(seed).normal(size=(steps, m)), {"normal": {"steps": steps, "seed": seed}}
