"""Non-blocking selectors: click positions on an image and watch their traces.

:class:`PositionSelector` is the one place where clicks become positions. It
takes an Axes, listens to the canvas' ``button_press_event``, leaves clicks to
the zoom and pan tools while they are active (``canvas.widgetlock`` and the
toolbar mode), keeps one scatter artist that it updates in place, and
announces every change through a :class:`matplotlib.cbook.CallbackRegistry`.

:class:`TraceSelector` and :class:`CompareSelector` put a reference frame and
a trace panel side by side and redraw the panel whenever the positions change.
None of them calls ``plt.show``: they work in any backend that delivers mouse
events (Qt, Tk, ipympl ...), and the blocking functions of ``_select`` wait
for them in ``plt.show()``.

A figure they make themselves (``axs=None``) is laid out for clicking: the
frame sits in a subfigure of its own, so that the trace panel's tick labels,
which change with every trace, never move or shrink it; the layout is settled
before the first click; in a notebook (ipympl) the figure fits the output area
and the toolbar is placed at the top right, away from the frame.
"""

import numbers

import numpy as np
from matplotlib.backend_bases import MouseButton
from matplotlib.cbook import CallbackRegistry
from matplotlib.colors import to_rgba_array
from matplotlib.markers import MarkerStyle

from .._validate import as_int, check_video, number_text
from . import _backend
from ._extract import extract_traces
from ._plot import (
    check_figsize,
    check_image,
    cycle_colors,
    is_single_color,
    set_time_limits,
    time_axis,
)
from ._positions import parse_positions, round_half_up, round_to_pixels
from ._windows import check_size, check_window

__all__ = ["PositionSelector", "TraceSelector", "CompareSelector"]

SIGNALS = ("changed", "added", "removed")

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

_SCATTER_DEFAULTS = {"s": 60, "marker": "o", "edgecolors": "white", "linewidths": 1.2, "zorder": 3}


# ----------------------------------------------------------------------------- validation


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


def per_video(values, n, name, what):
    """One entry per video from ``labels`` or ``colors`` (None stays None); a count mismatch is a ValueError."""
    if values is None:
        return None
    values = [values] if isinstance(values, str) or (name == "colors" and is_single_color(values)) else list(values)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but there are {n} videos; give one {what} per video")
    return values


def _frame_shape_of(ax):
    images = ax.get_images()
    if images:
        return tuple(np.shape(images[0].get_array())[:2])
    return None


# ----------------------------------------------------------------------------- PositionSelector


class PositionSelector:
    """Select positions by clicking on an Axes, without blocking.

    A left click adds a position; a left click on a position already there
    (on its marker or its pixel) removes it, and a right click removes the
    position nearest to it. A double click counts as one click. While the
    zoom or pan tool of the toolbar is active (or any other widget holds
    ``canvas.widgetlock``), clicks are left to it. The selector never calls
    ``plt.show``: attach it to an Axes of any figure whose backend delivers
    mouse events, e.g. the ipympl backend of Jupyter (``%matplotlib
    widget``), and read :attr:`positions` at any time.

    Position ``i`` is drawn in colour ``i`` of the colour cycle (or of
    ``colors``). A position keeps its colour while others are removed; a new
    position takes the first colour not in use. :attr:`colors` lists them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to click on, usually showing an image.
    positions : sequence of (x, y), optional
        Positions to start with.
    as_integers : bool, optional
        Round clicks to whole pixels (default) or keep the exact coordinates.
    single : bool, optional
        Keep at most one position: a new click replaces it.
    colors : color or sequence of colors, optional
        Colours given to the positions in turn; by default the colour cycle.
    shape : (int, int), optional
        ``(height, width)`` of the image: clicks whose pixel falls outside are
        ignored. By default the shape of the first image shown on ``ax``.
    pick_radius : float, optional
        How close (in points) a click must be to a marker to remove it; by
        default the marker radius.
    **scatter_kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter` for the markers (e.g.
        ``s``, ``marker``, ``edgecolors``); the face colours are the selector's.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    scatter : matplotlib.collections.PathCollection
        The one artist of the markers, updated in place.
    callbacks : matplotlib.cbook.CallbackRegistry
        Signals ``"changed"`` (called with the list of positions),
        ``"added"`` and ``"removed"`` (called with the position and its index).
        Bound methods are held weakly, as everywhere in matplotlib.

    Notes
    -----
    What the mouse and the keys do, the same in a Qt or Tk window and in a
    notebook with ipympl (tested in both):

    ===============================  =========================================
    left click on the image          add the position of the clicked pixel
    left click on a position         remove it (its marker or its pixel)
    right click                      remove the position nearest to the click
    double click                     the same as one click
    middle click, scroll             nothing
    ``o`` / ``p`` or the toolbar     zoom / pan tool on or off: while one is
                                     on, clicks zoom or pan and add nothing
    ``h`` or ``r``, ``c``, ``v``     home view, back, forward
    other keys                       matplotlib's (``rcParams["keymap.*"]``);
                                     ``q`` closes the figure, in a notebook
                                     too
    ===============================  =========================================

    In a notebook the keys reach the figure once it has the focus: click on
    it first. Clicks on a pixel outside the image are ignored. A double click
    reaches matplotlib differently by toolkit: Qt, Tk, wx and macOS report
    its second press as the double click, which the selector ignores; a
    browser (ipympl, nbAgg, WebAgg) reports both presses as clicks and then
    the double click, which takes back what the second press did. Either way
    a double click acts once.

    With ipympl the toolbar floats over the figure's top left corner; on a
    figure of your own whose image reaches that corner, move it with
    ``fig.canvas.toolbar_position = "top"`` (or ``"right"``, ``"bottom"``).

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backend_bases import MouseEvent
    >>> from optimap.trace import PositionSelector
    >>> fig = Figure()
    >>> ax = fig.add_subplot()
    >>> _ = ax.imshow(np.zeros((32, 48)), cmap="gray")
    >>> selector = PositionSelector(ax)
    >>> cid = selector.connect("changed", lambda positions: print("now", positions))
    >>> def click(x, y, button=1):
    ...     px, py = ax.transData.transform((x, y))
    ...     event = MouseEvent("button_press_event", fig.canvas, px, py, button=button)
    ...     fig.canvas.callbacks.process("button_press_event", event)
    >>> click(10.2, 5.9)
    now [(10, 6)]
    >>> click(30, 20)
    now [(10, 6), (30, 20)]
    >>> click(29, 21, button=3)  # a right click removes the nearest position
    now [(10, 6)]
    >>> selector.positions, selector.scatter.get_offsets().tolist()
    ([(10, 6)], [[10.0, 6.0]])

    The same with the ipympl backend in Jupyter (``%matplotlib widget``)::

        fig, ax = plt.subplots()
        ax.imshow(frame, cmap="gray")
        selector = PositionSelector(ax)
        # ... click on the figure, then in a later cell:
        selector.positions
    """

    def __init__(
        self,
        ax,
        positions=None,
        *,
        as_integers=True,
        single=False,
        colors=None,
        shape=None,
        pick_radius=None,
        **scatter_kwargs,
    ):
        self.ax = ax
        self.as_integers = bool(as_integers)
        self.single = bool(single)
        if colors is None:
            self._palette = None  # the colour cycle, see cycle_colors
        elif is_single_color(colors):
            self._palette = [colors]
        else:
            self._palette = list(colors)
            if not self._palette:
                raise ValueError("colors is empty; give at least one colour or None for the colour cycle")
        if self._palette is not None:
            to_rgba_array(self._palette)  # an invalid colour fails here, not at the first click
        if shape is None:
            shape = _frame_shape_of(ax)
        if shape is not None:
            shape = (as_int(shape[0], "shape height", minimum=1), as_int(shape[1], "shape width", minimum=1))
        self.shape = shape
        options = dict(_SCATTER_DEFAULTS, **scatter_kwargs)
        for key in ("c", "color", "facecolor", "facecolors"):
            options.pop(key, None)
        self._filled = MarkerStyle(options["marker"]).is_filled()
        if not self._filled:  # line markers ('x', '+') are drawn in the position's colour
            options.pop("edgecolors", None)
        if pick_radius is None:
            pick_radius = max(np.sqrt(float(options["s"])) / 2, 3.0)
        self.pick_radius = float(pick_radius)
        self.scatter = ax.scatter(np.empty(0), np.empty(0), facecolors=np.empty((0, 4)), **options)
        self.callbacks = CallbackRegistry(signals=list(SIGNALS))
        self._positions = []
        self._slots = []
        self._active = True
        # What the last press changed, to take back when a browser reports a double click after both presses.
        self._undo = None
        # A closure, held strongly by the canvas: the selector lives as long as its figure.
        self._cid = ax.figure.canvas.mpl_connect("button_press_event", lambda event: self._on_press(event))
        if positions is not None:
            self.set_positions(positions)

    # -- state --------------------------------------------------------------------------------

    @property
    def positions(self):
        """list of tuple: the selected positions ``(x, y)``, in the order they were added."""
        return list(self._positions)

    @positions.setter
    def positions(self, positions):
        self.set_positions(positions)

    @property
    def colors(self):
        """list: the colour of each position, in the order of :attr:`positions`."""
        if not self._slots:
            return []
        palette = cycle_colors(max(self._slots) + 1) if self._palette is None else self._palette
        return [palette[slot % len(palette)] for slot in self._slots]

    @property
    def active(self):
        """bool: whether clicks are handled."""
        return self._active

    def set_active(self, active):
        """Start (True) or stop (False) handling clicks; the positions stay."""
        self._active = bool(active)

    @property
    def canvas(self):
        return self.ax.figure.canvas

    # -- signals ------------------------------------------------------------------------------

    def connect(self, signal, func):
        """Call ``func`` on ``signal``; returns an id for :meth:`disconnect`.

        Signals: ``"changed"`` calls ``func(positions)`` after every change;
        ``"added"`` calls ``func(position, index)``; ``"removed"`` calls
        ``func(position, index)`` with the index the position had.
        """
        return self.callbacks.connect(signal, func)

    def disconnect(self, cid):
        """Remove the callback with id ``cid``."""
        self.callbacks.disconnect(cid)

    def disconnect_events(self):
        """Stop listening to the canvas (the markers stay on the Axes)."""
        if self._cid is not None:
            self.ax.figure.canvas.mpl_disconnect(self._cid)
            self._cid = None

    # -- editing ------------------------------------------------------------------------------

    def add(self, position):
        """Add one position ``(x, y)`` (rounded when ``as_integers``); returns its index.

        Raises
        ------
        ValueError
            If the position's pixel lies outside :attr:`shape`.
        """
        xs, ys, _ = parse_positions(position, "position")
        self._check_inside(xs[0], ys[0], "position")  # before rounding: any size of coordinate
        position = self._normalise(position, "position")
        if self.single:
            self._remove_all()
        index = self._append(position)
        self._changed()
        return index

    def remove(self, index):
        """Remove the position at ``index`` (negative indices count from the end)."""
        n = len(self._positions)
        index = as_int(index, "index")
        if not -n <= index < n:
            raise ValueError(f"index {index} is out of range for {n} positions")
        self._pop(index % n)
        self._changed()

    def clear(self):
        """Remove every position."""
        self._remove_all()
        self._changed()

    def set_positions(self, positions):
        """Replace all positions; they take the colours in order."""
        xs, ys, single = parse_positions(positions, "positions")
        for x, y in zip(xs, ys):
            self._check_inside(x, y, "positions: position")
        new = [self._normalise((x, y), "positions") for x, y in zip(xs, ys)]
        if self.single and len(new) > 1:
            raise ValueError(f"positions: a single-position selector takes at most one position, got {len(new)}")
        self._remove_all()
        for position in new:
            self._append(position)
        self._changed()

    # -- internals ----------------------------------------------------------------------------

    def _normalise(self, position, name):
        xs, ys, single = parse_positions(position, name)
        if not single:
            raise ValueError(f"{name} must be one pair (x, y), got {position!r}")
        if self.as_integers:
            return int(round_to_pixels(xs[0], name)), int(round_to_pixels(ys[0], name))
        return float(xs[0]), float(ys[0])

    def _check_inside(self, x, y, what):
        if not self._inside((x, y)):
            height, width = self.shape
            raise ValueError(
                f"{what} ({number_text(x)}, {number_text(y)}) is outside the image (width {width}, height {height}); "
                f"x must be in [0, {width - 1}] and y in [0, {height - 1}]"
            )

    def _inside(self, position):
        if self.shape is None:
            return True
        height, width = self.shape
        col, row = round_half_up(position[0]), round_half_up(position[1])  # floats: any size
        return 0 <= col < width and 0 <= row < height

    def _append(self, position):
        slot = 0
        while slot in self._slots:
            slot += 1
        return self._insert(len(self._positions), position, slot)

    def _insert(self, index, position, slot):
        self._positions.insert(index, position)
        self._slots.insert(index, slot)
        self.callbacks.process("added", position, index)
        return index

    def _pop(self, index):
        position = self._positions.pop(index)
        self._slots.pop(index)
        self.callbacks.process("removed", position, index)

    def _remove_all(self):
        while self._positions:
            self._pop(len(self._positions) - 1)

    def _changed(self):
        offsets = np.asarray(self._positions, dtype=float).reshape(-1, 2)
        self.scatter.set_offsets(offsets)
        colors = to_rgba_array(self.colors) if self._positions else np.empty((0, 4))
        self.scatter.set_facecolors(colors)
        if not self._filled:
            self.scatter.set_edgecolors(colors)
        self.callbacks.process("changed", self.positions)
        self.canvas.draw_idle()

    def _tools_busy(self):
        canvas = self.canvas
        if not canvas.widgetlock.available(self):
            return True
        toolbar = getattr(canvas, "toolbar", None)
        if toolbar is None:
            toolbar = getattr(getattr(canvas, "manager", None), "toolbar", None)
        return toolbar is not None and getattr(toolbar, "mode", "") != ""

    def _display_distances(self, event):
        points = self.ax.transData.transform(np.asarray(self._positions, dtype=float).reshape(-1, 2))
        return np.hypot(points[:, 0] - event.x, points[:, 1] - event.y)

    def _hit(self, event, position):
        """Index of the position under the click (its marker or its pixel), else None."""
        if not self._positions:
            return None
        distances = self._display_distances(event)
        radius = self.pick_radius * self.ax.figure.dpi / 72
        nearest = int(np.argmin(distances))
        if distances[nearest] <= radius:
            return nearest
        pixel = (int(round_to_pixels(position[0])), int(round_to_pixels(position[1])))
        for i, (x, y) in enumerate(self._positions):
            if (int(round_to_pixels(x)), int(round_to_pixels(y))) == pixel:
                return i
        return None

    def _on_press(self, event):
        if not self._active or event.inaxes is not self.ax or event.xdata is None or event.ydata is None:
            return
        if getattr(event, "dblclick", False):
            self._on_double_click(event)
            return
        self._undo = None
        if self._tools_busy():
            return
        before = (list(self._positions), list(self._slots))
        if event.button == MouseButton.LEFT:
            position = self._normalise((event.xdata, event.ydata), "click")
            hit = self._hit(event, position)
            if hit is not None:
                self._pop(hit)
            elif self._inside(position):
                if self.single:
                    self._remove_all()
                self._append(position)
            else:
                return
            self._undo = before
            self._changed()
        elif event.button == MouseButton.RIGHT and self._positions:
            self._pop(int(np.argmin(self._display_distances(event))))
            self._changed()

    def _on_double_click(self, event):
        """A double click acts once: its first press did what a click does; its second must change nothing.

        Qt, Tk, wx and macOS report the second press as the double click:
        ignoring it is enough. Browsers (ipympl, nbAgg, WebAgg) report both
        presses as clicks and then the double click: that second click is
        taken back here.
        """
        undo, self._undo = self._undo, None
        if undo is None or event.button != MouseButton.LEFT or not _reports_both_presses(self.canvas):
            return
        self._restore(*undo)
        self._changed()

    def _restore(self, positions, slots):
        """Go back to ``positions`` with their colour slots, with one signal per position removed or added."""
        old = list(zip(positions, slots))
        for index in reversed(range(len(self._positions))):
            if (self._positions[index], self._slots[index]) not in old:
                self._pop(index)
        for index, (position, slot) in enumerate(old):
            if index >= len(self._positions) or (self._positions[index], self._slots[index]) != (position, slot):
                self._insert(index, position, slot)


def _reports_both_presses(canvas):
    """True for the browser canvases (ipympl, nbAgg, WebAgg): a double click comes as click, click, double click."""
    return any(cls.__name__ == "FigureCanvasWebAggCore" for cls in type(canvas).__mro__)


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


def _image_and_trace_axes(axs, image, *, cmap, vmin, vmax, title, hint, live, x, x_label, figsize):
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


def _rescale_y(ax):
    ax.relim()
    ax.autoscale_view(scalex=False, scaley=True)


# ----------------------------------------------------------------------------- TraceSelector


class TraceSelector:
    """Click positions on a frame of a video and see their traces at once, without blocking.

    The reference frame is shown beside a trace panel. Every added or removed
    position redraws the panel: one line per position, in the position's
    colour. The object never calls ``plt.show``; it is what
    :func:`select_traces` waits on, and what to use in Jupyter with the ipympl
    backend (``%matplotlib widget``), where :attr:`positions` and
    :attr:`traces` follow the clicks: there is nothing to close, read them in
    a later cell. The mouse and the keys do what :class:`PositionSelector`
    lists, in a notebook as in a window.

    Parameters
    ----------
    video : array_like, shape (T, H, W)
        The video.
    size : int, optional
        Window size of the traces, by default 5 (see :func:`extract_traces`).
    ref_frame : int or array_like of shape (H, W), optional
        Index of the frame to show, by default 0, or an image of the frame
        size (e.g. an activation map).
    x : array_like, shape (T,), optional
        Values of the time axis. Not together with ``fps``.
    fps : float, optional
        Frames per second: the time axis is in seconds.
    window : {'rect', 'disc', 'pixel'}, optional
        Window of the traces; by default the default window.
    positions : sequence of (x, y), optional
        Positions to start with.
    axs : pair of matplotlib.axes.Axes, optional
        Axes for the image and the traces; by default a new pyplot figure
        (which ipympl displays in the notebook), laid out for clicking (see
        Notes).
    cmap, vmin, vmax
        Display of the frame, as in :meth:`matplotlib.axes.Axes.imshow`.
    title : str, optional
        Title above the frame; by default how to click and what finishes:
        "Close the window to finish" in a window, "Then read .traces in a
        later cell" in a notebook.
    figsize : (float, float), optional
        Size in inches of the new figure (not with ``axs``); by default
        8 x 3.5 with ipympl, to fit a notebook's output area, else 12 x 5.
    **plot_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the traces.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure (the top-level one when ``axs`` sit in subfigures).
    image_ax, trace_ax : matplotlib.axes.Axes
    selector : PositionSelector
        The click handling on ``image_ax``.
    callbacks : matplotlib.cbook.CallbackRegistry
        The selector's signals (``"changed"``, ``"added"``, ``"removed"``);
        callbacks run after the trace panel is updated.

    Notes
    -----
    The figure made when ``axs`` is None keeps the frame still while you
    click: frame and trace panel sit in two subfigures, so the trace panel's
    tick labels, which widen with the first trace, cannot move or shrink the
    frame, and the layout is settled before the first click. With ipympl its
    toolbar is placed at the top right (``figure.canvas.toolbar_position =
    "top"``) instead of floating over the frame's top left corner, so every
    pixel of the frame can be clicked.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from optimap.trace import TraceSelector, extract_traces
    >>> video = np.random.default_rng(0).random((100, 32, 32))
    >>> fig = Figure()
    >>> selector = TraceSelector(video, size=3, fps=500, axs=fig.subplots(1, 2))
    >>> selector.selector.add((5, 8))      # what a click at (5, 8) does
    0
    >>> selector.selector.add((20, 11))
    1
    >>> selector.positions, selector.traces.shape
    ([(5, 8), (20, 11)], (100, 2))
    >>> np.array_equal(selector.traces, extract_traces(video, [(5, 8), (20, 11)], size=3))
    True
    >>> [line.get_color() for line in selector.trace_ax.lines] == selector.colors
    True

    In Jupyter with ``%matplotlib widget``::

        selector = TraceSelector(video, fps=500)   # the figure appears; click on the frame
        traces, positions = selector.traces, selector.positions   # in a later cell
    """

    def __init__(
        self,
        video,
        size=5,
        ref_frame=0,
        x=None,
        fps=None,
        *,
        window=None,
        positions=None,
        axs=None,
        cmap="gray",
        vmin=None,
        vmax=None,
        title=None,
        figsize=None,
        **plot_kwargs,
    ):
        self.video = check_video(video)
        self.size = check_size(size)
        self.window = check_window(window)
        image = reference_image(self.video, ref_frame)
        self.x, x_label = time_axis(int(self.video.shape[0]), x, fps)
        self.image_ax, self.trace_ax, new_figure = _image_and_trace_axes(
            axs,
            image,
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            title=title,
            hint=CLICK_HINT,
            live=".traces",
            x=self.x,
            x_label=x_label,
            figsize=figsize,
        )
        self.figure = root_figure(self.image_ax)
        self._plot_kwargs = plot_kwargs
        self._lines = []
        self._line_cache = {}
        self._traces = None
        self.selector = PositionSelector(self.image_ax, shape=tuple(int(n) for n in self.video.shape[1:]))
        self.callbacks = self.selector.callbacks
        self.selector.connect("changed", lambda positions: self._update())
        if positions is not None:
            self.selector.set_positions(positions)
        if new_figure:
            settle_layout(self.figure, self.image_ax)

    @property
    def positions(self):
        """list of tuple of int: the selected positions ``(x, y)``."""
        return self.selector.positions

    @property
    def colors(self):
        """list: the colour of each position and its trace."""
        return self.selector.colors

    @property
    def lines(self):
        """list of matplotlib.lines.Line2D: the trace of each position, in order."""
        return list(self._lines)

    @property
    def traces(self):
        """ndarray, shape (T, N): ``extract_traces(video, positions, size, window=window)``."""
        if self._traces is None:
            self._traces = extract_traces(self.video, self.positions, self.size, window=self.window)
        return self._traces.copy()

    def connect(self, signal, func):
        """Call ``func`` on a signal of the selector; see :meth:`PositionSelector.connect`."""
        return self.selector.connect(signal, func)

    def disconnect(self, cid):
        """Remove the callback with id ``cid``."""
        self.selector.disconnect(cid)

    def _trace(self, position):
        key = tuple(position)
        if key not in self._line_cache:
            self._line_cache[key] = extract_traces(self.video, key, self.size, window=self.window)
        return self._line_cache[key]

    def _update(self):
        self._traces = None
        positions, colors = self.selector.positions, self.selector.colors
        current = set(positions)
        self._line_cache = {key: trace for key, trace in self._line_cache.items() if key in current}
        for i, (position, color) in enumerate(zip(positions, colors)):
            trace = self._trace(position)
            if i < len(self._lines):
                self._lines[i].set_data(self.x, trace)
                self._lines[i].set_color(color)
            else:
                (line,) = self.trace_ax.plot(self.x, trace, color=color, **self._plot_kwargs)
                self._lines.append(line)
        while len(self._lines) > len(positions):
            self._lines.pop().remove()
        _rescale_y(self.trace_ax)


# ----------------------------------------------------------------------------- CompareSelector


class CompareSelector:
    """Click a position and compare the traces of several videos there, without blocking.

    The reference frame of the first video is shown beside a trace panel with
    one line per video. A click moves the position (there is one at a time);
    clicking it again or right-clicking removes it. Videos may differ in
    length; each trace is drawn over its own frames. This object is what the
    interactive form of :func:`compare_traces` waits on, and what to use with
    the ipympl backend, where :attr:`positions`, :attr:`traces` and
    :attr:`history` follow the clicks. The mouse and the keys do what
    :class:`PositionSelector` lists; its figure is laid out as
    :class:`TraceSelector`'s.

    Parameters
    ----------
    videos : sequence of array_like, each shape (T_i, H, W)
        Videos sharing one frame size.
    size, ref_frame, x, fps, window
        As in :class:`TraceSelector`; ``x`` has one value per frame of the
        longest video.
    labels : sequence of str, optional
        One label per video, shown in a legend.
    colors : sequence of colors, optional
        One colour per video; by default the colour cycle.
    axs, cmap, vmin, vmax, title, figsize
        As in :class:`TraceSelector`.
    marker_color : color, optional
        Colour of the position's marker, by default white.

    Attributes
    ----------
    lines : list of matplotlib.lines.Line2D
        One line per video, updated in place.
    history : list of tuple
        Every position clicked, in order, each once.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from optimap.trace import extract_traces
    >>> from optimap.trace._select import CompareSelector
    >>> rng = np.random.default_rng(0)
    >>> raw, filtered = rng.random((100, 16, 16)), rng.random((80, 16, 16))
    >>> compare = CompareSelector([raw, filtered], labels=["raw", "filtered"], axs=Figure().subplots(1, 2))
    >>> compare.selector.add((3, 4))
    0
    >>> [trace.shape for trace in compare.traces]
    [(100,), (80,)]
    >>> compare.selector.add((7, 7))       # replaces the position
    0
    >>> compare.positions, compare.history
    ([(7, 7)], [(3, 4), (7, 7)])
    """

    def __init__(
        self,
        videos,
        size=5,
        ref_frame=0,
        x=None,
        fps=None,
        *,
        labels=None,
        colors=None,
        window=None,
        axs=None,
        cmap="gray",
        vmin=None,
        vmax=None,
        title=None,
        marker_color="white",
        figsize=None,
        **plot_kwargs,
    ):
        self.videos = check_videos(videos)
        n = len(self.videos)
        self.labels = per_video(labels, n, "labels", "label")
        colors = per_video(colors, n, "colors", "colour")
        self.video_colors = cycle_colors(n) if colors is None else colors
        self.size = check_size(size)
        self.window = check_window(window)
        image = reference_image(self.videos[0], ref_frame)
        lengths = [int(video.shape[0]) for video in self.videos]
        self.x, x_label = time_axis(max(lengths), x, fps)
        self.image_ax, self.trace_ax, new_figure = _image_and_trace_axes(
            axs,
            image,
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            title=title,
            hint=COMPARE_HINT,
            live=".traces",
            x=self.x,
            x_label=x_label,
            figsize=figsize,
        )
        self.figure = root_figure(self.image_ax)
        self.lines = []
        for i in range(len(lengths)):
            (line,) = self.trace_ax.plot(
                np.empty(0), np.empty(0), color=self.video_colors[i], **plot_kwargs
            )
            line.set_label(self.labels[i] if self.labels is not None else f"_video{i}")
            self.lines.append(line)
        self._lengths = lengths
        if self.labels is not None:
            self.trace_ax.legend(ncols=min(n, 4), loc="upper right")
        self.history = []
        self._traces = None
        self.selector = PositionSelector(
            self.image_ax,
            single=True,
            colors=[marker_color],
            shape=tuple(int(n) for n in self.videos[0].shape[1:]),
            edgecolors="black",
        )
        self.callbacks = self.selector.callbacks
        self.selector.connect("added", lambda position, index: self._remember(position))
        self.selector.connect("changed", lambda positions: self._update())
        if new_figure:
            settle_layout(self.figure, self.image_ax)

    @property
    def positions(self):
        """list of tuple of int: the current position (none or one)."""
        return self.selector.positions

    @property
    def traces(self):
        """list of ndarray or None: each video's trace at the current position, None without one."""
        return None if self._traces is None else [trace.copy() for trace in self._traces]

    def connect(self, signal, func):
        """Call ``func`` on a signal of the selector; see :meth:`PositionSelector.connect`."""
        return self.selector.connect(signal, func)

    def disconnect(self, cid):
        """Remove the callback with id ``cid``."""
        self.selector.disconnect(cid)

    def _remember(self, position):
        if position not in self.history:
            self.history.append(position)

    def _update(self):
        positions = self.selector.positions
        if positions:
            position = positions[0]
            self._traces = [extract_traces(video, position, self.size, window=self.window) for video in self.videos]
            for line, trace, length in zip(self.lines, self._traces, self._lengths):
                line.set_data(self.x[:length], trace)
            self.trace_ax.set_title(f"Position ({position[0]}, {position[1]})", fontsize="medium")
        else:
            self._traces = None
            for line in self.lines:
                line.set_data(np.empty(0), np.empty(0))
            self.trace_ax.set_title("")
        _rescale_y(self.trace_ax)
