"""A stack through the engines of one cell: rt.analyze on a 2-layer nn.LSTM against rt.gradient_norms
on one LSTM cell of the same state size.

    python benchmarks/stack.py [--T 1000] [--rounds 2] [--before PATH] [--before-T 30]

On one BLAS thread (threadpoolctl) and one torch thread, in this process, with the same seeded
inputs N(0, 1) (m = 32), it times:

- stack (analyze): ``rt.analyze(model, xs, layers="all", method=m)`` for a random
  ``torch.nn.LSTM(32, 256, num_layers=2)`` (state 2·2·256 = 1024), m = "exact" and "probe": the
  whole report (curves, 32 Lyapunov exponents, gate statistics);
- stack (curves): the curves alone, ``flow.norms.system_flow(Stack(cells), xs, method=m)``;
- cell: ``rt.gradient_norms(cell, xs, method=m)`` for a random LSTM cell with n = 512 (state 1024),
  and cell (analyze): ``rt.analyze(cell, xs, method=m)``, the same report as the stack's;

and prints each stack time over the cell's (target: analyze ≤ 1.5× for both methods). Times are
the process's CPU time (``time.process_time``; one thread, so other jobs on a shared machine do not
count), best over ``--rounds`` rounds that alternate the cases. ``--before PATH``: the same
analyze at ``--before-T`` steps (default 30) in a subprocess importing rnn_theory from PATH (a
checkout of the code before the stack went through the engines: its dense route), beside this
code's time for the same call.
"""

import argparse
import os
import subprocess
import sys
import time

N_STACK, N_CELL, M, LAYERS = 256, 512, 32, 2
_MODEL = f"""
import numpy as np, torch
torch.set_num_threads(1)
torch.manual_seed(0)
model = torch.nn.LSTM({M}, {N_STACK}, num_layers={LAYERS}).double()
"""
_BEFORE = (
    _MODEL
    + """
import sys, time
from threadpoolctl import threadpool_limits
import rnn_theory as rt
xs = np.random.default_rng(1).normal(size=(int(sys.argv[1]), {m}))
with threadpool_limits(1):
    start = time.process_time()
    report = rt.analyze(model, xs, layers="all")
    print(time.process_time() - start, report.to_dict()["method"])
"""
)


def _timed(f):
    start = time.process_time()
    out = f()
    return time.process_time() - start, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--T", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", help="a checkout of the code before (its rnn_theory is imported from there)")
    parser.add_argument("--before-T", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from threadpoolctl import threadpool_limits

    import rnn_theory as rt
    from rnn_theory.flow.norms import system_flow
    from rnn_theory.flow.stack import Stack
    from rnn_theory.io import read_network

    namespace = {}
    exec(_MODEL, namespace)  # the same model as the --before subprocess builds
    np, model = namespace["np"], namespace["model"]
    xs = np.random.default_rng(1).normal(size=(args.T, M))
    cell = rt.CELLS["lstm"].random(hidden_size=N_CELL, input_size=M, rng=0)
    stack = Stack([layer.cells[0] for layer in read_network(model).layers])
    cases = {
        "stack (analyze)": lambda m: rt.analyze(model, xs, layers="all", method=m).to_dict()["log_norm"],
        "stack (curves)": lambda m: system_flow(stack, xs, method=m).log_norm,
        "cell": lambda m: rt.gradient_norms(cell, xs, method=m).log_norm,
        "cell (analyze)": lambda m: rt.analyze(cell, xs, method=m).to_dict()["log_norm"],
    }
    print(f"uptime: {os.popen('uptime').read().strip()}", flush=True)
    print(
        f"2-layer nn.LSTM n = {N_STACK}/layer (state {stack.state_size}) vs LSTM cell n = {N_CELL} "
        f"(state {cell.state_size}); m = {M}, T = {args.T}, one thread, best of {args.rounds}"
    )
    best = {}
    with threadpool_limits(1):
        for round in range(args.rounds):
            for method in ("probe", "exact"):
                for name, run in cases.items():
                    seconds, _ = _timed(lambda run=run, method=method: run(method))
                    best[name, method] = min(seconds, best.get((name, method), float("inf")))
                    print(f"  (round {round + 1}: {method} {name} {seconds:.2f} s)", flush=True)
    for method in ("exact", "probe"):
        cell_seconds = best["cell", method]
        for name in cases:
            ratio = best[name, method] / cell_seconds
            print(f"  {method:5} {name:16} {best[name, method]:8.2f} s   {ratio:5.2f}× the cell")
    if args.before:
        short = np.random.default_rng(1).normal(size=(args.before_T, M))
        with threadpool_limits(1):
            now, report = _timed(lambda: rt.analyze(model, short, layers="all").to_dict())
        child = subprocess.run(
            [sys.executable, "-c", _BEFORE.replace("{m}", str(M)), str(args.before_T)],
            cwd=os.path.abspath(args.before),  # ``python -c`` imports from its working directory first
            env={**os.environ, "PYTHONPATH": os.path.abspath(args.before)},
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, method = child.stdout.split()
        print(
            f"  before ({args.before}, method {method}): analyze(layers='all') T = {args.before_T}: "
            f"{float(seconds):.2f} s; now ({report['method']}): {now:.2f} s"
        )
    print(f"uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
