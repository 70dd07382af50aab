"""Side-by-side benchmark of optimap-trace against optimap 0.3.1.

Usage::

    python benchmarks/run.py [--reference-venv DIR] [--data DIR] [--skip-dask] [--src DIR]

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
import re
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
    if not (data / "positions_5000.npy").exists():
        # the first 1000 are positions_1000, so the old rows keep their data
        extra = np.random.default_rng(1).integers(0, 128, size=(4000, 2))
        np.save(data / "positions_5000.npy", np.concatenate([np.load(data / "positions_1000.npy"), extra]))
        np.save(data / "small_u16.npy", (np.load(data / "small.npy") * 4095).astype(np.uint16))
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


OURS_PATH = None  # --src: a source tree of ours to import instead of the installed package


def run_workloads(python, data, names, cwd, impl="x"):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if OURS_PATH and python == sys.executable:
        env["PYTHONPATH"] = str(OURS_PATH)
    out = subprocess.run(
        [str(python), str(HERE / "workloads.py"), impl, str(data), *names],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
    if out.returncode:
        print(out.stderr, file=sys.stderr)
        return {}
    return json.loads(out.stdout)


def import_time(python, cwd, repeats=7):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if OURS_PATH and python == sys.executable:
        env["PYTHONPATH"] = str(OURS_PATH)
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


POSITION_ROWS = [f"pos{n}_{w}5" for n in (1, 2, 5, 50, 500, 5000) for w in ("rect", "disc")]
EVERY_ROWS = [
    f"every_{w}{s}"
    for w, s in (
        ("rect", 3),
        ("disc", 3),
        ("rect", 5),
        ("disc", 5),
        ("rect", 15),
        ("disc", 15),
        ("rect", 31),
        ("disc", 31),
        ("rect", 63),
        ("disc", 63),
    )
]
# Rows optimap 0.3.1 is timed on too (it takes minutes on the large every-pixel discs).
REFERENCE_ROWS = POSITION_ROWS + ["every_rect3", "every_disc3", "every_disc5"]
FIRST_CALL_ROWS = ["pos1_rect5", "pos5_rect5", "pos50_rect5", "pos500_disc5", "every_rect3", "every_disc5"]
FRESH_ROWS = [f"pos{n}_{w}5" for n in (1, 2, 5, 50) for w in ("rect", "disc")]


def label(name):
    if name.startswith("u16_"):
        return label(name[4:]) + ", uint16"
    if name.startswith("pos"):
        n, window = name[3:].split("_")
        return f"{n} position{'s' if n != '1' else ''}, {window[:-1]} 5"
    if name.startswith("every_"):
        shape, size = re.fullmatch(r"([a-z]+)(\d+)", name[6:]).groups()
        return f"every pixel, {shape} {size}"
    return TARGETS.get(name, (name,))[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference-venv", type=Path, default=HERE / ".reference-venv")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "optimap-bench-data")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--src", type=Path, help="import optimap from this source folder (e.g. src of a checkout)")
    args = parser.parse_args()
    global OURS_PATH
    OURS_PATH = args.src.resolve() if args.src else None
    if OURS_PATH:
        sys.path.insert(0, str(OURS_PATH))

    reference = ensure_reference(args.reference_venv)
    make_data(args.data)
    names = list(TARGETS) + ["np_copy"] + POSITION_ROWS + EVERY_ROWS
    u16_names = ["u16_" + n for n in POSITION_ROWS + EVERY_ROWS]
    with tempfile.TemporaryDirectory() as cwd:  # neither interpreter may see this checkout's sources
        ours = run_workloads(sys.executable, args.data, names + u16_names, cwd)
        # optimap 0.3.1 has no zarr support of its own; np_copy is a bandwidth baseline.
        theirs = run_workloads(
            reference, args.data, [n for n in list(TARGETS) + REFERENCE_ROWS if n != "zarr_500"], cwd
        )
        prange = run_workloads(sys.executable, args.data, [], cwd, impl="prange")
        memory = run_workloads(
            sys.executable, args.data, POSITION_ROWS + EVERY_ROWS + ["u16_every_disc63"], cwd, impl="memory"
        )
        first = {name: run_workloads(sys.executable, args.data, [name], cwd, impl="first") for name in FIRST_CALL_ROWS}
        first_after_numba = {
            name: run_workloads(sys.executable, args.data, [name], cwd, impl="first-after-numba")
            for name in FIRST_CALL_ROWS
        }
        # The rows above run in one process that has long imported numba; a fresh process extracting a
        # few windows takes the numpy path instead (see _plan): its warm times, one process per row.
        fresh = {name: run_workloads(sys.executable, args.data, [name], cwd, impl="fresh") for name in FRESH_ROWS}
        ours["import"] = import_time(sys.executable, cwd)
        theirs["import"] = import_time(reference, cwd)
    if not args.skip_dask:
        ours.update(dask_times(args.data))

    rows = dict(TARGETS)
    rows["import"] = ('python -c "import optimap.trace"', ">= 4x, < 50 ms")
    rows["dask_threads_500"] = ("500 positions of the zarr video via dask, threaded scheduler", "-")
    rows["dask_cluster_500"] = ("500 positions of the zarr video via dask, LocalCluster 2 processes", "-")
    print(
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.node()} ({os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}), Python {platform.python_version()}, numpy {np.__version__}"
    )
    print()
    print("| workload | optimap 0.3.1 | optimap-trace | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for name, (text, target) in rows.items():
        if name not in ours:
            continue
        mine, ref = ours[name], theirs.get(name)
        ratio = f"{ref / mine:.1f}x" if ref else "-"
        ref_text = f"{ref * 1e3:.2f} ms" if ref else "n/a"
        print(f"| {text} | {ref_text} | {mine * 1e3:.2f} ms | {ratio} | {target} |")
    copy = ours["np_copy"]
    print(f"| np.copy of the 1000x128x128 float32 video (bandwidth bound) | | {copy * 1e3:.2f} ms | | |")
    print()
    print(
        "All on the 1000x128x128 video (float32; uint16 = the same values x 4095). Ratios: optimap 0.3.1 / ours, "
        "prange / ours, uint16 / float32."
    )
    print()
    print(
        "| workload | optimap 0.3.1 | numba prange | ours float32 | ours uint16 | vs 0.3.1 | vs prange | "
        "uint16/float32 | peak MiB over output | fresh process (vs 0.3.1) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in POSITION_ROWS + EVERY_ROWS:
        mine, ref, alt = ours.get(name), theirs.get(name), prange.get("prange_" + name)
        u16 = ours.get("u16_" + name)
        new = fresh.get(name) or {}
        fresh_cell = ""
        if new:
            path = "compiled" if new["numba"] else "numpy"
            fresh_cell = f"{new['warm'] * 1e3:.2f} ms {path}" + (f" ({ref / new['warm']:.1f}x)" if ref else "")
        cells = [
            f"{ref * 1e3:.2f} ms" if ref else "",
            f"{alt * 1e3:.2f} ms" if alt else "",
            f"{mine * 1e3:.2f} ms",
            f"{u16 * 1e3:.2f} ms" if u16 else "",
            f"{ref / mine:.1f}x" if ref else "",
            f"{alt / mine:.2f}x" if alt else "",
            f"{u16 / mine:.2f}" if u16 else "",
            f"{memory.get(name, float('nan')):.1f}",
            fresh_cell,
        ]
        print(f"| {label(name)} | " + " | ".join(cells) + " |")
    print()
    every = {name[6:]: ours[name] for name in EVERY_ROWS}
    print(
        f"every pixel: rect 3 / np.copy {every['rect3'] / copy:.2f} (target <= 1.5); "
        f"rect 63 / rect 3 {every['rect63'] / every['rect3']:.2f} (<= 2); "
        + "; ".join(
            f"disc {s} / rect {s} {every[f'disc{s}'] / every[f'rect{s}']:.2f} (<= {1.5 if s <= 5 else s / 4:g})"
            for s in (3, 5, 15, 31, 63)
        )
    )
    print(f"uint16 every pixel disc 63: peak {memory.get('u16_every_disc63', float('nan')):.1f} MiB over the output")
    print()
    print(
        "| first call in a fresh process (after `from optimap.trace import extract_traces`) | first | second | "
        "warm | first / warm | the call imported numba | with numba imported before: first / warm |"
    )
    print("|---|---:|---:|---:|---:|---|---:|")
    for name, result in first.items():
        after = first_after_numba.get(name) or {}
        if result:
            cells = [
                f"{result['first'] * 1e3:.1f} ms",
                f"{result['second'] * 1e3:.2f} ms",
                f"{result['warm'] * 1e3:.2f} ms",
                f"{result['first'] / result['warm']:.1f}",
                "yes" if result.get("imported_numba") else "no",
                f"{after['first'] * 1e3:.1f} ms / {after['warm'] * 1e3:.2f} ms" if after else "",
            ]
            print(f"| {label(name)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
