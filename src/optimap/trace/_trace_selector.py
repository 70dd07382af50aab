"""TraceSelector: click positions on a frame and watch their traces, without blocking.

What :func:`select_traces` waits on, and what to use in Jupyter with ipympl.
The figure, the checks and the click handling are shared with
:class:`CompareSelector` (see :mod:`._selector`).
"""

from ._docstring import shared_docs
from ._extract import extract_traces
from ._position_selector import PositionSelector
from ._selector import CLICK_HINT, PanelArguments, PanelSelector, check_trace_arguments

__all__ = ["TraceSelector"]


@shared_docs
class TraceSelector(PanelSelector):
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
    %(frame_and_time)s
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
        # select_traces checks the arguments before it opens a window and passes them on checked.
        if isinstance(video, PanelArguments):
            checked = video
        else:
            checked = check_trace_arguments(video, size, ref_frame, x, fps, window)
        self.video = checked.videos[0]
        new_figure = self._draw_panels(
            checked, axs, CLICK_HINT, cmap=cmap, vmin=vmin, vmax=vmax, title=title, figsize=figsize
        )
        self._plot_kwargs = plot_kwargs
        self._lines = []
        self._line_cache = {}
        self._traces = None
        selector = PositionSelector(self.image_ax, shape=tuple(int(n) for n in self.video.shape[1:]))
        self._attach(selector, positions, new_figure)

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
        self._rescale_y()
