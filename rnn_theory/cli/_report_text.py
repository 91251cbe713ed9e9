"""The text forms of an ``analyze`` report: its JSON and its terminal summary.

>>> print(json_text({"kind": "rnn", "lags": [1, 2]}), end="")
{
  "kind": "rnn",
  "lags": [1, 2]
}
"""

import json

_FORMAT_NAMES = {"torch": "PyTorch", "keras": "Keras", "native": "native"}

def json_text(report):
    """One top-level key per line, each value compact: readable, diffable, deterministic."""
    # allow_nan=False: the report holds no NaN or ±inf (they are null), and strict JSON is checked here.
    items = (f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, allow_nan=False)}" for key, value in report.items())
    return "{\n" + ",\n".join(items) + "\n}\n"


def inputs_text(inputs):
    return f"inputs from {inputs['file']}" if "file" in inputs else f"inputs N(0, 1), seed {inputs['normal']['seed']}"


def _shown_lags(steps):
    lags = {1, steps} | {d * 10**e for e in range(8) for d in (1, 2, 5) if d * 10**e < steps}
    return sorted(lags)


def _fmt(value):
    return "   -inf" if value is None else f"{value:8.3f}"


def summary(report):
    """The readable terminal summary of a report."""
    n, m, d = report["hidden_size"], report["input_size"], report["state_size"]
    where = ", ".join(f"{k} {v!r}" if k == "prefix" else f"{k} {v}" for k, v in report["module"].items() if k != "prefix" or v)
    lines = [f"{report['weights']}: {_FORMAT_NAMES[report['format']]} weights -> {report['kind']} cell"
             + (f" ({report['activation']})" if "activation" in report else "") + (f"; {where}" if where else ""),
             f"  n = {n} hidden, m = {m} inputs, state size {d}" + (" ([h; c])" if d == 2 * n else "")]
    ignored = report["ignored"]
    if ignored:
        shown = ", ".join(ignored[:8]) + (", … (--json lists all)" if len(ignored) > 8 else "")
        lines.append(f"  ignored {len(ignored)} tensors of other modules or layers: {shown}")
    lines += [f"  note: {note}" for note in report["notes"]]
    lines.append(f"run: T = {report['steps']} steps from s_0 = 0, {inputs_text(report['inputs'])}")
    if not report["recurrent"]:
        lines.append("recurrent matrices: none (gates see only the input: ∂s'/∂s is a diagonal)")
    else:
        lines.append("recurrent matrices:  spectral radius ρ   largest singular value σ_max")
        lines += [f"  {name:18s}{s['spectral_radius']:10.4f}{s['sigma_max']:22.4f}" for name, s in report["recurrent"].items()]
    lstm = d == 2 * n
    lines.append("lag τ   ln‖∂s_T/∂s_{T−τ}‖₂" + ("   ln‖∂h_T/∂h_{T−τ}‖₂" if lstm else ""))
    for tau in _shown_lags(report["steps"]):
        row = f"  {tau:<6d}{_fmt(report['log_norm'][tau - 1])}"
        lines.append(row + (f"{'':13s}{_fmt(report['log_norm_h'][tau - 1])}" if lstm else ""))
    if None in report["log_norm"]:
        lines.append("  (-inf: the product of Jacobians is exactly 0, e.g. every ReLU off at some step)")
    exps = report["lyapunov"]
    lines.append(f"Lyapunov exponents (per step, natural log; {len(exps)} of {d}; QR after {report['lyapunov_burn_in']} steps): "
                 + " ".join("-inf" if e is None else f"{e:.4f}" for e in exps[:8]) + (" …" if len(exps) > 8 else ""))
    if "gates" in report:
        lines.append("gates over the run (mean; 5% 50% 95% quantiles):")
        for name, g in report["gates"].items():
            q = g["quantiles"]
            lines.append(f"  {name}  {g['mean']:.3f};  {q['0.05']:.3f}  {q['0.5']:.3f}  {q['0.95']:.3f}")
    return "\n".join(lines)
