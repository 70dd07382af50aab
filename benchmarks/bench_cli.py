"""Whole command-line runs and first calls, each in a fresh process: what a user waits for.

Usage::

    python benchmarks/bench_cli.py [--data DIR] [--repeats 5] [--src DIR] [--compare-src DIR]

Each workload runs as a new Python process (``python -m optimap.cli ...``, or a
short script), once untimed (numba compiles or reads its disk cache, the files
come into the page cache), then ``--repeats`` times; the table gives the
fastest and the median wall time. ``--src`` imports optimap from a source folder
(``src`` of a checkout) instead of the installed package; ``--compare-src``
times a second source folder in the same run, the two alternating run by run,
so that a machine whose speed drifts affects both alike.

The data are the demo recording (``optimap-trace demo``: 1000 x 128 x 128
uint16), the same in a zarr store and an HDF5 file, and a label image of six
vertical bands, made once in ``--data``.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DETREND_SCRIPT = (
    "import numpy as np\n"
    "from optimap.trace import detrend_timeseries\n"
    "x = np.sin(np.arange(1000) / 20.0)[:, None] + np.linspace(0, 1, 1000)[:, None] + np.zeros((1, 6))\n"
    "detrend_timeseries(x, kind={kind!r})\n"
)
SESSION_SCRIPT = (
    "import numpy as np\n"
    "from optimap.trace import extract_traces\n"
    "video = np.load({video!r})\n"
    "for seed in range({calls}):\n"
    "    extract_traces(video, np.random.default_rng(seed).integers(0, 128, ({n}, 2)), size=5, window='disc')\n"
)
EXTRACT_SCRIPT = (
    "import numpy as np\n"
    "from optimap.trace import extract_traces, save_traces\n"
    "video = np.load({video!r}, mmap_mode='r')\n"
    "positions = [(64, 64), (30, 40), (90, 20)]\n"
    "save_traces({out!r}, extract_traces(video, positions, size=5), positions)\n"
)


def workloads(data, out):
    """``(name, argv)`` of every timed run; ``out`` is a scratch folder for outputs."""
    video, labels = str(data / "recording.npy"), str(data / "bands.npy")
    csv = str(out / "traces.csv")
    cli = [sys.executable, "-m", "optimap.cli"]
    return [
        ("`optimap-trace demo` (simulate, extract 5 positions, CSV, PNG)", cli + ["demo", "--out", str(out / "demo")]),
        ("`extract` 2 positions, rect 5, to CSV", cli + ["extract", video, "--pos", "64,64", "--pos", "30,40", "-o", csv]),
        ("`extract` 2 positions from a zarr store (chunks 100x64x64)", cli + ["extract", str(data / "recording.zarr"), "--pos", "64,64", "--pos", "30,40", "-o", csv]),
        ("`extract` 2 positions from HDF5 (chunks 100x32x32)", cli + ["extract", str(data / "recording.h5"), "--pos", "64,64", "--pos", "30,40", "-o", csv]),
        ("`extract` a label image of 6 bands, to CSV", cli + ["extract", video, "--labels", labels, "-o", csv]),
        ("`extract` 1 position `--detrend line`", cli + ["extract", video, "--pos", "64,64", "--detrend", "line", "-o", csv]),
        (
            "`extract` 1 position `--dff --normalize --invert`",
            cli + ["extract", video, "--pos", "64,64", "--dff", "--normalize", "--invert", "-o", csv],
        ),
        ("`extract` 500 random positions, to CSV", cli + ["extract", video, "--random", "500", "--seed", "1", "-o", csv]),
        ("`extract` 2 positions with `--plot`", cli + ["extract", video, "--pos", "64,64", "--pos", "30,40", "-o", csv, "--plot", str(out / "t.png")]),
        ("script: `extract_traces` 3 positions + `save_traces` CSV", [sys.executable, "-c", EXTRACT_SCRIPT.format(video=video, out=csv)]),
        ("script: 10 calls of `extract_traces`, 500 positions each", [sys.executable, "-c", SESSION_SCRIPT.format(video=video, calls=10, n=500)]),
        ("script: 300 calls of `extract_traces`, 50 positions each", [sys.executable, "-c", SESSION_SCRIPT.format(video=video, calls=300, n=50)]),
        ("script: first `detrend_timeseries`, line", [sys.executable, "-c", DETREND_SCRIPT.format(kind="line")]),
        ("script: first `detrend_timeseries`, spline", [sys.executable, "-c", DETREND_SCRIPT.format(kind="spline")]),
    ]  # fmt: skip


def make_data(data):
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "recording.npy").exists():
        made = Path(tempfile.mkdtemp(prefix="optimap-bench-cli-"))
        subprocess.run([sys.executable, "-m", "optimap.cli", "demo", "--out", str(made), "--quiet"], check=True)
        shutil.move(str(made / "recording.npy"), data / "recording.npy")
        shutil.rmtree(made)
    if not (data / "bands.npy").exists():
        height, width = np.load(data / "recording.npy", mmap_mode="r").shape[1:]
        labels = np.zeros((height, width), dtype=np.uint8)
        for k in range(6):
            labels[:, k * width // 6 : (k + 1) * width // 6] = k + 1
        np.save(data / "bands.npy", labels)
    if not (data / "recording.zarr").exists():  # the recording in chunked stores (the test extra has both)
        import zarr

        video = np.load(data / "recording.npy")
        store = zarr.create_array(data / "recording.zarr", shape=video.shape, chunks=(100, 64, 64), dtype=video.dtype)
        store[:] = video
    if not (data / "recording.h5").exists():
        import h5py

        with h5py.File(data / "recording.h5", "w") as f:
            f.create_dataset("video", data=np.load(data / "recording.npy"), chunks=(100, 32, 32))


def run_once(argv, src, out):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    shutil.rmtree(out / "demo", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(argv + (["--quiet"] if argv[1:3] == ["-m", "optimap.cli"] else []), check=True, env=env,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="folder for the recording (kept; default: a temporary folder)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--src", type=Path, help="import optimap from this source folder")
    parser.add_argument("--compare-src", type=Path, help="a second source folder, timed in the same run")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="optimap-bench-cli-data-"))
    make_data(data)
    sources = [args.src.resolve() if args.src else None]
    if args.compare_src:
        sources.append(args.compare_src.resolve())
    out = Path(tempfile.mkdtemp(prefix="optimap-bench-cli-out-"))
    rows = []
    for name, argv in workloads(data, out):
        times = {src: [] for src in sources}
        for src in sources:
            run_once(argv, src, out)  # untimed: compiles or loads kernels, warms the page cache
        for _ in range(args.repeats):
            for src in sources:
                times[src].append(run_once(argv, src, out))
        rows.append((name, times))
        print(name, *(f"{min(t):.2f}/{statistics.median(t):.2f} s" for t in times.values()), flush=True)
    shutil.rmtree(out, ignore_errors=True)
    labels = [str(src) if src else "installed" for src in sources]
    print()
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"fastest / median of {args.repeats} fresh processes")  # fmt: skip
    print()
    print("| run | " + " | ".join(labels) + (" | ratio of medians |" if len(sources) == 2 else " |"))
    print("|---|" + "---:|" * (len(sources) + (len(sources) == 2)))
    for name, times in rows:
        cells = [f"{min(t):.2f} / {statistics.median(t):.2f} s" for t in times.values()]
        if len(sources) == 2:
            first, second = (statistics.median(t) for t in times.values())
            cells.append(f"{first / second:.2f}x")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
