"""``TraceWidget``: the dock widget of traces in napari.

The widget listens to the viewer (layers added, removed and renamed, the
current frame, the theme) and to two layers: the video, an Image layer of
three dimensions, and the layer that says where, a Points, Shapes or Labels
layer. Every change of the where-layer schedules one update: a snapshot of the
layer (:mod:`._coords` turns napari's ``(row, column)`` coordinates into
optimap's ``(x, y)``) goes to a single worker thread, which computes only the
traces it has not computed before (:mod:`._traces`) and hands the ``(T, N)``
array back to the GUI thread through a Qt signal. Changes that arrive while the
worker is busy are merged into one next update.
"""

import concurrent.futures
import itertools
import math
import numbers
import os
import time

import numpy as np
from qtpy.QtCore import QObject, Qt, QTimer, Signal
from qtpy.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from . import _coords
from ._plot import TracePlot
from ._traces import Request, TraceCache

WINDOWS = ("rect", "disc", "pixel")
WHERE_KINDS = ("Points", "Shapes", "Labels")
# Metadata keys of a video layer that give its frame rate.
FPS_KEYS = ("fps", "frame_rate", "framerate", "frames_per_second")
# Milliseconds an update may take before the progress bar shows.
PROGRESS_DELAY_MS = 300
_SIZE_LIMIT = 9999


class _Bridge(QObject):
    """Carries the worker's results to the GUI thread (a signal emitted from another thread is queued)."""

    done = Signal(object)


def _unwrap(obj):
    """The object behind napari's ``PublicOnlyProxy`` (napari hands plugins proxied viewers and layers)."""
    return getattr(obj, "__wrapped__", obj)


def _kind(layer):
    return type(_unwrap(layer)).__name__


def _is_video(layer):
    layer = _unwrap(layer)
    return _kind(layer) == "Image" and layer.ndim == 3 and not getattr(layer, "rgb", False)


def _is_where(layer):
    return _kind(layer) in WHERE_KINDS


def _video_data(layer):
    """The array of a video layer: level 0 of a multiscale image."""
    return layer.data[0] if layer.multiscale else layer.data


def _describe(value):
    if hasattr(value, "name") and hasattr(value, "ndim"):
        return f"the {_kind(value)} layer {value.name!r} ({value.ndim}-D)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
    names, positions : list of str, ndarray (N, 2) or None
    busy : bool

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
        super().__init__(parent)
        self._viewer = _unwrap(viewer)
        self._video_layer = None
        self._where_layer = None
        self._window = _default_window()
        self._size = 5
        self._fps = None
        self._detrend = False
        self._normalize = False
        self._result = None
        self._colors = np.empty((0, 4))
        self._serial = itertools.count(1)
        self._latest_serial = 0
        self._running = False
        self._dirty = False
        self._closed = False
        self._video_token = None
        self._layer_connections = []
        self._viewer_connections = []
        self._syncing = False
        self._cache = TraceCache()
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="optimap-traces")
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._on_done)
        self._started = 0.0
        self.last_update_seconds = None

        self._build_controls()
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.setInterval(0)
        self._update_timer.timeout.connect(self._request_update)
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_DELAY_MS)
        self._progress_timer.timeout.connect(self._show_progress)

        self._connect_viewer()
        self._refresh_choices(follow=True)
        self._apply_theme()
        self._executor.submit(_warm_up)

    # --- controls ------------------------------------------------------------------------------------------

    def _build_controls(self):
        self._video_box = QComboBox()
        self._where_box = QComboBox()
        self._window_box = QComboBox()
        self._window_box.addItems(WINDOWS)
        self._window_box.setCurrentText(self._window)
        self._size_box = QSpinBox()
        self._size_box.setRange(0, _SIZE_LIMIT)
        self._size_box.setValue(self._size)
        self._fps_box = QDoubleSpinBox()
        self._fps_box.setRange(0, 1e6)
        self._fps_box.setDecimals(3)
        self._fps_box.setSpecialValueText("none (frames)")
        self._fps_box.setToolTip("Frames per second: the time axis is in seconds when set (0: in frames)")
        self._detrend_box = QCheckBox("Detrend")
        self._detrend_box.setToolTip("detrend_timeseries(traces, kind='spline'): remove slow drift")
        self._normalize_box = QCheckBox("Normalize")
        self._normalize_box.setToolTip("normalize(traces): each trace to [0, 1]")
        self._export_button = QPushButton("Export…")
        self._export_button.setToolTip("Save the traces shown as .csv, .npy, .mat or .h5")
        self._progress = QProgressBar()
        self._progress.setRange(0, 0)  # busy: the engine makes one pass and reports no fraction
        self._progress.setMaximumHeight(10)
        self._progress.setTextVisible(False)
        self._progress.hide()
        self._status = QLabel()
        self._status.setWordWrap(True)
        self.plot = TracePlot(on_click=self._on_plot_click)

        form = QFormLayout()
        form.addRow("video", self._video_box)
        form.addRow("where", self._where_box)
        window_row = QHBoxLayout()
        window_row.addWidget(self._window_box)
        window_row.addWidget(QLabel("size"))
        window_row.addWidget(self._size_box)
        form.addRow("window", window_row)
        form.addRow("fps", self._fps_box)
        toggles = QHBoxLayout()
        toggles.addWidget(self._detrend_box)
        toggles.addWidget(self._normalize_box)
        toggles.addStretch(1)
        toggles.addWidget(self._export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(toggles)
        layout.addWidget(self._progress)
        layout.addWidget(self.plot.canvas, stretch=1)
        layout.addWidget(self._status)

        self._video_box.currentIndexChanged.connect(self._on_video_box)
        self._where_box.currentIndexChanged.connect(self._on_where_box)
        self._window_box.currentTextChanged.connect(lambda text: self._set_from_gui("window", text))
        self._size_box.valueChanged.connect(lambda value: self._set_from_gui("size", value))
        self._fps_box.valueChanged.connect(lambda value: self._set_from_gui("fps", value or None))
        self._detrend_box.toggled.connect(lambda on: self._set_from_gui("detrend", on))
        self._normalize_box.toggled.connect(lambda on: self._set_from_gui("normalize", on))
        self._export_button.clicked.connect(self._on_export_button)

    def _set_from_gui(self, name, value):
        if not self._syncing:
            setattr(self, name, value)

    def _sync_controls(self):
        """Show the properties in the controls (without feeding the changes back)."""
        self._syncing = True
        try:
            self._window_box.setCurrentText(self._window)
            self._size_box.setValue(self._size)
            self._fps_box.setValue(self._fps or 0)
            self._detrend_box.setChecked(self._detrend)
            self._normalize_box.setChecked(self._normalize)
            points = self._where_layer is not None and _kind(self._where_layer) == "Points"
            self._window_box.setEnabled(points)
            self._size_box.setEnabled(points)
        finally:
            self._syncing = False

    # --- properties ------------------------------------------------------------------------------------------

    @property
    def viewer(self):
        """The napari viewer."""
        return self._viewer

    @property
    def video_layer(self):
        """The Image layer the traces are read from (3-D: frames, rows, columns), or None."""
        return self._video_layer

    @video_layer.setter
    def video_layer(self, layer):
        if layer is not None:
            layer = _unwrap(layer)
            if _kind(layer) != "Image":
                raise TypeError(f"video_layer must be an Image layer of the viewer, got {_describe(layer)}")
            if layer not in self._viewer.layers:
                raise ValueError(f"video_layer must be a layer of this viewer; {layer.name!r} is not")
            if not _is_video(layer):
                shape = tuple(_video_data(layer).shape)
                raise ValueError(
                    f"video_layer must be a 3-D image layer (frames, rows, columns), not RGB; "
                    f"{layer.name!r} has shape {shape}"
                )
        if layer is self._video_layer:
            return
        self._video_layer = layer
        self._video_token = object()
        fps = _metadata_fps(layer)
        if fps is not None:
            self._fps = fps
        self._connect_layers()
        self._select_in_box(self._video_box, layer)
        self._sync_controls()
        self._schedule()

    @property
    def where_layer(self):
        """The Points, Shapes or Labels layer that says where the traces are, or None."""
        return self._where_layer

    @where_layer.setter
    def where_layer(self, layer):
        if layer is not None:
            layer = _unwrap(layer)
            if not _is_where(layer):
                raise TypeError(f"where_layer must be a Points, Shapes or Labels layer, got {_describe(layer)}")
            if layer not in self._viewer.layers:
                raise ValueError(f"where_layer must be a layer of this viewer; {layer.name!r} is not")
        if layer is self._where_layer:
            return
        self._where_layer = layer
        self._connect_layers()
        self._select_in_box(self._where_box, layer)
        self._sync_controls()
        self._schedule()

    @property
    def window(self):
        """The window of each point: ``'rect'`` (``size`` x ``size``), ``'disc'`` or ``'pixel'``."""
        return self._window

    @window.setter
    def window(self, value):
        if not isinstance(value, str):
            raise TypeError(f"window must be one of {', '.join(map(repr, WINDOWS))}, got {value!r}")
        if value not in WINDOWS:
            raise ValueError(f"window must be one of {', '.join(map(repr, WINDOWS))}, got {value!r}")
        if value != self._window:
            self._window = value
            self._sync_controls()
            self._schedule()

    @property
    def size(self):
        """Window size in pixels (0 and 1: the point's pixel alone)."""
        return self._size

    @size.setter
    def size(self, value):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            if not (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
                    and math.isfinite(value) and float(value).is_integer()):
                raise TypeError(f"size must be a whole number of pixels, got {value!r}")
        value = int(value)
        if not 0 <= value <= _SIZE_LIMIT:
            raise ValueError(f"size must be between 0 and {_SIZE_LIMIT} pixels, got {value}")
        if value != self._size:
            self._size = value
            self._sync_controls()
            self._schedule()

    @property
    def fps(self):
        """Frames per second, or None: with a value the time axis is in seconds."""
        return self._fps

    @fps.setter
    def fps(self, value):
        if value is not None:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise TypeError(f"fps must be a number of frames per second or None, got {value!r}")
            value = float(value)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"fps must be a finite number > 0 or None, got {value!r}")
        if value != self._fps:
            self._fps = value
            self._sync_controls()
            self._draw()

    @property
    def detrend(self):
        """Whether the traces shown are detrended (``detrend_timeseries``, kind ``'spline'``)."""
        return self._detrend

    @detrend.setter
    def detrend(self, value):
        self._detrend = _as_bool(value, "detrend")
        self._sync_controls()
        self._schedule()

    @property
    def normalize(self):
        """Whether each trace shown is scaled to [0, 1] (``normalize``)."""
        return self._normalize

    @normalize.setter
    def normalize(self, value):
        self._normalize = _as_bool(value, "normalize")
        self._sync_controls()
        self._schedule()

    @property
    def traces(self):
        """The traces shown now, ``(T, N)``: one column per point, shape or label (read-only)."""
        if self._result is None:
            n_frames = 0 if self._video_layer is None else _video_data(self._video_layer).shape[0]
            return np.empty((n_frames, 0))
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
    def busy(self):
        """Whether an update is waiting or running (``traces`` may then be behind the layers)."""
        return self._running or self._dirty or self._update_timer.isActive()

    @property
    def status(self):
        """The status line: what the traces are, or what has no trace and why."""
        return self._status.text()

    def wait(self, timeout=30.0):
        """Process Qt events until the traces are up to date.

        Parameters
        ----------
        timeout : float
            Seconds to wait at most.

        Raises
        ------
        TimeoutError
            If an update is still running after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        app = QApplication.instance()
        while self.busy:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the traces were not ready within {timeout} s")
            app.processEvents()
            time.sleep(0.002)

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
        ValueError
            If the extension is none of those, or the folder does not exist.
        """
        from optimap.trace import save_traces

        self.wait()
        result = self._result
        traces = self.traces
        metadata = {
            "video_layer": "" if self._video_layer is None else self._video_layer.name,
            "where_layer": "" if self._where_layer is None else self._where_layer.name,
            "detrend": "spline" if self._detrend else "none",
            "normalize": int(self._normalize),
        }
        if result is not None and result.kind == "points":
            metadata.update(window=self._window, size=self._size)
        positions = None if result is None else result.positions
        save_traces(os.fspath(path), traces, positions, fps=self._fps, names=self.names, metadata=metadata)

    # --- layers of the viewer ----------------------------------------------------------------------------------

    def _connect(self, connections, emitter, callback):
        emitter.connect(callback)
        connections.append((emitter, callback))

    def _disconnect(self, connections):
        while connections:
            emitter, callback = connections.pop()
            try:
                emitter.disconnect(callback)
            except (RuntimeError, TypeError, ValueError):
                pass

    def _connect_viewer(self):
        layers = self._viewer.layers.events
        self._connect(self._viewer_connections, layers.inserted, self._on_inserted)
        self._connect(self._viewer_connections, layers.removed, self._on_removed)
        self._connect(self._viewer_connections, layers.moved, self._on_layers_changed)
        self._connect(self._viewer_connections, self._viewer.dims.events.current_step, self._on_step)
        self._connect(self._viewer_connections, self._viewer.events.theme, self._on_theme)

    def _connect_layers(self):
        """Listen to the video and where layers (and to no other)."""
        self._disconnect(self._layer_connections)
        c = self._layer_connections
        if self._video_layer is not None:
            self._connect(c, self._video_layer.events.data, self._on_video_data)
        layer = self._where_layer
        if layer is not None:
            kind = _kind(layer)
            self._connect(c, layer.events.data, self._on_where_data)
            if kind == "Points":  # a colour picked for selected points emits current_face_color alone
                self._connect(c, layer.events.face_color, self._on_colors)
                self._connect(c, layer.events.current_face_color, self._on_colors)
            elif kind == "Shapes":
                self._connect(c, layer.events.edge_color, self._on_colors)
            else:
                self._connect(c, layer.events.paint, self._on_where_data)
                self._connect(c, layer.events.colormap, self._on_colors)
                if layer.ndim == 2:  # undo and redo emit only set_data; a frame-sized digest skips the rest
                    self._connect(c, layer.events.set_data, self._on_where_data)
        for layer in self._viewer.layers:
            if _is_video(layer) or _is_where(layer):
                self._connect(c, layer.events.name, self._on_layers_changed)

    def _candidates(self):
        layers = list(self._viewer.layers)
        return [layer for layer in layers if _is_video(layer)], [layer for layer in layers if _is_where(layer)]

    def _refresh_choices(self, follow=False, added=None):
        """Fill the layer boxes; keep the chosen layers, or follow new ones, or fall back to the most recent."""
        videos, wheres = self._candidates()
        video, where = self._video_layer, self._where_layer
        if added is not None and _is_video(added):
            video = added
        if added is not None and _is_where(added):
            where = added
        if video not in videos or (follow and video is None):
            video = videos[-1] if videos else None
        if where not in wheres or (follow and where is None):
            where = wheres[-1] if wheres else None
        self._fill_box(self._video_box, videos)
        self._fill_box(self._where_box, wheres)
        self._video_layer_choices, self._where_layer_choices = videos, wheres
        self.video_layer = video
        self.where_layer = where
        self._select_in_box(self._video_box, self._video_layer)
        self._select_in_box(self._where_box, self._where_layer)
        self._connect_layers()

    def _fill_box(self, box, layers):
        self._syncing = True
        try:
            box.blockSignals(True)
            box.clear()
            for layer in layers:
                box.addItem(f"{layer.name} ({_kind(layer)})" if box is self._where_box else layer.name)
        finally:
            box.blockSignals(False)
            self._syncing = False

    def _select_in_box(self, box, layer):
        choices = getattr(self, "_video_layer_choices" if box is self._video_box else "_where_layer_choices", [])
        index = next((i for i, item in enumerate(choices) if item is layer), -1)
        box.blockSignals(True)
        box.setCurrentIndex(index)
        box.blockSignals(False)

    def _on_video_box(self, index):
        if 0 <= index < len(self._video_layer_choices):
            self.video_layer = self._video_layer_choices[index]

    def _on_where_box(self, index):
        if 0 <= index < len(self._where_layer_choices):
            self.where_layer = self._where_layer_choices[index]

    # --- events ------------------------------------------------------------------------------------------------

    def _on_inserted(self, event):
        if not self._closed:
            self._refresh_choices(added=_unwrap(event.value))

    def _on_removed(self, event):
        if not self._closed:
            self._refresh_choices()

    def _on_layers_changed(self, event=None):
        if not self._closed:
            self._refresh_choices()

    def _on_video_data(self, event=None):
        self._video_token = object()
        self._schedule()

    def _on_where_data(self, event=None):
        action = getattr(event, "action", None)
        if action is not None and str(action).endswith("ing"):  # adding, changing, removing: wait for the end
            return
        self._schedule()

    def _on_colors(self, event=None):
        if not self._closed:
            self._draw()

    def _on_step(self, event=None):
        if not self._closed:
            self._draw_frame()

    def _on_theme(self, event=None):
        if not self._closed:
            self._apply_theme()

    # --- updates ---------------------------------------------------------------------------------------------------

    def _schedule(self):
        """Ask for one update after the events of this turn of the event loop."""
        if not self._closed:
            self._update_timer.start()

    def _request_update(self):
        if self._closed:
            return
        if self._running:
            self._dirty = True
            return
        self._dirty = False
        try:
            request = self._snapshot()
        except ValueError as error:
            self._result = None
            self._set_status(str(error))
            self._draw()
            return
        self._running = True
        self._started = time.perf_counter()
        self._progress_timer.start()
        self._executor.submit(_run, self._cache, request, self._bridge)

    def _snapshot(self):
        """The :class:`Request` for the layers as they are now (GUI thread: cheap copies only)."""
        serial = next(self._serial)
        self._latest_serial = serial
        video_layer, layer = self._video_layer, self._where_layer
        if video_layer is None:
            return Request(serial, np.empty((0, 0, 0)), None, None, None)
        video = _video_data(video_layer)
        common = dict(serial=serial, video=video, video_token=self._video_token, window=self._window,
                      size=self._size, detrend=self._detrend, normalize=self._normalize)
        if layer is None:
            return Request(kind=None, payload=None, **common)
        kind = _kind(layer)
        if kind == "Points":
            data = np.asarray(layer.data, dtype=np.float64)
            if len(data) == 0:
                return Request(kind="points", payload=np.empty((0, 2)), ids=(), **common)
            rows, cols = _coords.layer_to_frame(layer, video_layer, data)
            return Request(kind="points", payload=_coords.rows_cols_to_xy(rows, cols),
                           ids=tuple(range(len(data))), **common)
        if kind == "Shapes":
            payload = []
            for vertices, shape_type in zip(layer.data, layer.shape_type):
                rows, cols = _coords.layer_to_frame(layer, video_layer, vertices)
                payload.append((shape_type, _coords.rows_cols_to_xy(rows, cols)))
            return Request(kind="shapes", payload=payload, ids=tuple(range(len(payload))), **common)
        labels = _video_data(layer)
        frame = tuple(video.shape[1:])
        if tuple(labels.shape[-2:]) != frame or not _coords.same_transform(layer, video_layer):
            raise ValueError(
                f"the Labels layer {layer.name!r} {tuple(labels.shape)} must have the video's frame {frame} (rows, "
                f"columns) as its last two axes, with the video's scale and translation"
            )
        return Request(kind="labels", payload=labels, **common)

    def _on_done(self, outcome):
        """The worker's answer, on the GUI thread."""
        if self._closed:
            return
        self._running = False
        self._progress_timer.stop()
        self._progress.hide()
        if isinstance(outcome, BaseException):
            self._set_status(f"traces could not be computed: {type(outcome).__name__}: {outcome}")
        else:  # also a result that changes have overtaken: it is closer than the one shown, the next follows
            self._result = outcome
            self.last_update_seconds = time.perf_counter() - self._started
            self._draw()
        if self._dirty or self._update_timer.isActive():
            self._update_timer.stop()
            self._request_update()

    def _show_progress(self):
        if self._running:
            self._progress.show()
            self._set_status("computing traces…")

    # --- drawing ---------------------------------------------------------------------------------------------------

    def _item_colors(self, result):
        layer = self._where_layer
        n = len(result.ids)
        if layer is None or n == 0 or _kind(layer) != _result_kind(result):
            return np.ones((n, 4))
        kind = _kind(layer)
        if kind == "Labels":
            return np.asarray(layer.colormap.map(np.asarray(result.ids)), dtype=float).reshape(n, 4)
        colors = np.asarray(layer.face_color if kind == "Points" else layer.edge_color, dtype=float)
        ids = np.asarray(result.ids, dtype=np.int64)
        if len(colors) <= ids.max():  # items removed since: their next update is on its way
            return np.ones((n, 4))
        return colors[ids]

    def _time(self, n_frames):
        frames = np.arange(n_frames, dtype=np.float64)
        return (frames / self._fps, "time (s)") if self._fps else (frames, "frame")

    def _draw(self):
        result = self._result
        n_frames = 0 if self._video_layer is None else int(_video_data(self._video_layer).shape[0])
        traces = self.traces
        x, xlabel = self._time(traces.shape[0])
        ylabel = "normalized" if self._normalize else "detrended" if self._detrend else "mean intensity"
        colors = self._item_colors(result) if result is not None else np.empty((0, 4))
        self.plot.set_traces(x, traces, colors, xlabel, ylabel)
        if result is not None:
            what = {"points": "point", "shapes": "shape", "labels": "label"}.get(result.kind)
            summary = f"{traces.shape[1]} trace{'s' if traces.shape[1] != 1 else ''} of {n_frames} frames"
            if what and traces.shape[1]:
                summary += f" (one per {what})"
            self._set_status("; ".join([summary, *result.notes[:3]]) + (" …" if len(result.notes) > 3 else ""))
        self._draw_frame()

    def _draw_frame(self):
        layer = self._video_layer
        if layer is None:
            self.plot.set_frame(None)
            return
        n_frames = int(_video_data(layer).shape[0])
        frame = _coords.current_frame(self._viewer, layer, n_frames)
        self.plot.set_frame(frame / self._fps if self._fps else frame)

    @property
    def frame(self):
        """The video frame the viewer shows (the plot's vertical line)."""
        layer = self._video_layer
        if layer is None:
            return None
        return _coords.current_frame(self._viewer, layer, int(_video_data(layer).shape[0]))

    def _on_plot_click(self, x):
        layer = self._video_layer
        if layer is None:
            return
        n_frames = int(_video_data(layer).shape[0])
        frame = int(np.clip(np.floor((x * self._fps if self._fps else x) + 0.5), 0, max(n_frames - 1, 0)))
        self._viewer.dims.set_point(_coords.time_axis(self._viewer, layer), _coords.frame_to_world(layer, frame))

    def _apply_theme(self):
        from napari.utils.theme import get_theme

        theme = get_theme(self._viewer.theme)
        self.plot.set_theme(theme.background.as_hex(), theme.text.as_hex(), theme.highlight.as_hex())

    def _set_status(self, text):
        self._status.setText(text)

    # --- buttons -------------------------------------------------------------------------------------------------

    def _on_export_button(self):
        path, _ = QFileDialog.getSaveFileName(
            self, "Export traces", "traces.csv", "CSV (*.csv);;NumPy (*.npy);;MATLAB (*.mat);;HDF5 (*.h5)"
        )
        if not path:
            return
        try:
            self.export(path)
        except (ValueError, TypeError, OSError, ImportError) as error:
            self._set_status(f"not exported: {error}")
        else:
            self._set_status(f"exported {self.traces.shape[1]} traces to {path}")

    # --- closing -------------------------------------------------------------------------------------------------

    def close(self):
        """Stop listening to the viewer and its layers, stop the worker, and close the widget."""
        self._teardown()
        return super().close()

    def closeEvent(self, event):  # noqa: N802 (Qt's name)
        self._teardown()
        super().closeEvent(event)

    def _teardown(self):
        if self._closed:
            return
        self._closed = True
        self._update_timer.stop()
        self._progress_timer.stop()
        self._disconnect(self._layer_connections)
        self._disconnect(self._viewer_connections)
        self._executor.shutdown(wait=False, cancel_futures=True)


def _run(cache, request, bridge):
    """The worker's job: compute, then hand the result (or the error) to the GUI thread."""
    try:
        outcome = cache.compute(request)
    except Exception as error:  # shown in the status line; the widget goes on
        outcome = error
    try:
        bridge.done.emit(outcome)
    except RuntimeError:  # the widget was deleted meanwhile
        pass


def _warm_up():
    """Load the compiled kernels before the first trace is asked for (their first call loads numba)."""
    from optimap.trace import extract_traces

    video = np.zeros((2, 16, 16), dtype=np.uint16)
    for window, size in (("rect", 5), ("disc", 5), ("pixel", 1)):
        extract_traces(video, [(3, 3), (8, 8)], size=size, window=window)


def _result_kind(result):
    return {"points": "Points", "shapes": "Shapes", "labels": "Labels"}.get(result.kind)


def _as_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _default_window():
    from optimap.trace import get_default_trace_window

    return get_default_trace_window()


def _metadata_fps(layer):
    """A frame rate from the layer's metadata (``fps``, ``frame_rate``...), if it holds a positive number."""
    if layer is None:
        return None
    metadata = getattr(layer, "metadata", None) or {}
    for key in FPS_KEYS:
        value = metadata.get(key)
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
            return float(value)
    return None


__all__ = ["TraceWidget"]
