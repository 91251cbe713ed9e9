"""The cell zoo: each cell's equations and closed-form state Jacobian, written once.

``CELLS`` maps the keys of the cell zoo (docs/design.md#cell-zoo) to the cell classes.
"""

from ._base import Cell
from ._gating import GATE_ACTIVATIONS, GatedCell
from .cifg import CIFG
from .gru import GRU, GRUResetBefore
from .indrnn import IndRNN
from .lru import LRU
from .lstm import LSTM
from .lstm_nofg import LSTMNoForget
from .mamba import Mamba
from .mingru import MinGRU
from .minlstm import MinLSTM
from .mlstm import MLSTM
from .peephole import Peephole
from .rglru import RGLRU
from .rnn import RNN
from .slstm import SLSTM

CELLS = {
    cls.key: cls
    for cls in (
        RNN,
        LSTM,
        LSTMNoForget,
        Peephole,
        CIFG,
        GRU,
        GRUResetBefore,
        MinGRU,
        MinLSTM,
        LRU,
        IndRNN,
        RGLRU,
        Mamba,
        SLSTM,
        MLSTM,
    )
}

__all__ = [
    "CELLS",
    "GATE_ACTIVATIONS",
    "Cell",
    "GatedCell",
    "RNN",
    "LSTM",
    "LSTMNoForget",
    "Peephole",
    "CIFG",
    "GRU",
    "GRUResetBefore",
    "MinGRU",
    "MinLSTM",
    "LRU",
    "IndRNN",
    "RGLRU",
    "Mamba",
    "SLSTM",
    "MLSTM",
]
