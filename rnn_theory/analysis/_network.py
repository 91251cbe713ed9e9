"""A ``Network`` (``rnn_theory.io.read_network``) run layer by layer: what each layer reads.

Layer k > 0 reads the outputs of layer k − 1 (both directions concatenated, in the frameworks'
order [forward; backward]); a direction-1 layer runs over reversed time.
"""

import numpy as np


def layer_inputs(network, xs, layer):
    """The inputs of ``layer`` (T, m_layer) when the network reads xs (T, m): the outputs of the
    layers below, directions concatenated in time order."""
    for below in network.layers[:layer]:
        outputs = []
        for direction, cell in sorted(below.cells.items()):
            h = run_states(cell, xs, below.reversed[direction])[1:, : cell.hidden_size]
            outputs.append(h[::-1] if below.reversed[direction] else h)
        xs = np.concatenate(outputs, axis=1)
    return xs


def run_states(cell, xs, reverse):
    """cell.run over xs, or over xs in reversed time (the order in which a backward layer reads)."""
    return cell.run(xs[::-1] if reverse else xs)
