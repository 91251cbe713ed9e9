"""Classic long-lag tasks, each with its published success criterion: ``TASKS[name](lag)``.

>>> sorted(TASKS)
['adding', 'recall', 'temporal_order']
>>> TASKS["recall"](10).chance
0.25
"""

from ._base import Task
from .adding import Adding
from .recall import Recall
from .temporal_order import TemporalOrder

TASKS = {cls.name: cls for cls in (Adding, Recall, TemporalOrder)}

__all__ = ["TASKS", "Task", "Adding", "Recall", "TemporalOrder"]
