"""Static plots: traces, positions on a frame, and both side by side.

Every function draws on the ``ax`` it is given and returns it; with no ``ax``
it makes a figure, shows it with ``plt.show()`` and returns the new Axes. A
position and its trace share one colour: both take colours from the Axes'
colour cycle in the same order unless colours are given.
"""

import functools
import inspect
import numbers

import matplotlib.pyplot as plt
import numpy as np

from .._validate import check_keywords, check_traces
from ._docstring import shared_docs
from ._plotting import (
    check_figsize,
    check_image,
    cycle_colors,
    new_axes_if_needed,
    per_trace_colors,
    per_trace_labels,
    reference_image,
    set_time_limits,
    time_axis,
)
from ._positions import parse_positions


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


@shared_docs
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
    %(ax)s
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` (e.g. ``linewidth``).

    %(returns_ax)s

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
    colors = per_trace_colors(colors, n_traces)
    show_legend = labels is not None
    labels = per_trace_labels(labels, n_traces)
    ax, show = new_axes_if_needed(ax)
    if n_traces:
        lines = ax.plot(x, traces, **kwargs)
        for line, color, label in zip(lines, colors, labels):
            if color is not None:
                line.set_color(color)
            if label is not None:
                line.set_label(label)
    set_time_limits(ax, x)
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


@shared_docs
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
    %(ax)s
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter` (e.g. ``marker``).

    %(returns_ax)s

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
    colors = cycle_colors(n) if color is None else per_trace_colors(color, n)
    if size is not None and np.ndim(size) != 0:
        size = np.asarray(size, dtype=float)
        if size.shape != (n,):
            raise ValueError(f"size must be one number or one per position ({n}), got shape {size.shape}")
    ax, show = new_axes_if_needed(ax)
    if image is not None:
        image = check_image(image)
        ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="none")
        ax.axis("off")
    ax.scatter(xs, ys, s=size, c=colors if n else None, **kwargs)
    if show:
        plt.show()
    return ax


def show_positions_and_traces(
    video_or_traces,
    positions,
    image=None,
    size=5,
    colors=None,
    figsize=None,
    fps=None,
    vmin=None,
    vmax=None,
    cmap="gray",
    *,
    traces=None,
    window=None,
    x=None,
    labels=None,
    axs=None,
    **kwargs,
):
    """Show positions on a frame beside their traces, one colour per position.

    The parameters up to ``cmap`` are those of optimap's main branch, in its
    order, so its calls work: ``(video, positions)``, ``(video, positions,
    image=frame_index_or_image)``, ``(traces, positions, image=frame)``.

    Parameters
    ----------
    video_or_traces : array_like, shape (T, H, W), or (T,) or (T, N)
        A video, from which the traces are extracted (``size``, ``window``)
        and whose frame ``image`` is shown; or the traces themselves, one
        column per position (e.g. detrended or normalised), with ``image``
        the frame to show. A frame ``(H, W)`` (or RGB) here, with the traces
        given as ``traces=`` (or as the third argument), is accepted too.
    positions : (x, y) or sequence of (x, y)
        Positions; ``x`` is the column, ``y`` the row.
    image : int or array_like of shape (H, W), optional
        The frame to show: an index into the video (by default 0, the first
        frame) or an image of the frame size (e.g. an activation map). Needed
        when traces are given.
    size : int, optional
        Window size for the extraction, by default 5.
    colors : sequence of colors, optional
        One colour per position; by default the colour cycle.
    figsize : (float, float), optional
        Size of the new figure in inches (not with ``axs``); by default (11, 4).
    fps : float, optional
        Frames per second: the time axis is in seconds. Not together with ``x``.
    vmin, vmax, cmap
        Display of the frame, as in :func:`show_positions`.
    traces : array_like, shape (T,) or (T, N), optional
        Keyword-only. Traces to show instead of extracting them from the video.
    window : {'rect', 'disc', 'pixel'}, optional
        Keyword-only. Window for the extraction; by default the default window.
    x, labels
        Keyword-only. As in :func:`show_traces`.
    axs : pair of matplotlib.axes.Axes, optional
        Keyword-only. Axes for the image and for the traces; by default a new
        figure is made and shown.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the traces.

    Returns
    -------
    (matplotlib.axes.Axes, matplotlib.axes.Axes)
        The image Axes and the trace Axes.

    Raises
    ------
    ValueError
        If traces are given without a frame to show, the traces do not have
        one column per position, ``image`` is out of range or not of the
        frame size, or ``figsize`` is given with ``axs``.

    Notes
    -----
    When the first argument is a 2-D array and ``image`` is an array, the one
    with a column per position is taken as the traces; when both have one
    (a frame as wide as there are positions), the first argument is the
    traces, as in optimap's main branch. A 1-D array is always traces. Pass
    ``traces=`` by keyword to leave no doubt.
    optimap's main branch returns a dict of Axes from ``plt.subplot_mosaic``;
    this function returns the pair.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import extract_traces, normalize, show_positions_and_traces
    >>> video = np.random.default_rng(0).random((50, 32, 32))
    >>> positions = [(5, 5), (20, 10)]
    >>> fig, axs = plt.subplots(1, 2)
    >>> image_ax, trace_ax = show_positions_and_traces(video, positions, fps=100, axs=axs)
    >>> len(trace_ax.lines), trace_ax.get_xlabel()
    (2, 'Time [s]')
    >>> traces = normalize(extract_traces(video, positions))
    >>> fig, axs = plt.subplots(1, 2)
    >>> image_ax, trace_ax = show_positions_and_traces(traces, positions, image=video[10], axs=axs)
    >>> np.array_equal(image_ax.images[0].get_array(), video[10])
    True
    >>> plt.close("all")
    """
    check_plot_keywords(kwargs, "show_positions_and_traces")  # before a costly extraction
    xs, _, _ = parse_positions(positions, "positions")
    n_positions = len(xs)
    frame, traces = _frame_and_traces(video_or_traces, image, traces, n_positions, size, window, positions)
    traces = check_traces(traces)
    if traces.shape[1] != n_positions:
        raise ValueError(
            f"traces has {traces.shape[1]} columns but there are {n_positions} positions; give one per position"
        )
    colors = cycle_colors(n_positions) if colors is None else per_trace_colors(colors, n_positions)
    show = axs is None
    if show:
        figsize = (11, 4) if figsize is None else check_figsize(figsize)
        _, axs = plt.subplots(1, 2, figsize=figsize, width_ratios=(1, 2), layout="constrained")
    elif figsize is not None:
        raise ValueError("figsize is only used for a new figure; with axs, size the figure that holds them")
    image_ax, trace_ax = axs
    show_positions(positions, frame, color=colors, cmap=cmap, vmin=vmin, vmax=vmax, ax=image_ax)
    show_traces(traces, x=x, fps=fps, colors=colors, labels=labels, ax=trace_ax, **kwargs)
    if show:
        plt.show()
    return image_ax, trace_ax


def _is_index(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def _frame_and_traces(first, image, traces, n_positions, size, window, positions):
    """The frame to show and the traces (given or extracted) from the call forms of show_positions_and_traces."""
    if isinstance(first, (str, bytes)):
        raise TypeError("video_or_traces must be a video, traces or a frame (a numeric array), got a string")
    first = first if hasattr(first, "ndim") and hasattr(first, "shape") else np.asarray(first)
    given = None if image is None or _is_index(image) else np.asarray(image)

    def fits_traces(array, n_frames=None):
        if array.ndim == 1:
            return n_positions == 1 and (n_frames is None or len(array) == n_frames)
        return array.ndim == 2 and array.shape[1] == n_positions and (n_frames is None or len(array) == n_frames)

    if first.ndim == 3:
        rgb = first.shape[2] in (3, 4)
        if traces is not None and rgb:  # (frame_rgb, positions, traces=...)
            return _only_frame(first, image), traces
        if traces is None and given is not None and rgb and fits_traces(given) and given.shape != first.shape[1:]:
            return np.asarray(first), given  # (frame_rgb, positions, traces) positionally
        video = first
        if traces is None and given is not None and given.shape != tuple(video.shape[1:]):
            if fits_traces(given, int(video.shape[0])):  # (video, positions, traces) positionally
                traces, image = given, None
        frame = reference_image(video, 0 if image is None else image, "image")
        if traces is None:
            from ._extract import extract_traces

            traces = extract_traces(video, positions, size=size, window=window)
        return frame, traces
    if first.ndim not in (1, 2):
        raise ValueError(
            f"video_or_traces must be a video (T, H, W), traces (T,) or (T, N), or a frame (H, W), "
            f"got shape {tuple(first.shape)}"
        )
    if traces is not None:  # (frame, positions, traces=...)
        return _only_frame(first, image), traces
    if image is None or given is None:
        got = "an index" if image is not None else "no image"
        raise ValueError(
            f"there is no frame to show: with traces {tuple(first.shape)} first, image must be the frame (a 2-D "
            f"array), got {got}; or give a frame first with traces=..., or the video to extract traces from"
        )
    if first.ndim == 1 or given.ndim == 3:
        return given, first  # (traces, positions, image=frame)
    if given.ndim == 1:
        return first, given  # (frame, positions, traces) positionally
    if fits_traces(first) or not fits_traces(given):
        return given, first  # optimap main: (traces, positions, image=frame); also when both could be traces
    return first, given  # (frame, positions, traces) positionally


def _only_frame(frame, image):
    if image is not None:
        raise ValueError("image cannot be given when the first argument is the frame and traces= is given")
    return np.asarray(frame)
