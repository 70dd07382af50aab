"""``TraceWidget``: the dock widget of traces in napari.

The widget listens to the viewer (layers added, removed, moved and renamed,
the current frame, the theme) and to two layers: the video and the layer that
says where. Every change of those schedules one update with the worker
(:mod:`._worker`), which takes a snapshot of the layers (:mod:`._layers`, with
napari's coordinates turned into optimap's by :mod:`._coords`) and computes, off
the GUI thread, only the traces it has not computed before (:mod:`._traces`).
The same thread draws the plot (:mod:`._plot`), which the GUI thread shows with
the frame line over it (:mod:`._view`); the controls are in :mod:`._controls`.
This module holds the public properties and ties the parts together.
"""

import os

import numpy as np
from qtpy.QtWidgets import QVBoxLayout, QWidget

from .._validate import as_bool, as_int, as_positive_float
from ..trace._windows import WINDOWS
from . import _coords, _layers
from ._controls import SIZE_LIMIT, Controls, ask_export_path
from ._plot import PlotSpec
from ._view import PlotView
from ._worker import TraceWorker


def _check_window(value):
    """The trace package's ``check_window``, but without its None (the default window): a widget
    always shows its window."""
    if not isinstance(value, str) or value not in WINDOWS:
        raise ValueError(f"window must be one of {', '.join(map(repr, WINDOWS))}, got {value!r}")
    return value


class _Setting:
    """A widget property the traces depend on: ``check`` turns a value into the setting or raises.

    Setting a new value shows it in the controls and schedules an update (``TraceWidget._set``);
    the value lives in the widget's attribute of the same name with a leading underscore.
    """

    def __init__(self, check, doc):
        self.check = check
        self.__doc__ = doc

    def __set_name__(self, owner, name):
        self.attribute = f"_{name}"

    def __get__(self, widget, owner=None):
        return self if widget is None else getattr(widget, self.attribute)

    def __set__(self, widget, value):
        widget._set(self.attribute, self.check(value))


class _LayerChoice(_Setting):
    """A widget property naming a layer of the viewer: ``check(layer, viewer)`` accepts it or raises.

    A new layer is listened to and the traces updated (``TraceWidget._choose_layer``).
    """

    def __set__(self, widget, layer):
        widget._choose_layer(self.attribute, self.check(layer, widget._viewer))


class TraceWidget(QWidget):
    """Live traces of points, shapes or labels on a video layer, in a napari dock widget.

    Pick the video (any 3-D image layer: numpy, memmap, zarr, dask; level 0 of a
    multiscale image) and the layer that says where: a Points layer (each
    point's window, ``window`` and ``size``, as :func:`optimap.trace.extract_traces`
    takes them), a Shapes layer (rectangles, ellipses and polygons as regions) or
    a Labels layer (one region per label > 0; a label image with more axes than
    the frame counts a pixel in its largest label over those axes), as
    :func:`optimap.trace.extract_region_traces` reads them. By default the most
    recently added layers of those kinds, and the choice follows layers added
    and removed. Points and shapes added, moved or deleted and labels painted
    update the plot; only traces not computed before are read from the video,
    on a worker thread, so the viewer stays responsive.

    Each trace has its item's colour (a point's face colour, a shape's edge
    colour, a label's colour). A vertical line marks the viewer's frame and a
    click on the plot moves the viewer there. Detrend
    (:func:`optimap.trace.detrend_timeseries`, spline) and Normalize
    (:func:`optimap.trace.normalize`, each trace to [0, 1]) process the traces
    shown; Export writes them with :func:`optimap.trace.save_traces`.

    Parameters
    ----------
    viewer : napari.viewer.Viewer
        The viewer whose layers the widget reads.
    parent : QWidget, optional

    Attributes
    ----------
    video_layer : napari.layers.Image or None
    where_layer : napari.layers.Points, Shapes, Labels or None
    window : {'rect', 'disc', 'pixel'}
    size : int
    fps : float or None
    detrend, normalize : bool
    traces : ndarray, shape (T, N)
    names : list of str
    positions : ndarray, shape (N, 2), or None
    frame : int or None
    busy : bool
    status : str
    plot : TracePlot
    controls : Controls

    Notes
    -----
    napari's coordinates are ``(row, column)``; positions here are ``(x, y) =
    (column, row)``, like everywhere in optimap: a point at napari's
    ``[10, 5]`` is the pixel ``video[:, 10, 5]``, position ``(5, 10)``. Points
    and shapes stand for the same pixels in every frame (their time
    coordinate, if any, is left out); layers with their own scale, translation
    or affine transform are mapped through napari's world coordinates onto the
    video's pixels. Line and path shapes, which have no area, get no trace; nor
    do items outside the frame (the status line says which).

    Examples
    --------
    The widget needs a napari viewer (and so a display); this is how a script
    uses it:

    >>> import napari, numpy as np                                  # doctest: +SKIP
    >>> from optimap.napari import TraceWidget
    >>> viewer = napari.Viewer()                                     # doctest: +SKIP
    >>> video = viewer.add_image(np.random.rand(500, 64, 64))        # doctest: +SKIP
    >>> points = viewer.add_points([[10, 20], [30, 40]])  # (row, column)  # doctest: +SKIP
    >>> widget = TraceWidget(viewer)                                 # doctest: +SKIP
    >>> viewer.window.add_dock_widget(widget)                        # doctest: +SKIP
    >>> widget.size = 3                                              # doctest: +SKIP
    >>> widget.wait()                                                # doctest: +SKIP
    >>> widget.traces.shape, widget.positions.tolist()               # doctest: +SKIP
    ((500, 2), [[20, 10], [40, 30]])
    >>> widget.export("traces.csv")                                  # doctest: +SKIP
    """

    def __init__(self, viewer: "napari.viewer.Viewer", parent=None):  # noqa: F821 (napari injects by name)
        viewer = _layers.unwrap(viewer)
        if not all(hasattr(viewer, name) for name in ("layers", "dims", "window")):
            raise TypeError(f"viewer must be a napari Viewer, got {_layers.describe(viewer)}")
        super().__init__(parent)
        self._viewer = viewer
        self._video_layer = None
        self._where_layer = None
        self._listened_video = None  # the video layer the traces were last read from
        self._videos, self._wheres = [], []
        self._window = _default_window()
        self._size = 5
        self._fps = None
        self._detrend = False
        self._normalize = False
        self._result = None
        self._video_token = object()
        self._layer_connections = _layers.Connections()
        self._viewer_connections = _layers.Connections()
        self._closed = False
        self._theme = ("#000000", "#ffffff", "#ffffff")  # background, text, highlight: napari's theme

        self.controls = Controls(WINDOWS, self._on_control, self._on_export_button)
        self.plot = PlotView(on_click=self._on_plot_click, on_resize=self._render)
        layout = QVBoxLayout(self)
        layout.addWidget(self.controls)
        layout.addWidget(self.plot, stretch=1)
        layout.addWidget(self.controls.status)
        self._worker = TraceWorker(
            self._snapshot, self._on_result, self._on_error, self.controls.show_progress, self._on_picture, self
        )

        self._connect_viewer()
        self._refresh_layers(follow=True)
        self._show_settings()
        self._apply_theme()

    # --- properties ------------------------------------------------------------------------------------------

    @property
    def viewer(self):
        """The napari viewer."""
        return self._viewer

    video_layer = _LayerChoice(
        _layers.check_video_layer, "The Image layer the traces are read from (3-D: frames, rows, columns), or None."
    )
    where_layer = _LayerChoice(
        _layers.check_where_layer, "The Points, Shapes or Labels layer that says where the traces are, or None."
    )

    window = _Setting(
        _check_window, "The window of each point: ``'rect'`` (``size`` x ``size``), ``'disc'`` or ``'pixel'``."
    )
    size = _Setting(
        lambda value: as_int(value, "size", minimum=0, maximum=SIZE_LIMIT),
        "Window size in pixels, 0 to 9999 (0 and 1: the point's pixel alone).",
    )
    detrend = _Setting(
        lambda value: as_bool(value, "detrend"),
        "Whether the traces shown are detrended (``detrend_timeseries``, kind ``'spline'``).",
    )
    normalize = _Setting(
        lambda value: as_bool(value, "normalize"),
        "Whether each trace shown is scaled to [0, 1] (``normalize``).",
    )

    @property
    def fps(self):
        """Frames per second, or None: with a value the time axis is in seconds."""
        return self._fps

    @fps.setter
    def fps(self, value):
        value = None if value is None else as_positive_float(value, "fps")
        if value != self._fps:
            self._fps = value
            self._show_settings()
            self._render()
            self._draw_frame()

    def _choose_layer(self, attribute, layer):
        """Read from (or at) another layer: listen to it, show it, and update the traces."""
        if layer is not getattr(self, attribute):
            setattr(self, attribute, layer)
            self._after_layer_change()

    def _set(self, attribute, value):
        """Set a setting the traces depend on; a change shows in the controls and schedules an update."""
        if getattr(self, attribute) != value:
            setattr(self, attribute, value)
            self._show_settings()
            self._worker.schedule()

    @property
    def traces(self):
        """The traces shown now, ``(T, N)``: one column per point, shape or label (read-only)."""
        if self._result is None:
            return np.empty((_layers.n_frames(self._video_layer), 0))
        traces = self._result.traces.view()
        traces.setflags(write=False)
        return traces

    @property
    def names(self):
        """Column names: ``x{X}_y{Y}`` for points, ``shape_{i}`` (its index in the layer), ``label_{k}``."""
        return [] if self._result is None else list(self._result.names)

    @property
    def positions(self):
        """``(N, 2)`` ``(x, y)`` pixels of the points' columns, or None for shapes and labels."""
        if self._result is None or self._result.positions is None:
            return None
        return self._result.positions.copy()

    @property
    def frame(self):
        """The video frame the viewer shows (the plot's vertical line), or None without a video."""
        layer = self._video_layer
        if layer is None:
            return None
        return _coords.current_frame(self._viewer, layer, _layers.n_frames(layer))

    @property
    def figure(self):
        """The matplotlib figure of the plot (:class:`~._plot.TraceFigure`: ``figure``, ``ax``, ``lines``).

        The worker thread draws it: read it after :meth:`wait`, never change it.
        """
        return self._worker.figure

    @property
    def busy(self):
        """Whether an update is waiting or running (``traces`` may then be behind the layers)."""
        return self._worker.busy

    @property
    def status(self):
        """The status line: what the traces are, or what has no trace and why."""
        return self.controls.status.text()

    @property
    def extracted(self):
        """How many traces have been read from videos since the widget was made (cached ones are not)."""
        return self._worker.cache.extracted

    def wait(self, timeout=30.0):
        """Process Qt events until the traces and the plot are up to date (a TimeoutError after ``timeout`` s)."""
        self._worker.wait(as_positive_float(timeout, "timeout"))

    def export(self, path):
        """Write the traces shown to ``path`` with :func:`optimap.trace.save_traces`.

        The extension chooses the format: ``.csv``, ``.npy``, ``.mat`` or
        ``.h5``. Columns are named as :attr:`names`; the first CSV column is the
        time in seconds when ``fps`` is set, else the frame. ``.mat`` and
        ``.h5`` files also hold the layers' names, the window, the size and the
        processing. The file is written under a temporary name and renamed when
        complete. Waits for a running update first.

        Parameters
        ----------
        path : str or os.PathLike

        Raises
        ------
        TypeError
            If ``path`` is not a path.
        ValueError
            If the extension is none of those, or the folder does not exist.
        """
        from optimap.trace import save_traces

        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        self.wait()
        result = self._result
        metadata = {
            "video_layer": "" if self._video_layer is None else self._video_layer.name,
            "where_layer": "" if self._where_layer is None else self._where_layer.name,
            "detrend": "spline" if self._detrend else "none",
            "normalize": int(self._normalize),
        }
        if result is not None and result.kind == "points":
            metadata.update(window=self._window, size=self._size)
        positions = None if result is None else result.positions
        save_traces(os.fspath(path), self.traces, positions, fps=self._fps, names=self.names, metadata=metadata)

    # --- the viewer's layers -------------------------------------------------------------------------------------

    def _connect_viewer(self):
        layers = self._viewer.layers.events
        self._viewer_connections.connect(layers.inserted, self._on_inserted)
        self._viewer_connections.connect(layers.removed, self._on_layers_changed)
        self._viewer_connections.connect(layers.moved, self._on_layers_changed)
        self._viewer_connections.connect(self._viewer.dims.events.current_step, self._on_step)
        self._viewer_connections.connect(self._viewer.events.theme, self._on_theme)

    def _refresh_layers(self, follow=False, added=None):
        """Offer the viewer's layers; keep the chosen ones, or follow new ones, or fall back to the most recent."""
        self._videos, self._wheres, video, where = _layers.choose(
            self._viewer, self._video_layer, self._where_layer, added=added, follow=follow
        )
        self.video_layer = video
        self.where_layer = where
        self._after_layer_change(schedule=False)

    def _after_layer_change(self, schedule=True):
        """Listen to the chosen layers (and the candidates' names), show them, and update the traces."""
        if self._video_layer is not self._listened_video:  # new pixels: no cached trace holds
            self._listened_video = self._video_layer
            self._video_token = object()
            self._fps = _layers.metadata_fps(self._video_layer) or self._fps
        self._layer_connections.clear()
        _layers.listen(
            self._layer_connections,
            self._video_layer,
            self._where_layer,
            [*self._videos, *self._wheres],
            on_video_data=self._on_video_data,
            on_where_data=self._on_where_data,
            on_colors=self._on_colors,
            on_name=self._on_layers_changed,
        )
        self.controls.show_layers(self._videos, self._wheres, self._video_layer, self._where_layer)
        self._show_settings()
        if schedule:
            self._worker.schedule()

    # --- events ------------------------------------------------------------------------------------------------

    def _on_control(self, name, value):
        """A control changed by the user: set the property of the same name."""
        setattr(self, name, value)

    def _on_inserted(self, event):
        if not self._closed:
            self._refresh_layers(added=_layers.unwrap(event.value))

    def _on_layers_changed(self, event=None):
        if not self._closed:
            self._refresh_layers()

    def _on_video_data(self, event=None):
        self._video_token = object()
        self._worker.schedule()

    def _on_where_data(self, event=None):
        action = getattr(event, "action", None)
        if action is not None and str(action).endswith("ing"):  # adding, changing, removing: wait for the end
            return
        self._worker.schedule()

    def _on_colors(self, event=None):
        self._render()

    def _on_step(self, event=None):
        if not self._closed:
            self._draw_frame()

    def _on_theme(self, event=None):
        if not self._closed:
            self._apply_theme()

    # --- the worker ------------------------------------------------------------------------------------------------

    def _snapshot(self, serial):
        settings = dict(window=self._window, size=self._size, detrend=self._detrend, normalize=self._normalize)
        return _layers.snapshot(serial, self._video_layer, self._where_layer, self._video_token, settings)

    def _on_result(self, result):
        self._result = result
        self.controls.status.setText(result.summary(_layers.n_frames(self._video_layer)))
        self._render()

    def _on_error(self, message, clear):
        if clear:
            self._result = None
            self._render()
        self.controls.status.setText(message)

    def _on_picture(self, picture):
        self.plot.set_picture(picture)
        self._draw_frame()

    # --- drawing ---------------------------------------------------------------------------------------------------

    def _show_settings(self):
        points = self._where_layer is not None and _layers.kind(self._where_layer) == "Points"
        self.controls.show_settings(self._window, self._size, self._fps, self._detrend, self._normalize, points)

    def _render(self):
        """Ask the worker to draw the traces shown, in their items' colours, at the plot's size."""
        if self._closed:
            return
        result, traces = self._result, self.traces
        frames = np.arange(traces.shape[0], dtype=np.float64)
        x, xlabel = (frames / self._fps, "time (s)") if self._fps else (frames, "frame")
        ylabel = "normalized" if self._normalize else "detrended" if self._detrend else "mean intensity"
        colors = np.empty((0, 4)) if result is None else _layers.item_colors(self._where_layer, result)
        width, height = self.plot.pixel_size()
        self._worker.render(PlotSpec(x, traces, colors, xlabel, ylabel, self._theme, width, height))

    def _draw_frame(self):
        frame = self.frame
        self.plot.set_frame(None if frame is None else frame / self._fps if self._fps else frame, self._theme[2])

    def _on_plot_click(self, x):
        layer = self._video_layer
        if layer is None:
            return
        last = max(_layers.n_frames(layer) - 1, 0)
        frame = int(np.clip(np.floor((x * self._fps if self._fps else x) + 0.5), 0, last))
        self._viewer.dims.set_point(_coords.time_axis(self._viewer, layer), _coords.frame_to_world(layer, frame))

    def _apply_theme(self):
        from napari.utils.theme import get_theme

        theme = get_theme(self._viewer.theme)
        self._theme = (theme.background.as_hex(), theme.text.as_hex(), theme.highlight.as_hex())
        self._render()
        self._draw_frame()

    def _on_export_button(self):
        path = ask_export_path(self)
        if not path:
            return
        try:
            self.export(path)
        except (ValueError, TypeError, OSError, ImportError) as error:
            self.controls.status.setText(f"not exported: {error}")
        else:
            self.controls.status.setText(f"exported {self.traces.shape[1]} traces to {path}")

    # --- closing -------------------------------------------------------------------------------------------------

    def close(self):
        """Stop listening to the viewer and its layers, stop the worker, and close the widget."""
        self._teardown()
        return super().close()

    def closeEvent(self, event):  # Qt's name
        self._teardown()
        super().closeEvent(event)

    def _teardown(self):
        # close() and Qt's closeEvent both land here; every step may safely run twice
        self._closed = True  # events the viewer still sends are ignored from now on
        self._worker.close()
        self._layer_connections.clear()
        self._viewer_connections.clear()


def _default_window():
    from optimap.trace import get_default_trace_window

    return get_default_trace_window()


__all__ = ["TraceWidget"]
