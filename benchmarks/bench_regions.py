"""Region traces and kymographs against the loops users write today, side by side in one run.

Usage::

    python benchmarks/bench_regions.py [--data DIR] [--repeats 7] [--skip-cluster]

Workloads (data made once, seeded, in ``--data``, by default a temporary folder):

* 300 cell-sized regions (ImageJ ovals of 30-80 pixels) on a 4000 x 256 x 256
  uint16 ``.npy`` opened with ``mmap_mode='r'``: the baseline is the loop
  ``[video[:, mask].mean(axis=1) for mask in masks]``; ours is one
  ``extract_region_traces`` call, timed with the parsing of each region form
  (boolean masks, label image, polygons, a RoiSet.zip of the ovals). Peak
  memory is what ``tracemalloc`` traces during the call, over the output.
* A label image tiling a 1000 x 128 x 128 float32 video's frame into 1000
  regions (Voronoi cells of random seeds), against one ``np.copy`` of the video.
* The 300 cells through a zarr store (chunks 100 x 64 x 64) and through dask
  (``da.from_zarr``, threaded scheduler, and a ``LocalCluster`` of two worker
  processes); chunk reads are counted by the store (threaded runs only).

Times are the best of ``--repeats`` runs after a warm-up (page cache warm);
the baseline loop, which takes seconds, the best of 3.
"""

import argparse
import collections
import os
import platform
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
from workloads import best_of  # this folder

from optimap.trace import extract_kymograph, extract_region_traces, extract_traces

SHAPE = (4000, 256, 256)
N_CELLS = 300


def peak_over(function):
    tracemalloc.start()
    try:
        result = function()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, result


def make_data(folder):
    """The memmapped video, the zarr copy, the cells (as ImageJ ovals) and the 1000-region label image."""
    import roifile
    import zarr

    rng = np.random.default_rng(2026)
    path = folder / "cells.npy"
    if not path.exists():
        video = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint16, shape=SHAPE)
        for start in range(0, SHAPE[0], 250):
            video[start : start + 250] = rng.integers(0, 4096, size=(250, *SHAPE[1:]), dtype=np.uint16)
        video.flush()
        del video
    store = folder / "cells.zarr"
    if not store.exists():
        video = np.load(path, mmap_mode="r")
        array = zarr.create_array(store, shape=SHAPE, chunks=(100, 64, 64), dtype=np.uint16)
        for start in range(0, SHAPE[0], 500):
            array[start : start + 500] = video[start : start + 500]
    rois = []
    from optimap.trace import region_masks

    while len(rois) < N_CELLS:
        width, height = (int(v) for v in rng.integers(6, 11, size=2))
        left, top = int(rng.integers(0, SHAPE[2] - width)), int(rng.integers(0, SHAPE[1] - height))
        roi = roifile.ImagejRoi()
        roi.roitype = roifile.ROI_TYPE.OVAL
        roi.left, roi.top, roi.right, roi.bottom = left, top, left + width, top + height
        roi.name = f"cell_{len(rois) + 1:03d}"
        if 30 <= region_masks(roi, SHAPE[1:]).sum() <= 80:
            rois.append(roi)
    roifile.roiwrite(folder / "cells.zip", rois, mode="w")
    masks = region_masks(str(folder / "cells.zip"), SHAPE[1:])
    labels = np.zeros(SHAPE[1:], dtype=np.int32)
    for k, mask in enumerate(masks, start=1):
        labels[mask & (labels == 0)] = k  # overlapping cells: the first one keeps the pixel
    polygons = []
    for roi in rois:  # the same ovals as 24-gons in optimap's coordinates (pixel centres at whole numbers)
        angle = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        cx, cy = (roi.left + roi.right) / 2 - 0.5, (roi.top + roi.bottom) / 2 - 0.5
        rx, ry = (roi.right - roi.left) / 2, (roi.bottom - roi.top) / 2
        polygons.append(np.column_stack([cx + rx * np.cos(angle), cy + ry * np.sin(angle)]))
    small = rng.random((1000, 128, 128), dtype=np.float32)
    seeds = np.column_stack(np.divmod(rng.choice(128 * 128, size=1000, replace=False), 128))  # distinct
    rows, cols = np.mgrid[0:128, 0:128]
    distance = (rows[None] - seeds[:, 0, None, None]) ** 2 + (cols[None] - seeds[:, 1, None, None]) ** 2
    tiles = (np.argmin(distance, axis=0) + 1).astype(np.int32)
    return path, store, masks, labels, polygons, small, tiles


class ReadCounter:
    """Counts the chunk reads of zarr's LocalStore (its get methods patched while counting; dask's threads
    share the count). A subclass would not do: dask's from_zarr reaches the files around it."""

    def __init__(self):
        self.counts = collections.Counter()

    def __enter__(self):
        import zarr

        store, counts = zarr.storage.LocalStore, self.counts
        self.saved = store.get, store.get_sync

        async def get(this, key, *args, **kwargs):
            counts[key] += key.startswith("c/")
            return await self.saved[0](this, key, *args, **kwargs)

        def get_sync(this, key, *args, **kwargs):
            counts[key] += key.startswith("c/")
            return self.saved[1](this, key, *args, **kwargs)

        store.get, store.get_sync = get, get_sync
        return self

    def __exit__(self, *exc):
        import zarr

        zarr.storage.LocalStore.get, zarr.storage.LocalStore.get_sync = self.saved

    def summary(self, calls, n_chunks):
        reads = [n for key, n in self.counts.items() if n]
        return (
            f"{sum(reads) / calls:.0f} chunk reads per call for {n_chunks} chunks; each chunk read "
            f"{min(reads) / calls:g}-{max(reads) / calls:g} time(s) per call"
        )


def fmt(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder for the data (kept between runs); default: a temporary one")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-cluster", action="store_true", help="no dask.distributed LocalCluster row")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.data or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        run(folder, args)


def run(folder, args):
    import dask.array as da
    import zarr

    path, store, masks, labels, polygons, small, tiles = make_data(folder)
    video = np.load(path, mmap_mode="r")
    sizes = masks.sum(axis=(1, 2))
    rows = []
    print(
        f"{N_CELLS} cells of {sizes.min()}-{sizes.max()} pixels (mean {sizes.mean():.0f}); "
        f"{len(np.unique(tiles))} tiles of {np.bincount(tiles.ravel())[1:].min()}-"
        f"{np.bincount(tiles.ravel())[1:].max()} pixels"
    )

    def loop():
        return np.stack([video[:, mask].mean(axis=1) for mask in masks], axis=1)

    baseline = best_of(loop, 3)
    expected = loop()
    output_mib = expected.nbytes / 2**20
    forms = {
        "masks (300, 256, 256) bool": masks,
        "a label image (256, 256)": labels,
        "300 polygons (24-gons)": polygons,
        "a RoiSet.zip of 300 oval ROIs": str(folder / "cells.zip"),
    }
    cells = f"{N_CELLS} cells (30-80 px), {SHAPE[0]}x{SHAPE[1]}x{SHAPE[2]} uint16 .npy mmap_mode='r'"
    rows.append((f"{cells}: loop `video[:, mask].mean(axis=1)`", fmt(baseline), "", "", ""))
    for name, regions in forms.items():
        seconds = best_of(lambda r=regions: extract_region_traces(video, r), args.repeats)
        peak, traces = peak_over(lambda r=regions: extract_region_traces(video, r))
        if name.startswith(("masks", "a RoiSet")):
            np.testing.assert_allclose(traces, expected, rtol=1e-12)
        rows.append(
            (
                f"same cells, regions as {name}",
                "",
                fmt(seconds),
                f"{baseline / seconds:.1f}x",
                f">= 10x; peak {(peak / 2**20) - output_mib:.1f} MiB over the {output_mib:.1f} MiB output (<= 64)",
            )
        )

    copy = best_of(lambda: np.copy(small), args.repeats * 3)
    tiled = best_of(lambda: extract_region_traces(small, tiles), args.repeats * 3)
    tiles_loop = best_of(lambda: [small[:, tiles == k].mean(axis=1) for k in range(1, 1001)], 1)
    rows.append(("np.copy of the 1000x128x128 float32 video", fmt(copy), "", "", ""))
    rows.append(
        (
            "label image tiling its frame into 1000 regions",
            f"loop {fmt(tiles_loop)}",
            fmt(tiled),
            f"{tiles_loop / tiled:.0f}x",
            f"{tiled / copy:.2f}x np.copy (<= 3x)",
        )
    )

    n_chunks = 40 * 4 * 4
    repeats = max(args.repeats // 2, 2)
    counted = zarr.open_array(store, mode="r")
    with ReadCounter() as reads:
        zarr_seconds = best_of(lambda: extract_region_traces(counted, masks), repeats)
    rows.append(
        ("same cells via zarr, chunks (100, 64, 64)", "", fmt(zarr_seconds), "", reads.summary(repeats + 1, n_chunks))
    )
    lazy = da.from_zarr(counted)
    with ReadCounter() as reads:
        dask_seconds = best_of(lambda: extract_region_traces(lazy, masks).compute(scheduler="threads"), repeats)
    rows.append(
        (
            "same cells via dask (from_zarr), threaded scheduler",
            "",
            fmt(dask_seconds),
            "",
            reads.summary(repeats + 1, n_chunks),
        )
    )
    if not args.skip_cluster:
        import distributed

        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            remote = da.from_zarr(str(store))

            def on_cluster():
                return client.compute(extract_region_traces(remote, masks)).result()

            cluster_seconds = best_of(on_cluster, 2)
            np.testing.assert_allclose(on_cluster(), expected, rtol=1e-12)
        rows.append(("same cells via dask, LocalCluster of 2 worker processes", "", fmt(cluster_seconds), "", ""))

    kymo_path = [(10, 10), (240, 40), (128, 250)]
    kymo = best_of(lambda: extract_kymograph(video, kymo_path, size=3), args.repeats)
    positions = extract_kymograph(video[:1], kymo_path, size=3)[1]
    kymo_traces = best_of(lambda: extract_traces(video, positions, size=3), args.repeats)
    rows.append(
        (
            f"kymograph, 2-segment path ({len(positions)} samples), rect 3, same memmap",
            "",
            fmt(kymo),
            "",
            f"extract_traces of its positions: {fmt(kymo_traces)}",
        )
    )

    print(
        f"\nMeasured on {platform.node()} ({os.cpu_count()} cores, {platform.machine()}), "
        f"Python {platform.python_version()}, numpy {np.__version__}; load average "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}\n"
    )
    print("| workload | baseline | optimap-trace | ratio | target / note |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
