"""Keras' defaults by version: what a file leaves unsaid is what its Keras version assumed.

The recurrent layers' ``recurrent_activation`` (the gates' nonlinearity; Keras 1 called it
``inner_activation``) defaulted to ``hard_sigmoid`` up to Keras 2.2.5 (and in TensorFlow 1's tf.keras),
and to ``sigmoid`` from Keras 2.3.0 (its release notes: "Change default recurrent activation to
sigmoid (from hard_sigmoid) in all RNN layers."; tf.keras changed with TensorFlow 2's layers, see
tensorflow/tensorflow#47495). ``hard_sigmoid`` itself means two functions:
clip(0.2·a + 0.5, 0, 1) up to Keras 2, relu6(a + 3)/6 from Keras 3 (``cells._gating``).

A file records its version as ``keras_version`` (legacy HDF5 attributes; ``.keras`` archives'
``metadata.json``). tf.keras writes versions such as "2.2.4-tf": TensorFlow 1.13–2.1 all wrote that
one, while TF 2's LSTM defaulted to sigmoid; such a file is read with its version's default, and said so.

>>> rules("2.2.0").recurrent_activation, rules("2.3.0").recurrent_activation, rules("3.4.1").hard_sigmoid
('hard_sigmoid_keras2', 'sigmoid', 'hard_sigmoid_keras3')
>>> rules(None).recurrent_activation, rules("1.2.2").hard_sigmoid
('sigmoid', 'hard_sigmoid_keras2')
"""

import re
from typing import NamedTuple

# The names a Keras file or a user may give the gates' nonlinearity -> the cells' gate_activation.
HARD_SIGMOIDS = {"hard_sigmoid_keras2": "clip(0.2·a + 0.5, 0, 1)", "hard_sigmoid_keras3": "relu6(a + 3)/6"}
OVERRIDES = ("sigmoid", "hard_sigmoid", *HARD_SIGMOIDS)


class Rules(NamedTuple):
    version: str  # as the file wrote it, or None
    recurrent_activation: str  # the default gate_activation of LSTM and GRU layers
    hard_sigmoid: str  # what "hard_sigmoid" means: hard_sigmoid_keras2 or hard_sigmoid_keras3 (None: unknown)
    note: str  # what was read and assumed, one sentence
    # A GRU's reset_after where its config does not state it: False in Keras 1 (which had no such
    # option: reset before the matmul) and standalone Keras up to 2.3; True in tf.keras 2 and Keras 3.
    reset_after: bool = True


def _parse(text):
    match = re.match(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?", str(text))
    return None if match is None else tuple(int(part or 0) for part in match.groups())


def rules(version):
    """The ``Rules`` of Keras ``version`` (a string such as "2.2.4", "2.2.4-tf", "3.4.1"; None: unknown)."""
    parsed = None if version is None else _parse(version)
    if parsed is None:
        where = (
            "records no Keras version"
            if version is None
            else f"records Keras version {version!r}, not a version number"
        )
        return Rules(
            None if version is None else str(version),
            "sigmoid",
            None,
            f"the file {where}: Keras ≥ 2.3 defaults assumed (activation tanh, recurrent_activation sigmoid); "
            "a model from Keras < 2.3 or TensorFlow 1's tf.keras has hard_sigmoid gates: pass "
            "recurrent_activation='hard_sigmoid_keras2' (--recurrent-activation hard_sigmoid_keras2)",
        )
    version = str(version)
    hard = "hard_sigmoid_keras3" if parsed >= (3, 0, 0) else "hard_sigmoid_keras2"
    standalone = parsed < (2, 4, 0) and not version.endswith("-tf")
    if parsed < (2, 3, 0):
        tf = " (tf.keras of TensorFlow 1; TensorFlow 2.0–2.1 wrote the same version with sigmoid defaults)"
        return Rules(
            version,
            hard,
            hard,
            f"Keras {version} (the file's keras_version){tf if version.endswith('-tf') else ''}: its defaults apply "
            f"where the file is silent: activation tanh, recurrent_activation hard_sigmoid = {HARD_SIGMOIDS[hard]} "
            "(σ only from Keras 2.3.0)",
            not standalone,
        )
    return Rules(
        version,
        "sigmoid",
        hard,
        f"Keras {version} (the file's keras_version): its defaults apply where the file is silent: activation tanh, "
        f"recurrent_activation sigmoid; its hard_sigmoid is {HARD_SIGMOIDS[hard]}",
        not standalone,
    )


def gate_activation(name, rules_, where):
    """The cells' gate_activation for a Keras ``recurrent_activation`` ``name`` under ``rules_``."""
    if name in ("sigmoid", *HARD_SIGMOIDS):
        return name
    if name == "hard_sigmoid":
        if rules_.hard_sigmoid is None:
            raise ValueError(
                f"{where}: hard_sigmoid is clip(0.2·a + 0.5, 0, 1) up to Keras 2 and relu6(a + 3)/6 from Keras 3, and "
                "the file records no version: name one, recurrent_activation='hard_sigmoid_keras2' or "
                "'hard_sigmoid_keras3' (--recurrent-activation)"
            )
        return rules_.hard_sigmoid
    raise ValueError(
        f"{where}: recurrent_activation {name!r} is not supported: the gates can be sigmoid or hard_sigmoid "
        "(Keras 2's or Keras 3's)"
    )
