"""Training in NumPy: batched forward through the cells' own equations, closed-form BPTT,
Adam with global-norm clipping, the classic long-lag tasks, and the success-vs-lag experiment.
"""

from .forward import Tape, forward
from .init import INITS, initial_cell
from .tasks import TASKS
from .trainer import TrainResult, train
from .vjp import TRAINABLE, backward

__all__ = ["TASKS", "INITS", "TRAINABLE", "Tape", "TrainResult", "backward", "forward", "initial_cell", "train"]
