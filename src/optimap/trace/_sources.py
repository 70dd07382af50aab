"""Where the frames come from: in-memory and memory-mapped arrays, chunked
stores (zarr, HDF5) and dask arrays. Each source feeds the same kernels.

* numpy arrays and ``np.memmap``: blocks of frames are sliced and the kernel
  reads the pixels it needs straight from them (for a memmap, only the pages
  holding those pixels are read from disk).
* zarr arrays and HDF5 datasets: the footprint's pixels are grouped by the
  store's spatial chunks; for each block of frames (a whole number of time
  chunks) only the bounding box of the needed pixels inside each needed chunk
  is read, so chunks holding no needed pixel are never read or decompressed.
* dask arrays: a lazy dask array of traces; one task per chunk gathers its
  needed pixels (chunks without any are never computed) and one task per time
  chunk reduces them with the same kernel, on any scheduler. Dense rect
  windows go to the box kernel in blocks of whole frames instead.
"""

from typing import NamedTuple

import numpy as np

from ._kernels import extract_block, reduce_gathered

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
    """numpy arrays, memmaps and anything else that slices like numpy."""

    threads_allowed = True

    def __init__(self, video, footprint):
        self.video = video
        self.footprint = footprint

    def block_frames(self, cache_block):
        """Frames per block: ``cache_block`` for numpy arrays (slicing is a view, the kernel reads
        only what it needs); for other array-likes, whose slices are read whole, no more than
        about _CHUNKED_BLOCK_BYTES of frames."""
        if isinstance(self.video, np.ndarray):
            return cache_block
        height, width = self.footprint.frame_shape
        frame_bytes = height * width * np.dtype(self.video.dtype).itemsize
        return min(cache_block, max(1, _CHUNKED_BLOCK_BYTES // max(frame_bytes, 1)))

    def extract(self, start, stop, out_dtype, scratch, out):
        extract_block(self.video[start:stop], self.footprint, out_dtype, scratch, out)


class ChunkedSource:
    """zarr arrays and h5py datasets: read only the chunks holding needed pixels."""

    def __init__(self, video, footprint):
        self.video = video
        self.footprint = footprint
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
        self.all_chunks = len(self.groups) == n_chunks

    def block_frames(self, cache_block):
        """A whole number of time chunks, about _CHUNKED_BLOCK_BYTES of needed pixels or whole frames."""
        itemsize = np.dtype(self.video.dtype).itemsize
        height, width = self.footprint.frame_shape
        per_frame = (height * width if self.footprint.uses_box else max(self.footprint.n_pixels, 1)) * max(itemsize, 4)
        chunks = max(1, _CHUNKED_BLOCK_BYTES // (per_frame * self.time_chunk))
        return int(chunks * self.time_chunk)

    def gather(self, start, stop):
        """The footprint's pixels of frames ``start:stop``, shape ``(b, P)``."""
        gathered = np.empty((stop - start, self.footprint.n_pixels), dtype=self.video.dtype)
        for group in self.groups:
            part = np.asarray(self.video[start:stop, group.rows, group.cols])
            gathered[:, group.members] = part.reshape(stop - start, -1)[:, group.local]
        return gathered

    def extract(self, start, stop, out_dtype, scratch, out):
        if self.all_chunks and self.footprint.uses_box:
            extract_block(np.asarray(self.video[start:stop]), self.footprint, out_dtype, scratch, out)
        else:
            out[...] = reduce_gathered(self.gather(start, stop), self.footprint, out_dtype)


def make_source(video, footprint):
    if _is_chunked_store(video):
        return ChunkedSource(video, footprint)
    return ArraySource(video, footprint)


def _dask_frames(frames, footprint, out_dtype):
    return extract_block(frames, footprint, out_dtype)


def _dask_gather(block, rows, cols, local):
    """The needed pixels ``(b, p)`` of one dask chunk; rows and cols are relative to the chunk."""
    part = np.asarray(block[:, rows, cols])
    return part.reshape(len(part), -1)[:, local]


def _dask_reduce(parts, members, n_pixels, footprint, out_dtype):
    """Traces ``(b, N)`` of one time chunk from the gathered pixels of its spatial chunks."""
    gathered = np.empty((len(parts[0]), n_pixels), dtype=parts[0].dtype)
    for part, index in zip(parts, members):
        gathered[:, index] = part
    return reduce_gathered(gathered, footprint, out_dtype)


def extract_dask(video, footprint, out_dtype):
    """A lazy dask array ``(T, N)`` of traces, one output chunk per time chunk of the video.

    Each task gathers the footprint's pixels of one chunk, so chunks holding no
    needed pixel are never computed and only needed pixels travel between
    workers; one task per time chunk reduces them with the shared kernel. When
    rect windows cover the frame many times over, whole frames go to the box
    kernel instead.
    """
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    n_frames, height, width = video.shape
    if footprint.n_positions == 0 or n_frames == 0:
        return da.zeros((n_frames, footprint.n_positions), dtype=out_dtype)
    meta = np.empty((0, 0), dtype=out_dtype)
    if footprint.uses_box:
        frames = video.rechunk({1: -1, 2: -1})
        return frames.map_blocks(
            _dask_frames, footprint, out_dtype, dtype=out_dtype, drop_axis=2,
            chunks=(frames.chunks[0], (footprint.n_positions,)), meta=meta, token="optimap-extract-traces",
        )
    time_chunks, row_chunks, col_chunks = video.chunks
    row_edges = np.cumsum((0, *row_chunks))
    col_edges = np.cumsum((0, *col_chunks))
    groups = group_by_chunk(footprint.pixels, width, row_edges, col_edges)
    token = tokenize(video.name, footprint.rows, footprint.cols, footprint.window, footprint.size, str(out_dtype))
    name, gather_name = f"optimap-extract-traces-{token}", f"optimap-gather-pixels-{token}"
    members = [group.members for group in groups]
    graph = {}
    for t in range(len(time_chunks)):
        parts = []
        for g, group in enumerate(groups):
            j, k = group.chunk
            rows = slice(group.rows.start - row_edges[j], group.rows.stop - row_edges[j])
            cols = slice(group.cols.start - col_edges[k], group.cols.stop - col_edges[k])
            graph[(gather_name, t, g)] = (_dask_gather, (video.name, t, j, k), rows, cols, group.local)
            parts.append((gather_name, t, g))
        graph[(name, t, 0)] = (_dask_reduce, parts, members, footprint.n_pixels, footprint, out_dtype)
    layers = HighLevelGraph.from_collections(name, graph, dependencies=[video])
    return da.Array(layers, name, chunks=(time_chunks, (footprint.n_positions,)), dtype=out_dtype, meta=meta)
