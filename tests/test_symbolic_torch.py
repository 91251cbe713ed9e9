"""PyTorch's parameter counts against the polynomials (two biases per gate)."""

import pytest

from rnn_theory.symbolic.indexed import m, n
from rnn_theory.symbolic.theorems import counts

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@pytest.mark.parametrize("module, key", [("RNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru")])
@pytest.mark.parametrize("hidden, inputs", [(3, 2), (8, 5)])
def test_torch_parameter_counts_match_the_two_bias_forms(module, key, hidden, inputs):
    layer = getattr(torch.nn, module)(inputs, hidden)
    total = sum(p.numel() for p in layer.parameters())
    forms = [form for k, form, source, _ in counts.PUBLISHED if k == key and source.startswith("PyTorch")]
    assert len(forms) == 1
    assert total == int(forms[0].subs({n: hidden, m: inputs}))
