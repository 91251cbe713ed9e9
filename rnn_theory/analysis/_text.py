"""The terminal summary of an analysis report (``Analysis.summary``)."""

_FORMAT_NAMES = {"torch": "PyTorch", "keras": "Keras", "native": "native", "onnx": "ONNX"}


def inputs_text(inputs):
    if "file" in inputs:
        return f"inputs from {inputs['file']}"
    if "shape" in inputs:
        return "given inputs " + "×".join(map(str, inputs["shape"]))
    return f"inputs N(0, 1), seed {inputs['normal']['seed']}"


def _shown_lags(steps):
    lags = {1, steps} | {d * 10**e for e in range(8) for d in (1, 2, 5) if d * 10**e < steps}
    return sorted(lags)


def _fmt(value):
    return "    -inf" if value is None else f"{value:8.3f}"


def _columns(report):
    """(header, values) of the lag table: the full state, then the blocks the report holds."""
    columns = [("ln‖∂s_T/∂s_{T−τ}‖₂", report["log_norm"])]
    if "pairs" in report:
        top = report["top_from_bottom"]
        l, k = top.split("<-")
        columns.append((f"ln‖∂h⁽{l}⁾_T/∂h⁽{k}⁾_{{T−τ}}‖₂", report["pairs"][top]))
    elif report["state_size"] != report["hidden_size"]:
        columns.append(("ln‖∂h_T/∂h_{T−τ}‖₂", report["log_norm_h"]))
        if "log_norm_c" in report:
            columns += [
                ("ln‖∂c_T/∂c_{T−τ}‖₂", report["log_norm_c"]),
                ("carousel ln‖∏∂c'/∂c‖₂", report["log_norm_direct"]),
            ]
    return columns


def summary(report):
    """The readable terminal summary of a report."""
    n, m, d = report["hidden_size"], report["input_size"], report["state_size"]
    where = ", ".join(
        f"{k} {v!r}" if k == "prefix" else f"{k} {v}" for k, v in report["module"].items() if k != "prefix" or v
    )
    parts = report.get("state_parts", ["h"])
    lines = [
        f"{report['weights']}: {_FORMAT_NAMES[report['format']]} weights -> {report['kind']}"
        + ("" if "layers" in report else " cell")
        + (f" ({report['activation']})" if "activation" in report else "")
        + (f" (gates {report['gate_activation']})" if "gate_activation" in report else "")
        + (f"; {where}" if where else ""),
        f"  n = {n} hidden, m = {m} inputs, state size {d}" + (f" ([{'; '.join(parts)}])" if len(parts) > 1 else ""),
    ]
    ignored = report["ignored"]
    if ignored:
        shown = ", ".join(ignored[:8]) + (", … (the JSON lists all)" if len(ignored) > 8 else "")
        lines.append(f"  ignored {len(ignored)} tensors of other modules or layers: {shown}")
    lines += [f"  note: {note}" for note in report["notes"]]
    batch = report.get("batch")
    run = f"run: T = {report['steps']} steps from s_0 = 0, {inputs_text(report['inputs'])}"
    lines.append(
        run + (f"; a batch of {batch} sequences: medians, with quartiles in the JSON and the plot" if batch else "")
    )
    if "layers" in report:
        lines.append(
            f"  the stack as one recurrent system: layer l reads h of layer l − 1; state size {d} = "
            + " + ".join(str(layer["state_size"]) for layer in report["layers"])
        )
    if not report["recurrent"]:
        lines.append("recurrent matrices: none (gates see only the input: ∂s'/∂s is a diagonal)")
    else:
        lines.append("recurrent matrices:  spectral radius ρ   largest singular value σ_max")
        lines += [
            f"  {name:18s}{s['spectral_radius']:10.4f}{s['sigma_max']:22.4f}" for name, s in report["recurrent"].items()
        ]
    columns = _columns(report)
    lines.append("lag τ " + "".join(f"  {header:>24s}" for header, _ in columns))
    for tau in _shown_lags(report["steps"]):
        lines.append(f"  {tau:<6d}" + "".join(f"{'':18s}{_fmt(values[tau - 1])}" for _, values in columns))
    if None in report["log_norm"]:
        lines.append("  (-inf: the product of Jacobians is exactly 0, e.g. every ReLU off at some step)")
    exps = report["lyapunov"]
    lines.append(
        f"Lyapunov exponents (per step, natural log; {len(exps)} of {d}; QR after {report['lyapunov_burn_in']} steps): "
        + " ".join("-inf" if e is None else f"{e:.4f}" for e in exps[:8])
        + (" …" if len(exps) > 8 else "")
    )
    for label, layer in (
        [("", report)] if "layers" not in report else [(f"layer {l} ", r) for l, r in enumerate(report["layers"])]
    ):
        if layer.get("gates"):
            lines.append(f"{label}gates over the run (mean; 5% 50% 95% quantiles):")
            lines += [
                f"  {name:6s} {g['mean']:.3f};  {g['q05']:.3f}  {g['q50']:.3f}  {g['q95']:.3f}"
                + (
                    f";  flat (derivative 0) {g['flat']:.1%}: at 0 {g['flat_at_0']:.1%}, at 1 {g['flat_at_1']:.1%}"
                    if "flat" in g
                    else ""
                )
                for name, g in layer["gates"].items()
            ]
        tau = layer.get("memory_time")
        if tau:
            lines.append(
                f"{label}memory time −1/mean ln(retention {layer.get('retention', '')}) per unit, steps: median "
                + ("∞" if tau["q50"] is None else f"{tau['q50']:.3g}")
                + ", max "
                + ("∞" if tau["max"] is None else f"{tau['max']:.3g}")
            )
    lines += [f"warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)
