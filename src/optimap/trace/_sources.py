"""Where the frames come from: in-memory and memory-mapped arrays, masked arrays,
chunked stores (zarr, HDF5), other array-likes and dask arrays.

A source decides only *what it hands over* (whole frames, or the footprint's
pixels gathered into ``(b, 1, P)``) and how many frames it may read at once;
everything else is the plan's (:mod:`._plan`). Then ``extract(start, stop,
out)`` reads one block and lets the plan reduce it.

* numpy arrays and ``np.memmap``: blocks of frames are views; the kernels read
  only the pixels they need (for a memmap, only those pages come from disk).
* masked arrays: blocks become floats with NaN at the masked pixels.
* zarr arrays and HDF5 datasets: the footprint's pixels are grouped by the
  store's spatial chunks; for each block of frames (a whole number of time
  chunks) only the bounding box of the needed pixels inside each needed chunk
  is read, so chunks holding no needed pixel are never read or decompressed.
* other array-likes (e.g. a TIFF reader): slices are read whole, so blocks are
  kept to about ``_CHUNKED_BLOCK_BYTES``.
* dask arrays: a lazy dask array of traces; one task per chunk gathers its
  needed pixels (chunks without any are never computed) and one task per time
  chunk reduces them with the same plan, on any scheduler. When a dense
  kernel wins, whole frames are mapped block by block instead.
"""

from typing import NamedTuple

import numpy as np

from .._validate import is_masked

# Rows per band when reading an HDF5 dataset stored without chunks.
_UNCHUNKED_BAND = 16
# Target bytes of one block read from a chunked store.
_CHUNKED_BLOCK_BYTES = 1 << 25


def is_dask(video):
    return type(video).__module__.split(".")[0] == "dask"


def _is_chunked_store(video):
    return type(video).__module__.split(".")[0] in ("zarr", "h5py")


def is_hdf5(video):
    return type(video).__module__.split(".")[0] == "h5py"


class ChunkGroup(NamedTuple):
    """The footprint pixels that lie in one spatial chunk."""

    chunk: tuple  # (row chunk, column chunk) index
    members: np.ndarray  # positions of these pixels in footprint.pixels
    rows: slice  # bounding box of the pixels, in frame coordinates
    cols: slice
    local: np.ndarray  # flat indices of the pixels inside the bounding box


def group_by_chunk(pixels, width, row_edges, col_edges):
    """Group flat pixel indices by the spatial chunk (given by its edges) they fall in."""
    rows, cols = np.divmod(pixels, width)
    row_chunk = np.searchsorted(row_edges, rows, side="right") - 1
    col_chunk = np.searchsorted(col_edges, cols, side="right") - 1
    chunk_id = row_chunk * (len(col_edges) - 1) + col_chunk
    order = np.argsort(chunk_id, kind="stable")
    bounds = np.flatnonzero(np.diff(chunk_id[order])) + 1
    groups = []
    for members in np.split(order, bounds) if len(order) else []:
        r, c = rows[members], cols[members]
        r0, r1, c0, c1 = int(r.min()), int(r.max()) + 1, int(c.min()), int(c.max()) + 1
        local = (r - r0) * (c1 - c0) + (c - c0)
        chunk = (int(row_chunk[members[0]]), int(col_chunk[members[0]]))
        groups.append(ChunkGroup(chunk, members, slice(r0, r1), slice(c0, c1), local))
    return groups


class ArraySource:
    """numpy arrays, memmaps and anything else that slices like numpy: hands over whole frames."""

    reads = "frames"
    threads_allowed = True
    time_chunk = None

    def __init__(self, video, footprint):
        self.video = video
        self.footprint = footprint
        self.plan = None

    def block_limit(self):
        """Most frames per block: none for numpy arrays (a slice is a view, the kernel reads only
        what it needs); for other array-likes, whose slices are read whole, about
        _CHUNKED_BLOCK_BYTES of frames."""
        if type(self.video) is np.ndarray or isinstance(self.video, np.ndarray) and not is_masked(self.video):
            return None
        height, width = self.footprint.frame_shape
        frame_bytes = height * width * max(np.dtype(self.video.dtype).itemsize, 8)
        return max(1, _CHUNKED_BLOCK_BYTES // max(frame_bytes, 1))

    def read(self, start, stop):
        return self.video[start:stop]

    def extract(self, start, stop, out):
        self.plan.extract(self.read(start, stop), out[start:stop])


class MaskedSource(ArraySource):
    """``numpy.ma`` arrays: masked pixels become NaN, so the mean leaves them out like NaN."""

    def __init__(self, video, footprint):
        super().__init__(video, footprint)
        self.dtype = masked_dtype(video.dtype)

    def read(self, start, stop):
        return masked_as_nan(self.video[start:stop], self.dtype)


def masked_as_nan(block, dtype):
    """A copy of the masked array ``block`` as ``dtype`` (a float) with NaN at its masked values (the
    input is never modified)."""
    values = np.ma.getdata(block).astype(dtype)
    values[np.ma.getmaskarray(block)] = np.nan
    return values


def masked_dtype(dtype):
    """The float dtype a masked video is read as (its own for floats, float64 for integers)."""
    dtype = np.dtype(dtype)
    return dtype.newbyteorder("=") if dtype.kind == "f" else np.dtype(np.float64)


class ChunkedSource:
    """zarr arrays and h5py datasets: read only the chunks holding needed pixels."""

    def __init__(self, video, footprint, kernel):
        self.video = video
        self.footprint = footprint
        self.plan = None
        n_frames, height, width = video.shape
        chunks = getattr(video, "chunks", None)
        if not chunks:  # an HDF5 dataset stored contiguously: read bands of rows
            chunks = (max(n_frames, 1), _UNCHUNKED_BAND, width)
        self.time_chunk, chunk_rows, chunk_cols = (max(int(c), 1) for c in chunks)
        self.threads_allowed = not is_hdf5(video)  # h5py serialises reads with a global lock
        row_edges = np.arange(0, height + chunk_rows, chunk_rows).clip(max=height)
        col_edges = np.arange(0, width + chunk_cols, chunk_cols).clip(max=width)
        self.groups = group_by_chunk(footprint.pixels, width, row_edges, col_edges)
        n_chunks = (len(row_edges) - 1) * (len(col_edges) - 1)
        # Every chunk is needed and a dense kernel wins: read whole frames.
        self.reads = "frames" if len(self.groups) == n_chunks and kernel in ("box", "profile") else "pixels"

    def block_limit(self):
        """A whole number of time chunks, about _CHUNKED_BLOCK_BYTES of needed pixels or whole frames."""
        itemsize = max(np.dtype(self.video.dtype).itemsize, 4)
        height, width = self.footprint.frame_shape
        per_frame = (height * width if self.reads == "frames" else max(len(self.footprint.pixels), 1)) * itemsize
        chunks = max(1, _CHUNKED_BLOCK_BYTES // (per_frame * self.time_chunk))
        return int(chunks * self.time_chunk)

    def gather(self, start, stop):
        """The footprint's pixels of frames ``start:stop``, shape ``(b, 1, P)``."""
        gathered = np.empty((stop - start, 1, len(self.footprint.pixels)), dtype=self.video.dtype)
        for group in self.groups:
            part = np.asarray(self.video[start:stop, group.rows, group.cols])
            gathered[:, 0, group.members] = part.reshape(stop - start, -1)[:, group.local]
        return gathered

    def extract(self, start, stop, out):
        block = np.asarray(self.video[start:stop]) if self.reads == "frames" else self.gather(start, stop)
        self.plan.extract(block, out[start:stop])


def make_source(video, footprint):
    """The source for a video that slices like numpy (not dask)."""
    if type(video) is np.ndarray:
        return ArraySource(video, footprint)
    if _is_chunked_store(video):
        from ._plan import choose_kernel

        return ChunkedSource(video, footprint, choose_kernel(footprint, "frames"))
    if is_masked(video):
        return MaskedSource(video, footprint)
    return ArraySource(video, footprint)


def _dask_frames(frames, plan):
    if is_masked(frames):
        frames = masked_as_nan(frames, plan.read_dtype)
    out = np.empty((len(frames), plan.n_regions), dtype=plan.out_dtype)
    return plan.extract(frames, out)


def _dask_gather(block, rows, cols, local, dtype):
    """The needed pixels ``(b, p)`` of one dask chunk; rows and cols are relative to the chunk. Masked
    values become NaN (``dtype``, a float, is then what the plan reads)."""
    part = block[:, rows, cols]
    part = masked_as_nan(part, dtype) if is_masked(part) else np.asarray(part)
    return part.reshape(len(part), -1)[:, local]


def _dask_reduce(parts, members, n_pixels, plan):
    """Traces ``(b, N)`` of one time chunk from the gathered pixels of its spatial chunks."""
    gathered = np.empty((len(parts[0]), 1, n_pixels), dtype=parts[0].dtype)
    for part, index in zip(parts, members):
        gathered[:, 0, index] = part
    out = np.empty((len(gathered), plan.n_regions), dtype=plan.out_dtype)
    return plan.extract(gathered, out)


def extract_dask(video, footprint):
    """A lazy dask array ``(T, N)`` of traces, one output chunk per time chunk of the video.

    Each task gathers the footprint's pixels of one chunk, so chunks holding no
    needed pixel are never computed and only needed pixels travel between
    workers; one task per time chunk reduces them with the plan. When a dense
    kernel (box, profile) wins, whole frames go to it instead.
    """
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    from ._plan import choose_kernel, make_plan, output_dtype

    n_frames, height, width = video.shape
    # chunks of numpy.ma arrays (dask's meta says so): masked pixels become NaN, as for a masked array
    video_dtype = masked_dtype(video.dtype) if is_masked(getattr(video, "_meta", None)) else video.dtype
    out_dtype = output_dtype(video_dtype, footprint.single_pixel)
    if footprint.n_regions == 0 or n_frames == 0:
        return da.zeros((n_frames, footprint.n_regions), dtype=out_dtype)
    meta = np.empty((0, 0), dtype=out_dtype)
    # dask runs the tasks in parallel: each task runs on one thread, as one block.
    if choose_kernel(footprint, "frames") in ("box", "profile"):
        plan = make_plan(footprint, video_dtype, reads="frames", threads=1, block_frames=n_frames, n_frames=n_frames)
        frames = video.rechunk({1: -1, 2: -1})
        return frames.map_blocks(
            _dask_frames,
            plan,
            dtype=out_dtype,
            drop_axis=2,
            chunks=(frames.chunks[0], (footprint.n_regions,)),
            meta=meta,
            token="optimap-extract-traces",
        )
    pixels = footprint.pixels
    plan = make_plan(
        footprint, video_dtype, reads="pixels", pixels=pixels, threads=1, block_frames=n_frames, n_frames=n_frames
    )
    time_chunks, row_chunks, col_chunks = video.chunks
    row_edges = np.cumsum((0, *row_chunks))
    col_edges = np.cumsum((0, *col_chunks))
    groups = group_by_chunk(pixels, width, row_edges, col_edges)
    token = tokenize(video.name, plan.kernel, plan.args, str(out_dtype))
    name, gather_name = f"optimap-extract-traces-{token}", f"optimap-gather-pixels-{token}"
    members = [group.members for group in groups]
    graph = {}
    for t in range(len(time_chunks)):
        parts = []
        for g, group in enumerate(groups):
            j, k = group.chunk
            rows = slice(group.rows.start - row_edges[j], group.rows.stop - row_edges[j])
            cols = slice(group.cols.start - col_edges[k], group.cols.stop - col_edges[k])
            graph[(gather_name, t, g)] = (_dask_gather, (video.name, t, j, k), rows, cols, group.local, video_dtype)
            parts.append((gather_name, t, g))
        graph[(name, t, 0)] = (_dask_reduce, parts, members, len(pixels), plan)
    layers = HighLevelGraph.from_collections(name, graph, dependencies=[video])
    return da.Array(layers, name, chunks=(time_chunks, (footprint.n_regions,)), dtype=out_dtype, meta=meta)
