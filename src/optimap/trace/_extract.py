"""``extract_traces``: positions and a window become one footprint, a plan
decides how to reduce it, then one pass over the video in blocks of frames
reads only the pixels it needs.

The pieces: :mod:`._footprint` (regions as horizontal runs of pixels),
:mod:`._plan` (kernel, dtypes, block size and threads, decided once),
:mod:`._kernels` (compiled kernels for one block), :mod:`._sources` (where
blocks come from: arrays, memmaps, masked arrays, zarr, HDF5, dask). Blocks
are handed to a small thread pool; the kernels release the GIL.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._optional import import_optional
from .._validate import check_video
from ._footprint import Footprint
from ._plan import make_plan
from ._positions import positions_to_pixels
from ._sources import MaskedSource, extract_dask, is_dask, make_source, masked_dtype
from ._windows import check_size, check_window

# Seconds before a progress bar appears: quick extractions show none.
_PROGRESS_DELAY = 1.0


def run_blocks(video, footprint, *, block=None, threads=None, progress=False):
    """Traces ``(T, N)`` of a video that slices like numpy, block by block.

    ``block`` and ``threads`` override the plan's choice (tests use them).
    """
    n_frames = video.shape[0]
    source = make_source(video, footprint)
    video_dtype = masked_dtype(video.dtype) if isinstance(source, MaskedSource) else video.dtype
    plan = make_plan(
        footprint,
        video_dtype,
        reads=source.reads,
        pixels=footprint.pixels if source.reads == "pixels" else None,
        n_frames=n_frames,
        block_frames=block,
        threads=threads,
        block_limit=source.block_limit(),
        time_chunk=source.time_chunk,
    )
    source.plan = plan
    out = np.empty((n_frames, footprint.n_regions), dtype=plan.out_dtype)
    if n_frames == 0 or footprint.n_regions == 0:
        return out
    step = plan.block_frames
    threads = plan.threads if source.threads_allowed else 1
    if step >= n_frames and not progress:  # one block: no pool, no bookkeeping (a few windows)
        source.extract(0, n_frames, out)
        return out
    blocks = [(start, min(start + step, n_frames)) for start in range(0, n_frames, step)]
    bar = None
    if progress:
        tqdm = import_optional("tqdm", "progress", "show a progress bar").tqdm
        bar = tqdm(total=n_frames, unit="frame", desc="extracting traces", leave=False, delay=_PROGRESS_DELAY)

    def work(start_stop):
        start, stop = start_stop
        source.extract(start, stop, out)
        if bar is not None:
            bar.update(stop - start)

    try:
        if threads == 1:
            for start_stop in blocks:
                work(start_stop)
        else:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                for _ in pool.map(work, blocks):
                    pass
    finally:
        if bar is not None:
            bar.close()
    return out


def extract_footprint(video, footprint, *, progress=False):
    """Traces ``(T, N)`` of every region of ``footprint``: a lazy dask array for a dask video, else
    one pass over the video in blocks (:func:`run_blocks`). The one entry point of every extraction
    (windows around positions, regions, kymographs)."""
    if is_dask(video):
        return extract_dask(video, footprint)
    return run_blocks(video, footprint, progress=progress)


# Lists up to this long of integer positions skip the general parser (its numpy calls cost more than
# the extraction of a few windows).
_FAST_POSITIONS = 64


def _int_positions(coords, frame_shape):
    """``(rows, cols, single)`` when ``coords`` is one ``(x, y)`` pair of Python ints, or a short list
    of them, all inside the frame; else None, and :func:`positions_to_pixels` parses (and explains
    what is wrong). Gives what it would give, without its numpy calls."""
    height, width = frame_shape
    if type(coords) in (tuple, list) and len(coords) == 2 and type(coords[0]) is int and type(coords[1]) is int:
        x, y = coords
        if 0 <= x < width and 0 <= y < height:
            return np.array([y], dtype=np.intp), np.array([x], dtype=np.intp), True
        return None
    if type(coords) is not list or not 0 < len(coords) <= _FAST_POSITIONS:
        return None
    xs, ys = [], []
    for pair in coords:
        if type(pair) not in (tuple, list) or len(pair) != 2:
            return None
        x, y = pair
        if type(x) is not int or type(y) is not int or not (0 <= x < width and 0 <= y < height):
            return None
        xs.append(x)
        ys.append(y)
    return np.array(ys, dtype=np.intp), np.array(xs, dtype=np.intp), False


def extract_traces(video, coords, size=5, show=False, window=None, *, progress=False, **kwargs):
    """Extract the time series of a video at one or many positions.

    Each trace is the mean of a window of pixels around the position, frame by
    frame. Windows are clipped at the frame border; NaN pixels are left out of
    the mean (a frame whose window is all NaN gives NaN). Infinite pixels give
    IEEE's answer, without a warning: ``+inf`` with finite values gives
    ``+inf``, ``+inf`` with ``-inf`` gives NaN. Integer videos are summed
    exactly and each mean is rounded once; float videos are summed in float64.

    Parameters
    ----------
    video : array_like, shape (T, H, W)
        Frames, rows, columns; integer or float. Anything that slices like
        numpy: an ndarray, an ``np.memmap`` (only the pages holding needed
        pixels are read), a zarr array or HDF5 dataset (only the chunks holding
        needed pixels are read, block of frames by block of frames), a dask
        array (the result is then a lazy dask array), or a ``numpy.ma`` masked
        array, whose masked pixels are left out like NaN (its traces are then
        floats, also for single pixels: float64 for integer videos).
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
    frame_shape = (int(video.shape[1]), int(video.shape[2]))
    rows, cols, single = _int_positions(coords, frame_shape) or positions_to_pixels(coords, frame_shape)
    footprint = Footprint.from_windows(rows, cols, frame_shape, window, size)
    traces = extract_footprint(video, footprint, progress=bool(progress))
    if single:
        traces = traces[:, 0]
    if show or "ax" in kwargs:
        from ._plot import show_traces

        show_traces(np.asarray(traces), **kwargs)
    return traces
