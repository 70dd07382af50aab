"""Static plots: traces, positions on a frame, and both side by side.

Every function draws on the ``ax`` it is given and returns it; with no ``ax``
it makes a figure, shows it with ``plt.show()`` and returns the new Axes. A
position and its trace share one colour: both take colours from the Axes'
colour cycle in the same order unless colours are given.
"""

import functools
import inspect

import numpy as np
import matplotlib.pyplot as plt

from .._validate import as_positive_float, check_keywords, is_real_dtype
from ._positions import parse_positions


def cycle_colors(n):
    """The first ``n`` colours of matplotlib's colour cycle (repeating)."""
    cycle = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    return [cycle[i % len(cycle)] for i in range(n)]


def _is_single_color(colors):
    from matplotlib.colors import is_color_like

    return isinstance(colors, str) or (isinstance(colors, tuple) and is_color_like(colors))


def check_traces(traces, name="traces"):
    """Return traces as a 2-D float-compatible array ``(T, N)``; 1-D becomes ``(T, 1)``."""
    if isinstance(traces, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D or 2-D numeric array, got a string")
    array = np.asarray(traces)
    if not is_real_dtype(array.dtype):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim == 1:
        return array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name} must be 1-D (T,) or 2-D (T, N), got {array.ndim}-D with shape {array.shape}")
    return array


def _per_trace(values, n, name):
    """A list of ``n`` entries from a per-trace argument (None, a single value or a list)."""
    if values is None:
        return [None] * n
    if name == "colors" and _is_single_color(values):
        return [values] * n
    if name == "labels" and isinstance(values, str):
        values = [values]
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but there are {n} traces; give one per trace")
    return values


def time_axis(n_frames, x=None, fps=None):
    """The x values and axis label of ``n_frames`` samples: frames, seconds or given values."""
    if x is not None and fps is not None:
        raise ValueError("x and fps cannot be given together: pass x (the time values) or fps (frames per second)")
    if fps is not None:
        return np.arange(n_frames) / as_positive_float(fps, "fps"), "Time [s]"
    if x is not None:
        x = np.asarray(x)
        if x.ndim != 1 or len(x) != n_frames:
            raise ValueError(f"x must be 1-D with one value per frame ({n_frames}), got shape {x.shape}")
        return x, None
    return np.arange(n_frames), "Frame"


@functools.cache
def line_keywords():
    """The keywords :meth:`matplotlib.axes.Axes.plot` takes: Line2D properties, their aliases, scalex, scaley, data."""
    from matplotlib.artist import ArtistInspector
    from matplotlib.lines import Line2D

    inspector = ArtistInspector(Line2D)
    names = set(inspector.get_setters())
    for aliases in inspector.aliasd.values():
        names.update(aliases)
    names.update(("scalex", "scaley", "data"))
    return frozenset(names)


@functools.cache
def show_traces_keywords():
    """The keyword parameters of :func:`show_traces` after ``traces`` (x, fps, colors, labels, ax)."""
    parameters = inspect.signature(show_traces).parameters.values()
    return tuple(p.name for p in parameters if p.kind == p.POSITIONAL_OR_KEYWORD)[1:]


def check_plot_keywords(kwargs, func_name, *, own=(), for_show_traces=False):
    """TypeError for a keyword that neither :func:`show_traces` nor ``Axes.plot`` takes.

    With ``for_show_traces`` the keywords go to :func:`show_traces` (its named
    parameters are allowed too); else straight to ``Axes.plot``. ``own`` are
    the caller's parameters, only used to suggest a name.
    """
    if not kwargs:
        return
    named = show_traces_keywords() if for_show_traces else ()
    if all(name in named for name in kwargs):
        return
    where = "show_traces parameters (" + ", ".join(named) + ") or " if named else ""
    check_keywords(
        kwargs,
        set(named) | line_keywords(),
        func_name,
        what_is_allowed=f"{where}matplotlib Line2D properties that Axes.plot takes (e.g. linewidth, color, alpha)",
        also_suggest=set(own) | set(show_traces_keywords()),
    )


def _new_axes_if_needed(ax):
    if ax is None:
        _, ax = plt.subplots()
        return ax, True
    return ax, False


def show_traces(traces, x=None, fps=None, colors=None, labels=None, ax=None, **kwargs):
    """Plot one trace or several.

    Parameters
    ----------
    traces : array_like, shape (T,) or (T, N)
        One trace, or one trace per column.
    x : array_like, shape (T,), optional
        Values of the horizontal axis, e.g. times.
    fps : float, optional
        Frames per second: the horizontal axis shows "Time [s]". Not together with ``x``.
    colors : color or sequence of colors, optional
        One colour for all traces or one per trace; by default the colour cycle.
    labels : sequence of str, optional
        One label per trace; a legend is drawn when given.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure is made and shown.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` (e.g. ``linewidth``).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the traces are not 1-D or 2-D, ``x`` and ``fps`` are both given, or
        ``x``, ``colors`` or ``labels`` do not match the traces.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import show_traces
    >>> fig, ax = plt.subplots()
    >>> ax = show_traces(np.random.default_rng(0).random((100, 2)), fps=500,
    ...                  labels=["base", "apex"], ax=ax)
    >>> ax.get_xlabel(), len(ax.lines)
    ('Time [s]', 2)
    >>> plt.close(fig)
    """
    traces = check_traces(traces)
    check_plot_keywords(kwargs, "show_traces")
    n_frames, n_traces = traces.shape
    x, x_label = time_axis(n_frames, x, fps)
    colors = _per_trace(colors, n_traces, "colors")
    show_legend = labels is not None
    labels = _per_trace(labels, n_traces, "labels")
    ax, show = _new_axes_if_needed(ax)
    if n_traces:
        lines = ax.plot(x, traces, **kwargs)
        for line, color, label in zip(lines, colors, labels):
            if color is not None:
                line.set_color(color)
            if label is not None:
                line.set_label(label)
    if n_frames > 1:
        ax.set_xlim(x[0], x[-1])
    if x_label:
        ax.set_xlabel(x_label)
    ax.set_ylabel("Intensity")
    if show_legend and n_traces:
        ax.legend()
    if show:
        plt.show()
    return ax


def show_trace(*args, **kwargs):
    """Plot one trace or several: another name of :func:`show_traces`.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import show_trace
    >>> fig, ax = plt.subplots()
    >>> len(show_trace(np.arange(10.0), ax=ax).lines)
    1
    >>> plt.close(fig)
    """
    return show_traces(*args, **kwargs)


def _check_image(image, name="image"):
    image = np.asarray(image)
    if not (is_real_dtype(image.dtype) or image.dtype == bool):
        raise TypeError(f"{name} must be a numeric image, got dtype {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise ValueError(f"{name} must be a 2-D image (rows, columns) or RGB(A), got shape {image.shape}")
    return image


def show_positions(positions, image=None, size=None, color=None, cmap="gray", vmin=None, vmax=None, ax=None, **kwargs):
    """Mark positions on an image.

    Parameters
    ----------
    positions : (x, y) or sequence of (x, y)
        Positions; ``x`` is the column, ``y`` the row.
    image : array_like, shape (H, W), optional
        Image to show under the positions.
    size : float or array_like of shape (N,), optional
        Marker area in points², as ``s`` of :meth:`matplotlib.axes.Axes.scatter`.
    color : color or sequence of colors, optional
        One colour for all positions or one per position; by default each
        position takes the next colour of the colour cycle, as its trace does
        in :func:`show_traces`.
    cmap : str, optional
        Colormap of the image, by default ``'gray'``.
    vmin, vmax : float, optional
        Colour limits of the image.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure is made and shown.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter` (e.g. ``marker``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import show_positions
    >>> fig, ax = plt.subplots()
    >>> ax = show_positions([(10, 20), (30, 5)], np.zeros((40, 50)), ax=ax)
    >>> ax.collections[0].get_offsets().tolist()
    [[10.0, 20.0], [30.0, 5.0]]
    >>> plt.close(fig)
    """
    xs, ys, _ = parse_positions(positions, "positions")
    n = len(xs)
    colors = cycle_colors(n) if color is None else _per_trace(color, n, "colors")
    if size is not None and np.ndim(size) != 0:
        size = np.asarray(size, dtype=float)
        if size.shape != (n,):
            raise ValueError(f"size must be one number or one per position ({n}), got shape {size.shape}")
    ax, show = _new_axes_if_needed(ax)
    if image is not None:
        image = _check_image(image)
        ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="none")
        ax.axis("off")
    ax.scatter(xs, ys, s=size, c=colors if n else None, **kwargs)
    if show:
        plt.show()
    return ax


def show_positions_and_traces(
    image,
    positions,
    traces=None,
    *,
    size=5,
    window=None,
    x=None,
    fps=None,
    colors=None,
    labels=None,
    cmap="gray",
    vmin=None,
    vmax=None,
    axs=None,
    **kwargs,
):
    """Show positions on a frame beside their traces, one colour per position.

    Parameters
    ----------
    image : array_like, shape (H, W) or (T, H, W)
        The frame to show, or a video: its first frame is shown and, when
        ``traces`` is None, the traces are extracted from it.
    positions : (x, y) or sequence of (x, y)
        Positions; ``x`` is the column, ``y`` the row.
    traces : array_like, shape (T,) or (T, N), optional
        The traces, one column per position (e.g. detrended or normalised).
        By default they are extracted from the video with ``size`` and ``window``.
    size : int, optional
        Window size for the extraction, by default 5.
    window : {'rect', 'disc', 'pixel'}, optional
        Window for the extraction; by default the module's default window.
    x, fps, labels
        As in :func:`show_traces`.
    colors : sequence of colors, optional
        One colour per position; by default the colour cycle.
    cmap, vmin, vmax
        As in :func:`show_positions`.
    axs : pair of matplotlib.axes.Axes, optional
        Axes for the image and for the traces; by default a new figure is made
        and shown.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the traces.

    Returns
    -------
    (matplotlib.axes.Axes, matplotlib.axes.Axes)
        The image Axes and the trace Axes.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import show_positions_and_traces
    >>> video = np.random.default_rng(0).random((50, 32, 32))
    >>> fig, axs = plt.subplots(1, 2)
    >>> image_ax, trace_ax = show_positions_and_traces(video, [(5, 5), (20, 10)], fps=100, axs=axs)
    >>> len(trace_ax.lines), trace_ax.get_xlabel()
    (2, 'Time [s]')
    >>> plt.close(fig)
    """
    array = np.asarray(image) if not hasattr(image, "ndim") else image
    if array.ndim == 3 and not (array.shape[2] in (3, 4) and traces is not None):
        frame = np.asarray(array[0])
        if traces is None:
            from ._extract import extract_traces

            traces = extract_traces(array, positions, size=size, window=window)
    else:
        frame = array
        if traces is None:
            raise ValueError("traces must be given when image is a single frame; pass the video to extract them")
    xs, _, _ = parse_positions(positions, "positions")
    traces = check_traces(traces)
    if traces.shape[1] != len(xs):
        raise ValueError(f"traces has {traces.shape[1]} columns but there are {len(xs)} positions; give one per position")
    colors = cycle_colors(len(xs)) if colors is None else _per_trace(colors, len(xs), "colors")
    show = axs is None
    if show:
        _, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    image_ax, trace_ax = axs
    show_positions(positions, frame, color=colors, cmap=cmap, vmin=vmin, vmax=vmax, ax=image_ax)
    show_traces(traces, x=x, fps=fps, colors=colors, labels=labels, ax=trace_ax, **kwargs)
    if show:
        plt.show()
    return image_ax, trace_ax
