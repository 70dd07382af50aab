"""Side-by-side benchmark of optimap-trace against optimap 0.3.1.

Usage::

    python benchmarks/run.py [--reference-venv DIR] [--data DIR] [--skip-dask]

It installs optimap 0.3.1 in its own virtual environment (default
``benchmarks/.reference-venv``; both packages are imported as ``optimap``), makes
the data once (deterministic), runs every workload in both interpreters in this
one run and prints a Markdown table of best-of-N times and ratios (reference
time / ours). Run it from an environment where optimap-trace is installed with
its ``all`` extra.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REFERENCE = "optimap==0.3.1"

TARGETS = {
    "rect_1000": ("1000 positions, rect 5, 1000x128x128 float32", ">= 5x"),
    "disc_1000": ("1000 positions, disc 5, 1000x128x128 float32", ">= 5x"),
    "every_pixel_rect3": ("every pixel (16384), rect 3, 1000x128x128 float32", ">= 20x"),
    "five_positions": ("5 positions, rect 5, 1000x128x128 float32", ">= 1x"),
    "memmap_500": ("500 positions, rect 5, 4000x256x256 uint16 .npy mmap_mode='r'", ">= 2x"),
    "zarr_500": ("same video as zarr, chunks (100, 64, 64)", "-"),
}


def ensure_reference(venv):
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", REFERENCE], check=True)
    return python


def make_data(data):
    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    if not (data / "small.npy").exists():
        np.save(data / "small.npy", rng.random((1000, 128, 128), dtype=np.float32))
        np.save(data / "positions_1000.npy", rng.integers(0, 128, size=(1000, 2)))
        np.save(data / "positions_500.npy", rng.integers(0, 256, size=(500, 2)))
    if not (data / "large.npy").exists():
        large = np.lib.format.open_memmap(data / "large.npy", mode="w+", dtype=np.uint16, shape=(4000, 256, 256))
        for start in range(0, 4000, 500):
            large[start : start + 500] = rng.integers(0, 4096, size=(500, 256, 256), dtype=np.uint16)
        large.flush()
        del large
    if not (data / "large.zarr").exists():
        import zarr

        large = np.load(data / "large.npy", mmap_mode="r")
        store = zarr.create_array(data / "large.zarr", shape=large.shape, chunks=(100, 64, 64), dtype=large.dtype)
        for start in range(0, 4000, 500):
            store[start : start + 500] = large[start : start + 500]


def run_workloads(python, data, names, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(python), str(HERE / "workloads.py"), "x", str(data), *names],
        capture_output=True, text=True, cwd=cwd, env=env,
    )
    if out.returncode:
        print(out.stderr, file=sys.stderr)
        return {}
    return json.loads(out.stdout)


def import_time(python, cwd, repeats=7):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([str(python), "-c", "import optimap.trace"], check=True, cwd=cwd, env=env)
        times.append(time.perf_counter() - start)
    return min(times)


def dask_times(data, repeats=3):
    """500 positions of the zarr video through dask: threaded scheduler, then a LocalCluster."""
    import dask.array as da
    from distributed import Client, LocalCluster

    from optimap.trace import extract_traces

    positions = [(int(x), int(y)) for x, y in np.load(data / "positions_500.npy")]
    video = da.from_zarr(str(data / "large.zarr"))

    from workloads import best_of  # beside this script

    threaded = best_of(lambda: extract_traces(video, positions, 5).compute(scheduler="threads"), repeats)
    result = {"dask_threads_500": threaded}
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
        with Client(cluster) as client:
            result["dask_cluster_500"] = best_of(
                lambda: client.compute(extract_traces(video, positions, 5)).result(), repeats
            )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference-venv", type=Path, default=HERE / ".reference-venv")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "optimap-bench-data")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()

    reference = ensure_reference(args.reference_venv)
    make_data(args.data)
    names = list(TARGETS) + ["np_copy"]
    with tempfile.TemporaryDirectory() as cwd:  # neither interpreter may see this checkout's sources
        ours = run_workloads(sys.executable, args.data, names, cwd)
        # optimap 0.3.1 has no zarr support of its own; np_copy is a bandwidth baseline.
        theirs = run_workloads(reference, args.data, [n for n in names if n not in ("np_copy", "zarr_500")], cwd)
        ours["import"] = import_time(sys.executable, cwd)
        theirs["import"] = import_time(reference, cwd)
    if not args.skip_dask:
        ours.update(dask_times(args.data))

    rows = dict(TARGETS)
    rows["import"] = ('python -c "import optimap.trace"', ">= 4x")
    rows["dask_threads_500"] = ("500 positions of the zarr video via dask, threaded scheduler", "-")
    rows["dask_cluster_500"] = ("500 positions of the zarr video via dask, LocalCluster 2 processes", "-")
    print(f"Measured {time.strftime('%Y-%m-%d')} on {platform.node()} ({os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}), Python {platform.python_version()}, numpy {np.__version__}")
    print()
    print("| workload | optimap 0.3.1 | optimap-trace | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for name, (label, target) in rows.items():
        if name not in ours:
            continue
        mine, ref = ours[name], theirs.get(name)
        ratio = f"{ref / mine:.1f}x" if ref else "-"
        ref_text = f"{ref * 1e3:.2f} ms" if ref else "n/a"
        print(f"| {label} | {ref_text} | {mine * 1e3:.2f} ms | {ratio} | {target} |")
    copy = ours["np_copy"]
    print(f"| np.copy of the 1000x128x128 float32 video (bandwidth bound) | | {copy * 1e3:.2f} ms | | |")
    print()
    print(f"every pixel / np.copy: {ours['every_pixel_rect3'] / copy:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
