"""``rnn-theory cells``: the cell zoo, its parameters and sources."""

from ..cells import CELLS
from . import UsageError

HELP = "list the cell zoo: state, native parameters with shapes, and sources"


def add_arguments(parser):
    parser.add_argument("keys", nargs="*", metavar="CELL", help=f"cells to show (default all): {', '.join(CELLS)}")


def run(args):
    unknown = [key for key in args.keys if key not in CELLS]
    if unknown:
        raise UsageError(f"rnn-theory cells: unknown cell {unknown[0]!r}; expected one of {', '.join(CELLS)}")
    for key in args.keys or CELLS:
        cls = CELLS[key]
        parts = cls.state_parts
        shown = f"[{'; '.join(parts)}]" if len(parts) > 1 else parts[0]
        state = f"{shown} ({cls.size_formula()})"
        params = ", ".join(f"{name} ({'×'.join(dims)})" for name, dims in cls.param_shapes.items())
        summary = cls.__doc__.strip().splitlines()[0]
        print(f"{key:10s} {summary}\n{'':10s} state {state}; parameters {params}\n{'':10s} {cls.reference}\n")
    return 0
