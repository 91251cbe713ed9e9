"""Parameter gradients as sums over time and batch, each one GEMM over all T·B columns."""

import numpy as np


def outer_sum(dA, V):
    """Σ_t Σ_batch dA_t V_tᵀ for dA (T, k, B) and V (T, l, B): (k, l)."""
    return np.tensordot(dA, V, axes=([0, 2], [0, 2]))


def split_gates(stacked, letters, prefix, n):
    """Name the row blocks of a gate-stacked gradient: {prefix_letter: block}."""
    return {f"{prefix}_{g}": stacked[j * n : (j + 1) * n] for j, g in enumerate(letters)}


def gate_grads(dA, tape, letters, recurrent="W", inputs="U"):
    """∂L/∂W_g, ∂L/∂U_g, ∂L/∂b_g for pre-activations a_g = W_g h + U_g x + b_g, given
    dA = ∂L/∂a stacked by gate: (T, len(letters)·n, B). ``recurrent`` and ``inputs`` name the
    matrices' prefixes where a cell names them otherwise (the sLSTM's R_g h + W_g x)."""
    n = tape.cell.hidden_size
    h_prev = np.stack(tape.parts[0][:-1])
    return {
        **split_gates(outer_sum(dA, h_prev), letters, recurrent, n),
        **split_gates(outer_sum(dA, tape.xs), letters, inputs, n),
        **split_gates(dA.sum(axis=(0, 2)), letters, "b", n),
    }
