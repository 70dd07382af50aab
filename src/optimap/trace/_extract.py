"""The extraction engine: all positions and the window become one footprint,
then one pass over the video in blocks of frames reads only the pixels it needs.

Two kernels share the work:

* the *sparse* kernel gathers the footprint's distinct pixels of a block of
  frames into a ``(pixels, frames)`` array and reduces it with one sparse
  matrix product (a row per position), NaN-aware;
* the *box* kernel, for ``rect`` windows that cover much of the frame, sums
  each block with separable sliding sums and picks the positions' values.

Blocks of frames are handed to a small thread pool (numpy and scipy.sparse
release the GIL). The per-block functions take a plain numpy block, so lazy
arrays (memmap, zarr, HDF5, dask) feed the same kernels.
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._validate import check_video
from ._positions import positions_to_pixels
from ._windows import check_size, check_window, is_single_pixel, window_offsets

# Target size of the gathered data of one block, in bytes (fits in L2 cache).
_BLOCK_BYTES = 1 << 21
# Up to this many window pixels in all, gathering whole windows beats the sparse product.
_FEW_ENTRIES = 2048
# Frames per block of the box kernel: about this many bytes of float32 frame.
_BOX_BLOCK_BYTES = 1 << 19
# Below this many gathered values in total, threads cost more than they gain.
_THREAD_MIN_VALUES = 1 << 21


def output_dtype(video_dtype, single_pixel):
    """dtype of a trace: a window mean has numpy.mean's dtype, a pixel keeps the video's."""
    video_dtype = np.dtype(video_dtype)
    if single_pixel:
        return video_dtype
    if np.issubdtype(video_dtype, np.floating):
        return video_dtype
    return np.dtype(np.float64)


def _accumulator_dtype(out_dtype):
    """Sums of float16 run in float32; everything else in the output dtype."""
    return np.dtype(np.float32) if out_dtype == np.float16 else out_dtype


class Footprint:
    """All positions' windows as one set of pixels and a sparse sum matrix.

    Parameters
    ----------
    rows, cols : ndarray of int, shape (N,)
        Centre pixels, inside the frame.
    frame_shape : (int, int)
        ``(height, width)``.
    window : str
    size : int

    Attributes
    ----------
    pixels : ndarray of intp, shape (P,)
        Sorted flat indices (``row * width + column``) of every pixel any
        window needs.
    counts : ndarray of int, shape (N,)
        Pixels inside each (border-clipped) window.
    """

    def __init__(self, rows, cols, frame_shape, window, size):
        self.frame_shape = tuple(frame_shape)
        self.rows = np.asarray(rows, dtype=np.intp)
        self.cols = np.asarray(cols, dtype=np.intp)
        self.window = window
        self.size = size
        self.single_pixel = is_single_pixel(window, size)
        self.n_positions = len(self.rows)
        self._window = self._window_pixels()
        self.counts = self._window[2].sum(axis=1)
        self.n_entries = int(self.counts.sum())
        self._matrices = {}

    def _window_pixels(self):
        """Rows, columns and in-frame flags ``(N, K)`` of every window pixel."""
        height, width = self.frame_shape
        row_offsets, col_offsets = window_offsets(self.window, self.size)
        window_rows = self.rows[:, None] + row_offsets
        window_cols = self.cols[:, None] + col_offsets
        inside = (window_rows >= 0) & (window_rows < height) & (window_cols >= 0) & (window_cols < width)
        return window_rows, window_cols, inside

    @functools.cached_property
    def _pixels_and_columns(self):
        width = self.frame_shape[1]
        if self.single_pixel:
            return self.rows * width + self.cols, None
        window_rows, window_cols, inside = self._window
        flat = (window_rows * width + window_cols)[inside]
        return np.unique(flat, return_inverse=True)

    @property
    def pixels(self):
        return self._pixels_and_columns[0]

    @property
    def _column_of(self):
        return self._pixels_and_columns[1]

    def padded_windows(self):
        """Flat pixel index, mean weights and membership, each ``(N, K)``; clipped pixels get weight 0."""
        if getattr(self, "_padded", None) is None:
            window_rows, window_cols, inside = self._window
            width = self.frame_shape[1]
            centre = (self.rows * width + self.cols)[:, None]
            index = np.where(inside, window_rows * width + window_cols, centre)
            weights = inside / self.counts[:, None]
            self._padded = (index, weights, inside)
        return self._padded

    @property
    def n_pixels(self):
        return int(self.pixels.size)

    def matrices(self, dtype):
        """Sparse ``(N, P)`` matrices in CSR form: the window means and the 0/1 membership."""
        dtype = np.dtype(dtype)
        if dtype not in self._matrices:
            import scipy.sparse

            indptr = np.concatenate(([0], np.cumsum(self.counts)))
            indices = self._column_of.astype(np.int32 if self.n_pixels < 2**31 else np.int64)
            shape = (self.n_positions, self.n_pixels)
            ones = np.ones(self.n_entries, dtype=dtype)
            weights = np.repeat((1.0 / self.counts).astype(dtype), self.counts)
            mean = scipy.sparse.csr_array((weights, indices, indptr), shape=shape)
            membership = scipy.sparse.csr_array((ones, indices, indptr), shape=shape)
            self._matrices[dtype] = (mean, membership)
        return self._matrices[dtype]

    def block_frames(self, itemsize):
        """Frames per block so that one block of gathered pixels is about _BLOCK_BYTES."""
        per_frame = max(self.n_entries if self.n_entries <= _FEW_ENTRIES else self.n_pixels, 1) * max(itemsize, 4)
        return int(np.clip(_BLOCK_BYTES // per_frame, 4, 4096))


def take_pixels(frames, pixels):
    """``frames[:, pixels]`` for flat pixel indices of a ``(b, H, W)`` block, shape ``(b, *pixels.shape)``."""
    flat = np.asarray(frames).reshape(len(frames), -1)
    if flat.flags.c_contiguous:  # np.take is several times faster than fancy indexing here
        return np.take(flat, pixels.ravel(), axis=1).reshape(len(frames), *pixels.shape)
    return flat[:, pixels]


def gather_pixels(frames, pixels):
    """``(pixels, frames)`` array of the given flat pixels of a ``(b, H, W)`` block."""
    return np.ascontiguousarray(take_pixels(frames, pixels).T)


def reduce_pixels(gathered, footprint, out_dtype):
    """Window means ``(b, N)`` from gathered pixels ``(P, b)``; NaN pixels are left out."""
    if footprint.single_pixel:
        return gathered.T.astype(out_dtype, copy=False)
    acc = _accumulator_dtype(out_dtype)
    values = gathered.astype(acc, copy=False)
    mean, membership = footprint.matrices(acc)
    means = mean @ values
    if np.issubdtype(values.dtype, np.floating) and np.isnan(means).any():  # NaN pixels: leave them out
        missing = np.isnan(values)
        if missing.any():
            sums = membership @ np.where(missing, 0, values)
            valid = membership @ (~missing).astype(acc)
            result = np.full(sums.shape, np.nan, dtype=acc)
            np.divide(sums, valid, out=result, where=valid > 0)
            return result.T.astype(out_dtype, copy=False)
    return means.T.astype(out_dtype, copy=False)


def _windows_block(frames, footprint, out_dtype):
    """Traces ``(b, N)`` for a few positions: gather ``(b, N, K)`` and take weighted sums."""
    index, weights, member = footprint.padded_windows()
    acc = _accumulator_dtype(out_dtype)
    values = take_pixels(frames, index).astype(acc, copy=False)
    n_frames, n_positions, n_window = values.shape
    if n_positions <= 16:  # a small block-diagonal matrix product is the fastest reduction
        block_weights = np.zeros((n_positions, n_window, n_positions), dtype=acc)
        block_weights[np.arange(n_positions), :, np.arange(n_positions)] = weights
        means = values.reshape(n_frames, -1) @ block_weights.reshape(-1, n_positions)
    else:
        means = np.einsum("bnk,nk->bn", values, weights.astype(acc, copy=False))
    if np.issubdtype(acc, np.floating) and np.isnan(means).any():  # NaN pixels: leave them out
        missing = np.isnan(values)
        if missing.any():
            present = member & ~missing
            sums = np.einsum("bnk,bnk->bn", np.where(present, values, 0), present.astype(acc))
            valid = present.sum(axis=2)
            result = np.full(sums.shape, np.nan, dtype=acc)
            np.divide(sums, valid, out=result, where=valid > 0)
            return result.astype(out_dtype, copy=False)
    return means.astype(out_dtype, copy=False)


def extract_block(frames, footprint, out_dtype, scratch=None, out=None):
    """Traces ``(b, N)`` of one in-memory block of frames ``(b, H, W)``: the shared kernel.

    ``scratch`` (from :func:`make_scratch`) lets one worker reuse its buffers;
    ``out`` receives the result when given.
    """
    if _use_box(footprint):
        return _box_block(np.asarray(frames), footprint, out_dtype, scratch, out)
    if footprint.single_pixel:
        result = take_pixels(frames, footprint.pixels)
    elif footprint.n_entries <= _FEW_ENTRIES:
        result = _windows_block(frames, footprint, out_dtype)
    else:
        result = reduce_pixels(gather_pixels(frames, footprint.pixels), footprint, out_dtype)
    if out is not None:
        out[...] = result
    return result


def make_scratch(footprint, n_frames, out_dtype):
    """Reusable buffers for blocks of up to ``n_frames`` frames (None when not needed)."""
    if _use_box(footprint):
        return _BoxScratch(footprint, n_frames, _accumulator_dtype(out_dtype))
    return None


# --- the box kernel -----------------------------------------------------------------------------


def _use_box(footprint):
    """Separable sums win when rect windows of size >= 2 cover much of the frame."""
    if footprint.window != "rect" or footprint.single_pixel:
        return False
    height, width = footprint.frame_shape
    return footprint.n_entries >= height * width


def _box_count_map(footprint):
    """Pixels inside the clipped rect window centred at every pixel of the frame."""
    height, width = footprint.frame_shape
    size = footprint.size
    before, after = size // 2, size - 1 - size // 2

    def inside_along(n):
        centre = np.arange(n)
        return np.minimum(centre + after, n - 1) - np.maximum(centre - before, 0) + 1

    return np.outer(inside_along(height), inside_along(width))


class _BoxScratch:
    """Buffers of the box kernel, reused from block to block by one worker thread."""

    def __init__(self, footprint, n_frames, acc):
        height, width = footprint.frame_shape
        size = footprint.size
        self.padded = np.zeros((n_frames, height + size - 1, width + size - 1), dtype=acc)
        self.row_sums = np.empty((n_frames, height + size - 1, width), dtype=acc)
        self.box = np.empty((n_frames, height, width), dtype=acc)


def _box_setup(footprint, acc):
    """Inverse window sizes at the centres and how to pick the centres out of a frame."""
    if getattr(footprint, "_box", None) is None or footprint._box[0] != acc:
        height, width = footprint.frame_shape
        centres = footprint.rows * width + footprint.cols
        inverse = (1.0 / _box_count_map(footprint)).astype(acc).ravel()
        start = int(centres[0]) if centres.size else 0
        if np.array_equal(centres, np.arange(start, start + centres.size)):
            pick = slice(start, start + centres.size)  # e.g. every pixel: no gather needed
        else:
            pick = centres
        footprint._box = (acc, pick, inverse[pick])
    return footprint._box[1:]


def _box_block(frames, footprint, out_dtype, scratch=None, out=None):
    height, width = footprint.frame_shape
    size = footprint.size
    before = size // 2
    acc = _accumulator_dtype(out_dtype)
    n = len(frames)
    if scratch is None or scratch.padded.shape[0] < n or scratch.padded.dtype != acc:
        scratch = _BoxScratch(footprint, n, acc)
    padded, row_sums, box = scratch.padded[:n], scratch.row_sums[:n], scratch.box[:n]
    padded[:, before : before + height, before : before + width] = frames
    if size <= 16:
        np.add(padded[:, :, 0:width], padded[:, :, 1 : 1 + width], out=row_sums)
        for k in range(2, size):
            row_sums += padded[:, :, k : k + width]
        np.add(row_sums[:, 0:height], row_sums[:, 1 : 1 + height], out=box)
        for k in range(2, size):
            box += row_sums[:, k : k + height]
    else:  # long windows: differences of cumulative sums, in float64 for accuracy
        cumulative = np.zeros((n, padded.shape[1], padded.shape[2] + 1))
        np.cumsum(padded, axis=2, out=cumulative[:, :, 1:])
        sums = cumulative[:, :, size:] - cumulative[:, :, :width]
        cumulative = np.zeros((n, padded.shape[1] + 1, width))
        np.cumsum(sums, axis=1, out=cumulative[:, 1:])
        box[...] = cumulative[:, size:] - cumulative[:, :height]
    pick, inverse = _box_setup(footprint, acc)
    flat = box.reshape(n, -1)
    picked = flat[:, pick] if isinstance(pick, slice) else np.take(flat, pick, axis=1)
    if out is None or out.dtype != acc:
        result = np.multiply(picked, inverse)
    else:
        result = np.multiply(picked, inverse, out=out)
    if np.issubdtype(acc, np.floating) and not np.isfinite(result.sum()):
        # NaN or inf pixels: redo this block with the NaN-aware sparse kernel.
        result = reduce_pixels(gather_pixels(frames, footprint.pixels), footprint, out_dtype)
    if out is not None and result is not out:
        out[...] = result
    return result.astype(out_dtype, copy=False)


# --- running the kernel over a video ------------------------------------------------------------


def _frame_blocks(n_frames, block):
    return [(start, min(start + block, n_frames)) for start in range(0, n_frames, block)]


def run_blocks(video, footprint, out_dtype, *, block=None, threads=None):
    """Traces ``(T, N)`` of an array-like video that slices like numpy, block by block."""
    n_frames = video.shape[0]
    out = np.empty((n_frames, footprint.n_positions), dtype=out_dtype)
    if n_frames == 0 or footprint.n_positions == 0:
        return out
    itemsize = np.dtype(video.dtype).itemsize
    if block is None:
        block = footprint.block_frames(itemsize)
        if _use_box(footprint):
            height, width = footprint.frame_shape
            block = int(np.clip(_BOX_BLOCK_BYTES // (height * width * 4), 1, 4096))
    blocks = _frame_blocks(n_frames, block)

    def work(chunk):
        scratch = make_scratch(footprint, block, out_dtype)
        for start, stop in chunk:
            extract_block(video[start:stop], footprint, out_dtype, scratch, out[start:stop])

    if threads is None:
        threads = os.cpu_count() or 1
        if n_frames * footprint.n_entries < _THREAD_MIN_VALUES:
            threads = 1
    threads = max(1, min(threads, len(blocks)))
    if threads == 1:
        work(blocks)
    else:
        per_thread = -(-len(blocks) // threads)
        chunks = [blocks[i : i + per_thread] for i in range(0, len(blocks), per_thread)]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for finished in pool.map(work, chunks):
                pass
    return out


def extract_traces(video, coords, size=5, show=False, window=None, **kwargs):
    """Extract the time series of a video at one or many positions.

    Each trace is the mean of a window of pixels around the position, frame by
    frame. Windows are clipped at the frame border; NaN pixels are left out of
    the mean (a frame whose window is all NaN gives NaN).

    Parameters
    ----------
    video : array_like, shape (T, H, W)
        Frames, rows, columns. Anything that slices like numpy: ndarray,
        ``np.memmap``, zarr or HDF5 arrays; integer or float.
    coords : (x, y) or sequence of (x, y) or ndarray of shape (N, 2)
        Positions: ``x`` is the column and ``y`` the row, so ``(5, 10)`` is the
        pixel ``video[:, 10, 5]``. Non-integer positions round to the nearest
        pixel.
    size : int, optional
        Window size in pixels, by default 5. ``0`` and ``1`` mean the single pixel.
    show : bool, optional
        Plot the traces with :func:`show_traces`, by default False.
    window : {'rect', 'disc', 'pixel'}, optional
        ``'rect'``: a ``size`` x ``size`` square (an even size sits one pixel up
        and left of the centre); ``'disc'``: the pixels at most ``size / 2`` from
        the centre; ``'pixel'``: the pixel itself. By default the window set with
        :func:`set_default_trace_window` (``'rect'``).
    **kwargs
        Passed to :func:`show_traces` (e.g. ``fps``, ``labels``, ``ax``); an
        ``ax`` also plots.

    Returns
    -------
    ndarray, shape (T,) or (T, N)
        One trace for one position, else one column per position (``(T, 0)`` for
        no positions). A window mean has the dtype ``numpy.mean`` gives (float32
        stays float32, integers give float64); a single-pixel trace keeps the
        video's dtype.

    Raises
    ------
    TypeError
        If the video is not numeric or a position is not a pair of numbers.
    ValueError
        If the video is not 3-D, a position lies outside the frame, or ``size``
        or ``window`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import extract_traces
    >>> video = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5)
    >>> extract_traces(video, (2, 1), size=3)  # mean of rows 0-2, columns 1-3
    array([ 7., 27., 47.])
    >>> extract_traces(video, [(0, 0), (4, 3)], size=1)
    array([[ 0, 19],
           [20, 39],
           [40, 59]], dtype=uint16)
    """
    video = check_video(video)
    size = check_size(size)
    window = check_window(window)
    rows, cols, single = positions_to_pixels(coords, tuple(video.shape[1:]))
    footprint = Footprint(rows, cols, tuple(video.shape[1:]), window, size)
    out_dtype = output_dtype(video.dtype, footprint.single_pixel)
    traces = run_blocks(video, footprint, out_dtype)
    if single:
        traces = traces[:, 0]
    if show or "ax" in kwargs:
        from ._plot import show_traces

        show_traces(traces, **kwargs)
    return traces
