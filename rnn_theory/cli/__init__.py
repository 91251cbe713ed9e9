"""The ``rnn-theory`` command: one module per subcommand, each with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> exit code``.

Exit codes: 0 success; 1 a check or verdict deviates from what is recorded; 2 bad usage or bad
input, reported as one line on stderr; 130 (SIGINT) or 143 (SIGTERM) when interrupted, also with
one line: the signal is turned into an exception, so worker pools are terminated on the way out
and no file is left half-written (outputs are committed as sets, ``rnn_theory.io.write_set``).
"""

import argparse
import importlib
import signal
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
    "cite": "cite",
}


class UsageError(Exception):
    """Bad usage or bad input: reported as one line on stderr, exit code 2."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: the run unwinds (pools terminated) and exits 128 + signal."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


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
    previous = _catch_signals()
    command = "rnn-theory"
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("rnn-theory: a COMMAND is required (see --help)")
        command = f"rnn-theory {args.command}"
        return args.run(args)
    except UsageError as error:
        return _fail(str(error))
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except KeyboardInterrupt as interrupt:
        signum = getattr(interrupt, "signum", signal.SIGINT)
        _fail(f"{command}: interrupted by {signal.Signals(signum).name}; no output was half-written")
        return 128 + signum
    except MemoryError:
        return _fail(f"{command}: out of memory; try a smaller size or fewer steps")
    except OSError as error:  # a full or read-only disk, found while writing: the old files are kept
        where = f"{error.filename}: " if error.filename else ""
        return _fail(f"{command}: cannot write: {where}{error.strerror or error}; earlier files are unchanged")
    finally:
        _restore_signals(previous)


def _fail(message):
    """Print ``message`` as exactly one line on stderr (a path's newline is shown escaped); exit 2."""
    print(message.replace("\r", "\\r").replace("\n", "\\n"), file=sys.stderr)
    return 2


def _catch_signals():
    """Turn SIGINT and SIGTERM into ``Interrupted``; a second signal while unwinding is ignored."""
    if not _main_thread():
        return None

    def handler(signum, frame):
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    return {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}


def _restore_signals(previous):
    for signum, action in (previous or {}).items():
        signal.signal(signum, action)


def _main_thread():
    import threading

    return threading.current_thread() is threading.main_thread()
