"""Writing traces as CSV: today's writer against the one before it, side by side in one run.

Usage::

    python benchmarks/bench_csv.py [--frames 4000] [--positions 3000]

The table is what ``optimap-trace extract ... -o traces.csv`` writes for 3000
positions of a 4000-frame video: window means of a uint16 video (values like
``2422.36``), the same traces detrended and normalised (17-digit values) and a
float32 video's means. "before" is the writer optimap-trace had until
2026-12-01 (``repr`` of every value, the whole text built in memory, then
written); both write to a file in a temporary folder, and the files must be
identical (for float32, where "before" wrote float64 digits, the new file must
read back as the traces). Prints a Markdown table: best of 3 seconds and the peak memory
traced by ``tracemalloc`` while writing.
"""

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from optimap.trace import save_traces
from optimap.trace._export import column_names


def write_before(path, traces, positions):
    """The writer of optimap-trace before 2026-12-01: one ``repr`` per value, all text in memory."""
    frames = np.arange(traces.shape[0])
    header = ",".join(["frame"] + [f"x{x}_y{y}" for x, y in positions])
    values = traces.astype(np.float64).tolist() if traces.dtype != np.float32 else traces.tolist()
    lines = [header]
    lines.extend(",".join(map(repr, [t, *row])) for t, row in zip(frames.tolist(), values))
    Path(path).write_text("\n".join(lines) + "\n")


def measure(write, repeats=3):
    """Best-of time (untraced), then the peak memory of one more run under tracemalloc."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        write()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    write()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=4000)
    parser.add_argument("--positions", type=int, default=3000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    shape = (args.frames, args.positions)
    positions = [(int(i % 256), int(i // 256)) for i in range(args.positions)]
    assert len(set(column_names(positions))) == len(positions)
    tables = {
        "means of a uint16 video (rect 5)": rng.integers(0, 4096 * 25, shape) / 25.0,
        "detrended and normalised (float64)": rng.random(shape),
        "means of a float32 video": (rng.random(shape, dtype=np.float32) * 4096).astype(np.float32),
    }
    save_traces(Path(tempfile.gettempdir()) / "warm-up.csv", np.ones((2, 2)))  # compile or load the kernels
    print(f"{args.positions} positions x {args.frames} frames ({args.positions * args.frames / 1e6:g} M values)\n")
    print("| traces | before | peak memory | now | peak memory | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        before_path, now_path = Path(folder) / "before.csv", Path(folder) / "now.csv"
        for label, traces in tables.items():
            before, before_peak = measure(lambda t=traces: write_before(before_path, t, positions), repeats=1)
            now, now_peak = measure(lambda t=traces: save_traces(now_path, t, positions))
            if traces.dtype == np.float32:  # before: float64 digits of float32 values; now: float32's shortest
                read = np.loadtxt(now_path, delimiter=",", skiprows=1)[:, 1:].astype(np.float32)
                if not np.array_equal(read, traces):
                    raise SystemExit(f"{label}: the CSV does not read back as the traces")
            elif before_path.read_bytes() != now_path.read_bytes():
                raise SystemExit(f"{label}: the two writers disagree")
            print(
                f"| {label} | {before:.2f} s | {before_peak / 2**20:.0f} MiB | {now:.2f} s | "
                f"{now_peak / 2**20:.0f} MiB | {before / now:.1f}x |"
            )


if __name__ == "__main__":
    main()
