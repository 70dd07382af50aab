"""Window footprints around a position, and the module's default window.

A window is described by the pixel offsets ``(row_offsets, column_offsets)``
it covers around its centre pixel. The default window is the only state of
:mod:`optimap.trace`.
"""

import functools

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
def window_offsets(window, size):
    """Offsets ``(row_offsets, column_offsets)`` of the pixels in a window.

    ``rect`` covers rows ``-(size // 2) ... size // 2 + size % 2 - 1`` (an even
    size sits one pixel up and left), likewise for columns; ``disc`` covers the
    pixels whose distance from the centre is at most ``size / 2``; ``pixel``
    and sizes 0 and 1 cover the centre only.

    Examples
    --------
    >>> rows, cols = window_offsets("rect", 2)
    >>> list(zip(rows.tolist(), cols.tolist()))
    [(-1, -1), (-1, 0), (0, -1), (0, 0)]
    >>> len(window_offsets("disc", 5)[0])
    21
    """
    rows, cols = _offsets(window, size)
    rows.flags.writeable = False  # cached: shared between calls
    cols.flags.writeable = False
    return rows, cols


def _offsets(window, size):
    if is_single_pixel(window, size):
        return np.zeros(1, dtype=np.intp), np.zeros(1, dtype=np.intp)
    if window == "rect":
        span = np.arange(-(size // 2), size // 2 + size % 2, dtype=np.intp)
        rows, cols = np.meshgrid(span, span, indexing="ij")
        return rows.ravel(), cols.ravel()
    if window == "disc":
        half = size // 2
        span = np.arange(-half, half + 1, dtype=np.intp)
        rows, cols = np.meshgrid(span, span, indexing="ij")
        inside = 4 * (rows**2 + cols**2) <= size * size  # distance <= size / 2, exactly
        return rows[inside], cols[inside]
    raise ValueError(f"window must be one of {', '.join(map(repr, WINDOWS))}, got {window!r}")
