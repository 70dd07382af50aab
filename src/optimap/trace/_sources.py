"""Where the frames come from: in-memory and memory-mapped arrays, chunked
stores (zarr, HDF5) and dask arrays. Each source feeds the same kernels.

* numpy arrays and ``np.memmap``: blocks of frames are sliced and the kernel
  reads the pixels it needs straight from them (for a memmap, only the pages
  holding those pixels are read from disk).
* zarr arrays and HDF5 datasets: the footprint's pixels are grouped by the
  store's spatial chunks; for each block of frames (a whole number of time
  chunks) only the bounding box of the needed pixels inside each needed chunk
  is read, so chunks holding no needed pixel are never read or decompressed.
* dask arrays: ``map_blocks`` over blocks of whole frames gives a lazy dask
  array of traces, computed by the same kernel on any scheduler.
"""

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
        pixels = footprint.pixels
        rows, cols = np.divmod(pixels, width)
        chunk_cols_count = -(-width // chunk_cols)
        chunk_id = (rows // chunk_rows) * chunk_cols_count + cols // chunk_cols
        self.n_chunks_needed = len(np.unique(chunk_id))
        self.all_chunks = self.n_chunks_needed == -(-height // chunk_rows) * chunk_cols_count
        order = np.argsort(chunk_id, kind="stable")
        bounds = np.flatnonzero(np.diff(chunk_id[order])) + 1
        self.groups = []
        for members in np.split(order, bounds):
            r, c = rows[members], cols[members]
            r0, r1, c0, c1 = r.min(), r.max() + 1, c.min(), c.max() + 1
            local = (r - r0) * (c1 - c0) + (c - c0)
            self.groups.append((members, (slice(int(r0), int(r1)), slice(int(c0), int(c1))), local))

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
        for members, (row_slice, col_slice), local in self.groups:
            part = np.asarray(self.video[start:stop, row_slice, col_slice])
            gathered[:, members] = part.reshape(stop - start, -1)[:, local]
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


def _dask_block(frames, footprint, out_dtype):
    return extract_block(frames, footprint, out_dtype)


def extract_dask(video, footprint, out_dtype):
    """A lazy dask array ``(T, N)`` of traces, one task per block of whole frames."""
    import dask.array as da

    n_frames = video.shape[0]
    if footprint.n_positions == 0 or n_frames == 0:
        return da.zeros((n_frames, footprint.n_positions), dtype=out_dtype)
    frames = video.rechunk({1: -1, 2: -1})
    return frames.map_blocks(
        _dask_block,
        footprint,
        out_dtype,
        dtype=out_dtype,
        drop_axis=2,
        chunks=(frames.chunks[0], (footprint.n_positions,)),
        meta=np.empty((0, 0), dtype=out_dtype),
        token="optimap-extract-traces",
    )
