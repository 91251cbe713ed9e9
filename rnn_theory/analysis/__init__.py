"""``rt.analyze``: gradient flow through a model as you have it, one implementation for the library
and the ``rnn-theory analyze`` command.

- ``_network``: models as users hold them (cells, files, live PyTorch and Keras objects) -> a stack;
- ``_stack``: a stack of layers as one recurrent system, block lower-triangular step Jacobian;
- ``_analysis``: ``analyze`` itself; ``_report``: the ``Analysis`` result; ``_text``, ``_plot``:
  its summary and its figure.
"""

from ._analysis import MIN_LYAPUNOV_STEPS, analyze
from ._report import Analysis

__all__ = ["analyze", "Analysis", "MIN_LYAPUNOV_STEPS"]
