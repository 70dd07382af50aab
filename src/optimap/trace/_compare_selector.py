"""CompareSelector: click a position and compare the traces of several videos there, without blocking.

What the interactive form of :func:`compare_traces` waits on, and what to use
in Jupyter with ipympl. The figure, the checks and the click handling are
shared with :class:`TraceSelector` (see :mod:`._selector`).
"""

import numpy as np

from ._extract import extract_traces
from ._position_selector import PositionSelector
from ._selector import COMPARE_HINT, PanelArguments, PanelSelector, check_compare_arguments

__all__ = ["CompareSelector"]


class CompareSelector(PanelSelector):
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
        # compare_traces checks the arguments before it opens a window and passes them on checked.
        if isinstance(videos, PanelArguments):
            checked = videos
        else:
            checked = check_compare_arguments(
                videos, size, ref_frame, x, fps, labels=labels, colors=colors, window=window
            )
        self.videos, self.labels, self.video_colors = checked.videos, checked.labels, checked.colors
        new_figure = self._draw_panels(
            checked, axs, COMPARE_HINT, cmap=cmap, vmin=vmin, vmax=vmax, title=title, figsize=figsize
        )
        self._lengths = [int(video.shape[0]) for video in self.videos]
        self.lines = []
        for i, color in enumerate(self.video_colors):
            (line,) = self.trace_ax.plot(np.empty(0), np.empty(0), color=color, **plot_kwargs)
            line.set_label(self.labels[i] if self.labels is not None else f"_video{i}")
            self.lines.append(line)
        if self.labels is not None:
            self.trace_ax.legend(ncols=min(len(self.videos), 4), loc="upper right")
        self.history = []
        self._traces = None
        selector = PositionSelector(
            self.image_ax,
            single=True,
            colors=[marker_color],
            shape=tuple(int(n) for n in self.videos[0].shape[1:]),
            edgecolors="black",
        )
        selector.connect("added", lambda position, index: self._remember(position))
        self._attach(selector, None, new_figure)

    @property
    def traces(self):
        """list of ndarray or None: each video's trace at the current position, None without one."""
        return None if self._traces is None else [trace.copy() for trace in self._traces]

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
        self._rescale_y()
