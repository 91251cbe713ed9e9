"""``rnn-theory derive CELL``: every block of the cell's state Jacobian, derived for general n."""

from ..cells import CELLS
from . import UsageError

HELP = "derive every block of a cell's state Jacobian for general n (SymPy), next to its closed form"


def add_arguments(parser):
    parser.add_argument("cell", metavar="CELL", help=f"one of {', '.join(CELLS)}")
    parser.add_argument(
        "--format", choices=("text", "latex", "markdown"), default="text", help="output format (default text)"
    )
    parser.add_argument(
        "--activation", choices=("tanh", "sigmoid", "relu"), default=None, help="φ for the rnn cell (default tanh)"
    )


def run(args):
    if args.cell not in CELLS:
        raise UsageError(f"rnn-theory derive: unknown cell {args.cell!r}; expected one of {', '.join(CELLS)}")
    if args.activation and args.cell != "rnn":
        raise UsageError("rnn-theory derive: --activation applies to the rnn cell only")
    from ..symbolic import documents, render
    from ..symbolic.prove import prove

    options = {"activation": args.activation} if args.activation else {}
    if args.format == "markdown":
        print(documents.cell_page(args.cell, [options] if options else None), end="")
        return 0
    proof = prove(args.cell, **options)
    d = proof.derivation
    equations = list(d.definitions.items()) + list(d.equations)
    for name, tex in equations:
        print(f"{name} = {tex}" if args.format == "latex" else f"{render.plain(name)} = {render.plain(tex)}")
    print()
    for block, result in zip(d.blocks, proof.blocks):
        print(
            ("% " if args.format == "latex" else "")
            + f"{render.block_symbol(block, latex=False)}: {render.block_words(block)}"
        )
        for entry in block.entries:
            for number, step in enumerate(entry.steps, 1):
                lines = render.step_lines(step, block.input, entry.row, entry.col, as_latex=args.format == "latex")
                shown = "\n      ".join(f"{lhs} = {rhs}" if lhs else f"  = {rhs}" for lhs, rhs in lines)
                print(
                    ("% " if args.format == "latex" else "")
                    + f"step {number} ({step.kind} {step.name}):\n      {shown}"
                )
        if args.format == "latex":
            for entry in block.entries:
                print(f"{render.entry_symbol(d, block, entry)} = {render.entry_latex(d, entry.derived)}")
            print(f"{render.block_symbol(block)} = {block.closed_tex}")
            print(f"% {'proven' if result.proven else 'NOT PROVEN'}: {result.detail}\n")
        else:
            for entry in block.entries:
                print(f"{render.entry_symbol(d, block, entry, latex=False)} = {render.entry_text(d, entry.derived)}")
            print(f"{render.block_symbol(block, latex=False)} = {render.plain(block.closed_tex)}   (closed form)")
            print(f"{'proven' if result.proven else 'NOT PROVEN'}: {result.detail}\n")
    return 0
