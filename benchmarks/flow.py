"""Gradient-norm curves: time and peak memory of rt.gradient_norms against PyTorch and the dense bound.

    python benchmarks/flow.py [--threads N] [--rounds R] [--quick] [--sizes rnn:256,lstm:128] [--T 1000] [--no-torch]
    python benchmarks/flow.py --device cuda|cpu [--sizes rnn:1024,lstm:512] [--T 1000]

With --device: the dense stream on that PyTorch device against the GEMM bound there and PyTorch's
two routes (``flow_device``). Without it:

For each case (default tanh RNN n=256 and LSTM n=128, T=1000; ``--sizes lstm:512`` for the large
CPU target; same seeded inputs for every method) it prints, measured in this run:

- exact / probe: rt.gradient_norms(method=...), wall time (best of 3 per round, including
  cell.run) and peak traced memory (tracemalloc, a separate run);
- torch: the usual autograd curve, a batched VJP from s_T back to every s_t (``is_grads_batched``)
  followed by the spectral norm of each ∂s_T/∂s_t (one per round; skipped without torch);
- dense bound: T·2·d³ / (numpy GEMM rate at d×d, measured now): the time a dense streaming
  product P ← P·J would need at full GEMM speed, before any norm is even taken.

Each measurement runs in a fresh subprocess (so peak memory is its own), with the same number of
BLAS/torch threads (default 1: robust on a shared machine; pass --threads 2 to use both cores),
in ``--rounds`` rounds that alternate the methods; each method keeps its best round. With one
thread every time (GEMM rate included) is the process's CPU time, so that other jobs on a shared
machine do not count; with more threads it is wall time.
It also shows the memory of ``exact`` at T=1000 vs T=10000 (skipped with --quick), checks the
exact curve against torch's where torch's has not underflowed, and prints the threads line: exact
(tanh RNN) wall time with the default BLAS threads vs one thread while a second process is busy.
"""

import argparse
import json
import os
import subprocess
import sys
import time

# The checkout's package is the one measured, installed or not (its children import it too).
_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, _ROOT)

LABELS = {"rnn": "tanh RNN", "lstm": "LSTM", "gru": "GRU"}
_THREADS = 1
M = 8  # input size


def _child(case, method, T, threads):
    """Run one measurement in this (fresh) process and print a JSON line."""
    import resource
    import tracemalloc

    import numpy as np

    import rnn_theory as rt

    global _THREADS
    _THREADS = threads
    key, n = case.split(":")
    cell = rt.CELLS[key].random(hidden_size=int(n), input_size=M, rng=0)
    xs = np.random.default_rng(1).normal(size=(T, M))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {}
    if method == "gemm":
        d = cell.state_size
        A, B = np.random.default_rng(2).normal(size=(2, d, d))
        A @ B
        best = min(_timed(lambda: A @ B)[0] for _ in range(30))
        result["rate"] = 2 * d**3 / best
    elif method == "wall":  # the threads line: wall time, whatever the threads
        result["seconds"] = min(_wall(lambda: rt.gradient_norms(cell, xs)) for _ in range(3))
    elif method == "torch":
        curve, seconds, vjp_seconds = _torch_curve(cell, xs, threads)
        result.update(seconds=seconds, vjp_seconds=vjp_seconds, log_norm=curve.tolist())
    else:
        # Time first (best of 3: the machine is shared), then memory in a separate traced run,
        # since tracemalloc's per-allocation hook would inflate the time.
        seconds, flow = min(
            (_timed(lambda: rt.gradient_norms(cell, xs, method=method)) for _ in range(3)), key=lambda pair: pair[0]
        )
        tracemalloc.start()
        rt.gradient_norms(cell, xs, method=method)
        result.update(
            seconds=seconds,
            traced_peak=tracemalloc.get_traced_memory()[1],
            log_norm=flow.log_norm.tolist(),
            max_rank=None if flow.rank is None else int(flow.rank.max()),
            error_bound=float(np.max(flow.error_bound)),
        )
    result["rss_growth"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) * 1024
    print(json.dumps(result))


def _timed(fn):
    """(seconds, value): CPU seconds of this process with one thread (a shared machine's other
    jobs then do not count), wall seconds with more (their threads' CPU time would add up)."""
    clock = time.process_time if _THREADS == 1 else time.perf_counter
    start = clock()
    value = fn()
    return clock() - start, value


def _wall(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _torch_curve(cell, xs, threads):
    """ln ‖∂s_T/∂s_t‖₂ for every t the usual way: torch.nn.RNNCell/LSTMCell with the cell's
    weights, a batched VJP of s_T (d basis vectors) back to every s_t, then T SVDs."""
    import torch

    torch.set_num_threads(threads)
    p = {k: torch.tensor(v) for k, v in cell.params.items()}
    n, d = cell.hidden_size, cell.state_size
    gates = "ifgo" if cell.key == "lstm" else ""
    module = (torch.nn.LSTMCell if gates else torch.nn.RNNCell)(cell.input_size, n).double()
    with torch.no_grad():  # PyTorch stacks the gates' rows in the order i, f, g, o
        module.weight_ih.copy_(torch.cat([p[f"U_{g}"] for g in gates]) if gates else p["U"])
        module.weight_hh.copy_(torch.cat([p[f"W_{g}"] for g in gates]) if gates else p["W"])
        module.bias_ih.copy_(torch.cat([p[f"b_{g}"] for g in gates]) if gates else p["b"])
        module.bias_hh.zero_()
    X = torch.tensor(xs)
    clock = time.process_time if threads == 1 else time.perf_counter
    start = clock()
    s = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    states = [s]
    for x in X:
        out = module(x[None], (s[None, :n], s[None, n:]) if gates else s[None])
        s = torch.cat([out[0][0], out[1][0]]) if gates else out[0]
        states.append(s)
    grads = torch.autograd.grad(s, states[:-1], grad_outputs=torch.eye(d, dtype=torch.float64), is_grads_batched=True)
    vjp = clock() - start
    with torch.no_grad():
        curve = torch.log(torch.linalg.matrix_norm(torch.stack(grads[::-1]), ord=2))
    return curve.numpy(), clock() - start, vjp


_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _measure(case, method, T, threads):
    """One child run with ``threads`` BLAS threads (0: the library's default, all cores)."""
    env = {key: value for key, value in os.environ.items() if key not in _THREAD_VARIABLES}
    env.update({key: str(threads) for key in _THREAD_VARIABLES if threads})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, __file__, "--child", case, method, str(T), str(threads)],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _mb(nbytes):
    return f"{nbytes / 2**20:8.1f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="skip the T=10000 memory runs")
    parser.add_argument("--rounds", type=int, default=2, help="rounds over all methods (best kept)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--device", help="a PyTorch device (cuda, cpu): the device benchmark (flow_device)")
    parser.add_argument("--sizes", help="cases key:n,... (default rnn:256,lstm:128; rnn:1024,lstm:512 with --device)")
    parser.add_argument("--T", type=int, default=1000, help="sequence length")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch's autograd route (large d)")
    args = parser.parse_args()
    if args.child:
        case, method, T, threads = args.child
        return _child(case, method, int(T), int(threads))
    sizes = _sizes(args.sizes or ("rnn:1024,lstm:512" if args.device else "rnn:256,lstm:128"))
    if sizes is None or args.T < 1:
        print(
            f"flow.py: --sizes must be key:n,... with key in rnn, lstm, gru, ... and --T >= 1, got {args.sizes!r}, {args.T}",
            file=sys.stderr,
        )
        return 2
    if args.device:
        import flow_device

        return flow_device.run(args.device, sizes, args.T, args.threads)
    import numpy as np

    try:
        import torch  # noqa: F401

        have_torch = not args.no_torch
    except ImportError:
        have_torch = False
    # The machine may be shared: the load average says how much the timings below competed for.
    print(
        f"threads={args.threads}  (numpy {np.__version__}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    import rnn_theory as rt

    for key, n in sizes:
        case, label, T = f"{key}:{n}", LABELS.get(key, key), args.T
        d = rt.CELLS[key].random(hidden_size=n, input_size=M, rng=0).state_size
        # Rounds alternate the methods, so that a busy (shared) machine slows all of them alike;
        # each keeps its best round (GEMM rate: highest).
        methods = ("gemm", "exact", "probe") + (("torch",) if have_torch else ())
        best = {}
        for _ in range(args.rounds):
            for m in methods:
                run = _measure(case, m, T, args.threads)
                key = "rate" if m == "gemm" else "seconds"
                if m not in best or (run[key] > best[m][key] if m == "gemm" else run[key] < best[m][key]):
                    best[m] = run
        rate = best["gemm"]["rate"]
        dense = T * 2 * d**3 / rate
        runs = {m: best[m] for m in ("exact", "probe")}
        torch_run = best.get("torch")
        print(f"\n{label}: n={n}, d={d}, T={T}; numpy GEMM {rate / 1e9:.1f} GFLOP/s -> dense bound {dense:.3f} s")
        print(f"  {'method':<12}{'time':>10}{'peak mem':>14}{'vs torch':>10}{'vs torch VJP':>14}{'vs dense':>10}")
        if torch_run:
            print(
                f"  {'torch':<12}{torch_run['seconds']:9.3f}s{_mb(torch_run['rss_growth']):>14}"
                f"{'1.0x':>10}{'':>14}{dense / torch_run['seconds']:9.2f}x   (VJP alone {torch_run['vjp_seconds']:.3f} s)"
            )
        for method, run in runs.items():
            vs_torch = f"{torch_run['seconds'] / run['seconds']:9.1f}x" if torch_run else "       --"
            vs_vjp = f"{torch_run['vjp_seconds'] / run['seconds']:13.1f}x" if torch_run else "           --"
            print(
                f"  {method:<12}{run['seconds']:9.3f}s{_mb(run['traced_peak']):>14}{vs_torch:>10}{vs_vjp:>14}"
                f"{dense / run['seconds']:9.2f}x   ("
                + (
                    f"max rank {run['max_rank']}, max error bound {run['error_bound']:.1e})"
                    if run["max_rank"]
                    else f"k = 8, bound gap up to {run['error_bound']:.1f} in ln)"
                )
            )
        if torch_run:
            exact, ref = np.array(runs["exact"]["log_norm"]), np.array(torch_run["log_norm"])
            ok = np.isfinite(ref) & (ref > np.log(1e-290))
            print(
                f"  exact vs torch: max |Δ ln‖P‖| = {np.abs(exact - ref)[ok].max():.2e} over {ok.sum()} lags"
                f" (torch underflows at {T - ok.sum()} lags)"
            )
        if not args.quick:
            long = _measure(case, "exact", 10 * T, args.threads)
            print(
                f"  exact memory: T={T}: {_mb(runs['exact']['traced_peak']).strip()}, T={10 * T}: "
                f"{_mb(long['traced_peak']).strip()} ({long['seconds']:.2f} s); T·d²·8 bytes at T={10 * T} would be "
                f"{_mb(10 * T * d * d * 8).strip()}"
            )
    _threads_line(args.rounds)
    _report_load()


def _sizes(text):
    """[(key, n)] from "rnn:1024,lstm:512", or None if malformed."""
    import rnn_theory as rt

    cases = []
    for item in text.split(","):
        key, _, n = item.partition(":")
        if key not in rt.CELLS or not n.isdigit() or int(n) < 1:
            return None
        cases.append((key, int(n)))
    return cases


def _threads_line(rounds):
    """exact, tanh RNN n = 256, T = 1000, wall time with the default BLAS threads vs one thread,
    with a second process busy on one core (as on a user's machine): the default must not lose."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        best = {}
        for _ in range(rounds):  # alternate, best of each
            for threads in (1, 0):
                seconds = _measure("rnn:256", "wall", 1000, threads)["seconds"]
                best[threads] = min(best.get(threads, seconds), seconds)
    finally:
        busy.kill()
        busy.wait()
    print(
        f"\nthreads, tanh RNN n=256 T=1000 exact with a busy process (wall): one thread {best[1]:.3f} s, "
        f"default threads {best[0]:.3f} s ({best[0] / best[1]:.2f}x; load average {os.getloadavg()[0]:.1f})"
    )


def _report_load():
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
