"""What the trace selectors share: checked arguments, the figure they make, the frame beside the traces.

:class:`TraceSelector` (:mod:`._trace_selector`) and :class:`CompareSelector`
(:mod:`._compare_selector`) put a reference frame and a trace panel side by
side, let a :class:`PositionSelector` (:mod:`._position_selector`) turn clicks
on the frame into positions and redraw the panel whenever they change. None of
them calls ``plt.show``: they work in any backend that delivers mouse events
(Qt, Tk, ipympl ...), and the blocking functions of :mod:`._select` wait for
them in ``plt.show()``.

Their arguments are checked once, here, into a :class:`PanelArguments`: by
the selector's constructor, or by a blocking function before it opens a
window (or switches backends), which then hands the checked arguments to the
constructor.

A figure they make themselves (``axs=None``) is laid out for clicking: the
frame sits in a subfigure of its own, so that the trace panel's tick labels,
which change with every trace, never move or shrink it; the layout is settled
before the first click; in a notebook (ipympl) the figure fits the output area
and the toolbar is placed at the top right, away from the frame.
"""

import dataclasses

import numpy as np

from .._validate import check_video
from . import _backend
from ._plotting import check_figsize, cycle_colors, is_single_color, reference_image, set_time_limits, time_axis
from ._windows import check_size, check_window

# What a click does, in short lines: they must fit above the frame of a notebook-sized figure.
CLICK_HINT = "Click: add a position\nClick it again or right-click: remove"
COMPARE_HINT = "Click: every video's trace there\nClick it again or right-click: clear"

# What finishes a selection: closing the window, or nothing at all in a notebook.
WINDOW_FINISH = "Close the window to finish"

# The default figure of TraceSelector and CompareSelector, in inches: 800 x 350 CSS pixels fit the
# output area of a notebook in JupyterLab at 1280 x 800 with the file browser open (about 850 pixels);
# a window may be larger.
NOTEBOOK_FIGSIZE = (8.0, 3.5)
WINDOW_FIGSIZE = (12.0, 5.0)


# ----------------------------------------------------------------------------- checked arguments


@dataclasses.dataclass(frozen=True)
class PanelArguments:
    """The checked arguments of a selector that shows a frame beside a trace panel.

    Attributes
    ----------
    videos : list of array_like, each shape (T_i, H, W)
        One video (TraceSelector) or several sharing a frame size (CompareSelector).
    size : int
    window : str or None
    x : ndarray
        The time axis: one value per frame of the longest video.
    x_label : str or None
        Its label ("Frame", "Time [s]"; None for given values).
    image : ndarray or None
        The frame to click on; None until :meth:`with_frame` (the static
        ``compare_traces`` shows none).
    labels, colors : list or None
        One label and one colour per video (CompareSelector); ``colors`` is
        the colour cycle when none are given.
    """

    videos: list
    size: int
    window: str | None
    x: np.ndarray
    x_label: str | None
    image: np.ndarray | None = None
    labels: list | None = None
    colors: list | None = None

    def with_frame(self, ref_frame):
        """The same arguments with the frame ``ref_frame`` of the first video (an index or an image)."""
        return dataclasses.replace(self, image=reference_image(self.videos[0], ref_frame))


def _check_panel(videos, size, ref_frame, x, fps, window, *, frame=True, labels=None, colors=None):
    """The checks both selectors make, in the order they make them (the first error is the one raised)."""
    size = check_size(size)
    window = check_window(window)
    image = reference_image(videos[0], ref_frame) if frame else None
    x, x_label = time_axis(max(int(video.shape[0]) for video in videos), x, fps)
    return PanelArguments(videos, size, window, x, x_label, image, labels, colors)


def check_trace_arguments(video, size, ref_frame, x, fps, window):
    """Check the arguments of :class:`TraceSelector` (and :func:`select_traces`)."""
    return _check_panel([check_video(video)], size, ref_frame, x, fps, window)


def check_compare_arguments(videos, size, ref_frame, x, fps, *, labels, colors, window, frame=True):
    """Check the arguments of :class:`CompareSelector` (and :func:`compare_traces`).

    With ``frame=False`` the frame is left for :meth:`PanelArguments.with_frame`:
    the static form of ``compare_traces`` shows none, and its interactive form
    checks ``axs`` first.
    """
    videos = check_videos(videos)
    n = len(videos)
    labels = _one_per_video([labels] if isinstance(labels, str) else labels, n, "labels", "label")
    colors = _one_per_video([colors] if is_single_color(colors) else colors, n, "colors", "colour")
    colors = cycle_colors(n) if colors is None else colors
    return _check_panel(videos, size, ref_frame, x, fps, window, frame=frame, labels=labels, colors=colors)


def check_videos(videos, name="videos"):
    """A list of 3-D videos sharing one frame size."""
    if isinstance(videos, np.ndarray) and videos.ndim == 3:
        raise TypeError(f"{name} must be a sequence of videos; got one 3-D array, wrap it in a list: [video]")
    if isinstance(videos, (str, bytes)) or not hasattr(videos, "__len__") or not hasattr(videos, "__getitem__"):
        raise TypeError(f"{name} must be a sequence of 3-D videos (frames, rows, columns), got {type(videos).__name__}")
    videos = [check_video(video, f"{name}[{i}]") for i, video in enumerate(videos)]
    if not videos:
        raise ValueError(f"{name} is empty; give at least one video")
    frame = tuple(videos[0].shape[1:])
    for i, video in enumerate(videos[1:], start=1):
        if tuple(video.shape[1:]) != frame:
            raise ValueError(
                f"{name} must share one frame size: {name}[0] has frames of {frame} (rows, columns) "
                f"but {name}[{i}] has {tuple(video.shape[1:])}"
            )
    return videos


def _one_per_video(values, n, name, what):
    """``values`` as a list of one entry per video (None stays None); a count mismatch is a ValueError."""
    if values is None:
        return None
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but there are {n} videos; give one {what} per video")
    return values


# ----------------------------------------------------------------------------- figure helpers


def is_notebook_canvas(canvas):
    """True for a canvas drawn in a notebook's output area (ipympl, nbAgg): nothing to close there.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> is_notebook_canvas(Figure().canvas)
    False
    """
    return _backend.is_notebook_widget_backend(type(canvas).__module__)


def window_finish(num_points=None):
    """The line of a title that says how a selection in a window ends.

    Examples
    --------
    >>> window_finish()
    'Close the window to finish'
    >>> window_finish(1)
    'Choose 1 position or close the window to finish'
    """
    if num_points is None:
        return WINDOW_FINISH
    return f"Choose {num_points} position{'' if num_points == 1 else 's'} or close the window to finish"


def default_title(hint, canvas, live):
    """``hint`` and what finishes: closing the window, or in a notebook reading ``live`` in a later cell."""
    finish = f"Then read {live} in a later cell" if is_notebook_canvas(canvas) else WINDOW_FINISH
    return f"{hint}\n{finish}"


def root_figure(ax):
    """The top-level Figure of ``ax``, also when ``ax.figure`` is a SubFigure."""
    return ax.figure.figure  # a SubFigure's .figure is the root Figure, a Figure's is itself


def default_figsize():
    """The size of a new selector figure: a notebook's output area with ipympl, else a window."""
    if _backend.is_notebook_widget_backend(_backend.current_backend()):
        return NOTEBOOK_FIGSIZE
    return WINDOW_FIGSIZE


def place_toolbar(canvas):
    """Move ipympl's toolbar from the top left corner, where it floats over the frame, to the top right.

    The toolbar of ipympl (``%matplotlib widget``) is drawn over the figure
    and takes the clicks that land on it: at its default place, the left,
    it covers about 38 x 192 CSS pixels of the frame's top left corner. At
    the top it sits in the figure's header, right-aligned above the trace
    panel. Other canvases are left alone.
    """
    if is_notebook_canvas(canvas) and hasattr(canvas, "toolbar_position"):
        canvas.toolbar_position = "top"


def settle_layout(figure, ax, max_draws=8):
    """Draw ``figure`` (without rendering) until ``ax`` stops moving, so that it stays put for the clicks.

    The constrained layout of an Axes with a fixed aspect (an image) reaches
    its place over a few draws; settled once here, later draws move it by
    less than a hundredth of a pixel.
    """
    corners = None
    for _ in range(max_draws):
        figure.draw_without_rendering()
        now = ax.transAxes.transform([(0.0, 0.0), (1.0, 1.0)])
        if corners is not None and np.abs(now - corners).max() < 0.01:
            break
        corners = now


def image_and_trace_axes(axs, image, *, cmap, vmin, vmax, title, hint, live, x, x_label, figsize):
    """Show ``image`` on the first Axes, prepare the second for traces; returns both and whether the figure is new."""
    new = axs is None
    if new:
        import matplotlib.pyplot as plt

        figsize = default_figsize() if figsize is None else check_figsize(figsize)
        figure = plt.figure(figsize=figsize, layout="constrained")
        # Two subfigures: the layout of the frame's panel does not depend on the trace panel, whose tick
        # labels change with every trace (in one gridspec they would move and shrink the frame).
        image_panel, trace_panel = figure.subfigures(1, 2, width_ratios=(1, 1.6))
        axs = (image_panel.subplots(), trace_panel.subplots())
        place_toolbar(figure.canvas)
    elif figsize is not None:
        raise ValueError("figsize is only used for a new figure; with axs, size the figure that holds them")
    axs = list(np.ravel(np.asarray(axs, dtype=object)))
    if len(axs) != 2:
        raise ValueError(f"axs must be two Axes (image, traces), got {len(axs)}")
    image_ax, trace_ax = axs
    image_ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="none")
    if title is None:
        title = default_title(hint, image_ax.figure.canvas, live)
    image_ax.set_title(title, fontsize="medium")
    image_ax.set_xticks([])
    image_ax.set_yticks([])
    set_time_limits(trace_ax, x)
    if x_label:
        trace_ax.set_xlabel(x_label)
    trace_ax.set_ylabel("Intensity")
    return image_ax, trace_ax, new


# ----------------------------------------------------------------------------- the shared base


class PanelSelector:
    """A frame to click on beside a trace panel: what TraceSelector and CompareSelector share.

    A subclass draws the two panels with :meth:`_draw_panels`, makes its
    :class:`PositionSelector` on the frame, hands it to :meth:`_attach` and
    redraws its traces in ``_update``, which runs on every change.
    """

    def _draw_panels(self, checked, axs, hint, *, cmap, vmin, vmax, title, figsize):
        """Show the checked frame on the first Axes and prepare the second; True for a figure of our own."""
        self.size, self.window, self.x = checked.size, checked.window, checked.x
        self.image_ax, self.trace_ax, new_figure = image_and_trace_axes(
            axs,
            checked.image,
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            title=title,
            hint=hint,
            live=".traces",
            x=checked.x,
            x_label=checked.x_label,
            figsize=figsize,
        )
        self.figure = root_figure(self.image_ax)
        return new_figure

    def _attach(self, selector, positions, new_figure):
        """Redraw on every change of ``selector``'s positions, start with ``positions``, settle a new figure."""
        self.selector = selector
        self.callbacks = selector.callbacks
        selector.connect("changed", lambda positions: self._update())
        if positions is not None:
            selector.set_positions(positions)
        if new_figure:
            settle_layout(self.figure, self.image_ax)

    def _update(self):
        raise NotImplementedError

    @property
    def positions(self):
        """list of tuple of int: the selected positions ``(x, y)`` (a CompareSelector has one at most)."""
        return self.selector.positions

    def connect(self, signal, func):
        """Call ``func`` on a signal of the selector; see :meth:`PositionSelector.connect`."""
        return self.selector.connect(signal, func)

    def disconnect(self, cid):
        """Remove the callback with id ``cid``."""
        self.selector.disconnect(cid)

    def _rescale_y(self):
        self.trace_ax.relim()
        self.trace_ax.autoscale_view(scalex=False, scaley=True)
