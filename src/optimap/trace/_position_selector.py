"""The position selector: clicks on an Axes become positions, without blocking.

:class:`PositionSelector` is the one place where clicks become positions. It
takes an Axes, listens to the canvas' ``button_press_event``, leaves clicks to
the zoom and pan tools while they are active (``canvas.widgetlock`` and the
toolbar mode), keeps one scatter artist that it updates in place, and
announces every change through a :class:`matplotlib.cbook.CallbackRegistry`.
It never calls ``plt.show``. :class:`TraceSelector` and
:class:`CompareSelector` (in :mod:`._trace_selector` and
:mod:`._compare_selector`) are built on it.
"""

import numpy as np
from matplotlib.backend_bases import MouseButton
from matplotlib.cbook import CallbackRegistry
from matplotlib.colors import to_rgba_array
from matplotlib.markers import MarkerStyle

from .._validate import as_int, number_text
from ._plotting import cycle_colors, is_single_color
from ._positions import parse_positions, round_half_up, round_to_pixels

__all__ = ["PositionSelector"]

SIGNALS = ("changed", "added", "removed")

_SCATTER_DEFAULTS = {"s": 60, "marker": "o", "edgecolors": "white", "linewidths": 1.2, "zorder": 3}


def _frame_shape_of(ax):
    images = ax.get_images()
    if images:
        return tuple(np.shape(images[0].get_array())[:2])
    return None


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
