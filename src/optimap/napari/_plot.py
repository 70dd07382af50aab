"""The figure of the traces, drawn off the GUI thread into a picture.

Drawing a matplotlib figure takes tens to hundreds of milliseconds (ticks,
text, and each trace's line), too long for napari's event loop. So the figure
is an Agg figure that only the worker thread touches: :meth:`TraceFigure.render`
draws a :class:`PlotSpec` (the traces, their colours, labels, theme and size in
pixels) and returns a :class:`Picture`, the RGBA pixels and where the axes are
in them. The GUI thread shows the picture and draws the frame line over it
(:mod:`._view`). Lines are kept and updated in place between renders.

Nothing here imports Qt.
"""

import dataclasses
import time

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

# Contrast ratio (WCAG) below which a trace is drawn in the text colour instead of its item's colour.
MIN_CONTRAST = 1.6
DPI = 100


@dataclasses.dataclass(frozen=True)
class PlotSpec:
    """What to draw: ``traces`` ``(T, N)`` against ``x`` ``(T,)`` in ``colors`` ``(N, 4)``, in a picture of
    ``width`` x ``height`` pixels; ``theme`` is ``(background, foreground, highlight)``."""

    x: np.ndarray
    traces: np.ndarray
    colors: np.ndarray
    xlabel: str
    ylabel: str
    theme: tuple
    width: int
    height: int


@dataclasses.dataclass(frozen=True)
class Picture:
    """A drawn figure: ``rgba`` ``(height, width, 4)`` uint8, the axes' pixel box ``(left, top, right,
    bottom)`` (rows from the top), and the x range the axes show ``(x0, x1)``."""

    rgba: np.ndarray
    axes_box: tuple
    xlim: tuple


class TraceFigure:
    """A figure with one axes of traces, drawn by :meth:`render` (on one thread at a time)."""

    def __init__(self):
        self.figure = Figure(figsize=(5, 3), dpi=DPI)
        FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self.lines = []
        self.background = "black"

    def render(self, spec):
        """Draw ``spec`` and return its :class:`Picture`."""
        width, height = max(int(spec.width), 50), max(int(spec.height), 50)
        self.figure.set_size_inches(width / DPI, height / DPI)
        self._apply_theme(*spec.theme)
        # margins in pixels: room for the tick labels and axis labels whatever the size
        self.figure.subplots_adjust(
            left=min(62 / width, 0.4),
            right=1 - min(10 / width, 0.1),
            top=1 - min(8 / height, 0.1),
            bottom=min(46 / height, 0.4),
        )
        axes_width = max(int(self.ax.get_position().width * width), 1)
        self._set_lines(spec, limit=max(2 * axes_width, 200))
        self.figure.canvas.draw()
        rgba = np.asarray(self.figure.canvas.buffer_rgba()).copy()
        box = self.ax.get_window_extent()
        axes_box = (float(box.x0), float(height - box.y1), float(box.x1), float(height - box.y0))
        return Picture(rgba, axes_box, tuple(float(v) for v in self.ax.get_xlim()))

    def _set_lines(self, spec, limit):
        x, traces = spec.x, spec.traces
        n = traces.shape[1]
        while len(self.lines) > n:
            self.lines.pop().remove()
        while len(self.lines) < n:
            self.lines.append(self.ax.add_line(_TraceLine([], [], linewidth=1)))
        drawn_x, drawn = envelope(x, traces, limit)
        for i, line in enumerate(self.lines):
            line.set_data(drawn_x, drawn[:, i])
            line.set_color(self._readable(spec.colors[i]))
        self.ax.set_xlabel(spec.xlabel)
        self.ax.set_ylabel(spec.ylabel)
        if len(x):
            self.ax.set_xlim(float(x[0]), float(x[-1]) if len(x) > 1 else float(x[0]) + 1)
        finite = drawn[np.isfinite(drawn)] if drawn.size else drawn
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            pad = (high - low) * 0.05 or max(abs(high) * 0.05, 0.5)
            self.ax.set_ylim(low - pad, high + pad)

    def _apply_theme(self, background, foreground, highlight):
        self.background, self.foreground = background, foreground
        self.figure.set_facecolor(background)
        self.ax.set_facecolor(background)
        for spine in self.ax.spines.values():
            spine.set_color(foreground)
        self.ax.tick_params(colors=foreground, which="both")
        self.ax.xaxis.label.set_color(foreground)
        self.ax.yaxis.label.set_color(foreground)

    def _readable(self, color):
        """The item's colour, or the text colour where it would vanish into the background."""
        rgba = np.array(to_rgba(color))
        rgba[3] = 1.0
        lighter, darker = sorted((_luminance(rgba), _luminance(to_rgba(self.background))), reverse=True)
        if (lighter + 0.05) / (darker + 0.05) < MIN_CONTRAST:
            return self.foreground
        return tuple(rgba)


class _TraceLine(Line2D):
    """A trace's line, which lets other threads run before it is drawn.

    Drawing hundreds of lines is one long stretch of Python and C on the worker
    thread. Without a pause a thread waiting for the GIL (napari's event loop)
    waited up to 31-133 ms at a time while 200 traces were drawn, with one
    12-23 ms (measured with a 1 ms ticker thread beside the drawing).
    """

    def draw(self, renderer):
        time.sleep(0)  # releases the GIL, so a thread waiting for it runs now
        super().draw(renderer)


def envelope(x, traces, limit):
    """``x`` and ``traces`` to draw: themselves up to ``limit`` rows, else the minimum and maximum
    of each of ``limit // 2`` bins (in time order), so every peak stays visible at about one bin
    per pixel column; the data themselves are untouched.

    Examples
    --------
    >>> x, drawn = envelope(np.arange(8.0), np.arange(8.0)[:, None], limit=4)
    >>> x.tolist(), drawn[:, 0].tolist()
    ([0.0, 3.0, 4.0, 7.0], [0.0, 3.0, 4.0, 7.0])
    """
    n = len(x)
    if n <= limit or traces.shape[1] == 0:
        return x, traces
    bins = limit // 2
    edges = np.linspace(0, n, bins + 1).astype(np.int64)
    starts = edges[:-1]
    with np.errstate(invalid="ignore"):
        low = np.minimum.reduceat(traces, starts, axis=0)
        high = np.maximum.reduceat(traces, starts, axis=0)
    drawn = np.empty((2 * bins, traces.shape[1]), dtype=np.result_type(traces.dtype, np.float32))
    drawn[0::2], drawn[1::2] = low, high
    drawn_x = np.empty(2 * bins, dtype=np.float64)
    drawn_x[0::2], drawn_x[1::2] = x[starts], x[edges[1:] - 1]
    return drawn_x, drawn


def _luminance(rgba):
    """Relative luminance of an sRGB colour (WCAG 2)."""
    rgb = np.asarray(rgba[:3], dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])
