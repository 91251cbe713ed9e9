"""The ``rnn-theory`` command: one module per subcommand, each with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> exit code``.

Exit codes: 0 success; 1 a check or verdict deviates from what is recorded; 2 bad usage or bad
input, reported as one line on stderr.
"""

import argparse
import importlib
import sys

from .. import __version__

# Subcommand name -> module in this package. Modules are imported only when their command runs.
COMMANDS = {
    "verify": "verify",
    "cells": "cells",
    "analyze": "analyze",
    "train": "train",
    "figures": "figures",
    "derive": "derive",
    "proofs": "proofs",
}


class UsageError(Exception):
    """Bad usage or bad input: reported as one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser():
    parser = _Parser(prog="rnn-theory", description="Verify the theory of gradient flow in recurrent networks.")
    parser.add_argument("--version", action="version", version=f"rnn-theory {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"{__name__}.{module_name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("rnn-theory: a COMMAND is required (see --help)")
        return args.run(args)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
