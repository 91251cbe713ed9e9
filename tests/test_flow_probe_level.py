"""The probe's level: every curve it returns (the full one, a cell's h and c blocks, a stack's
layer pairs and c blocks) within 0.05 nats of the exact curve at every lag ≥ 10, and each curve's
two bounds around the exact one at every lag.

Default suite: small sizes (n = 24, T = 200; stacks n = 32 per layer, T = 400) and the shipped
trained checkpoints (n = 32, T = 300); ``-m slow``: the issue's grid (tanh RNN n = 256, LSTM and
GRU n = 128, T = 1000, gains 0.8–2, m = 8 and 32) and larger stacks (n = 48–64 per layer, T = 1000).
The exact curves are accurate to ~1e-11 in ln (``flow.exact``), so they are the reference; 0.05
nats is the target (a factor 1.05 in the norm), the bound checks allow 1e-9 for rounding.
"""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory import data
from rnn_theory.flow.norms import system_flow
from rnn_theory.flow.stack import Stack

LEVEL, FROM_LAG, ROUNDING = 0.05, 10, 1e-9


def _miss(truth, lower, bound):
    """max over lags ≥ 10 of truth − lower, after checking lower ≤ truth ≤ lower + bound."""
    seen = np.isfinite(truth)
    assert np.all(lower[~seen] == -np.inf)  # P = 0 exactly (e.g. every relu unit off): the probe's 0 too
    assert np.all(lower[seen] <= truth[seen] + ROUNDING)
    assert np.all(lower[seen] + bound[seen] >= truth[seen] - ROUNDING)
    keep = seen & (np.arange(1, len(truth) + 1) >= FROM_LAG)
    return float((truth[keep] - lower[keep]).max(initial=-np.inf))


def probe_misses(model, xs):
    """{curve: its miss (``_miss``)} for the full curve ("log_norm") and every block the model names."""
    exact, flow = (system_flow(model, xs, method=m) for m in ("exact", "probe"))
    assert set(flow.blocks) == set(exact.blocks) == set(flow.block_error_bounds or {})
    misses = {"log_norm": _miss(exact.log_norm, flow.log_norm, flow.error_bound)}
    for name, truth in exact.blocks.items():
        misses[name] = _miss(truth, flow.blocks[name], flow.block_error_bounds[name])
    return misses


def assert_level(model, xs, kinds):
    """Every curve within LEVEL; ``kinds``: the block names the model must report."""
    misses = probe_misses(model, xs)
    assert set(misses) == {"log_norm", *kinds}
    assert max(misses.values()) <= LEVEL, misses


def random_case(key, n, gain, m, T):
    cell = rt.CELLS[key].random(hidden_size=n, input_size=m, rng=0, gain=gain)
    return cell, np.random.default_rng(1).normal(size=(T, m))


def cell_blocks(cell):
    return {"h", "c"} if len(cell.state_parts) > 1 else set()


GRID = [(key, gain, m) for key in ("rnn", "lstm", "gru") for gain in (0.8, 1.4, 2.0) for m in (8, 32)]


@pytest.mark.parametrize("key,gain,m", GRID)
def test_probe_level_small(key, gain, m):
    cell, xs = random_case(key, 24, gain, m, 200)
    assert_level(cell, xs, cell_blocks(cell))


@pytest.mark.slow
@pytest.mark.parametrize("key,gain,m", GRID)
def test_probe_level_issue_sizes(key, gain, m):
    cell, xs = random_case(key, 256 if key == "rnn" else 128, gain, m, 1000)
    assert_level(cell, xs, cell_blocks(cell))


@pytest.mark.parametrize("key", ["lstm", "peephole", "cifg", "lstm_nofg"])
def test_probe_level_cell_blocks(key):
    """The h and c blocks of the LSTM family, each part's 64 rows wider than its probes' columns
    (8 + 16 + 16: the tiers count) at every lag, T = 400."""
    cell, xs = random_case(key, 64, 1.4, 8, 400)
    assert_level(cell, xs, {"h", "c"})


def stack(keys, n, m):
    cells = [rt.CELLS[key].random(hidden_size=n, input_size=m if l == 0 else n, rng=l) for l, key in enumerate(keys)]
    return Stack(cells)


@pytest.mark.parametrize("keys", [("lstm", "lstm"), ("gru", "lstm"), ("lstm", "gru", "lstm")])
def test_probe_level_stack_pairs(keys):
    """A stack's layer pairs "l<-k" (l ≥ k) and its layers' c blocks "c l", n = 32 per layer."""
    model = stack(keys, 32, 8)
    xs = np.random.default_rng(4).normal(size=(400, 8))
    assert_level(model, xs, {name for name, _, _ in model.blocks})


@pytest.mark.slow
@pytest.mark.parametrize("keys,n", [(("lstm", "lstm"), 64), (("gru", "lstm"), 48)])
def test_probe_level_stack_pairs_larger(keys, n):
    """T = 1000, where the groups alone serve the lags past 384. (Not met everywhere: on an LSTM +
    GRU + LSTM stack, n = 48, the GRU's own block "1<-1", e^(−107) below the full product there,
    misses by 0.069 just past lag 384, ``flow.probe``.)"""
    model = stack(keys, n, 32)
    xs = np.random.default_rng(4).normal(size=(1000, 32))
    assert_level(model, xs, {name for name, _, _ in model.blocks})


@pytest.mark.parametrize("name", data.checkpoints())
def test_probe_level_trained(name):
    """The shipped checkpoints (name = task-model-lagL-seedS) on Gaussian inputs, T = 300: the full
    curve and, for the LSTM family (lstm, lstm_nofg, slstm), the h and c blocks."""
    task, rest = name.split("-", 1)
    model, lag, seed = rest.rsplit("-", 2)
    cell = data.trained(model, int(lag[3:]), task=task, seed=int(seed[4:]))[0]
    xs = np.random.default_rng(2).normal(size=(300, cell.input_size))
    assert_level(cell, xs, cell_blocks(cell))
