"""Training in NumPy: batched forward through the cells' own equations, closed-form BPTT,
Adam or plain SGD with global-norm clipping, the classic long-lag tasks, the published learning
protocols (``PROTOCOLS``) and their success tables with Wilson intervals (``success_tables``).
"""

from .forward import Tape, forward
from .init import INITS, initial_cell
from .protocols import PROTOCOLS, Protocol
from .tables import success_tables
from .tasks import TASKS
from .trainer import TrainResult, train
from .vjp import TRAINABLE, backward

__all__ = [
    "TASKS",
    "INITS",
    "PROTOCOLS",
    "TRAINABLE",
    "Protocol",
    "Tape",
    "TrainResult",
    "backward",
    "forward",
    "initial_cell",
    "success_tables",
    "train",
]
