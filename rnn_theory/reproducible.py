"""What "reproducible" means here, as code: the environment's fingerprint, and the comparison of a
committed file with a regenerated one, number by number (docs/design.md#reproducibility).

- Everywhere: the same verdicts, conditions and words, the same integers, and every other
  number within ``RTOL`` relative or ``ATOL`` absolute of the committed one (``close``). A
  statistic of a chaotic run, which no two machines compute along the same trajectory, is an
  ``estimate`` (mean and standard error over seeds) and agrees within ``SIGMAS`` combined errors.
- Within one environment (equal ``fingerprint``): the same bytes, figures' PDF, SVG and PNG too.

Why these tolerances: a float64 result of a well-conditioned computation differs between BLAS
kernels (another summation order, FMA or not) and numpy's SIMD builds by a few units of 1e-16
relative, times the condition number of what is computed. The package's committed numbers (growth
rates fitted over tens of lags of non-normal products, log-norms, spectra) were measured to move by
at most 2e-7 relative between OpenBLAS's Haswell and generic (Prescott) kernels; ``RTOL`` = 1e-6
leaves a factor 5 above that and still catches any change of a printed 4-digit number. Quantities
that are themselves rounding errors (a relative deviation of 1e-15) have no reproducible digits:
``ATOL`` = 1e-9 compares them as "below 1e-9", which is what the claims' tolerances (≥ 1e-8) use.

>>> close(0.1015061665, 0.1015061668), close(1.2559e-14, 7.6e-15), close(0.116, 0.117)
(True, True, False)
>>> compare_json({"g": 2, "rate": 0.5}, {"g": 2, "rate": 0.5000000001})
[]
>>> compare_json({"rate": estimate([0.12, 0.14, 0.15])}, {"rate": estimate([0.13, 0.14, 0.15])})
[]
>>> compare_text("rate 0.1164 at g = 2", "rate 0.1165 at g = 2")  # one unit in the last printed digit
>>> compare_text("rate 0.1164 at g = 2", "rate 0.1164 at g = 3")
'number 2: 2 against 3'
"""

from __future__ import annotations

import json
import math
import platform
import re
import zlib

RTOL = 1e-6
ATOL = 1e-9
SIGMAS = 4.0  # two estimates of one statistic differ by N(0, e₁² + e₂²): past 4σ with probability 6e-5
_ESTIMATE = ("mean", "standard_error", "runs")


def fingerprint() -> dict[str, str]:
    """The versions and machine features that shape the bytes of a file the package writes: numpy
    and the SIMD level its ufuncs dispatch to, the BLAS and the kernel it runs (OpenBLAS's
    ``OPENBLAS_CORETYPE`` picks another), and for figures matplotlib, FreeType, fontTools (PDF font
    subsets), Pillow and zlib (PNG)."""
    import numpy as np
    from threadpoolctl import threadpool_info

    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    simd = [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]
    blas = [
        f"{info.get('internal_api')} {info.get('version')} {info.get('architecture')}"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]
    found = {
        "machine": platform.machine(),
        "numpy": np.__version__,
        "numpy_simd": simd[-1] if simd else "baseline",
        "blas": "; ".join(sorted(blas)) or "none found",
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
    }
    return found | _figure_libraries()


def _figure_libraries():
    try:
        import fontTools
        import matplotlib
        import PIL
        from matplotlib import ft2font
    except ImportError:  # pragma: no cover - matplotlib is a dependency; fontTools and Pillow come with it
        return {}
    return {
        "matplotlib": matplotlib.__version__,
        "freetype": ft2font.__freetype_version__,
        "fonttools": fontTools.version,
        "pillow": PIL.__version__,
    }


def describe(fingerprint_: dict[str, str]) -> str:
    """One line: ``numpy 2.4.6, numpy_simd X86_V3, blas openblas 0.3.31 Haswell, ...``."""
    return ", ".join(f"{key} {value}" for key, value in fingerprint_.items())


def estimate(values, digits_of_error: int = 1) -> dict:
    """A statistic over runs that no two machines compute alike (a chaotic trajectory's): the mean,
    its standard error (sample standard deviation / √runs) and the number of runs, the mean rounded
    to the leading digit(s) of its error, so that only digits another machine reproduces are kept.

    >>> estimate([0.0188, 0.0198, 0.0228, 0.0485, 0.0450, 0.0507])
    {'mean': 0.034, 'standard_error': 0.006, 'runs': 6}
    """
    values = [float(v) for v in values]
    runs = len(values)
    mean = math.fsum(values) / runs
    error = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (runs - 1) / runs) if runs > 1 else math.inf
    place = _decimals(error, digits_of_error)
    if place is None:
        return {"mean": mean, "standard_error": error, "runs": runs}
    return {"mean": round(mean, place), "standard_error": round(error, place), "runs": runs}


def _decimals(error, digits=1):
    """Decimal places that keep ``digits`` leading digits of ``error`` (negative: tens, hundreds);
    None for an error of 0 or one that is not a finite number."""
    if not isinstance(error, (int, float)) or not math.isfinite(error) or error == 0:
        return None
    return digits - 1 - math.floor(math.log10(error))


def is_estimate(value) -> bool:
    """Whether a JSON value is an ``estimate``: exactly the keys mean, standard_error and runs."""
    return isinstance(value, dict) and set(value) == set(_ESTIMATE)


def estimate_text(value: dict) -> str:
    """An ``estimate`` as printed, the mean to its error's leading digit (what ``compare_text`` reads
    back as an estimate).

    >>> estimate_text({"mean": 0.034, "standard_error": 0.006, "runs": 6})
    '0.034 ± 0.006 (mean of 6 runs ± standard error)'
    >>> estimate_text({"mean": 700.0, "standard_error": 100.0, "runs": 3})
    '700 ± 100 (mean of 3 runs ± standard error)'
    """
    mean, error, runs = value["mean"], value["standard_error"], value["runs"]
    place = _decimals(error)
    if place is None:
        return f"{mean:.4g} (mean of {runs} runs)"
    places = max(0, place)
    return f"{mean:.{places}f} ± {error:.{places}f} (mean of {runs} runs ± standard error)"


def close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Whether two floats agree under the policy: |a − b| ≤ atol + rtol·max(|a|, |b|)."""
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return a == b or (math.isnan(a) and math.isnan(b))
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def _estimates_agree(a, b):
    if a["runs"] != b["runs"]:
        return False
    combined = math.hypot(a["standard_error"], b["standard_error"])
    return abs(a["mean"] - b["mean"]) <= SIGMAS * combined + ATOL


def compare_json(old, new, rtol: float = RTOL, atol: float = ATOL, path: str = "") -> list[str]:
    """The places where two JSON values differ under the policy: strings, booleans, None and
    integers exactly, floats by ``close``, estimates within ``SIGMAS`` combined standard errors.
    Returns one line per difference (empty: they agree)."""
    if is_estimate(old) and is_estimate(new):
        return [] if _estimates_agree(old, new) else [f"{path or '/'}: estimate {_short(old)} against {_short(new)}"]
    if isinstance(old, dict) and isinstance(new, dict):
        if list(old) != list(new):
            return [f"{path or '/'}: keys {sorted(old)} against {sorted(new)}"]
        return [line for key in old for line in compare_json(old[key], new[key], rtol, atol, f"{path}/{key}")]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path or '/'}: {len(old)} items against {len(new)}"]
        return [
            line for i, (a, b) in enumerate(zip(old, new)) for line in compare_json(a, b, rtol, atol, f"{path}[{i}]")
        ]
    if isinstance(old, float) and isinstance(new, (int, float)) and not isinstance(new, bool):
        return [] if close(old, float(new), rtol, atol) else [f"{path or '/'}: {old!r} against {new!r}"]
    if type(old) is not type(new) or old != new:
        return [f"{path or '/'}: {_short(old)} against {_short(new)}"]
    return []


def compare_json_text(old: str, new: str, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """``compare_json`` of two JSON documents given as text; a document that does not parse differs."""
    try:
        return compare_json(json.loads(old), json.loads(new), rtol, atol)
    except ValueError as error:
        return [f"not JSON: {error}"]


def _short(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


# A number as printed: sign (ASCII or Unicode minus), digits, decimals, exponent; an estimate is
# "mean ± error". Digits inside a word (goodfellow2016, n32) are part of the word.
_NUMBER = r"[-−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+−]?\d+)?"
_TOKEN = re.compile(rf"(?<![\w.])({_NUMBER})(?:\s*±\s*({_NUMBER}))?(?![\w])")


def _value(text):
    return float(text.replace("−", "-"))


def _unit(text):
    """One unit in the last printed digit of a number with at least 4 significant digits printed
    (the evidence's precision), else 0: a short number (a parameter, 0.9) must match exactly."""
    mantissa, _, exponent = text.replace("−", "-").lower().partition("e")
    digits = mantissa.lstrip("-").replace(".", "").lstrip("0")
    if len(digits) < 4:
        return 0.0
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def compare_text(old: str, new: str) -> str | None:
    """The first difference between two texts under the policy, or None: every character outside
    numbers exactly, integers exactly, a printed float within one unit of its last digit (rounding
    of a value near a boundary) or ``close``, "mean ± error" as an estimate."""
    old_parts, new_parts = _TOKEN.split(old), _TOKEN.split(new)
    if len(old_parts) != len(new_parts):
        return _first_line_difference(old, new)
    # split() yields text, number, error-or-None, text, ...: groups of three after the first text.
    count = 0
    for i, (a, b) in enumerate(zip(old_parts, new_parts)):
        kind = i % 3
        if kind == 0:
            if a != b:
                return _first_line_difference(old, new)
            continue
        if kind == 2:
            continue
        count += 1
        error_a, error_b = old_parts[i + 1], new_parts[i + 1]
        if (error_a is None) != (error_b is None) or not _numbers_agree(a, b, error_a, error_b):
            shown = lambda n, e: n + (f" ± {e}" if e else "")  # noqa: E731
            return f"number {count}: {shown(a, error_a)} against {shown(b, error_b)}"
    return None


def _numbers_agree(a, b, error_a, error_b):
    if a == b and error_a == error_b:
        return True
    if error_a is not None:
        old = {"mean": _value(a), "standard_error": _value(error_a), "runs": 0}
        new = {"mean": _value(b), "standard_error": _value(error_b), "runs": 0}
        return _estimates_agree(old, new)
    if not any(c in a + b for c in ".eE"):  # integers: counts, lags, years
        return False
    x, y = _value(a), _value(b)
    return close(x, y) or abs(x - y) <= max(_unit(a), _unit(b)) * (1 + 1e-9)


def _first_line_difference(old, new):
    for number, (a, b) in enumerate(zip(old.splitlines(), new.splitlines()), 1):
        if a != b:
            return f"line {number}: {a[:80]!r} against {b[:80]!r}"
    return f"{len(old.splitlines())} lines against {len(new.splitlines())}"


def main(argv=None) -> int:
    """``python -m rnn_theory.reproducible OLD NEW``: compare two files (JSON as JSON, other text as
    text) under the policy; print each difference and exit 1, or print nothing and exit 0. Exit 2 with
    one line when a file cannot be read."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m rnn_theory.reproducible OLD NEW", file=sys.stderr)
        return 2
    texts = []
    for path in args:
        try:
            with open(path, encoding="utf-8") as file:
                texts.append(file.read())
        except (OSError, UnicodeDecodeError) as error:
            print(f"rnn_theory.reproducible: cannot read {path}: {error}", file=sys.stderr)
            return 2
    if all(path.endswith(".json") for path in args):
        differences = compare_json_text(*texts)
    else:
        difference = compare_text(*texts)
        differences = [difference] if difference else []
    for line in differences:
        print(line)
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = [
    "ATOL",
    "RTOL",
    "SIGMAS",
    "close",
    "compare_json",
    "compare_json_text",
    "compare_text",
    "describe",
    "estimate",
    "estimate_text",
    "fingerprint",
    "is_estimate",
]
