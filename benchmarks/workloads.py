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


def main():
    impl, data_dir, *names = sys.argv[1:]
    import optimap.trace as trace

    small = np.load(f"{data_dir}/small.npy")  # 1000 x 128 x 128 float32
    positions = np.load(f"{data_dir}/positions_1000.npy")
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

    workloads = {
        "rect_1000": (lambda: trace.extract_traces(small, as_list, 5, window="rect"), 15),
        "disc_1000": (lambda: trace.extract_traces(small, as_list, 5, window="disc"), 15),
        "every_pixel_rect3": (lambda: trace.extract_traces(small, every_list, 3, window="rect"), 15),
        "five_positions": (lambda: trace.extract_traces(small, as_list[:5], 5), 500),
        "np_copy": (lambda: np.copy(small), 20),
        "memmap_500": (memmap_500, 5),
        "zarr_500": (zarr_500, 3),
    }
    result = {}
    for name in names or workloads:
        function, repeats = workloads[name]
        result[name] = best_of(function, repeats)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
