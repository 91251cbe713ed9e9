"""Time per training step (forward + backward + clipping + Adam), NumPy BPTT vs PyTorch CPU.

The same model on both sides: an LSTM (n=64, m=8), a linear readout to 4 classes on h_T, softmax
cross-entropy, global-norm clipping at 1.0, Adam(lr=1e-2); batch 32, T=100, float64, the same
weights and the same batch. Both sides run on one thread (OPENBLAS_NUM_THREADS=1 is set before
NumPy loads; torch.set_num_threads(1)), alternating in rounds so that a busy machine slows both
alike. Prints the median time per step of each side and the ratio numpy/torch (target <= 2).

    python benchmarks/train.py [--rounds R] [--steps S]
"""

import argparse
import os
import statistics
import time

os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402  (after the thread settings)

from rnn_theory.training import initial_cell  # noqa: E402
from rnn_theory.training.adam import Adam, clip_global_norm  # noqa: E402
from rnn_theory.training.readout import init_readout  # noqa: E402
from rnn_theory.training.trainer import loss_and_grads  # noqa: E402

N, M, B, T, K = 64, 8, 32, 100, 4


def numpy_stepper(cell, readout, xs, target):
    trained = {
        **{k: v.copy() for k, v in cell.params.items()},
        **{"readout." + k: v.copy() for k, v in readout.items()},
    }
    params = {k: trained[k] for k in cell.params}
    head = {k: trained["readout." + k] for k in readout}
    adam = Adam(trained, lr=1e-2)

    def step():
        loss, grads = loss_and_grads("softmax", cell, params, head, xs, target)
        clip_global_norm(grads, 1.0)
        adam.step(trained, grads)
        return loss

    return step


def torch_stepper(torch, cell, readout, xs, target):
    torch.set_num_threads(1)
    lstm = torch.nn.LSTM(M, N, dtype=torch.float64)
    linear = torch.nn.Linear(N, K, dtype=torch.float64)
    p = cell.params
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(np.vstack([p[f"U_{g}"] for g in "ifgo"])))
        lstm.weight_hh_l0.copy_(torch.tensor(np.vstack([p[f"W_{g}"] for g in "ifgo"])))
        lstm.bias_ih_l0.copy_(torch.tensor(np.concatenate([p[f"b_{g}"] for g in "ifgo"])))
        lstm.bias_hh_l0.zero_()
        linear.weight.copy_(torch.tensor(readout["V"]))
        linear.bias.copy_(torch.tensor(readout["a"]))
    params = list(lstm.parameters()) + list(linear.parameters())
    adam = torch.optim.Adam(params, lr=1e-2)
    x = torch.tensor(xs.transpose(0, 2, 1).copy())  # (T, B, m), PyTorch's sequence-first layout
    y = torch.tensor(target)

    def step():
        adam.zero_grad()
        _, (h, _) = lstm(x)
        loss = torch.nn.functional.cross_entropy(linear(h[0]), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        adam.step()
        return loss.item()

    return step


def median_time(step, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps per side per round (default 10)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    cell = initial_cell("lstm", N, M, rng=rng)
    readout = init_readout(rng, N, K)
    xs, target = rng.normal(size=(T, M, B)), rng.integers(0, K, size=B)
    sides = {"numpy": numpy_stepper(cell, readout, xs, target)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        sides["torch"] = torch_stepper(torch, cell, readout, xs, target)
        first = {name: step() for name, step in sides.items()}
        print(f"first-step loss: numpy {first['numpy']:.12f}  torch {first['torch']:.12f}")
    for step in sides.values():
        step()  # warm-up
    times = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, step in sides.items():
            times[name].append(median_time(step, args.steps))
    print(f"LSTM n={N} m={M} batch={B} T={T} float64, 1 thread, median of {args.rounds}x{args.steps} steps")
    for name, values in times.items():
        print(f"  {name:6s} {1e3 * statistics.median(values):8.2f} ms/step")
    if torch is None:
        print("  torch  not installed: no ratio")
    else:
        ratio = statistics.median(times["numpy"]) / statistics.median(times["torch"])
        print(f"  ratio numpy/torch = {ratio:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
