"""``wall_and_clipping``: the loss surface of Pascanu et al.'s (2013, Fig. 6) one-unit model with its
wall, located from the fixed points, and gradient descent across it with and without norm
clipping (their Algorithm 1); beside it, ‖∇E‖ and the curvature along ∇E on a cut through the wall."""

import numpy as np

from ..classics import descend, one_unit_loss, saddle_node_biases, wall_location
from ..classics.wall import STEPS, TARGET, X0
from ._style import BLACK, DOUBLE, GREY, REFERENCE, label_vertical, new_figure, series

W_RANGE, B_RANGE, GRID = (2.5, 8.5), (-6.0, 4.0), 401
START, RATE, THRESHOLD, ITERATIONS = (4.5, -2.6), 0.5, 1.0, 300
CUT_W, CUT_B = 4.5, (-2.4, -2.2)


def _wall_curve():
    """(w, b) of the predicted wall for w in the window (only w > 4 has two attractors)."""
    ws = np.linspace(4.0 + 1e-3, W_RANGE[1], 200)
    found = [(w, wall_location(w, *B_RANGE)) for w in ws]
    return np.array([(w, loc[0]) for w, loc in found if loc is not None]).T


def build():
    figure, axes = new_figure(DOUBLE, 3.0, 1, 2, width_ratios=(1.2, 1))
    surface, cut = axes[0]
    ws, bs = np.linspace(*W_RANGE, GRID), np.linspace(*B_RANGE, GRID)
    loss = one_unit_loss(ws[None, :], bs[:, None])[0]
    image = surface.pcolormesh(ws, bs, loss, shading="nearest", rasterized=True)
    figure.colorbar(image, ax=surface, label=r"$E = (\sigma(x_{50}) - 0.7)^2$", pad=0.01)
    wall_w, wall_b = _wall_curve()
    surface.plot(wall_w, wall_b, color="white", lw=2.2)
    surface.plot(wall_w, wall_b, color=BLACK, lw=0.9, label="wall, from the fixed points")
    cusp_ws = np.linspace(4.0 + 1e-12, W_RANGE[1], 200)  # both branches start at the cusp w = 4
    for branch in np.array([saddle_node_biases(w) for w in cusp_ws]).T:
        surface.plot(cusp_ws, branch, color=GREY, lw=0.8, ls="--")
    surface.plot([], [], color=GREY, lw=0.8, ls="--", label="saddle-node bifurcations")
    for i, (threshold, label) in enumerate(
        ((None, "plain gradient descent"), (THRESHOLD, f"clipped at {THRESHOLD:g} (Alg. 1)"))
    ):
        path = descend(START, RATE, ITERATIONS, threshold=threshold)
        style = series(i + 1)
        surface.plot(
            path[:, 0],
            path[:, 1],
            color=style["color"],
            ls=style["linestyle"],
            lw=1.0,
            marker=style["marker"],
            ms=2.0,
            markevery=(0, 10),
            label=label,
        )
        surface.plot(*path[-1], color=style["color"], marker=style["marker"], ms=5, mec="white", mew=0.6)
    surface.plot(*START, color="white", marker="o", ms=4, mec=BLACK, mew=0.6)
    surface.set_xlim(*W_RANGE)
    surface.set_ylim(*B_RANGE)
    surface.set_xlabel("recurrent weight $w$")
    surface.set_ylabel("bias $b$")
    surface.legend(loc="upper left", fontsize=6, labelcolor="white", handlelength=2.0)
    surface.grid(False)
    _cut(cut)
    return figure, _caption()


def _cut(axes):
    """‖∇E‖ and |vᵀHv| (v = ∇E/‖∇E‖) along b at w = CUT_W, with the predicted wall."""
    bs = np.linspace(*CUT_B, 1201)
    _, grad, hess = one_unit_loss(CUT_W, bs)
    norm = np.linalg.norm(grad, axis=0)
    v = grad / norm
    curvature = np.abs(np.einsum("i...,ij...,j...->...", v, hess, v))
    for i, (values, label) in enumerate(
        ((norm, r"$\|\nabla E\|$"), (curvature, r"$|v^\top H v|$, $v = \nabla E/\|\nabla E\|$"))
    ):
        style = series(i)
        axes.semilogy(bs, values, color=style["color"], ls=style["linestyle"], label=label)
    wall = wall_location(CUT_W, *CUT_B)[0]
    axes.axvline(wall, color=GREY, **REFERENCE)
    label_vertical(axes, wall, "wall (fixed points)")
    axes.set_xlim(*CUT_B)
    axes.set_xticks(np.linspace(*CUT_B, 5))
    axes.set_xlabel(f"bias $b$ at $w = {CUT_W:g}$")
    axes.set_ylabel("gradient norm, curvature")
    axes.legend(loc="lower left")


def _caption():
    return f"""
    Left: the loss E(w, b) = (σ(x_T) − {TARGET:g})² of the one-unit recurrence x_t = w·σ(x_(t−1)) + b,
    σ the logistic sigmoid, x_0 = {X0:g}, T = {STEPS} (Pascanu, Mikolov & Bengio 2013, §2.3, eq. (8) and Fig. 6,
    after Doya 1993), on a {GRID}×{GRID} grid of w in [{W_RANGE[0]:g}, {W_RANGE[1]:g}] and b in
    [{B_RANGE[0]:g}, {B_RANGE[1]:g}]. Black line: where the attractor reached from x_0 jumps, computed
    from the fixed points of f(x) = w·σ(x) + b and their stability alone
    (rnn_theory.classics.wall_location): for w > 4.26 the line b = x_0 − w·σ(x_0) on which x_0 is the
    unstable fixed point (a basin boundary), for 4 < w < 4.26 the saddle-node bifurcation. Dashed
    grey: the two saddle-node branches (f(x) = x, f'(x) = 1), meeting at the cusp (4, −2). Paths:
    {ITERATIONS} steps of gradient descent with learning rate {RATE:g} from (w, b) = {START}, plain
    and with the gradient rescaled to norm {THRESHOLD:g} whenever its norm reaches {THRESHOLD:g}
    (Algorithm 1; rnn_theory.classics.descend); the large markers are the end points. The plain step
    on the wall is thrown far across the surface to the plateau σ(x_T) ≈ 1 (E ≈ 0.09), where the
    gradient vanishes; the clipped path crosses the wall and reaches E ≈ 0.

    Right: on the cut w = {CUT_W:g}, b in [{CUT_B[0]:g}, {CUT_B[1]:g}] (1201 points), the gradient norm
    ‖∇E‖ and the curvature along the gradient |vᵀHv|, v = ∇E/‖∇E‖, both by second-order forward-mode
    differentiation of the recurrence (rnn_theory.classics.one_unit_loss); dotted: the wall from
    the fixed points. Both explode together, by four to five orders of magnitude, on the wall.

    No randomness: every number is deterministic.
    """
