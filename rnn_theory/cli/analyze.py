"""``rnn-theory analyze``: gradient flow through your own trained model, a thin layer over ``rt.analyze``.

Reads PyTorch, Keras or native weights (``rt.io``; Keras ``.keras``/``.h5`` files too), runs the model
from the zero state on the given inputs (or N(0, 1) draws), and reports what ``rt.analyze`` measures:
on the terminal, as JSON (--json) and as a figure (--plot). Bad input: one line on stderr, exit 2,
no file written.
"""

import os

from ..analysis import analyze
from ..analysis._plot import FORMATS as PLOT_FORMATS
from ..cells import CELLS
from ..cells.rnn import ACTIVATIONS
from ..io import FORMATS, KERAS_GATES, check_outputs, read_npy, write_set
from . import UsageError

HELP = "gradient flow through your own trained model: PyTorch, Keras or native weights"


def add_arguments(parser):
    parser.add_argument("weights", metavar="WEIGHTS", help="a .safetensors, .npz, .keras or .h5 file (never a pickle)")
    parser.add_argument("--format", choices=FORMATS, help="the file's layout (default: told from the tensor names)")
    parser.add_argument(
        "--kind", metavar="KIND", help=f"the cell, where names and shapes leave it open: {', '.join(CELLS)}"
    )
    parser.add_argument(
        "--prefix", metavar="P", help="the recurrent module when the file holds several, e.g. encoder.lstm"
    )
    parser.add_argument(
        "--layer",
        metavar="L",
        help="a layer of a stack by index k or by name (Keras, ONNX), or 'all': the whole stack as one recurrent system",
    )
    parser.add_argument(
        "--direction", type=int, choices=(0, 1), help="1: the reverse half of a bidirectional layer (reversed time)"
    )
    parser.add_argument(
        "--activation", choices=ACTIVATIONS, help="the rnn's nonlinearity when the file does not record it (tanh)"
    )
    parser.add_argument(
        "--recurrent-activation",
        choices=KERAS_GATES,
        help="a Keras LSTM's/GRU's gate nonlinearity where the file does not state it "
        "(default: as the file's Keras version defines it; sigmoid where it records none)",
    )
    parser.add_argument(
        "--inputs", metavar="X.npy", help="inputs, shape (T, m) or a batch (B, T, m); default: N(0, 1) draws"
    )
    parser.add_argument("--steps", type=int, metavar="T", help="number of N(0, 1) input steps (default 100)")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the N(0, 1) inputs (default 0)")
    parser.add_argument(
        "--exponents", type=int, metavar="K", help="how many Lyapunov exponents (default: all, at most 32)"
    )
    parser.add_argument(
        "--burn-in",
        type=int,
        metavar="B",
        help="steps the Lyapunov QR iteration runs before it averages (default T // 10)",
    )
    parser.add_argument("--json", metavar="PATH", help="write the report as JSON")
    parser.add_argument("--plot", metavar="PATH", help=f"write the lag figure ({', '.join(PLOT_FORMATS)})")


def run(args):
    plot_format = _check_outputs(args)
    if args.inputs is not None and (args.steps is not None or args.seed is not None):
        raise UsageError("rnn-theory analyze: give either --inputs or --steps/--seed, not both")
    if args.steps is not None and args.steps < 1:
        raise UsageError(f"rnn-theory analyze: --steps must be >= 1, got {args.steps}")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"rnn-theory analyze: --seed must be >= 0, got {args.seed}")
    layer, layers = _layer(args.layer)
    try:
        result = analyze(
            args.weights,
            _inputs(args.inputs),
            steps=args.steps,
            seed=args.seed,
            layer=layer,
            layers=layers,
            direction=args.direction,
            format=args.format,
            kind=args.kind,
            prefix=args.prefix,
            activation=args.activation,
            recurrent_activation=args.recurrent_activation,
            exponents=args.exponents,
            burn_in=args.burn_in,
        )
    except ValueError as error:
        message = str(error)
        for option in ("exponents", "burn_in", "steps", "seed"):  # the library's names, as the command's flags
            message = message.replace(f"{option} must", f"--{option.replace('_', '-')} must")
        raise UsageError(f"rnn-theory analyze: {message}") from None
    report = result.to_dict()
    if args.inputs is not None:
        report["inputs"] = {"file": args.inputs}
    result = type(result)(report)
    outputs = {}
    if args.json:
        outputs[args.json] = result.to_json()
    if args.plot:
        outputs[args.plot] = result.figure_bytes(
            plot_format,
            f"{report['kind']} from {os.path.basename(args.weights)}: "
            f"T = {report['steps']}" + (", reversed time" if report.get("time") == "reversed" else ""),
        )
    try:
        write_set(outputs)  # all or none
    except OSError as error:
        raise UsageError(
            f"rnn-theory analyze: cannot write {error.filename}: {error.strerror}; no file was changed"
        ) from None
    print(result.summary())
    return 0


def _layer(text):
    if text is None:
        return None, None
    if text == "all":
        return None, "all"
    return (int(text) if text.lstrip("-").isdigit() else text), None  # a number, else a layer's name


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


def _inputs(path):
    """The --inputs array (checked for shape by ``analyze``), or None."""
    if path is None:
        return None
    try:
        return read_npy(path)
    except ValueError as error:
        raise UsageError(
            f"rnn-theory analyze: --inputs {path}: cannot read a .npy array (T, m) or (B, T, m): {error}"
        ) from None
