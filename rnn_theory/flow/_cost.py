"""How long and how much memory a gradient-flow analysis takes, before it starts.

Calibrated on this project's 2-core development machine (one BLAS thread, other jobs running;
tanh RNN, GRU and LSTM with d = 128..1024, T = 50..800, exact lag curve plus 32 Lyapunov
exponents, as ``rnn-theory analyze`` runs them), rounded up:

- time: the exact method's dense phase costs ≈ 1e-9·d³ s per lag for up to d lags (measured
  3.8e-10 at d = 512, 8.4e-10 at d = 1024, where the d×d matrices leave the cache), the factored
  phase after it ≈ 4e-8·d² s per lag (measured 1.1–45 s, estimate 1.1–2.5× that); the probe
  method ≈ 2e-9·k·d² s per lag (lag curve alone, k = 8, d = 256–512, T = 200–1000: measured
  0.16–0.93 s, estimate 1.1–5× that);
- memory: ≈ 8·(12·d² + 24·T·d) bytes (measured peak 6.5–22 MB, estimate 1.4–1.7× that).

A machine with more cores or a faster BLAS is faster; the point is the order of magnitude, so
that a run of hours is announced, not discovered.

>>> round(estimate_seconds(2048, 100))   # an LSTM with n = 1024 on 100 steps: about 14 minutes
859
>>> estimate_bytes(16384, 100) > 2**34   # n = 8192: more than 16 GiB
True
"""

_DENSE, _FACTORED, _PROBE = 1e-9, 4e-8, 2e-9


def estimate_seconds(d, T, method="exact", k=8):
    """Seconds a lag curve (and its Lyapunov exponents) of state size ``d`` over ``T`` steps takes."""
    if method == "probe":
        return _PROBE * k * d * d * T
    dense = min(T, d)
    return _DENSE * d**3 * dense + _FACTORED * d * d * (T - dense)


def estimate_bytes(d, T):
    """Peak bytes of that analysis."""
    return 8 * (12 * d * d + 24 * T * d)
