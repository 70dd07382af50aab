"""The Qt controls of the dock widget: layer boxes, window and size, fps, toggles, export, status.

:class:`Controls` only shows values and reports what the user changed: it
calls ``on_change(name, value)`` with the name of the widget's property
(``"window"``, ``"size"``, ``"fps"``, ``"detrend"``, ``"normalize"``,
``"video_layer"``, ``"where_layer"``) and ``on_export()`` for the button.
Values set from code (:meth:`Controls.show_settings`, :meth:`Controls.show_layers`)
are not reported back.
"""

import time

from qtpy.QtCore import QTimer
from qtpy.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ._layers import kind

# The largest window size the spin box offers (the property checks the same bound).
SIZE_LIMIT = 9999


class Controls(QWidget):
    """The widget's controls above the plot, and the progress and status lines.

    Parameters
    ----------
    windows : sequence of str
        The window names the window box offers.
    on_change : callable
        ``on_change(name, value)`` when the user changes a control.
    on_export : callable
        Called when the Export button is clicked.
    parent : QWidget, optional
    """

    def __init__(self, windows, on_change, on_export, parent=None):
        super().__init__(parent)
        self._on_change = on_change
        self._syncing = False
        self._video_choices, self._where_choices = [], []

        self.video_box = QComboBox()
        self.where_box = QComboBox()
        self.window_box = QComboBox()
        self.window_box.addItems(list(windows))
        self.size_box = QSpinBox()
        self.size_box.setRange(0, SIZE_LIMIT)
        self.fps_box = QDoubleSpinBox()
        self.fps_box.setRange(0, 1e6)
        self.fps_box.setDecimals(3)
        self.fps_box.setSpecialValueText("none (frames)")
        self.fps_box.setToolTip("Frames per second: the time axis is in seconds when set (0: in frames)")
        self.detrend_box = QCheckBox("Detrend")
        self.detrend_box.setToolTip("detrend_timeseries(traces, kind='spline'): remove slow drift")
        self.normalize_box = QCheckBox("Normalize")
        self.normalize_box.setToolTip("normalize(traces): each trace to [0, 1]")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the traces shown as .csv, .npy, .mat or .h5")
        # The seconds a long update has run, redrawn once a second. Not an animated busy bar: each of
        # its frames repaints the window, and where OpenGL is rendered in software (no GPU, remote
        # desktops, Xvfb) that re-renders napari's canvas: 6.4 s of CPU during a 10 s update, which
        # took 2.3x as long as with no indicator (benchmarks/README.md).
        self.progress = QLabel()
        self.progress.hide()
        self._progress_started = 0.0
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(1000)
        self._progress_timer.timeout.connect(self._show_elapsed)
        self.status = QLabel()
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("video", self.video_box)
        form.addRow("where", self.where_box)
        window_row = QHBoxLayout()
        window_row.addWidget(self.window_box)
        window_row.addWidget(QLabel("size"))
        window_row.addWidget(self.size_box)
        form.addRow("window", window_row)
        form.addRow("fps", self.fps_box)
        toggles = QHBoxLayout()
        toggles.addWidget(self.detrend_box)
        toggles.addWidget(self.normalize_box)
        toggles.addStretch(1)
        toggles.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(toggles)
        layout.addWidget(self.progress)

        self.video_box.currentIndexChanged.connect(lambda i: self._report_layer("video_layer", self._video_choices, i))
        self.where_box.currentIndexChanged.connect(lambda i: self._report_layer("where_layer", self._where_choices, i))
        self.window_box.currentTextChanged.connect(lambda text: self._report("window", text))
        self.size_box.valueChanged.connect(lambda value: self._report("size", value))
        self.fps_box.valueChanged.connect(lambda value: self._report("fps", value or None))
        self.detrend_box.toggled.connect(lambda on: self._report("detrend", on))
        self.normalize_box.toggled.connect(lambda on: self._report("normalize", on))
        self.export_button.clicked.connect(lambda _checked=False: on_export())

    def _report(self, name, value):
        if not self._syncing:
            self._on_change(name, value)

    def _report_layer(self, name, choices, index):
        if 0 <= index < len(choices):
            self._report(name, choices[index])

    def show_settings(self, window, size, fps, detrend, normalize, points):
        """Show the widget's settings; the window and size are enabled for a Points layer only."""
        self._syncing = True
        try:
            self.window_box.setCurrentText(window)
            self.size_box.setValue(size)
            self.fps_box.setValue(fps or 0)
            self.detrend_box.setChecked(detrend)
            self.normalize_box.setChecked(normalize)
            self.window_box.setEnabled(points)
            self.size_box.setEnabled(points)
        finally:
            self._syncing = False

    def show_layers(self, videos, wheres, video, where):
        """Offer ``videos`` and ``wheres`` (lists of layers) in the boxes, with ``video`` and ``where`` chosen."""
        self._video_choices, self._where_choices = list(videos), list(wheres)
        self._syncing = True
        try:
            for box, choices, chosen, with_kind in (
                (self.video_box, videos, video, False),
                (self.where_box, wheres, where, True),
            ):
                box.clear()
                for layer in choices:
                    box.addItem(f"{layer.name} ({kind(layer)})" if with_kind else layer.name)
                box.setCurrentIndex(next((i for i, layer in enumerate(choices) if layer is chosen), -1))
        finally:
            self._syncing = False

    def show_progress(self, on):
        """Show or hide the progress line, the seconds the update has run (with "computing traces…"
        in the status line)."""
        self.progress.setVisible(on)
        if on:
            self.status.setText("computing traces…")
            self._progress_started = time.monotonic()
            self._show_elapsed()
            self._progress_timer.start()
        else:
            self._progress_timer.stop()

    def _show_elapsed(self):
        self.progress.setText(f"{time.monotonic() - self._progress_started:.0f} s elapsed")


def ask_export_path(parent):
    """The path the user picks in a save dialog for the traces, or ``""`` when cancelled."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export traces", "traces.csv", "CSV (*.csv);;NumPy (*.npy);;MATLAB (*.mat);;HDF5 (*.h5)"
    )
    return path
