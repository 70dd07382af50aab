"""extract_traces on videos that are never loaded whole: memmap, TIFF, zarr, HDF5, dask."""

import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from optimap.trace import extract_region_traces, extract_traces, random_positions
from optimap.video import load_video

WINDOWS = ["rect", "disc", "pixel"]


def assert_same(actual, expected):
    """Equal up to the last bits of float rounding (BLAS may sum blocks of other sizes in another order)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0)


@pytest.fixture(scope="module")
def video():
    rng = np.random.default_rng(7)
    return rng.integers(0, 4096, size=(37, 48, 40), dtype=np.uint16)


@pytest.fixture(scope="module")
def positions():
    return random_positions((48, 40), 60, rng=1) + [(0, 0), (39, 47), (39, 0), (0, 47)]


def dense_positions():
    rows, cols = np.mgrid[0:48, 0:40]
    return np.column_stack([cols.ravel(), rows.ravel()])


@pytest.mark.parametrize("window", WINDOWS)
def test_npy_memmap(tmp_path, video, positions, window):
    np.save(tmp_path / "v.npy", video)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    for pos in (positions, dense_positions()):
        np.testing.assert_array_equal(
            extract_traces(mapped, pos, size=5, window=window), extract_traces(video, pos, size=5, window=window)
        )


def test_raw_memmap_and_load_video(tmp_path, video, positions):
    raw = np.memmap(tmp_path / "v.raw", dtype=np.uint16, mode="w+", shape=video.shape)
    raw[:] = video
    raw.flush()
    mapped = np.memmap(tmp_path / "v.raw", dtype=np.uint16, mode="r", shape=video.shape)
    np.testing.assert_array_equal(extract_traces(mapped, positions), extract_traces(video, positions))
    np.save(tmp_path / "v.npy", video)
    loaded = load_video(tmp_path / "v.npy", use_mmap=True)
    np.testing.assert_array_equal(extract_traces(loaded, positions), extract_traces(video, positions))


def test_tiff(tmp_path, video, positions):
    tifffile = pytest.importorskip("tifffile")
    tifffile.imwrite(tmp_path / "v.tif", video)
    for use_mmap in (False, True):
        loaded = load_video(tmp_path / "v.tif", use_mmap=use_mmap)
        np.testing.assert_array_equal(
            extract_traces(loaded, positions, window="disc"), extract_traces(video, positions, window="disc")
        )


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("chunks", [(10, 16, 16), (37, 48, 40), (1, 7, 40)])
def test_zarr(tmp_path, video, positions, window, chunks):
    zarr = pytest.importorskip("zarr")
    store = zarr.create_array(tmp_path / "v.zarr", shape=video.shape, chunks=chunks, dtype=video.dtype)
    store[:] = video
    array = zarr.open_array(tmp_path / "v.zarr", mode="r")
    for pos in (positions, dense_positions(), [(3, 3)]):
        assert_same(
            extract_traces(array, pos, size=4, window=window), extract_traces(video, pos, size=4, window=window)
        )


@pytest.mark.parametrize("through_dask", [False, True])
def test_zarr_reads_only_needed_chunks(tmp_path, video, through_dask):
    """Corrupt every chunk that holds no needed pixel: extraction must not touch them."""
    zarr = pytest.importorskip("zarr")
    path = tmp_path / "v.zarr"
    store = zarr.create_array(path, shape=video.shape, chunks=(10, 16, 16), dtype=video.dtype)
    store[:] = video
    # The window at (x=5, y=5), size 3, lies in spatial chunk (0, 0) only.
    chunk_files = [p for p in (path / "c").rglob("*") if p.is_file()]
    assert chunk_files
    damaged = 0
    for chunk in chunk_files:
        _, row_chunk, col_chunk = chunk.relative_to(path / "c").parts  # c/time/row/column
        if (row_chunk, col_chunk) != ("0", "0"):
            chunk.write_bytes(b"not a chunk")
            damaged += 1
    assert damaged > 0
    array = zarr.open_array(path, mode="r")
    if through_dask:
        import dask.array as da

        traces = extract_traces(da.from_zarr(array), (5, 5), size=3).compute()
    else:
        traces = extract_traces(array, (5, 5), size=3)
    np.testing.assert_array_equal(traces, extract_traces(video, (5, 5), size=3))
    with pytest.raises(Exception):  # noqa: B017  (whatever the codec raises on a damaged chunk)
        np.asarray(array[:, 40:, 30:])


def test_a_few_windows_of_zarr_and_hdf5_do_not_load_numba(tmp_path, video):
    """A fresh process reading a few windows from chunked stores takes the numpy path on the gathered
    pixels (importing numba and loading its runtime would cost it a second or more)."""
    pytest.importorskip("zarr")
    pytest.importorskip("h5py")
    np.save(tmp_path / "v.npy", video)
    code = f"""
import sys, numpy as np, zarr, h5py
from optimap import extract_traces
video = np.load({str(tmp_path / "v.npy")!r})
positions = [(3, 4), (20, 30), (39, 47)]
z = zarr.create_array({str(tmp_path / "v.zarr")!r}, shape=video.shape, chunks=(10, 16, 16), dtype=video.dtype)
z[:] = video
with h5py.File({str(tmp_path / "v.h5")!r}, "w") as f:
    f.create_dataset("video", data=video, chunks=(8, 12, 10))
    same = [np.array_equal(extract_traces(store, positions, size=5, window=window),
                           extract_traces(video, positions, size=5, window=window))
            for store in (z, f["video"]) for window in ("rect", "disc")]
print(all(same), "numba" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize("chunks", [None, (8, 12, 10), True])
@pytest.mark.parametrize("window", WINDOWS)
def test_hdf5(tmp_path, video, positions, window, chunks):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "v.h5", "w") as f:
        f.create_dataset("video", data=video, chunks=chunks)
    with h5py.File(tmp_path / "v.h5", "r") as f:
        for pos in (positions, dense_positions()):
            assert_same(
                extract_traces(f["video"], pos, size=5, window=window),
                extract_traces(video, pos, size=5, window=window),
            )


def test_hdf5_float_with_nan(tmp_path):
    h5py = pytest.importorskip("h5py")
    data = np.random.default_rng(0).random((9, 20, 20)).astype(np.float32)
    data[data < 0.1] = np.nan
    with h5py.File(tmp_path / "v.h5", "w") as f:
        f.create_dataset("video", data=data, chunks=(3, 5, 5), compression="gzip")
    with h5py.File(tmp_path / "v.h5", "r") as f:
        for window in WINDOWS:
            np.testing.assert_array_equal(
                extract_traces(f["video"], [(1, 1), (19, 19), (10, 3)], window=window),
                extract_traces(data, [(1, 1), (19, 19), (10, 3)], window=window),
            )


# --- dask -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("chunks", [(10, -1, -1), (5, 16, 20)])
def test_dask_is_lazy_and_equal(video, positions, window, chunks):
    da = pytest.importorskip("dask.array")
    lazy_video = da.from_array(video, chunks=chunks)
    for pos in (positions, dense_positions()):
        traces = extract_traces(lazy_video, pos, size=5, window=window)
        assert isinstance(traces, da.Array)
        assert traces.shape == (37, len(pos))
        expected = extract_traces(video, pos, size=5, window=window)
        assert traces.dtype == expected.dtype
        assert_same(traces.compute(scheduler="threads"), expected)
    single = extract_traces(lazy_video, (4, 4), window=window)
    assert single.shape == (37,)
    assert_same(single.compute(), extract_traces(video, (4, 4), window=window))
    assert extract_traces(lazy_video, []).compute().shape == (37, 0)


@pytest.mark.parametrize("make", ["from_array", "masked_array"])
@pytest.mark.parametrize("window", WINDOWS)
def test_dask_of_masked_chunks_leaves_the_masked_pixels_out(video, positions, window, make):
    """As for the masked array itself (its masked pixels are NaN to the mean); before, dask's chunks
    were averaged with their masked values, silently."""
    da = pytest.importorskip("dask.array")
    mask = np.random.default_rng(3).random(video.shape) < 0.3
    mask[:, :6, :6] = True  # windows all masked: NaN
    masked = np.ma.masked_array(video, mask=mask)
    if make == "from_array":
        lazy_video = da.from_array(masked, chunks=(10, 16, 20), asarray=False)
    else:
        lazy_video = da.ma.masked_array(da.from_array(video, chunks=(10, 16, 20)), mask=mask)
    for pos in (positions, dense_positions()):
        traces = extract_traces(lazy_video, pos, size=5, window=window)
        expected = extract_traces(masked, pos, size=5, window=window)
        assert traces.dtype == expected.dtype == np.float64
        np.testing.assert_allclose(traces.compute(), expected, rtol=1e-12, atol=0)
        assert np.isnan(expected).any() and not np.isnan(expected).all()
    region = np.zeros(video.shape[1:], dtype=bool)
    region[2:30, 4:25] = True
    np.testing.assert_allclose(
        extract_region_traces(lazy_video, region).compute(), extract_region_traces(masked, region), rtol=1e-12
    )


def test_dask_of_unknown_length_says_how_to_know_it(video):
    """A boolean index leaves dask's frame count unknown (NaN): say so, and what makes it known."""
    da = pytest.importorskip("dask.array")
    lazy_video = da.from_array(video, chunks=(10, -1, -1))
    kept = lazy_video[lazy_video[:, 0, 0] > -1e9]
    with pytest.raises(ValueError, match=r"^video has unknown sizes, shape \(nan, .*compute_chunk_sizes\(\) first"):
        extract_traces(kept, (1, 2))
    assert_same(extract_traces(kept.compute_chunk_sizes(), (1, 2)).compute(), extract_traces(video, (1, 2)))


def test_dask_show_computes(video):
    import matplotlib.pyplot as plt

    da = pytest.importorskip("dask.array")
    fig, ax = plt.subplots()
    extract_traces(da.from_array(video, chunks=(10, -1, -1)), [(1, 1), (2, 2)], ax=ax)
    assert_same(ax.lines[0].get_ydata(), extract_traces(video, (1, 1)))


def test_dask_distributed_local_cluster(video, positions):
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lazy_video = da.from_array(video, chunks=(8, -1, -1))
        for window in WINDOWS:
            traces = extract_traces(lazy_video, positions, window=window)
            assert_same(client.compute(traces).result(), extract_traces(video, positions, window=window))
        assert len(client.scheduler_info()["workers"]) == 2


# --- progress and memory ----------------------------------------------------------------------------------


def test_progress_bar(capsys, monkeypatch, video, positions):
    from optimap.trace import _extract

    pytest.importorskip("tqdm")
    monkeypatch.setattr(_extract, "_PROGRESS_DELAY", 0.0)  # show it even for this quick extraction
    traces = extract_traces(video, positions, progress=True)
    np.testing.assert_array_equal(traces, extract_traces(video, positions))
    assert "extracting traces" in capsys.readouterr().err
    with pytest.raises(TypeError, match="progress must be True or False"):
        extract_traces(video, positions, progress="yes")


@pytest.mark.memory
def test_memory_stays_bounded_on_a_large_memmap(tmp_path):
    """300 disc positions from a 256 MiB memmap: peak allocation <= output + 64 MiB."""
    shape = (2048, 256, 256)  # uint16: 256 MiB
    raw = np.lib.format.open_memmap(tmp_path / "big.npy", mode="w+", dtype=np.uint16, shape=shape)
    for start in range(0, shape[0], 256):
        raw[start : start + 256] = np.arange(start, start + 256, dtype=np.uint16)[:, None, None]
    raw.flush()
    del raw
    mapped = np.load(tmp_path / "big.npy", mmap_mode="r")
    positions = random_positions(shape[1:], 300, rng=0)
    output_bytes = shape[0] * 300 * 8
    tracemalloc.start()
    try:
        traces = extract_traces(mapped, positions, size=9, window="disc")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= output_bytes + 64 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    np.testing.assert_allclose(traces, np.repeat(np.arange(shape[0], dtype=float)[:, None], 300, axis=1))
    assert os.path.getsize(tmp_path / "big.npy") >= 256 * 2**20


class PageReader:
    """A video that reads whole frames on slicing, like a page-by-page file reader."""

    def __init__(self, video):
        self._video = video
        self.shape, self.dtype, self.ndim = video.shape, video.dtype, video.ndim
        self.largest_read = 0

    def __getitem__(self, index):
        frames = np.array(self._video[index])
        self.largest_read = max(self.largest_read, frames.nbytes)
        return frames


def test_other_array_likes_are_read_in_bounded_blocks(monkeypatch, video, positions):
    from optimap.trace import _sources

    monkeypatch.setattr(_sources, "_CHUNKED_BLOCK_BYTES", 10 * video[0].nbytes)
    reader = PageReader(video)
    assert_same(extract_traces(reader, positions[:5]), extract_traces(video, positions[:5]))
    assert reader.largest_read <= 10 * video[0].nbytes
