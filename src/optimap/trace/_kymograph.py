"""Kymographs: a video sampled along a path, every ``spacing`` pixels, frame by frame.

A path is a polyline of ``(x, y)`` vertices (``x`` the column, ``y`` the
row). Each segment is sampled from its first vertex every ``spacing`` pixels
of its length; the path's last vertex closes the list. A sample rounds to the
nearest pixel and is the centre of a window averaged like ``extract_traces``;
all windows go into one footprint, reduced in one pass over the video.
"""

import numpy as np

from .._validate import as_positive_float, check_video, number_text
from ._positions import parse_positions, round_half_up
from ._windows import check_size, check_window

# The most samples a path may have (a tiny spacing on a long path would list billions).
_MAX_SAMPLES = 1 << 24


def check_path(path, frame_shape, name="path"):
    """The vertices ``(M, 2)`` of a path, checked: at least two, finite, each inside the frame."""
    xs, ys, single = parse_positions(path, name)
    if single or len(xs) < 2:
        count = 1 if single else len(xs)
        raise ValueError(f"{name} needs at least 2 vertices (x, y), got {count}")
    height, width = frame_shape
    cols, rows = round_half_up(xs), round_half_up(ys)
    outside = (cols < 0) | (cols >= width) | (rows < 0) | (rows >= height)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        x, y = number_text(xs[i]), number_text(ys[i])
        raise ValueError(
            f"{name}: vertex {i} ({x}, {y}) is outside the frame (width {width}, height {height}); x must be in "
            f"[0, {width - 1}] and y in [0, {height - 1}]"
        )
    return np.column_stack([xs, ys])


def sample_path(vertices, spacing):
    """Pixels ``(L, 2)`` (x, y) along a polyline: each segment every ``spacing`` from its first vertex,
    then the last vertex; a sample that would give its segment's end vertex's pixel twice is left out.

    >>> sample_path(np.array([[0.0, 0.0], [3.0, 0.0], [3.0, 2.0]]), 1.0).tolist()
    [[0, 0], [1, 0], [2, 0], [3, 0], [3, 1], [3, 2]]
    """
    start, stop = vertices[:-1], vertices[1:]
    step = stop - start
    length = np.hypot(step[:, 0], step[:, 1])
    # samples at k * spacing < length (a sample within rounding of the end is the next vertex)
    count = np.where(length > 0, np.maximum(np.ceil(length / spacing - 1e-9), 1), 0)
    total = float(count.sum()) + 1
    if total > _MAX_SAMPLES:
        raise ValueError(
            f"spacing={spacing!r} gives {total:.0f} samples along a path {length.sum():.6g} pixels long; "
            f"at most {_MAX_SAMPLES} are allowed: give a larger spacing"
        )
    count = count.astype(np.int64)
    segment = np.repeat(np.arange(len(start)), count)
    k = np.arange(len(segment)) - np.repeat(np.cumsum(count) - count, count)
    fraction = k * spacing / length[segment]
    points = start[segment] + fraction[:, None] * step[segment]
    # no overshoot from rounding: each sample stays between its segment's ends
    low, high = np.minimum(start, stop)[segment], np.maximum(start, stop)[segment]
    points = np.clip(points, low, high)
    pixels = round_half_up(np.vstack([points, vertices[-1:]])).astype(np.intp)
    ends = round_half_up(stop).astype(np.intp)[segment]
    last_of_segment = np.append(k[1:] == 0, True) & (k > 0)
    repeat_at_corner = last_of_segment & (pixels[:-1] == ends).all(axis=1)
    keep = np.append(~repeat_at_corner, True)
    return pixels[keep]


def extract_kymograph(video, path, size=1, window=None, spacing=1.0, *, progress=False):
    """Extract a kymograph: the video sampled along a path, every ``spacing`` pixels, frame by frame.

    Each segment of the polyline is sampled from its first vertex every
    ``spacing`` pixels of its length, so every vertex is a sample (the pixel
    at a corner comes once); each sample rounds to the nearest pixel and its
    window (``size``, ``window``) is averaged like :func:`extract_traces`, NaN
    pixels left out. All windows are extracted together in one pass over the
    video, from any source :func:`extract_traces` reads.

    Parameters
    ----------
    video : array_like, shape (T, H, W)
        Frames, rows, columns.
    path : sequence of (x, y) or ndarray of shape (M, 2)
        The vertices of the path, at least two, each inside the frame; ``x``
        is the column and ``y`` the row.
    size : int, optional
        Window size in pixels, by default 1 (the pixel itself).
    window : {'rect', 'disc', 'pixel'}, optional
        Window of each sample, as in :func:`extract_traces`; by default the
        default window.
    spacing : float, optional
        Distance between samples along the path in pixels, by default 1.
    progress : bool, optional
        Show a progress bar (needs tqdm, the ``progress`` extra).

    Returns
    -------
    kymograph : ndarray or dask.array.Array, shape (T, L)
        One column per sample, in order along the path. dtypes as in
        :func:`extract_traces`: a single pixel (``size`` 0 or 1) keeps the
        video's dtype, a window mean has ``numpy.mean``'s.
    positions : ndarray of int, shape (L, 2)
        The sample positions ``(x, y)``, rounded to pixels.

    Raises
    ------
    ValueError
        If the path has fewer than 2 vertices or a vertex outside the frame,
        ``spacing`` is not a finite number > 0, or ``size`` or ``window`` is
        invalid.

    Notes
    -----
    Within a segment, samples are ``spacing`` apart along the path; the last
    one before a vertex may be closer to it, so on a polyline the distance
    of sample ``i`` is ``i * spacing`` only up to the first corner whose
    segment length is not a multiple of ``spacing``. Along a diagonal, two
    samples may round to the same pixel; take ``spacing=2**0.5`` for one
    sample per pixel along 45 degrees.

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import extract_kymograph
    >>> video = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5)
    >>> kymograph, positions = extract_kymograph(video, [(0, 1), (3, 1), (3, 3)])
    >>> positions.tolist()
    [[0, 1], [1, 1], [2, 1], [3, 1], [3, 2], [3, 3]]
    >>> kymograph
    array([[ 5.,  6.,  7.,  8., 13., 18.],
           [25., 26., 27., 28., 33., 38.]], dtype=float32)
    """
    from ._extract import extract_footprint
    from ._footprint import Footprint

    video = check_video(video)
    size = check_size(size)
    window = check_window(window)
    spacing = as_positive_float(spacing, "spacing")
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    frame_shape = tuple(int(n) for n in video.shape[1:])
    positions = sample_path(check_path(path, frame_shape), spacing)
    footprint = Footprint.from_windows(positions[:, 1], positions[:, 0], frame_shape, window, size)
    return extract_footprint(video, footprint, progress=bool(progress)), positions
