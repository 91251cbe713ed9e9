"""Training a cell and its readout on a task: BPTT, global-norm clipping, Adam or plain SGD; seeded.

One step: a batch of B fresh sequences from the task; the cell's batched forward pass
(``forward``); the readout y = V h_T + a and the task's loss; the closed-form VJPs back to every
parameter (``vjp``); clipping of the global gradient norm (Pascanu et al. 2013, Algorithm 1);
an Adam step (``optimizer="adam"``) or a plain SGD step (``"sgd"``); parameters given ``bounds``
{name: b} are then clipped to [−b, b] (the IndRNN's |u| ≤ 2^{1/T}, as its authors' code does). A parameter that must keep
its sign (``Cell.signed_params``: Mamba's A < 0) is updated as ψ = ln(sign·θ), θ = sign·e^ψ, as
Mamba's code trains A_log. Every ``check_every`` steps
the fraction correct on a fixed validation set is measured, and training stops early once it
reaches ``stop`` (default ``success``; the budget ``steps`` is the maximum): early stopping
watches validation data only, and success is judged on the test set whenever training ends. The result is judged on ``test_size`` fresh test sequences with the task's criterion.
All randomness comes from ``np.random.default_rng(seed)``: same arguments, same bytes.

>>> from rnn_theory.training import initial_cell, TASKS
>>> task = TASKS["recall"](2)
>>> cell = initial_cell("lstm", 8, task.input_size, rng=0)
>>> result = train(task, cell, steps=200, seed=0)
>>> result.log["success"], result.log["test_correct"], result.log["steps_run"]
(True, 1.0, 100)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .adam import Adam, clip_global_norm
from .forward import forward
from .init import bounds, initial_cell
from .progress import Progress
from .readout import head_loss, init_readout, outputs, readout_vjp
from .sgd import SGD
from .vjp import backward

_READOUT = "readout."  # prefix of the readout's entries among the trained arrays
OPTIMIZERS = {"adam": (Adam, "adam(0.9, 0.999, 1e-8)"), "sgd": (SGD, "sgd")}  # class, name in the log


class TrainResult(NamedTuple):
    cell: object  # the trained cell (native parameters)
    readout: dict  # {"V": (k, n), "a": (k,)}
    log: dict  # settings, history, result: JSON-ready


def evaluate(task, cell, params, readout, xs, target):
    """Fraction of sequences the model gets right by the task's criterion, and the mean loss."""
    y = outputs(readout, forward(cell, params, xs).parts[0][-1])
    return float(task.correct(y, target).mean()), float(head_loss(task.head, y, target)[0])


def fixed_set(task, rng, size, batch=256):
    """``size`` sequences in batches of up to ``batch`` (one length per batch)."""
    return [task.sample(rng, min(batch, size - start)) for start in range(0, size, batch)]


def score(task, cell, params, readout, batches):
    """(fraction correct, mean loss) over ``batches``, weighted by batch size."""
    results = [evaluate(task, cell, params, readout, xs, target) for xs, target in batches]
    weights = [len(target) for _, target in batches]
    return tuple(float(np.average(column, weights=weights)) for column in zip(*results))


def loss_and_grads(head, cell, params, readout, xs, target):
    """The loss of one batch and its gradient for every trained array (cell parameters by native
    name, readout entries prefixed ``readout.``): forward, readout, head, BPTT."""
    n = cell.hidden_size
    tape = forward(cell, params, xs)
    h_T = tape.parts[0][-1]
    loss, dy = head_loss(head, outputs(readout, h_T), target)
    readout_grads, dh_T = readout_vjp(readout, h_T, dy)
    ds_T = np.zeros((cell.state_size, dh_T.shape[1]))
    ds_T[:n] = dh_T
    grads, _ = backward(tape, ds_T)
    grads.update({_READOUT + name: g for name, g in readout_grads.items()})
    return loss, grads


def _g(x):
    """Short, stable numbers in the log; None for a non-finite value (JSON has no NaN)."""
    return float(f"{x:.6g}") if np.isfinite(x) else None


def train(
    task,
    cell,
    *,
    steps: int,
    batch: int = 32,
    lr: float = 1e-2,
    clip: float = 1.0,
    seed: int = 0,
    check_every: int = 100,
    success: float = 0.99,
    validation_size: int = 512,
    test_size: int = 2560,
    progress: bool = True,
    optimizer: str = "adam",
    stop=None,
    bounds=None,
) -> TrainResult:
    """Train ``cell`` (its weights are the start; it is not modified) and a fresh readout on
    ``task`` for at most ``steps`` steps of ``optimizer`` ("adam" or "sgd") on ``batch``
    sequences each; ``clip=None`` does not clip; training stops early once the validation
    fraction correct reaches ``stop`` (default: ``success``, the test criterion); ``bounds``
    {parameter: b} keeps those parameters in [−b, b] after every update.
    Returns a TrainResult: the trained cell, the readout {"V", "a"} and the JSON-ready log
    (settings, ``history`` every ``check_every`` steps, ``test_correct``, ``success``)."""
    rng_data, rng_readout, rng_val, rng_test = np.random.default_rng(seed).spawn(4)
    n = cell.hidden_size
    params = {name: value.copy() for name, value in cell.params.items()}
    readout = init_readout(rng_readout, n, task.output_size)
    trained = {**params, **{_READOUT + name: value for name, value in readout.items()}}
    signed = cell.signed_params
    for name, sign in signed.items():  # trained as ln(sign·θ), so θ keeps its sign
        trained[_log_name(name)] = np.log(sign * trained.pop(name))
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {', '.join(OPTIMIZERS)}")
    bounds = dict(bounds or {})
    if not set(bounds) <= set(params) - set(signed) or not all(b > 0 for b in bounds.values()):
        raise ValueError(f"bounds must be positive, for unsigned parameters of {cell.key}: got {bounds}")
    update = OPTIMIZERS[optimizer][0](trained, lr=lr)
    validation = fixed_set(task, rng_val, validation_size)
    display = Progress(steps, f"{task.name} lag {task.lag} {cell.key}", enabled=progress)
    stop_at = success if stop is None else stop
    history, window, step, val_correct, diverged = [], [], 0, 0.0, False
    while step < steps and val_correct < stop_at and not diverged:
        step += 1
        xs, target = task.sample(rng_data, batch)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is detected and reported below
            loss, grads = loss_and_grads(task.head, cell, params, readout, xs, target)
            for name in signed:  # θ = sign·e^ψ: ∂L/∂ψ = ∂L/∂θ · θ
                grads[_log_name(name)] = grads.pop(name) * params[name]
            norm = clip_global_norm(grads, clip)
        diverged = not (np.isfinite(loss) and np.isfinite(norm))
        if not diverged:
            update.step(trained, grads)
            for name, b in bounds.items():  # params[name] is trained[name]: clipped in place
                np.clip(trained[name], -b, b, out=trained[name])
            for name, sign in signed.items():
                params[name] = sign * np.exp(trained[_log_name(name)])
        window.append((loss, norm, clip is not None and norm >= clip))
        if step % check_every == 0 or step == steps or diverged:
            val_correct = 0.0 if diverged else score(task, cell, params, readout, validation)[0]
            losses, norms, clipped = zip(*window)
            history.append(
                {
                    "step": step,
                    "loss": _g(np.mean(losses)),
                    "grad_norm": _g(np.mean(norms)),
                    "clipped": _g(np.mean(clipped)),
                    "val_correct": _g(val_correct),
                }
            )
            window = []
        display.update(step, loss=loss, grad_norm=norm, val=val_correct)
    display.close()
    final = _rebuild(cell, params) if not diverged else cell
    test_correct, test_loss = (
        (0.0, float("nan")) if diverged else score(task, final, params, readout, fixed_set(task, rng_test, test_size))
    )
    log = {
        **task.describe(),
        "cell": cell.key,
        "activation": getattr(cell, "activation", None),
        "hidden_size": n,
        "input_size": cell.input_size,
        "seed": seed,
        "budget_steps": steps,
        "batch": batch,
        "lr": lr,
        "clip": clip,
        "optimizer": OPTIMIZERS[optimizer][1],
        "check_every": check_every,
        "success_threshold": success,
        "validation_size": validation_size,
        "test_size": test_size,
        "steps_run": step,
        "sequences_seen": step * batch,
        "diverged": diverged,
        "test_correct": _g(test_correct),
        "test_loss": None if diverged else _g(test_loss),
        "success": bool(test_correct >= success),
        "history": history,
        "weights": "initial (training diverged)" if diverged else "trained",
    }
    if stop is not None:  # absent when it is the success threshold, as in logs written before it existed
        log["stop_threshold"] = stop
    if bounds:  # absent without, as in logs written before it existed
        log["bounds"] = {name: _g(b) for name, b in bounds.items()}
    return TrainResult(final, {name: trained[_READOUT + name] for name in readout}, log)


def train_initial(task, key: str, hidden: int, init: str = "random", *, seed: int = 0, **options) -> TrainResult:
    """Train cell ``key`` with ``hidden`` units on ``task`` from its ``init`` initial weights (drawn
    from ``seed``, which also seeds the data): ``initial_cell``, then ``train`` with the parameter
    bounds that initialisation keeps (``init.bounds``) and ``options``; the log names the ``init``.
    The one way a run starts, for the experiments' runs and ``rnn-theory train`` alike.

    >>> from rnn_theory.training import TASKS
    >>> result = train_initial(TASKS["recall"](2), "indrnn", 4, "paper", seed=0, steps=20, test_size=64)
    >>> result.log["init"], result.log["bounds"]  # |u| <= 2^{1/T}, T = 3 steps
    ('paper', {'u': 1.25992})
    """
    cell = initial_cell(key, hidden, task.input_size, init, rng=seed, length=task.length)
    result = train(task, cell, seed=seed, bounds=bounds(key, init, task.length), **options)
    result.log["init"] = init
    return result


def _log_name(name):
    """The trained array standing for a signed parameter θ: ψ = ln(sign·θ)."""
    return f"ln|{name}|"


def _rebuild(cell, params):
    return type(cell)(**cell.options, **params)
