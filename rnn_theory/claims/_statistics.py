"""Fractions over seeds with a 95% interval, for the typical reading of a claim.

Wilson's score interval (z = 1.96): unlike the normal approximation it stays inside [0, 1] and is
not degenerate at 0 or n successes, which is where a claim's typical reading usually sits.

>>> fraction(5, 5)["interval_95"]
[0.5655, 1.0]
>>> fraction(0, 8)["interval_95"]
[0.0, 0.3244]
"""

import math

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile


def fraction(successes, n):
    """{"fraction", "n", "interval_95": [low, high]} (Wilson, rounded to 4 digits)."""
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return {
        "fraction": p,
        "n": n,
        "interval_95": [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)],
    }
