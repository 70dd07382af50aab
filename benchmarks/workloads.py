"""Timed workloads, run by one interpreter: ours or optimap 0.3.1 (same import name).

Called by ``run.py`` as ``python workloads.py IMPL DATA_DIR [NAMES...]``; prints one JSON
object of best-of-N seconds per workload. Data are made deterministically by ``run.py``.
"""

import json
import sys
import time

import numpy as np


def best_of(function, repeats):
    function()  # warm-up: imports, page cache, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def prange_kernel():
    """A straightforward numba ``prange`` kernel: the comparison the engine must match (benchmark only)."""
    import numba

    @numba.njit(parallel=True, cache=True)
    def window_means(video, rows, cols, row_offsets, col_offsets, out):
        n_frames, height, width = video.shape
        for t in numba.prange(n_frames):
            for i in range(len(rows)):
                total = 0.0
                count = 0
                for k in range(len(row_offsets)):
                    r, c = rows[i] + row_offsets[k], cols[i] + col_offsets[k]
                    if 0 <= r < height and 0 <= c < width:
                        total += video[t, r, c]
                        count += 1
                out[t, i] = total / count
        return out

    return window_means


def offsets(window, size):
    span = np.arange(-(size // 2), size - size // 2)
    rows, cols = np.meshgrid(span, span, indexing="ij")
    keep = np.ones(rows.shape, bool) if window == "rect" else 4 * (rows**2 + cols**2) <= size * size
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)


def make_workloads(trace, data_dir):
    small = np.load(f"{data_dir}/small.npy")  # 1000 x 128 x 128 float32
    small_u16 = np.load(f"{data_dir}/small_u16.npy")
    positions = np.load(f"{data_dir}/positions_5000.npy")
    rows, cols = np.mgrid[0:128, 0:128]
    every_pixel = np.column_stack([cols.ravel(), rows.ravel()])
    # optimap 0.3.1 takes a list of pairs (its single-position test looks for Python ints).
    as_list = [(int(x), int(y)) for x, y in positions]
    every_list = [(int(x), int(y)) for x, y in every_pixel]

    def memmap_500():
        video = np.load(f"{data_dir}/large.npy", mmap_mode="r")
        return trace.extract_traces(video, [(int(x), int(y)) for x, y in np.load(f"{data_dir}/positions_500.npy")], 5)

    def zarr_500():
        import zarr

        video = zarr.open_array(f"{data_dir}/large.zarr", mode="r")
        return trace.extract_traces(video, [(int(x), int(y)) for x, y in np.load(f"{data_dir}/positions_500.npy")], 5)

    def extract(video, coords, size, window):
        return lambda: trace.extract_traces(video, coords, size, window=window)

    workloads = {
        "rect_1000": (extract(small, as_list[:1000], 5, "rect"), 15),
        "disc_1000": (extract(small, as_list[:1000], 5, "disc"), 15),
        "every_pixel_rect3": (extract(small, every_list, 3, "rect"), 15),
        "five_positions": (extract(small, as_list[:5], 5, "rect"), 500),
        "np_copy": (lambda: np.copy(small), 20),
        "memmap_500": (memmap_500, 5),
        "zarr_500": (zarr_500, 3),
    }
    for n, repeats in ((1, 500), (2, 500), (5, 500), (50, 100), (500, 20), (5000, 5)):
        for window in ("rect", "disc"):
            coords = as_list[0] if n == 1 else as_list[:n]
            workloads[f"pos{n}_{window}5"] = (extract(small, coords, 5, window), repeats)
            workloads[f"u16_pos{n}_{window}5"] = (extract(small_u16, coords, 5, window), repeats)
    for window, size, repeats in (
        ("rect", 3, 10),
        ("rect", 63, 10),
        ("disc", 3, 10),
        ("disc", 5, 10),
        ("rect", 5, 10),
        ("rect", 15, 5),
        ("disc", 15, 5),
        ("rect", 31, 5),
        ("disc", 31, 3),
        ("disc", 63, 3),
    ):
        workloads[f"every_{window}{size}"] = (extract(small, every_pixel, size, window), repeats)
        workloads[f"u16_every_{window}{size}"] = (extract(small_u16, every_pixel, size, window), repeats)
    return workloads, small, positions


def main():
    impl, data_dir, *names = sys.argv[1:]
    if impl == "first-after-numba":  # the same, in a process that has imported numba already
        import numba  # noqa: F401

        impl = "first"
    import optimap.trace as trace

    workloads, small, positions = make_workloads(trace, data_dir)
    if impl == "prange":  # the numba comparison kernel, on the same data
        kernel = prange_kernel()
        for n in (50, 500, 5000):
            for window in ("rect", "disc"):
                row_offsets, col_offsets = offsets(window, 5)
                out = np.empty((len(small), n))
                rows, cols = positions[:n, 1].astype(np.int64), positions[:n, 0].astype(np.int64)
                workloads[f"prange_pos{n}_{window}5"] = (
                    lambda r=rows, c=cols, ro=row_offsets, co=col_offsets, o=out: kernel(small, r, c, ro, co, o),
                    10,
                )
        names = [name for name in workloads if name.startswith("prange_")]
    if impl == "memory":  # peak traced memory above the output, per workload
        import tracemalloc

        result = {}
        for name in names:
            function, _ = workloads[name]
            function()
            tracemalloc.start()
            traces = function()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            result[name] = (peak - np.asarray(traces).nbytes) / 2**20
        print(json.dumps(result))
        return
    if impl == "first":  # the first call in this fresh process, then the warm call
        function, repeats = workloads[names[0]]
        trace.extract_traces  # noqa: B018 - the import a script makes: from optimap.trace import extract_traces
        had_numba = "numba" in sys.modules
        start = time.perf_counter()
        function()
        first = time.perf_counter() - start
        imported = "numba" in sys.modules and not had_numba
        start = time.perf_counter()  # the second call: no one-time costs left, the data still cooling in caches
        function()
        second = time.perf_counter() - start
        print(
            json.dumps(
                {"first": first, "second": second, "warm": best_of(function, repeats), "imported_numba": imported}
            )
        )
        return
    if impl == "fresh":  # warm times in a process where nothing else has imported numba
        function, repeats = workloads[names[0]]
        warm = best_of(function, repeats)
        print(json.dumps({"warm": warm, "numba": "numba" in sys.modules}))
        return
    result = {}
    for name in names or workloads:
        function, repeats = workloads[name]
        result[name] = best_of(function, repeats)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
