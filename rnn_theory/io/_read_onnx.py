"""The ONNX reader: a ``.onnx`` file's ``LSTM``, ``GRU`` and ``RNN`` nodes -> a ``Network``.

The file is parsed as a protobuf message with the ``onnx`` package (an optional extra, ``pip install
"rnn-theory[onnx]"``); nothing in it is executed. Weights come from the graph's initializers (or
``Constant`` nodes); a weight that is a graph input, or stored as external data, is refused. The
recurrent nodes are taken in the graph's (topological) order as one stack, each reading the one
before: node k's X must come from node k − 1's output Y through layout operators only
(Transpose keeping time first, Reshape, Squeeze, Unsqueeze, Flatten, Identity), which put a
bidirectional node's two directions side by side, forward first, as PyTorch's export does. Each
layer is named by its node's name. ``sequence_lens``, ``initial_h`` and ``initial_c`` do not enter:
the analysis runs every step from the zero state (said in the notes where the file has them).
"""

import os
import stat

from ._limits import check_allocation
from ._network import Layer, Network
from ._onnx import OPERATORS, node_cells

_LAYOUT_OPS = {"Transpose", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity"}
_OPTIONAL = {
    "LSTM": ("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"),
    "GRU": ("X", "W", "R", "B", "sequence_lens", "initial_h"),
    "RNN": ("X", "W", "R", "B", "sequence_lens", "initial_h"),
}


def is_onnx(path):
    return os.fspath(path).lower().endswith(".onnx")


def file_network(path, prefix=None):
    """The ``Network`` of the recurrent nodes of the ONNX file ``path``; ``prefix`` names the node it picks."""
    onnx, numpy_helper = _onnx()
    model = _parse(onnx, os.fspath(path))
    graph = model.graph
    arrays = {}
    for tensor in graph.initializer:
        arrays[tensor.name] = _array(numpy_helper, tensor)
    producers = {}
    for node in graph.node:
        for output in node.output:
            producers[output] = node
        if node.op_type == "Constant":
            value = next((a.t for a in node.attribute if a.name == "value"), None)
            if value is not None:
                arrays[node.output[0]] = _array(numpy_helper, value)
    nodes = [node for node in graph.node if node.op_type in OPERATORS]
    if not nodes:
        ops = sorted({node.op_type for node in graph.node})
        raise ValueError(f"no LSTM, GRU or RNN node in the graph (it has {', '.join(ops) or 'no nodes'})")
    layers, notes, names = [], [], []
    for k, node in enumerate(nodes):
        name = node.name or f"{node.op_type}_{k}"
        where = f"node {name!r} ({node.op_type})"
        _check_feed(node, nodes[k - 1] if k else None, producers, where)
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        tensors = {}
        for role, input_name in zip(_OPTIONAL[node.op_type], node.input):
            if role == "X" or not input_name:
                continue
            if input_name not in arrays:
                if role in ("sequence_lens", "initial_h", "initial_c"):
                    notes.append(f"{where}: {role} is a graph input; the analysis runs all steps from s_0 = 0")
                    continue
                raise ValueError(
                    f"{where}: its {role} ({input_name!r}) is a graph input, not a weight stored in the file"
                )
            tensors[role] = arrays[input_name].astype(float)
        for role in ("sequence_lens", "initial_h", "initial_c"):
            if role in tensors:
                notes.append(f"{where}: its {role} is not used; the analysis runs all steps from s_0 = 0")
                del tensors[role]
        cells, reverse, found = node_cells(node, attributes, tensors, where)
        notes += [note for note in found if note not in notes]
        layers.append(Layer(cells, reverse, name))
        names.append(name)
    if len(layers) > 1:
        notes.append(
            f"the recurrent nodes {', '.join(map(repr, names))} are taken as one stack, each reading the one before"
        )
    ignored = tuple(sorted({node.op_type for node in graph.node} - set(OPERATORS) - _LAYOUT_OPS - {"Constant"}))
    network = Network(layers, os.fspath(path), "onnx", {"names": names}, ignored, tuple(notes))
    return network if prefix is None else network._replace(chosen=network.index(prefix))


def _check_feed(node, below, producers, where):
    """Node k's X must come from node k − 1's Y (k > 0) through layout operators, or from the graph's
    inputs (k = 0)."""
    source = node.input[0]
    while source in producers and producers[source].op_type in _LAYOUT_OPS:
        layout = producers[source]
        if layout.op_type == "Transpose":
            perm = next((list(a.ints) for a in layout.attribute if a.name == "perm"), None)
            if not perm or perm[0] != 0:
                raise ValueError(f"{where}: its input passes a Transpose {perm} that moves the time axis")
        source = layout.input[0]
    producer = producers.get(source)
    if below is None and producer is not None:
        raise ValueError(
            f"{where}: the first recurrent node reads the output of a {producer.op_type} node, not the graph's input"
        )
    if below is not None and (producer is not below or source != below.output[0]):
        raise ValueError(
            f"{where}: its input X is not the output Y of the recurrent node before it; the nodes do not form one stack"
        )


def _onnx():
    try:
        import onnx  # noqa: PLC0415 (optional extra)
        from onnx import numpy_helper  # noqa: PLC0415
    except ImportError:
        raise ValueError('reading .onnx files needs the onnx package: pip install "rnn-theory[onnx]"') from None
    return onnx, numpy_helper


def _parse(onnx, path):
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ValueError("not a regular file (a FIFO, device or directory); expected a .onnx file")
        check_allocation(os.path.getsize(path), "the .onnx file")
        with open(path, "rb") as file:
            blob = file.read()
    except OSError as error:
        raise ValueError(f"cannot read the file: {error.strerror}") from None
    model = onnx.ModelProto()
    try:
        model.ParseFromString(blob)
    except Exception as error:  # protobuf's DecodeError, whose module differs between implementations
        raise ValueError(f"not an ONNX model (protobuf): {error}") from None
    if not model.graph.node:
        raise ValueError("not an ONNX model: its graph has no nodes")
    return model


def _array(numpy_helper, tensor):
    if tensor.data_location == 1:  # TensorProto.EXTERNAL
        raise ValueError(f"tensor {tensor.name!r} is stored as external data, which is not read")
    return numpy_helper.to_array(tensor)
