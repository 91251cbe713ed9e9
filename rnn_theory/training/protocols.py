"""The learning protocols as named configurations: each a task, models, an optimiser, a
learning-rate sweep (or one rate), a budget, a number of seeds and the success criterion.

``PROTOCOLS[name]`` (full) and ``QUICK[name]`` (a seconds-long smoke version of the same code path)
are ``Protocol`` tuples: ``modern`` (the package's own experiment: Adam with clipping, one learning
rate for every model, every cell of the zoo) and the published ones. Running one (``runner.run_protocol``)
has two phases, per model:

1. **Sweep** (when ``lrs`` has more than one rate): train at ``sweep_lag`` with each learning rate
   of ``lrs`` on ``sweep_seeds`` (seeds disjoint from the table's); score a rate by the mean
   *validation* fraction correct at the end of its runs (ties: fewer mean steps, then the smaller
   rate). The test sets are not looked at. With one rate there is no sweep.
2. **Table**: with the chosen rate, ``seeds`` runs (seeds 0 … seeds − 1) at every lag. A run stops
   early once its validation fraction reaches ``stop`` (validation data only); it succeeds when
   at least ``success`` of ``test_size`` fresh test sequences meet the task's criterion.

Every model of a protocol gets the same sweep, the same budget (``steps`` updates of ``batch``
fresh sequences) and the same data (run r uses seed r for weights and data). Each cell of the
table reports successes/runs with a 95% Wilson interval; the learning curves (median and
quartiles of the validation fraction over seeds) are saved beside it. A model is
(name, cell key, initialisation, clipping threshold or None).
"""

from typing import NamedTuple

LR_SGD = (0.01, 0.03, 0.1, 0.3, 1.0)
LR_ADAM = (0.003, 0.01, 0.03)


class Protocol(NamedTuple):
    name: str
    title: str
    source: str
    deviations: str  # where this configuration departs from the source, said plainly
    task: str
    lags: tuple
    models: tuple  # (name, cell key, init, clip or None)
    optimizer: str  # "sgd" or "adam"
    lrs: tuple  # the sweep; one rate: no sweep
    sweep_lag: int | None
    sweep_seeds: tuple
    seeds: int
    hidden: int
    batch: int
    steps: int
    check_every: int
    stop: float  # early stopping: validation fraction correct
    success: float  # the source's criterion: test fraction correct
    validation_size: int
    test_size: int
    checkpoints: tuple  # (model, lag) whose seed-0 run is kept


# The package's own experiment, the first it ran: Adam with clipping on delayed recall, one learning rate
# for every model, every cell of the zoo.
_MODERN_MODELS = (
    ("rnn", "rnn", "random"),
    ("lstm", "lstm", "random"),
    ("gru", "gru", "random"),
    ("rnn-identity", "rnn", "identity"),
    ("rnn-orthogonal", "rnn", "orthogonal"),
    ("lstm_nofg", "lstm_nofg", "random"),
    # The descendants of the cell-state highway, each from its own ``random()``.
    ("indrnn", "indrnn", "random"),
    ("rglru", "rglru", "random"),
    ("mamba", "mamba", "random"),
    ("slstm", "slstm", "random"),
)
MODERN = Protocol(
    name="modern",
    title="modern optimiser: Adam with clipping, one learning rate for every model, delayed recall",
    source="Hochreiter & Schmidhuber 1997, section 1 and Table 2; Bengio, Simard & Frasconi 1994; Olah 2015",
    deviations="the package's own protocol: Adam (learning rate 0.01, no sweep) with clipping at 1 for every "
    "model, so that the cells differ only in their equations; initialisation: the package's random() "
    "(W ~ N(0, 1/n), U ~ N(0, 1/m), biases 0, LSTM forget bias 1), the vanilla RNN also with identity "
    "(IRNN, relu; Le et al. 2015) and orthogonal (tanh) recurrent weights; the newer cells from their own "
    "random(): their papers' initialisations where they have one (IndRNN's u ~ U[0, 1]; the RG-LRU's "
    "a^c ~ U[0.9, 0.999]; Mamba's A_k = -k and Delta in [0.001, 0.1]), the package's otherwise (sLSTM)",
    task="recall",
    lags=(5, 10, 20, 50, 100),
    models=tuple((name, key, init, 1.0) for name, key, init in _MODERN_MODELS),
    optimizer="adam",
    lrs=(0.01,),
    sweep_lag=None,
    sweep_seeds=(),
    seeds=10,
    hidden=32,
    batch=32,
    steps=3000,
    check_every=100,
    stop=0.99,
    success=0.99,
    validation_size=512,
    test_size=2560,
    checkpoints=tuple((name, lag) for name, *_ in _MODERN_MODELS for lag in (10, 50)),
)

# The modern row's terms for what it lacks: the mLSTM (trainable since its closed-form VJP), and the two
# cells whose authors' code starts elsewhere than the package's random(): the IndRNN with u ~ U[0, 2^{1/T}]
# kept in [-2^{1/T}, 2^{1/T}], the sLSTM with power-law forget biases and R = 0.
MODERN_EXTRA = MODERN._replace(
    name="modern_extra",
    title="the modern row's terms for the mLSTM, and for the IndRNN and the sLSTM under their authors' initialisations",
    deviations="as modern; the mLSTM from its random() (the official code's: gate weights 0, forget bias 3, one "
    "head); the other two under the initialisations of the authors' code (rnn_theory.training.init, 'paper'): the "
    "IndRNN's u ~ U[0, 2^{1/T}] for T = tau + 1 steps, relu, |u| clipped to 2^{1/T} after every update (the "
    "authors' code, Sunnydreamrain/IndRNN_pytorch: U_bound = MAG^{1/T}; MAG = 2 as batzner/indrnn sets "
    "recurrent_max = pow(2, 1 / TIME_STEPS), 'as recommended in the paper'); the sLSTM's recurrent matrices 0 "
    "and forget biases 5 - 12 (k/(n-1))^0.3 (NX-AI/xlstm, powerlaw_blockdependent), for one head of n = 32 units",
    models=(
        ("mlstm", "mlstm", "random", 1.0),
        ("indrnn-paper", "indrnn", "paper", 1.0),
        ("slstm-paper", "slstm", "paper", 1.0),
    ),
    checkpoints=(),
)

# On the modern row's task, lags, budget and criterion: only the optimiser and the models differ.
BENGIO_SGD = MODERN._replace(
    name="bengio1994_sgd",
    title="vanilla RNN, plain SGD without clipping, delayed recall at lags 5-100",
    source="Bengio, Simard & Frasconi 1994 (gradient descent on long-term dependencies); the claim as "
    "summarised by Goodfellow, Bengio & Courville 2016, section 10.7",
    deviations="Bengio et al.'s latch and 2-sequence tasks and their initialisation were not retrieved: "
    "delayed recall (one of 4 symbols, kept across tau steps of distractors) stands in for the latch, with "
    "the package's initialisations; minibatches of 32 sequences per update",
    # Named for their training (as pascanu2013_temporal_order's are), so that their checkpoints do not
    # take the names of the modern row's, which train the same cells by Adam.
    models=(("rnn-sgd", "rnn", "random", None), ("rnn-orthogonal-sgd", "rnn", "orthogonal", None)),
    optimizer="sgd",
    lrs=LR_SGD,
    sweep_lag=20,
    sweep_seeds=(100, 101),
    # seed 0's runs that solved the source's lags (10, 20): a refutation there replays one of them
    checkpoints=(("rnn-sgd", 10), ("rnn-orthogonal-sgd", 10), ("rnn-orthogonal-sgd", 20)),
)

HS1997_ADDING = Protocol(
    name="hs1997_adding",
    title="the adding problem at T = 100 (minimal lag 50), the 1997 LSTM (no forget gate), as in Table 7",
    source="Hochreiter & Schmidhuber 1997, section 5.4 (experiment 4) and Table 7: |error| < 0.04; "
    "T = 100: 1 wrong of 2560 test sequences after 74,000 training sequences",
    deviations="Adam with clipping at 1 on minibatches of 20 and the full BPTT gradient (the paper: online "
    "gradient descent, learning rate 0.5, gradients truncated at the gates); n = 16 memory cells of one "
    "block each (the paper: 2 blocks of 2 cells, 93 weights); the package's initialisation (the paper "
    "biases the input gates towards zero; its values were not retrieved). The paper stops once the 2000 "
    "most recent training sequences are all correct; here once 99.5% of 2000 validation sequences are",
    task="adding",
    lags=(50,),
    models=(("lstm_nofg", "lstm_nofg", "random", 1.0),),
    optimizer="adam",
    lrs=LR_ADAM,
    sweep_lag=50,
    sweep_seeds=(100,),
    seeds=10,
    hidden=16,
    batch=20,
    steps=10000,
    check_every=200,
    stop=0.995,
    success=0.99,
    validation_size=2000,
    test_size=2560,
    checkpoints=(("lstm_nofg", 50),),
)

# The paper trains only its LSTM on the adding problem; the other cells, on the same terms, apart.
ADDING_OTHERS = HS1997_ADDING._replace(
    name="adding_other_cells",
    title="the adding problem at T = 100 on the terms of hs1997_adding: LSTM with forget gate, GRU, vanilla RNN",
    models=(("lstm", "lstm", "random", 1.0), ("gru", "gru", "random", 1.0), ("rnn", "rnn", "random", 1.0)),
    checkpoints=(),
)

PASCANU_TEMPORAL_ORDER = Protocol(
    name="pascanu2013_temporal_order",
    title="vanilla RNN on the temporal order problem (task 6a), SGD with and without norm clipping",
    source="Pascanu, Mikolov & Bengio 2013, section 4.1 and Fig. 7: 50 hidden units, minibatches of 20, "
    "clipping threshold 1; Hochreiter & Schmidhuber 1997, section 5.6: error < 0.3 on every output",
    deviations="minimal lengths T = 20 and 50 (Pascanu et al.: 50 to 200) and at most 5000 updates (theirs: "
    "up to 5 million); success on 2560 test sequences (theirs: < 1% errors on 10,000); no regulariser",
    task="temporal_order",
    lags=(20, 50),
    models=(
        ("rnn-clip", "rnn", "random", 1.0),
        ("rnn-noclip", "rnn", "random", None),
        ("rnn-pascanu-clip", "rnn", "pascanu", 1.0),
        ("rnn-pascanu-noclip", "rnn", "pascanu", None),
    ),
    optimizer="sgd",
    lrs=LR_SGD[:4],
    sweep_lag=20,
    sweep_seeds=(100, 101),
    seeds=10,
    hidden=50,
    batch=20,
    steps=5000,
    check_every=100,
    stop=0.99,
    success=0.99,
    validation_size=512,
    test_size=2560,
    checkpoints=(),
)

PROTOCOLS = {
    p.name: p for p in (MODERN, MODERN_EXTRA, BENGIO_SGD, HS1997_ADDING, ADDING_OTHERS, PASCANU_TEMPORAL_ORDER)
}
# The smoke version: the same code path in seconds (the shortest lag at its task's minimum, tiny sets).
QUICK = {
    name: p._replace(
        lags=(p.lags[0],),
        lrs=p.lrs[:2],
        sweep_lag=p.sweep_lag and p.lags[0],
        sweep_seeds=p.sweep_seeds[:1],
        seeds=2,
        hidden=4,
        steps=20,
        check_every=10,
        validation_size=32,
        test_size=64,
        checkpoints=tuple(dict.fromkeys((model, p.lags[0]) for model, _ in p.checkpoints)),
    )
    for name, p in PROTOCOLS.items()
}
RESULTS = {MODERN.name: "success_vs_lag.json"}  # the results file of a protocol, when it is not NAME.json


def results_file(name):
    """The results document of protocol ``name`` in a results folder: ``NAME.json`` (the modern
    row: ``success_vs_lag.json``, its name from before the protocols)."""
    return RESULTS.get(name, name + ".json")
