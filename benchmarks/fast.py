"""The figures of issue 29 on this machine, beside its GEMM rate, so that machines compare.

    python benchmarks/fast.py [--rounds R] [--skip-proofs]

Each figure is measured in a fresh process, in ``--rounds`` rounds (default 2) that alternate them;
each keeps its best round:

- GEMM: numpy's rate at d = 1024 on one thread (best of 30 products, CPU time);
- chain rule: ``THEOREMS["chain_rule"]()`` (the induction, every cell), CPU seconds after the imports,
  and that its mutant still fails;
- proofs: ``rnn-theory proofs --no-claims --out TMP``, wall seconds (the default workers: one per
  core) and CPU seconds of the command and its workers;
- probe: ``rt.gradient_norms(cell, xs, method="probe")``, LSTM n = 512, T = 1000, one thread (CPU
  seconds, best of 3, ``flow.py``'s child), and its ratio to the dense bound T·2·d³/rate.

The targets are the development machine's (52 GFLOP/s): chain rule ≤ 2 s, proofs ≤ 10 s wall,
probe ≤ 0.030× the dense bound. The first two are also printed scaled to this machine's rate (on a
machine with half the rate, about twice the time); the ratio needs no scaling. Wall time counts
what else the machine runs: the load average is printed at the start and the end.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import flow

REFERENCE_RATE = 52e9  # the development machine's GEMM rate at d = 1024 (issue 29)
TARGETS = {"chain rule": 2.0, "proofs": 10.0, "probe": 0.030}

_CHAIN = """
import time
from rnn_theory.symbolic.theorems import MUTANTS, THEOREMS
start = time.process_time()
proven = THEOREMS["chain_rule"]().proven
seconds = time.process_time() - start
print(seconds, proven, MUTANTS["chain_rule"]().proven)
"""


def chain_rule():
    """(CPU seconds, proven, the mutant proven) of the chain rule's induction in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _CHAIN], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), out[1] == "True", out[2] == "True"


def proofs():
    """(wall seconds, CPU seconds) of ``rnn-theory proofs --no-claims`` into a fresh folder."""
    with tempfile.TemporaryDirectory() as folder:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rnn_theory", "proofs", "--no-claims", "--out", os.path.join(folder, "proofs")],
            capture_output=True,
            check=True,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds over all figures (best kept)")
    parser.add_argument("--skip-proofs", action="store_true", help="leave out the proofs regeneration")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        print(f"fast.py: --rounds must be >= 1, got {args.rounds}", file=sys.stderr)
        return 2
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    best = {}
    for _ in range(args.rounds):
        gemm, probe = (flow._measure("lstm:512", method, 1000, 1) for method in ("gemm", "probe"))
        for failed in (run["error"] for run in (gemm, probe) if "error" in run):
            print(f"fast.py: a measurement failed: {failed}", file=sys.stderr)
            return 2
        rate = gemm["rate"]
        best["rate"] = max(best.get("rate", 0.0), rate)
        best["chain"] = min(best.get("chain", (float("inf"),)), chain_rule())
        if not args.skip_proofs:
            best["proofs"] = min(best.get("proofs", (float("inf"),)), proofs())
        best["probe"] = min(best.get("probe", float("inf")), probe["seconds"])
    rate, d, T = best["rate"], 1024, 1000
    scale = REFERENCE_RATE / rate  # this machine's time for a figure whose target is set at the reference rate
    seconds, proven, mutant = best["chain"]
    print(f"GEMM (d = {d}, one thread): {rate / 1e9:.1f} GFLOP/s (reference {REFERENCE_RATE / 1e9:.0f})")
    print(
        f"chain rule (THEOREMS['chain_rule']()): {seconds:.2f} CPU s, proven {proven}, mutant proven {mutant}  "
        f"(target {TARGETS['chain rule']:.0f} s at the reference rate, {TARGETS['chain rule'] * scale:.1f} s here)"
    )
    if "proofs" in best:
        wall, cpu = best["proofs"]
        print(
            f"proofs --no-claims: {wall:.1f} s wall, {cpu:.1f} CPU s  "
            f"(target {TARGETS['proofs']:.0f} s wall at the reference rate, {TARGETS['proofs'] * scale:.1f} s here)"
        )
    dense = T * 2 * d**3 / rate
    ratio = best["probe"] / dense
    print(
        f"probe (LSTM n = 512, T = {T}, one thread): {best['probe']:.3f} CPU s = {ratio:.4f}× the dense bound "
        f"({dense:.1f} s; target {TARGETS['probe']:.3f}×)"
    )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
