"""Benchmark of detrend_timeseries against a loop over seasonal.fit_trend.

Usage::

    python benchmarks/bench_detrend.py [--quick]

Needs ``seasonal`` (in the test extra). The reference is what optimap 0.3.1
does for each trace: ``seasonal.fit_trend`` and the baseline handling
(``data - trend + mean(trend)``). Ours is one 2-D call on ``(T, N)`` traces.

1. 100 traces x 5000 samples, kind "spline", period estimated: both timed in
   full, side by side (target: 50x or better).
2. 1000 traces x 10000 samples, every kind, period estimated: ours in full;
   seasonal on a subset of traces, extrapolated linearly to 1000 traces (its
   time per trace does not depend on the number of traces). seasonal's "line"
   lists all (T - w)^2 / 2 pair slopes in memory (several GB at 10000
   samples), so its subset is smaller there.

Prints a Markdown table. Synthetic optical-mapping traces: action potentials
(fast upstroke, plateau, repolarisation) at one heart rate with per-trace
jitter, phase and amplitude, photobleaching decay and Gaussian noise.
"""

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from signals import beat_shape


def traces(n_samples, n_traces, period, seed=0):
    """(T, N) synthetic traces; the period of each trace jitters by +-2 %."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples, dtype=np.float64)
    out = np.empty((n_samples, n_traces))
    for i in range(n_traces):
        p = period * rng.uniform(0.98, 1.02)
        beat = beat_shape((t + rng.uniform(0, p)) % p, p)
        bleaching = rng.uniform(0.5, 2.0) * np.exp(-t / rng.uniform(n_samples / 3, 3 * n_samples))
        out[:, i] = 10 + bleaching + rng.uniform(0.3, 1.5) * beat + 0.05 * rng.standard_normal(n_samples)
    return out


def reference(data, kind):
    """optimap 0.3.1: seasonal.fit_trend per trace, then the baseline handling."""
    import seasonal

    out = np.empty_like(data)
    for i in range(data.shape[1]):
        trend = seasonal.fit_trend(data[:, i], kind=kind, period=None, ptimes=2)
        out[:, i] = data[:, i] - trend + np.mean(trend)
    return out


def ours(data, kind):
    from optimap.trace import detrend_timeseries

    return detrend_timeseries(data, kind=kind, period=None, ptimes=2)


def timed(function, *args, repeats=1):
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def check(a, b, data):
    """Largest difference relative to each trace's range."""
    return float(np.max(np.abs(a - b) / np.ptp(data, axis=0)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller seasonal subsets (rougher extrapolation)")
    args = parser.parse_args()

    ours(traces(2000, 2, 100), "spline")  # warm-up: imports
    rows = []

    # 1. full side-by-side comparison
    data = traces(5000, 100, 120, seed=1)
    t_ours, r_ours = timed(ours, data, "spline", repeats=3)
    t_ref, r_ref = timed(reference, data, "spline")
    rows.append(("spline", "100 x 5000", t_ours, t_ref, "measured (100 traces)", check(r_ours, r_ref, data)))

    # 2. large cases: 1000 traces x 10000 samples
    big = traces(10000, 1000, 200, seed=2)
    subset = {"mean": 20, "median": 20, "spline": 20, "line": 3}
    if args.quick:
        subset = {k: max(2, v // 4) for k, v in subset.items()}
    for kind in ("mean", "median", "line", "spline"):
        t_ours, r_ours = timed(ours, big, kind)
        k = subset[kind]
        t_sub, r_sub = timed(reference, big[:, :k], kind)
        t_ref = t_sub / k * big.shape[1]
        diff = check(r_ours[:, :k], r_sub, big[:, :k])
        rows.append((kind, "1000 x 10000", t_ours, t_ref, f"extrapolated from {k} traces", diff))

    print(
        f"detrend_timeseries vs seasonal.fit_trend loop, period estimated, ptimes 2 "
        f"(Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()})\n"
    )
    print("| kind | traces x samples | ours (s) | seasonal loop (s) | speed-up | seasonal time | max diff / range |")
    print("|---|---|---:|---:|---:|---|---:|")
    for kind, size, t_o, t_r, how, diff in rows:
        print(f"| {kind} | {size} | {t_o:.3f} | {t_r:.1f} | {t_r / t_o:.0f}x | {how} | {diff:.1e} |")
    target = rows[0][3] / rows[0][2]
    print(f"\nTarget (spline, 100 x 5000, period estimated): >= 50x; measured {target:.0f}x.")
    return 0 if target >= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
