"""``extract_traces``: positions and a window become one footprint, then one
pass over the video in blocks of frames reads only the pixels it needs.

The pieces: :mod:`._footprint` (the pixels and matrices of all windows),
:mod:`._kernels` (traces of one block), :mod:`._sources` (where blocks come
from: arrays, memmaps, zarr, HDF5, dask). Blocks of frames are handed to a
small thread pool; numpy and scipy.sparse release the GIL in the kernels.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._optional import import_optional
from .._validate import check_video
from ._footprint import Footprint, output_dtype
from ._kernels import make_scratch
from ._positions import positions_to_pixels
from ._sources import extract_dask, is_dask, make_source
from ._windows import check_size, check_window

# Target size of the gathered pixels of one block, in bytes (fits in L2 cache).
_BLOCK_BYTES = 1 << 21
# Frames per block of the box kernel: about this many bytes of float32 frame.
_BOX_BLOCK_BYTES = 1 << 20
_CPUS = os.cpu_count() or 1
# Seconds before a progress bar appears: quick extractions show none.
_PROGRESS_DELAY = 1.0
# Below this many window pixels in all (frames x entries), threads cost more than they gain.
_THREAD_MIN_VALUES = 1 << 20


def _default_block(footprint, itemsize):
    if footprint.uses_box:
        height, width = footprint.frame_shape
        return min(max(_BOX_BLOCK_BYTES // (height * width * 4), 1), 4096)
    per_frame = (footprint.n_entries if footprint.uses_few else max(footprint.n_pixels, 1)) * max(itemsize, 4)
    return min(max(_BLOCK_BYTES // per_frame, 4), 4096)


def run_blocks(video, footprint, out_dtype, *, block=None, threads=None, progress=False):
    """Traces ``(T, N)`` of a video that slices like numpy, block by block."""
    n_frames = video.shape[0]
    out = np.empty((n_frames, footprint.n_positions), dtype=out_dtype)
    if n_frames == 0 or footprint.n_positions == 0:
        return out
    source = make_source(video, footprint)
    if block is None:
        block = source.block_frames(_default_block(footprint, np.dtype(video.dtype).itemsize))
    blocks = [(start, min(start + block, n_frames)) for start in range(0, n_frames, block)]
    if threads is None:
        threads = _CPUS
        if n_frames * footprint.n_entries < _THREAD_MIN_VALUES:
            threads = 1
    if not source.threads_allowed:
        threads = 1
    threads = max(1, min(threads, len(blocks)))
    bar = None
    if progress:
        tqdm = import_optional("tqdm", "progress", "show a progress bar").tqdm
        bar = tqdm(total=n_frames, unit="frame", desc="extracting traces", leave=False, delay=_PROGRESS_DELAY)

    def work(chunk):
        scratch = make_scratch(footprint, block, out_dtype)
        for start, stop in chunk:
            source.extract(start, stop, out_dtype, scratch, out[start:stop])
            if bar is not None:
                bar.update(stop - start)

    try:
        if threads == 1:
            work(blocks)
        else:
            per_thread = -(-len(blocks) // threads)
            chunks = [blocks[i : i + per_thread] for i in range(0, len(blocks), per_thread)]
            with ThreadPoolExecutor(max_workers=threads) as pool:
                for _ in pool.map(work, chunks):
                    pass
    finally:
        if bar is not None:
            bar.close()
    return out


def extract_traces(video, coords, size=5, show=False, window=None, *, progress=False, **kwargs):
    """Extract the time series of a video at one or many positions.

    Each trace is the mean of a window of pixels around the position, frame by
    frame. Windows are clipped at the frame border; NaN pixels are left out of
    the mean (a frame whose window is all NaN gives NaN).

    Parameters
    ----------
    video : array_like, shape (T, H, W)
        Frames, rows, columns; integer or float. Anything that slices like
        numpy: an ndarray, an ``np.memmap`` (only the pages holding needed
        pixels are read), a zarr array or HDF5 dataset (only the chunks holding
        needed pixels are read, block of frames by block of frames), or a dask
        array (the result is then a lazy dask array).
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
    progress : bool, optional
        Show a progress bar (needs tqdm, the ``progress`` extra), by default
        False. For dask videos use dask's own diagnostics instead.
    **kwargs
        Passed to :func:`show_traces`: its parameters ``x``, ``fps``,
        ``colors``, ``labels``, ``ax`` (an ``ax`` also plots) and matplotlib
        ``Line2D`` properties such as ``linewidth``. Any other keyword is a
        TypeError, whether or not a plot is asked for.

    Returns
    -------
    ndarray or dask.array.Array, shape (T,) or (T, N)
        One trace for one position, else one column per position (``(T, 0)`` for
        no positions). A window mean has the dtype ``numpy.mean`` gives (float32
        stays float32, integers give float64); a single-pixel trace keeps the
        video's dtype.

    Raises
    ------
    TypeError
        If the video is not numeric, a position is not a pair of numbers, or a
        keyword is unknown (e.g. ``windw="disc"``: the message suggests ``window``).
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
    if kwargs:  # checked at once, plot or no plot: a misspelt keyword must not pass silently
        from ._plot import check_plot_keywords

        own = ("video", "coords", "size", "show", "window", "progress")
        check_plot_keywords(kwargs, "extract_traces", own=own, for_show_traces=True)
    video = check_video(video)
    size = check_size(size)
    window = check_window(window)
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    frame_shape = tuple(int(n) for n in video.shape[1:])
    rows, cols, single = positions_to_pixels(coords, frame_shape)
    footprint = Footprint(rows, cols, frame_shape, window, size)
    out_dtype = output_dtype(video.dtype, footprint.single_pixel)
    if is_dask(video):
        traces = extract_dask(video, footprint, out_dtype)
    else:
        traces = run_blocks(video, footprint, out_dtype, progress=bool(progress))
    if single:
        traces = traces[:, 0]
    if show or "ax" in kwargs:
        from ._plot import show_traces

        show_traces(np.asarray(traces), **kwargs)
    return traces
