"""The exploding side on one unit: Pascanu, Mikolov & Bengio (2013), §2.2–2.3, eq. (8) and Fig. 6,
after Doya (1993).

The model is x_t = w·σ(x_{t−1}) + b, σ the logistic sigmoid, x_0 = 0.5, and the loss
E(w, b) = (σ(x_T) − 0.7)² with T = 50. ``one_unit_loss`` returns E, its gradient and its Hessian in
(w, b) by second-order forward-mode differentiation of the recurrence (exact up to rounding):

    ∂x_t/∂w  = σ(x_{t−1}) + w·σ'(x_{t−1})·∂x_{t−1}/∂w,        ∂x_t/∂b = 1 + w·σ'(x_{t−1})·∂x_{t−1}/∂b,
    ∂²x_t/∂p∂p' = [p = w]·σ'·∂x_{t−1}/∂p' + [p' = w]·σ'·∂x_{t−1}/∂p
                  + w·(σ''·∂x_{t−1}/∂p·∂x_{t−1}/∂p' + σ'·∂²x_{t−1}/∂p∂p').

Where the orbit of x_0 switches between attractors, E jumps; at finite T the jump is a steep,
smooth step, the "wall", on which the gradient and the curvature are both large. The switch is
located independently of any derivative by the fixed points of f(x) = w·σ(x) + b and their
stability (``attractor_from``, ``wall_location``): for w > 0, f is increasing, so the orbit is
monotone and converges to the first fixed point it meets; the wall is where x_0 sits on the
unstable fixed point (a basin boundary) or where the attractor it would reach disappears in a
saddle-node bifurcation (``saddle_node_biases``: f(x) = x and f'(x) = 1).
"""

import numpy as np

X0, TARGET, STEPS = 0.5, 0.7, 50


def _sigmoid(x):
    # Via tanh: no overflow for large |x|, and analytic, so complex steps go through it.
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def one_unit_loss(w, b, steps=STEPS, x0=X0, target=TARGET):
    """E(w, b) = (σ(x_T) − target)², its gradient and Hessian in (w, b), by forward mode.

    w, b: arrays (broadcast together, shape S), real or complex. Returns (E (S,), grad (2, *S),
    hessian (2, 2, *S)), parameters ordered (w, b).

    >>> E, grad, hess = one_unit_loss(0.0, 0.0)  # x_t = 0 for t ≥ 1: E = (1/2 − 0.7)²
    >>> round(float(E), 15), round(float(grad[1]), 15)  # ∂E/∂b = 2(σ − 0.7)·σ'(0) = −0.1
    (0.04, -0.1)
    """
    w, b = np.broadcast_arrays(np.asarray(w), np.asarray(b))
    x = np.full(w.shape, x0, dtype=np.result_type(w, b, float))
    dx = np.zeros((2,) + w.shape, dtype=x.dtype)  # ∂x/∂(w, b)
    ddx = np.zeros((2, 2) + w.shape, dtype=x.dtype)
    unit = np.eye(2)[:, :, None].reshape((2, 2) + (1,) * w.ndim)  # [p = w] in row 0
    for _ in range(steps):
        s = _sigmoid(x)
        s1, s2 = s * (1 - s), s * (1 - s) * (1 - 2 * s)
        is_w = unit[0]  # (2, 1...) indicator of the w-derivative
        ddx = (
            is_w[:, None] * s1 * dx[None]
            + is_w[None, :] * s1 * dx[:, None]
            + w * (s2 * dx[:, None] * dx[None] + s1 * ddx)
        )
        dx = np.stack([s, np.ones_like(s)]) + w * s1 * dx
        x = w * s + b
    u = _sigmoid(x)
    u1, u2 = u * (1 - u), u * (1 - u) * (1 - 2 * u)
    residual = u - target
    grad = 2 * residual * u1 * dx
    hess = 2 * (u1**2 * dx[:, None] * dx[None] + residual * (u2 * dx[:, None] * dx[None] + u1 * ddx))
    return residual**2, grad, hess


def final_state(w, b, steps=STEPS, x0=X0):
    """x_T of the recurrence (no derivatives), for arrays w, b (broadcast)."""
    w, b = np.broadcast_arrays(np.asarray(w), np.asarray(b))
    x = np.full(w.shape, x0, dtype=np.result_type(w, b, float))
    for _ in range(steps):
        x = w * _sigmoid(x) + b
    return x


def fixed_points(w, b, tol=1e-13):
    """The fixed points x* = w·σ(x*) + b of one (w, b), ascending, each with its stability.

    Returns a list of (x*, f'(x*)) with f'(x*) = w·σ'(x*); |f'| < 1 is stable. The roots lie in
    [min(b, w + b), max(b, w + b)] (σ ∈ (0, 1)); g(x) = f(x) − x is monotone between the points
    where σ'(x) = 1/w (none unless w ≥ 4), so bisection on each monotone piece finds every root.

    >>> [(round(x, 12), round(slope, 12)) for x, slope in fixed_points(0.0, 0.3)]
    [(0.3, 0.0)]
    """
    g = lambda x: w * _sigmoid(x) + b - x
    low, high = min(b, w + b) - 1.0, max(b, w + b) + 1.0
    cuts = [low, *[x for x in _tangency_states(w) if low < x < high], high]
    roots = []
    for a, c in zip(cuts[:-1], cuts[1:]):
        ga, gc = g(a), g(c)
        if ga == 0 or np.sign(ga) != np.sign(gc):
            roots.append(_bisect(g, a, c, tol))
    roots = sorted(set(roots))
    return [(x, float(w * _sigmoid(x) * (1 - _sigmoid(x)))) for x in roots]


def _tangency_states(w):
    """The states where f'(x) = w·σ'(x) = 1: σ(x) = (1 ± √(1 − 4/w))/2, for w ≥ 4."""
    if w < 4:
        return []
    root = np.sqrt(1 - 4 / w)
    return sorted(float(np.log(s / (1 - s))) for s in ((1 - root) / 2, (1 + root) / 2))


def _bisect(g, a, c, tol):
    ga = g(a)
    while c - a > tol * max(1.0, abs(a)):
        mid = 0.5 * (a + c)
        gm = g(mid)
        if gm == 0:
            return float(mid)
        a, c, ga = (mid, c, gm) if np.sign(gm) == np.sign(ga) else (a, mid, ga)
    return float(0.5 * (a + c))


def saddle_node_biases(w):
    """The biases (lower, upper branch) of the saddle-node bifurcations for weight w ≥ 4.

    f(x) = x and f'(x) = 1 give σ(x) = (1 ± √(1 − 4/w))/2 and b = x − w·σ(x); the two branches meet
    in the cusp (w, b) = (4, −2). Empty for w < 4 (a single, stable fixed point).

    >>> saddle_node_biases(4.0)  # the cusp, where the branches meet
    [-2.0, -2.0]
    """
    return sorted(float(x - w * _sigmoid(x)) for x in _tangency_states(w))


def attractor_from(w, b, x0=X0):
    """The stable fixed point that the orbit of x0 converges to, for w > 0.

    f is increasing, so the orbit moves monotonically towards the nearest fixed point in the
    direction of f(x0) − x0 and stops there; a fixed point with f' = 1 exactly is not reached
    from its unstable side, which never happens on the grids used here.
    """
    if w <= 0:
        raise ValueError(f"attractor_from: the monotone-orbit argument needs w > 0, got {w}")
    points = [x for x, _ in fixed_points(w, b)]
    step = w * _sigmoid(x0) + b - x0
    if step >= 0:
        return min(x for x in points if x >= x0)
    return max(x for x in points if x <= x0)


def wall_location(w, b_low, b_high, x0=X0, tol=1e-10):
    """The bias in [b_low, b_high] where the attractor reached from x0 jumps, for weight w, and its
    kind: "basin boundary" (x0 is the unstable fixed point, b = x0 − w·σ(x0)) or "saddle-node" (the
    attractor disappears, ``saddle_node_biases``). None when it does not jump.

    Only for w > 4 are there two attractors; the low one lies below both states where f' = 1, the
    high one above both, so "the attractor lies above their midpoint" says which is reached. The
    jump is found by bisection on that predicate (fixed points alone, no derivative of E), then
    classified by the nearer of the two closed forms.

    >>> b, kind = wall_location(8.0, -8.0, 0.0)
    >>> round(b, 8), kind  # x0 − 8·σ(x0) = 0.5 − 8·0.622459 = −4.47967
    (-4.47967465, 'basin boundary')
    """
    tangency = _tangency_states(w)
    if w <= 4 or not b_low < b_high:
        return None
    middle = 0.5 * sum(tangency)
    upper = lambda b: attractor_from(w, b, x0) > middle
    side = upper(b_low)
    if upper(b_high) == side:
        return None
    lo, hi = b_low, b_high
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if upper(mid) == side else (lo, mid)
    b = 0.5 * (lo + hi)
    candidates = [(abs(b - (x0 - w * _sigmoid(x0))), "basin boundary")]
    candidates += [(abs(b - s), "saddle-node") for s in saddle_node_biases(w)]
    return b, min(candidates)[1]


def wall_crossing(w, b_low, b_high, points=2001, zooms=6, steps=STEPS):
    """Cross the wall along b at weight w: where ‖∇E‖ peaks, measured from the derivatives of E
    alone, beside where the fixed points put the jump (``wall_location``).

    The peak is found on a grid of ``points`` biases in [b_low, b_high], then ``zooms`` times on a
    grid of the same size over the two cells around the best point (a wall of width δ needs
    (b_high − b_low)/points^(zooms+1) ≲ δ). Returns a dict: ``predicted`` b and its ``kind``,
    ``measured`` b, ``gradient`` = ‖∇E‖ and ``curvature`` = |vᵀHv| (v = ∇E/‖∇E‖) there,
    ``gradient_far`` = the median ‖∇E‖ on the first grid, ``alignment`` = |cos| between ∇E
    and the Hessian's eigenvector of largest |eigenvalue| at the peak.
    """
    location = wall_location(w, b_low, b_high)
    if location is None:
        raise ValueError(f"wall_crossing: no wall for w = {w} in b ∈ [{b_low}, {b_high}]")
    grid = np.linspace(b_low, b_high, points)
    norms = np.linalg.norm(one_unit_loss(w, grid, steps)[1], axis=0)
    far = float(np.median(norms))
    for _ in range(zooms):
        best = int(np.argmax(norms))
        grid = np.linspace(grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)], points)
        norms = np.linalg.norm(one_unit_loss(w, grid, steps)[1], axis=0)
    b = float(grid[np.argmax(norms)])
    _, grad, hess = one_unit_loss(w, b, steps)
    g, H = np.asarray(grad, float), np.asarray(hess, float)
    v = g / np.linalg.norm(g)
    values, vectors = np.linalg.eigh(H)
    top = vectors[:, np.argmax(np.abs(values))]
    return {
        "predicted": location[0],
        "kind": location[1],
        "measured": b,
        "gradient": float(np.linalg.norm(g)),
        "curvature": float(abs(v @ H @ v)),
        "gradient_far": far,
        "alignment": float(abs(top @ v)),
    }
