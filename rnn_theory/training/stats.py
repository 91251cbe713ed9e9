"""Statistics of a table of training runs: Wilson score intervals and learning-curve quartiles.

Wilson (1927) interval for k successes in n runs at confidence 1 − α, z = Φ⁻¹(1 − α/2):

    centre = (p̂ + z²/2n) / (1 + z²/n),   half = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²),   p̂ = k/n

i.e. the set of p with |p̂ − p| ≤ z·√(p(1 − p)/n): unlike p̂ ± z·√(p̂(1 − p̂)/n) it stays inside
[0, 1] and is not empty at k = 0 or k = n, where training tables often sit.

>>> [round(v, 4) for v in wilson(0, 10)]
[0.0, 0.2775]
>>> [round(v, 4) for v in wilson(5, 10)]
[0.2366, 0.7634]
"""

import numpy as np

Z95 = 1.959963984540054  # Φ⁻¹(0.975)


def wilson(successes, runs, z=Z95):
    """(low, high): the Wilson score interval for ``successes`` out of ``runs`` (95% by default)."""
    if runs < 1 or not 0 <= successes <= runs:
        raise ValueError(f"need 0 <= successes <= runs and runs >= 1, got {successes} of {runs}")
    p, z2 = successes / runs, z * z
    centre = (p + z2 / (2 * runs)) / (1 + z2 / runs)
    half = z / (1 + z2 / runs) * np.sqrt(p * (1 - p) / runs + z2 / (4 * runs * runs))
    # At k = 0 and k = n one end is exactly 0 or 1; rounding would put it a few ulps off.
    return (0.0 if successes == 0 else float(centre - half)), (1.0 if successes == runs else float(centre + half))


def curve_quartiles(histories, every, steps, key="val_correct"):
    """Median and quartiles over runs of ``key`` at steps every, 2·every, …, steps. A run that
    stopped early (solved, or diverged) keeps its last recorded value from then on; each run's
    first record must be at step ``every`` (the trainer's first check). Returns
    {"step": [...], "q1": [...], "median": [...], "q3": [...]}, values rounded to 4 digits."""
    grid = np.arange(every, steps + 1, every)
    table = np.empty((len(histories), len(grid)))
    for r, history in enumerate(histories):
        recorded = np.array([entry["step"] for entry in history])
        values = np.array([entry[key] for entry in history], dtype=float)
        # The latest record at or before each grid step (entries are in step order).
        table[r] = values[np.searchsorted(recorded, grid, side="right") - 1]
    q1, median, q3 = (np.round(np.percentile(table, q, axis=0), 4).tolist() for q in (25, 50, 75))
    return {"step": grid.tolist(), "q1": q1, "median": median, "q3": q3}
