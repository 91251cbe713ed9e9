"""Shared test fixtures: the whole zoo, at generic (not just initialisation) points; the claims' quick run
shared by a session; and how xdist schedules the modules that share an expensive fixture (SHARED)."""

import os

import numpy as np
import pytest

import rnn_theory as rt

# Every cell, with rnn once per activation: the ids used by parametrised tests.
ZOO = [("rnn", {"activation": a}) for a in ("tanh", "sigmoid", "relu")] + [
    (key, {}) for key in rt.CELLS if key != "rnn"
]
ZOO_IDS = [key if not opts else f"{key}-{opts['activation']}" for key, opts in ZOO]


def generic_cell(key, n, m, seed, **options):
    """A cell whose every parameter is a generic value: random() plus noise on all parameters,
    biases included, so no gate sits at a special point such as σ(0) = 1/2."""
    rng = np.random.default_rng(seed)
    if key == "lru":
        n += n % 2  # the LRU's state is made of 2×2 rotation blocks
    base = rt.CELLS[key].random(hidden_size=n, input_size=m, rng=rng, gain=1.5, **options)
    params = {}
    for name, value in base.params.items():
        if key == "lru" and name == "r":
            params[name] = rng.uniform(0.05, 0.999, size=value.shape)
        elif key == "mamba" and name == "A":  # a relative perturbation keeps A < 0
            params[name] = value * np.exp(rng.normal(0.0, 0.5, size=value.shape))
        else:
            params[name] = value + rng.normal(0.0, 0.5, size=value.shape)
    return rt.CELLS[key](**options, **params)


def forgetful_stack():
    """(An LSTM layer under a GRU layer, n = 16, m = 4, and 300 inputs) on which the GRU forgets
    far faster than the LSTM: its own block ∂h¹_T/∂h¹_{T−τ} falls more than 60 nats below the full
    norm by τ = 300, under the exact method's truncation level from about τ = 150."""
    from rnn_theory.flow.stack import Stack  # noqa: PLC0415 (only the tests that use it)

    cells = [rt.CELLS["lstm"].random(hidden_size=16, input_size=4, rng=0)]
    cells.append(rt.CELLS["gru"].random(hidden_size=16, input_size=16, rng=10))
    return Stack(cells), np.random.default_rng(0).normal(size=(300, 4))


def assert_blocks_within_their_bounds(flow, truth, tol=1e-10):
    """Every block curve of an exact ``flow`` against the true curves ``truth`` (name -> (T,)): within
    its ``block_error_bounds`` where finite, an upper bound where inf, never −inf. ``tol``: what the
    bound leaves out, the certified λ_max (5e-11 in ln) and the rounding of both routes (~1e-13)."""
    for name, want in truth.items():
        got, bound = flow.blocks[name], flow.block_error_bounds[name]
        assert np.isfinite(got).all(), name
        finite = np.isfinite(bound)
        assert (np.abs(got - want)[finite] <= bound[finite] + tol).all(), name
        assert (want[~finite] <= got[~finite] + tol).all(), name


def generic_point(cell, seed):
    rng = np.random.default_rng(seed + 1000)
    return rng.normal(size=cell.input_size), rng.normal(size=cell.state_size)


def pytest_report_header(config):
    """The environment's fingerprint at the top of every run: what byte identity of files depends on."""
    from rnn_theory.reproducible import describe, fingerprint

    return f"rnn-theory environment: {describe(fingerprint())}"


# Modules whose tests share an expensive module- or session-scoped fixture, by the group that runs on one
# xdist worker (``pytest_xdist_make_scheduler``): spread over two workers, each would compute it.
SHARED = {
    "test_claims.py": "quick claims",  # quick_results (both modules)
    "test_claims_classics.py": "quick claims",
    "test_proofs.py": "proofs",  # the proofs computed once, the article
    "test_figures.py": "figures",  # the cheap figures generated
    "test_symbolic_crosscheck.py": "symbolic crosscheck",  # one derivation per cell for every n
}


def pytest_xdist_make_scheduler(config, log):
    """``-n`` with the default ``--dist load``: every test its own unit of work, as ``load`` schedules,
    except the modules of ``SHARED``, each group one unit sent whole to one worker (the biggest first).
    xdist's own ``--dist loadgroup`` is not used: on pytest 9 it ignores the ``xdist_group`` marks."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Shared(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return SHARED.get(nodeid.split("::", 1)[0].rsplit("/", 1)[-1], nodeid)

    return Shared(config, log)


def figures_from(folder):
    """A stand-in for ``rnn_theory.cli.figures._generate`` that copies the files of the figures asked
    for (``--only``) from ``folder``, where the command generated them earlier in the session: for the
    tests of what ``figures --check`` does with what it generated."""
    import shutil

    from rnn_theory.plots import output_files

    def generate(out, args):
        written = {name: [os.path.join(out, file) for file in output_files(name)] for name in args.only}
        for paths in written.values():
            for path in paths:
                shutil.copy(os.path.join(folder, os.path.basename(path)), path)
        return written

    return generate


@pytest.fixture(scope="session")
def quick_results():
    """{claim id: Result} of one quick run of every claim (about 45 s of CPU), shared by the claims
    tests (one worker runs their modules: ``SHARED``)."""
    import rnn_theory.claims as claims

    return {r.claim.id: r for r in claims.verify(quick=True)}


@pytest.fixture(params=ZOO, ids=ZOO_IDS)
def zoo_entry(request):
    return request.param
