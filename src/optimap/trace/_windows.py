"""Window footprints around a position, and the module's default window.

A window is described by its profile: for each row offset around the centre
pixel, the span of column offsets it covers. The default window is the only state of
:mod:`optimap.trace`.
"""

import functools
import math

import numpy as np

from .._validate import as_int

WINDOWS = ("rect", "disc", "pixel")

_default_window = "rect"


def check_window(window, name="window"):
    """Return a valid window name; ``None`` means the current default."""
    if window is None:
        return _default_window
    if not isinstance(window, str) or window not in WINDOWS:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, WINDOWS))}, got {window!r}")
    return window


def check_size(size, name="size"):
    """Return ``size`` as a non-negative int."""
    if type(size) is int and size >= 0:  # the common case, without the general checks' costs
        return size
    return as_int(size, name, minimum=0)


def set_default_trace_window(window):
    """Set the window that :func:`extract_traces` uses when ``window=None``.

    Parameters
    ----------
    window : {'rect', 'disc', 'pixel'}
        The new default window.

    Raises
    ------
    ValueError
        If ``window`` is not one of the known windows.

    Examples
    --------
    >>> from optimap.trace import get_default_trace_window, set_default_trace_window
    >>> set_default_trace_window("disc")
    >>> get_default_trace_window()
    'disc'
    >>> set_default_trace_window("rect")
    """
    global _default_window
    if window is None:
        raise ValueError(f"window must be one of {', '.join(map(repr, WINDOWS))}, got None")
    _default_window = check_window(window)


def get_default_trace_window():
    """Return the window :func:`extract_traces` uses when ``window=None``.

    Returns
    -------
    str
        One of ``'rect'``, ``'disc'`` or ``'pixel'``; ``'rect'`` unless changed
        with :func:`set_default_trace_window`.

    Examples
    --------
    >>> from optimap.trace import get_default_trace_window
    >>> get_default_trace_window()
    'rect'
    """
    return _default_window


def is_single_pixel(window, size):
    """True when the window is just the centre pixel."""
    return window == "pixel" or size <= 1


@functools.lru_cache(maxsize=64)
def window_profile(window, size, frame_shape):
    """The rows of a window as horizontal runs around its centre, clipped to what a frame can hold.

    A window is the union, over row offsets ``dr``, of the pixels
    ``(row + dr, column + dc)`` with ``col_starts[k] <= dc < col_stops[k]``.
    ``rect`` covers rows ``-(size // 2) ... size // 2 + size % 2 - 1`` (an even
    size sits one pixel up and left), likewise for columns; ``disc`` covers the
    pixels whose distance from the centre is at most ``size / 2``; ``pixel``
    and sizes 0 and 1 cover the centre only.

    Offsets that no centre inside a ``(height, width)`` frame can reach
    (``|dr| >= height`` or ``|dc| >= width``) are dropped, so the profile, and
    everything built from it, depends on the clipped window and never on a
    huge ``size`` itself.

    Returns
    -------
    row_offsets, col_starts, col_stops : ndarray of intp, shape (R,)
        Read-only (the result is cached); ``col_stops`` is exclusive.

    Examples
    --------
    >>> [a.tolist() for a in window_profile("rect", 2, (9, 9))]
    [[-1, 0], [-1, -1], [1, 1]]
    >>> [a.tolist() for a in window_profile("disc", 5, (9, 9))]
    [[-2, -1, 0, 1, 2], [-1, -2, -2, -2, -1], [2, 3, 3, 3, 2]]
    >>> [a.tolist() for a in window_profile("rect", 10**9, (2, 3))]
    [[-1, 0, 1], [-2, -2, -2], [3, 3, 3]]
    """
    # A frame without rows or columns holds no centre: it gets the profile of a one-pixel frame.
    height, width = max(frame_shape[0], 1), max(frame_shape[1], 1)
    if is_single_pixel(window, size):
        rows, starts, stops = [0], [0], [1]
    elif window == "rect":
        before, after = size // 2, size - 1 - size // 2
        rows = range(-min(before, height - 1), min(after, height - 1) + 1)
        start, stop = -min(before, width - 1), min(after, width - 1) + 1
        starts, stops = [start] * len(rows), [stop] * len(rows)
    elif window == "disc":
        # 4 * (dr**2 + dc**2) <= size**2, in exact integers; a disc wider than the frame's
        # diagonal from every centre holds every reachable offset, so size is capped there.
        size = min(size, 2 * (height + width))
        half = min(size // 2, height - 1)
        rows = range(-half, half + 1)
        reach = [min(math.isqrt((size * size - 4 * dr * dr) // 4), width - 1) for dr in rows]
        starts, stops = [-k for k in reach], [k + 1 for k in reach]
    else:
        raise ValueError(f"window must be one of {', '.join(map(repr, WINDOWS))}, got {window!r}")
    profile = tuple(np.array(a, dtype=np.intp) for a in (list(rows), starts, stops))
    for a in profile:
        a.flags.writeable = False  # cached: shared between calls
    return profile


@functools.lru_cache(maxsize=64)
def profile_is_box(window, size, frame_shape):
    """Whether the clipped window (see :func:`window_profile`) is a rectangle: consecutive rows,
    each spanning the same columns. A rect always is; so is a disc of size 2 or 3.

    >>> profile_is_box("disc", 3, (9, 9)), profile_is_box("disc", 5, (9, 9))
    (True, False)
    """
    rows, starts, stops = window_profile(window, size, frame_shape)
    return bool((starts == starts[0]).all() and (stops == stops[0]).all() and (np.diff(rows) == 1).all())


@functools.lru_cache(maxsize=64)
def profile_groups(window, size, frame_shape):
    """The window's rows (see :func:`window_profile`) grouped into boxes: consecutive rows spanning
    the same columns, as ``(first row offset, stop row offset, column start, column stop)``.

    >>> profile_groups("disc", 5, (9, 9))
    ((-2, -1, -1, 2), (-1, 2, -2, 3), (2, 3, -1, 2))
    """
    groups = []
    for dr, start, stop in zip(*(a.tolist() for a in window_profile(window, size, frame_shape))):
        if groups and groups[-1][1] == dr and groups[-1][2:] == (start, stop):
            groups[-1] = (groups[-1][0], dr + 1, start, stop)
        else:
            groups.append((dr, dr + 1, start, stop))
    return tuple(groups)
