"""What the static plots and the selectors share: colours, the time axis, the frame to show.

:mod:`._plot`, :mod:`._regionplot` and the selector widgets all take colours
from the same cycle, label the time axis the same way and check images and
figure sizes alike; the helpers live here so that none of them reaches into
another's module. Nothing here imports pyplot until a new figure is needed.
"""

import numbers

import matplotlib
import numpy as np

from .._validate import as_int, as_positive_float, is_real_dtype

_LARGEST = float(np.finfo(np.float64).max)


def cycle_colors(n):
    """The first ``n`` colours of matplotlib's colour cycle (repeating)."""
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    return [cycle[i % len(cycle)] for i in range(n)]


def is_single_color(colors):
    """True for one colour (a name or an RGB(A) tuple), False for a sequence of colours."""
    from matplotlib.colors import is_color_like

    return isinstance(colors, str) or (isinstance(colors, tuple) and is_color_like(colors))


def per_trace_colors(colors, n, name="colors", what="trace"):
    """``n`` colours from one colour or one per trace (None: ``n`` Nones); a count mismatch is a ValueError."""
    if colors is None:
        return [None] * n
    if is_single_color(colors):
        return [colors] * n
    return _one_each(colors, n, name, what)


def per_trace_labels(labels, n, name="labels", what="trace"):
    """``n`` labels from one per trace (a single string counts as one label; None: ``n`` Nones)."""
    if labels is None:
        return [None] * n
    return _one_each([labels] if isinstance(labels, str) else labels, n, name, what)


def _one_each(values, n, name, what):
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but there are {n} {what}s; give one per {what}")
    return values


def time_axis(n_frames, x=None, fps=None):
    """The x values and axis label of ``n_frames`` samples: frames, seconds or given values."""
    if x is not None and fps is not None:
        raise ValueError("x and fps cannot be given together: pass x (the time values) or fps (frames per second)")
    if fps is not None:
        fps = as_positive_float(fps, "fps")
        if n_frames > 1 and (n_frames - 1) / fps > _LARGEST:
            raise ValueError(f"fps={fps!r} is too small: the time axis of {n_frames} frames overflows")
        return np.arange(n_frames) / fps, "Time [s]"
    if x is not None:
        x = np.asarray(x)
        if x.ndim != 1 or len(x) != n_frames:
            raise ValueError(f"x must be 1-D with one value per frame ({n_frames}), got shape {x.shape}")
        if x.dtype.kind in "iuf" and not np.isfinite(x).all():
            i = int(np.flatnonzero(~np.isfinite(x))[0])
            raise ValueError(f"x must hold finite numbers, got {x[i]} at index {i}")
        return x, None
    return np.arange(n_frames), "Frame"


def set_time_limits(ax, x):
    """Let the time axis span ``x[0]`` to ``x[-1]`` (nothing for one sample or equal ends)."""
    if len(x) > 1 and x[0] != x[-1]:
        ax.set_xlim(x[0], x[-1])


def new_axes_if_needed(ax):
    """``(ax, False)``, or a new pyplot Axes and True (the caller then shows the figure)."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        return ax, True
    return ax, False


def check_image(image, name="image"):
    """``image`` as an array: 2-D, or RGB(A) with 3 or 4 channels, of real numbers or booleans."""
    image = np.asarray(image)
    if not (is_real_dtype(image.dtype) or image.dtype == bool):
        raise TypeError(f"{name} must be a numeric image, got dtype {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise ValueError(f"{name} must be a 2-D image (rows, columns) or RGB(A), got shape {image.shape}")
    return image


def check_figsize(figsize):
    """``(width, height)`` in inches, two finite floats > 0."""
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise TypeError(f"figsize must be (width, height) in inches, got {figsize!r}") from None
    if not (np.isfinite(width) and np.isfinite(height) and width > 0 and height > 0):
        raise ValueError(f"figsize must be two finite numbers > 0 (inches), got {figsize!r}")
    return width, height


def reference_image(video, ref_frame, name="ref_frame"):
    """The frame to show: ``video[ref_frame]`` for an index, or an image of the video's frame size."""
    n_frames, height, width = (int(n) for n in video.shape)
    if isinstance(ref_frame, (numbers.Number, np.number, bool, np.bool_)):
        index = as_int(ref_frame, name)
        if not -n_frames <= index < n_frames:
            raise ValueError(
                f"{name}={index} is out of range for a video of {n_frames} frames; "
                f"give a frame index from 0 to {n_frames - 1} (or -{n_frames} to -1) or an image"
            )
        return np.asarray(video[index])
    if isinstance(ref_frame, (str, bytes)):
        raise TypeError(f"{name} must be a frame index or an image array, got {ref_frame!r}")
    image = check_image(ref_frame, name)
    if image.shape[:2] != (height, width):
        raise ValueError(
            f"{name} must be an image of the video's frame size {(height, width)} (rows, columns), "
            f"got shape {image.shape}"
        )
    return image
