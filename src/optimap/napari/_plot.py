"""The plot of the dock widget: matplotlib in Qt, themed like napari, with a frame line.

Lines are kept and updated in place. The frame line is animated: a change of
frame restores the saved background and draws the line alone (blitting), so
playing the video does not redraw the traces. A click in the axes reports the
time it was made at.
"""

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

# Points per trace drawn at most: longer traces are drawn as their minimum and maximum per bin
# (the envelope a screen pixel column shows), the data themselves untouched.
MAX_DRAWN = 4000
# Contrast ratio (WCAG) below which a trace is drawn in the text colour instead of its item's colour.
MIN_CONTRAST = 1.6


class TracePlot:
    """A figure with one axes of traces and a vertical line at the viewer's frame."""

    def __init__(self, on_click=None):
        self.figure = Figure(figsize=(5, 3), dpi=100)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(180)
        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.14, right=0.97, top=0.95, bottom=0.17)
        self.lines = []
        self.frame_line = self.ax.axvline(0, linewidth=1, animated=True)
        self.frame_line.set_visible(False)
        self._background = None
        self._on_click = on_click
        self._colors = {"background": "black", "foreground": "white"}
        self.canvas.mpl_connect("draw_event", self._on_draw)
        self.canvas.mpl_connect("button_press_event", self._on_press)
        self.ax.set_xlabel("frame")

    # --- traces ----------------------------------------------------------------------------------------

    def set_traces(self, x, traces, colors, xlabel, ylabel):
        """Show ``traces`` ``(T, N)`` against ``x`` ``(T,)`` in ``colors`` ``(N, 4)``."""
        n = traces.shape[1]
        while len(self.lines) > n:
            self.lines.pop().remove()
        while len(self.lines) < n:
            (line,) = self.ax.plot([], [], linewidth=1)
            self.lines.append(line)
        drawn_x, drawn = envelope(x, traces)
        for i, line in enumerate(self.lines):
            line.set_data(drawn_x, drawn[:, i])
            line.set_color(self._readable(colors[i]))
        self.ax.set_xlabel(xlabel)
        self.ax.set_ylabel(ylabel)
        if len(x):
            self.ax.set_xlim(float(x[0]), float(x[-1]) if len(x) > 1 else float(x[0]) + 1)
        finite = drawn[np.isfinite(drawn)] if drawn.size else drawn
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            pad = (high - low) * 0.05 or max(abs(high) * 0.05, 0.5)
            self.ax.set_ylim(low - pad, high + pad)
        self.canvas.draw_idle()

    def _readable(self, color):
        """The item's colour, or the text colour where it would vanish into the background."""
        rgba = np.array(to_rgba(color))
        rgba[3] = 1.0
        lighter, darker = sorted((_luminance(rgba), _luminance(to_rgba(self._colors["background"]))), reverse=True)
        if (lighter + 0.05) / (darker + 0.05) < MIN_CONTRAST:
            return self._colors["foreground"]
        return tuple(rgba)

    # --- the frame line ----------------------------------------------------------------------------------

    def set_frame(self, x):
        """Move the frame line to ``x`` (None hides it) and draw it alone over the saved background."""
        if x is None:
            self.frame_line.set_visible(False)
        else:
            self.frame_line.set_xdata([x, x])
            self.frame_line.set_visible(True)
        if self._background is None:
            self.canvas.draw_idle()
            return
        self.canvas.restore_region(self._background)
        self.ax.draw_artist(self.frame_line)
        self.canvas.blit(self.figure.bbox)

    def _on_draw(self, _event):
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.ax.draw_artist(self.frame_line)

    def _on_press(self, event):
        if event.inaxes is self.ax and event.button == 1 and event.xdata is not None and self._on_click:
            self._on_click(float(event.xdata))

    # --- theme -------------------------------------------------------------------------------------------

    def set_theme(self, background, foreground, highlight):
        """Colours of napari's theme: the canvas, the text and axes, and the frame line."""
        self._colors = {"background": background, "foreground": foreground}
        self.figure.set_facecolor(background)
        self.ax.set_facecolor(background)
        for spine in self.ax.spines.values():
            spine.set_color(foreground)
        self.ax.tick_params(colors=foreground, which="both")
        self.ax.xaxis.label.set_color(foreground)
        self.ax.yaxis.label.set_color(foreground)
        self.frame_line.set_color(highlight)
        for line in self.lines:
            line.set_color(self._readable(line.get_color()))
        self.canvas.draw_idle()


def envelope(x, traces, limit=MAX_DRAWN):
    """``x`` and ``traces`` to draw: themselves up to ``limit`` rows, else the minimum and maximum
    of each of ``limit // 2`` bins (in time order), so every peak stays visible.

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
