"""Interactive selection: blocking ``select_*`` functions and ``compare_traces``.

The blocking functions are thin wrappers: each builds a pyplot figure around
one of the non-blocking selectors of :mod:`._selector` and waits in
``plt.show()`` until the window is closed. :mod:`._backend` decides whether a
window can be opened (switching from the inline backend to a GUI backend for
the call, refusing the notebook widget backends).
"""

import warnings

import numpy as np

from .._validate import as_int, check_video, is_real_dtype, number_text
from . import _backend
from ._compare_selector import CompareSelector
from ._docstring import shared_docs
from ._extract import extract_traces
from ._plotting import set_time_limits
from ._position_selector import PositionSelector
from ._positions import parse_positions, positions_to_pixels
from ._selector import (
    CLICK_HINT,
    COMPARE_HINT,
    check_compare_arguments,
    check_trace_arguments,
    root_figure,
    window_finish,
)
from ._trace_selector import TraceSelector

# The blocking functions, and the selectors they are built on (each defined in a module of its own).
__all__ = [
    "select_positions",
    "select_traces",
    "compare_traces",
    "PositionSelector",
    "TraceSelector",
    "CompareSelector",
]


def _run_blocking(make, func_name, alternative, num_points=None, empty="[]", instead=""):
    """Build a selector with ``make()`` inside a usable backend and wait until its window closes.

    Under a non-interactive backend no window can open: the figure is closed
    at once and one :class:`NoWindowWarning` says so (``empty`` is what the
    caller then returns).
    """
    import matplotlib.pyplot as plt

    with _backend.blocking_backend(func_name, alternative):
        view = _backend.open_figure(make, func_name, alternative)
        selector = view if isinstance(view, PositionSelector) else view.selector
        figure = root_figure(selector.ax)
        if not _backend.can_show(figure):
            selector.set_active(False)
            plt.close(figure)
            warnings.warn(_backend.NoWindowWarning(_backend.no_window_message(func_name, empty, instead)), stacklevel=3)
            return view
        if num_points is not None:

            def close_when_done(positions):
                if len(positions) >= num_points:
                    selector.set_active(False)
                    plt.close(figure)

            selector.connect("changed", close_when_done)
        try:
            plt.show(block=True)
        finally:
            selector.set_active(False)
            plt.close(figure)
    return view


def _check_num_points(num_points):
    return None if num_points is None else as_int(num_points, "num_points", minimum=1)


def _selection_image(image):
    """A 2-D image to click on: the image itself, or the first frame of a 3-D video."""
    if isinstance(image, (str, bytes)):
        raise TypeError("image must be a 2-D image or a 3-D video, got a string")
    ndim = len(image.shape) if hasattr(image, "shape") else np.ndim(image)
    if ndim == 3:
        image = check_video(image, "image")[0]
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(
            f"image must be 2-D (rows, columns) or a 3-D video (frames, rows, columns), got shape {image.shape}"
        )
    if not (is_real_dtype(image.dtype) or image.dtype == bool):
        raise TypeError(f"image must hold real numbers, got dtype {image.dtype}")
    return image


@shared_docs
def select_positions(image, as_integers=True, *, title=None, num_points=None, cmap="gray", vmin=None, vmax=None):
    """Click positions on an image; close the window to finish.

    A left click adds a position; a left click on a position already there,
    or a right click, removes it (a right click removes the nearest one). A
    double click counts as one click. While the zoom or pan tool of the
    toolbar is active (buttons, or the keys ``o`` and ``p``), clicks zoom or
    pan; :class:`PositionSelector` lists every key and button. The call blocks
    until the window is closed (or ``num_points`` positions are chosen), as
    the title says.

    Parameters
    ----------
    image : array_like, shape (H, W) or (T, H, W)
        Image to click on; of a video, the first frame is shown.
    as_integers : bool, optional
        Return whole pixels (default) or the exact click coordinates.
    %(window_options)s

    Returns
    -------
    list of tuple
        The positions ``(x, y)`` (column, row), in the order they were added:
        ints when ``as_integers``, else floats. Empty if nothing was clicked.

    Raises
    ------
    ValueError, TypeError
        If the image is not a 2-D or 3-D numeric array.
    RuntimeError
        With the ipympl (``%matplotlib widget``) backend, which cannot block
        (use :class:`PositionSelector`), or when no window can be opened.

    Warns
    -----
    NoWindowWarning
        A ``UserWarning``, under a non-interactive backend such as Agg (the
        default without a display): no window opens and ``[]`` is returned at once.

    Notes
    -----
    With a GUI backend the window blocks (``plt.show()``). With the inline
    backend of Jupyter or IPython, a GUI backend (Qt, else Tk) is used for the
    call and the inline backend restored afterwards.

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import select_positions
    >>> image = np.random.default_rng(0).random((64, 64))
    >>> positions = select_positions(image, num_points=3)  # doctest: +SKIP
    >>> positions  # doctest: +SKIP
    [(12, 40), (30, 31), (50, 8)]
    """
    image = _selection_image(image)
    num_points = _check_num_points(num_points)

    def make():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(layout="constrained")
        ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="none")
        ax.set_title(f"{CLICK_HINT}\n{window_finish(num_points)}" if title is None else title, fontsize="medium")
        return PositionSelector(ax, as_integers=as_integers)

    selector = _run_blocking(
        make,
        "select_positions",
        "In Jupyter with %matplotlib widget, use the non-blocking PositionSelector(ax) and read "
        "its .positions; or switch to a GUI backend, e.g. %matplotlib qt.",
        num_points,
        instead="the non-blocking PositionSelector(ax) (e.g. in Jupyter with %matplotlib widget).",
    )
    positions = selector.positions
    return positions if num_points is None else positions[:num_points]


@shared_docs
def select_traces(
    video,
    size=5,
    ref_frame=0,
    x=None,
    fps=None,
    *,
    window=None,
    title=None,
    num_points=None,
    cmap="gray",
    vmin=None,
    vmax=None,
):
    """Click positions on a frame and see their traces at once; close the window to finish.

    The reference frame is shown beside a trace panel that is redrawn on every
    added or removed position, each trace in its position's colour. A left
    click adds a position; a left click on a position, or a right click,
    removes it; the keys and buttons are those of :class:`PositionSelector`.
    The call blocks until the window is closed.

    Parameters
    ----------
    video : array_like, shape (T, H, W)
        Video to select traces from.
    size : int, optional
        Window size of the traces, by default 5.
    %(frame_and_time)s
    %(window_options)s

    Returns
    -------
    traces : ndarray, shape (T, N)
        ``extract_traces(video, positions, size, window=window)``; ``(T, 0)``
        when nothing was clicked.
    positions : list of tuple of int
        The positions ``(x, y)``, in the order they were added.

    Raises
    ------
    ValueError, TypeError
        For a video that is not 3-D and numeric, a ``ref_frame`` out of range
        or of the wrong shape, ``x`` together with ``fps``, or a bad ``size``
        or ``window`` (checked before the window opens).
    RuntimeError
        With the ipympl backend (use :class:`TraceSelector`), or when no
        window can be opened.

    Warns
    -----
    NoWindowWarning
        A ``UserWarning``, under a non-interactive backend such as Agg: no
        window opens and traces of shape ``(T, 0)`` and ``[]`` are returned at once.

    See Also
    --------
    TraceSelector : the same, non-blocking (Jupyter with ipympl).

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import select_traces
    >>> video = np.random.default_rng(0).random((200, 64, 64))
    >>> traces, positions = select_traces(video, size=5, fps=500)  # doctest: +SKIP
    >>> traces.shape, positions  # doctest: +SKIP
    ((200, 2), [(20, 31), (45, 12)])
    """
    # Checked once, by the selector's own checks, before a window (or a backend switch) happens.
    checked = check_trace_arguments(video, size, ref_frame, x, fps, window)
    num_points = _check_num_points(num_points)
    title = f"{CLICK_HINT}\n{window_finish(num_points)}" if title is None else title
    view = _run_blocking(
        lambda: TraceSelector(checked, title=title, cmap=cmap, vmin=vmin, vmax=vmax),
        "select_traces",
        "In Jupyter with %matplotlib widget, use the non-blocking TraceSelector(video) and read "
        "its .traces and .positions; or switch to a GUI backend, e.g. %matplotlib qt.",
        num_points,
        empty=f"traces of shape ({int(checked.videos[0].shape[0])}, 0) and []",
        instead="the non-blocking TraceSelector(video) (e.g. in Jupyter with %matplotlib widget).",
    )
    return view.traces, view.positions


def compare_traces(
    videos,
    coords=None,
    labels=None,
    colors=None,
    size=5,
    ref_frame=0,
    fps=None,
    x=None,
    *,
    window=None,
    axs=None,
    title=None,
    legend_loc=None,
    cmap="gray",
    vmin=None,
    vmax=None,
):
    """Compare the traces of several videos at the same positions.

    With ``coords``, a static figure: one panel per position, each with every
    video's trace, a shared time axis and a legend from ``labels``. Without
    ``coords``, an interactive window: the reference frame of the first video
    beside a trace panel; each click shows every video's trace at that point
    (one position at a time). Close the window to finish.

    Videos may differ in length: each trace is drawn over its own frames. They
    must share the frame size.

    Parameters
    ----------
    videos : sequence of array_like, each shape (T_i, H, W)
        Videos to compare, e.g. raw and processed.
    coords : (x, y) or sequence of (x, y), optional
        Positions to plot; None opens the interactive window.
    labels : sequence of str, optional
        One label per video.
    colors : sequence of colors, optional
        One colour per video; by default the colour cycle.
    size : int, optional
        Window size of the traces, by default 5.
    ref_frame : int or array_like of shape (H, W), optional
        Frame of the first video to show (or an image), interactive form only.
    fps : float, optional
        Frames per second: the time axis is in seconds. Not together with ``x``.
    x : array_like, optional
        Values of the time axis, one per frame of the longest video.
    window : {'rect', 'disc', 'pixel'}, optional
        Window of the traces; by default the default window.
    axs : sequence of matplotlib.axes.Axes, optional
        With ``coords``: one Axes per position to draw on (nothing is shown);
        by default a new figure is made and shown.
    title : str, optional
        Title of the figure. With ``coords``: the title of the panel for one
        position, else the figure's title (``suptitle``), as optimap's main
        branch draws it. Interactive form: the title above the frame.
    legend_loc : str, optional
        With ``coords`` and ``labels``: draw one legend for the figure at this
        location (as optimap's main branch does, e.g. ``"outside upper
        center"``) instead of a legend in the first panel.
    cmap, vmin, vmax
        Interactive form: display of the frame.

    Returns
    -------
    list of matplotlib.axes.Axes or list of tuple
        With ``coords``: the Axes, one per position. Without ``coords``: every
        position that was clicked, in order, each once, so that
        ``compare_traces(videos, coords=positions)`` draws them as a static
        figure.

    Raises
    ------
    ValueError, TypeError
        If a video is not 3-D, the frame sizes differ, ``labels`` or
        ``colors`` do not have one entry per video, ``x`` is given with
        ``fps``, a position lies outside the frame or ``coords`` is empty.
    RuntimeError
        Interactive form only: with the ipympl backend, or when no window can
        be opened.

    Warns
    -----
    NoWindowWarning
        A ``UserWarning``, interactive form only, under a non-interactive
        backend such as Agg: no window opens and ``[]`` is returned at once.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import compare_traces
    >>> rng = np.random.default_rng(0)
    >>> raw = rng.random((120, 32, 32))
    >>> smooth = raw[:100] * 0.5                      # e.g. a shorter, processed copy
    >>> fig, axs = plt.subplots(2, 1, sharex=True)
    >>> axs = compare_traces([raw, smooth], coords=[(5, 5), (20, 12)], labels=["raw", "smooth"],
    ...                      fps=500, axs=axs)
    >>> [len(ax.lines) for ax in axs], axs[1].get_xlabel()
    ([2, 2], 'Time [s]')
    >>> plt.close(fig)
    >>> positions = compare_traces([raw, smooth], labels=["raw", "smooth"])  # doctest: +SKIP
    """
    # Checked once, by the selector's own checks, before a window (or a backend switch) happens; the frame
    # last, for only the interactive form shows one.
    checked = check_compare_arguments(
        videos, size, ref_frame, x, fps, labels=labels, colors=colors, window=window, frame=False
    )
    if coords is not None:
        return _compare_static(checked, coords, axs, title, legend_loc)
    if axs is not None:
        raise ValueError("axs is only used with coords; the interactive form makes its own window")
    checked = checked.with_frame(ref_frame)
    title = f"{COMPARE_HINT}\n{window_finish()}" if title is None else title
    view = _run_blocking(
        lambda: CompareSelector(checked, title=title, cmap=cmap, vmin=vmin, vmax=vmax),
        "compare_traces",
        "Pass coords=[(x, y), ...] for a static figure, or in Jupyter with %matplotlib widget use the "
        "non-blocking optimap.trace.CompareSelector(videos); or switch to a GUI backend, "
        "e.g. %matplotlib qt.",
        instead="the non-blocking CompareSelector(videos) (e.g. in Jupyter with %matplotlib widget); or pass "
        "coords=[(x, y), ...] for a static figure.",
    )
    return list(view.history)


def _compare_static(checked, coords, axs, title, legend_loc):
    """The static form of :func:`compare_traces`: one panel per position, every video's trace in each."""
    videos, labels, colors, time = checked.videos, checked.labels, checked.colors, checked.x
    xs, ys, _ = parse_positions(coords, "coords")
    n_positions = len(xs)
    if n_positions == 0:
        raise ValueError("coords is empty; give at least one position (x, y), or coords=None to click positions")
    frame_shape = tuple(int(n) for n in videos[0].shape[1:])
    positions_to_pixels(coords, frame_shape, "coords")  # every position inside the frame, before drawing
    traces = [
        np.asarray(extract_traces(video, coords, checked.size, window=checked.window)).reshape(len(video), -1)
        for video in videos
    ]
    show = axs is None
    if show:
        import matplotlib.pyplot as plt

        _, axs = plt.subplots(
            n_positions, 1, sharex=True, squeeze=False, figsize=(8, 1.2 + 2.2 * n_positions), layout="constrained"
        )
    axs = list(np.ravel(np.asarray(axs, dtype=object)))
    if len(axs) != n_positions:
        raise ValueError(f"axs has {len(axs)} Axes but there are {n_positions} positions; give one per position")
    for j, ax in enumerate(axs):
        for i, (video_traces, color) in enumerate(zip(traces, colors)):
            length = video_traces.shape[0]
            label = labels[i] if labels is not None else f"_video{i}"
            ax.plot(time[:length], video_traces[:, j], color=color, label=label)
        if title is not None and n_positions == 1:  # as optimap's main branch: the title replaces the position
            ax.set_title(str(title), fontsize="medium")
        else:
            ax.set_title(f"Position ({number_text(xs[j])}, {number_text(ys[j])})", fontsize="medium")
        ax.set_ylabel("Intensity")
        set_time_limits(ax, time)
    if checked.x_label:
        axs[-1].set_xlabel(checked.x_label)
    if labels is not None and legend_loc is not None:
        axs[0].figure.legend(handles=axs[0].lines[: len(videos)], ncols=min(len(videos), 4), loc=legend_loc)
    elif labels is not None:
        axs[0].legend(ncols=min(len(videos), 4), loc="upper right")
    if title is not None and n_positions > 1:
        axs[0].figure.suptitle(str(title))
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return axs
